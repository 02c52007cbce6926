// Hot-path defects a review reproduced (issue 16), each through the real binary:
//   progress reports extend a call's timeout, up to max_timeout_s in all;
//   connections to one host are capped (max_connections), the rest wait their turn;
//   a call cancelled while the bridge holds it is never sent upstream;
//   upstreams are initialized with the protocol version the AI client negotiated;
//   a new upstream session gets the old one's log level and resource subscriptions again;
//   SIGTERM ends the upstream sessions; a non-blocking stdin/stdout is not the client leaving;
//   a large result that trickles in holds up no other answer;
//   `bridge install` from a Homebrew Cellar writes the stable path;
//   overlapping list refreshes (two list_changed, the older answer arriving last) end with the newest list.
//   BRIDGE_BIN=/abs/path/to/bridge node --test --test-concurrency=1 integration/hotpath.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startPeer, startBridge, runBridge, bridgeBin, sleep, textOf, allText, isResponse } from "./lib/harness.mjs";
import { T, plainEntry, hasAll } from "./lib/fixtures.mjs";

async function peerState(peer) {
  return peer.state();
}

// The error text of a failed call, whether it came as a tool error or a JSON-RPC error.
function failureText(r) {
  if (r.error) return r.error.message;
  assert.equal(r.result?.isError, true, `expected a failure, got ${JSON.stringify(r).slice(0, 300)}`);
  return allText(r.result);
}

test("progress reports restart a call's timeout; max_timeout_s bounds the whole call", T, async (t) => {
  const peer = await startPeer("faulty-server", [], { t });
  const config = { servers: { faulty: plainEntry(peer, "f_", { timeout_s: 1, max_timeout_s: 4 }) } };
  const bridge = await startBridge({ config, t });
  await bridge.initialize({ protocolVersion: "2025-11-25" });
  await bridge.waitForTools(hasAll("f_progress"));

  // 1.6 s in all, a report every 400 ms: longer than timeout_s, never silent for that long.
  const ok = await bridge.request("tools/call",
    { name: "f_progress", arguments: { steps: 4, interval_ms: 400 }, _meta: { progressToken: "tok-1" } },
    { timeoutMs: 10000 });
  assert.equal(textOf(ok.result), "faulty done", JSON.stringify(ok));
  const reports = bridge.messages.filter((m) => m.method === "notifications/progress" && m.params.progressToken === "tok-1");
  assert.equal(reports.length, 4);

  // 8 s of steady progress: cut at max_timeout_s (4 s), not at 8 s, with the setting named.
  const started = Date.now();
  const cut = await bridge.request("tools/call",
    { name: "f_progress", arguments: { steps: 16, interval_ms: 500 }, _meta: { progressToken: 7 } },
    { timeoutMs: 15000 });
  const took = Date.now() - started;
  assert.match(failureText(cut), /max_timeout_s/);
  assert.ok(took >= 3900 && took < 7000, `cut after ${took} ms`);

  // Without progress, timeout_s still applies as before.
  const silent = await bridge.request("tools/call", { name: "f_slow", arguments: { ms: 3000 } }, { timeoutMs: 10000 });
  assert.match(failureText(silent), /timeout_s/);
});

test("max_connections caps the connections to one host; every call is still answered", T, async (t) => {
  const peer = await startPeer("faulty-server", [], { t });
  const config = { servers: { faulty: plainEntry(peer, "f_", { max_connections: 4 }) } };
  const bridge = await startBridge({ config, t });
  await bridge.initialize({ protocolVersion: "2025-11-25" });
  await bridge.waitForTools(hasAll("f_slow"));

  const calls = [];
  for (let i = 0; i < 60; i++) {
    calls.push(bridge.request("tools/call", { name: "f_slow", arguments: { ms: 100 } }, { timeoutMs: 30000 }));
  }
  const answers = await Promise.all(calls);
  for (const a of answers) assert.equal(textOf(a.result), "done", JSON.stringify(a));
  const state = await peerState(peer);
  assert.ok(state.maxOpenConnections <= 4, `at most 4 connections open at once, saw ${JSON.stringify({ max: state.maxOpenConnections, all: state.connections })}`);
  assert.ok(state.connections <= 8, `connections are reused, not one per call: ${state.connections}`);
});

