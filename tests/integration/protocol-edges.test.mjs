// Protocol edges a newcomer's client meets (issue 17): arguments that are not an object, names
// two upstreams with overlapping prefixes could both claim, upstream requests for capabilities the
// client never declared, JSON-RPC batches from a 2025-03-26 client. The upstreams are
// tests/peers/raw-server.mjs (no SDK, exact bytes) so nothing in between validates for the bridge.
// Run from tests/:
//   BRIDGE_BIN=/abs/path/to/bridge node --test --test-concurrency=1 integration/protocol-edges.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { startPeer, startBridge, textOf } from "./lib/harness.mjs";
import { T, plainEntry, names, hasAll } from "./lib/fixtures.mjs";

// ---------------------------------------------------------------------------------------------
test("tools/call and prompts/get with arguments that are not an object: -32602, never sent upstream", T, async (t) => {
  const raw = await startPeer("raw-server", ["--shape", "go-json"], { t });
  const bridge = await startBridge({ config: { servers: { raw: plainEntry(raw, "raw_") } }, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("raw_echo"));
  for (const args of ["text", [1, 2], 5, null, true]) {
    const r = await bridge.request("tools/call", { name: "raw_echo", arguments: args });
    assert.equal(r.error?.code, -32602, `arguments ${JSON.stringify(args)}: ${JSON.stringify(r)}`);
    assert.match(r.error.message, /arguments must be an object/);
    const p = await bridge.request("prompts/get", { name: "raw_whatever", arguments: args });
    assert.equal(p.error?.code, -32602, `prompts/get arguments ${JSON.stringify(args)}: ${JSON.stringify(p)}`);
  }
  assert.equal((await raw.state()).rpcCounts["tools/call"] ?? 0, 0, "a call with bad arguments reached the upstream");
  // An object, or no arguments at all, still goes through.
  assert.equal(textOf(await bridge.callTool("raw_echo", { text: "fine" })), "fine");
  const bare = await bridge.request("tools/call", { name: "raw_echo" });
  assert.equal(textOf(bare.result), "");
  await bridge.close();
});

// ---------------------------------------------------------------------------------------------
test("overlapping prefixes (jc_ and jc_admin_): a name both could claim goes to the longer prefix only", T, async (t) => {
  // alpha ("jc_") offers admin_users_list, beta ("jc_admin_") offers users_list: both would be
  // jc_admin_users_list. alpha comes first in the config (config order used to decide).
  const [alpha, beta] = await Promise.all([
    startPeer("raw-server", ["--shape", "go-json", "--name", "alpha", "--extra-tool", "admin_users_list", "--extra-tool", "admin_only"], { t }),
    startPeer("raw-server", ["--shape", "rmcp-sse", "--name", "beta", "--extra-tool", "users_list"], { t }),
  ]);
  const bridge = await startBridge({
    config: { servers: { alpha: plainEntry(alpha, "jc_"), beta: plainEntry(beta, "jc_admin_") } },
    t,
  });
  await bridge.initialize();
  const tools = await bridge.waitForTools(hasAll("jc_echo", "jc_admin_echo", "jc_admin_users_list"));
  const all = names(tools);
  assert.equal(all.filter((n) => n === "jc_admin_users_list").length, 1, all.join(", "));
  // Not listed under any other name either: no hash-suffixed variant of alpha's tool.
  assert.ok(!all.some((n) => n.startsWith("jc_admin_users_list_") || n.startsWith("jc_admin_only")), all.join(", "));

  assert.equal(textOf(await bridge.callTool("jc_admin_users_list", {})), "users_list from beta");
  assert.equal(textOf(await bridge.callTool("jc_echo", { text: "to alpha" })), "to alpha");
  assert.equal(textOf(await bridge.callTool("jc_admin_echo", { text: "to beta" })), "to beta");
  // A name under beta's prefix that only alpha could serve never reaches alpha.
  const only = await bridge.request("tools/call", { name: "jc_admin_only", arguments: {} });
  assert.ok(only.error || only.result?.isError, JSON.stringify(only));
  const [a, b] = [await alpha.state(), await beta.state()];
  assert.equal(a.rpcCounts["tools/call"], 1, "alpha got a call meant for beta");
  assert.equal(b.rpcCounts["tools/call"], 2);
  await bridge.close();
  assert.match(bridge.stderr(), /"admin_users_list" is not exposed: its name "jc_admin_users_list" falls under the prefix "jc_admin_" of server "beta"/);
});

// ---------------------------------------------------------------------------------------------
const ASKED = { sampling: "sampling/createMessage", elicitation: "elicitation/create", "elicitation-url": "elicitation/create", roots: "roots/list" };

test("an upstream's sampling, elicitation or roots request never reaches a client that did not declare it", T, async (t) => {
  const raw = await startPeer("raw-server", ["--shape", "python-sse"], { t });
  const bridge = await startBridge({ config: { servers: { raw: plainEntry(raw, "raw_") } }, t });
  await bridge.initialize({ capabilities: { elicitation: {} } }); // form elicitation only
  await bridge.waitForTools(hasAll("raw_ask"));
  for (const what of ["sampling", "roots", "elicitation-url"]) {
    const from = bridge.messages.length;
    const text = textOf(await bridge.callTool("raw_ask", { what }));
    assert.match(text, /^error: /, `${what}: ${text}`);
    assert.match(text, /the AI client does not support/);
    assert.ok(!bridge.messages.slice(from).some((m) => m.method === ASKED[what]), `${what}: relayed to a client that cannot answer it`);
  }
  const s = await raw.state();
  assert.deepEqual(s.asks.map((x) => x.got), ["error", "error", "error"]);
  for (const ask of s.asks) assert.ok(ask.ms < 1000, `answered after ${ask.ms} ms`);
  assert.equal(s.asks[0].code, -32601);
  // Form elicitation was declared: relayed (the test client declines it with an error of its own).
  const from = bridge.messages.length;
  const text = textOf(await bridge.callTool("raw_ask", { what: "elicitation" }));
  assert.match(text, /test client does not support elicitation\/create/);
  assert.ok(bridge.messages.slice(from).some((m) => m.method === "elicitation/create"));
  await bridge.close();
  assert.match(bridge.stderr(), /raw: its sampling\/createMessage request was refused without asking the AI client/);
});

test("a client that declared sampling and roots gets those requests relayed", T, async (t) => {
  const raw = await startPeer("raw-server", ["--shape", "rmcp-sse"], { t });
  const bridge = await startBridge({ config: { servers: { raw: plainEntry(raw, "raw_") } }, t });
  await bridge.initialize({ capabilities: { sampling: {}, roots: { listChanged: true } } });
  await bridge.waitForTools(hasAll("raw_ask"));
  assert.equal(textOf(await bridge.callTool("raw_ask", { what: "roots" })), 'result: {"roots":[]}');
  assert.match(textOf(await bridge.callTool("raw_ask", { what: "sampling" })), /test client does not support sampling/);
  assert.ok(bridge.messages.some((m) => m.method === "sampling/createMessage"));
  await bridge.close();
});

// ---------------------------------------------------------------------------------------------
test("a 2025-03-26 client's JSON-RPC batch is answered with one array; later versions still refuse batches", T, async (t) => {
  const raw = await startPeer("raw-server", ["--shape", "spring-sse"], { t });
  const config = { servers: { raw: plainEntry(raw, "raw_") } };
  const bridge = await startBridge({ config, t });
  const init = await bridge.initialize({ protocolVersion: "2025-03-26" });
  assert.equal(init.result.protocolVersion, "2025-03-26");
  await bridge.waitForTools(hasAll("raw_echo"));

  let from = bridge.messages.length;
  bridge.sendRaw(JSON.stringify([
    { jsonrpc: "2.0", id: 1, method: "ping" },
    { jsonrpc: "2.0", id: "call", method: "tools/call", params: { name: "raw_trickle", arguments: { bytes: 5000, ms: 200 } } },
    { jsonrpc: "2.0", method: "notifications/roots/list_changed" },
    { jsonrpc: "2.0", id: 3, method: "tools/list" },
    { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "raw_echo", arguments: "not an object" } },
    5,
  ]));
  const batch = await bridge.waitFor((m) => Array.isArray(m), 10000, "the batch's array", from);
  assert.deepEqual(batch.map((r) => r.id).sort((a, b) => String(a).localeCompare(String(b))), [1, 3, 4, "call", null]);
  const byId = new Map(batch.map((r) => [r.id, r]));
  assert.deepEqual(byId.get(1).result, {});
  assert.equal(textOf(byId.get("call").result).length, 5000);
  assert.ok(byId.get(3).result.tools.some((x) => x.name === "raw_echo"));
  assert.equal(byId.get(4).error.code, -32602);
  assert.equal(byId.get(null).error.code, -32600);
  // None of them also came on its own.
  assert.ok(!bridge.messages.slice(from).some((m) => !Array.isArray(m) && m.id !== undefined), JSON.stringify(bridge.messages.slice(from)));

  // Notifications only: nothing to answer, no empty array.
  from = bridge.messages.length;
  bridge.sendRaw(JSON.stringify([{ jsonrpc: "2.0", method: "notifications/roots/list_changed" }]));
  assert.deepEqual((await bridge.call("ping", {})), {});
  assert.ok(!bridge.messages.slice(from).some((m) => Array.isArray(m)));
  // An empty batch: one Invalid Request.
  from = bridge.messages.length;
  bridge.sendRaw("[]");
  const empty = await bridge.waitFor((m) => !Array.isArray(m) && m.error, 5000, "the empty batch's error", from);
  assert.equal(empty.error.code, -32600);
  assert.equal(empty.id, null);
  await bridge.close();

  // 2025-06-18 took batches back out: one Invalid Request, nothing run.
  const later = await startBridge({ config, t });
  await later.initialize({ protocolVersion: "2025-06-18" });
  from = later.messages.length;
  later.sendRaw(JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "ping" }]));
  const refused = await later.waitFor((m) => !Array.isArray(m) && m.error, 5000, "the refusal", from);
  assert.equal(refused.error.code, -32600);
  assert.match(refused.error.message, /batch/);
  await later.close();
});
