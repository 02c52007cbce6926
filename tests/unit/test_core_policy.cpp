// The safety policy: which tools a read-only upstream shows, which calls need the user's yes.

#include "catch.hpp"

#include "core/policy.hpp"

#include <nlohmann/json.hpp>

using namespace bridge::core;
using nlohmann::json;

namespace {

json tool(const std::string& name, json annotations = nullptr) {
  json t = {{"name", name}, {"inputSchema", {{"type", "object"}}}};
  if (!annotations.is_null()) {
    t["annotations"] = std::move(annotations);
  }
  return t;
}

} // namespace

TEST_CASE("annotations: the spec's defaults when missing or malformed", "[policy]") {
  CHECK_FALSE(tool_hints(tool("a")).read_only);
  CHECK(tool_hints(tool("a")).destructive);
  CHECK(tool_hints(tool("a", {{"readOnlyHint", true}})).read_only);
  CHECK_FALSE(tool_hints(tool("a", {{"destructiveHint", false}})).destructive);
  CHECK_FALSE(tool_hints(tool("a", {{"readOnlyHint", "yes"}})).read_only); // not a boolean: default
  CHECK_FALSE(tool_hints(json("not an object")).read_only);
}

TEST_CASE("read_only exposes only tools annotated readOnlyHint: true", "[policy]") {
  SafetyPolicy policy;
  CHECK(policy_exposes(policy, tool("device_erase")));
  policy.read_only = true;
  CHECK_FALSE(policy_exposes(policy, tool("device_erase")));
  CHECK_FALSE(policy_exposes(policy, tool("device_erase", {{"destructiveHint", true}})));
  CHECK_FALSE(policy_exposes(policy, tool("users_list", {{"readOnlyHint", false}})));
  CHECK(policy_exposes(policy, tool("users_list", {{"readOnlyHint", true}})));
}

TEST_CASE("confirm globs match the upstream's own names", "[policy]") {
  SafetyPolicy policy;
  policy.confirm = {"device_*", "user_suspend"};
  auto t = tool("device_erase", {{"readOnlyHint", true}});
  auto decision = decide_call(policy, "device_erase", &t);
  CHECK(decision.verdict == CallVerdict::confirm);
  CHECK(decision.reason.find("device_*") != std::string::npos);
  CHECK(decide_call(policy, "user_suspend", nullptr).verdict == CallVerdict::confirm);
  CHECK(decide_call(policy, "users_list", nullptr).verdict == CallVerdict::allow);
  CHECK(decide_call(SafetyPolicy{}, "device_erase", &t).verdict == CallVerdict::allow);
}

TEST_CASE("confirm_destructive follows destructiveHint and readOnlyHint", "[policy]") {
  SafetyPolicy policy;
  policy.confirm_destructive = true;
  auto erase = tool("device_erase", {{"destructiveHint", true}});
  auto list = tool("devices_list", {{"readOnlyHint", true}});
  auto additive = tool("user_add_mfa", {{"readOnlyHint", false}, {"destructiveHint", false}});
  auto bare = tool("something");
  CHECK(decide_call(policy, "device_erase", &erase).verdict == CallVerdict::confirm);
  CHECK(decide_call(policy, "device_erase", &erase).reason.find("destructiveHint") != std::string::npos);
  CHECK(decide_call(policy, "devices_list", &list).verdict == CallVerdict::allow);
  CHECK(decide_call(policy, "user_add_mfa", &additive).verdict == CallVerdict::allow);
  // No annotations: MCP's default says possibly destructive, so ask.
  CHECK(decide_call(policy, "something", &bare).verdict == CallVerdict::confirm);
  CHECK(decide_call(policy, "unknown", nullptr).verdict == CallVerdict::confirm);
  // readOnlyHint wins over a stray destructiveHint.
  auto odd = tool("odd", {{"readOnlyHint", true}, {"destructiveHint", true}});
  CHECK(decide_call(policy, "odd", &odd).verdict == CallVerdict::allow);
}

