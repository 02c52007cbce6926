// The user's commands, driven as a user would: add (and the presets), list, remove, token set,
// install into a client config that already has other servers, status/doctor against live and
// dead upstreams, tools and call from the terminal. HOME/XDG_* in a temp dir; the token store is
// the 0600 file (BRIDGE_TOKEN_STORE=file); every upstream is on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { startPeer, tempHome, runBridge, deadPort, bridgeBin } from "./lib/harness.mjs";
import { TOKEN, ORG, T } from "./lib/fixtures.mjs";

const STORE = { BRIDGE_TOKEN_STORE: "file" };

// Runs `bridge ARGS…` in `home` (no BRIDGE_CONFIG: the default config path under XDG_CONFIG_HOME).
async function bridge(home, args, { stdin = "", env = {}, timeoutMs = 20000 } = {}) {
  const r = await runBridge({ config: null, home, args, env: { ...STORE, ...env }, stdin, timeoutMs });
  assert.ok(r.signal === null, `bridge ${args.join(" ")} died of ${r.signal}\n${r.stderr}`);
  return r;
}
const configPath = (home) => path.join(home.env.XDG_CONFIG_HOME, "mcp-bridge", "config.json");
const readConfig = async (home) => JSON.parse(await fsp.readFile(configPath(home), "utf8"));
const writeConfig = async (home, config) => {
  await fsp.mkdir(path.dirname(configPath(home)), { recursive: true });
  await fsp.writeFile(configPath(home), JSON.stringify(config, null, 2));
};
const expectCode = (r, code, what) =>
  assert.equal(r.code, code, `${what}: exit ${r.code}, expected ${code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);

// ---------------------------------------------------------------------------------------------
test("presets: jumpcloud (admin and an MSP child org side by side) and mcpjungle (group); idempotent; list", T, async (t) => {
  const home = await tempHome({ t });
  let r = await bridge(home, ["add", "jumpcloud"]);
  expectCode(r, 0, "add jumpcloud");
  assert.match(r.stdout, /bridge login jumpcloud/);
  r = await bridge(home, ["add", "jumpcloud", "--org", "5f1e0123", "--name", "acme"]);
  expectCode(r, 0, "add jumpcloud --name acme");
  r = await bridge(home, ["add", "mcpjungle", "--group", "claude-tools"]);
  expectCode(r, 0, "add mcpjungle --group");
  const config = await readConfig(home);
  assert.deepEqual(Object.keys(config.servers), ["jumpcloud", "acme", "mcpjungle"], "file order kept");
  assert.equal(config.servers.jumpcloud.url, "https://mcp.jumpcloud.com/v1");
  assert.equal(config.servers.jumpcloud.prefix, "jc_admin_");
  assert.equal(config.servers.jumpcloud.auth, "oauth");
  // JumpCloud's documented tools (FACTS.md) that erase, lock, restart, update, suspend or take away
  // access; the read-only ones and the additive ones (unlock, invitation e-mails) are not asked about.
  assert.deepEqual(config.servers.jumpcloud.confirm.slice().sort(), [
    "device_erase", "device_lock", "device_restart", "device_shutdown", "device_update",
    "user_force_password_reset", "user_remove_mfa_requirement", "user_resetmfa", "user_suspend",
  ]);
  assert.equal(config.servers.acme.prefix, "jc_acme_");
  assert.equal(config.servers.acme.organizationID, "5f1e0123");
  assert.equal(config.servers.mcpjungle.url, "http://localhost:8080/v0/groups/claude-tools/mcp");
  assert.equal(config.servers.mcpjungle.prefix, "jungle_");

  // Same command again: nothing changes, nothing is rewritten.
  const before = await fsp.readFile(configPath(home), "utf8");
  r = await bridge(home, ["add", "jumpcloud"]);
  expectCode(r, 0, "add jumpcloud again");
  assert.match(r.stdout, /already configured.*nothing changed/);
  assert.equal(await fsp.readFile(configPath(home), "utf8"), before);
  // A different entry under a taken name needs --replace.
  r = await bridge(home, ["add", "jumpcloud", "--org", "other"]);
  expectCode(r, 2, "add over an existing entry");
  assert.match(r.stderr, /--replace/);

  r = await bridge(home, ["list"]);
  expectCode(r, 0, "list");
  for (const s of ["jumpcloud", "acme", "mcpjungle", "jc_acme_", "5f1e0123"]) assert.ok(r.stdout.includes(s), `list shows ${s}:\n${r.stdout}`);
  r = await bridge(home, ["list", "--json"]);
  const listed = JSON.parse(r.stdout);
  assert.equal(listed.find((x) => x.name === "acme").url, "https://mcp.jumpcloud.com/v1?organizationID=5f1e0123");

  r = await bridge(home, ["remove", "acme"]);
  expectCode(r, 0, "remove");
  assert.deepEqual(Object.keys((await readConfig(home)).servers), ["jumpcloud", "mcpjungle"]);
  assert.ok(fs.existsSync(configPath(home) + ".bak"), "backup of the previous config");
  r = await bridge(home, ["remove", "acme"]);
  expectCode(r, 2, "remove a missing server");
});

test("add keeps unknown fields and other servers, and never writes a config serve would reject", T, async (t) => {
  const home = await tempHome({ t });
  await writeConfig(home, {
    $schema: "https://example.com/schema.json",
    page_size: 0,
    servers: { mine: { url: "http://127.0.0.1:9/mcp", prefix: "m_", description: "hand-written", tools: { deny: ["x"] } } },
  });
  let r = await bridge(home, ["add", "other", "--url", "http://127.0.0.1:10/mcp", "--header", "X-Team=blue"]);
  expectCode(r, 0, "add other");
  const config = await readConfig(home);
  assert.equal(config.$schema, "https://example.com/schema.json");
  assert.deepEqual(config.servers.mine, { url: "http://127.0.0.1:9/mcp", prefix: "m_", description: "hand-written", tools: { deny: ["x"] } });
  assert.deepEqual(config.servers.other, { url: "http://127.0.0.1:10/mcp", headers: { "X-Team": "blue" } });

  const before = await fsp.readFile(configPath(home), "utf8");
  for (const [args, needle] of [
    [["add", "dup", "--url", "http://127.0.0.1:11/mcp", "--prefix", "m_"], /already the prefix/],
    [["add", "lan", "--url", "http://10.1.2.3/mcp"], /allow_http/],
    [["add", "nourl"], /needs --url/],
    [["add", "lit", "--url", "https://x.example/mcp", "--auth", "token", "--token", "jca_secret"], /never the secret/],
    [["add", "bad", "--url", "http://127.0.0.1:1/mcp", "--auth", "maybe"], /auth/],
  ]) {
    r = await bridge(home, args);
    expectCode(r, 2, args.join(" "));
    assert.match(r.stderr, needle);
  }
  assert.equal(await fsp.readFile(configPath(home), "utf8"), before, "a refused add leaves the file alone");
  assert.ok(!r.stdout.includes("jca_secret") && !r.stderr.includes("jca_secret"));
});

// ---------------------------------------------------------------------------------------------
test("token set via stdin, then a ${keychain:NAME} bearer upstream works (tools, call, status)", T, async (t) => {
  const home = await tempHome({ t });
  const peer = await startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG], { t });
  // bridge add … --auth token reads the key from stdin (never argv) and writes ${keychain:jc}.
  let r = await bridge(home, ["add", "jc", "--url", peer.url, "--org", ORG, "--prefix", "bo_", "--auth", "token"], { stdin: TOKEN + "\n" });
  expectCode(r, 0, "add --auth token");
  assert.equal((await readConfig(home)).servers.jc.token, "${keychain:jc}");
  const secrets = path.join(home.env.XDG_DATA_HOME, "mcp-bridge", "secrets.json");
  assert.equal(fs.statSync(secrets).mode & 0o077, 0, "the file store is private");

  r = await bridge(home, ["tools", "jc"]);
  expectCode(r, 0, "tools jc");
  assert.match(r.stdout, /bo_echo/);
  assert.match(r.stdout, /bo_whoami/);
  r = await bridge(home, ["tools", "--json"]);
  assert.ok(JSON.parse(r.stdout).tools.some((x) => x.name === "bo_echo"));

  r = await bridge(home, ["call", "bo_echo", "--args", JSON.stringify({ message: "hello from the terminal" })]);
  expectCode(r, 0, "call bo_echo");
  assert.equal(r.stdout.trim(), "hello from the terminal");
  r = await bridge(home, ["call", "bo_whoami", "--json"]);
  expectCode(r, 0, "call --json");
  assert.equal(JSON.parse(JSON.parse(r.stdout).content[0].text).organizationID, ORG);

  r = await bridge(home, ["status"]);
  expectCode(r, 0, "status");
  assert.match(r.stdout, /jc\s+org-5f1e0a\s+token \(keychain\)\s+ok\s+\d+/);
  assert.match(r.stdout, /Token store: file/);
  assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN), "the token never appears");

  // A wrong key: status says auth failed and how to fix it; token set replaces it.
  r = await bridge(home, ["token", "set", "jc"], { stdin: "wrong-token\n" });
  expectCode(r, 0, "token set");
  r = await bridge(home, ["status"]);
  expectCode(r, 3, "status with a wrong token");
  assert.match(r.stdout, /auth failed/);
  assert.match(r.stdout, /bridge token set jc/);
  r = await bridge(home, ["call", "bo_echo", "--args", '{"message":"x"}']);
  expectCode(r, 3, "call with a wrong token");
  r = await bridge(home, ["token", "set", "jc"], { stdin: TOKEN + "\n" });
  r = await bridge(home, ["call", "bo_echo", "--args", '{"message":"again"}']);
  expectCode(r, 0, "call after token set");

  r = await bridge(home, ["token", "rm", "jc"]);
  expectCode(r, 0, "token rm");
  r = await bridge(home, ["status", "--json"]);
  expectCode(r, 3, "status without the token");
  const jc = JSON.parse(r.stdout).servers.find((x) => x.name === "jc");
  assert.match(jc.credentials, /missing/);
  r = await bridge(home, ["token", "set", "jc"], { stdin: "\n" });
  expectCode(r, 2, "token set with nothing on stdin");
});

test("tools/call exit codes: tool error 1, unknown tool 2, bad --args 2, dead upstream 3", T, async (t) => {
  const home = await tempHome({ t });
  const admin = await startPeer("admin-server", [], { t });
  const port = await deadPort();
  await writeConfig(home, { servers: {
    adm: { url: admin.url, prefix: "adm_" },
    dead: { url: `http://127.0.0.1:${port}/mcp`, prefix: "dead_" },
  } });
  let r = await bridge(home, ["call", "adm_fail_always"]);
  expectCode(r, 1, "isError");
  assert.match(r.stderr, /this tool always fails/);
  r = await bridge(home, ["call", "adm_nope"]);
  expectCode(r, 2, "unknown tool");
  r = await bridge(home, ["call", "adm_users_list", "--args", "[1]"]);
  expectCode(r, 2, "bad --args");
  r = await bridge(home, ["call", "dead_anything"]);
  expectCode(r, 3, "dead upstream");
  assert.match(r.stderr, /dead: unavailable/);
  r = await bridge(home, ["tools"]);
  expectCode(r, 3, "tools with one dead upstream");
  assert.match(r.stdout, /adm_users_list/);
  assert.match(r.stderr, /dead: unavailable/);
  r = await bridge(home, ["tools", "nosuch"]);
  expectCode(r, 2, "tools for an unknown server");
  r = await bridge(home, ["frobnicate"]);
  expectCode(r, 2, "unknown command");
});

