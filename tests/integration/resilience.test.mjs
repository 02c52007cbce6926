// Resilience suite: the real bridge against upstreams that fail on purpose (tests/peers/faulty-*.mjs).
// Every test counts the requests it sent and the answers it got: each request is answered exactly once.
//   BRIDGE_BIN=/abs/path/to/bridge node --test --test-concurrency=1 integration/resilience.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { startPeer, startBridge, sleep, textOf, allText, isResponse } from "./lib/harness.mjs";
import { T, plainEntry, hasAll, assertToolError } from "./lib/fixtures.mjs";

// Every request id the test sent got exactly one response, and no response names an id never sent.
function assertEachAnsweredOnce(bridge, sentIds) {
  const counts = new Map();
  for (const m of bridge.messages) {
    if (isResponse(m)) counts.set(JSON.stringify(m.id), (counts.get(JSON.stringify(m.id)) ?? 0) + 1);
  }
  for (const id of sentIds) {
    assert.equal(counts.get(JSON.stringify(id)) ?? 0, 1, `request ${JSON.stringify(id)} answered ${counts.get(JSON.stringify(id)) ?? 0} times`);
  }
  const sent = new Set(sentIds.map((id) => JSON.stringify(id)));
  for (const key of counts.keys()) assert.ok(sent.has(key), `a response to ${key}, which was never sent`);
}

// A bridge that tracks the ids it sends (through request()).
async function tracked(opts) {
  const bridge = await startBridge(opts);
  const ids = [];
  const request = bridge.request.bind(bridge);
  bridge.request = (method, params, o = {}) => {
    const id = o.id !== undefined ? o.id : bridge._nextId++;
    ids.push(id);
    return request(method, params, { ...o, id });
  };
  bridge.sentIds = ids;
  return bridge;
}

async function oneFaulty(t, { peerArgs = [], entry = {}, bridgeOpts = {}, capabilities = {} } = {}) {
  const peer = await startPeer("faulty-server", peerArgs, { t });
  const config = { servers: { faulty: plainEntry(peer, "f_", entry) } };
  const bridge = await tracked({ config, t, ...bridgeOpts });
  await bridge.initialize({ protocolVersion: "2025-11-25", capabilities });
  await bridge.waitForTools(hasAll("f_echo", "f_cut_big"), { what: "f_echo" });
  return { peer, bridge, config };
}

// ---------------------------------------------------------------------------------------------
test("killed and restarted upstream: the next call reconnects; a call in flight fails in words", T, async (t) => {
  const { peer, bridge } = await oneFaulty(t);
  const r1 = await bridge.callTool("f_echo", { text: "before" });
  assert.equal(textOf(r1), "before");

  // A call in flight when the server dies: its fate is unknown, so it is not replayed.
  const pending = bridge.request("tools/call", { name: "f_slow", arguments: { ms: 5000 } }, { timeoutMs: 15000 });
  await sleep(300);
  peer.child.kill("SIGKILL");
  const cut = await pending;
  assertToolError(cut, "faulty", /may or may not have run/);

  // Down: a call fails at once, naming the upstream.
  const down = await bridge.request("tools/call", { name: "f_echo", arguments: { text: "x" } }, { timeoutMs: 15000 });
  assertToolError(down, "faulty");

  // Back on the same port (a new process: every old session is gone).
  const again = await startPeer("faulty-server", ["--port", String(peer.port)], { t });
  let text;
  for (let i = 0; i < 40 && text !== "after"; i++) {
    const r = await bridge.request("tools/call", { name: "f_echo", arguments: { text: "after" } }, { timeoutMs: 15000 });
    if (r.result && !r.result.isError) text = textOf(r.result);
    else await sleep(250);
  }
  assert.equal(text, "after", `never recovered\n${bridge.stderr()}`);
  const st = await again.state();
  assert.ok(st.sessionsCreated >= 1);
  // The slow call ran once on the old server and was never sent to the new one.
  assert.equal(st.calls.slow ?? 0, 0);
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});

