#include "core/policy.hpp"

#include "core/config.hpp"

#include <nlohmann/json.hpp>

namespace bridge::core {
namespace {

bool flag(const nlohmann::json& annotations, const char* key, bool fallback) {
  auto it = annotations.find(key);
  if (it == annotations.end() || !it->is_boolean()) {
    return fallback;
  }
  return it->get<bool>();
}

} // namespace

ToolHints tool_hints(const nlohmann::json& tool) {
  ToolHints hints;
  if (!tool.is_object()) {
    return hints;
  }
  auto annotations = tool.find("annotations");
  if (annotations == tool.end() || !annotations->is_object()) {
    return hints;
  }
  hints.read_only = flag(*annotations, "readOnlyHint", false);
  hints.destructive = flag(*annotations, "destructiveHint", true);
  return hints;
}

bool policy_exposes(const SafetyPolicy& policy, const nlohmann::json& tool) {
  if (!policy.read_only) {
    return true;
  }
  return tool_hints(tool).read_only;
}

CallDecision decide_call(const SafetyPolicy& policy, std::string_view original, const nlohmann::json* tool) {
  for (const auto& glob : policy.confirm) {
    if (glob_match(glob, original)) {
      return {CallVerdict::confirm, "it matches \"confirm\": \"" + glob + "\""};
    }
  }
  if (policy.confirm_destructive) {
    if (tool == nullptr) {
      return {CallVerdict::confirm, "\"confirm_destructive\" is on and its annotations are unknown"};
    }
    auto hints = tool_hints(*tool);
    if (!hints.read_only && hints.destructive) {
      bool annotated = tool->contains("annotations") && (*tool)["annotations"].is_object() &&
                       (*tool)["annotations"].contains("destructiveHint");
      return {CallVerdict::confirm, annotated ? "the server marks it destructive (destructiveHint)"
                                              : "the server does not mark it read-only or non-destructive "
                                                "(MCP treats such tools as possibly destructive)"};
    }
  }
  return {};
}

} // namespace bridge::core
