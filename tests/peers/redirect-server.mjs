#!/usr/bin/env node
// Redirects, byte for byte: two listeners on Node's plain `http` module (no SDK, no express), so
// every status line and Location header is exactly what the tests need.
//
//   home (port A)   POST/GET/DELETE /mcp      → 307 Location: http://127.0.0.1:B/mcp (another origin)
//                   any method /old/mcp       → 307 Location: /v2/mcp (same origin, relative)
//                   any method /older/mcp     → 308 Location: http://127.0.0.1:A/v2/mcp (same origin, absolute)
//                   any method /loop/mcp      → 307 Location: /loop/mcp (forever)
//                   POST /v2/mcp              → a minimal MCP server (JSON replies, one `echo` tool)
//   other (port B)  records every request (method, path, headers, body) and answers as the same
//                   minimal MCP server would, so a client that went there would carry on.
//
//   node redirect-server.mjs --port 0
// Prints {"listening":"http://127.0.0.1:A/mcp","other":"http://127.0.0.1:B"} when ready.
// GET /_test/state on A: {"home": [...requests], "other": [...requests]} (the bodies included).
import http from "node:http";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({ options: { port: { type: "string", default: "0" } } });
const log = (...a) => console.error("[redirect-server]", ...a);

const seen = { home: [], other: [] };

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

function send(res, status, headers, body = "") {
  res.writeHead(status, { "Content-Length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

// Just enough MCP over Streamable HTTP for a client to initialize, list and call: JSON replies,
// no session, no GET stream (405).
function answerMcp(req, res, body) {
  if (req.method === "GET") return send(res, 405, { Allow: "POST" });
  if (req.method === "DELETE") return send(res, 200, {});
  let message;
  try {
    message = JSON.parse(body);
  } catch {
    return send(res, 400, { "Content-Type": "application/json" }, JSON.stringify({ error: "not JSON" }));
  }
  if (message.id === undefined) return send(res, 202, {});
  const reply = (result) =>
    send(res, 200, { "Content-Type": "application/json" }, JSON.stringify({ jsonrpc: "2.0", id: message.id, result }));
  switch (message.method) {
    case "initialize":
      return reply({
        protocolVersion: message.params?.protocolVersion ?? "2025-06-18",
        capabilities: { tools: {} },
        serverInfo: { name: "redirect-peer", version: "1.0.0" },
      });
    case "tools/list":
      return reply({
        tools: [{ name: "echo", description: "Echo", inputSchema: { type: "object", properties: { message: { type: "string" } } } }],
      });
    case "tools/call":
      return reply({ content: [{ type: "text", text: String(message.params?.arguments?.message ?? "") }] });
    case "ping":
      return reply({});
    default:
      return send(res, 200, { "Content-Type": "application/json" },
        JSON.stringify({ jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "Method not found" } }));
  }
}

const record = (where, req, body) => seen[where].push({ method: req.method, path: req.url, headers: req.headers, body });

const other = http.createServer(async (req, res) => {
  const body = await readBody(req);
  record("other", req, body);
  log(`other: ${req.method} ${req.url}`);
  answerMcp(req, res, body);
});

let otherBase = "";
let homeBase = "";
const home = http.createServer(async (req, res) => {
  const body = await readBody(req);
  const path = req.url.split("?")[0];
  if (path === "/_test/state") return send(res, 200, { "Content-Type": "application/json" }, JSON.stringify(seen));
  record("home", req, body);
  log(`home: ${req.method} ${req.url}`);
  if (path === "/mcp") return send(res, 307, { Location: `${otherBase}/mcp` });
  if (path === "/old/mcp") return send(res, 307, { Location: "/v2/mcp" });
  if (path === "/older/mcp") return send(res, 308, { Location: `${homeBase}/v2/mcp` });
  if (path === "/loop/mcp") return send(res, 307, { Location: "/loop/mcp" });
  if (path === "/v2/mcp") return answerMcp(req, res, body);
  send(res, 404, {});
});

other.listen(0, "127.0.0.1", () => {
  otherBase = `http://127.0.0.1:${other.address().port}`;
  home.listen(Number(args.port) || 0, "127.0.0.1", () => {
    homeBase = `http://127.0.0.1:${home.address().port}`;
    process.stdout.write(JSON.stringify({ listening: `${homeBase}/mcp`, other: otherBase }) + "\n");
    log(`home ${homeBase}, other ${otherBase}`);
  });
});

const shutdown = () => {
  for (const s of [home, other]) {
    s.closeAllConnections?.();
    s.close();
  }
  setTimeout(() => process.exit(0), 200).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
