// Shared fixtures of the integration tests: peer credentials, config entries, small assertions.
import assert from "node:assert/strict";
import { allText } from "./harness.mjs";

export const TOKEN = "peer-token-9f8e7d";
export const ORG = "org-5f1e0a";
export const EXTRA = "extra-value-42";
export const SUPPORTED_VERSIONS = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];
// The bearer-org peer's awkward tool names (see tests/peers/bearer-org-server.mjs).
export const ODD_TOOL = "odd.name with spaces";
export const LONG_TOOL = "long_tool_name_" + "abcdefghij".repeat(5) + "_end_";
export const LONG_TOOL_2 = "long_tool_name_" + "abcdefghij".repeat(5) + "_alt_";
export const T = { timeout: 60_000 };

// Config entries (the contract in DESIGN.md).
export const boEntry = (peer, over = {}) => ({
  url: peer.url,
  prefix: "bo_",
  organizationID: ORG,
  auth: "token",
  token: "${env:PEER_TOKEN}",
  headers: { "X-Extra": EXTRA },
  ...over,
});
export const plainEntry = (peer, prefix, over = {}) => ({ url: peer.url, prefix, auth: "none", ...over });

export const names = (tools) => tools.map((x) => x.name);
export const hasAll = (...wanted) => (tools) => wanted.every((w) => tools.some((x) => x.name === w));

// A tool-level failure: a result with isError true whose text mentions every needle.
export function assertToolError(r, ...needles) {
  assert.ok(r.result, `expected a result with isError, got ${JSON.stringify(r)}`);
  assert.equal(r.result.isError, true, `expected isError: true, got ${JSON.stringify(r.result)}`);
  const text = allText(r.result);
  for (const n of needles) {
    if (n instanceof RegExp) assert.match(text, n);
    else assert.ok(text.includes(n), `expected the error text to mention ${JSON.stringify(n)}: ${JSON.stringify(text)}`);
  }
  return text;
}