test("expired session: re-initialized and replayed, the tool runs exactly once", T, async (t) => {
  const { peer, bridge } = await oneFaulty(t);
  await bridge.callTool("f_count", { key: "k" });
  await peer.expireSessions();
  const r = await bridge.callTool("f_count", { key: "k" });
  assert.equal(textOf(r), "2");
  const st = await peer.state();
  assert.equal(st.calls.k, 2);
  assert.ok(st.unknownSession >= 1, "the old session id was refused");
  assert.ok(st.sessionsCreated >= 2, "a new session was opened");
  // Lists are safe to repeat too.
  await peer.expireSessions();
  const list = await bridge.call("tools/list", {});
  assert.ok(list.tools.some((x) => x.name === "f_echo"));
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});

test("a reply stream cut in the middle of a large result is resumed with Last-Event-ID", T, async (t) => {
  const { peer, bridge } = await oneFaulty(t, { peerArgs: ["--resumable", "--retry-ms", "200"] });
  const bytes = 2_000_000;
  const r = await bridge.request("tools/call", { name: "f_cut_big", arguments: { bytes } }, { timeoutMs: 20000 });
  assert.ok(r.result && !r.result.isError, `expected the full result, got ${JSON.stringify(r).slice(0, 300)}\n${bridge.stderr().slice(-2000)}`);
  assert.equal(textOf(r.result).length, bytes + "CUT-ME:".length);
  const st = await peer.state();
  assert.equal(st.calls.cut_big, 1, "the tool ran once: resumed, not replayed");
  assert.ok(st.events.includes("stream cut"));
  assert.ok(st.getLog.some((g) => g.lastEventId), `a GET carried Last-Event-ID: ${JSON.stringify(st.getLog)}`);
  // The session still works.
  assert.equal(textOf(await bridge.callTool("f_echo", { text: "still" })), "still");
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});

test("a cut reply stream that cannot be resumed: a tool call says it may or may not have run, never hangs", T, async (t) => {
  const { peer, bridge } = await oneFaulty(t);
  const started = Date.now();
  // 100 kB, cut at half: below the size that is forwarded while it arrives, so nothing of it went out.
  const r = await bridge.request("tools/call", { name: "f_cut_big", arguments: { bytes: 100_000 } }, { timeoutMs: 20000 });
  assertToolError(r, "faulty", /may or may not have run/);
  assert.ok(Date.now() - started < 10000, "answered promptly");
  const st = await peer.state();
  assert.equal(st.calls.cut_big, 1, "never replayed");
  assert.equal(textOf(await bridge.callTool("f_echo", { text: "ok" })), "ok");
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});

test("a large result cut in transit while it was forwarded: its line ends there, then the call is answered with an error", T, async (t) => {
  const { peer, bridge } = await oneFaulty(t, { bridgeOpts: { expectCutResults: true } });
  // Cut at half: 2 MB of it flowed to the client (its first MiB came at once) before the upstream died.
  const bytes = 4_000_000;
  const r = await bridge.request("tools/call", { name: "f_cut_big", arguments: { bytes } }, { timeoutMs: 20000 });
  assertToolError(r, "faulty", /the tool ran, but its result was cut off after \d+ bytes/);
  assert.equal(bridge.cutLines.length, 1, "one cut line");
  const cut = bridge.cutLines[0];
  assert.ok(cut.startsWith('{"result":{"content":[{"type":"text","text":"CUT-ME:'), cut.slice(0, 100));
  assert.ok(cut.length > 1024 * 1024 && cut.length < bytes, `cut after ${cut.length} bytes`);
  assert.throws(() => JSON.parse(cut), "the cut line is no message");
  // The error came after the cut line, and the bridge goes on: the next call is answered.
  const st = await peer.state();
  assert.equal(st.calls.cut_big, 1, "never replayed");
  assert.equal(textOf(await bridge.callTool("f_echo", { text: "after" })), "after");

  // Cut before its first MiB was gathered: nothing of it was written, so only the error goes out.
  const small = await bridge.request("tools/call", { name: "f_cut_big", arguments: { bytes: 1_000_000 } }, { timeoutMs: 20000 });
  assertToolError(small, "faulty", /the tool ran, but its result was cut off after \d+ bytes/);
  assert.equal(bridge.cutLines.length, 1, "no second cut line");
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});

