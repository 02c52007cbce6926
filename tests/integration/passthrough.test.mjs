// Large results pass through the bridge without a DOM: a 50 MB tool result arrives whole and the
// bridge's peak RSS stays under 3x the result's size (issue 2's bound; the benchmark tracks the
// tighter performance target).
import { test } from "node:test";
import assert from "node:assert/strict";
import fsp from "node:fs/promises";
import { startPeer, startBridge, textOf } from "./lib/harness.mjs";
import { TOKEN, ORG, T, boEntry, hasAll } from "./lib/fixtures.mjs";

async function peakRssBytes(pid) {
  const status = await fsp.readFile(`/proc/${pid}/status`, "utf8");
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  assert.ok(match, "VmHWM missing from /proc/<pid>/status");
  return Number(match[1]) * 1024;
}

test("a 50 MB result passes through with peak RSS under 3x its size", { ...T, timeout: 120_000 }, async (t) => {
  const bo = await startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG], { t });
  const bridge = await startBridge({ config: { servers: { orgsrv: boEntry(bo) } }, env: { PEER_TOKEN: TOKEN }, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("bo_big"));
  const before = await peakRssBytes(bridge.pid);
  const N = 50 * 1024 * 1024;
  const result = await bridge.callTool("bo_big", { bytes: N }, { timeoutMs: 90_000 });
  const text = textOf(result);
  assert.equal(text.length, N);
  assert.ok(text.startsWith("0123456789abcdef"));
  const peak = await peakRssBytes(bridge.pid);
  t.diagnostic(`peak RSS ${(peak / 1048576).toFixed(1)} MiB (before the call ${(before / 1048576).toFixed(1)} MiB) for a ${N / 1048576} MiB result`);
  if (process.env.BRIDGE_SANITIZED) {
    t.diagnostic("sanitizer build: the RSS bound is not checked (shadow memory)");
  } else {
    assert.ok(peak < 3 * N, `peak RSS ${peak} bytes is not under 3x ${N}`);
  }
  await bridge.close();
});
