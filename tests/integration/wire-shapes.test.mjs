// Wire shapes: the bridge against the exact bytes other MCP server implementations send (mcp-go,
// python-sdk, rmcp, Spring, go-sdk, pretty-printed JSON, multi-line SSE data), replayed by
// tests/peers/raw-server.mjs, next to an SDK peer (json-server) in the same bridge. Run from tests/:
//   BRIDGE_BIN=/abs/path/to/bridge node --test --test-concurrency=1 integration/wire-shapes.test.mjs
// Whatever the upstream's framing, every line the bridge writes to stdout must be one whole JSON
// message: each step checks the raw stdout lines it caused, so a broken one names its step and
// shows what the bridge wrote, and the next steps still run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startPeer, startBridge, sleep, textOf } from "./lib/harness.mjs";
import { T, plainEntry, names, hasAll } from "./lib/fixtures.mjs";

const MB = 1024 * 1024;
// 10 MB where the framing makes size matter (one JSON body, one data: line, many data: lines,
// CRLF); 1 MB (still forwarded while it arrives: over 256 KiB) for the others, to stay fast.
const SHAPES = {
  "go-json": { big: 10 * MB },
  "pretty-json": { big: 10 * MB },
  "go-sse-202": { big: 1 * MB, sse: true },
  "python-sse": { big: 10 * MB, sse: true },
  "rmcp-sse": { big: 1 * MB, sse: true },
  "multiline-sse": { big: 10 * MB, sse: true },
  "spring-sse": { big: 1 * MB, sse: true },
  "goskd-sse": { big: 1 * MB, sse: true },
};

// Escaping matters: < > & (Go writes \u003c …), a quote, a backslash, a newline, a tab, non-ASCII,
// an astral character and U+2028 (Go escapes it, JavaScript does not).
const TEXT = '<b>bold</b> & "quoted" \\ back\nsecond line\ttab é ✓ 😀 \u2028 end';
const LOG_DATA = "log from raw <peer> & co: é ✓"; // what raw-server's notify tool logs
const RAW_TOOLS = ["raw_announce", "raw_ask", "raw_big", "raw_echo", "raw_fail", "raw_notify", "raw_reshuffle", "raw_tool_error", "raw_trickle"];

// The bridge's stdout, line by line, as the client's JSON-RPC reader sees it. A good line is one
// JSON object and nothing else: no empty line, no piece of a message, no stray whitespace or CR.
function watchStdout(bridge) {
  const lines = []; // {ok, len, id, method, head}
  let parts = [];
  const record = (line, unterminated = false) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {}
    const ok = !unterminated && msg !== null && typeof msg === "object" && !Array.isArray(msg) &&
      line.startsWith("{") && line.endsWith("}");
    lines.push({ ok, len: line.length, id: msg?.id, method: msg?.method, head: ok ? undefined : line.slice(0, 100), unterminated });
  };
  bridge.child.stdout.on("data", (chunk) => {
    let start = 0;
    for (let nl; (nl = chunk.indexOf("\n", start)) !== -1; start = nl + 1) {
      parts.push(chunk.slice(start, nl));
      record(parts.join(""));
      parts = [];
    }
    if (start < chunk.length) parts.push(chunk.slice(start));
  });
  bridge.child.stdout.on("end", () => {
    if (parts.length) record(parts.join(""), true);
  });
  return lines;
}

function describeBad(lines, from) {
  const bad = [];
  lines.forEach((l, i) => { if (i >= from && !l.ok) bad.push(l); });
  if (!bad.length) return null;
  const show = bad.slice(0, 6).map((l) =>
    `  line ${lines.indexOf(l) + 1} (${l.len} chars${l.unterminated ? ", no newline" : ""}): ${JSON.stringify(l.head)}`);
  return `the bridge wrote ${bad.length} stdout line(s) that are not one whole JSON message each:\n${show.join("\n")}`;
}

// One step of a shape's run, as a subtest. A message the bridge breaks over several lines arrives
// in pieces: wait for the rest, so they count in this step and not the next, then take them off
// the harness's list (it would fail every later wait on them), this step having failed for them.
async function step(t, bridge, lines, name, fn) {
  await t.test(name, async () => {
    const from = lines.length;
    let error;
    try {
      await fn();
    } catch (e) {
      error = e;
    }
    if (error || describeBad(lines, from)) await sleep(300);
    bridge.badLines.length = 0;
    const bad = describeBad(lines, from);
    if (bad) assert.fail(bad);
    if (error) throw error;
  });
}

async function rawAndSdk(t, shape, rawArgs = []) {
  const [raw, js] = await Promise.all([
    startPeer("raw-server", ["--shape", shape, ...rawArgs], { t }),
    startPeer("json-server", [], { t }),
  ]);
  const bridge = await startBridge({ config: { servers: { raw: plainEntry(raw, "raw_"), js: plainEntry(js, "js_") } }, t });
  const lines = watchStdout(bridge);
  return { raw, js, bridge, lines };
}

