#!/usr/bin/env node
// An upstream that answers with plain JSON (enableJsonResponse), with tools, a prompt and resources.
//   node json-server.mjs --port 0 [--tools N] [--page-size N] [--label L] [--keepalive-ms N]
// --label L: named in the readme, greeting and item texts (default "json-server"), so two instances
// with the same URIs can be told apart.
// Tools: add {a,b} → the sum as text; echo {message}; with --tools N also tool_0 … tool_{N-1}.
// Prompt: greeting {name}. Resources: demo://readme (static), template demo://items/{id}.
// --page-size N: paginate tools/list with nextCursor (SDK 1.32.2's McpServer never paginates
// tools/list by itself, so this peer wraps its handler).
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { McpError, ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { runPeer, parseArgs, peerOptionsFrom, transportOptionsFrom } from "./lib.mjs";

const args = parseArgs({
  tools: { type: "string", default: "0" },
  "page-size": { type: "string", default: "0" },
  label: { type: "string", default: "json-server" },
});
const label = args.label;
const extraTools = Number(args.tools);
const pageSize = Number(args["page-size"]);

const README_TEXT = `# Demo readme\nServed by ${label} (a test peer for mcp-bridge).\n`;

function makeServer() {
  const server = new McpServer({ name: "json-peer", version: "1.0.0" });

  server.registerTool(
    "add",
    { description: "Add two numbers; the sum as text", inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }] }),
  );
  server.registerTool(
    "echo",
    { description: "Echo the message back, exactly", inputSchema: { message: z.string() } },
    async ({ message }) => ({ content: [{ type: "text", text: message }] }),
  );
  for (let i = 0; i < extraTools; i++) {
    server.registerTool(
      `tool_${i}`,
      { description: `Extra tool number ${i}`, inputSchema: {} },
      async () => ({ content: [{ type: "text", text: `tool_${i}` }] }),
    );
  }

  server.registerPrompt(
    "greeting",
    { description: "A greeting for someone", argsSchema: { name: z.string() } },
    ({ name }) => ({
      messages: [{ role: "user", content: { type: "text", text: `Hello, ${name}! Greetings from ${label}.` } }],
    }),
  );

  server.registerResource(
    "readme",
    "demo://readme",
    { description: "README-RESOURCE marker", mimeType: "text/markdown" },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: "text/markdown", text: README_TEXT }] }),
  );
  server.registerResource(
    "item",
    new ResourceTemplate("demo://items/{id}", { list: undefined }),
    { description: "ITEM-TEMPLATE marker", mimeType: "text/plain" },
    async (uri, { id }) => ({ contents: [{ uri: uri.href, mimeType: "text/plain", text: label === "json-server" ? `item ${id}` : `item ${id} from ${label}` }] }),
  );

  if (pageSize > 0) {
    // Wrap McpServer's own tools/list handler (registered lazily by registerTool above).
    const original = server.server._requestHandlers.get("tools/list");
    server.server.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
      const all = (await original(request, extra)).tools;
      const cursor = request.params?.cursor;
      let start = 0;
      if (cursor !== undefined) {
        start = Number.parseInt(Buffer.from(cursor, "base64url").toString(), 10);
        if (!Number.isInteger(start) || start < 0 || start > all.length)
          throw new McpError(ErrorCode.InvalidParams, `invalid cursor ${cursor}`);
      }
      const page = all.slice(start, start + pageSize);
      const next = start + pageSize;
      return next < all.length
        ? { tools: page, nextCursor: Buffer.from(String(next)).toString("base64url") }
        : { tools: page };
    });
  }
  return { server };
}

await runPeer({
  name: "json",
  makeServer,
  ...peerOptionsFrom(args),
  transportOptions: { ...transportOptionsFrom(args), enableJsonResponse: true },
});
