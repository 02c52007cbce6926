// A keychain that does not answer must delay only the upstream whose token lives there (issue 16,
// item 6: nothing that can block runs on the event-loop thread). The Secret Service daemon of
// run-with-keyring.sh is frozen with SIGSTOP before the bridge starts; while it is frozen, the
// client initializes and calls a tool of an upstream that needs no secret. Then the daemon is
// thawed, and the keychain-backed upstream must come up with the token it reads then.
//
// Before the fix the bridge read the token on its only thread at start-up: initialize itself
// waited for the keychain's 3 s deadline, and the upstream was then left without a token.
//
//   tests/keyring/run-with-keyring.sh env BRIDGE_BIN=build/ci/src/bridge node --test tests/keyring/
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { startPeer, startBridge, runBridge, tempHome, textOf, allText } from "../integration/lib/harness.mjs";

const API_KEY = "jca_hungKeychain0123456789abcdef";
const HEADER_KEY = "jca_hungHeader0123456789abcdef";
const ORG = "org-hung-keychain";

const busEnv = {};
for (const k of ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"]) if (process.env[k]) busEnv[k] = process.env[k];

// The pid of whoever owns org.freedesktop.secrets on the private bus: the gnome-keyring daemon.
function secretServicePid() {
  const reply = execFileSync("dbus-send", [
    "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
    "org.freedesktop.DBus.GetConnectionUnixProcessID", "string:org.freedesktop.secrets",
  ], { env: process.env, encoding: "utf8" });
  const match = /uint32 (\d+)/.exec(reply);
  assert.ok(match, `no pid in: ${reply}`);
  return Number(match[1]);
}

test("a frozen keychain delays only the upstream whose token is in it", { timeout: 60_000 }, async (t) => {
  assert.ok(busEnv.DBUS_SESSION_BUS_ADDRESS, "run me inside tests/keyring/run-with-keyring.sh");
  const home = await tempHome({ t });
  const bearer = await startPeer("bearer-org-server", ["--token", API_KEY, "--org", ORG], { t });
  const viaHeader = await startPeer("bearer-org-server", ["--token", HEADER_KEY, "--org", ORG], { t });
  const plain = await startPeer("json-server", [], { t });
  const config = {
    servers: {
      jc: { url: bearer.url, prefix: "jc_", organizationID: ORG, auth: "token", token: "${keychain:jc}" },
      hdr: { url: viaHeader.url, prefix: "hdr_", organizationID: ORG, headers: { Authorization: "Bearer ${keychain:hdr}" } },
      plain: { url: plain.url, prefix: "plain_" },
    },
  };
  const env = { ...busEnv };
  for (const [name, secret] of [["jc", API_KEY], ["hdr", HEADER_KEY]]) {
    const set = await runBridge({ config, home, t, args: ["token", "set", name], env, stdin: secret + "\n" });
    assert.equal(set.code, 0, set.stderr);
  }

  const daemon = secretServicePid();
  process.kill(daemon, "SIGSTOP");
  let frozen = true;
  const thaw = () => {
    if (frozen) {
      process.kill(daemon, "SIGCONT");
      frozen = false;
    }
  };
  t.after(thaw);

  const bridge = await startBridge({ config, home, t, env });
  await bridge.initialize();
  // No tools/list first: a list waits (up to list_wait) for every upstream's first catalog, the
  // frozen one's too. A call waits only for its own upstream.
  const answer = await bridge.callTool("plain_echo", { message: "while the keychain sleeps" });
  assert.equal(textOf(answer), "while the keychain sleeps", allText(answer));
  assert.ok(frozen, "the plain upstream answered while the keychain was still frozen");
  // A bridge that waited on the keychain in its loop would have given up on it (3 s) first.
  assert.doesNotMatch(bridge.stderr(), /did not answer within/, "the answer did not wait for the keychain");
  thaw();

  await bridge.waitForTools((tools) => ["jc_echo", "hdr_echo"].every((n) => tools.some((x) => x.name === n)));
  assert.equal(textOf(await bridge.callTool("jc_echo", { message: "token read after the thaw" })),
               "token read after the thaw");
  assert.equal(textOf(await bridge.callTool("hdr_echo", { message: "header read after the thaw" })),
               "header read after the thaw");
  await bridge.close();
  assert.doesNotMatch(bridge.stderr(), /no OS keychain reachable/, "the bridge did not give up on the keychain");
});
