// Safety for destructive tools: "read_only" exposes only readOnlyHint tools; "confirm" globs and
// "confirm_destructive" (destructiveHint, or no annotation saying otherwise) ask the user through
// elicitation/create before the call is forwarded — refused and accepted — and a client without
// elicitation gets a refusal that says how to allow it. The audit log gets one line per call and
// never an argument value. The upstream (tests/peers/admin-server.mjs) records every call it runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import fsp from "node:fs/promises";
import path from "node:path";
import { startPeer, startBridge, tempHome, runBridge, textOf, allText } from "./lib/harness.mjs";
import { T, names, hasAll, assertToolError } from "./lib/fixtures.mjs";

const ELICIT = { capabilities: { elicitation: {} } };
const calls = async (peer) => (await peer.state()).events.filter((e) => e.startsWith("called "));

// Sends tools/call and returns {request (the bridge's elicitation/create, if any), response promise}.
async function callExpectingQuestion(bridge, name, args) {
  const from = bridge.messages.length;
  const response = bridge.request("tools/call", { name, arguments: args }, { timeoutMs: 15000 });
  const question = await bridge.waitFor((m) => m.method === "elicitation/create", 10000, "an elicitation/create", from);
  return { question, response };
}

// The question folds long lines onto "  ↪ " continuation lines; this gives back the text.
const unfold = (message) => message.replace(/\n {2}\u21aa /g, "");

test("read_only: only readOnlyHint tools are listed, the others cannot be called", T, async (t) => {
  const admin = await startPeer("admin-server", [], { t });
  const bridge = await startBridge({ config: { servers: { adm: { url: admin.url, prefix: "adm_", read_only: true } } }, t });
  await bridge.initialize();
  const tools = await bridge.waitForTools(hasAll("adm_users_list"));
  assert.deepEqual(names(tools).sort(), ["adm_fail_always", "adm_users_list"]);
  const r = await bridge.request("tools/call", { name: "adm_device_erase", arguments: {} });
  assert.ok(r.error, JSON.stringify(r));
  assert.match(r.error.message, /Unknown tool/);
  assert.equal(textOf(await bridge.callTool("adm_users_list")), "users: ada, grace");
  assert.deepEqual(await calls(admin), ["called users_list"]);
  await bridge.close();
});

test("confirm_destructive through elicitation: declined is not run, accepted is run; safe tools never ask", T, async (t) => {
  const admin = await startPeer("admin-server", [], { t });
  const bridge = await startBridge({
    config: { servers: { adm: { url: admin.url, prefix: "adm_", organizationID: "org-7", confirm_destructive: true } } },
    autoReply: false,
    t,
  });
  await bridge.initialize(ELICIT);
  await bridge.waitForTools(hasAll("adm_device_erase", "adm_users_list"));

  // Declined.
  let { question, response } = await callExpectingQuestion(bridge, "adm_device_erase", { id: "laptop-42" });
  assert.match(question.params.message, /adm_device_erase/);
  assert.match(question.params.message, /organization org-7/);
  assert.match(question.params.message, /destructiveHint/);
  assert.match(question.params.message, /laptop-42/, "the user sees what would be erased");
  assert.equal(question.params.requestedSchema.properties.confirm.type, "boolean");
  bridge.send({ jsonrpc: "2.0", id: question.id, result: { action: "decline" } });
  assertToolError(await response, "adm_device_erase was not run", "declined");
  assert.deepEqual(await calls(admin), [], "a declined call never reaches the server");

  // Accepted with confirm: false is still no.
  ({ question, response } = await callExpectingQuestion(bridge, "adm_device_erase", { id: "laptop-42" }));
  bridge.send({ jsonrpc: "2.0", id: question.id, result: { action: "accept", content: { confirm: false } } });
  assertToolError(await response, "was not run");
  assert.deepEqual(await calls(admin), []);

  // Accepted.
  ({ question, response } = await callExpectingQuestion(bridge, "adm_device_erase", { id: "laptop-42" }));
  bridge.send({ jsonrpc: "2.0", id: question.id, result: { action: "accept", content: { confirm: true } } });
  const accepted = await response;
  assert.equal(textOf(accepted.result), "erased device laptop-42", JSON.stringify(accepted));
  assert.deepEqual(await calls(admin), ["called device_erase laptop-42"]);

  // No annotations at all: MCP's defaults say possibly destructive, so it asks too.
  ({ question, response } = await callExpectingQuestion(bridge, "adm_restart_thing", {}));
  assert.match(unfold(question.params.message), /does not mark it read-only or non-destructive/);
  bridge.send({ jsonrpc: "2.0", id: question.id, result: { action: "cancel" } });
  assertToolError(await response, "dismissed");

  // Read-only and explicitly non-destructive tools run without a question.
  const from = bridge.messages.length;
  assert.equal(textOf(await bridge.callTool("adm_users_list")), "users: ada, grace");
  assert.equal(textOf(await bridge.callTool("adm_user_add_mfa", { id: "ada" })), "mfa added for ada");
  assert.ok(!bridge.messages.slice(from).some((m) => m.method === "elicitation/create"), "no question for safe tools");
  await bridge.close();
});

