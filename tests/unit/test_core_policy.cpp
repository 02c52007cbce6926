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
