// A newcomer's first commands from an empty home, through the real binary: `bridge login jumpcloud`
// with no config adds the JumpCloud preset first, then signs in (the OAuth peer stands in for
// JumpCloud through BRIDGE_JUMPCLOUD_URL); remedies never ask a preset name for --url.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { startPeer, tempHome, runBridge, PEERS_DIR } from "./lib/harness.mjs";

const T = { timeout: 90_000 };
const BROWSER = path.join(PEERS_DIR, "oauth-browser.mjs");
const configPath = (home) => path.join(home.env.XDG_CONFIG_HOME, "mcp-bridge", "config.json");
const readConfig = async (home) => JSON.parse(await fsp.readFile(configPath(home), "utf8"));

function run(t, home, args, env = {}) {
  return runBridge({
    config: null, home, t, args, timeoutMs: 30_000,
    env: { BROWSER, BRIDGE_TOKEN_STORE: "file", BRIDGE_OAUTH_TIMEOUT_S: "20",
           OAUTH_BROWSER_LOG: path.join(home.dir, "browser.log"), ...env },
  });
}

test("bridge login jumpcloud on a fresh install adds the preset, says where, and signs in", T, async (t) => {
  const peer = await startPeer("oauth-server", [], { t });
  const home = await tempHome({ t });
  const r = await run(t, home, ["login", "jumpcloud"], { BRIDGE_JUMPCLOUD_URL: peer.url });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /--url/);
  assert.match(r.stderr, /added the JumpCloud preset to .*config\.json \(new file\)/);
  assert.match(r.stderr, /Logged in to jumpcloud/);
  const config = await readConfig(home);
  assert.equal(config.servers.jumpcloud.url, peer.url);
  assert.equal(config.servers.jumpcloud.prefix, "jc_admin_");
  assert.equal(config.servers.jumpcloud.auth, "oauth");
  // Again: the entry is there now; nothing is added twice.
  const again = await run(t, home, ["login", "jumpcloud"], { BRIDGE_JUMPCLOUD_URL: peer.url });
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /added the JumpCloud preset/);
});

test("bridge login NAME --org ID adds the org-specific JumpCloud entry next to the others", T, async (t) => {
  const peer = await startPeer("oauth-server", [], { t });
  const home = await tempHome({ t });
  await fsp.mkdir(path.dirname(configPath(home)), { recursive: true });
  await fsp.writeFile(configPath(home), JSON.stringify({ servers: { other: { url: "http://127.0.0.1:1/mcp", prefix: "o_" } } }));
  const r = await run(t, home, ["login", "acme", "--org", "5f1e0123"], { BRIDGE_JUMPCLOUD_URL: peer.url });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /added the JumpCloud preset/);
  const config = await readConfig(home);
  assert.deepEqual(Object.keys(config.servers), ["other", "acme"]);
  assert.equal(config.servers.acme.prefix, "jc_acme_");
  assert.equal(config.servers.acme.organizationID, "5f1e0123");
  // A different org for an existing entry is refused with the command that changes it.
  const other = await run(t, home, ["login", "acme", "--org", "999"], { BRIDGE_JUMPCLOUD_URL: peer.url });
  assert.equal(other.code, 2);
  assert.match(other.stderr, /bridge add jumpcloud --name acme --org 999 --replace/);
});

test("remedies: a preset name is never asked for --url; other names are", T, async (t) => {
  const home = await tempHome({ t });
  let r = await run(t, home, ["logout", "mcpjungle"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bridge add mcpjungle(?! --url)/);
  assert.doesNotMatch(r.stderr, /--url/);
  r = await run(t, home, ["login", "docs"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bridge add docs --url URL --auth oauth/);
  assert.equal(fs.existsSync(configPath(home)), false, "nothing written for a name that is no preset");
});

test("token set for a preset name with no entry yet names `bridge add jumpcloud … --auth token`, without --url", T, async (t) => {
  const home = await tempHome({ t });
  const r = await runBridge({ config: null, home, t, args: ["token", "set", "jumpcloud"], stdin: "jca_example_key\n",
                              env: { BRIDGE_TOKEN_STORE: "file" }, timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /bridge add jumpcloud --auth token/);
  assert.doesNotMatch(r.stdout + r.stderr, /--url/);
});
