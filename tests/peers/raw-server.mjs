#!/usr/bin/env node
// A Streamable-HTTP MCP server on Node's bare `http` module (no SDK) that puts on the wire the
// exact bytes other server implementations send, so the bridge is tested against their framing.
//   node raw-server.mjs --port 0 --shape NAME [--invalid-session-400] [--name NAME]
// --shape NAME frames every reply (GET streams are always SSE, in the shape's SSE framing):
//   go-json        mcp-go ≤0.32 / MCPJungle: application/json, json.Encoder output (compact,
//                  < > & U+2028 U+2029 escaped as \u003c …, then "\n")
//   pretty-json    application/json, JSON.stringify(x, null, 2) + "\n"
//   go-sse-202     mcp-go's upgraded reply: status 202, text/event-stream,
//                  "event: message\ndata: {go json}\n\n"
//   python-sse     python-sdk / sse-starlette: CRLF line ends, lower-case header names,
//                  content-type "text/event-stream; charset=utf-8", a priming event
//                  "id: X\r\ndata: \r\nretry: 3000", ": ping - <date>" comments, real events
//                  "id: X\r\nevent: message\r\ndata: {…}"; notifications → 202 application/json, no body
//   rmcp-sse       rust rmcp: "data: {…}\nid: N\n\n" (no event line), priming
//                  "data: \nid: 0\nretry: 3000\n\n", ":\n\n" keep-alives
//   multiline-sse  "event: message" and the pretty-printed JSON over several data: lines
//   spring-sse     Spring: no space after the colons ("id:N\nevent:message\ndata:{…}\n\n")
//   goskd-sse      go-sdk: "event: prime" priming event before the message, "event: message" for
//                  data (go json); the GET stream opens with a ": ok" comment
// --list-padding N: the echo tool's description grows by N bytes (a tools/list page that large).
// --invalid-session-400: an unknown Mcp-Session-Id gets mcp-go's (through 0.43) answer, 400
//   text/plain "Invalid session ID\n" (Go's http.Error), instead of 404.
// Tools: echo {text} (the text back), big {bytes} (a text of that many bytes), fail (JSON-RPC error
//   -32000), tool_error (isError: true), notify (a notifications/message before the result, on
//   the reply stream of SSE shapes; JSON shapes just answer), announce (adds late_tool, then
//   notifications/tools/list_changed on the GET stream), trickle {bytes, ms} (a text of `bytes`
//   bytes whose reply is sent in 20 slices spread over `ms` milliseconds: a result that trickles),
//   reshuffle (the tool set changes twice, 300 ms apart, each time with list_changed: tools/list
//   then lists version_1, later version_2; a tools/list that meets version_1 is answered only
//   after 1 s, so the older answer arrives after the newer one, as under a slow gateway).
// --extra-tool NAME (repeatable): one more tool, answering "NAME from <--name>" (to make names of two
//   upstreams collide under overlapping prefixes).
// ask {what}: SSE shapes only. Sends the client a request of its own on the reply stream, whatever
//   capabilities the client declared (as a server that ignores them would): what = sampling
//   (sampling/createMessage), elicitation (form), elicitation-url, roots (roots/list); the tool's
//   result is the JSON of the answer it got (or "no answer" after 5 s). state.asks records each.
// Every response echoes the request's id token byte for byte, as the client wrote it.
// Test endpoints (loopback only): GET /_test/state (counters, last headers), POST /_test/expire
//   (alias /_test/expire-sessions, what the harness's expireSessions() calls): forget every
//   session; open GET streams are left as they are, so the next POST is what meets the old id.
// stdout carries only the ready line {"listening":"http://127.0.0.1:PORT/mcp"}; logs go to stderr.
import http from "node:http";
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { readBody, isLoopback, listenOnLoopback, printReadyLine } from "./plain-http.mjs";

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    shape: { type: "string", default: "go-json" },
    "invalid-session-400": { type: "boolean", default: false },
    "list-padding": { type: "string", default: "0" },
    name: { type: "string", default: "raw" },
    "extra-tool": { type: "string", multiple: true, default: [] },
  },
  strict: true,
});

const log = (...a) => console.error(`[${args.name}]`, ...a);
const SUPPORTED_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"];

