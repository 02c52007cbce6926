// OAuth through the real binary against our own authorization server + protected MCP server
// (peers/oauth-server.mjs, on the SDK's server auth): headless login through $BROWSER
// (peers/oauth-browser.mjs follows the authorization URL to the bridge's loopback redirect),
// serve with the stored tokens, forced expiry mid-session, two bridges refreshing at once,
// a login started by serve itself (once, across processes), access_denied, timeout, logout.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startPeer, startBridge, runBridge, tempHome, textOf, allText, sleep, deadPort, PEERS_DIR } from "./lib/harness.mjs";

const T = { timeout: 90_000 };
const BROWSER = path.join(PEERS_DIR, "oauth-browser.mjs");

function oauthConfig(peer, over = {}) {
  return { servers: { acme: { url: peer.url, prefix: "acme_", auth: "oauth", ...over } } };
}

function oauthEnv(home, extra = {}) {
  return {
    BROWSER,
    BRIDGE_TOKEN_STORE: "file",
    BRIDGE_OAUTH_TIMEOUT_S: "20",
    OAUTH_BROWSER_LOG: path.join(home.dir, "browser.log"),
    ...extra,
  };
}

function storedKeys(home) {
  const file = path.join(home.env.XDG_DATA_HOME, "mcp-bridge", "secrets.json");
  if (!fs.existsSync(file)) return { file, keys: [] };
  return { file, keys: Object.keys(JSON.parse(fs.readFileSync(file, "utf8")).secrets ?? JSON.parse(fs.readFileSync(file, "utf8"))) };
}

function browserOpens(home) {
  const file = path.join(home.dir, "browser.log");
  if (!fs.existsSync(file)) return 0;
  return fs.readFileSync(file, "utf8").split("\n").filter((l) => l.startsWith("open ")).length;
}

async function login(peer, home, config, extra = {}, t) {
  return runBridge({ config, home, t, args: ["login", "acme"], env: oauthEnv(home, extra), timeoutMs: 30_000 });
}

async function serve(config, home, t, extra = {}) {
  const bridge = await startBridge({ config, home, t, env: oauthEnv(home, extra) });
  await bridge.initialize();
  return bridge;
}

test("bridge login through $BROWSER: discovery, registration, PKCE, resource; tokens in a 0600 store", T, async (t) => {
  const peer = await startPeer("oauth-server", [], { t });
  const home = await tempHome({ t });
  const config = oauthConfig(peer);
  const r = await login(peer, home, config, {}, t);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Logged in to acme/);
  assert.match(r.stderr, /refreshable/);
  const state = await peer.state();
  assert.equal(state.registrations, 1);
  assert.equal(state.authorizations, 1);
  assert.equal(state.codeExchanges, 1);
  // resource (RFC 8707) in both the authorization and the token request: the PRM's resource.
  assert.deepEqual(state.resources, [peer.url, peer.url]);
  assert.deepEqual(state.lastScopes, ["mcp:read", "mcp:write"]); // scopes_supported, no challenge scope
  const { file, keys } = storedKeys(home);
  assert.ok(keys.some((k) => k.startsWith("oauth:acme@")), `keys: ${keys}`);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.doesNotMatch(r.stderr, /at-[0-9a-f-]{36}/, "no token on stderr");

  // serve uses the stored tokens: no new login.
  const bridge = await serve(config, home, t);
  await bridge.waitForTools((tools) => tools.some((x) => x.name === "acme_whoami"));
  const who = JSON.parse(textOf(await bridge.callTool("acme_whoami")));
  assert.ok(who.client, "the token names its client");
  assert.deepEqual(who.scopes, ["mcp:read", "mcp:write"]);
  assert.equal((await peer.state()).authorizations, 1);
  await bridge.close();
});

test("forced expiry mid-session: refresh and retry are invisible to the client", T, async (t) => {
  const peer = await startPeer("oauth-server", [], { t });
  const home = await tempHome({ t });
  const config = oauthConfig(peer);
  assert.equal((await login(peer, home, config, {}, t)).code, 0);
  const bridge = await serve(config, home, t);
  await bridge.waitForTools((tools) => tools.some((x) => x.name === "acme_echo"));
  assert.equal(textOf(await bridge.callTool("acme_echo", { message: "before" })), "before");
  await fetch(`${peer.base}/_test/expire`, { method: "POST" });
  const after = await bridge.callTool("acme_echo", { message: "after" });
  assert.equal(after.isError, undefined, allText(after));
  assert.equal(textOf(after), "after");
  const state = await peer.state();
  assert.equal(state.refreshes, 1);
  assert.ok(state.unauthorized >= 1, "the server did refuse the expired token");
  assert.equal(state.authorizations, 1, "no new browser login");
  // The rotated refresh token was stored: a new process refreshes with it after another expiry.
  await bridge.close();
  await fetch(`${peer.base}/_test/expire`, { method: "POST" });
  const again = await serve(config, home, t);
  await again.waitForTools((tools) => tools.some((x) => x.name === "acme_echo"));
  assert.equal(textOf(await again.callTool("acme_echo", { message: "third" })), "third");
  assert.equal((await peer.state()).refreshes, 2);
  assert.equal((await peer.state()).refreshReuse, 0);
  await again.close();
});

