#!/usr/bin/env node
// A Streamable-HTTP upstream that misbehaves on request, for the resilience suite.
//   node faulty-server.mjs --port N [--resumable] [--retry-ms N] [--no-get] [--name NAME]
//     --resumable   SSE events carry ids (an event store) and cut streams can be resumed with
//                   GET + Last-Event-ID; --retry-ms N puts `retry: N` in the priming events
//     --no-get      GET (the stream for server messages) is answered 405
// Tools:
//   echo {text}               the text back
//   count {key}               counts calls per key (in /_test/state: calls[key]); proves a call ran (once)
//   slow {ms}                 waits, records "slow cancelled"/"slow done"
//   big {bytes}               a text of `bytes` bytes
//   cut_big {bytes}           a text of `bytes` bytes whose reply stream is cut halfway through the
//                             event (the socket is destroyed), after the tool ran (calls["cut_big"])
//   garbage                   answers "clean" after garbage on its reply stream: non-SSE lines, bad
//                             JSON in data:, an unknown response id, an array, a huge comment
//   ask {what}                asks the client (sampling | elicitation | roots) and returns its answer
//   progress {steps, interval_ms?}  sends `steps` progress notifications with the caller's token,
//                             `interval_ms` apart (10 by default)
//   flood {count}             `count` notifications/message on its reply stream, then the answer
//   arm_reset {marker, count} the next `count` replies containing `marker` lose their connection
//                             before a byte of the reply is written (fate unknown to the client)
//   prompt greet              "hello GREET-MARK" (calls["greet"] counts them)
//   close_get                 closes the GET stream (the client must reconnect after `retry`)
//   announce                  adds a tool "late_tool" (tools/list_changed on the GET stream)
// /_test/state also has: getLog (GET arrivals: {t, lastEventId}), getClosedAt, calls.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { runPeer, parseArgs, peerOptionsFrom, transportOptionsFrom, bigText, InMemoryEventStore, recordEvent } from "./lib.mjs";

const args = parseArgs({
  resumable: { type: "boolean", default: false },
  "retry-ms": { type: "string" },
  "no-get": { type: "boolean", default: false },
  name: { type: "string", default: "faulty" },
});

const extraState = { getLog: [], getClosedAt: null, calls: {} };
const CUT_MARK = "CUT-ME:";
const resets = []; // {marker, left}: the next `left` replies containing `marker` lose their connection
const GARBAGE_MARK = "GARBAGE-ME";

function count(key) {
  extraState.calls[key] = (extraState.calls[key] ?? 0) + 1;
}