// ---------------------------------------------------------------------------------------------
// Encodings

// Go's encoding/json escapes these inside strings (HTML safety); they occur only inside strings.
const goEscape = (s) => s.replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
const compact = (m) => JSON.stringify(m);
const goCompact = (m) => goEscape(JSON.stringify(m));
const pretty = (m) => JSON.stringify(m, null, 2);

const sseHeaders = { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" };
let eventNumber = 0; // ids of numbered events (rmcp, spring)
const pythonPing = ": ping - 2026-12-04 10:00:00.000000+00:00\r\n\r\n";

// kind "json": POST replies are one JSON body, `body(m)`; kind "sse": `event(m)` frames a message,
// `opener` starts a POST reply stream, `getOpener` a GET stream, `keepAlive` goes between events.
// `lower`: header names in lower case (Python's and Rust's HTTP stacks write them so).
const SHAPES = {
  "go-json": { kind: "json", body: (m) => goCompact(m) + "\n", data: goCompact },
  "pretty-json": { kind: "json", body: (m) => pretty(m) + "\n", data: compact },
  "go-sse-202": {
    kind: "sse",
    status: 202,
    event: (m) => `event: message\ndata: ${goCompact(m)}\n\n`,
  },
  "python-sse": {
    kind: "sse",
    lower: true,
    contentType: "text/event-stream; charset=utf-8", // Starlette adds the charset to text/ types
    opener: () => `id: ${randomUUID()}\r\ndata: \r\nretry: 3000\r\n\r\n${pythonPing}`,
    keepAlive: pythonPing,
    event: (m) => `id: ${randomUUID()}\r\nevent: message\r\ndata: ${compact(m)}\r\n\r\n`,
    acceptedJson: true, // notifications: 202, content-type application/json, empty body
  },
  "rmcp-sse": {
    kind: "sse",
    lower: true,
    opener: () => "data: \nid: 0\nretry: 3000\n\n:\n\n",
    keepAlive: ":\n\n",
    event: (m) => `data: ${compact(m)}\nid: ${++eventNumber}\n\n`,
  },
  "multiline-sse": {
    kind: "sse",
    event: (m) => "event: message\n" + pretty(m).split("\n").map((l) => `data: ${l}\n`).join("") + "\n",
  },
  "spring-sse": {
    kind: "sse",
    event: (m) => `id:${++eventNumber}\nevent:message\ndata:${compact(m)}\n\n`,
  },
  "goskd-sse": {
    kind: "sse",
    opener: () => "event: prime\ndata: \n\n",
    getOpener: () => ": ok\n\n",
    event: (m) => `event: message\ndata: ${goCompact(m)}\n\n`,
  },
};
const shape = SHAPES[args.shape];
if (!shape) {
  console.error(`unknown --shape ${args.shape}; one of: ${Object.keys(SHAPES).join(", ")}`);
  process.exit(2);
}
// GET streams are SSE whatever the shape: the JSON shapes frame them plainly.
const streamEvent = shape.event ?? ((m) => `event: message\ndata: ${shape.data(m)}\n\n`);
const getOpener = shape.getOpener ?? shape.opener ?? (() => "");

// res.writeHead in the shape's header style. Python's (h11) and Rust's (hyper) HTTP stacks write
// every header name in lower case, Node's automatic ones (Date, Connection, Transfer-Encoding)
// included: those are written here by hand so Node leaves them alone.
function writeHead(res, status, h) {
  if (!shape.lower) return res.writeHead(status, h);
  res.sendDate = false;
  const all = { date: new Date().toUTCString(), connection: "keep-alive", ...h };
  if (!Object.keys(h).some((k) => k.toLowerCase() === "content-length")) all["transfer-encoding"] = "chunked";
  return res.writeHead(status, Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v])));
}

// A message whose id is the client's raw token: serialized with a placeholder, then spliced, so
// the id comes back byte for byte (1.0 stays 1.0) whatever the framing does to the rest.
const ID_SLOT = "__raw_id_slot_5e1f__";
function withRawId(encode, rawId) {
  return (m) => encode(m).replace(JSON.stringify(ID_SLOT), () => rawId);
}