test("the question shows the whole arguments, folded; \"unannotated\": \"confirm\" asks for tools without annotations", T, async (t) => {
  const admin = await startPeer("admin-server", [], { t });
  const bridge = await startBridge({
    config: { servers: { adm: { url: admin.url, prefix: "adm_", unannotated: "confirm" } } },
    autoReply: false,
    t,
  });
  await bridge.initialize(ELICIT);
  await bridge.waitForTools(hasAll("adm_restart_thing", "adm_device_erase"));

  // 2000 characters of IDs with the one that matters last: a question cut at 600 would hide it.
  const id = "d".repeat(2000) + "-LAST-ONE";
  const { question, response } = await callExpectingQuestion(bridge, "adm_restart_thing", { id });
  assert.match(unfold(question.params.message), /"unannotated" is "confirm"/);
  const lines = question.params.message.split("\n");
  assert.ok(lines.every((line) => line.length <= 110), "long lines are folded");
  const unfolded = unfold(question.params.message);
  assert.ok(unfolded.includes(JSON.stringify(id)), "every character of the arguments is shown");
  assert.match(unfolded, /-LAST-ONE/);
  bridge.send({ jsonrpc: "2.0", id: question.id, result: { action: "accept", content: { confirm: true } } });
  assert.equal(textOf((await response).result), `restarted ${id}`);

  // Annotated tools follow their annotations: destructiveHint without confirm_destructive runs.
  const from = bridge.messages.length;
  assert.equal(textOf(await bridge.callTool("adm_device_erase", { id: "x" })), "erased device x");
  assert.ok(!bridge.messages.slice(from).some((m) => m.method === "elicitation/create"));
  assert.deepEqual(await calls(admin), [`called restart_thing ${id}`, "called device_erase x"]);
  await bridge.close();
});

test("confirm globs without elicitation support: refused with the way to allow it", T, async (t) => {
  const admin = await startPeer("admin-server", [], { t });
  const bridge = await startBridge({
    config: { servers: { jc: { url: admin.url, prefix: "jc_admin_", confirm: ["device_*", "user_suspend"] } } },
    t,
  });
  await bridge.initialize(); // no elicitation capability
  await bridge.waitForTools(hasAll("jc_admin_device_erase"));
  const r = await bridge.request("tools/call", { name: "jc_admin_device_erase", arguments: { id: "x" } });
  const text = assertToolError(r, "jc_admin_device_erase was not run", "does not support MCP elicitation", "\"confirm\"", "jc", "bridge call jc_admin_device_erase");
  assert.match(text, /device_\*/);
  assert.ok(!bridge.messages.some((m) => m.method === "elicitation/create"));
  // Not matched by a glob: runs.
  assert.equal(textOf(await bridge.callTool("jc_admin_user_add_mfa", { id: "ada" })), "mfa added for ada");
  assert.deepEqual(await calls(admin), ["called user_add_mfa ada"]);
  await bridge.close();
});