test("a call cancelled while it waits for the first catalog is never sent upstream", T, async (t) => {
  const peer = await startPeer("faulty-server", ["--delay-initialize-ms", "1500"], { t });
  const config = { servers: { faulty: plainEntry(peer, "f_") } };
  const bridge = await startBridge({ config, t });
  await bridge.initialize({ protocolVersion: "2025-11-25" });

  // f_count is not listed yet (the upstream is still initializing): the bridge holds the call.
  const held = bridge.request("tools/call", { name: "f_count", arguments: { key: "cancelled-call" } }, { id: "held-1", timeoutMs: 8000 });
  held.catch(() => {});
  await sleep(200);
  bridge.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "held-1", reason: "user" } });
  await bridge.waitForTools(hasAll("f_count"), { timeoutMs: 10000 });

  // A call after it goes through, and the cancelled one never reached the server.
  const after = await bridge.callTool("f_count", { key: "after" });
  assert.equal(textOf(after), "1");
  await sleep(300);
  const state = await peerState(peer);
  assert.equal(state.calls?.["cancelled-call"], undefined, "the cancelled call ran upstream");
  assert.ok(!bridge.messages.some((m) => isResponse(m) && m.id === "held-1"), "a cancelled request gets no answer");
});

test("the upstream is asked for the protocol version the AI client negotiated", T, async (t) => {
  for (const version of ["2025-06-18", "2025-11-25"]) {
    const peer = await startPeer("faulty-server", [], { t });
    const config = { servers: { faulty: plainEntry(peer, "f_") } };
    const bridge = await startBridge({ config, t });
    await bridge.initialize({ protocolVersion: version });
    await bridge.waitForTools(hasAll("f_echo"));
    await bridge.callTool("f_echo", { text: "v" });
    const state = await peerState(peer);
    assert.equal(state.lastPostHeaders["mcp-protocol-version"], version);
    await bridge.close();
  }
});

test("a new upstream session is told the log level and resource subscriptions again", T, async (t) => {
  const peer = await startPeer("everything", [], { t });
  const config = { servers: { every: plainEntry(peer, "e_") } };
  const bridge = await startBridge({ config, t });
  await bridge.initialize({ protocolVersion: "2025-11-25", capabilities: {} });
  await bridge.waitForTools((tools) => tools.some((x) => x.name.startsWith("e_")));
  const { items: resources } = await bridge.listAll("resources/list", "resources");
  assert.ok(resources.length > 0, "the everything server lists resources");
  const uri = resources[0].uri;

  const level = await bridge.request("logging/setLevel", { level: "error" });
  assert.ok(level.result, JSON.stringify(level));
  const sub = await bridge.request("resources/subscribe", { uri });
  assert.ok(sub.result, JSON.stringify(sub));

  const before = (await peerState(peer)).rpcMethods.length;
  await peer.expireSessions();
  // The next request meets 404, opens a new session and is replayed on it.
  const listed = await bridge.request("resources/read", { uri }, { timeoutMs: 10000 });
  assert.ok(listed.result, JSON.stringify(listed).slice(0, 300));
  await sleep(300);
  const after = (await peerState(peer)).rpcMethods.slice(before);
  const initAt = after.indexOf("initialize");
  assert.ok(initAt >= 0, `a new session was opened: ${after.join(", ")}`);
  const rest = after.slice(initAt);
  assert.ok(rest.includes("logging/setLevel"), `log level restored: ${rest.join(", ")}`);
  assert.ok(rest.includes("resources/subscribe"), `subscription restored: ${rest.join(", ")}`);
});

