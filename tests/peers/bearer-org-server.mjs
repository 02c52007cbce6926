#!/usr/bin/env node
// A JumpCloud-like upstream: bearer token + ?organizationID=, SSE replies (the SDK default).
//   node bearer-org-server.mjs --port 0 --token T --org ORG [--chatty] [--keepalive-ms N]
// 401 (+ WWW-Authenticate: Bearer) without "Authorization: Bearer T"; 403 with a JSON body when
// ?organizationID= is not ORG.
// Tools: echo, big, whoami, slow, "odd.name with spaces", and two 70-character names that share
// their first 65 characters.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { runPeer, parseArgs, peerOptionsFrom, transportOptionsFrom, bigText, InMemoryEventStore, recordEvent } from "./lib.mjs";

const args = parseArgs({
  token: { type: "string" },
  org: { type: "string" },
  chatty: { type: "boolean", default: false },
});
if (!args.token || !args.org) {
  console.error("usage: bearer-org-server.mjs --port N --token T --org ORG [--chatty]");
  process.exit(2);
}

const ODD_TOOL = "odd.name with spaces";
// 70 characters: the bridge must shorten prefix+name to ≤ 64 and still route it.
const LONG_TOOL = "long_tool_name_" + "abcdefghij".repeat(5) + "_end_"; // 15 + 50 + 5 = 70
// Another 70-character name sharing the first 65 characters: shortening must keep them apart.
const LONG_TOOL_2 = "long_tool_name_" + "abcdefghij".repeat(5) + "_alt_";

function makeServer() {
  const server = new McpServer(
    { name: "bearer-org-peer", version: "1.0.0" },
    { capabilities: { logging: {} } },
  );

  server.registerTool(
    "echo",
    { description: "Echo the message back, exactly", inputSchema: { message: z.string() } },
    async ({ message }, extra) => {
      if (args.chatty) {
        // Interleave server→client notifications in the reply's SSE stream before the result.
        for (let i = 0; i < 3; i++) {
          await extra.sendNotification({
            method: "notifications/message",
            params: { level: "info", logger: "bearer-org-peer", data: `echo progress ${i + 1}/3` },
          });
        }
        const progressToken = extra._meta?.progressToken;
        if (progressToken !== undefined) {
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken, progress: 1, total: 1 },
          });
        }
      }
      return { content: [{ type: "text", text: message }] };
    },
  );

  server.registerTool(
    "big",
    {
      description: "One text content of exactly `bytes` bytes (0123456789abcdef repeated, last chunk cut)",
      inputSchema: { bytes: z.number().int().min(0) },
    },
    async ({ bytes }) => ({ content: [{ type: "text", text: bigText(bytes) }] }),
  );

  server.registerTool(
    "whoami",
    { description: "The organizationID and X-Extra header this request arrived with", inputSchema: {} },
    async (_args, extra) => {
      const info = extra.requestInfo;
      const url = info?.url instanceof URL ? info.url : new URL(String(info?.url ?? "/"), "http://127.0.0.1");
      const headers = info?.headers ?? {};
      return {
        content: [
          {
            type: "text",
            text: JSON.stringify({
              organizationID: url.searchParams.get("organizationID"),
              extra: headers["x-extra"] ?? null,
              userAgent: headers["user-agent"] ?? null,
            }),
          },
        ],
      };
    },
  );

  server.registerTool(
    "slow",
    { description: "Wait `ms` milliseconds, then answer \"done\"", inputSchema: { ms: z.number().int().min(0) } },
    async ({ ms }, extra) => {
      await new Promise((resolve) => {
        const t = setTimeout(resolve, ms);
        extra.signal?.addEventListener("abort", () => { clearTimeout(t); resolve(); });
      });
      recordEvent(extra.signal?.aborted ? `slow cancelled (${ms} ms)` : `slow done (${ms} ms)`);
      return { content: [{ type: "text", text: extra.signal?.aborted ? "cancelled" : "done" }] };
    },
  );

  server.registerTool(
    ODD_TOOL,
    { description: "ODD-TOOL marker: a name with a dot and spaces", inputSchema: { note: z.string().optional() } },
    async ({ note }) => ({ content: [{ type: "text", text: `called ${ODD_TOOL}${note ? ": " + note : ""}` }] }),
  );

  server.registerTool(
    LONG_TOOL,
    { description: "LONG-TOOL marker: a 70-character name", inputSchema: { note: z.string().optional() } },
    async ({ note }) => ({ content: [{ type: "text", text: `called ${LONG_TOOL}${note ? ": " + note : ""}` }] }),
  );

  server.registerTool(
    LONG_TOOL_2,
    { description: "LONG-TOOL-2 marker: another 70-character name, same first 65", inputSchema: {} },
    async () => ({ content: [{ type: "text", text: `called ${LONG_TOOL_2}` }] }),
  );

  return { server };
}

function gate(req, res, url, state) {
  if (req.headers["authorization"] !== `Bearer ${args.token}`) {
    state.unauthorized++;
    const body = JSON.stringify({ error: "invalid_token", error_description: "missing or wrong bearer token" });
    res.writeHead(401, {
      "Content-Type": "application/json",
      "WWW-Authenticate": 'Bearer realm="bearer-org-peer", error="invalid_token"',
      "Content-Length": Buffer.byteLength(body),
    });
    res.end(body);
    return true;
  }
  const org = url.searchParams.get("organizationID");
  if (org !== args.org) {
    state.forbidden++;
    const body = JSON.stringify({ error: `organizationID ${JSON.stringify(org)} is not allowed for this token` });
    res.writeHead(403, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
    return true;
  }
  return false;
}

await runPeer({
  name: "bearer-org",
  makeServer,
  ...peerOptionsFrom(args),
  gate,
  transportOptions: { ...transportOptionsFrom(args), eventStore: new InMemoryEventStore() },
});