test("a refresh token the server revoked: serve logs in again in the browser, the call goes through", T, async (t) => {
  const peer = await startPeer("oauth-server", [], { t });
  const home = await tempHome({ t });
  const config = oauthConfig(peer);
  assert.equal((await login(peer, home, config, {}, t)).code, 0);
  const bridge = await serve(config, home, t);
  await bridge.waitForTools((tools) => tools.some((x) => x.name === "acme_echo"));
  await fetch(`${peer.base}/_test/revoke-refresh`, { method: "POST" });
  await fetch(`${peer.base}/_test/expire`, { method: "POST" });
  // The dead tokens are still in the store: the login must not mistake them for fresh ones.
  const r = await bridge.callTool("acme_echo", { message: "after revocation" }, { timeoutMs: 30_000 });
  assert.equal(textOf(r), "after revocation", allText(r));
  assert.equal((await peer.state()).authorizations, 2, "a second browser login");
  assert.equal(browserOpens(home), 2);
  await bridge.close();
});

test("two bridges refreshing at once both keep working; the rotating refresh token is used once", T, async (t) => {
  const peer = await startPeer("oauth-server", [], { t });
  const home = await tempHome({ t });
  const config = oauthConfig(peer);
  assert.equal((await login(peer, home, config, {}, t)).code, 0);
  const a = await serve(config, home, t);
  const b = await serve(config, home, t);
  for (const bridge of [a, b]) await bridge.waitForTools((tools) => tools.some((x) => x.name === "acme_echo"));
  await fetch(`${peer.base}/_test/expire`, { method: "POST" });
  const [ra, rb] = await Promise.all([
    a.callTool("acme_echo", { message: "a" }),
    b.callTool("acme_echo", { message: "b" }),
  ]);
  assert.equal(textOf(ra), "a", allText(ra));
  assert.equal(textOf(rb), "b", allText(rb));
  let state = await peer.state();
  assert.equal(state.refreshReuse, 0, "no process presented a rotated-out refresh token");
  assert.equal(state.refreshes, 1, "one refresh served both processes");
  // And both still work afterwards.
  assert.equal(textOf(await a.callTool("acme_echo", { message: "a2" })), "a2");
  assert.equal(textOf(await b.callTool("acme_echo", { message: "b2" })), "b2");
  state = await peer.state();
  assert.equal(state.authorizations, 1);
  await a.close();
  await b.close();
});

test("serve without tokens logs in by itself: calls meanwhile name `bridge login`, tools then appear", T, async (t) => {
  const peer = await startPeer("oauth-server", [], { t });
  const home = await tempHome({ t });
  const config = oauthConfig(peer);
  const bridge = await serve(config, home, t, { OAUTH_BROWSER_DELAY_MS: "2500" });
  const listed = await bridge.listAll("tools/list", "tools", { timeoutMs: 15_000 });
  assert.equal(listed.items.some((x) => x.name.startsWith("acme_")), false, "no tools before the login");
  const early = await bridge.callTool("acme_whoami", {}, { timeoutMs: 15_000 });
  assert.equal(early.isError, true);
  assert.match(allText(early), /bridge login acme/);
  assert.match(allText(early), /not logged in/);
  await bridge.waitFor((m) => m.method === "notifications/tools/list_changed", 30_000, "tools/list_changed");
  const tools = await bridge.waitForTools((x) => x.some((tool) => tool.name === "acme_whoami"));
  assert.ok(tools.length >= 2);
  assert.ok(JSON.parse(textOf(await bridge.callTool("acme_whoami"))).client);
  assert.equal(browserOpens(home), 1);
  assert.equal((await peer.state()).authorizations, 1);
  await bridge.close();
});