test("SIGTERM ends the upstream sessions as end of input does, and exits 0", T, async (t) => {
  const peer = await startPeer("faulty-server", [], { t });
  const config = { servers: { faulty: plainEntry(peer, "f_") } };
  const bridge = await startBridge({ config, t });
  await bridge.initialize({ protocolVersion: "2025-11-25" });
  await bridge.waitForTools(hasAll("f_echo"));
  assert.equal(textOf(await bridge.callTool("f_echo", { text: "up" })), "up");
  bridge.child.kill("SIGTERM");
  const exit = await Promise.race([bridge.exitPromise, sleep(5000).then(() => "still running")]);
  assert.notEqual(exit, "still running", "the bridge did not stop within 5 s of SIGTERM");
  assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}`);
  const state = await peerState(peer);
  assert.equal(state.sessionsDeleted, 1, "the upstream session was ended with DELETE");
});

test("a non-blocking stdin/stdout (the client's choice) is neither end of input nor a dead client", T, async (t) => {
  // A wrapper sets O_NONBLOCK on the pipes the client gave (it stays across exec), then runs the bridge.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-nonblock-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const wrapper = path.join(dir, "nonblocking-bridge");
  fs.writeFileSync(wrapper, [
    "#!/usr/bin/env python3",
    "import fcntl, os, sys",
    "for fd in (0, 1):",
    "    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)",
    "real = os.environ['REAL_BRIDGE']",
    "os.execv(real, [real] + sys.argv[1:])",
    "",
  ].join("\n"), { mode: 0o755 });
  const peer = await startPeer("faulty-server", [], { t });
  const config = { servers: { faulty: plainEntry(peer, "f_") } };
  const bridge = await startBridge({ config, t, bin: wrapper, env: { REAL_BRIDGE: bridgeBin() } });
  await bridge.initialize({ protocolVersion: "2025-11-25" });
  await bridge.waitForTools(hasAll("f_big"));
  // 8 MB at once fills any pipe: the bridge must wait for the reader, not give up on it.
  const big = await bridge.request("tools/call", { name: "f_big", arguments: { bytes: 8_000_000 } }, { timeoutMs: 30000 });
  assert.equal(textOf(big.result).length, 8_000_000);
  assert.equal(textOf(await bridge.callTool("f_echo", { text: "still here" })), "still here");
});

test("a large result that trickles in holds up no other answer; it arrives whole on one line", T, async (t) => {
  // A raw (non-SDK) upstream in mcp-go's framing: compact JSON and a newline.
  const raw = await startPeer("raw-server", ["--shape", "go-json"], { t });
  const peer = await startPeer("faulty-server", [], { t });
  const config = { servers: { raw: plainEntry(raw, "r_"), faulty: plainEntry(peer, "f_") } };
  const bridge = await startBridge({ config, t });
  await bridge.initialize({ protocolVersion: "2025-11-25" });
  await bridge.waitForTools(hasAll("r_trickle", "f_echo"));

  const bytes = 2_000_000;
  // 20 slices 200 ms apart: the bridge takes it over (256 KiB) after about 0.6 s; its first MiB
  // takes another 1.4 s, too slow to count as flowing.
  const slow = bridge.request("tools/call", { name: "r_trickle", arguments: { bytes, ms: 4000 } }, { timeoutMs: 20000 });
  await sleep(1000);
  const asked = Date.now();
  const [ping, echo] = await Promise.all([
    bridge.request("ping", {}, { timeoutMs: 10000 }),
    bridge.request("tools/call", { name: "f_echo", arguments: { text: "meanwhile" } }, { timeoutMs: 10000 }),
  ]);
  const waited = Date.now() - asked;
  assert.ok(ping.result, JSON.stringify(ping));
  assert.equal(textOf(echo.result), "meanwhile");
  assert.ok(waited < 1500, `a ping and a call to another upstream waited ${waited} ms behind the trickling result`);
  const big = await slow;
  assert.equal(textOf(big.result).length, bytes);
  const order = bridge.messages.filter(isResponse).map((m) => m.id);
  assert.ok(order.indexOf(ping.id) < order.indexOf(big.id), `answered in the order ${order.join(", ")}`);
});

test("bridge install run from a Homebrew Cellar writes the stable <prefix>/bin path, not the versioned one", T, async (t) => {
  // <prefix>/Cellar/mcp-bridge/1.2.3/bin/bridge, and <prefix>/bin/bridge linking to it, as brew lays them out.
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-brew-"));
  t.after(() => fs.rmSync(prefix, { recursive: true, force: true }));
  const cellarBin = path.join(prefix, "Cellar", "mcp-bridge", "1.2.3", "bin");
  fs.mkdirSync(cellarBin, { recursive: true });
  fs.mkdirSync(path.join(prefix, "bin"));
  fs.copyFileSync(bridgeBin(), path.join(cellarBin, "bridge"));
  fs.chmodSync(path.join(cellarBin, "bridge"), 0o755);
  fs.symlinkSync("../Cellar/mcp-bridge/1.2.3/bin/bridge", path.join(prefix, "bin", "bridge"));

  const printed = await runBridge({ args: ["install", "claude", "--print"], bin: path.join(cellarBin, "bridge"), t });
  assert.equal(printed.code, 0, printed.stderr);
  const entry = JSON.parse(printed.stdout).mcpServers.bridge;
  assert.equal(entry.command, path.join(prefix, "bin", "bridge"));

  // Unlinked (brew unlink): the link is gone, so the path that runs is the only true one.
  fs.unlinkSync(path.join(prefix, "bin", "bridge"));
  const unlinked = await runBridge({ args: ["install", "claude", "--print"], bin: path.join(cellarBin, "bridge"), t });
  assert.equal(JSON.parse(unlinked.stdout).mcpServers.bridge.command, path.join(cellarBin, "bridge"));
});

test("a message over the size limit is answered with its own id; the next one works", T, async (t) => {
  const peer = await startPeer("faulty-server", [], { t });
  const config = { max_client_message_mb: 1, servers: { faulty: plainEntry(peer, "f_") } };
  const bridge = await startBridge({ config, t });
  await bridge.initialize({ protocolVersion: "2025-11-25" });
  await bridge.waitForTools(hasAll("f_echo"));
  const huge = JSON.stringify({ jsonrpc: "2.0", id: "too-big-1", method: "tools/call",
    params: { name: "f_echo", arguments: { text: "x".repeat(2 * 1024 * 1024) } } });
  bridge.sendRaw(huge);
  const refused = await bridge.waitFor((m) => m.id === "too-big-1", 10000, "the answer to the oversized request");
  assert.equal(refused.error?.code, -32600, JSON.stringify(refused).slice(0, 300));
  assert.match(refused.error.message, /too large/);
  assert.equal(textOf(await bridge.callTool("f_echo", { text: "next" })), "next");
  assert.equal((await peer.state()).calls.echo, 1, "the oversized call never reached the server");
});

test("a tools/list page over max_list_mb fails that upstream in words; the other upstream is unaffected", T, async (t) => {
  const raw = await startPeer("raw-server", ["--shape", "go-json", "--list-padding", String(3 * 1024 * 1024)], { t });
  const peer = await startPeer("faulty-server", [], { t });
  const config = { servers: { raw: plainEntry(raw, "r_", { max_list_mb: 2 }), faulty: plainEntry(peer, "f_") } };
  const bridge = await startBridge({ config, t });
  await bridge.initialize({ protocolVersion: "2025-11-25" });
  await bridge.waitForTools(hasAll("f_echo"));
  const r = await bridge.request("tools/call", { name: "r_echo", arguments: { text: "x" } }, { timeoutMs: 15000 });
  assert.match(failureText(r), /max_list_mb/);
  assert.equal(textOf(await bridge.callTool("f_echo", { text: "fine" })), "fine");
});

function rssMiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

test("a client that stops reading: the bridge stops taking the result from the upstream, and loses nothing", T, async (t) => {
  const peer = await startPeer("faulty-server", [], { t });
  const config = { servers: { faulty: plainEntry(peer, "f_") } };
  const bridge = await startBridge({ config, t });
  await bridge.initialize({ protocolVersion: "2025-11-25" });
  await bridge.waitForTools(hasAll("f_big"));
  const before = rssMiB(bridge.pid);
  bridge.child.stdout.pause(); // the client reads nothing for a while
  const bytes = 60_000_000;
  const big = bridge.request("tools/call", { name: "f_big", arguments: { bytes } }, { timeoutMs: 60000 });
  // Under the sanitizers memory figures mean nothing: there only nothing may be lost.
  if (!process.env.BRIDGE_SANITIZED) {
    // Until the result has begun to arrive (the peer takes a while to build 60 MB), then a second
    // more for whatever would still pile up.
    const deadline = Date.now() + 15000;
    while (rssMiB(bridge.pid) - before < 4 && Date.now() < deadline) await sleep(100);
    assert.ok(rssMiB(bridge.pid) - before >= 4, "the result never began to arrive: the test proves nothing");
    await sleep(1000);
    const held = rssMiB(bridge.pid) - before;
    // Its 8 MiB queue and some buffers, not the 60 MB result.
    assert.ok(held < 30, `grew by ${held.toFixed(1)} MiB while the client did not read`);
  } else {
    await sleep(2000);
  }
  bridge.child.stdout.resume();
  const r = await big;
  assert.equal(textOf(r.result).length, bytes);
  assert.equal(textOf(await bridge.callTool("f_echo", { text: "after" })), "after");
});

test("overlapping tools/list refreshes: the older answer arriving last does not bring back the old list", T, async (t) => {
  // A raw (non-SDK) peer whose tool set changes twice, 300 ms apart; the list asked after the first
  // change is answered 1 s late, after the list asked after the second.
  const raw = await startPeer("raw-server", ["--shape", "go-json", "--name", "raw"], { t });
  const bridge = await startBridge({ config: { servers: { raw: plainEntry(raw, "raw_") } }, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("raw_reshuffle"));
  assert.equal(textOf(await bridge.callTool("raw_reshuffle", {})), "reshuffled");
  await bridge.waitForTools(hasAll("raw_version_2"), { timeoutMs: 5000, what: "raw_version_2" });
  // Past the late answer (1 s after the first list went out), the list is still the newest.
  await sleep(1500);
  const lists = (await raw.state()).log.filter((e) => e.rpc === "tools/list").length;
  assert.ok(lists >= 3, `the peer answered the initial list and both refreshes (${lists})`);
  const r = await bridge.request("tools/list", {});
  const names = r.result.tools.map((tool) => tool.name);
  assert.ok(names.includes("raw_version_2"), names.join(", "));
  assert.ok(!names.includes("raw_version_1"), `the stale list came back: ${names.join(", ")}`);
  await bridge.close();
});