// ---------------------------------------------------------------------------------------------
test("status and doctor side by side: live (two orgs), dead, unauthorized; literal-secret warning", T, async (t) => {
  const home = await tempHome({ t });
  const peer = await startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG], { t });
  const port = await deadPort();
  await writeConfig(home, { servers: {
    acme: { url: peer.url, prefix: "jc_acme_", organizationID: ORG, auth: "token", token: "${env:PEER_TOKEN}" },
    beta: { url: peer.url, prefix: "jc_beta_", organizationID: "org-other", auth: "token", token: "${env:PEER_TOKEN}" },
    literal: { url: peer.url, prefix: "lit_", organizationID: ORG, auth: "token", token: TOKEN },
    nokey: { url: peer.url, prefix: "nk_", organizationID: ORG, auth: "none" },
    dead: { url: `http://127.0.0.1:${port}/mcp`, prefix: "dead_" },
    off: { url: `http://127.0.0.1:${port}/mcp`, prefix: "off_", enabled: false },
  } });
  const env = { PEER_TOKEN: TOKEN };
  let r = await bridge(home, ["status"], { env });
  expectCode(r, 3, "status");
  const line = (name) => r.stdout.split("\n").find((l) => l.startsWith(name + " "));
  assert.match(line("acme"), /org-5f1e0a\s+token \(env\)\s+ok\s+\d+\s+\d+ ms\s+bearer-org-peer 1\.0\.0/);
  assert.match(line("beta"), /org-other .*auth failed/); // 403: this token may not use that org
  assert.match(line("literal"), /token \(literal in config\)\s+ok/);
  assert.match(line("nokey"), /auth failed/);
  assert.match(line("dead"), /unreachable/);
  assert.match(line("off"), /disabled/);
  assert.match(r.stdout, /nokey: .*\n\s+fix: it wants credentials/);

  r = await bridge(home, ["doctor"], { env });
  expectCode(r, 1, "doctor with problems");
  const out = r.stdout;
  assert.match(out, /ok\s+.*config\.json is valid \(6 servers\)/);
  assert.match(out, /WARN\s+servers\.literal\.token holds a secret in the config file itself\n\s+fix: `bridge token set literal`/);
  assert.match(out, /Server acme[^\n]*\nok\s+servers\.acme\.token: the reference resolves\nok\s+DNS, connection to 127\.0\.0\.1[^\n]*\nok\s+MCP endpoint answers initialize/);
  assert.match(out, /Server beta[\s\S]*?FAIL\s+forbidden \(HTTP 403: organizationID "org-other" is not allowed/);
  assert.match(out, /Server nokey[\s\S]*?FAIL\s+the server wants credentials \(HTTP 401\)\n\s+fix: `bridge add nokey --auth token --replace`/);
  assert.match(out, /Server dead[\s\S]*?FAIL\s+connection refused: nothing listens at 127\.0\.0\.1[^\n]*\n\s+fix: start the server/);
  assert.match(out, /clock within \d+ s of the server/);
  assert.ok(!out.includes("Server off"), "disabled servers are not probed");
  assert.ok(!out.includes(TOKEN) && !r.stderr.includes(TOKEN), "doctor never prints the secret");
  // doctor's probes end the sessions they open.
  const state = await peer.state();
  assert.ok(state.deletes >= 2, `DELETEs after doctor: ${state.deletes}`);

  r = await bridge(home, ["doctor"], { env: {} });
  assert.match(r.stdout, /FAIL\s+servers\.acme\.token: environment variable PEER_TOKEN is not set/);
});