test("two bridges without tokens: one browser login for both", T, async (t) => {
  const peer = await startPeer("oauth-server", [], { t });
  const home = await tempHome({ t });
  const config = oauthConfig(peer);
  const [a, b] = await Promise.all([
    serve(config, home, t, { OAUTH_BROWSER_DELAY_MS: "1500" }),
    serve(config, home, t, { OAUTH_BROWSER_DELAY_MS: "1500" }),
  ]);
  // Both ask for their tools (this is what starts the login), then get them once it is done.
  await Promise.all([a, b].map((bridge) => bridge.waitForTools((x) => x.some((tool) => tool.name === "acme_echo"), { timeoutMs: 40_000 })));
  assert.equal(browserOpens(home), 1, "one browser tab");
  assert.equal((await peer.state()).authorizations, 1);
  assert.equal(textOf(await a.callTool("acme_echo", { message: "a" })), "a");
  assert.equal(textOf(await b.callTool("acme_echo", { message: "b" })), "b");
  await a.close();
  await b.close();
});

test("a declined login (access_denied) and a browser that never comes back are reported clearly", T, async (t) => {
  const peer = await startPeer("oauth-server", [], { t });
  const home = await tempHome({ t });
  const config = oauthConfig(peer);
  const denied = await login(peer, home, config, { OAUTH_BROWSER_QUERY: "deny=1" }, t);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /login to acme failed: .*declined.*access_denied/);
  assert.deepEqual(storedKeys(home).keys.filter((k) => k.startsWith("oauth:")), []);

  const silent = await runBridge({
    config,
    home,
    t,
    args: ["login", "acme"],
    env: oauthEnv(home, { BROWSER: "true", BRIDGE_OAUTH_TIMEOUT_S: "2" }),
    timeoutMs: 20_000,
  });
  assert.equal(silent.code, 1);
  assert.match(silent.stderr, /did not finish within 2 s/);
  assert.match(silent.stderr, /http:\/\/127\.0\.0\.1:\d+\/authorize\?/, "the URL is printed for the user");
});

test("bridge logout revokes at the server and forgets the tokens", T, async (t) => {
  const peer = await startPeer("oauth-server", [], { t });
  const home = await tempHome({ t });
  const config = oauthConfig(peer);
  assert.equal((await login(peer, home, config, {}, t)).code, 0);
  const out = await runBridge({ config, home, t, args: ["logout", "acme"], env: oauthEnv(home) });
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, /revoked at the server and removed/);
  const state = await peer.state();
  assert.deepEqual(state.revocations.map((r) => r.kind).sort(), ["access", "refresh"]);
  assert.deepEqual(storedKeys(home).keys.filter((k) => k.startsWith("oauth:")), []);
  const again = await runBridge({ config, home, t, args: ["logout", "acme"], env: oauthEnv(home) });
  assert.equal(again.code, 0);
  assert.match(again.stderr, /not logged in/);
  const wrong = await runBridge({ config, home, t, args: ["login", "nosuch"], env: oauthEnv(home) });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /no server named "nosuch"/);
});

test("device_code grant: the code and URL are printed, the bridge polls until approved", T, async (t) => {
  const peer = await startPeer("oauth-server", [], { t });
  const home = await tempHome({ t });
  const config = oauthConfig(peer, { oauth: { grant: "device_code" } });
  const r = await login(peer, home, config, { BROWSER: "false" }, t);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`open\\s+${peer.base}/device\\s`));
  assert.match(r.stderr, /enter the code\s+WDJB-MJHT/);
  const state = await peer.state();
  assert.equal(state.deviceAuthorizations, 1);
  assert.equal(state.devicePolls, 2, "pending once, then approved");
  assert.deepEqual(state.resources, [peer.url, peer.url]);
  const bridge = await serve(config, home, t);
  await bridge.waitForTools((tools) => tools.some((x) => x.name === "acme_echo"));
  assert.equal(textOf(await bridge.callTool("acme_echo", { message: "device" })), "device");
  await bridge.close();
});

