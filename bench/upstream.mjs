#!/usr/bin/env node
// The benchmark's upstream: an MCP server on the official TypeScript SDK (the same transport real
// servers use), bound to 127.0.0.1, one session per client, SSE replies (the SDK's default).
//   node upstream.mjs [--port 0] [--delay-ms N] [--keepalive-ms N] [--tools N] [--label L]
// --delay-ms N   every POST is answered N ms late (a far-away upstream: initialize, lists, calls)
// --keepalive-ms N  ": keepalive" comments on open SSE streams every N ms
// --tools N      extra tools tool_0 … tool_{N-1} besides echo and big
// Tools: echo {message} → the message; big {bytes} → a text of exactly that many bytes.
// Prints one line {"listening":"http://127.0.0.1:PORT/mcp"} on stdout; logs go to stderr.
import http from "node:http";
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "delay-ms": { type: "string", default: "0" },
    "keepalive-ms": { type: "string" },
    tools: { type: "string", default: "0" },
    label: { type: "string", default: "bench" },
  },
  strict: true,
});
const delayMs = Number(args["delay-ms"]);
const extraTools = Number(args.tools);
const stdoutWrite = process.stdout.write.bind(process.stdout);
console.log = (...a) => console.error(...a);

// A 64 KiB unit, repeated: building a 50 MB text costs little next to sending it.
const UNIT = "0123456789abcdef".repeat(4096);
function bigText(n) {
  return UNIT.repeat(Math.ceil(n / UNIT.length)).slice(0, n);
}

function makeServer() {
  const server = new McpServer({ name: `bench-upstream-${args.label}`, version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Echo the message back", inputSchema: { message: z.string() } },
    async ({ message }) => ({ content: [{ type: "text", text: message }] }),
  );
  server.registerTool(
    "big",
    { description: "A text of exactly `bytes` bytes", inputSchema: { bytes: z.number().int().min(0) } },
    async ({ bytes }) => ({ content: [{ type: "text", text: bigText(bytes) }] }),
  );
  for (let i = 0; i < extraTools; i++) {
    server.registerTool(`tool_${i}`, { description: `Extra tool ${i} of ${args.label}`, inputSchema: {} }, async () => ({
      content: [{ type: "text", text: `tool_${i}` }],
    }));
  }
  return server;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

const sessions = new Map(); // session id → { transport, server }
const transportOptions = {};
if (args["keepalive-ms"] !== undefined) transportOptions.keepAliveMs = Number(args["keepalive-ms"]);

async function handleMcp(req, res) {
  let body;
  if (req.method === "POST") {
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return sendJson(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
    }
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  }
  const sid = req.headers["mcp-session-id"];
  if (sid) {
    const s = sessions.get(sid);
    if (!s) return sendJson(res, 404, { jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } });
    return s.transport.handleRequest(req, res, body);
  }
  if (req.method === "POST" && body && isInitializeRequest(body)) {
    const server = makeServer();
    const record = { server, transport: null };
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => sessions.set(id, record),
      onsessionclosed: (id) => {
        sessions.delete(id);
        setImmediate(() => server.close().catch(() => {}));
      },
      ...transportOptions,
    });
    record.transport = transport;
    await server.connect(transport);
    return transport.handleRequest(req, res, body);
  }
  sendJson(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32000, message: "Bad Request: no valid session ID" } });
}

const httpServer = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, "http://127.0.0.1");
    if (url.pathname === "/mcp") return await handleMcp(req, res);
    sendJson(res, 404, { error: "not found" });
  } catch (err) {
    console.error("[upstream] error:", err);
    if (!res.headersSent) sendJson(res, 500, { jsonrpc: "2.0", id: null, error: { code: -32603, message: "Internal error" } });
    else res.end();
  }
});
httpServer.keepAliveTimeout = 60_000;
await new Promise((resolve, reject) => {
  httpServer.once("error", reject);
  httpServer.listen(Number(args.port) || 0, "127.0.0.1", resolve);
});
stdoutWrite(JSON.stringify({ listening: `http://127.0.0.1:${httpServer.address().port}/mcp` }) + "\n");

const shutdown = () => {
  for (const s of sessions.values()) s.transport.close().catch(() => {});
  httpServer.closeAllConnections?.();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
