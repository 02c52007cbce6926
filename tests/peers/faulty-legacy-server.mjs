#!/usr/bin/env node
// A 2024-11-05 HTTP+SSE upstream (the SDK's SSEServerTransport, as MCPJungle's /sse + /message):
//   node faulty-legacy-server.mjs --port N
// GET /sse opens the event stream (first event: `endpoint`), POST /messages?sessionId=… carries
// the client's messages (202), replies come on the stream. POST /sse (a Streamable-HTTP client's
// initialize) gets 405. Ready line: {"listening":"http://127.0.0.1:PORT/sse"}.
// Tools: echo {text}, count {key}, big {bytes}, drop_stream (ends the event stream after answering).
// /_test/state: {sseStreams, posts, calls, sessionsOpen}; POST /_test/drop-streams ends every stream.
import http from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { z } from "zod";
import { parseArgs, bigText, log } from "./lib.mjs";
import { readBody } from "./plain-http.mjs";

const args = parseArgs();
const state = { sseStreams: 0, posts: 0, rejectedStreamablePosts: 0, calls: {}, sessionsOpen: 0 };
const sessions = new Map(); // sessionId → { transport, server, res }

function count(key) {
  state.calls[key] = (state.calls[key] ?? 0) + 1;
}

function makeServer(onDrop) {
  const server = new McpServer({ name: "legacy-peer", version: "1.0.0" });
  server.registerTool("echo", { description: "Echo", inputSchema: { text: z.string() } }, async ({ text }) => {
    count("echo");
    return { content: [{ type: "text", text }] };
  });
  server.registerTool("count", { description: "Count calls", inputSchema: { key: z.string() } }, async ({ key }) => {
    count(key);
    return { content: [{ type: "text", text: String(state.calls[key]) }] };
  });
  server.registerTool("big", { description: "Big text", inputSchema: { bytes: z.number().int().min(0) } }, async ({ bytes }) => {
    count("big");
    return { content: [{ type: "text", text: bigText(bytes) }] };
  });
  server.registerTool("slow_drop", { description: "Runs, then the stream ends before the answer", inputSchema: {} }, async () => {
    count("slow_drop");
    setTimeout(onDrop, 20);
    await new Promise((r) => setTimeout(r, 500));
    return { content: [{ type: "text", text: "too late" }] };
  });
  return server;
}

function sendJson(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}


const httpServer = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  try {
    if (url.pathname === "/_test/state" && req.method === "GET") return sendJson(res, 200, state);
    if (url.pathname === "/_test/drop-streams" && req.method === "POST") {
      const n = sessions.size;
      for (const s of sessions.values()) s.res.socket?.destroy();
      return sendJson(res, 200, { dropped: n });
    }
    if (url.pathname === "/sse" && req.method === "GET") {
      state.sseStreams++;
      let transport;
      const drop = () => transport && sessions.get(transport.sessionId)?.res.socket?.destroy();
      const server = makeServer(drop);
      transport = new SSEServerTransport("/messages", res);
      sessions.set(transport.sessionId, { transport, server, res });
      state.sessionsOpen = sessions.size;
      res.on("close", () => {
        sessions.delete(transport.sessionId);
        state.sessionsOpen = sessions.size;
        server.close().catch(() => {});
      });
      await server.connect(transport);
      return;
    }
    if (url.pathname === "/sse" && req.method === "POST") {
      state.rejectedStreamablePosts++;
      res.writeHead(405, { Allow: "GET" }).end("Method Not Allowed");
      return;
    }
    if (url.pathname === "/messages" && req.method === "POST") {
      state.posts++;
      const s = sessions.get(url.searchParams.get("sessionId") ?? "");
      if (!s) return sendJson(res, 404, { error: "unknown session" });
      const body = JSON.parse(await readBody(req));
      await s.transport.handlePostMessage(req, res, body);
      return;
    }
    sendJson(res, 404, { error: "not found" });
  } catch (err) {
    log("legacy", "error:", err);
    if (!res.headersSent) sendJson(res, 500, { error: String(err) });
    else res.end();
  }
});

await new Promise((resolve, reject) => {
  httpServer.once("error", reject);
  httpServer.listen(Number(args.port) || 0, "127.0.0.1", resolve);
});
const port = httpServer.address().port;
process.stdout.write(JSON.stringify({ listening: `http://127.0.0.1:${port}/sse` }) + "\n");
const shutdown = () => {
  for (const s of sessions.values()) s.res.socket?.destroy();
  httpServer.closeAllConnections?.();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