// The text of the top-level "id" member of a (valid) JSON object text, as written.
function rawIdOf(text) {
  let i = 0;
  const ws = () => { while (i < text.length && " \t\r\n".includes(text[i])) i++; };
  const skipString = () => {
    for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    i++;
  };
  const skipValue = () => {
    if (text[i] === '"') return skipString();
    if (text[i] === "{" || text[i] === "[") {
      let depth = 0;
      do {
        if (text[i] === '"') { skipString(); continue; }
        if (text[i] === "{" || text[i] === "[") depth++;
        else if (text[i] === "}" || text[i] === "]") depth--;
        i++;
      } while (depth > 0 && i < text.length);
      return;
    }
    while (i < text.length && !",}] \t\r\n".includes(text[i])) i++;
  };
  ws();
  if (text[i++] !== "{") return undefined;
  for (;;) {
    ws();
    if (text[i] !== '"') return undefined;
    const keyStart = i;
    skipString();
    const key = JSON.parse(text.slice(keyStart, i));
    ws();
    i++; // ':'
    ws();
    const valueStart = i;
    skipValue();
    if (key === "id") return text.slice(valueStart, i);
    ws();
    if (text[i++] !== ",") return undefined;
  }
}

// A text of exactly n bytes (ASCII): "0123456789abcdef" repeated, the last one cut.
function bigText(n) {
  const unit = "0123456789abcdef";
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

// ---------------------------------------------------------------------------------------------
// State

const sessions = new Map(); // id → { streams: Set<res>, queued: [message], lateTool: bool }
const state = {
  name: args.name,
  shape: args.shape,
  requests: 0,
  httpMethods: {}, // "POST" → count
  rpcCounts: {}, // JSON-RPC method → count
  rpcMethods: [], // in order (capped)
  sessionsCreated: 0,
  sessionsDeleted: 0,
  sessionsOpen: 0,
  asks: [], // {what, method, got: "result" | "error" | "nothing", code, message, ms}
  unknownSession: 0, // requests refused for an unknown Mcp-Session-Id (404 or 400)
  getStreamsOpen: 0,
  lastHeaders: {},
  lastPostHeaders: {},
  log: [], // {method, rpc, status} of the last 100 /mcp requests
};

const TOOLS = [
  { name: "echo", description: "Echo the text back <exactly> & unchanged",
    inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } },
  { name: "big", description: "A text result of `bytes` bytes",
    inputSchema: { type: "object", properties: { bytes: { type: "integer", minimum: 0 } }, required: ["bytes"] } },
  { name: "fail", description: "Answers with a JSON-RPC error", inputSchema: { type: "object", properties: {} } },
  { name: "tool_error", description: "Answers with isError: true", inputSchema: { type: "object", properties: {} } },
  { name: "notify", description: "Logs a message, then answers", inputSchema: { type: "object", properties: {} } },
  { name: "announce", description: "Adds late_tool (tools/list_changed)", inputSchema: { type: "object", properties: {} } },
  { name: "reshuffle", description: "Changes the tool set twice (list_changed each time)", inputSchema: { type: "object", properties: {} } },
  { name: "ask", description: "Sends the client a request (sampling | elicitation | elicitation-url | roots)",
    inputSchema: { type: "object", properties: { what: { type: "string" } }, required: ["what"] } },
  ...args["extra-tool"].map((name) => ({ name, description: `Extra tool of ${args.name}`, inputSchema: { type: "object", properties: {} } })),
  { name: "trickle", description: "A text result of `bytes` bytes, sent slowly over `ms` ms",
    inputSchema: { type: "object", properties: { bytes: { type: "integer", minimum: 0 }, ms: { type: "integer", minimum: 0 } }, required: ["bytes", "ms"] } },
];
// The requests `ask` sends the client, and the calls waiting for its answers (by request id).
const ASKS = {
  sampling: { method: "sampling/createMessage", params: { messages: [{ role: "user", content: { type: "text", text: "hi" } }], maxTokens: 10 } },
  elicitation: { method: "elicitation/create", params: { message: "Go on?", requestedSchema: { type: "object", properties: {} } } },
  "elicitation-url": { method: "elicitation/create", params: { mode: "url", message: "Sign in", url: "https://example.com/x", elicitationId: "e-1" } },
  roots: { method: "roots/list", params: {} },
};
const asks = new Map();
let askNumber = 0;
const LATE_TOOL = { name: "late_tool", description: "Added by announce", inputSchema: { type: "object", properties: {} } };
const LOG_DATA = "log from raw <peer> & co: é ✓";

