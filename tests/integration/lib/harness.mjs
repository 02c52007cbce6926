// Integration harness: real peer servers (tests/peers, official SDK) and the real bridge binary
// over stdio. Node built-ins only, so demo/demo.mjs can reuse it.
//
//   startPeer(name, args, {t})   → {url, ready, port, state(), stop(), stderr()}
//   tempHome({t})                → {dir, env, cleanup()}
//   startBridge({config, env, args, home, t}) → client (send, sendRaw, request, initialize, …)
//
// Pass the node:test context as `t` to have everything stopped/removed when the test ends.
import { spawn } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const TESTS_DIR = path.resolve(here, "..", "..");
export const REPO_DIR = path.resolve(TESTS_DIR, "..");
export const PEERS_DIR = path.join(TESTS_DIR, "peers");

export function bridgeBin() {
  if (process.env.BRIDGE_BIN) return path.resolve(process.env.BRIDGE_BIN);
  return path.join(REPO_DIR, "build", "default", "src", "bridge");
}

// Every child we start, so an aborted run never leaves one behind.
const children = new Set();
process.on("exit", () => {
  for (const c of children) {
    try { c.kill("SIGKILL"); } catch {}
  }
});

function onCleanup(t, fn) {
  if (t && typeof t.after === "function") t.after(fn);
}

function waitExit(child, timeoutMs) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return resolve({ code: child.exitCode, signal: child.signalCode, timedOut: false });
    }
    let timer;
    const done = (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut: false });
    };
    child.once("exit", done);
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        child.off("exit", done);
        resolve({ code: null, signal: null, timedOut: true });
      }, timeoutMs);
    }
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Resolves once the child is running; rejects with the spawn error (ENOENT, EACCES…).
function spawned(child, what) {
  return new Promise((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (err) => reject(new Error(`${what}: ${err.message}`)));
  });
}

// Lines of a stream, without quadratic rescans: only new chunks are searched for '\n'.
function lineReader(stream, onLine) {
  let parts = [];
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf("\n", start);
      if (nl === -1) break;
      parts.push(chunk.slice(start, nl));
      const line = parts.join("");
      parts = [];
      onLine(line);
      start = nl + 1;
    }
    if (start < chunk.length) parts.push(chunk.slice(start));
  });
  stream.on("end", () => {
    if (parts.length) onLine(parts.join(""), { unterminated: true });
    parts = [];
  });
}

// ---------------------------------------------------------------------------------------------
// Peers

