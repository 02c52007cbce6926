#!/usr/bin/env node
// The conformance suite's client under test: `adapter.mjs <serverUrl>`, with MCP_CONFORMANCE_SCENARIO
// (and for some scenarios MCP_CONFORMANCE_CONTEXT: pre-registered client credentials) in the
// environment. It writes a bridge config for the URL (in a private temp home, file token store),
// then drives the real `bridge serve` over stdio the way an AI client would: initialize, list the
// tools (waiting for tools/list_changed when an OAuth login is under way), call each tool, answer
// the upstream's elicitation/sampling/roots requests, and close. The OAuth "browser" is
// tests/peers/oauth-browser.mjs (a headless redirect follower).
//
// BRIDGE_BIN names the binary (default: build/oauth/src/bridge, then build/default/src/bridge).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const serverUrl = process.argv[2];
const scenario = process.env.MCP_CONFORMANCE_SCENARIO || "";
const context = process.env.MCP_CONFORMANCE_CONTEXT ? JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT) : {};
const log = (...a) => console.error("[adapter]", ...a);

function bridgeBin() {
  if (process.env.BRIDGE_BIN) return path.resolve(process.env.BRIDGE_BIN);
  for (const dir of ["oauth", "default", "ci"]) {
    const candidate = path.join(repo, "build", dir, "src", "bridge");
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error("no bridge binary: set BRIDGE_BIN");
}

// ---- the config this scenario needs ----
const home = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-conformance-"));
const env = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: path.join(home, "config"),
  XDG_DATA_HOME: path.join(home, "data"),
  BRIDGE_CONFIG: path.join(home, "config.json"),
  BRIDGE_TOKEN_STORE: "file",
  BROWSER: path.join(repo, "tests", "peers", "oauth-browser.mjs"),
  BRIDGE_OAUTH_TIMEOUT_S: "20",
};
delete env.MCP_CONFORMANCE_CONTEXT;

const entry = { url: serverUrl, prefix: "t_", auth: "none" };
if (scenario.startsWith("auth/")) {
  entry.auth = "oauth";
  const oauth = {};
  if (context.client_id) oauth.client_id = context.client_id;
  if (context.client_secret) {
    env.CONFORMANCE_CLIENT_SECRET = context.client_secret;
    oauth.client_secret = "${env:CONFORMANCE_CLIENT_SECRET}";
  }
  if (context.private_key_pem) {
    const keyFile = path.join(home, "client-key.pem");
    fs.writeFileSync(keyFile, context.private_key_pem, { mode: 0o600 });
    oauth.private_key_pem = "${file:" + keyFile + "}";
  }
  if (context.signing_algorithm) oauth.signing_algorithm = context.signing_algorithm;
  if (scenario.startsWith("auth/client-credentials")) oauth.grant = "client_credentials";
  if (context.idp_id_token) {
    // Enterprise-Managed Authorization (cross-app access): the ID token the enterprise IdP issued
    // at single sign-on, exchanged there for an ID-JAG, presented to the MCP authorization server.
    env.CONFORMANCE_IDP_ID_TOKEN = context.idp_id_token;
    oauth.grant = "enterprise";
    oauth.idp = {
      issuer: context.idp_issuer,
      token_endpoint: context.idp_token_endpoint,
      client_id: context.idp_client_id,
      id_token: "${env:CONFORMANCE_IDP_ID_TOKEN}",
    };
  }
  // The client ID metadata document the conformance authorization server expects (basic-cimd).
  oauth.client_metadata_url = "https://conformance-test.local/client-metadata.json";
  entry.oauth = oauth;
}
fs.writeFileSync(env.BRIDGE_CONFIG, JSON.stringify({ servers: { test: entry } }, null, 2));

// ---- drive bridge serve ----
const child = spawn(bridgeBin(), ["serve"], { env, stdio: ["pipe", "pipe", "pipe"] });
child.stderr.on("data", (d) => process.stderr.write(d));
let nextId = 1;
const waiting = new Map();
const notifications = [];
const notificationWaiters = [];

function send(message) {
  child.stdin.write(JSON.stringify(message) + "\n");
}

function request(method, params, timeoutMs = 20000) {
  const id = nextId++;
  send({ jsonrpc: "2.0", id, method, params });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error(`${method} timed out`));
    }, timeoutMs);
    waiting.set(id, (message) => {
      clearTimeout(timer);
      resolve(message);
    });
  });
}