function makeServer() {
  const server = new McpServer({ name: `${args.name}-peer`, version: "1.0.0" }, { capabilities: { logging: {} } });

  server.registerTool("echo", { description: "Echo", inputSchema: { text: z.string() } }, async ({ text }) => {
    count("echo");
    return { content: [{ type: "text", text }] };
  });

  server.registerTool("count", { description: "Count calls", inputSchema: { key: z.string() } }, async ({ key }) => {
    count(key);
    return { content: [{ type: "text", text: String(extraState.calls[key]) }] };
  });

  server.registerTool("slow", { description: "Wait", inputSchema: { ms: z.number().int().min(0) } }, async ({ ms }, extra) => {
    count("slow");
    await new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      extra.signal?.addEventListener("abort", () => { clearTimeout(t); resolve(); });
    });
    recordEvent(extra.signal?.aborted ? "slow cancelled" : "slow done");
    return { content: [{ type: "text", text: extra.signal?.aborted ? "cancelled" : "done" }] };
  });

  server.registerTool("big", { description: "Big text", inputSchema: { bytes: z.number().int().min(0) } }, async ({ bytes }) => {
    count("big");
    return { content: [{ type: "text", text: bigText(bytes) }] };
  });

  server.registerTool("cut_big", { description: "Big text, cut stream", inputSchema: { bytes: z.number().int().min(0) } },
    async ({ bytes }) => {
      count("cut_big");
      return { content: [{ type: "text", text: CUT_MARK + bigText(bytes) }] };
    });

  server.registerTool("garbage", { description: "Garbage before the answer", inputSchema: {} }, async () => {
    count("garbage");
    return { content: [{ type: "text", text: `clean ${GARBAGE_MARK}` }] };
  });

  server.registerTool("ask", { description: "Ask the client", inputSchema: { what: z.enum(["sampling", "elicitation", "roots"]) } },
    async ({ what }, extra) => {
      let answer;
      if (what === "sampling") {
        answer = await server.server.createMessage({
          messages: [{ role: "user", content: { type: "text", text: "say hi" } }],
          maxTokens: 10,
        }, { relatedRequestId: extra.requestId });
      } else if (what === "elicitation") {
        answer = await server.server.elicitInput({
          message: "your name?",
          requestedSchema: { type: "object", properties: { name: { type: "string" } } },
        }, { relatedRequestId: extra.requestId });
      } else {
        answer = await server.server.listRoots(undefined, { relatedRequestId: extra.requestId });
      }
      return { content: [{ type: "text", text: JSON.stringify(answer) }] };
    });

  server.registerTool("progress", { description: "Progress",
    inputSchema: { steps: z.number().int().min(1), interval_ms: z.number().int().min(0).optional() } },
    async ({ steps, interval_ms: interval = 10 }, extra) => {
      const token = extra._meta?.progressToken;
      for (let i = 1; i <= steps; i++) {
        if (token !== undefined) {
          await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: i, total: steps } });
        }
        await new Promise((r) => setTimeout(r, interval));
      }
      return { content: [{ type: "text", text: `${args.name} done` }] };
    });

  server.registerTool("flood", { description: "Many log notifications, then an answer", inputSchema: { count: z.number().int().min(0) } },
    async ({ count: n }, extra) => {
      count("flood");
      for (let i = 0; i < n; i++) {
        await extra.sendNotification({ method: "notifications/message", params: { level: "info", data: `flood ${i} ${"x".repeat(200)}` } });
      }
      return { content: [{ type: "text", text: `flooded ${n}` }] };
    });

  server.registerTool("arm_reset", { description: "Reset the connection of the next replies carrying a marker",
    inputSchema: { marker: z.string(), count: z.number().int().min(1) } }, async ({ marker, count: n }) => {
    resets.push({ marker, left: n });
    return { content: [{ type: "text", text: "armed" }] };
  });

  server.registerPrompt("greet", { description: "A greeting (a read: safe to repeat)" }, async () => {
    count("greet");
    return { messages: [{ role: "user", content: { type: "text", text: "hello GREET-MARK" } }] };
  });

  server.registerTool("close_get", { description: "Close the GET stream", inputSchema: {} }, async (_a, extra) => {
    extraState.getClosedAt = Date.now();
    if (extra.closeStandaloneSSEStream) extra.closeStandaloneSSEStream();
    else recordEvent("close_get: not available");
    return { content: [{ type: "text", text: "closed" }] };
  });

  server.registerTool("announce", { description: "Add late_tool", inputSchema: {} }, async () => {
    setTimeout(() => {
      server.registerTool("late_tool", { description: "late", inputSchema: {} }, async () => ({
        content: [{ type: "text", text: "late" }],
      }));
    }, 50);
    return { content: [{ type: "text", text: "announced" }] };
  });

  return { server };
}

// Faults injected below the SDK, on the raw HTTP response of a POST.
function gate(req, res, url, state) {
  if (req.method === "GET") {
    extraState.getLog.push({ t: Date.now(), lastEventId: req.headers["last-event-id"] ?? null });
    if (args["no-get"]) {
      res.writeHead(405, { Allow: "POST, DELETE" }).end();
      return true;
    }
    return false;
  }
  if (req.method !== "POST") return false;
  const write = res.write.bind(res);
  let cut = false;
  res.write = (chunk, ...rest) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    if (!cut && text.includes(CUT_MARK)) {
      cut = true;
      write(text.slice(0, Math.floor(text.length / 2)));
      recordEvent("stream cut");
      setTimeout(() => res.socket?.destroy(), 50);
      return true;
    }
    if (cut) return true;
    const reset = resets.find((r) => r.left > 0 && text.includes(r.marker));
    if (reset) {
      reset.left--;
      cut = true;
      recordEvent(`reset ${reset.marker}`);
      res.socket?.destroy();
      return true;
    }
    if (text.includes(GARBAGE_MARK)) {
      write("this line is not SSE at all\n\n");
      write("event: message\ndata: {not json\n\n");
      write("event: message\ndata: [1,2,3]\n\n");
      write(`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: 987654321, result: {} })}\n\n`);
      write(`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: "nope", error: { code: 1, message: "x" } })}\n\n`);
      write(`: ${"k".repeat(100000)}\n`);
      write("event: weird\ndata: {}\n\n");
      write("retry: soon\nid: a\0b\n\n");
    }
    return write(chunk, ...rest);
  };
  return false;
}

const transportOptions = { ...transportOptionsFrom(args) };
if (args.resumable) {
  transportOptions.eventStore = new InMemoryEventStore();
  if (args["retry-ms"] !== undefined) transportOptions.retryInterval = Number(args["retry-ms"]);
}

const { state } = await runPeer({
  name: args.name,
  makeServer,
  ...peerOptionsFrom(args),
  transportOptions,
  gate,
});
// /_test/state serializes `state`: expose ours through it.
Object.defineProperty(state, "getLog", { get: () => extraState.getLog, enumerable: true });
Object.defineProperty(state, "getClosedAt", { get: () => extraState.getClosedAt, enumerable: true });
Object.defineProperty(state, "calls", { get: () => extraState.calls, enumerable: true });