const text = (t) => ({ content: [{ type: "text", text: t }] });

// → { result } | { error } for one request; `notify(m)` sends a message on the reply stream.
function answer(session, msg, notify) {
  const p = msg.params ?? {};
  switch (msg.method) {
    case "initialize":
      return {
        result: {
          protocolVersion: SUPPORTED_VERSIONS.includes(p.protocolVersion) ? p.protocolVersion : "2025-06-18",
          capabilities: { tools: { listChanged: true }, logging: {} },
          serverInfo: { name: `${args.name}-peer`, version: "1.0.0" },
        },
      };
    case "ping":
      return { result: {} };
    case "logging/setLevel":
      return { result: {} };
    case "tools/list": {
      const tools = session.lateTool ? [...TOOLS, LATE_TOOL] : [...TOOLS];
      const padding = Number(args["list-padding"]);
      if (padding > 0) tools[0] = { ...tools[0], description: tools[0].description + " " + "p".repeat(padding) };
      if (session.version) tools.push({ name: `version_${session.version}`, description: "Marks the tool set's version", inputSchema: { type: "object", properties: {} } });
      return { result: { tools } };
    }
    case "tools/call":
      break;
    default:
      return { error: { code: -32601, message: `Method not found: ${msg.method}` } };
  }
  const a = p.arguments ?? {};
  switch (p.name) {
    case "echo":
      return { result: text(String(a.text ?? "")) };
    case "big":
    case "trickle":
      return { result: text(bigText(Number(a.bytes) || 0)) };
    case "fail":
      return { error: { code: -32000, message: "fail: this tool always fails <on purpose>" } };
    case "tool_error":
      return { result: { ...text("tool_error: something went wrong"), isError: true } };
    case "notify":
      notify({ jsonrpc: "2.0", method: "notifications/message", params: { level: "info", logger: args.name, data: LOG_DATA } });
      return { result: text("notified") };
    case "announce":
      session.lateTool = true;
      // After the result, as a server whose tool set changed would.
      setTimeout(() => toGetStream(session, { jsonrpc: "2.0", method: "notifications/tools/list_changed" }), 20);
      return { result: text("announced") };
    case "reshuffle":
      session.version = 1;
      setTimeout(() => toGetStream(session, { jsonrpc: "2.0", method: "notifications/tools/list_changed" }), 20);
      setTimeout(() => {
        session.version = 2;
        toGetStream(session, { jsonrpc: "2.0", method: "notifications/tools/list_changed" });
      }, 300);
      return { result: text("reshuffled") };
    case "late_tool":
      if (session.lateTool) return { result: text("late") };
  }
  if (args["extra-tool"].includes(p.name)) return { result: text(`${p.name} from ${args.name}`) };
  return { error: { code: -32602, message: `Unknown tool: ${p.name}` } };
}

// A server message for the client's GET stream; kept until one opens.
function toGetStream(session, m) {
  const res = [...session.streams].pop();
  if (res) res.write(streamEvent(m));
  else session.queued.push(m);
}

// ---------------------------------------------------------------------------------------------
// HTTP


function sendJson(res, status, obj, extra = {}) {
  const body = JSON.stringify(obj);
  writeHead(res, status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), ...extra });
  res.end(body);
}

// The answer to a request naming a session this server does not know.
function unknownSession(res) {
  state.unknownSession++;
  if (args["invalid-session-400"]) {
    // Go's http.Error(w, "Invalid session ID", 400), as mcp-go writes it.
    const body = "Invalid session ID\n";
    res.writeHead(400, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  } else {
    sendJson(res, 404, { jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } });
  }
}

function accepted(res) {
  if (shape.acceptedJson) writeHead(res, 202, { "Content-Type": "application/json", "Content-Length": 0 });
  else writeHead(res, 202, { "Content-Length": 0 });
  res.end();
}