test("connection reset after the request was sent: a read is sent again, a tool call is not", T, async (t) => {
  const { peer, bridge } = await oneFaulty(t);
  await bridge.callTool("f_arm_reset", { marker: "GREET-MARK", count: 1 });
  const prompt = await bridge.call("prompts/get", { name: "f_greet" }, { timeoutMs: 15000 });
  assert.equal(prompt.messages[0].content.text, "hello GREET-MARK");
  let st = await peer.state();
  assert.ok(st.events.includes("reset GREET-MARK"), "the first reply was lost");
  assert.equal(st.calls.greet, 2, "the read was sent again");

  await bridge.callTool("f_arm_reset", { marker: "COUNTED-ONCE", count: 1 });
  const r = await bridge.request("tools/call", { name: "f_echo", arguments: { text: "COUNTED-ONCE" } }, { timeoutMs: 15000 });
  assertToolError(r, "faulty", /may or may not have run/);
  st = await peer.state();
  assert.equal(st.calls.echo, 1, "the tool call was not sent again");
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});

test("slow upstream: bounded by timeout_s, cancelled upstream, other upstream unaffected", T, async (t) => {
  const [slow, fast] = await Promise.all([startPeer("faulty-server", [], { t }), startPeer("faulty-server", ["--name", "fast"], { t })]);
  const config = { servers: { slow: plainEntry(slow, "s_", { timeout_s: 2 }), fast: plainEntry(fast, "q_") } };
  const bridge = await tracked({ config, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("s_slow", "q_echo"));
  const started = Date.now();
  const stalled = bridge.request("tools/call", { name: "s_slow", arguments: { ms: 20000 } }, { timeoutMs: 15000 });
  const quick = await bridge.callTool("q_echo", { text: "quick" });
  assert.equal(textOf(quick), "quick");
  assert.ok(Date.now() - started < 1500, "the fast upstream was not held up");
  const r = await stalled;
  assertToolError(r, "slow", "timeout_s");
  for (let i = 0; i < 40; i++) {
    if ((await slow.state()).events.includes("slow cancelled")) break;
    await sleep(100);
  }
  assert.ok((await slow.state()).events.includes("slow cancelled"), "the upstream was told to cancel");
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});

test("a flooding upstream degrades alone: the other upstream answers promptly", T, async (t) => {
  const [noisy, calm] = await Promise.all([startPeer("faulty-server", ["--name", "noisy"], { t }), startPeer("faulty-server", ["--name", "calm"], { t })]);
  const config = { servers: { noisy: plainEntry(noisy, "n_"), calm: plainEntry(calm, "c_") } };
  const bridge = await tracked({ config, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("n_flood", "c_echo"));
  const flood = bridge.request("tools/call", { name: "n_flood", arguments: { count: 20000 } }, { timeoutMs: 60000 });
  await sleep(200);
  const started = Date.now();
  const calm1 = await bridge.callTool("c_echo", { text: "calm" });
  assert.equal(textOf(calm1), "calm");
  assert.ok(Date.now() - started < 3000, `the calm upstream took ${Date.now() - started} ms`);
  const r = await flood;
  assert.equal(textOf(r.result), "flooded 20000");
  const logs = bridge.messages.filter((m) => m.method === "notifications/message").length;
  assert.equal(logs, 20000, "every notification was relayed, none lost");
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});

test("malformed SSE and JSON on a reply stream are dropped; the answer still arrives, exactly once", T, async (t) => {
  const { bridge } = await oneFaulty(t);
  const r = await bridge.callTool("f_garbage", {});
  assert.equal(textOf(r), "clean GARBAGE-ME");
  // Nothing unasked reached the client: no response with an id we never sent.
  assertEachAnsweredOnce(bridge, bridge.sentIds);
  assert.equal(textOf(await bridge.callTool("f_echo", { text: "after garbage" })), "after garbage");
  // Garbage from the client side is answered too.
  bridge.sendRaw("{not json");
  const parseError = await bridge.waitFor((m) => m.error?.code === -32700, 5000, "a parse error");
  assert.equal(parseError.id, null);
});

test("server requests (sampling, elicitation, roots) are relayed and answered by the client", T, async (t) => {
  const { bridge } = await oneFaulty(t, {
    bridgeOpts: { autoReply: false },
    capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } },
  });
  const answers = {
    "sampling/createMessage": { role: "assistant", content: { type: "text", text: "hi there" }, model: "test-model" },
    "elicitation/create": { action: "accept", content: { name: "Ada" } },
    "roots/list": { roots: [{ uri: "file:///tmp/project", name: "project" }] },
  };
  const seen = [];
  for (const [what, method, needle] of [
    ["sampling", "sampling/createMessage", "hi there"],
    ["elicitation", "elicitation/create", "Ada"],
    ["roots", "roots/list", "file:///tmp/project"],
  ]) {
    const from = bridge.messages.length;
    const call = bridge.request("tools/call", { name: "f_ask", arguments: { what } }, { timeoutMs: 15000 });
    const req = await bridge.waitFor((m) => m.method === method && "id" in m, 10000, method, from);
    seen.push(req.id);
    bridge.send({ jsonrpc: "2.0", id: req.id, result: answers[method] });
    const r = await call;
    assert.ok(r.result && !r.result.isError, JSON.stringify(r));
    assert.ok(textOf(r.result).includes(needle), textOf(r.result));
  }
  assert.equal(new Set(seen.map((x) => JSON.stringify(x))).size, 3, "each relayed request has its own id");
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});

