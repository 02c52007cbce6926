#!/usr/bin/env node
// mcp-bridge in one minute: two MCP servers over Streamable HTTP on 127.0.0.1 (server-everything and
// a small JSON server), one bridge over stdio in front of them, as an AI client would launch it.
// Shows the initialize answer, the prefixed tool list grouped by upstream, and one routed call per
// upstream, with the JSON-RPC on the wire. Run via scripts/demo.sh (which builds the bridge), or:
//   BRIDGE_BIN=build/default/src/bridge node demo/demo.mjs
import { startPeer, startBridge, tempHome, bridgeBin } from "../tests/integration/lib/harness.mjs";

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const c = (code) => (s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = c("1"), dim = c("2"), cyan = c("36"), green = c("32"), yellow = c("33");

const say = (s = "") => process.stdout.write(s + "\n");
const section = (s) => say("\n" + bold(s));
const clip = (s, n = 150) => (s.length > n ? s.slice(0, n - 1) + "…" : s);
const wire = (dir, obj) => say(`  ${dir === "→" ? cyan("→") : green("←")} ${dim(clip(JSON.stringify(obj)))}`);

const cleanups = [];
async function main() {
  say(bold("mcp-bridge demo") + dim(`  (bridge: ${bridgeBin()})`));

  section("1. Two upstream MCP servers (Streamable HTTP, 127.0.0.1 only)");
  const everything = await startPeer("everything");
  cleanups.push(() => everything.stop());
  const json = await startPeer("json-server");
  cleanups.push(() => json.stop());
  say(`  everything  ${everything.url}   ${dim("(@modelcontextprotocol/server-everything)")}`);
  say(`  demo        ${json.url}   ${dim("(tests/peers/json-server.mjs)")}`);

  section("2. The bridge's config (what `bridge add` writes)");
  const config = {
    servers: {
      everything: { url: everything.url, prefix: "everything_", auth: "none" },
      demo: { url: json.url, prefix: "demo_", auth: "none" },
    },
  };
  for (const line of JSON.stringify(config, null, 2).split("\n")) say("  " + dim(line));

  section("3. The AI client launches `bridge serve` and talks JSON-RPC over stdio");
  const home = await tempHome();
  cleanups.push(() => home.cleanup());
  const bridge = await startBridge({ config, home });
  cleanups.push(() => bridge.kill());

  const initReq = {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "demo-client", version: "1.0.0" },
  };
  wire("→", { jsonrpc: "2.0", id: 1, method: "initialize", params: initReq });
  const t0 = Date.now();
  const init = await bridge.initialize();
  wire("←", init);
  const info = init.result.serverInfo;
  say(`  ${yellow("server")} ${info.name} ${info.version}, protocol ${init.result.protocolVersion}, ` +
      `answered in ${Date.now() - t0} ms`);

  section("4. tools/list: every upstream's tools under its prefix");
  const tools = await bridge.waitForTools(
    (ts) => ts.some((x) => x.name.startsWith("everything_")) && ts.some((x) => x.name.startsWith("demo_")),
    { timeoutMs: 15000, what: "tools from both upstreams" },
  );
  for (const [name, entry] of Object.entries(config.servers)) {
    const mine = tools.filter((x) => x.name.startsWith(entry.prefix));
    say(`  ${yellow(name)} ${dim(`(${mine.length} tools)`)}`);
    for (const x of mine) say(`    ${x.name.padEnd(44)} ${dim(clip(x.description ?? "", 70))}`);
  }

  section("5. Calls, routed by prefix to the right upstream");
  const calls = [
    ["demo_add", { a: 2, b: 3 }],
    ["everything_echo", { message: "hello through the bridge" }],
  ];
  for (const [name, args] of calls) {
    const id = bridge._nextId;
    wire("→", { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });
    const r = await bridge.request("tools/call", { name, arguments: args });
    wire("←", r);
    const text = r.result?.content?.find((x) => x.type === "text")?.text;
    say(`  ${yellow(name)} → ${r.error ? "error " + JSON.stringify(r.error) : JSON.stringify(text)}`);
  }

  section("6. The client closes stdin: the bridge ends the upstream sessions and exits");
  const exit = await bridge.close();
  const states = await Promise.all([everything.state(), json.state()]);
  say(`  bridge exit code ${exit.code}; upstream sessions deleted: ` +
      `everything ${states[0].sessionsDeleted}/${states[0].sessionsCreated}, demo ${states[1].sessionsDeleted}/${states[1].sessionsCreated}`);
  if (exit.code !== 0) throw new Error(`bridge exited with ${JSON.stringify(exit)}\n${bridge.stderr()}`);
}

let code = 0;
try {
  await main();
  say("\n" + green("Done.") + " Next: `bridge install claude` (or cursor, vscode) and `bridge add …` for your own servers.");
} catch (err) {
  console.error(`\ndemo failed: ${err.stack ?? err}`);
  code = 1;
} finally {
  for (const f of cleanups.reverse()) {
    try { await f(); } catch {}
  }
}
process.exit(code);
