// What a newcomer meets at the terminal, through the real binary: `bridge` alone in a terminal
// explains itself instead of waiting for JSON-RPC; `bridge help` and an unknown command list the
// commands; config mistakes (long prefix, duplicate key, a folder, two config paths) are named.
import { test } from "node:test";
import assert from "node:assert/strict";
import fsp from "node:fs/promises";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { tempHome, runBridge, bridgeBin, startPeer, startBridge, sleep } from "./lib/harness.mjs";
import fs from "node:fs";

const T = { timeout: 60_000 };

async function bridge(home, args, { env = {}, config = null } = {}) {
  const r = await runBridge({ config, home, args, env: { BRIDGE_TOKEN_STORE: "file", ...env }, timeoutMs: 20_000 });
  assert.ok(r.signal === null, `bridge ${args.join(" ")} died of ${r.signal}\n${r.stderr}`);
  return r;
}

test("bridge alone in a terminal prints a short help and exits; piped, it still serves", T, async (t) => {
  const home = await tempHome({ t });
  // python3's pty gives the bridge a terminal on stdin; it must exit by itself within the timeout.
  const script = "import os, pty, sys\nstatus = pty.spawn([sys.argv[1]])\nsys.exit(os.waitstatus_to_exitcode(status))";
  const r = spawnSync("python3", ["-c", script, path.resolve(bridgeBin())], {
    env: { ...home.env, PATH: process.env.PATH, BRIDGE_TOKEN_STORE: "file" }, timeout: 15_000, encoding: "utf8",
  });
  assert.equal(r.error, undefined, `did not exit: ${r.error}`);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Commands:/);
  assert.match(r.stdout, /login/);
  assert.match(r.stdout, /bridge serve/);
  // Not a terminal (what AI clients do): it serves.
  const served = await runBridge({ config: { servers: {} }, home, args: [], timeoutMs: 5000,
    stdin: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } }) + "\n" });
  assert.match(served.stdout, /"protocolVersion"/);
});

test("bridge help and an unknown command list the commands", T, async (t) => {
  const home = await tempHome({ t });
  let r = await bridge(home, ["help"]);
  assert.equal(r.code, 0, r.stderr);
  for (const c of ["add", "login", "install", "status", "doctor"]) assert.match(r.stdout, new RegExp(`^  ${c} `, "m"));
  r = await bridge(home, ["lgoin"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /lgoin/);
  assert.match(r.stderr, /Commands:[\s\S]*login/);
});

test("config mistakes are named: a long prefix, a duplicate key, a folder; --config wins and doctor says which file", T, async (t) => {
  const home = await tempHome({ t });
  const long = "p".repeat(60);
  let r = await bridge(home, ["list"], { config: { servers: { a: { url: "http://127.0.0.1:9/mcp", prefix: long } } } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /too long \(60 > 48 characters\)/);
  assert.doesNotMatch(r.stderr, /characters tool names cannot carry/);

  r = await bridge(home, ["list"], { config: '{"servers": {\n  "a": {"url": "http://127.0.0.1:9/mcp",\n        "prefix": "x_",\n        "prefix": "y_"}}}' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /servers\.a\.prefix: appears twice \(the second time on line 4\)/);

  r = await bridge(home, ["list"], { env: { BRIDGE_CONFIG: home.dir } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is a directory/);
  r = await bridge(home, ["add", "mcpjungle"], { env: { BRIDGE_CONFIG: home.dir } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is a directory/);

  const fromEnv = path.join(home.dir, "env.json");
  const fromFlag = path.join(home.dir, "flag.json");
  await fsp.writeFile(fromEnv, JSON.stringify({ servers: { envserver: { url: "http://127.0.0.1:9/mcp" } } }));
  await fsp.writeFile(fromFlag, JSON.stringify({ servers: { flagserver: { url: "http://127.0.0.1:9/mcp" } } }));
  r = await bridge(home, ["--config", fromFlag, "list"], { env: { BRIDGE_CONFIG: fromEnv } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /flagserver/);
  assert.doesNotMatch(r.stdout, /envserver/);
  r = await bridge(home, ["--config", fromFlag, "doctor"], { env: { BRIDGE_CONFIG: fromEnv } });
  assert.match(r.stdout, new RegExp(`reading ${fromFlag.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(from --config, which wins over \\$BRIDGE_CONFIG`));
});

test("bridge cache shows where the catalog cache is; bridge cache clear empties it", T, async (t) => {
  const home = await tempHome({ t });
  const dir = path.join(home.env.XDG_DATA_HOME, "mcp-bridge", "cache");
  await fsp.mkdir(dir, { recursive: true });
  await fsp.writeFile(path.join(dir, "catalog-abc.json"), "{}");
  let r = await bridge(home, ["cache"]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(dir), r.stdout);
  assert.match(r.stdout, /1 file/);
  r = await bridge(home, ["cache", "clear"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Removed 1 cached catalog file/);
  assert.deepEqual(await fsp.readdir(dir), []);
});

test("the keychain notice: once per process when no keychain answers, never when the store is set to file", T, async (t) => {
  const home = await tempHome({ t });
  const servers = {
    a: { url: "http://127.0.0.1:9/mcp", prefix: "a_", auth: "token", token: "${keychain:a}" },
    b: { url: "http://127.0.0.1:9/mcp", prefix: "b_", auth: "oauth" },
  };
  // The harness passes no D-Bus session: no keychain answers.
  let r = await runBridge({ config: { servers }, home, args: ["status"], env: { BRIDGE_TOKEN_STORE: "automatic" }, timeoutMs: 20_000 });
  const all = r.stdout + r.stderr;
  const notices = all.match(/mcp-bridge: no OS keychain reachable \((.*)\); secrets are kept in/g) ?? [];
  assert.equal(notices.length, 1, all);
  // Its reason is said there and nowhere else (the store is then only named: "no OS keychain reachable").
  const reason = /no OS keychain reachable \((.*)\); secrets are kept in/.exec(all)[1];
  assert.equal(all.split(reason).length - 1, 1, all);
  r = await runBridge({ config: { token_store: "file", servers }, home, args: ["status"], env: {}, timeoutMs: 20_000 });
  assert.doesNotMatch(r.stdout + r.stderr, /no OS keychain|token_store is "file"/);
});

test("Cursor's limits: status and install cursor warn past about 40 tools and 60-character names", T, async (t) => {
  const peer = await startPeer("json-server", ["--tools", "45"], { t });
  const home = await tempHome({ t });
  const prefix = "p".repeat(48);
  const config = { servers: { many: { url: peer.url, prefix, auth: "none" } } };
  let r = await runBridge({ config, home, args: ["status"], timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /warning: Cursor: 47 tools, more than the about 40/);
  assert.match(r.stdout, /"tools": \{"allow"/);
  assert.match(r.stdout, /tool names? \(e\.g\. p{48}tool_\d+\) pass about 60 characters/);

  // install cursor reads what serve cached.
  const bridge = await startBridge({ config, home, t });
  await bridge.initialize();
  await bridge.listAll("tools/list", "tools");
  const cacheDir = path.join(home.env.XDG_DATA_HOME, "mcp-bridge", "cache");
  for (let i = 0; i < 100 && !(fs.existsSync(cacheDir) && fs.readdirSync(cacheDir).length); i++) await sleep(20);
  await bridge.close();
  r = await runBridge({ config, home, args: ["install", "cursor"], timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /warning: Cursor: 47 tools/);
});