async function handlePost(req, res, entry) {
  const bodyText = await readBody(req);
  let msg;
  try {
    msg = JSON.parse(bodyText);
  } catch {
    return sendJson(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
  }
  if (!msg || typeof msg !== "object" || Array.isArray(msg)) {
    return sendJson(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32600, message: "one JSON-RPC object per POST" } });
  }
  if (typeof msg.method === "string") {
    entry.rpc = msg.method;
    state.rpcCounts[msg.method] = (state.rpcCounts[msg.method] ?? 0) + 1;
    state.rpcMethods.push(msg.method);
    if (state.rpcMethods.length > 500) state.rpcMethods.shift();
  }

  let sid = req.headers["mcp-session-id"];
  let session;
  const sessionHeader = {};
  if (msg.method === "initialize") {
    sid = randomUUID();
    session = { streams: new Set(), queued: [], lateTool: false };
    sessions.set(sid, session);
    state.sessionsCreated++;
    state.sessionsOpen = sessions.size;
    sessionHeader["Mcp-Session-Id"] = sid;
    log(`session ${sid} created`);
  } else if (!sid) {
    return sendJson(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Bad Request: Mcp-Session-Id header is required" } });
  } else {
    session = sessions.get(sid);
    if (!session) return unknownSession(res);
  }

  // The client's answer to an ask: handed to the waiting tool call.
  if (!("method" in msg) && "id" in msg && asks.has(msg.id)) {
    asks.get(msg.id)(msg);
    return accepted(res);
  }
  // Notifications and the client's responses: accepted, nothing to say.
  if (!("id" in msg) || typeof msg.method !== "string") return accepted(res);

  const rawId = rawIdOf(bodyText);
  const reply = (r) => ({ jsonrpc: "2.0", id: ID_SLOT, ...r });
  // trickle: the reply's bytes in 20 slices over `ms` (the last one ends the response).
  const trickleMs = msg.method === "tools/call" && msg.params?.name === "trickle" ? Number(msg.params.arguments?.ms) || 0 : 0;
  const finish = (bytes) => {
    if (!trickleMs) return res.end(bytes);
    const buffer = Buffer.from(bytes, "utf8");
    const slice = Math.ceil(buffer.length / 20);
    let at = 0;
    const next = () => {
      const piece = buffer.subarray(at, at + slice);
      at += slice;
      if (at >= buffer.length) return res.end(piece);
      res.write(piece);
      setTimeout(next, trickleMs / 20);
    };
    next();
  };

  // reshuffle's first list: answered late, with what the tool set was when it was asked.
  const late = msg.method === "tools/list" && session.version === 1 ? () => new Promise((r) => setTimeout(r, 1000)) : null;
  if (shape.kind === "json") {
    const body = Buffer.from(withRawId(shape.body, rawId)(reply(answer(session, msg, () => {}))), "utf8");
    if (late) await late();
    // Go's net/http sets Content-Length when the handler's whole output fits its 2 KB buffer,
    // and sends chunked otherwise.
    const h = { "Content-Type": "application/json", ...sessionHeader };
    if (body.length <= 2048) h["Content-Length"] = body.length;
    writeHead(res, 200, h);
    finish(body);
    return;
  }

  if (msg.method === "tools/call" && msg.params?.name === "ask") {
    const what = msg.params.arguments?.what;
    const ask = ASKS[what];
    if (!ask) return sendJson(res, 200, { jsonrpc: "2.0", id: msg.id, error: { code: -32602, message: `ask: unknown what ${what}` } });
    const askId = `ask-${++askNumber}`;
    const started = Date.now();
    writeHead(res, shape.status ?? 200, { ...sseHeaders, "Content-Type": shape.contentType ?? "text/event-stream", ...sessionHeader });
    if (shape.opener) res.write(shape.opener());
    res.write(shape.event({ jsonrpc: "2.0", id: askId, method: ask.method, params: ask.params }));
    const done = (answerMsg) => {
      clearTimeout(timer);
      asks.delete(askId);
      const got = answerMsg === null ? "nothing" : "error" in answerMsg ? "error" : "result";
      state.asks.push({ what, method: ask.method, got, code: answerMsg?.error?.code, message: answerMsg?.error?.message, ms: Date.now() - started });
      const body = answerMsg === null ? "no answer" : JSON.stringify(answerMsg.error ?? answerMsg.result);
      res.end(withRawId(shape.event, rawId)(reply({ result: text(`${got}: ${body}`) })));
    };
    const timer = setTimeout(() => done(null), 5000);
    asks.set(askId, done);
    return;
  }

  const notes = [];
  const r = answer(session, msg, (m) => notes.push(m));
  if (late) await late();
  writeHead(res, shape.status ?? 200, { ...sseHeaders, "Content-Type": shape.contentType ?? "text/event-stream", ...sessionHeader });
  if (shape.opener) res.write(shape.opener());
  for (const m of notes) res.write(shape.event(m));
  if (shape.keepAlive) res.write(shape.keepAlive);
  finish(withRawId(shape.event, rawId)(reply(r)));
}

