// Shared bits of the MCP test peers: argument parsing, the ready line, session routing for the
// SDK's StreamableHTTPServerTransport, and the loopback-only /_test/state endpoint.
//
// Every peer prints exactly one line to stdout when it listens:
//   {"listening":"http://127.0.0.1:PORT/mcp"}
// Everything else (logs, SDK warnings) goes to stderr.
import http from "node:http";
import { randomUUID } from "node:crypto";
import { parseArgs as nodeParseArgs } from "node:util";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { readBody, isLoopback, listenOnLoopback, printReadyLine } from "./plain-http.mjs";

// stdout carries only the ready line: route console.log (ours, the SDK's, server-everything's)
// to stderr before anything else can print.
const stdoutWrite = process.stdout.write.bind(process.stdout);
console.log = (...a) => console.error(...a);
console.info = (...a) => console.error(...a);

// Things a peer's tools want the tests to know (e.g. "slow cancelled"): listed in /_test/state.
const events = [];
export function recordEvent(what) {
  events.push(what);
  if (events.length > 200) events.shift();
}

export function log(name, ...a) {
  console.error(`[${name}]`, ...a);
}

// Common flags: --port N (0 = ephemeral), --keepalive-ms N (SSE ": keepalive" comment period),
// --delay-initialize-ms N (answer initialize only after N ms: a slow upstream).
export function parseArgs(options = {}) {
  const { values } = nodeParseArgs({
    args: process.argv.slice(2),
    options: {
      port: { type: "string", default: "0" },
      "keepalive-ms": { type: "string" },
      "delay-initialize-ms": { type: "string", default: "0" },
      ...options,
    },
    strict: true,
    allowPositionals: false,
  });
  return values;
}

// Minimal event store so SSE events carry `id:` lines (what server-everything does upstream).
export class InMemoryEventStore {
  events = new Map();
  async storeEvent(streamId, message) {
    const eventId = `${streamId}_${randomUUID()}`;
    this.events.set(eventId, { streamId, message });
    return eventId;
  }
  async getStreamIdForEventId(eventId) {
    return this.events.get(eventId)?.streamId;
  }
  async replayEventsAfter(lastEventId, { send }) {
    const entries = [...this.events.entries()];
    const start = entries.findIndex(([id]) => id === lastEventId);
    if (start === -1) return lastEventId;
    const streamId = entries[start][1].streamId;
    for (const [id, { streamId: s, message }] of entries.slice(start + 1)) {
      if (s === streamId) await send(id, message);
    }
    return streamId;
  }
}



function sendJson(res, status, obj, headers = {}) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

/**
 * Start a peer.
 *   name            for logs and /_test/state
 *   makeServer()    → { server: McpServer, cleanup?() } — one per session
 *   port            from --port
 *   transportOptions  extra options for StreamableHTTPServerTransport (enableJsonResponse, eventStore…)
 *   gate(req, res, url) → true when it answered the request itself (401/403 …)
 */