TEST_CASE("unannotated: the user's setting decides for tools the server does not annotate", "[policy]") {
  auto bare = tool("new_tool");
  auto malformed = tool("odd_tool", {{"readOnlyHint", "no"}}); // not a boolean: not an annotation
  auto erase = tool("device_erase", {{"destructiveHint", true}});
  auto list = tool("devices_list", {{"readOnlyHint", true}});
  CHECK_FALSE(tool_hints(bare).annotated);
  CHECK_FALSE(tool_hints(malformed).annotated);
  CHECK(tool_hints(erase).annotated);

  SafetyPolicy policy; // default "destructive": MCP's defaults, asked only under confirm_destructive
  CHECK(decide_call(policy, "new_tool", &bare).verdict == CallVerdict::allow);
  policy.confirm_destructive = true;
  CHECK(decide_call(policy, "new_tool", &bare).verdict == CallVerdict::confirm);

  policy = SafetyPolicy{};
  policy.unannotated = Unannotated::confirm; // asked even without confirm_destructive
  auto decision = decide_call(policy, "new_tool", &bare);
  CHECK(decision.verdict == CallVerdict::confirm);
  CHECK(decision.reason.find("\"unannotated\"") != std::string::npos);
  // The refusal names the setting that asked, not another one.
  CHECK(decision.setting == "set \"unannotated\": \"destructive\"");
  policy.confirm_destructive = true; // then "destructive" would still ask: the way out is "non_destructive"
  CHECK(decide_call(policy, "new_tool", &bare).setting == "set \"unannotated\": \"non_destructive\"");
  CHECK(decide_call(policy, "unlisted", nullptr).setting ==
        "set \"confirm_destructive\": false and \"unannotated\": \"destructive\"");
  policy.confirm_destructive = false;
  CHECK(unannotated_name(Unannotated::confirm) == "confirm");
  CHECK(parse_unannotated(unannotated_name(Unannotated::non_destructive)) == Unannotated::non_destructive);
  CHECK(decide_call(policy, "odd_tool", &malformed).verdict == CallVerdict::confirm);
  CHECK(decide_call(policy, "device_erase", &erase).verdict == CallVerdict::allow); // annotated: setting unused
  CHECK(decide_call(policy, "devices_list", &list).verdict == CallVerdict::allow);
  CHECK(decide_call(policy, "unlisted", nullptr).verdict == CallVerdict::confirm);

  policy = SafetyPolicy{};
  policy.confirm_destructive = true;
  policy.unannotated = Unannotated::non_destructive; // trusted: only marked tools are asked about
  CHECK(decide_call(policy, "new_tool", &bare).verdict == CallVerdict::allow);
  CHECK(decide_call(policy, "device_erase", &erase).verdict == CallVerdict::confirm);
  policy.confirm = {"new_*"}; // explicit confirm globs still win
  CHECK(decide_call(policy, "new_tool", &bare).verdict == CallVerdict::confirm);
  policy.read_only = true; // read_only still needs readOnlyHint: true
  CHECK_FALSE(policy_exposes(policy, bare));

  CHECK(parse_unannotated("confirm") == Unannotated::confirm);
  CHECK(parse_unannotated("destructive") == Unannotated::destructive);
  CHECK(parse_unannotated("non_destructive") == Unannotated::non_destructive);
  CHECK_FALSE(parse_unannotated("yes").has_value());
}

#include "cli/jumpcloud_tools.hpp"
#include "cli/presets.hpp"

#include <algorithm>
#include <set>

TEST_CASE("jumpcloud preset: confirm exactly the documented tools that erase or take away access", "[policy]") {
  const auto& documented = bridge::cli::jumpcloud_documented_tools();
  CHECK(documented.size() == 26); // FACTS.md: "Tools (26)"
  std::set<std::string_view> names;
  for (const auto& t : documented) {
    CHECK(names.insert(t.name).second); // no duplicates
  }
  const auto& confirmed = bridge::cli::jumpcloud_confirm_tools();
  for (const auto& name : confirmed) {
    CHECK(names.count(name) == 1); // nothing JumpCloud does not offer
  }
  for (const char* must : {"device_erase", "device_lock", "device_restart", "device_shutdown", "device_update",
                           "user_suspend", "user_resetmfa", "user_remove_mfa_requirement", "user_force_password_reset"}) {
    CHECK(std::count(confirmed.begin(), confirmed.end(), must) == 1);
  }
  for (const char* read : {"users_list", "devices_list", "user_get", "search_api", "di_events_get"}) {
    CHECK(std::count(confirmed.begin(), confirmed.end(), read) == 0);
  }
}

#include "core/display_text.hpp"