for (const [shape, { big, sse = false }] of Object.entries(SHAPES)) {
  test(`wire shape ${shape}: routing, exact text, big result, errors, notifications, one message per line`, T, async (t) => {
    const { raw, bridge, lines } = await rawAndSdk(t, shape);

    await step(t, bridge, lines, "initialize; tools of both upstreams under their prefixes", async () => {
      await bridge.initialize();
      const tools = await bridge.waitForTools(hasAll("raw_echo", "js_add"), { what: "raw_echo and js_add" });
      const all = names(tools);
      assert.deepEqual(all.filter((n) => n.startsWith("raw_")).sort(), RAW_TOOLS);
      assert.ok(all.includes("js_add") && all.includes("js_echo"), all.join(", "));
      // Escaped or not on the wire, the description arrives as the upstream meant it.
      assert.equal(tools.find((x) => x.name === "raw_echo").description, "Echo the text back <exactly> & unchanged");
    });

    await step(t, bridge, lines, "echo: the exact text, routed to each upstream", async () => {
      assert.equal(textOf(await bridge.callTool("raw_echo", { text: TEXT })), TEXT);
      assert.equal(textOf(await bridge.callTool("js_echo", { message: TEXT })), TEXT);
    });

    await step(t, bridge, lines, `big: ${big / MB} MB whole, on one line`, async () => {
      const id = `big-${shape}`;
      const r = await bridge.request("tools/call", { name: "raw_big", arguments: { bytes: big } }, { id, timeoutMs: 30000 });
      const text = textOf(r.result);
      assert.equal(text?.length, big, `result text of ${text?.length} chars: ${JSON.stringify(r).slice(0, 300)}`);
      assert.ok(text.startsWith("0123456789abcdef") && text.endsWith("0123456789abcdef")); // big: a multiple of 16
      const carrying = lines.filter((l) => l.id === id);
      assert.equal(carrying.length, 1, `${carrying.length} lines carry the response`);
      assert.ok(carrying[0].len > big, `the response line is ${carrying[0].len} chars`);
    });

    await step(t, bridge, lines, "fail: a JSON-RPC error reaches the client", async () => {
      const r = await bridge.request("tools/call", { name: "raw_fail", arguments: {} });
      assert.ok(r.error, `expected an error response, got ${JSON.stringify(r)}`);
      assert.equal(r.error.code, -32000);
      assert.equal(r.error.message, "fail: this tool always fails <on purpose>");
    });

    await step(t, bridge, lines, "tool_error: isError true", async () => {
      const r = await bridge.request("tools/call", { name: "raw_tool_error", arguments: {} });
      assert.equal(r.result?.isError, true, JSON.stringify(r));
      assert.equal(textOf(r.result), "tool_error: something went wrong");
    });

    await step(t, bridge, lines, sse ? "notify: the log message is relayed before the result" : "notify: answered (JSON replies carry no notification)", async () => {
      const from = bridge.messages.length;
      const r = await bridge.request("tools/call", { name: "raw_notify", arguments: {} });
      assert.equal(textOf(r.result), "notified");
      if (!sse) return;
      const note = await bridge.waitFor((m) => m.method === "notifications/message", 2000, "notifications/message", from);
      assert.equal(note.params?.data, LOG_DATA);
      assert.ok(bridge.messages.indexOf(note) < bridge.messages.indexOf(r), "the log message came after the result");
    });

    await step(t, bridge, lines, "announce: tools/list_changed from the GET stream, the new tool listed and callable", async () => {
      const from = bridge.messages.length;
      assert.equal(textOf(await bridge.callTool("raw_announce", {})), "announced");
      await bridge.waitFor((m) => m.method === "notifications/tools/list_changed", 5000, "notifications/tools/list_changed", from);
      await bridge.waitForTools(hasAll("raw_late_tool"), { timeoutMs: 5000, what: "raw_late_tool" });
      assert.equal(textOf(await bridge.callTool("raw_late_tool", {})), "late");
    });

    await step(t, bridge, lines, "one upstream session all along, DELETEd at the end; exit 0", async () => {
      const exit = await bridge.close();
      assert.equal(exit.code, 0, JSON.stringify(exit));
      const s = await raw.state();
      assert.equal(s.sessionsCreated, 1, `the bridge opened ${s.sessionsCreated} sessions: ${s.rpcMethods.join(",")}`);
      assert.equal(s.sessionsDeleted, 1);
      assert.ok(s.httpMethods.GET >= 1, "the bridge never opened the GET stream");
      assert.ok(lines.length > 0 && lines.every((l) => !l.unterminated));
    });
  });
}

// mcp-go (through 0.43) answers an unknown session with 400 text/plain "Invalid session ID", not
// 404: an expired session all the same. The 404 run is the control. The shape is mcp-go's SSE
// reply (go-sse-202), not go-json, so that the JSON shape's trailing newline (its own test above)
// cannot fail this one.
for (const code of [404, 400]) {
  test(`session expired, upstream answers ${code}: the bridge re-initializes and the call succeeds`, T, async (t) => {
    const raw = await startPeer("raw-server", ["--shape", "go-sse-202", ...(code === 400 ? ["--invalid-session-400"] : [])], { t });
    const bridge = await startBridge({ config: { servers: { raw: plainEntry(raw, "raw_") } }, t });
    const lines = watchStdout(bridge);
    await bridge.initialize();
    await bridge.waitForTools(hasAll("raw_echo"));
    assert.equal(textOf(await bridge.callTool("raw_echo", { text: "before" })), "before");
    const r = await fetch(`${raw.base}/_test/expire`, { method: "POST" });
    assert.deepEqual(await r.json(), { expired: 1 });

    const after = await bridge.request("tools/call", { name: "raw_echo", arguments: { text: "after <expiry> & é" } });
    assert.ok(after.result && !after.result.isError, `the first call after expiry failed: ${JSON.stringify(after)}`);
    assert.equal(textOf(after.result), "after <expiry> & é");
    const s = await raw.state();
    assert.ok(s.unknownSession >= 1, "the bridge never met the expired session");
    assert.equal(s.sessionsCreated, 2, `sessions created: ${s.sessionsCreated}`);
    assert.equal(describeBad(lines, 0), null);
    assert.equal((await bridge.close()).code, 0);
  });
}