test("serve exits promptly and cleanly while its login still waits for the browser", T, async (t) => {
  const peer = await startPeer("oauth-server", [], { t });
  const home = await tempHome({ t });
  const bridge = await serve(oauthConfig(peer), home, t, { BROWSER: "true", BRIDGE_OAUTH_TIMEOUT_S: "300" });
  await bridge.listAll("tools/list", "tools", { timeoutMs: 15_000 }); // starts the login
  await sleep(500);
  const started = Date.now();
  const exit = await bridge.close({ timeoutMs: 8000 });
  assert.equal(exit.killed, false, "it exited by itself");
  assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}\n${bridge.stderr()}`);
  assert.ok(Date.now() - started < 7000, `took ${Date.now() - started} ms`);
});

// ---------------------------------------------------------------------------------------------
// Hardening: redirects of token requests, the metadata's issuer, the redirect listener.

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

test("a token endpoint that redirects to another origin: neither the code exchange nor a refresh is re-sent there", T, async (t) => {
  const [peer, sink] = await Promise.all([startPeer("oauth-server", [], { t }), startPeer("redirect-server", [], { t })]);
  const other = sink.ready.other; // records whatever reaches it
  const home = await tempHome({ t });
  const config = oauthConfig(peer);
  const redirectTokens = (on) =>
    fetch(`${peer.base}/_test/token-redirect${on ? `?to=${encodeURIComponent(`${other}/token`)}` : ""}`, { method: "POST" });

  await redirectTokens(true);
  const r = await login(peer, home, config, {}, t);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /HTTP 307/);
  assert.match(r.stderr, new RegExp(`redirect to ${escapeRe(other)}`));
  let state = await peer.state();
  assert.equal(state.tokenRedirects, 1, "the code exchange was tried once, at the real token endpoint");
  assert.equal(state.codeExchanges, 0);
  assert.deepEqual((await sink.state()).other, [], "the code and its verifier went nowhere else");

  // A refresh: log in for real, then the token endpoint starts redirecting and the token expires.
  await redirectTokens(false);
  assert.equal((await login(peer, home, config, {}, t)).code, 0);
  await redirectTokens(true);
  await fetch(`${peer.base}/_test/expire`, { method: "POST" });
  const call = await runBridge({
    config,
    home,
    t,
    args: ["call", "acme_echo", "--args", JSON.stringify({ message: "x" })],
    env: oauthEnv(home, { BROWSER: "false", BRIDGE_OAUTH_TIMEOUT_S: "2" }),
    timeoutMs: 30_000,
  });
  assert.notEqual(call.code, 0, call.stderr);
  state = await peer.state();
  assert.ok(state.tokenRedirects >= 2, `the refresh was tried at the real token endpoint: ${state.tokenRedirects}`);
  assert.equal(state.refreshes, 0);
  assert.deepEqual((await sink.state()).other, [], "the refresh token went nowhere else");
  assert.doesNotMatch(call.stderr + r.stderr, /rt-[0-9a-f-]{36}/, "no refresh token printed");
});

test("authorization-server metadata that names another issuer is refused (RFC 8414 §3.3), naming both", T, async (t) => {
  const liar = "https://issuer.example.com/";
  const peer = await startPeer("oauth-server", ["--issuer", liar], { t });
  const home = await tempHome({ t });
  const r = await login(peer, home, oauthConfig(peer), {}, t);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(escapeRe(liar)));
  assert.match(r.stderr, new RegExp(escapeRe(`${peer.base}/`)));
  assert.match(r.stderr, /issuer/);
  const state = await peer.state();
  assert.equal(state.registrations, 0, "nothing was registered with metadata we do not trust");
  assert.equal(state.authorizations, 0);
  assert.equal(browserOpens(home), 0, "no browser was opened");
});

test("two logins in a row on a fixed oauth.redirect_port: the first one's closed connection does not block the second", T, async (t) => {
  const peer = await startPeer("oauth-server", [], { t });
  const home = await tempHome({ t });
  const port = await deadPort();
  const config = oauthConfig(peer, { oauth: { redirect_port: port } });
  for (const round of [1, 2]) {
    const r = await login(peer, home, config, {}, t);
    assert.equal(r.code, 0, `login ${round}: ${r.stderr}`);
    assert.match(r.stderr, /Logged in to acme/);
    assert.match(r.stderr, new RegExp(`redirect_uri=http%3A%2F%2F127\\.0\\.0\\.1%3A${port}%2Fcallback`));
  }
  assert.equal((await peer.state()).codeExchanges, 2);
});

test("a callback with a wrong state gets an error page and the login keeps waiting for the right one", T, async (t) => {
  const peer = await startPeer("oauth-server", [], { t });
  const home = await tempHome({ t });
  // The browser takes its time, so the forged callback below comes first.
  const bridge = await startBridge({
    config: oauthConfig(peer),
    home,
    t,
    args: ["login", "acme"],
    env: oauthEnv(home, { OAUTH_BROWSER_DELAY_MS: "4000" }),
  });
  let authorizeUrl;
  for (const deadline = Date.now() + 15_000; !authorizeUrl && Date.now() < deadline; await sleep(50)) {
    authorizeUrl = bridge.stderr().match(/(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/)?.[1];
  }
  assert.ok(authorizeUrl, `no authorization URL printed:\n${bridge.stderr()}`);
  const redirectUri = new URL(authorizeUrl).searchParams.get("redirect_uri");
  const forged = await fetch(`${redirectUri}?code=forged-code&state=not-the-bridges`);
  assert.equal(forged.status, 400);
  assert.match(await forged.text(), /does not belong to the login/);
  const exit = await bridge.close({ timeoutMs: 30_000 });
  assert.equal(exit.code, 0, bridge.stderr());
  assert.match(bridge.stderr(), /Logged in to acme/);
  const state = await peer.state();
  assert.equal(state.codeExchanges, 1, "only the real code was exchanged");
});