TEST_CASE("fold_lines keeps every byte, breaks long lines, never inside a UTF-8 character", "[policy]") {
  CHECK(fold_lines("short", 10) == "short");
  CHECK(fold_lines("", 10).empty());
  CHECK(fold_lines("a\n\nb", 10) == "a\n\nb");
  CHECK(fold_lines("abcdefghij", 4) == "abcd\n  \u21aa efgh\n  \u21aa ij");
  // Prose breaks after a space (kept on the line) when one is in the second half of the width.
  CHECK(fold_lines("run this tool now", 10) == "run this \n  \u21aa tool now");
  CHECK(fold_lines("a bcdefghijkl", 6) == "a bcde\n  \u21aa fghijk\n  \u21aa l");
  // "é" is two bytes; a width of 2 after "a" must not split it.
  std::string folded = fold_lines("a\u00e9b", 2);
  CHECK(folded == "a\n  \u21aa \u00e9\n  \u21aa b");
  // Every original byte is there once the markers are removed.
  std::string text(5000, 'x');
  text += "\nend";
  std::string joined = fold_lines(text, 100);
  std::string stripped;
  for (std::size_t i = 0; i < joined.size(); ++i) {
    if (joined.compare(i, 7, "\n  \u21aa ") == 0) {
      i += 6;
      continue;
    }
    stripped += joined[i];
  }
  CHECK(stripped == text);
}

// ---------------------------------------------------------------------------------------------
// The router's policy hooks, against in-process fakes of its seams.

#include "core/router.hpp"

#include <map>

namespace {

class PolicyScheduler final : public Scheduler {
public:
  TimerId schedule(std::chrono::milliseconds delay, std::function<void()> callback) override {
    TimerId id = m_next++;
    m_timers[id] = {m_now + delay, std::move(callback)};
    return id;
  }
  void cancel(TimerId id) override { m_timers.erase(id); }
  [[nodiscard]] std::chrono::steady_clock::time_point now() const override { return m_now; }
  void advance(std::chrono::milliseconds by) {
    m_now += by;
    for (bool fired = true; fired;) {
      fired = false;
      for (auto it = m_timers.begin(); it != m_timers.end(); ++it) {
        if (it->second.first <= m_now) {
          auto callback = std::move(it->second.second);
          m_timers.erase(it);
          callback();
          fired = true;
          break;
        }
      }
    }
  }

private:
  std::chrono::steady_clock::time_point m_now{std::chrono::seconds(100)};
  TimerId m_next = 1;
  std::map<TimerId, std::pair<std::chrono::steady_clock::time_point, std::function<void()>>> m_timers;
};

struct PolicyWriter final : public ClientWriter {
  void write_message(std::string&& message) override { messages.push_back(json::parse(message)); }
  std::vector<json> messages;
};

struct PolicyLink final : public UpstreamLink {
  explicit PolicyLink(std::vector<std::pair<std::uint64_t, json>>& sent) : m_sent(sent) {}
  void connect(const json&, const std::string&) override {}
  void send_request(std::uint64_t id, std::string text) override { m_sent.emplace_back(id, json::parse(text)); }
  void send_message(std::string) override {}
  void shutdown(std::function<void()> done) override { done(); }
  std::vector<std::pair<std::uint64_t, json>>& m_sent;
};

InboundMessage message_of(const json& value) {
  InboundMessage message;
  message.text = value.dump();
  ensure_padding(message.text);
  auto envelope = scan_envelope(message.text);
  REQUIRE(envelope.ok());
  message.envelope = *envelope;
  return message;
}

struct PolicyFixture {
  PolicyScheduler scheduler;
  PolicyWriter writer;
  std::vector<std::pair<std::uint64_t, json>> sent;
  std::vector<json> audit;
  std::unique_ptr<Router> router;

