// Editing config files people also edit by hand, through the real binary: `bridge install` keeps
// what the user added to the bridge's entry and never prints a secret from it; `bridge add
// --replace` keeps the fields not given; symlinked files stay symlinks; JSONC is accepted.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { tempHome, runBridge, bridgeBin } from "./lib/harness.mjs";

const T = { timeout: 60_000 };
const SECRET = "sk-live-very-secret-0123456789";

async function bridge(home, args, { stdin = "", env = {} } = {}) {
  const r = await runBridge({ config: null, home, args, env: { BRIDGE_TOKEN_STORE: "file", ...env }, stdin, timeoutMs: 20_000 });
  assert.ok(r.signal === null, `bridge ${args.join(" ")} died of ${r.signal}\n${r.stderr}`);
  return r;
}
const expectCode = (r, code, what) =>
  assert.equal(r.code, code, `${what}: exit ${r.code}, expected ${code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
const claudePath = (home) => path.join(home.env.XDG_CONFIG_HOME, "Claude", "claude_desktop_config.json");
async function writeJson(file, value) {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, typeof value === "string" ? value : JSON.stringify(value, null, 2));
}
const readJson = async (file) => JSON.parse(await fsp.readFile(file, "utf8"));

test("install again keeps the user's env, extra args, disabled, autoApprove and unknown keys; prints no env value", T, async (t) => {
  const home = await tempHome({ t });
  const exe = path.resolve(bridgeBin());
  const mine = {
    command: exe, args: ["serve", "--verbose"], env: { BRIDGE_CONFIG: "/somewhere/config.json", JC_API_KEY: SECRET },
    disabled: false, autoApprove: ["jc_admin_users_list"], myNote: { keep: true },
  };
  await writeJson(claudePath(home), { mcpServers: { bridge: mine } });
  const r = await bridge(home, ["install", "claude"]);
  expectCode(r, 0, "install over an extended entry");
  assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), `a secret was printed:\n${r.stdout}\n${r.stderr}`);
  assert.ok(!r.stdout.includes("/somewhere/config.json"), "env values are not printed");
  const after = (await readJson(claudePath(home))).mcpServers.bridge;
  assert.deepEqual(after, mine, "nothing the user added is lost");
  assert.match(r.stdout, /already installed/);

  // An older entry written by hand, with the user's additions, and a config path chosen now.
  // Its arguments carry a key (as mcp-remote's --header does): named by count, never shown.
  await writeJson(claudePath(home), { mcpServers: { bridge: { command: exe, args: ["--header", `Authorization: Bearer ${SECRET}`], env: { JC_API_KEY: SECRET }, disabled: true } } });
  const other = await bridge(home, ["install", "claude"]);
  expectCode(other, 2, "install over an entry with other arguments");
  assert.match(other.stderr, /its 2 arguments \(not shown: they may hold secrets\) do not begin with ours, \["serve"\]/);
  assert.ok(!other.stderr.includes(SECRET) && !other.stdout.includes(SECRET), "no argument value is printed");
  const forced = await bridge(home, ["--config", path.join(home.dir, "c.json"), "install", "claude", "--force"]);
  expectCode(forced, 0, "install --force");
  assert.ok(!forced.stdout.includes(SECRET) && !forced.stderr.includes(SECRET));
  assert.match(forced.stdout, /kept: .*env \(JC_API_KEY\).*disabled/);
  const written = (await readJson(claudePath(home))).mcpServers.bridge;
  assert.deepEqual(written, { command: exe, env: { JC_API_KEY: SECRET, BRIDGE_CONFIG: path.join(home.dir, "c.json") }, disabled: true, args: ["serve"] });
});

test("install refuses an entry that runs another binary, saying what differs; a string entry is named, not thrown", T, async (t) => {
  const home = await tempHome({ t });
  await writeJson(claudePath(home), { mcpServers: { bridge: { command: "/opt/old/bridge", args: ["serve"], env: { K: SECRET } } } });
  let r = await bridge(home, ["install", "claude"]);
  expectCode(r, 2, "another binary");
  assert.match(r.stderr, /runs "\/opt\/old\/bridge", not ".*bridge"/);
  assert.match(r.stderr, /--force/);
  assert.ok(!r.stderr.includes(SECRET));
  await writeJson(claudePath(home), { mcpServers: { bridge: "oops" } });
  r = await bridge(home, ["install", "claude"]);
  expectCode(r, 2, "a string entry");
  assert.match(r.stderr, /claude_desktop_config\.json: "mcpServers"\.bridge is a string, not an object/);
  assert.doesNotMatch(r.stderr, /json\.exception/);
});

const ourConfig = (home) => path.join(home.env.XDG_CONFIG_HOME, "mcp-bridge", "config.json");

test("add --replace changes only what is given, prints what changed, never a header value", T, async (t) => {
  const home = await tempHome({ t });
  const jumpcloud = {
    url: "https://mcp.jumpcloud.com/v1", prefix: "jc_mine_", auth: "token", token: "${keychain:jumpcloud}",
    headers: { "X-Extra": SECRET }, tools: { deny: ["device_erase"] }, confirm: ["user_suspend"],
  };
  const docs = { url: "http://127.0.0.1:9/mcp", prefix: "d_", auth: "none", headers: { "X-A": "1" } };
  await writeJson(ourConfig(home), { servers: { jumpcloud, docs } });
  let r = await bridge(home, ["add", "jumpcloud", "--org", "5f1e0123", "--replace"]);
  expectCode(r, 0, "add jumpcloud --org --replace");
  let config = await readJson(ourConfig(home));
  assert.deepEqual(config.servers.jumpcloud, { ...jumpcloud, organizationID: "5f1e0123" });
  assert.match(r.stdout, /organizationID: set to "5f1e0123"/);
  assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET));

  r = await bridge(home, ["add", "docs", "--prefix", "d2_", "--header", "X-B=2", "--replace"]);
  expectCode(r, 0, "add docs --prefix --replace (no --url)");
  config = await readJson(ourConfig(home));
  assert.deepEqual(config.servers.docs, { ...docs, prefix: "d2_", headers: { "X-A": "1", "X-B": "2" } });
  assert.match(r.stdout, /prefix: "d_" -> "d2_"/);
  assert.match(r.stdout, /headers\.X-B: added/);

  // Without --replace the remedy names both ways.
  r = await bridge(home, ["add", "docs", "--url", "http://127.0.0.1:8/mcp"]);
  expectCode(r, 2, "add over an existing entry");
  assert.match(r.stderr, /--replace/);
  assert.match(r.stderr, /bridge remove docs/);
});

test("a symlinked config stays a symlink; the target is replaced with its mode kept, a backup is beside the link", T, async (t) => {
  const home = await tempHome({ t });
  const dotfiles = path.join(home.dir, "dotfiles");
  const real = path.join(dotfiles, "claude.json");
  await writeJson(real, { mcpServers: {}, keep: 1 });
  await fsp.chmod(real, 0o640);
  await fsp.mkdir(path.dirname(claudePath(home)), { recursive: true });
  await fsp.symlink(path.relative(path.dirname(claudePath(home)), real), claudePath(home));
  const r = await bridge(home, ["install", "claude"]);
  expectCode(r, 0, "install through a symlink");
  assert.ok(fs.lstatSync(claudePath(home)).isSymbolicLink(), "still a symlink");
  const after = await readJson(real);
  assert.equal(after.keep, 1);
  assert.deepEqual(after.mcpServers.bridge.args, ["serve"]);
  assert.equal(fs.statSync(real).mode & 0o777, 0o640, "mode kept");
  assert.deepEqual(fs.readdirSync(dotfiles), ["claude.json"], "no temp file or backup left in the target's folder");
  const backup = fs.readdirSync(path.dirname(claudePath(home))).find((f) => f.includes(".bak-"));
  assert.ok(backup && r.stdout.includes(backup), `backup named in the output:\n${r.stdout}`);

  // Our own config as a symlink: bridge add writes through it.
  const ours = path.join(dotfiles, "bridge.json");
  await writeJson(ours, { servers: {} });
  await fsp.mkdir(path.dirname(ourConfig(home)), { recursive: true });
  await fsp.symlink(ours, ourConfig(home));
  expectCode(await bridge(home, ["add", "mcpjungle"]), 0, "add through a symlink");
  assert.ok(fs.lstatSync(ourConfig(home)).isSymbolicLink());
  assert.ok((await readJson(ours)).servers.mcpjungle);
});

test("JSONC client configs (comments, trailing commas) are accepted; odd shapes get the file and the key", T, async (t) => {
  const home = await tempHome({ t });
  const vscode = path.join(home.env.XDG_CONFIG_HOME, "Code", "User", "mcp.json");
  await writeJson(vscode, '{\n  /* my servers */\n  "servers": {\n    "gh": {"type": "http", "url": "https://x.example/mcp",}, // work\n  },\n  "inputs": [1, 2,],\n}\n');
  let r = await bridge(home, ["install", "vscode"]);
  expectCode(r, 0, "install into JSONC");
  // A new entry goes in by a text edit: the comments stay.
  assert.match(r.stdout, /comments and layout kept/);
  let text = await fsp.readFile(vscode, "utf8");
  assert.match(text, /\/\* my servers \*\//);
  assert.match(text, /\/\/ work/);
  const strip = (t) => JSON.parse(t.replace(/\/\*[^]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1").replace(/,(\s*[}\]])/g, "$1"));
  let after = strip(text);
  assert.deepEqual(after.servers.gh, { type: "http", url: "https://x.example/mcp" });
  assert.deepEqual(after.servers.bridge.args, ["serve"]);
  assert.deepEqual(after.inputs, [1, 2]);
  // Changing an existing entry rewrites the file: the lost comments are said, the backup has them.
  r = await bridge(home, ["--config", path.join(home.dir, "other.json"), "install", "vscode"]);
  expectCode(r, 0, "update in JSONC");
  assert.match(r.stdout, /had comments.*backup/);
  after = await readJson(vscode);
  assert.deepEqual(after.inputs, [1, 2]);
  const backups = fs.readdirSync(path.dirname(vscode)).filter((f) => f.includes(".bak-")).sort();
  assert.match(await fsp.readFile(path.join(path.dirname(vscode), backups[backups.length - 1]), "utf8"), /my servers/);

  await writeJson(vscode, '{"servers": {"gh": {"timeout": 1E400}}}');
  r = await bridge(home, ["install", "vscode"]);
  expectCode(r, 2, "a number too large");
  assert.match(r.stderr, /mcp\.json: .*"servers\.gh\.timeout".*1E400/);
  assert.doesNotMatch(r.stderr, /json\.exception/);
  await writeJson(vscode, '{"servers": "none"}');
  r = await bridge(home, ["install", "vscode"]);
  expectCode(r, 2, "servers is a string");
  assert.match(r.stderr, /mcp\.json: "servers" is a string, not an object/);
});

test("a literal secret in --header goes to the keychain and the config refers to it", T, async (t) => {
  const home = await tempHome({ t });
  const r = await bridge(home, ["add", "docs", "--url", "http://127.0.0.1:9/mcp", "--header", `Authorization: Bearer ${SECRET}`, "--header", "X-Plain=1"]);
  expectCode(r, 0, "add with an Authorization header");
  const text = await fsp.readFile(ourConfig(home), "utf8");
  assert.ok(!text.includes(SECRET), "the secret is not in the config file");
  assert.deepEqual(JSON.parse(text).servers.docs.headers, { Authorization: "${keychain:docs-authorization}", "X-Plain": "1" });
  assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET));
  assert.match(r.stdout, /Authorization header holds a secret: stored in the file/);
  const secrets = await fsp.readFile(path.join(home.env.XDG_DATA_HOME, "mcp-bridge", "secrets.json"), "utf8");
  assert.ok(secrets.includes(SECRET), "the value is in the (file) token store");
});

test("our own config with comments is refused by add and remove, untouched (serve reads it as strict JSON)", T, async (t) => {
  const home = await tempHome({ t });
  const ours = path.join(home.env.XDG_CONFIG_HOME, "mcp-bridge", "config.json");
  await fsp.mkdir(path.dirname(ours), { recursive: true });
  const text = '{\n  // my servers\n  "servers": { "a": { "url": "http://127.0.0.1:9/mcp", "prefix": "a_" } }\n}\n';
  await fsp.writeFile(ours, text);
  for (const args of [["add", "b", "--url", "http://127.0.0.1:9/b"], ["remove", "a"]]) {
    const r = await bridge(home, args);
    expectCode(r, 2, args.join(" "));
    assert.match(r.stderr, /has comments or trailing commas.*nothing was changed/);
    assert.equal(await fsp.readFile(ours, "utf8"), text, "the file is as the user wrote it");
  }
});
