// Enterprise-Managed Authorization ("cross-app access", SEP-990) through the real binary against
// our own identity provider + authorization server + MCP server (peers/oauth-server.mjs
// --enterprise): sign-in at the IdP in the browser ($BROWSER = peers/oauth-browser.mjs), the ID
// token exchanged for an ID-JAG, the ID-JAG for an access token; renewal without the browser (the
// stored ID token, then the IdP's refresh token), and a new sign-in once the IdP revokes both.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startPeer, startBridge, runBridge, tempHome, textOf, allText, PEERS_DIR } from "./lib/harness.mjs";
import { IDP_CLIENT, AS_CLIENT } from "../peers/enterprise-idp.mjs";

const T = { timeout: 90_000 };

function enterpriseConfig(peer) {
  return {
    servers: {
      corp: {
        url: peer.url,
        prefix: "corp_",
        auth: "oauth",
        oauth: {
          grant: "enterprise",
          client_id: AS_CLIENT.id,
          client_secret: "${env:TEST_AS_SECRET}",
          idp: { issuer: `${peer.base}/idp`, client_id: IDP_CLIENT.id, client_secret: "${env:TEST_IDP_SECRET}" },
        },
      },
    },
  };
}

function enterpriseEnv(home) {
  return {
    BROWSER: path.join(PEERS_DIR, "oauth-browser.mjs"),
    BRIDGE_TOKEN_STORE: "file",
    BRIDGE_OAUTH_TIMEOUT_S: "20",
    OAUTH_BROWSER_LOG: path.join(home.dir, "browser.log"),
    TEST_AS_SECRET: AS_CLIENT.secret,
    TEST_IDP_SECRET: IDP_CLIENT.secret,
  };
}

function filesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

async function loggedIn(peer, t, peerArgs = []) {
  const home = await tempHome({ t });
  const config = enterpriseConfig(peer);
  const r = await runBridge({ config, home, t, args: ["login", "corp"], env: enterpriseEnv(home), timeoutMs: 30_000 });
  assert.equal(r.code, 0, `${r.stderr}\nrefusals: ${JSON.stringify((await peer.state()).enterpriseRefusals)}`);
  assert.match(r.stderr, /sign in at your identity provider/);
  return { home, config, stderr: r.stderr };
}

async function serve(config, home, t) {
  const bridge = await startBridge({ config, home, t, env: enterpriseEnv(home) });
  await bridge.initialize();
  await bridge.waitForTools((tools) => tools.some((x) => x.name === "corp_echo"));
  return bridge;
}

test("enterprise grant: IdP sign-in, ID-JAG exchange, JWT bearer grant; renewal reuses the ID token", T, async (t) => {
  const peer = await startPeer("oauth-server", ["--enterprise"], { t });
  const { home, config, stderr } = await loggedIn(peer, t);
  let state = await peer.state();
  assert.equal(state.idpSignIns, 1);
  assert.equal(state.tokenExchanges, 1);
  assert.equal(state.jwtBearerGrants, 1);
  assert.equal(state.registrations, 0, "a pre-registered client, no dynamic registration");
  // The ID-JAG is asked for this authorization server (its issuer) and this MCP server.
  assert.equal(state.exchanges[0].audience.replace(/\/$/, ""), peer.base);
  assert.equal(state.exchanges[0].resource, peer.url);
  for (const secret of [AS_CLIENT.secret, IDP_CLIENT.secret]) assert.ok(!stderr.includes(secret), "no secret on stderr");
  assert.doesNotMatch(stderr, /eyJ[A-Za-z0-9_-]{10,}\./, "no JWT on stderr");

  const bridge = await serve(config, home, t);
  const who = JSON.parse(textOf(await bridge.callTool("corp_whoami")));
  assert.equal(who.client, AS_CLIENT.id, "the access token belongs to the client the ID-JAG names");

  // The access token expires: a new exchange with the stored ID token, no browser.
  await fetch(`${peer.base}/_test/expire`, { method: "POST" });
  const after = await bridge.callTool("corp_echo", { message: "after expiry" });
  assert.equal(textOf(after), "after expiry", allText(after));
  state = await peer.state();
  assert.equal(state.tokenExchanges, 2);
  assert.equal(state.jwtBearerGrants, 2);
  assert.equal(state.idpSignIns, 1, "no new sign-in");
  assert.equal(state.idpRefreshes, 0, "the stored ID token was still fresh");
  assert.deepEqual(state.enterpriseRefusals, []);
  await bridge.close();
  // The client secrets are never written anywhere: not in the config, the logs, the cache, nor
  // the token store (config-supplied secrets are re-read from the config each time).
  for (const file of filesUnder(home.dir)) {
    const text = fs.readFileSync(file, "utf8");
    for (const secret of [AS_CLIENT.secret, IDP_CLIENT.secret]) assert.ok(!text.includes(secret), `${secret} in ${file}`);
  }
});

test("enterprise grant: an expiring ID token is renewed with the IdP's refresh token; revoked, the user signs in again", T, async (t) => {
  // ID tokens live 30 s: never fresh enough to reuse (the bridge wants a minute left).
  const peer = await startPeer("oauth-server", ["--enterprise", "--id-token-ttl-s", "30"], { t });
  const { home, config } = await loggedIn(peer, t);
  const bridge = await serve(config, home, t);

  await fetch(`${peer.base}/_test/expire`, { method: "POST" });
  assert.equal(textOf(await bridge.callTool("corp_echo", { message: "renewed" })), "renewed");
  let state = await peer.state();
  assert.equal(state.idpRefreshes, 1, "the IdP's refresh token gave a new ID token");
  assert.equal(state.idpSignIns, 1);
  assert.equal(state.tokenExchanges, 2);

  // The IdP revokes everything it issued: only a new sign-in in the browser helps.
  await fetch(`${peer.base}/_test/revoke-idp`, { method: "POST" });
  await fetch(`${peer.base}/_test/expire`, { method: "POST" });
  const again = await bridge.callTool("corp_echo", { message: "signed in again" }, { timeoutMs: 30_000 });
  assert.equal(textOf(again), "signed in again", allText(again) + "\n" + bridge.stderr());
  state = await peer.state();
  assert.equal(state.idpSignIns, 2);
  assert.equal(state.tokenExchanges, 3);
  await bridge.close();
});

test("enterprise grant: the config is checked before any network work", T, async (t) => {
  const home = await tempHome({ t });
  const config = {
    servers: { corp: { url: "https://mcp.example.com/mcp", auth: "oauth", oauth: { grant: "enterprise", client_id: "c" } } },
  };
  const r = await runBridge({ config, home, t, args: ["list"] });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /servers\.corp\.oauth\.idp\.client_id: missing for the enterprise grant/);
});
