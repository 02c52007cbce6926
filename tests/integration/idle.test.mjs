// An idle bridge sleeps: after a burst of calls, nothing they left behind (timers of finished
// exchanges) may wake it, and no timer may turn into a string of zero-timeout polls. Counted as
// context switches of all the bridge's threads (Linux /proc), not timed.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { startPeer, startBridge, textOf, sleep } from "./lib/harness.mjs";
import { TOKEN, ORG, T, boEntry, hasAll } from "./lib/fixtures.mjs";

function switches(pid) {
  let total = 0;
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    const status = fs.readFileSync(`/proc/${pid}/task/${task}/status`, "utf8");
    for (const field of ["voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"]) {
      total += Number(new RegExp(`^${field}:\\s+(\\d+)$`, "m").exec(status)[1]);
    }
  }
  return total;
}

test("after 100 calls the bridge stays asleep while idle", { ...T, timeout: 60_000 }, async (t) => {
  const bo = await startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG], { t });
  const bridge = await startBridge({ config: { servers: { orgsrv: boEntry(bo) } }, env: { PEER_TOKEN: TOKEN }, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("bo_echo"));
  for (let i = 0; i < 100; i++) assert.equal(textOf(await bridge.callTool("bo_echo", { message: `m${i}` })), `m${i}`);
  await sleep(200);
  const before = switches(bridge.pid);
  await sleep(6500); // past the 5 s during which a reply stream may stay open after its answer
  const woke = switches(bridge.pid) - before;
  t.diagnostic(`${woke} context switches in 6.5 s of idling after 100 calls`);
  assert.ok(woke < 20, `the idle bridge woke ${woke} times`);
  await bridge.close();
});