test("progress from two upstreams reaches the client with the client's own tokens", T, async (t) => {
  const [a, b] = await Promise.all([startPeer("faulty-server", ["--name", "alpha"], { t }), startPeer("faulty-server", ["--name", "beta"], { t })]);
  const config = { servers: { alpha: plainEntry(a, "a_"), beta: plainEntry(b, "b_") } };
  const bridge = await tracked({ config, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("a_progress", "b_progress"));
  const [ra, rb] = await Promise.all([
    bridge.request("tools/call", { name: "a_progress", arguments: { steps: 3 }, _meta: { progressToken: "tok-a" } }),
    bridge.request("tools/call", { name: "b_progress", arguments: { steps: 4 }, _meta: { progressToken: 77 } }),
  ]);
  assert.equal(textOf(ra.result), "alpha done");
  assert.equal(textOf(rb.result), "beta done");
  const progress = bridge.messages.filter((m) => m.method === "notifications/progress");
  assert.deepEqual(progress.filter((m) => m.params.progressToken === "tok-a").map((m) => m.params.progress), [1, 2, 3]);
  assert.deepEqual(progress.filter((m) => m.params.progressToken === 77).map((m) => m.params.progress), [1, 2, 3, 4]);
  assert.equal(progress.length, 7);
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});

test("GET stream: server-initiated list_changed arrives; a closed stream reconnects after `retry`", T, async (t) => {
  const { peer, bridge } = await oneFaulty(t, { peerArgs: ["--resumable", "--retry-ms", "500"] });
  // The GET stream is open.
  for (let i = 0; i < 50 && (await peer.state()).getLog.length === 0; i++) await sleep(100);
  assert.ok((await peer.state()).getLog.length >= 1, "the bridge opened the GET stream");

  // A tool added later is announced on the GET stream; the bridge re-lists and tells the client.
  const from = bridge.messages.length;
  await bridge.callTool("f_announce", {});
  await bridge.waitFor((m) => m.method === "notifications/tools/list_changed", 10000, "tools/list_changed", from);
  await bridge.waitForTools(hasAll("f_late_tool"));

  // The server closes the GET stream: the bridge comes back after retry (500 ms), not sooner.
  const before = (await peer.state()).getLog.length;
  await bridge.callTool("f_close_get", {});
  for (let i = 0; i < 50 && (await peer.state()).getLog.length === before; i++) await sleep(50);
  const st = await peer.state();
  assert.ok(st.getLog.length > before, "the GET stream was reopened");
  const delay = st.getLog[before].t - st.getClosedAt;
  assert.ok(delay >= 450 && delay <= 700, `reconnected after ${delay} ms (retry: 500)`);
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});

test("no GET stream offered (405): tolerated, calls work", T, async (t) => {
  const { peer, bridge } = await oneFaulty(t, { peerArgs: ["--no-get"] });
  assert.equal(textOf(await bridge.callTool("f_echo", { text: "fine" })), "fine");
  await sleep(1500);
  const st = await peer.state();
  assert.equal(st.getLog.length, 1, "asked once, then left alone");
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});

test("2024-11-05 HTTP+SSE fallback: initialize POST refused with 405, the legacy stream is used", T, async (t) => {
  const peer = await startPeer("faulty-legacy-server", [], { t });
  const config = { servers: { old: plainEntry(peer, "o_") } };
  const bridge = await tracked({ config, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("o_echo", "o_big"));
  assert.equal(textOf(await bridge.callTool("o_echo", { text: "legacy" })), "legacy");
  const big = await bridge.callTool("o_big", { bytes: 300000 });
  assert.equal(textOf(big).length, 300000);
  let st = await peer.state();
  assert.ok(st.rejectedStreamablePosts >= 1);
  assert.equal(st.sseStreams, 1);

  // The stream breaks while a call runs: it may or may not have run (not replayed); then the
  // bridge opens a new session and reads keep working.
  const r = await bridge.request("tools/call", { name: "o_slow_drop", arguments: {} }, { timeoutMs: 15000 });
  assertToolError(r, "old", /may or may not have run/);
  let text;
  for (let i = 0; i < 40 && text !== "again"; i++) {
    const x = await bridge.request("tools/call", { name: "o_echo", arguments: { text: "again" } }, { timeoutMs: 15000 });
    if (x.result && !x.result.isError) text = textOf(x.result);
    else await sleep(250);
  }
  assert.equal(text, "again");
  st = await (await fetch(peer.base + "/_test/state")).json();
  assert.equal(st.calls.slow_drop, 1);
  assert.ok(st.sseStreams >= 2);
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});

test("a server that is neither transport: one clear error naming both attempts", T, async (t) => {
  const peer = await startPeer("faulty-legacy-server", [], { t });
  const config = { servers: { nope: plainEntry({ url: peer.base + "/nothing-here" }, "n_") } };
  const bridge = await tracked({ config, t });
  await bridge.initialize();
  const r = await bridge.request("tools/call", { name: "n_x", arguments: {} }, { timeoutMs: 15000 });
  const text = allText(r.result) || JSON.stringify(r.error);
  assert.match(text, /nope/);
  assert.match(text, /404/);
  assert.match(text, /HTTP\+SSE/);
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});

test("conformance-style sse-retry: the GET stream is reopened after exactly `retry`, with Last-Event-ID", T, async (t) => {
  // The scenario of @modelcontextprotocol/conformance (client/sse-retry) with retry: 500.
  const http = await import("node:http");
  const gets = [];
  let counter = 0;
  const server = http.createServer((req, res) => {
    if (req.method === "GET") {
      const sent = `event-${++counter}`;
      gets.push({ t: performance.now(), lastEventId: req.headers["last-event-id"], sent });
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      res.write(`id: ${sent}\nretry: 500\ndata: \n\n`);
      setTimeout(() => res.end(), 100);
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const msg = JSON.parse(body);
      if (msg.method === "initialize") {
        res.writeHead(200, { "Content-Type": "text/event-stream" });
        res.write(`id: event-${++counter}\nretry: 500\ndata: \n\n`);
        const result = { protocolVersion: "2025-06-18", serverInfo: { name: "sse-retry", version: "1" }, capabilities: {} };
        res.write(`event: message\nid: event-${++counter}\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: msg.id, result })}\n\n`);
        setTimeout(() => res.end(), 100);
      } else if (msg.id === undefined) {
        res.writeHead(202).end();
      } else {
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result: {} }));
      }
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }));
  const url = `http://127.0.0.1:${server.address().port}/mcp`;
  const bridge = await tracked({ config: { servers: { retry: { url, prefix: "r_", auth: "none" } } }, t });
  await bridge.initialize();
  for (let i = 0; i < 60 && gets.length < 3; i++) await sleep(50);
  assert.ok(gets.length >= 2, `expected reconnects, got ${gets.length} GETs`);
  for (let i = 1; i < gets.length; i++) {
    const delay = gets[i].t - gets[i - 1].t; // includes the server's 100 ms before closing
    assert.ok(delay >= 550 && delay <= 700, `GET ${i} came ${delay.toFixed(0)} ms after the previous one`);
    assert.equal(gets[i].lastEventId, gets[i - 1].sent, "Last-Event-ID names the last event of the previous stream");
  }
  assertEachAnsweredOnce(bridge, bridge.sentIds);
});