function waitNotification(method, timeoutMs) {
  const seen = notifications.findIndex((n) => n.method === method);
  if (seen >= 0) {
    notifications.splice(seen, 1);
    return Promise.resolve(true);
  }
  return new Promise((resolve) => {
    const waiter = { method, resolve };
    notificationWaiters.push(waiter);
    setTimeout(() => {
      const i = notificationWaiters.indexOf(waiter);
      if (i >= 0) notificationWaiters.splice(i, 1);
      resolve(false);
    }, timeoutMs);
  });
}

// Values for an elicitation form: each field's default, else something of the right type.
function formValues(schema) {
  const content = {};
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    if (prop.default !== undefined) content[name] = prop.default;
    else if (prop.enum) content[name] = prop.enum[0];
    else if (prop.type === "number" || prop.type === "integer") content[name] = 1;
    else if (prop.type === "boolean") content[name] = true;
    else content[name] = "test";
  }
  return content;
}

function answerServerRequest(message) {
  const reply = (result) => send({ jsonrpc: "2.0", id: message.id, result });
  switch (message.method) {
    case "elicitation/create":
      return reply({ action: "accept", content: formValues(message.params?.requestedSchema) });
    case "sampling/createMessage":
      return reply({ role: "assistant", content: { type: "text", text: "ok" }, model: "conformance", stopReason: "endTurn" });
    case "roots/list":
      return reply({ roots: [] });
    case "ping":
      return reply({});
    default:
      return send({ jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "Method not found" } });
  }
}

readline.createInterface({ input: child.stdout }).on("line", (line) => {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    log("not JSON from the bridge:", line);
    return;
  }
  if (message.method && message.id !== undefined) return answerServerRequest(message);
  if (message.method) {
    const i = notificationWaiters.findIndex((w) => w.method === message.method);
    if (i >= 0) notificationWaiters.splice(i, 1)[0].resolve(true);
    else notifications.push(message);
    return;
  }
  const done = waiting.get(message.id);
  if (done) {
    waiting.delete(message.id);
    done(message);
  }
});

// Arguments that satisfy a tool's input schema well enough for the test servers.
function argumentsFor(tool) {
  const args = {};
  for (const [name, prop] of Object.entries(tool.inputSchema?.properties ?? {})) {
    if (prop.type === "number" || prop.type === "integer") args[name] = name === "b" ? 3 : 2;
    else if (prop.type === "boolean") args[name] = true;
    else if (prop.type === "string") args[name] = prop.enum ? prop.enum[0] : "test";
    else if (prop.type === "array") args[name] = [];
    else if (prop.type === "object") args[name] = {};
  }
  return args;
}

let exitCode = 0;
try {
  const init = await request("initialize", {
    protocolVersion: "2025-11-25",
    capabilities: { elicitation: {}, sampling: {}, roots: { listChanged: true } },
    clientInfo: { name: "conformance-adapter", version: "1.0.0" },
  });
  if (init.error) throw new Error("initialize: " + JSON.stringify(init.error));
  send({ jsonrpc: "2.0", method: "notifications/initialized" });
  let listed = await request("tools/list", {});
  let tools = listed.result?.tools ?? [];
  if (tools.length === 0 && entry.auth === "oauth") {
    // The bridge logs in in the background; the tools come with tools/list_changed.
    if (await waitNotification("notifications/tools/list_changed", 25000)) {
      listed = await request("tools/list", {});
      tools = listed.result?.tools ?? [];
    }
  }
  log(`tools: ${tools.map((t) => t.name).join(", ") || "(none)"}`);
  for (const tool of tools) {
    const result = await request("tools/call", { name: tool.name, arguments: argumentsFor(tool) }, 25000);
    const text = JSON.stringify(result.result ?? result.error).slice(0, 300);
    log(`call ${tool.name}: ${text}`);
    if (result.error || result.result?.isError) exitCode = 1;
  }
  // Without tools an OAuth scenario did not get through its login; other scenarios may have none.
  if (tools.length === 0 && entry.auth === "oauth") exitCode = 1;
} catch (e) {
  log("error:", e.message);
  exitCode = 1;
}
child.stdin.end();
const exited = await new Promise((resolve) => {
  const timer = setTimeout(() => resolve(false), 5000);
  child.on("exit", () => {
    clearTimeout(timer);
    resolve(true);
  });
});
if (!exited) child.kill("SIGKILL");
fs.rmSync(home, { recursive: true, force: true });
process.exit(exitCode);
