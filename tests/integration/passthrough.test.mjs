// Large results pass through the bridge without a DOM: a 50 MB tool result arrives whole and is
// forwarded while it arrives, so the bridge never holds it (its peak RSS grows by a few MiB, not
// by the result's size); messages of other upstreams wait for its line to end, never interleave.
import { test } from "node:test";
import assert from "node:assert/strict";
import fsp from "node:fs/promises";
import { startPeer, startBridge, textOf } from "./lib/harness.mjs";
import { TOKEN, ORG, T, boEntry, plainEntry, hasAll } from "./lib/fixtures.mjs";

async function peakRssBytes(pid) {
  const status = await fsp.readFile(`/proc/${pid}/status`, "utf8");
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  assert.ok(match, "VmHWM missing from /proc/<pid>/status");
  return Number(match[1]) * 1024;
}

test("a 50 MB result passes through whole, forwarded while it arrives: the bridge's memory does not grow with it", { ...T, timeout: 120_000 }, async (t) => {
  const peer = await startPeer("faulty-server", [], { t }); // plain SSE replies, no event ids
  const bridge = await startBridge({ config: { servers: { faulty: plainEntry(peer, "f_") } }, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("f_big"));
  const before = await peakRssBytes(bridge.pid);
  const N = 50 * 1024 * 1024;
  const result = await bridge.callTool("f_big", { bytes: N }, { timeoutMs: 90_000 });
  const text = textOf(result);
  assert.equal(text.length, N);
  assert.ok(text.startsWith("0123456789abcdef"));
  const peak = await peakRssBytes(bridge.pid);
  t.diagnostic(`peak RSS ${(peak / 1048576).toFixed(1)} MiB (before the call ${(before / 1048576).toFixed(1)} MiB) for a ${N / 1048576} MiB result`);
  if (process.env.BRIDGE_SANITIZED) {
    t.diagnostic("sanitizer build: the RSS bound is not checked (shadow memory)");
  } else {
    // Held whole, it would add at least its own size; forwarded as it arrives, a receive buffer.
    assert.ok(peak - before < 16 * 1048576, `peak RSS grew by ${peak - before} bytes for a ${N}-byte result`);
  }
  await bridge.close();
});

test("a 50 MB result of a resumable stream (numbered events) is held whole, under 3x its size", { ...T, timeout: 120_000 }, async (t) => {
  // Held, a cut stream can be resumed with Last-Event-ID before the client sees anything.
  const bo = await startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG], { t });
  const bridge = await startBridge({ config: { servers: { orgsrv: boEntry(bo) } }, env: { PEER_TOKEN: TOKEN }, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("bo_big"));
  const N = 50 * 1024 * 1024;
  const text = textOf(await bridge.callTool("bo_big", { bytes: N }, { timeoutMs: 90_000 }));
  assert.equal(text.length, N);
  const peak = await peakRssBytes(bridge.pid);
  t.diagnostic(`peak RSS ${(peak / 1048576).toFixed(1)} MiB for a ${N / 1048576} MiB result`);
  if (!process.env.BRIDGE_SANITIZED) {
    assert.ok(peak < 3 * N, `peak RSS ${peak} bytes is not under 3x ${N}`);
  }
  await bridge.close();
});

test("while a large result is forwarded, other upstreams' answers wait for its line: nothing interleaves", { ...T, timeout: 120_000 }, async (t) => {
  const peer = await startPeer("faulty-server", [], { t });
  const js = await startPeer("json-server", [], { t });
  const config = { servers: { faulty: plainEntry(peer, "f_"), json: plainEntry(js, "js_") } };
  const bridge = await startBridge({ config, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("f_big", "js_echo"));
  const N = 20 * 1024 * 1024;
  const big = bridge.callTool("f_big", { bytes: N }, { timeoutMs: 90_000 });
  // Echo calls to the other upstream all the while the big result is on its way.
  let done = false;
  const echoes = [];
  big.finally(() => { done = true; });
  for (let i = 0; !done && i < 2000; i++) {
    echoes.push(await bridge.callTool("js_echo", { message: `m${i}` }, { timeoutMs: 90_000 }));
  }
  const text = textOf(await big);
  assert.equal(text.length, N, "the big result arrived whole (an interleaved line would have broken it)");
  echoes.forEach((r, i) => assert.equal(textOf(r), `m${i}`));
  t.diagnostic(`${echoes.length} echo calls answered while a ${N / 1048576} MiB result was forwarded`);
  assert.ok(echoes.length >= 2, "echo calls overlapped the big result");
  assert.equal(bridge.badLines.length, 0);
  await bridge.close();
});

test("a large plain-JSON reply (no SSE) is forwarded while it arrives too, whole and with the client's id", T, async (t) => {
  const js = await startPeer("json-server", [], { t });
  const bridge = await startBridge({ config: { servers: { json: plainEntry(js, "js_") } }, env: { BRIDGE_LOG: "debug" }, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("js_echo"));
  const message = "0123456789abcdef".repeat(256 * 1024); // 4 MiB
  const r = await bridge.request("tools/call", { name: "js_echo", arguments: { message } }, { timeoutMs: 30_000, id: "big-json" });
  assert.equal(r.id, "big-json");
  assert.equal(textOf(r.result), message);
  assert.match(bridge.stderr(), /json: forwarding a large reply while it arrives/);
  // A small one is held whole as before (nothing to gain).
  assert.equal(textOf(await bridge.callTool("js_echo", { message: "small" })), "small");
  assert.equal((bridge.stderr().match(/forwarding a large reply/g) ?? []).length, 1);
  await bridge.close();
});