test("a client that cannot answer the question (error reply) gets a refusal; notifications/cancelled withdraws it", T, async (t) => {
  const admin = await startPeer("admin-server", [], { t });
  const bridge = await startBridge({
    config: { servers: { adm: { url: admin.url, prefix: "adm_", confirm: ["device_erase"] } } },
    autoReply: false,
    t,
  });
  await bridge.initialize(ELICIT);
  await bridge.waitForTools(hasAll("adm_device_erase"));
  let { question, response } = await callExpectingQuestion(bridge, "adm_device_erase", {});
  bridge.send({ jsonrpc: "2.0", id: question.id, error: { code: -32603, message: "no UI" } });
  assertToolError(await response, "could not ask");

  const from = bridge.messages.length;
  const id = 777;
  bridge.send({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "adm_device_erase", arguments: {} } });
  question = await bridge.waitFor((m) => m.method === "elicitation/create", 10000, "a question", from);
  bridge.notify("notifications/cancelled", { requestId: id, reason: "user gave up" });
  // A late answer to a withdrawn question changes nothing.
  bridge.send({ jsonrpc: "2.0", id: question.id, result: { action: "accept", content: { confirm: true } } });
  assert.equal(textOf(await bridge.callTool("adm_users_list")), "users: ada, grace");
  assert.deepEqual(await calls(admin), ["called users_list"]);
  assert.ok(!bridge.messages.slice(from).some((m) => m.id === id), "a cancelled request gets no answer");
  await bridge.close();
});

test("bridge call asks on the terminal: --yes runs it, no terminal declines (exit 1)", T, async (t) => {
  const admin = await startPeer("admin-server", [], { t });
  const home = await tempHome({ t });
  const config = { servers: { adm: { url: admin.url, prefix: "adm_", confirm_destructive: true } } };
  let r = await runBridge({ config, home, args: ["call", "adm_device_erase", "--args", '{"id":"d1"}'], timeoutMs: 20000 });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Run adm_device_erase on adm\?/);
  assert.match(r.stderr, /add --yes/);
  assert.deepEqual(await calls(admin), []);
  r = await runBridge({ config, home, args: ["call", "adm_device_erase", "--args", '{"id":"d1"}', "--yes"], timeoutMs: 20000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), "erased device d1");
  assert.deepEqual(await calls(admin), ["called device_erase d1"]);
});

test("audit log: one JSON line per tool call with upstream, org, tool, duration, outcome — never arguments", T, async (t) => {
  const admin = await startPeer("admin-server", [], { t });
  const home = await tempHome({ t });
  const bridge = await startBridge({
    config: {
      audit_log: true,
      servers: { adm: { url: admin.url, prefix: "adm_", organizationID: "org-9", confirm: ["device_erase"] } },
    },
    home,
    t,
  });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("adm_users_list"));
  await bridge.callTool("adm_users_list", { id: "SECRET-ARGUMENT-1" });
  await bridge.request("tools/call", { name: "adm_fail_always", arguments: {} });
  await bridge.request("tools/call", { name: "adm_device_erase", arguments: { id: "SECRET-ARGUMENT-2" } });
  await bridge.close();
  const file = path.join(home.env.XDG_DATA_HOME, "mcp-bridge", "audit.log");
  const text = await fsp.readFile(file, "utf8");
  assert.ok(!text.includes("SECRET-ARGUMENT"), `argument values in the audit log:\n${text}`);
  const lines = text.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.tool, l.outcome]), [["users_list", "ok"], ["fail_always", "tool_error"], ["device_erase", "refused"]]);
  for (const l of lines) {
    assert.deepEqual(Object.keys(l), ["time", "upstream", "org", "tool", "exposed", "duration_ms", "outcome"]);
    assert.equal(l.upstream, "adm");
    assert.equal(l.org, "org-9");
    assert.match(l.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Number.isInteger(l.duration_ms) && l.duration_ms >= 0);
  }
  // The rotating log file exists under the data dir and holds no argument values either.
  const log = await fsp.readFile(path.join(home.env.XDG_DATA_HOME, "mcp-bridge", "logs", "bridge.log"), "utf8");
  assert.ok(!log.includes("SECRET-ARGUMENT"));
  assert.match(log, /adm: connected/);
});