  PolicyFixture(SafetyPolicy safety, bool elicitation) {
    ServerConfig server;
    server.name = "jc";
    server.prefix = "jc_";
    server.url = "https://mcp.example.com/v1";
    server.organization_id = "org-1";
    server.safety = std::move(safety);
    RouterOptions options;
    options.audit = [this](const nlohmann::ordered_json& record) { audit.push_back(json::parse(record.dump())); };
    router = std::make_unique<Router>(std::vector<ServerConfig>{server}, options, scheduler, writer);
    router->set_link(0, std::make_unique<PolicyLink>(sent));
    json capabilities = elicitation ? json{{"elicitation", json::object()}} : json::object();
    client({{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"},
            {"params", {{"protocolVersion", "2025-06-18"}, {"capabilities", capabilities}}}});
    router->on_upstream_ready(0, {{"protocolVersion", "2025-06-18"}, {"capabilities", {{"tools", json::object()}}}});
    auto [id, request] = sent.back();
    json tools = json::array({tool("users_list", {{"readOnlyHint", true}}), tool("device_erase", {{"destructiveHint", true}}),
                              tool("user_add_mfa", {{"destructiveHint", false}})});
    router->on_upstream_message(0, message_of({{"jsonrpc", "2.0"}, {"id", id}, {"result", {{"tools", tools}}}}));
    sent.clear();
    writer.messages.clear();
  }

  void client(const json& message) { router->on_client_message(message.dump()); }
  void call(int id, const std::string& name) {
    client({{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"}, {"params", {{"name", name}, {"arguments", {{"id", "d-1"}}}}}});
  }
  void upstream_answers(const std::string& text) {
    auto [id, request] = sent.back();
    router->on_upstream_message(
        0, message_of({{"jsonrpc", "2.0"}, {"id", id}, {"result", {{"content", {{{"type", "text"}, {"text", text}}}}}}}));
  }
};

} // namespace

TEST_CASE("router: read_only hides what is not readOnlyHint, in lists and calls", "[policy][router]") {
  SafetyPolicy safety;
  safety.read_only = true;
  PolicyFixture f(safety, false);
  f.client({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}});
  auto tools = f.writer.messages.back()["result"]["tools"];
  REQUIRE(tools.size() == 1);
  CHECK(tools[0]["name"] == "jc_users_list");
  f.call(2, "jc_device_erase");
  CHECK(f.writer.messages.back()["error"]["message"] == "Unknown tool: jc_device_erase");
  CHECK(f.sent.empty());
}

TEST_CASE("router: a call needing confirmation is asked through elicitation; yes forwards it, no does not", "[policy][router]") {
  SafetyPolicy safety;
  safety.confirm_destructive = true;
  PolicyFixture f(safety, true);
  f.call(5, "jc_device_erase");
  REQUIRE(f.writer.messages.size() == 1);
  json question = f.writer.messages.back();
  CHECK(question["method"] == "elicitation/create");
  CHECK(question["params"]["message"].get<std::string>().find("organization org-1") != std::string::npos);
  CHECK(f.sent.empty()); // held
  f.client({{"jsonrpc", "2.0"}, {"id", question["id"]}, {"result", {{"action", "accept"}, {"content", {{"confirm", true}}}}}});
  REQUIRE(f.sent.size() == 1);
  CHECK(f.sent.back().second["params"]["name"] == "device_erase");
  f.upstream_answers("erased");
  CHECK(f.writer.messages.back()["id"] == 5);
  CHECK(f.writer.messages.back()["result"]["content"][0]["text"] == "erased");

  f.call(6, "jc_device_erase");
  question = f.writer.messages.back();
  f.client({{"jsonrpc", "2.0"}, {"id", question["id"]}, {"result", {{"action", "decline"}}}});
  CHECK(f.sent.size() == 1); // nothing new went upstream
  CHECK(f.writer.messages.back()["id"] == 6);
  CHECK(f.writer.messages.back()["result"]["isError"] == true);

  f.call(7, "jc_device_erase"); // nobody answers: refused after the wait
  f.scheduler.advance(std::chrono::minutes(6));
  CHECK(f.writer.messages.back()["id"] == 7);
  CHECK(f.writer.messages.back()["result"]["isError"] == true);

  f.call(8, "jc_user_add_mfa"); // destructiveHint false: no question
  CHECK(f.sent.size() == 2);

  REQUIRE(f.audit.size() == 3);
  CHECK(f.audit[0]["outcome"] == "ok");
  CHECK(f.audit[0]["tool"] == "device_erase");
  CHECK(f.audit[0]["org"] == "org-1");
  CHECK(f.audit[1]["outcome"] == "declined");
  CHECK(f.audit[2]["outcome"] == "declined");
}

TEST_CASE("router: without elicitation a call needing confirmation is refused in words", "[policy][router]") {
  SafetyPolicy safety;
  safety.confirm = {"device_*"};
  PolicyFixture f(safety, false);
  f.call(9, "jc_device_erase");
  CHECK(f.sent.empty());
  auto answer = f.writer.messages.back();
  CHECK(answer["id"] == 9);
  CHECK(answer["result"]["isError"] == true);
  std::string text = answer["result"]["content"][0]["text"];
  CHECK(text.find("does not support MCP elicitation") != std::string::npos);
  CHECK(text.find("\"confirm\"") != std::string::npos);
  CHECK(f.audit.back()["outcome"] == "refused");
  f.call(10, "jc_users_list");
  CHECK(f.sent.size() == 1);
}
