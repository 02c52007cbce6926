// Credentials that appear while `bridge serve` runs: a token stored with `bridge token set` (or a
// keychain unlocked) after the bridge started is read at the upstream's next connect, without a
// restart. Credentials are read before each connect (auth/prepared_link.hpp); a failed read is not
// kept as the answer. File token store (no keychain in this suite); upstreams on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startPeer, startBridge, runBridge, tempHome, textOf, allText, sleep } from "./lib/harness.mjs";
import { TOKEN, ORG, T } from "./lib/fixtures.mjs";

const STORE = { BRIDGE_TOKEN_STORE: "file" };

// Calls until the upstream answers (a call after a failure starts a reconnect, at most every 10 s).
async function callUntilAnswered(bridge, name, args, { timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await bridge.callTool(name, args);
    if (!last.isError) return last;
    await sleep(500);
  }
  throw new Error(`${name} never answered; last: ${allText(last)}`);
}

for (const [what, entry] of [
  ["a token reference", { auth: "token", token: "${keychain:jc}" }],
  ["a header reference", { headers: { Authorization: "Bearer ${keychain:jc}" } }],
]) {
  test(`${what} stored after the bridge started is used at the next connect, without a restart`, T, async (t) => {
    const home = await tempHome({ t });
    const peer = await startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG], { t });
    const config = { servers: { jc: { url: peer.url, prefix: "jc_", organizationID: ORG, ...entry } } };
    const bridge = await startBridge({ config, home, t, env: STORE });
    await bridge.initialize();
    const before = await bridge.callTool("jc_echo", { message: "too early" });
    assert.ok(before.isError, "no token stored yet: the call fails");
    assert.match(allText(before), /bridge token set jc/, "and says how to store it");

    const set = await runBridge({ config, home, t, args: ["token", "set", "jc"], env: STORE, stdin: TOKEN + "\n" });
    assert.equal(set.code, 0, set.stderr);
    const after = await callUntilAnswered(bridge, "jc_echo", { message: "stored since" });
    assert.equal(textOf(after), "stored since");
    await bridge.close();
    assert.ok(!bridge.stderr().includes(TOKEN), "the token never appears in the log");
  });
}
