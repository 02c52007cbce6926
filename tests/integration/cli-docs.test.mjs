// Every `bridge` command shown in the docs is run. The runner reads the ```sh blocks of docs/*.md
// and README.md, and runs each line that invokes `bridge` (first word, after any VAR=value, or
// piped into it) with `sh -c`, in order, one temp HOME per file — as a reader who did
// "Getting started" first: each home starts with `bridge add jumpcloud` and `bridge add mcpjungle`.
// Blocks marked ```text (other programs' commands, e.g. `claude mcp add`) are not run.
//
// Nothing leaves this machine: every HTTP(S) request goes through a proxy on a loopback port where
// nothing listens (HTTPS_PROXY/HTTP_PROXY/ALL_PROXY; libcurl then does no DNS for the real host).
// Commands that only touch files must exit 0. Commands that reach servers (status, doctor, tools,
// call, login, logout) must end by themselves, without a signal, with a documented exit code
// (0, 1 or 3 — offline they report the server unreachable), and must say something.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { tempHome, deadPort, bridgeBin, REPO_DIR } from "./lib/harness.mjs";

const NETWORK = new Set(["status", "doctor", "tools", "call", "login", "logout"]);
const STDIN = "jca_docs_example_key_0000\n"; // what a reader would type at a secret prompt

function shBlocks(markdown) {
  const blocks = [];
  const re = /^```sh[^\n]*\n([\s\S]*?)^```/gm;
  for (let m; (m = re.exec(markdown)); ) blocks.push(m[1]);
  return blocks;
}

// The bridge invocations of a block: [{line, subcommand}].
function bridgeLines(block) {
  const out = [];
  for (const raw of block.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const words = line.replace(/^(\w+=\S*\s+)+/, "").split(/\s+/);
    let rest = null;
    if (words[0] === "bridge") rest = words.slice(1);
    else {
      const piped = line.split("|").map((x) => x.trim()).find((x) => x.startsWith("bridge "));
      if (piped) rest = piped.split(/\s+/).slice(1);
    }
    if (!rest) continue;
    const subcommand = rest.find((w) => !w.startsWith("-")) ?? "";
    out.push({ line, subcommand });
  }
  return out;
}

function docFiles() {
  const dir = path.join(REPO_DIR, "docs");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".md")).map((f) => path.join(dir, f));
  return [path.join(REPO_DIR, "README.md"), ...files.sort()];
}

test("the docs' bridge commands exist in the docs at all (the runner finds them)", () => {
  const all = docFiles().flatMap((f) => shBlocks(fs.readFileSync(f, "utf8")).flatMap(bridgeLines));
  const subcommands = new Set(all.map((x) => x.subcommand));
  for (const s of ["add", "install", "status", "doctor", "tools", "call", "token", "list", "remove"]) {
    assert.ok(subcommands.has(s), `no doc shows \`bridge ${s}\``);
  }
});

for (const file of docFiles()) {
  const lines = shBlocks(fs.readFileSync(file, "utf8")).flatMap(bridgeLines);
  if (lines.length === 0) continue;
  test(`every bridge command in ${path.relative(REPO_DIR, file)} runs`, { timeout: 180_000 }, async (t) => {
    const home = await tempHome({ t });
    const bin = path.join(home.dir, "bin");
    await fsp.mkdir(bin);
    // Must exist: a dangling link would let `sh` find another `bridge` (iproute2 ships one).
    assert.ok(fs.existsSync(bridgeBin()), `bridge binary not found at ${bridgeBin()} (set BRIDGE_BIN)`);
    await fsp.symlink(path.resolve(bridgeBin()), path.join(bin, "bridge"));
    const proxy = `http://127.0.0.1:${await deadPort()}`;
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      ...home.env,
      BRIDGE_TOKEN_STORE: "file",
      BROWSER: "true",
      HTTPS_PROXY: proxy, HTTP_PROXY: proxy, ALL_PROXY: proxy, https_proxy: proxy, http_proxy: proxy,
      NO_PROXY: "127.0.0.1", no_proxy: "127.0.0.1",
      JC_API_KEY: "jca_docs_example_key_0000",
      LANG: process.env.LANG ?? "C.UTF-8",
    };
    const run = (line) =>
      spawnSync("sh", ["-c", line], { cwd: home.dir, env, input: STDIN, encoding: "utf8", timeout: 60_000 });
    for (const setup of ["bridge add jumpcloud", "bridge add mcpjungle"]) {
      const r = run(setup);
      assert.equal(r.status, 0, `${setup}: ${r.stderr}`);
    }
    for (const { line, subcommand } of lines) {
      const r = run(line);
      const what = `\`${line}\` (from ${path.basename(file)}) → exit ${r.status} signal ${r.signal}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
      // EPIPE: the command ended without reading the stdin offered to every line (no error of it).
      assert.ok(r.error === undefined || r.error.code === "EPIPE", `${r.error}: ${what}`);
      assert.equal(r.signal, null, what);
      if (NETWORK.has(subcommand)) {
        assert.ok([0, 1, 3].includes(r.status), what);
        assert.ok((r.stdout + r.stderr).trim().length > 0, `silent: ${what}`);
      } else {
        assert.equal(r.status, 0, what);
      }
      assert.ok(!/terminate called|Segmentation|AddressSanitizer/.test(r.stderr), what);
    }
  });
}
