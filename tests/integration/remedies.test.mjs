// Every error names the right remedy (issue 17): the command a message suggests must be one that
// fixes this situation, written so that it runs as given. Run from tests/:
//   BRIDGE_BIN=/abs/path/to/bridge node --test --test-concurrency=1 integration/remedies.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { startPeer, startBridge, runBridge, tempHome, deadPort } from "./lib/harness.mjs";
import { TOKEN, ORG, T, boEntry, assertToolError } from "./lib/fixtures.mjs";

const UNSET = "BRIDGE_TEST_NEVER_SET_4711";

// ---------------------------------------------------------------------------------------------
test("a missing ${env:X} says to set the environment variable X, never `bridge token set`", T, async (t) => {
  const peer = await startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG], { t });
  const home = await tempHome({ t });
  const config = { servers: { orgsrv: boEntry(peer, { token: `\${env:${UNSET}}` }) } };
  const bridge = await startBridge({ config, home, t });
  await bridge.initialize();
  const r = await bridge.request("tools/call", { name: "bo_echo", arguments: { message: "x" } }, { timeoutMs: 15000 });
  const text = assertToolError(r, `set the environment variable ${UNSET}`);
  assert.ok(!text.includes("token set"), text);
  await bridge.close();

  const status = await runBridge({ config, home, args: ["status"], t, timeoutMs: 20000 });
  assert.equal(status.code, 3, status.stdout + status.stderr);
  assert.match(status.stdout, new RegExp(`fix: set the environment variable ${UNSET}`));
  assert.ok(!status.stdout.includes("token set"), status.stdout);
  const tools = await runBridge({ config, home, args: ["tools"], t, timeoutMs: 20000 });
  assert.match(tools.stderr, new RegExp(`set the environment variable ${UNSET}`));
});

test("a 401 to a server configured without credentials: the remedy's `bridge add` carries --replace", T, async (t) => {
  const peer = await startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG], { t });
  const config = { servers: { orgsrv: { url: peer.url, prefix: "bo_", organizationID: ORG, auth: "none" } } };
  const bridge = await startBridge({ config, t });
  await bridge.initialize();
  const r = await bridge.request("tools/call", { name: "bo_echo", arguments: { message: "x" } }, { timeoutMs: 15000 });
  assertToolError(r, "bridge add orgsrv --auth token --replace");
  await bridge.close();
});

test("a rejected literal token: store it, then point the config at it (with --replace)", T, async (t) => {
  const peer = await startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG], { t });
  const config = { servers: { orgsrv: boEntry(peer, { token: "wrong-literal-token" }) } };
  const bridge = await startBridge({ config, t });
  await bridge.initialize();
  const r = await bridge.request("tools/call", { name: "bo_echo", arguments: { message: "x" } }, { timeoutMs: 15000 });
  assertToolError(r, "bridge token set orgsrv", "--token '${keychain:orgsrv}' --replace");
  await bridge.close();
});

// ---------------------------------------------------------------------------------------------
test("bridge call: the same outcome gives the same exit code, catalog cached or not", T, async (t) => {
  // raw-server (no SDK). A declined confirmation (no terminal, no --yes) ends before the upstream
  // has connected when the catalog is cached: it used to exit 3 then, and 1 cold.
  const raw = await startPeer("raw-server", ["--shape", "go-json"], { t });
  const home = await tempHome({ t });
  const config = { servers: { raw: { url: raw.url, prefix: "raw_", auth: "none", confirm: ["echo"], timeout_s: 1 } } };
  const call = (args) => runBridge({ config, home, args: ["call", ...args], t, timeoutMs: 20000 });
  for (const run of ["cold", "warm"]) {
    let r = await call(["raw_echo", "--args", '{"text":"x"}']);
    assert.equal(r.code, 1, `${run} declined: ${r.stderr}`);
    assert.match(r.stderr, /no terminal to ask/);
    r = await call(["raw_tool_error"]);
    assert.equal(r.code, 1, `${run} isError: ${r.stderr}`);
    // No answer within timeout_s: the server could not be used (3), as docs/exit-codes.md says.
    r = await call(["raw_trickle", "--args", '{"bytes":20,"ms":3000}']);
    assert.equal(r.code, 3, `${run} timeout: ${r.stderr}`);
    r = await call(["raw_big", "--args", '{"bytes":3}']);
    assert.equal(r.code, 0, `${run} ok: ${r.stderr}`);
    assert.equal(r.stdout.trim(), "012");
    r = await call(["raw_nope"]);
    assert.equal(r.code, 2, `${run} unknown tool: ${r.stderr}`);
  }
  assert.equal((await raw.state()).rpcCounts["tools/call"], 6, "a declined call reached the upstream");
});

