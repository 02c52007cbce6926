// A whole session against the real Secret Service (run inside tests/keyring/run-with-keyring.sh,
// which starts gnome-keyring on a private D-Bus session): `bridge token set` (stdin), a config with
// ${keychain:…} for a bearer upstream, `bridge login` to an OAuth upstream, `bridge serve` with
// calls to both and a forced token refresh, verbose logs and the audit log on. Afterwards
// `secret-tool` finds every item, and no file the bridge could have written (config, logs, audit
// log, catalog cache, the data dir) nor its stderr holds any secret used: they live in the
// keychain only.
//
//   tests/keyring/run-with-keyring.sh env BRIDGE_BIN=build/ci/src/bridge node --test tests/keyring/
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { startPeer, startBridge, runBridge, tempHome, textOf, allText, PEERS_DIR } from "../integration/lib/harness.mjs";

const API_KEY = "jca_keyringE2E0123456789abcdef";
const ORG = "org-keyring-e2e";

// The private session bus and keyring of run-with-keyring.sh reach the bridge through these.
const busEnv = {};
for (const k of ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"]) if (process.env[k]) busEnv[k] = process.env[k];

const secretTool = (...args) => execFileSync("secret-tool", args, { env: process.env, encoding: "utf8" });

function filesUnder(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

test("a full session keeps every secret in the Secret Service and nowhere else", { timeout: 120_000 }, async (t) => {
  assert.ok(busEnv.DBUS_SESSION_BUS_ADDRESS, "run me inside tests/keyring/run-with-keyring.sh");
  const home = await tempHome({ t });
  const bearer = await startPeer("bearer-org-server", ["--token", API_KEY, "--org", ORG], { t });
  const oauth = await startPeer("oauth-server", [], { t });
  const config = {
    audit_log: true,
    servers: {
      jc: { url: bearer.url, prefix: "jc_", organizationID: ORG, auth: "token", token: "${keychain:jc}" },
      acme: { url: oauth.url, prefix: "acme_", auth: "oauth" },
    },
  };
  const env = { ...busEnv, BRIDGE_LOG: "debug", BROWSER: path.join(PEERS_DIR, "oauth-browser.mjs"), BRIDGE_OAUTH_TIMEOUT_S: "20" };
  let stderr = "";
  const run = async (args, stdin = "") => {
    const r = await runBridge({ config, home, t, args, env, stdin, timeoutMs: 30_000 });
    stderr += r.stderr + r.stdout;
    return r;
  };

  let r = await run(["token", "set", "jc"], API_KEY + "\n");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(secretTool("lookup", "key", "token:jc"), API_KEY, "secret-tool sees the API key");

  r = await run(["login", "acme"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(secretTool("search", "--all", "key", "token:jc"), /dev\.mcp-bridge\.Secret/, "under our schema");
  r = await run(["status"]);
  assert.match(r.stdout, /Token store: keychain/);
  // The bundle's key: "oauth:<name>@" + 12 hex of SHA-256(effective URL) (auth/token_store.hpp).
  const oauthKey = createHash("sha256").update(oauth.url).digest("hex").slice(0, 12);
  const firstTokens = JSON.parse(secretTool("lookup", "key", `oauth:acme@${oauthKey}`));
  assert.ok(firstTokens.access_token && firstTokens.refresh_token, "the OAuth tokens are in the keychain");

  const bridge = await startBridge({ config, home, t, env });
  await bridge.initialize();
  await bridge.waitForTools((tools) => ["jc_echo", "acme_echo"].every((n) => tools.some((x) => x.name === n)));
  assert.equal(textOf(await bridge.callTool("jc_echo", { message: "via the keychain" })), "via the keychain");
  assert.equal(textOf(await bridge.callTool("acme_echo", { message: "oauth" })), "oauth");
  await fetch(`${oauth.base}/_test/expire`, { method: "POST" });
  const refreshed = await bridge.callTool("acme_echo", { message: "refreshed" });
  assert.equal(textOf(refreshed), "refreshed", allText(refreshed));
  await bridge.close();
  stderr += bridge.stderr();
  const secondTokens = JSON.parse(secretTool("lookup", "key", `oauth:acme@${oauthKey}`));
  assert.notEqual(secondTokens.access_token, firstTokens.access_token, "the refresh stored new tokens");

  const secrets = [API_KEY, firstTokens.access_token, firstTokens.refresh_token, secondTokens.access_token, secondTokens.refresh_token];
  if (secondTokens.client?.client_secret) secrets.push(secondTokens.client.client_secret);
  // The keyring daemon's own (encrypted) files live outside the test home, under the outer data dir.
  const outer = process.env.XDG_DATA_HOME ? filesUnder(process.env.XDG_DATA_HOME).filter((f) => !f.includes(`${path.sep}keyrings${path.sep}`)) : [];
  const files = [...filesUnder(home.dir), ...outer];
  assert.ok(files.some((f) => f.endsWith("bridge.log")), `the log was written: ${files.join(", ")}`);
  assert.ok(files.some((f) => f.endsWith("audit.log")), "the audit log was written");
  assert.ok(!files.some((f) => f.endsWith("secrets.json")), "no file store: the keychain was used");
  for (const file of files) {
    const text = fs.readFileSync(file, "latin1");
    for (const secret of secrets) assert.ok(!text.includes(secret), `a secret (${secret.slice(0, 6)}…) in ${file}`);
  }
  for (const secret of secrets) assert.ok(!stderr.includes(secret), `a secret (${secret.slice(0, 6)}…) on the bridge's output`);
});
