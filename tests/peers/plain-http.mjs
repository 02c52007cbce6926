// The SDK-free HTTP basics the test peers share (lib.mjs for the SDK peers, and the raw peers that
// must not load the SDK at all).
import process from "node:process";

export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function isLoopback(addr) {
  return addr === "127.0.0.1" || addr === "::1" || addr === "::ffff:127.0.0.1";
}

// Listens on 127.0.0.1 (port 0: a free one) and returns the MCP URL for the ready line.
export async function listenOnLoopback(server, port) {
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(port) || 0, "127.0.0.1", resolve);
  });
  return `http://127.0.0.1:${server.address().port}/mcp`;
}

// The one line a peer prints on stdout, once it listens.
export function printReadyLine(url, write = (line) => process.stdout.write(line)) {
  write(JSON.stringify({ listening: url }) + "\n");
}
