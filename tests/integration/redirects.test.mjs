// Redirects through the real binary against peers/redirect-server.mjs (plain node:http, exact
// bytes): a redirect to another origin never carries the config's headers or the request body —
// the bridge refuses it and says where the server went; same-origin redirects are followed with
// method, body and headers; a redirect loop ends after 5 hops.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startPeer, startBridge, textOf, allText } from "./lib/harness.mjs";

const T = { timeout: 60_000 };
const SECRET = "secret-marker";
const BODY_MARKER = "body-marker-7f3a";

function entry(url) {
  return { url, prefix: "moved_", headers: { "X-API-Key": SECRET } };
}

async function serve(t, url) {
  const bridge = await startBridge({ config: { servers: { moved: entry(url) } }, t });
  await bridge.initialize();
  return bridge;
}

const carries = (request) =>
  Object.values(request.headers).some((v) => String(v).includes(SECRET)) || request.body.length > 0;

test("a redirect to another origin (another port) is refused: no config header, no body goes there", T, async (t) => {
  const peer = await startPeer("redirect-server", [], { t });
  const other = peer.ready.other;
  const bridge = await serve(t, peer.url);
  const r = await bridge.request("tools/call", { name: "moved_echo", arguments: { message: BODY_MARKER } }, { timeoutMs: 20_000 });
  const state = await peer.state();
  assert.deepEqual(state.other.filter(carries), [], "the other origin received the config header or a body");
  assert.deepEqual(state.other, [], "the other origin received nothing at all");
  assert.ok(state.home.length >= 1 && state.home.every((x) => x.headers["x-api-key"] === SECRET),
    "the configured origin did get the request, with its header");
  // The client is told what happened and what to do, naming the upstream and where it went.
  const text = r.error ? r.error.message : allText(r.result);
  assert.ok(r.error || r.result.isError, JSON.stringify(r));
  assert.match(text, /moved: /);
  assert.match(text, new RegExp(`redirected to ${other.replace(/[.:/]/g, "\\$&")}`));
  assert.match(text, /update the url in the config if it moved/);
  assert.doesNotMatch(bridge.stderr(), new RegExp(SECRET), "the header's value is never logged");
  await bridge.close();
});

test("same-origin redirects (307 relative, 308 absolute) are followed with method, body and headers", T, async (t) => {
  const peer = await startPeer("redirect-server", [], { t });
  for (const path of ["/old/mcp", "/older/mcp"]) {
    const bridge = await serve(t, `${peer.base}${path}`);
    await bridge.waitForTools((tools) => tools.some((x) => x.name === "moved_echo"));
    assert.equal(textOf(await bridge.callTool("moved_echo", { message: BODY_MARKER })), BODY_MARKER);
    await bridge.close();
  }
  const state = await peer.state();
  const moved = state.home.filter((x) => x.path === "/v2/mcp" && x.method === "POST");
  assert.ok(moved.some((x) => x.body.includes(BODY_MARKER)), "the call's body reached the new path");
  assert.ok(moved.every((x) => x.headers["x-api-key"] === SECRET), "the config header went along (same origin)");
  assert.deepEqual(state.other, []);
});

test("a redirect loop ends after 5 hops with an error", T, async (t) => {
  const peer = await startPeer("redirect-server", [], { t });
  const bridge = await serve(t, `${peer.base}/loop/mcp`);
  const r = await bridge.request("tools/call", { name: "moved_echo", arguments: {} }, { timeoutMs: 20_000 });
  assert.ok(r.error || r.result.isError, JSON.stringify(r));
  assert.match(r.error ? r.error.message : allText(r.result), /redirect/i);
  const loops = (await peer.state()).home.filter((x) => x.path === "/loop/mcp");
  // The first request and 5 redirected ones per attempt to connect (a call may try again).
  assert.ok(loops.length >= 6, `requests: ${loops.length}`);
  await bridge.close();
});
