// More routing (resources with the same URI on two upstreams, cancellation, progress) and the
// config contract's less common fields (tools allow/deny, enabled, query + organizationID, ${file:}).
import { test } from "node:test";
import assert from "node:assert/strict";
import fsp from "node:fs/promises";
import path from "node:path";
import { startPeer, startBridge, tempHome, sleep, textOf } from "./lib/harness.mjs";
import { TOKEN, ORG, T, boEntry, plainEntry, names, hasAll, assertToolError } from "./lib/fixtures.mjs";

const count = (list, x) => list.filter((y) => y === x).length;

// ---------------------------------------------------------------------------------------------
test("two upstreams with the same resource URIs and prompt names: kept apart, each routed home", T, async (t) => {
  const [alpha, beta] = await Promise.all([
    startPeer("json-server", ["--label", "alpha"], { t }),
    startPeer("json-server", ["--label", "beta"], { t }),
  ]);
  const bridge = await startBridge({
    config: { servers: { alpha: plainEntry(alpha, "a_"), beta: plainEntry(beta, "b_") } },
    t,
  });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("a_add", "b_add"));

  const resources = (await bridge.listAll("resources/list", "resources")).items;
  const readmes = resources.filter((r) => (r.description ?? "").includes("README-RESOURCE marker"));
  assert.equal(readmes.length, 2, `readmes listed: ${JSON.stringify(resources)}`);
  assert.notEqual(readmes[0].uri, readmes[1].uri, "two upstreams' demo://readme listed under one URI");
  const texts = [];
  for (const r of readmes) {
    const read = await bridge.call("resources/read", { uri: r.uri });
    assert.equal(read.contents?.[0]?.uri, r.uri);
    texts.push(read.contents?.[0]?.text);
  }
  assert.deepEqual(texts.map((x) => /Served by (\w+)/.exec(x)?.[1]).sort(), ["alpha", "beta"]);

  const templates = (await bridge.listAll("resources/templates/list", "resourceTemplates")).items;
  const items = templates.filter((x) => (x.description ?? "").includes("ITEM-TEMPLATE marker"));
  assert.equal(items.length, 2, JSON.stringify(templates));
  const itemTexts = [];
  for (const x of items) {
    const read = await bridge.call("resources/read", { uri: x.uriTemplate.replace("{id}", "7") });
    itemTexts.push(read.contents?.[0]?.text);
  }
  assert.deepEqual(itemTexts.sort(), ["item 7 from alpha", "item 7 from beta"]);

  for (const [name, label] of [["a_greeting", "alpha"], ["b_greeting", "beta"]]) {
    const p = await bridge.call("prompts/get", { name, arguments: { name: "Ada" } });
    assert.equal(p.messages?.[0]?.content?.text, `Hello, Ada! Greetings from ${label}.`);
  }
  await bridge.close();
});

// ---------------------------------------------------------------------------------------------
test("notifications/cancelled reaches the upstream for the right request", T, async (t) => {
  const bo = await startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG], { t });
  const bridge = await startBridge({ config: { servers: { orgsrv: boEntry(bo) } }, env: { PEER_TOKEN: TOKEN }, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("bo_slow"));
  // Two slow calls in flight; cancel only the second one.
  const keep = bridge.callTool("bo_slow", { ms: 1500 }, { timeoutMs: 10000 });
  const cancelId = "cancel-me";
  bridge.send({ jsonrpc: "2.0", id: cancelId, method: "tools/call", params: { name: "bo_slow", arguments: { ms: 4000 } } });
  await sleep(400);
  bridge.notify("notifications/cancelled", { requestId: cancelId, reason: "test" });
  assert.equal(textOf(await keep), "done");
  let s = await bo.state();
  for (let i = 0; i < 30 && !s.events.some((e) => e.startsWith("slow cancelled")); i++) {
    await sleep(100);
    s = await bo.state();
  }
  assert.ok(s.rpcMethods.includes("notifications/cancelled"), `the upstream never got the cancellation: ${s.rpcMethods.join(",")}`);
  assert.deepEqual(s.events.filter((e) => e.startsWith("slow")).sort(), ["slow cancelled (4000 ms)", "slow done (1500 ms)"]);
  // The bridge still works.
  assert.equal(textOf(await bridge.callTool("bo_echo", { message: "after cancel" })), "after cancel");
  await bridge.close();
});