function handleGet(req, res) {
  if (!/text\/event-stream/.test(req.headers.accept ?? "")) {
    return sendJson(res, 406, { jsonrpc: "2.0", id: null, error: { code: -32000, message: "Not Acceptable: text/event-stream" } });
  }
  const sid = req.headers["mcp-session-id"];
  const session = sid && sessions.get(sid);
  if (!session) {
    if (!sid) return sendJson(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Bad Request: Mcp-Session-Id header is required" } });
    return unknownSession(res);
  }
  writeHead(res, 200, { ...sseHeaders, "Content-Type": shape.contentType ?? "text/event-stream" });
  res.write(getOpener());
  session.streams.add(res);
  state.getStreamsOpen++;
  // Keep-alives as the shape's server sends them (sse-starlette pings every 15 s, rmcp every 15 s:
  // faster here, so a test sees some).
  const timer = shape.keepAlive ? setInterval(() => res.write(shape.keepAlive), 1000) : null;
  res.on("close", () => {
    clearInterval(timer);
    session.streams.delete(res);
    state.getStreamsOpen--;
  });
  for (const m of session.queued.splice(0)) res.write(streamEvent(m));
}

function handleDelete(req, res) {
  const sid = req.headers["mcp-session-id"];
  const session = sid && sessions.get(sid);
  if (!session) return unknownSession(res);
  sessions.delete(sid);
  state.sessionsDeleted++;
  state.sessionsOpen = sessions.size;
  for (const s of session.streams) s.end();
  log(`session ${sid} deleted by the client`);
  writeHead(res, 200, { "Content-Length": 0 });
  res.end();
}


const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  try {
    if (url.pathname.startsWith("/_test/")) {
      if (!isLoopback(req.socket.remoteAddress)) return sendJson(res, 403, { error: "loopback only" });
      if (req.method === "GET" && url.pathname === "/_test/state") return sendJson(res, 200, state);
      if (req.method === "POST" && (url.pathname === "/_test/expire" || url.pathname === "/_test/expire-sessions")) {
        const expired = sessions.size;
        sessions.clear();
        state.sessionsOpen = 0;
        return sendJson(res, 200, { expired });
      }
      return sendJson(res, 404, { error: "no such test endpoint" });
    }
    if (url.pathname !== "/mcp") return sendJson(res, 404, { error: "not found" });

    state.requests++;
    state.httpMethods[req.method] = (state.httpMethods[req.method] ?? 0) + 1;
    state.lastHeaders = { ...req.headers };
    if (req.method === "POST") state.lastPostHeaders = state.lastHeaders;
    const entry = { method: req.method };
    state.log.push(entry);
    if (state.log.length > 100) state.log.shift();
    res.on("finish", () => { entry.status = res.statusCode; });

    if (req.method === "POST") return await handlePost(req, res, entry);
    if (req.method === "GET") return handleGet(req, res);
    if (req.method === "DELETE") return handleDelete(req, res);
    res.writeHead(405, { Allow: "GET, POST, DELETE" }).end();
  } catch (err) {
    log("error handling request:", err);
    if (!res.headersSent) sendJson(res, 500, { jsonrpc: "2.0", id: null, error: { code: -32603, message: "Internal error" } });
    else res.end();
  }
});
server.keepAliveTimeout = 30_000;

const mcpUrl = await listenOnLoopback(server, args.port);
printReadyLine(mcpUrl);
log(`listening on ${mcpUrl} (shape ${args.shape})`);

const shutdown = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
