#!/usr/bin/env node
// A JumpCloud-like admin upstream whose tools carry MCP annotations, for the safety tests:
//   node admin-server.mjs --port 0 [--token T]
// Tools: users_list (readOnlyHint), device_erase (destructiveHint), user_add_mfa (destructiveHint
// false), restart_thing (no annotations). Each records "called <name>" in /_test/state events,
// so a test can prove a call did (or did not) reach the server. With --token, requests need
// "Authorization: Bearer T" (401 otherwise).
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { runPeer, parseArgs, peerOptionsFrom, transportOptionsFrom, recordEvent } from "./lib.mjs";

const args = parseArgs({ token: { type: "string" } });

function makeServer() {
  const server = new McpServer({ name: "admin-peer", version: "2.0.0" });
  const tool = (name, annotations, text) =>
    server.registerTool(
      name,
      { description: `${name} (admin peer)`, inputSchema: { id: z.string().optional() }, ...(annotations ? { annotations } : {}) },
      async ({ id }) => {
        recordEvent(`called ${name}${id ? " " + id : ""}`);
        return { content: [{ type: "text", text: `${text}${id ? " " + id : ""}` }] };
      },
    );
  tool("users_list", { readOnlyHint: true }, "users: ada, grace");
  tool("device_erase", { readOnlyHint: false, destructiveHint: true }, "erased device");
  tool("user_add_mfa", { readOnlyHint: false, destructiveHint: false }, "mfa added for");
  tool("restart_thing", null, "restarted");
  server.registerTool(
    "fail_always",
    { description: "Always reports a tool error", inputSchema: {}, annotations: { readOnlyHint: true } },
    async () => ({ isError: true, content: [{ type: "text", text: "this tool always fails" }] }),
  );
  return { server };
}

function gate(req, res) {
  if (args.token && req.headers["authorization"] !== `Bearer ${args.token}`) {
    const body = JSON.stringify({ error: "invalid_token" });
    res.writeHead(401, { "Content-Type": "application/json", "WWW-Authenticate": "Bearer", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
    return true;
  }
  return false;
}

await runPeer({ name: "admin", makeServer, ...peerOptionsFrom(args), gate, transportOptions: transportOptionsFrom(args) });