export async function runPeer({ name, makeServer, port = 0, transportOptions = {}, gate, delayInitializeMs = 0 }) {
  const sessions = new Map(); // sessionId → { transport, server, cleanup }
  const state = {
    name,
    sessionsCreated: 0,
    sessionsDeleted: 0, // sessions ended by a DELETE from the client
    sessionsOpen: 0,
    requests: 0, // every /mcp request
    connections: 0, // TCP connections that carried /mcp requests (not the tests' /_test ones)
    openConnections: 0, // … of which open now
    maxOpenConnections: 0, // the most open at one time
    posts: 0,
    gets: 0,
    deletes: 0, // DELETE requests received (known session or not)
    unauthorized: 0, // 401 answers
    forbidden: 0, // 403 answers
    unknownSession: 0, // 404 answers for an unknown Mcp-Session-Id
    lastMethod: null,
    lastUrl: null, // path + query, e.g. /mcp?organizationID=…
    lastHeaders: {}, // of the last /mcp request, all of them (lower-case names)
    lastPostUrl: null,
    lastPostHeaders: {},
    rpcMethods: [], // JSON-RPC methods received in POST bodies, in order (capped)
    log: [], // {method, url, status?, headers} of the last 100 /mcp requests
    events, // recordEvent(…) from the tools
  };

  const expireAll = async () => {
    const all = [...sessions.values()];
    sessions.clear();
    state.sessionsOpen = 0;
    for (const s of all) {
      try { s.cleanup?.(); } catch {}
      try { await s.transport.close(); } catch {}
    }
    return all.length;
  };

  const handleMcp = async (req, res, url) => {
    state.requests++;
    if (!req.socket.carriesMcp) {
      req.socket.carriesMcp = true;
      state.connections++;
      state.openConnections++;
      state.maxOpenConnections = Math.max(state.maxOpenConnections, state.openConnections);
      req.socket.once("close", () => { state.openConnections--; });
    }
    state.lastMethod = req.method;
    state.lastUrl = url.pathname + url.search;
    state.lastHeaders = { ...req.headers };
    const entry = { method: req.method, url: state.lastUrl, headers: { ...req.headers } };
    state.log.push(entry);
    if (state.log.length > 100) state.log.shift();
    res.on("finish", () => { entry.status = res.statusCode; });

    if (req.method === "POST") {
      state.posts++;
      state.lastPostUrl = state.lastUrl;
      state.lastPostHeaders = state.lastHeaders;
    } else if (req.method === "GET") state.gets++;
    else if (req.method === "DELETE") state.deletes++;

    if (gate && gate(req, res, url, state)) return;

    let body;
    if (req.method === "POST") {
      const text = await readBody(req);
      try {
        body = JSON.parse(text);
      } catch {
        sendJson(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
        return;
      }
      for (const m of Array.isArray(body) ? body : [body]) {
        if (m && typeof m.method === "string") {
          state.rpcMethods.push(m.method);
          if (state.rpcMethods.length > 500) state.rpcMethods.shift();
        }
      }
    }

    const sid = req.headers["mcp-session-id"];
    if (sid) {
      const s = sessions.get(sid);
      if (!s) {
        state.unknownSession++;
        sendJson(res, 404, { jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } });
        return;
      }
      await s.transport.handleRequest(req, res, body);
      return;
    }
    if (req.method === "POST" && body && !Array.isArray(body) && isInitializeRequest(body)) {
      // --delay-initialize-ms: a slow upstream (the bridge must not wait for it to answer its client).
      if (delayInitializeMs > 0) await new Promise((r) => setTimeout(r, delayInitializeMs));
      const { server, cleanup } = makeServer();
      const record = { server, cleanup, transport: null };
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, record);
          state.sessionsCreated++;
          state.sessionsOpen = sessions.size;
          log(name, `session ${id} created`);
        },
        onsessionclosed: async (id) => {
          state.sessionsDeleted++;
          sessions.delete(id);
          state.sessionsOpen = sessions.size;
          log(name, `session ${id} deleted by the client`);
          try { cleanup?.(); } catch {}
          setImmediate(() => server.close().catch(() => {}));
        },
        ...transportOptions,
      });
      record.transport = transport;
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
      return;
    }
    sendJson(res, 400, {
      jsonrpc: "2.0",
      id: body && !Array.isArray(body) ? body.id ?? null : null,
      error: { code: -32000, message: "Bad Request: no valid session ID provided" },
    });
  };

  const httpServer = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    try {
      if (url.pathname.startsWith("/_test/")) {
        if (!isLoopback(req.socket.remoteAddress)) return sendJson(res, 403, { error: "loopback only" });
        if (req.method === "GET" && url.pathname === "/_test/state") return sendJson(res, 200, state);
        // Drop every session: the next request carrying an old Mcp-Session-Id gets 404.
        if (req.method === "POST" && url.pathname === "/_test/expire-sessions")
          return sendJson(res, 200, { expired: await expireAll() });
        return sendJson(res, 404, { error: "no such test endpoint" });
      }
      if (url.pathname === "/mcp") return await handleMcp(req, res, url);
      sendJson(res, 404, { error: "not found" });
    } catch (err) {
      log(name, "error handling request:", err);
      if (!res.headersSent) sendJson(res, 500, { jsonrpc: "2.0", id: null, error: { code: -32603, message: "Internal error" } });
      else res.end();
    }
  });
  httpServer.keepAliveTimeout = 30_000;


  const mcpUrl = await listenOnLoopback(httpServer, port);
  printReadyLine(mcpUrl, stdoutWrite);
  log(name, `listening on ${mcpUrl}`);

  const shutdown = async () => {
    await expireAll();
    httpServer.closeAllConnections?.();
    httpServer.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  return { httpServer, state, url: mcpUrl };
}

// runPeer options from the common flags (--port, --keepalive-ms, --delay-initialize-ms).
export function peerOptionsFrom(args) {
  return { port: args.port, delayInitializeMs: Number(args["delay-initialize-ms"] ?? 0) };
}

// Options for the SDK transport from the common flags.
export function transportOptionsFrom(args) {
  const o = {};
  if (args["keepalive-ms"] !== undefined) o.keepAliveMs = Number(args["keepalive-ms"]);
  return o;
}

// A text of exactly n bytes: "0123456789abcdef" repeated, the last chunk cut.
export function bigText(n) {
  const unit = "0123456789abcdef";
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}