// ---------------------------------------------------------------------------------------------
test("progress notifications come back with the client's progressToken", T, async (t) => {
  const bo = await startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG, "--chatty"], { t });
  const bridge = await startBridge({ config: { servers: { orgsrv: boEntry(bo) } }, env: { PEER_TOKEN: TOKEN }, t });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("bo_echo"));
  for (const token of ["tok-1", 17]) {
    const from = bridge.messages.length;
    const r = await bridge.request("tools/call", {
      name: "bo_echo",
      arguments: { message: `with progress ${token}` },
      _meta: { progressToken: token },
    });
    assert.equal(textOf(r.result), `with progress ${token}`);
    const progress = bridge.messages.slice(from).filter((m) => m.method === "notifications/progress");
    assert.equal(progress.length, 1, `progress notifications: ${JSON.stringify(progress)}`);
    assert.equal(progress[0].params.progressToken, token);
    assert.equal(progress[0].params.progress, 1);
    // …and before the response.
    assert.ok(bridge.messages.indexOf(progress[0]) < bridge.messages.indexOf(r));
  }
  await bridge.close();
});

// ---------------------------------------------------------------------------------------------
test("config tools.allow / tools.deny: filtered out of the list and never called", T, async (t) => {
  const bo = await startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG], { t });
  const bridge = await startBridge({
    config: { servers: { orgsrv: boEntry(bo, { tools: { allow: ["echo", "w*", "slow"], deny: ["whoami"] } }) } },
    env: { PEER_TOKEN: TOKEN },
    t,
  });
  await bridge.initialize();
  const tools = await bridge.waitForTools(hasAll("bo_echo"));
  assert.deepEqual(names(tools).sort(), ["bo_echo", "bo_slow"]);
  for (const denied of ["bo_whoami", "bo_big"]) {
    const r = await bridge.request("tools/call", { name: denied, arguments: { bytes: 1 } });
    if (r.error) assert.ok([-32602, -32601].includes(r.error.code), JSON.stringify(r));
    else assertToolError(r);
  }
  assert.equal(textOf(await bridge.callTool("bo_echo", { message: "allowed" })), "allowed");
  const s = await bo.state();
  assert.equal(count(s.rpcMethods, "tools/call"), 1, "a filtered tool reached the upstream");
  await bridge.close();
});

// ---------------------------------------------------------------------------------------------
test("config enabled: false: the upstream is never contacted", T, async (t) => {
  const [bo, js] = await Promise.all([
    startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG], { t }),
    startPeer("json-server", [], { t }),
  ]);
  const bridge = await startBridge({
    config: { servers: { orgsrv: boEntry(bo, { enabled: false }), jsonsrv: plainEntry(js, "js_") } },
    env: { PEER_TOKEN: TOKEN },
    t,
  });
  await bridge.initialize();
  const tools = await bridge.waitForTools(hasAll("js_add"));
  assert.ok(!tools.some((x) => x.name.startsWith("bo_")), "a disabled upstream's tools are listed");
  const r = await bridge.request("tools/call", { name: "bo_echo", arguments: { message: "x" } });
  assert.ok(r.error || r.result?.isError, JSON.stringify(r));
  await bridge.close();
  assert.equal((await bo.state()).requests, 0, "the disabled upstream was contacted");
});

// ---------------------------------------------------------------------------------------------
test("config: organizationID is added to a URL that already has a query; ${file:} token", T, async (t) => {
  const bo = await startPeer("bearer-org-server", ["--token", TOKEN, "--org", ORG], { t });
  const home = await tempHome({ t });
  const tokenFile = path.join(home.dir, "peer-token");
  await fsp.writeFile(tokenFile, TOKEN, { mode: 0o600 });
  const bridge = await startBridge({
    config: { servers: { orgsrv: boEntry(bo, { url: `${bo.url}?tenant=t1`, token: `\${file:${tokenFile}}` }) } },
    home,
    t,
  });
  await bridge.initialize();
  await bridge.waitForTools(hasAll("bo_whoami"));
  const who = JSON.parse(textOf(await bridge.callTool("bo_whoami", {})));
  assert.equal(who.organizationID, ORG);
  const s = await bo.state();
  const q = new URL(s.lastPostUrl, "http://x").searchParams;
  assert.equal(q.get("tenant"), "t1", `query lost: ${s.lastPostUrl}`);
  assert.equal(q.get("organizationID"), ORG);
  assert.equal(s.lastPostHeaders.authorization, `Bearer ${TOKEN}`);
  await bridge.close();
});
