#!/usr/bin/env node
// A headless "browser" for OAuth tests: the bridge runs it as $BROWSER with the authorization URL.
// It detaches at once (the bridge only waits to see that a browser started), then GETs the URL
// following redirects — the test authorization servers approve at once and redirect to the
// bridge's loopback callback — and reports what happened on stderr (and in $OAUTH_BROWSER_LOG).
//
//   BROWSER=tests/peers/oauth-browser.mjs   follow the URL (the test servers approve at once)
//   OAUTH_BROWSER_QUERY=deny=1               appended to the authorization URL (a test AS hook)
//   OAUTH_BROWSER_DELAY_MS=N                 wait N ms first (a user who takes their time)
//   OAUTH_BROWSER_LOG=FILE                   one line per open / redirect / page
import { spawn } from "node:child_process";
import fs from "node:fs";

const url = process.argv[2];
if (!url) {
  console.error("browser.mjs: no URL");
  process.exit(2);
}
if (!process.env.OAUTH_BROWSER_CHILD) {
  const child = spawn(process.execPath, [process.argv[1], url], {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, OAUTH_BROWSER_CHILD: "1" },
  });
  child.unref();
  process.exit(0);
}

const log = (line) => {
  if (process.env.OAUTH_BROWSER_LOG) fs.appendFileSync(process.env.OAUTH_BROWSER_LOG, line + "\n");
};
let target = url;
if (process.env.OAUTH_BROWSER_QUERY) target += (target.includes("?") ? "&" : "?") + process.env.OAUTH_BROWSER_QUERY;
log(`open ${target}`);
const delay = Number(process.env.OAUTH_BROWSER_DELAY_MS ?? 0);
if (delay > 0) await new Promise((r) => setTimeout(r, delay));
try {
  // Follow redirects by hand, as a browser would, until a page answers.
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(target, { redirect: "manual" });
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      target = new URL(location, target).toString();
      log(`redirect ${target}`);
      continue;
    }
    const body = await response.text();
    log(`page ${response.status} ${body.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 200)}`);
    break;
  }
} catch (e) {
  log(`error ${e.message}`);
}