export async function startPeer(name, args = [], { t, timeoutMs = 15000 } = {}) {
  const script = path.join(PEERS_DIR, `${name}.mjs`);
  const child = spawn(process.execPath, [script, "--port", "0", ...args], {
    cwd: TESTS_DIR,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  await spawned(child, `peer ${name}`);
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => { stderr += d; if (stderr.length > 1e6) stderr = stderr.slice(-5e5); });

  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`peer ${name}: no ready line within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    let got = false;
    lineReader(child.stdout, (line) => {
      if (got) {
        process.stderr.write(`[peer ${name} stdout] ${line}\n`);
        return;
      }
      got = true;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`peer ${name}: bad ready line ${JSON.stringify(line)}`));
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (!got) reject(new Error(`peer ${name} exited (${code ?? signal}) before it was ready; stderr:\n${stderr}`));
    });
  });
  const url = ready.listening;
  const u = new URL(url);
  const base = `${u.protocol}//${u.host}`;

  let stopped = false;
  const peer = {
    name,
    url,
    ready, // the whole ready line: some peers say more than where they listen
    port: Number(u.port),
    base,
    child,
    stderr: () => stderr,
    async state() {
      const r = await fetch(`${base}/_test/state`);
      if (!r.ok) throw new Error(`peer ${name}: /_test/state → ${r.status}`);
      return r.json();
    },
    async expireSessions() {
      const r = await fetch(`${base}/_test/expire-sessions`, { method: "POST" });
      return r.json();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      child.kill("SIGTERM");
      const r = await waitExit(child, 3000);
      if (r.timedOut) {
        child.kill("SIGKILL");
        await waitExit(child, 3000);
      }
      children.delete(child);
    },
  };
  onCleanup(t, () => peer.stop());
  return peer;
}

// A loopback port on which nothing listens (bound, then closed).
export async function deadPort() {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Temp HOME / XDG dirs

export async function tempHome({ t } = {}) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "bridge-test-"));
  const home = path.join(dir, "home");
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_DATA_HOME: path.join(home, ".local", "share"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    XDG_STATE_HOME: path.join(home, ".local", "state"),
  };
  for (const d of Object.values(env)) await fsp.mkdir(d, { recursive: true });
  let removed = false;
  const h = {
    dir,
    env,
    async cleanup() {
      if (removed) return;
      removed = true;
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
  onCleanup(t, () => h.cleanup());
  return h;
}

// ---------------------------------------------------------------------------------------------
// The bridge over stdio

export class ProtocolError extends Error {}

// Environment for the bridge: PATH and locale from ours, never our real HOME/XDG/keychain bus.
function baseEnv() {
  const keep = ["PATH", "LANG", "LC_ALL", "TZ", "TMPDIR", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"];
  const env = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return env;
}

/**
 * Start the bridge.
 *   config   object written as JSON to a temp file named by BRIDGE_CONFIG (or a string, written as is;
 *            or null to set no BRIDGE_CONFIG at all)
 *   env      extra environment (e.g. PEER_TOKEN)
 *   args     default ["serve"]
 *   home     a tempHome() (one is made when absent)
 *   autoReply  answer the bridge's own requests (ping → {}, roots/list → {roots:[]}, others -32601)
 */
// expectCutResults: a line that is the beginning of a result cut off in transit (a large result
// is forwarded while it arrives; when its upstream dies halfway, the line ends where it stands and
// an error follows) is collected in client.cutLines instead of failing the test as non-JSON.
export async function startBridge({ config, env = {}, args = ["serve"], home, t, autoReply = true, bin, expectCutResults = false } = {}) {
  const h = home ?? (await tempHome({ t }));
  const configFile = path.join(h.dir, "config.json");
  if (config !== null && config !== undefined) {
    await fsp.writeFile(configFile, typeof config === "string" ? config : JSON.stringify(config, null, 2));
  }
  const exe = bin ?? bridgeBin();
  if (!fs.existsSync(exe)) throw new Error(`bridge binary not found at ${exe} (set BRIDGE_BIN)`);
  const childEnv = { ...baseEnv(), ...h.env, ...(config !== null && config !== undefined ? { BRIDGE_CONFIG: configFile } : {}), ...env };
  const startedAt = Date.now();
  const child = spawn(exe, args, { cwd: h.dir, env: childEnv, stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  child.stdin.on("error", () => {}); // EPIPE after the bridge exits is the test's business, not a crash
  try {
    await spawned(child, `bridge ${exe}`);
  } catch (err) {
    children.delete(child);
    throw err;
  }

  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => { stderr += d; if (stderr.length > 4e6) stderr = stderr.slice(-2e6); });

  const messages = [];
  const badLines = [];
  const cutLines = [];
  const waiters = new Set(); // {pred, resolve, reject, timer}
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      exited = { code, signal };
      children.delete(child);
      resolve(exited);
    });
  });

  const failAll = (err) => {
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    waiters.clear();
  };

  const client = {
    pid: child.pid,
    child,
    configFile,
    home: h,
    messages,
    badLines,
    cutLines,
    startedAt,
    stderr: () => stderr,
    get exited() { return exited; },
    exitPromise,
    _nextId: 1,

    send(obj) {
      client.sendRaw(JSON.stringify(obj));
    },
    sendRaw(line) {
      child.stdin.write(line + "\n");
    },

    // Resolves with the first message matching pred, looking at messages[fromIndex…] already
    // received and then at future ones.
    waitFor(pred, timeoutMs = 10000, what = "a matching message", fromIndex = 0) {
      for (let i = fromIndex; i < messages.length; i++) if (pred(messages[i])) return Promise.resolve(messages[i]);
      if (badLines.length) return Promise.reject(new ProtocolError(`bridge wrote a non-JSON stdout line: ${JSON.stringify(badLines[0].slice(0, 200))}`));
      return new Promise((resolve, reject) => {
        const w = { pred, resolve, reject };
        w.timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${exited ? ` (bridge exited ${JSON.stringify(exited)})` : ""}\n--- bridge stderr (tail) ---\n${stderr.slice(-3000)}`));
        }, timeoutMs);
        waiters.add(w);
      });
    },

    // The response (whole object) to a request with this id, among messages[fromIndex…] and later.
    response(id, timeoutMs = 10000, fromIndex = 0) {
      const key = JSON.stringify(id);
      return client.waitFor(
        (m) => isResponse(m) && typeof m.id === typeof id && JSON.stringify(m.id) === key,
        timeoutMs,
        `the response to id ${key}`,
        fromIndex,
      );
    },

    async request(method, params, { timeoutMs = 10000, id } = {}) {
      const rid = id !== undefined ? id : client._nextId++;
      const msg = { jsonrpc: "2.0", id: rid, method };
      if (params !== undefined) msg.params = params;
      // Only a response that arrives after this request was sent counts.
      const p = client.response(rid, timeoutMs, messages.length);
      client.send(msg);
      return p;
    },

    notify(method, params) {
      const msg = { jsonrpc: "2.0", method };
      if (params !== undefined) msg.params = params;
      client.send(msg);
    },

    async initialize({ protocolVersion = "2025-06-18", capabilities = {}, timeoutMs = 10000 } = {}) {
      const r = await client.request(
        "initialize",
        { protocolVersion, capabilities, clientInfo: { name: "bridge-integration-tests", version: "1.0.0" } },
        { timeoutMs },
      );
      if (r.error) throw new Error(`initialize failed: ${JSON.stringify(r.error)}\n${stderr}`);
      client.notify("notifications/initialized");
      return r;
    },

    // Result of a request, or throw with the error (and stderr) when it failed.
    async call(method, params, opts) {
      const r = await client.request(method, params, opts);
      if (r.error) {
        const e = new Error(`${method} → error ${JSON.stringify(r.error)}`);
        e.response = r;
        throw e;
      }
      return r.result;
    },

    // Follow nextCursor; returns {items, pages}.
    async listAll(method, key, { params = {}, timeoutMs = 10000, maxPages = 1000 } = {}) {
      const items = [];
      const pages = [];
      let cursor;
      for (let i = 0; i < maxPages; i++) {
        const result = await client.call(method, cursor === undefined ? params : { ...params, cursor }, { timeoutMs });
        pages.push(result);
        items.push(...(result[key] ?? []));
        cursor = result.nextCursor;
        if (cursor === undefined || cursor === null) return { items, pages };
      }
      throw new Error(`${method}: more than ${maxPages} pages`);
    },

    // Poll tools/list (all pages) until pred(tools) holds; upstreams connect in the background.
    async waitForTools(pred, { timeoutMs = 15000, what = "the expected tools" } = {}) {
      const deadline = Date.now() + timeoutMs;
      let last = [];
      for (;;) {
        last = (await client.listAll("tools/list", "tools")).items;
        if (pred(last)) return last;
        if (Date.now() > deadline) {
          throw new Error(`tools/list never showed ${what} within ${timeoutMs} ms; last names: ${last.map((x) => x.name).join(", ")}\n--- bridge stderr (tail) ---\n${stderr.slice(-3000)}`);
        }
        await sleep(100);
      }
    },

    async callTool(name, args = {}, opts) {
      return client.call("tools/call", { name, arguments: args }, opts);
    },

    // End stdin, wait for the exit; SIGKILL after timeoutMs. Rejects when stdout carried non-JSON.
    async close({ timeoutMs = 5000 } = {}) {
      try { child.stdin.end(); } catch {}
      let r = await Promise.race([exitPromise, sleep(timeoutMs).then(() => null)]);
      let killed = false;
      if (!r) {
        killed = true;
        child.kill("SIGKILL");
        r = await exitPromise;
      }
      const result = { ...r, killed };
      if (badLines.length) {
        throw new ProtocolError(`bridge wrote ${badLines.length} non-JSON stdout line(s), first: ${JSON.stringify(badLines[0].slice(0, 200))}`);
      }
      return result;
    },

    kill() {
      if (!exited) child.kill("SIGKILL");
    },
  };

  lineReader(child.stdout, (line, info) => {
    let msg;
    try {
      if (info?.unterminated) throw new Error("unterminated");
      msg = JSON.parse(line);
      if (msg === null || typeof msg !== "object") throw new Error("not an object");
    } catch {
      if (expectCutResults && line.startsWith('{"result":')) {
        cutLines.push(line);
        return;
      }
      badLines.push(line);
      failAll(new ProtocolError(`bridge wrote a non-JSON stdout line: ${JSON.stringify(line.slice(0, 200))}`));
      return;
    }
    messages.push(msg);
    if (!isResponse(msg) && autoReply && typeof msg.method === "string" && "id" in msg) {
      // A request from the bridge to us (forwarded from an upstream, or its own).
      if (msg.method === "ping") client.send({ jsonrpc: "2.0", id: msg.id, result: {} });
      else if (msg.method === "roots/list") client.send({ jsonrpc: "2.0", id: msg.id, result: { roots: [] } });
      else client.send({ jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: `test client does not support ${msg.method}` } });
    }
    for (const w of [...waiters]) {
      if (w.pred(msg)) {
        clearTimeout(w.timer);
        waiters.delete(w);
        w.resolve(msg);
      }
    }
  });
  child.once("exit", () => {
    // Give stdout a moment to drain, then fail whoever still waits.
    setTimeout(() => failAll(new Error(`bridge exited ${JSON.stringify(exited)} while a test waited\n--- bridge stderr (tail) ---\n${stderr.slice(-3000)}`)), 200);
  });

  onCleanup(t, async () => {
    if (!exited) {
      try { child.stdin.end(); } catch {}
      const r = await Promise.race([exitPromise, sleep(2000).then(() => null)]);
      if (!r) {
        child.kill("SIGKILL");
        await exitPromise;
      }
    }
    if (badLines.length) {
      throw new ProtocolError(`bridge wrote ${badLines.length} non-JSON stdout line(s), first: ${JSON.stringify(badLines[0].slice(0, 200))}`);
    }
  });
  return client;
}

export function isResponse(m) {
  return m && typeof m === "object" && !("method" in m) && "id" in m && ("result" in m || "error" in m);
}

// Run a bridge command that is expected to exit by itself (e.g. invalid config): {code, signal, stdout, stderr}.
export async function runBridge({ config, env = {}, args = ["serve"], home, t, timeoutMs = 5000, stdin = "", bin } = {}) {
  const h = home ?? (await tempHome({ t }));
  const configFile = path.join(h.dir, "config.json");
  if (config !== null && config !== undefined) {
    await fsp.writeFile(configFile, typeof config === "string" ? config : JSON.stringify(config, null, 2));
  }
  const exe = bin ?? bridgeBin();
  if (!fs.existsSync(exe)) throw new Error(`bridge binary not found at ${exe} (set BRIDGE_BIN)`);
  const childEnv = { ...baseEnv(), ...h.env, ...(config !== null && config !== undefined ? { BRIDGE_CONFIG: configFile } : {}), ...env };
  const child = spawn(exe, args, { cwd: h.dir, env: childEnv, stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  child.stdin.on("error", () => {});
  try {
    await spawned(child, `bridge ${exe}`);
  } catch (err) {
    children.delete(child);
    throw err;
  }
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
  // Keep stdin open (a serve that does not exit must be caught by the timeout, not by EOF).
  if (stdin) child.stdin.write(stdin);
  const r = await waitExit(child, timeoutMs);
  if (r.timedOut) {
    child.kill("SIGKILL");
    await waitExit(child);
  }
  children.delete(child);
  try { child.stdin.end(); } catch {}
  return { ...r, stdout, stderr, configFile };
}

// ---------------------------------------------------------------------------------------------
// Small helpers for tests and the demo

export const NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

// The text of a tool result's first text content.
export function textOf(result) {
  const c = (result?.content ?? []).find((x) => x.type === "text");
  return c ? c.text : undefined;
}

// All text contents joined (for error messages).
export function allText(result) {
  return (result?.content ?? []).filter((x) => x.type === "text").map((x) => x.text).join("\n");
}