// ---------------------------------------------------------------------------------------------
// Servers that misbehave below MCP, on node:http and node:net (raw bytes, no SDK).
async function listen(server) {
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${server.address().port}/mcp`;
}

test("bridge doctor: refused vs closed, a cut-off JSON reply is a failure, NO_PROXY before blaming a proxy", T, async (t) => {
  // 200 application/json with a whole HTTP body that is half a JSON-RPC response.
  const half = '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"too';
  const cut = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(half) });
      res.end(half);
    });
  });
  // Takes the request, then closes the connection without a byte.
  const closer = net.createServer((socket) => socket.once("data", () => socket.destroy()));
  t.after(() => { cut.close(); closer.close(); });
  const [cutUrl, closerUrl] = [await listen(cut), await listen(closer)];
  const dead = await deadPort();
  const proxy = await deadPort();
  const config = { servers: {
    cut: { url: cutUrl, prefix: "cut_", auth: "none" },
    closer: { url: closerUrl, prefix: "closer_", auth: "none" },
    dead: { url: `http://127.0.0.1:${dead}/mcp`, prefix: "dead_", auth: "none" },
  } };
  // A proxy is set, but NO_PROXY exempts 127.0.0.1: libcurl goes direct, so it is not to blame.
  const env = { http_proxy: `http://127.0.0.1:${proxy}`, HTTPS_PROXY: `http://127.0.0.1:${proxy}`, NO_PROXY: "localhost,127.0.0.1" };
  const r = await runBridge({ config, env, args: ["doctor"], t, timeoutMs: 30000 });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const section = (name) => (new RegExp(`Server ${name}[^\\n]*\\n([\\s\\S]*?)(?=\\nServer |$)`).exec(r.stdout) ?? [])[1] ?? "";
  assert.match(section("cut"), /FAIL\s+HTTP 200 but no usable answer to initialize: the reply is not valid JSON/);
  assert.ok(!/MCP endpoint answers initialize/.test(section("cut")), section("cut"));
  assert.match(section("closer"), /FAIL\s+connection closed: 127\.0\.0\.1 took the request, then closed or reset the connection/);
  assert.match(section("dead"), /FAIL\s+connection refused: nothing listens at 127\.0\.0\.1/);
  assert.ok(!r.stdout.includes("a proxy is set"), r.stdout);
});

// ---------------------------------------------------------------------------------------------
test("auth: oauth to a server without OAuth: the remedy configures a token, never `bridge login` again", T, async (t) => {
  // bearer-org wants a bearer token: 401 without resource_metadata, no metadata anywhere, and
  // its /register answers 401 as well. raw-server (no SDK) answers 404 to everything but /mcp.
  const [bo, raw] = await Promise.all([
    startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG], { t }),
    startPeer("raw-server", ["--shape", "go-json"], { t }),
  ]);
  for (const [name, url] of [["nooauth", `${bo.url}?organizationID=${ORG}`], ["rawauth", raw.url]]) {
    const home = await tempHome({ t });
    const config = { servers: { [name]: { url, prefix: "x_", auth: "oauth" } } };
    const r = await runBridge({ config, home, args: ["login", name], t, timeoutMs: 30000, env: { BROWSER: "false" } });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`${name} does not offer OAuth sign-in`));
    assert.match(r.stderr, new RegExp(`bridge add ${name} --auth token --replace`));
    assert.ok(!/run `bridge login/.test(r.stderr), r.stderr);
  }
  // serve: its own background login meets the same; the upstream is connected again as soon as
  // that login fails, so the first call after the failure already says what to do.
  const home = await tempHome({ t });
  const config = { servers: { nooauth: { url: `${bo.url}?organizationID=${ORG}`, prefix: "x_", auth: "oauth" } } };
  const bridge = await startBridge({ config, home, env: { BROWSER: "false" }, t });
  await bridge.initialize();
  for (let i = 0; i < 150 && !bridge.stderr().includes("login failed"); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.match(bridge.stderr(), /nooauth: login failed/);
  const r = await bridge.request("tools/call", { name: "x_echo", arguments: { message: "x" } }, { timeoutMs: 15000 });
  const text = assertToolError(r);
  assert.match(text, /nooauth does not offer OAuth sign-in/);
  assert.match(text, /bridge add nooauth --auth token --replace/);
  assert.ok(!text.includes("bridge login"), text);
  await bridge.close();
});

test("auth: oauth to a server that asks for no authorization: used without a token, and status says so", T, async (t) => {
  const raw = await startPeer("raw-server", ["--shape", "go-json"], { t });
  const home = await tempHome({ t });
  const config = { servers: { open: { url: raw.url, prefix: "open_", auth: "oauth" } } };
  // BROWSER=false: a login attempt would fail at once, and the calls would say "not logged in".
  const bridge = await startBridge({ config, home, env: { BROWSER: "false" }, t });
  await bridge.initialize();
  await bridge.waitForTools((tools) => tools.some((x) => x.name === "open_echo"));
  assert.equal((await bridge.callTool("open_echo", { text: "no token needed" })).content[0].text, "no token needed");
  await bridge.close();
  assert.equal((await raw.state()).lastPostHeaders.authorization, undefined, "a token was sent");

  const status = await runBridge({ config, home, args: ["status"], t, timeoutMs: 20000 });
  assert.equal(status.code, 0, status.stdout + status.stderr);
  assert.match(status.stdout, /open\s+-\s+oauth: not needed \(the server answered without a token\)\s+ok/);
  const call = await runBridge({ config, home, args: ["call", "open_echo", "--args", '{"text":"cli"}'], t, timeoutMs: 20000 });
  assert.equal(call.code, 0, call.stderr);
  assert.equal(call.stdout.trim(), "cli");
});
