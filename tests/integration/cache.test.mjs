// The cached catalog: a second start answers tools/list from the data dir before the upstream has
// connected, refreshes it in the background, announces notifications/tools/list_changed when the
// live list differs, and answers a call to a tool that went away with a clear error.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startPeer, startBridge, runBridge, tempHome, textOf, sleep } from "./lib/harness.mjs";
import { T, plainEntry, names, hasAll, assertToolError } from "./lib/fixtures.mjs";

function cacheFiles(home) {
  const dir = path.join(home.env.XDG_DATA_HOME, "mcp-bridge", "cache");
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^catalog-[0-9a-f]{16}\.json$/.test(f)).map((f) => path.join(dir, f)) : [];
}

async function firstRun(home, peer, t, wanted) {
  const bridge = await startBridge({ config: { servers: { j: plainEntry(peer, "j_") } }, home, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll(...wanted));
  // Saved once every upstream has listed: poll briefly rather than race the write.
  for (let i = 0; i < 50 && cacheFiles(home).length === 0; i++) await sleep(20);
  await bridge.close();
}

test("second start answers tools/list from the cache before the upstream connects", { ...T, timeout: 60_000 }, async (t) => {
  const home = await tempHome({ t });
  const peer = await startPeer("json-server", ["--delay-initialize-ms", "2500"], { t });
  await firstRun(home, peer, t, ["j_echo", "j_add"]);
  const files = cacheFiles(home);
  assert.equal(files.length, 1, "one cache file under <data dir>/mcp-bridge/cache/");
  const saved = JSON.parse(fs.readFileSync(files[0], "utf8"));
  assert.deepEqual(saved.upstreams.map((u) => u.name), ["j"]);
  assert.ok(saved.upstreams[0].tools.some((x) => x.name === "echo"), "the upstream's own names are kept");
  assert.ok(saved.upstreams[0].capabilities.tools, "and its capabilities");
  if (process.platform !== "win32") assert.equal(fs.statSync(files[0]).mode & 0o077, 0, "owner-only file");

  const before = (await peer.state()).sessionsCreated;
  const bridge = await startBridge({ config: { servers: { j: plainEntry(peer, "j_") } }, home, t });
  await bridge.initialize();
  const started = Date.now();
  const listed = await bridge.call("tools/list", {}, { timeoutMs: 2000 });
  const elapsed = Date.now() - started;
  const state = await peer.state();
  assert.ok(hasAll("j_echo", "j_add")(listed.tools), `cached tools listed: ${names(listed.tools)}`);
  assert.equal(state.sessionsCreated, before, "answered before the upstream finished its (delayed) initialize");
  assert.ok(elapsed < 1500, `tools/list took ${elapsed} ms`);

  // A call made from the cached list waits for the live session and goes through.
  const r = await bridge.callTool("j_echo", { message: "cached hello" }, { timeoutMs: 15_000 });
  assert.equal(textOf(r), "cached hello");
  // Same list live as cached: no list_changed.
  await sleep(200);
  assert.ok(!bridge.messages.some((m) => m.method === "notifications/tools/list_changed"), "no list_changed for an unchanged list");
  await bridge.close();
});

test("a changed upstream list is announced, and a vanished tool gets a clear error", { ...T, timeout: 60_000 }, async (t) => {
  const home = await tempHome({ t });
  const first = await startPeer("json-server", ["--tools", "3"], { t });
  await firstRun(home, first, t, ["j_tool_0", "j_tool_2"]);
  const port = String(first.port);
  await first.stop();
  // The same URL, now slow to connect and offering fewer tools.
  const second = await startPeer("json-server", ["--port", port, "--tools", "1", "--delay-initialize-ms", "1500"], { t });
  assert.equal(second.port, Number(port));

  const bridge = await startBridge({ config: { servers: { j: plainEntry(second, "j_") } }, home, t });
  await bridge.initialize();
  const cached = await bridge.call("tools/list", {}, { timeoutMs: 1000 });
  assert.ok(hasAll("j_tool_0", "j_tool_2")(cached.tools), `stale list from the cache: ${names(cached.tools)}`);

  // Called from the stale list while the upstream is still connecting.
  const gone = await bridge.request("tools/call", { name: "j_tool_2", arguments: {} }, { timeoutMs: 15_000 });
  assertToolError(gone, "j_tool_2", "no longer offers");
  await bridge.waitFor((m) => m.method === "notifications/tools/list_changed", 10_000, "notifications/tools/list_changed");
  const live = await bridge.call("tools/list", {});
  assert.ok(names(live.tools).includes("j_tool_0") && !names(live.tools).includes("j_tool_2"), `live list: ${names(live.tools)}`);
  // Called again after the refresh: still a clear answer, and the remaining tools work.
  assertToolError(await bridge.request("tools/call", { name: "j_tool_2", arguments: {} }), "no longer offers");
  assert.equal(textOf(await bridge.callTool("j_tool_0", {})), "tool_0");
  await bridge.close();

  // The cache now holds the live list.
  const saved = JSON.parse(fs.readFileSync(cacheFiles(home)[0], "utf8"));
  assert.deepEqual(saved.upstreams[0].tools.map((x) => x.name).filter((n) => n.startsWith("tool_")), ["tool_0"]);
});

test("bridge call of a tool gone from its server exits 2 whether the catalog is cached or not", { ...T, timeout: 60_000 }, async (t) => {
  const home = await tempHome({ t });
  const first = await startPeer("json-server", ["--tools", "3"], { t });
  await firstRun(home, first, t, ["j_tool_2"]);
  const port = String(first.port);
  await first.stop();
  const second = await startPeer("json-server", ["--port", port, "--tools", "1"], { t });
  const config = { servers: { j: plainEntry(second, "j_") } };
  // Cached: the catalog still lists it, the live list does not.
  const warm = await runBridge({ config, home, t, args: ["call", "j_tool_2"], timeoutMs: 20_000 });
  assert.equal(warm.code, 2, warm.stdout + warm.stderr);
  assert.match(warm.stdout + warm.stderr, /no longer offers/);
  // Cold: never listed at all.
  const cold = await runBridge({ config, home: await tempHome({ t }), t, args: ["call", "j_tool_2"], timeoutMs: 20_000 });
  assert.equal(cold.code, 2, cold.stdout + cold.stderr);
});

test("a damaged cache file is ignored", T, async (t) => {
  const home = await tempHome({ t });
  const peer = await startPeer("json-server", [], { t });
  await firstRun(home, peer, t, ["j_echo"]);
  fs.writeFileSync(cacheFiles(home)[0], "{ not json");
  const bridge = await startBridge({ config: { servers: { j: plainEntry(peer, "j_") } }, home, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("j_echo"));
  await bridge.close();
  assert.doesNotThrow(() => JSON.parse(fs.readFileSync(cacheFiles(home)[0], "utf8")), "rewritten after the live list");
});