test("doctor and status on an invalid config: the file, the field and the fix", T, async (t) => {
  const home = await tempHome({ t });
  await writeConfig(home, { servers: { x: { url: "http://10.0.0.1/mcp" } } });
  let r = await bridge(home, ["doctor"]);
  expectCode(r, 1, "doctor");
  assert.match(r.stdout, /FAIL\s+.*config\.json: servers\.x\.url: plain http/);
  r = await bridge(home, ["status"]);
  expectCode(r, 2, "status");
  assert.match(r.stderr, /servers\.x\.url/);
  r = await bridge(home, ["list"]);
  expectCode(r, 2, "list");
});

test("a fresh home: list, status and doctor say what to do first", T, async (t) => {
  const home = await tempHome({ t });
  let r = await bridge(home, ["list"]);
  expectCode(r, 0, "list");
  assert.match(r.stdout, /No servers configured/);
  r = await bridge(home, ["status"]);
  expectCode(r, 0, "status");
  assert.match(r.stdout, /bridge add jumpcloud/);
  r = await bridge(home, ["doctor"]);
  expectCode(r, 0, "doctor");
  assert.match(r.stdout, /WARN\s+no config at .*\n\s+fix: add a server/);
});

// ---------------------------------------------------------------------------------------------
test("install into a client config that already has other servers: backup, others kept, idempotent", T, async (t) => {
  const home = await tempHome({ t });
  const claudeFile = path.join(home.env.XDG_CONFIG_HOME, "Claude", "claude_desktop_config.json");
  await fsp.mkdir(path.dirname(claudeFile), { recursive: true });
  const original = {
    globalShortcut: "Ctrl+Space",
    mcpServers: {
      filesystem: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/home/me"] },
      other: { command: "/opt/other", args: [], env: { KEY: "v" } },
    },
    preferences: { theme: "dark" },
  };
  await fsp.writeFile(claudeFile, JSON.stringify(original, null, 2));

  let r = await bridge(home, ["install", "claude", "--print"]);
  expectCode(r, 0, "install --print");
  const snippet = JSON.parse(r.stdout);
  assert.deepEqual(snippet.mcpServers.bridge, { command: path.resolve(bridgeBin()), args: ["serve"] });
  assert.deepEqual(JSON.parse(await fsp.readFile(claudeFile, "utf8")), original, "--print writes nothing");

  r = await bridge(home, ["install", "claude"]);
  expectCode(r, 0, "install claude");
  assert.match(r.stdout, /added "bridge"/);
  const after = JSON.parse(await fsp.readFile(claudeFile, "utf8"));
  assert.deepEqual(Object.keys(after), ["globalShortcut", "mcpServers", "preferences"]);
  assert.deepEqual(Object.keys(after.mcpServers), ["filesystem", "other", "bridge"]);
  assert.deepEqual(after.mcpServers.filesystem, original.mcpServers.filesystem);
  assert.deepEqual(after.mcpServers.other, original.mcpServers.other);
  assert.deepEqual(after.preferences, original.preferences);
  assert.deepEqual(after.mcpServers.bridge, { command: path.resolve(bridgeBin()), args: ["serve"] });
  const backups = (await fsp.readdir(path.dirname(claudeFile))).filter((f) => f.startsWith("claude_desktop_config.json.bak-"));
  assert.equal(backups.length, 1, `one backup: ${backups}`);
  assert.deepEqual(JSON.parse(await fsp.readFile(path.join(path.dirname(claudeFile), backups[0]), "utf8")), original);
  assert.ok(r.stdout.includes(backups[0]), "the backup is named in the output");

  const text = await fsp.readFile(claudeFile, "utf8");
  r = await bridge(home, ["install", "claude"]);
  expectCode(r, 0, "install again");
  assert.match(r.stdout, /already installed.*nothing changed/);
  assert.equal(await fsp.readFile(claudeFile, "utf8"), text);
  assert.equal((await fsp.readdir(path.dirname(claudeFile))).filter((f) => f.includes(".bak-")).length, 1, "no new backup");

  // An entry of that name that runs something else is not replaced without --force.
  r = await bridge(home, ["install", "claude", "--name", "other"]);
  expectCode(r, 2, "install over a foreign entry");
  assert.match(r.stderr, /--force/);

  // Cursor (no file yet) and VS Code (its own shape).
  r = await bridge(home, ["install", "cursor"]);
  expectCode(r, 0, "install cursor");
  const cursor = JSON.parse(await fsp.readFile(path.join(home.env.HOME, ".cursor", "mcp.json"), "utf8"));
  assert.deepEqual(cursor.mcpServers.bridge.args, ["serve"]);
  const vscodeFile = path.join(home.env.XDG_CONFIG_HOME, "Code", "User", "mcp.json");
  await fsp.mkdir(path.dirname(vscodeFile), { recursive: true });
  await fsp.writeFile(vscodeFile, JSON.stringify({ servers: { gh: { type: "http", url: "https://api.example.com/mcp" } }, inputs: [] }));
  r = await bridge(home, ["install", "vscode", "--name", "mcp-bridge"]);
  expectCode(r, 0, "install vscode");
  const vscode = JSON.parse(await fsp.readFile(vscodeFile, "utf8"));
  assert.deepEqual(vscode.servers.gh, { type: "http", url: "https://api.example.com/mcp" });
  assert.deepEqual(vscode.inputs, []);
  assert.deepEqual(vscode.servers["mcp-bridge"], { type: "stdio", command: path.resolve(bridgeBin()), args: ["serve"] });

  // A file with comments and trailing commas (JSONC, as VS Code allows) is accepted; a new entry
  // keeps the comments (config-edits.test.mjs has the rest).
  await fsp.writeFile(vscodeFile, '{\n  // mine\n  "servers": {},\n}\n');
  r = await bridge(home, ["install", "vscode"]);
  expectCode(r, 0, "install into JSONC");
  assert.match(r.stdout, /comments and layout kept/);
  assert.match(await fsp.readFile(vscodeFile, "utf8"), /\/\/ mine/);
  assert.match(await fsp.readFile(vscodeFile, "utf8"), /"type": "stdio"/);
});

test("--help on every command has examples and exit codes", T, async (t) => {
  const home = await tempHome({ t });
  for (const cmd of ["add", "remove", "list", "token", "tools", "call", "status", "doctor", "install", "serve"]) {
    const r = await bridge(home, [cmd, "--help"]);
    expectCode(r, 0, `${cmd} --help`);
    assert.match(r.stdout, /Example/, `${cmd} --help shows examples`);
    assert.match(r.stdout, /Exit codes|token set/, `${cmd} --help documents exit codes`);
  }
  const r = await bridge(home, ["--version"]);
  expectCode(r, 0, "--version");
  assert.match(r.stdout, /bridge \(mcp-bridge\) \d+\.\d+\.\d+/);
});
