#!/usr/bin/env node
// @modelcontextprotocol/server-everything (2026.8.31) over Streamable HTTP, bound to 127.0.0.1.
//   node everything.mjs --port 0 [--keepalive-ms N]
// The package's own streamableHttp entry (dist/transports/streamableHttp.js) calls
// app.listen(process.env.PORT || 3001) — every interface, a fixed default port, and it logs to
// stdout — so we import its server factory (dist/server/index.js, createServer) and mount it on
// our own 127.0.0.1 listener with the same per-session transport (and an event store, as upstream).
import { runPeer, parseArgs, peerOptionsFrom, transportOptionsFrom, InMemoryEventStore } from "./lib.mjs";

const args = parseArgs();
const { createServer } = await import("@modelcontextprotocol/server-everything/dist/server/index.js");

await runPeer({
  name: "everything",
  // createServer() → { server: McpServer, cleanup(sessionId) }
  makeServer: () => {
    const { server, cleanup } = createServer();
    return { server, cleanup: () => cleanup(server.server.transport?.sessionId) };
  },
  ...peerOptionsFrom(args),
  transportOptions: { ...transportOptionsFrom(args), eventStore: new InMemoryEventStore() },
});
