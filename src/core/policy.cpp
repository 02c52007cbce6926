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
  auto is_flag = [&](const char* key) {
    auto it = annotations->find(key);
    return it != annotations->end() && it->is_boolean();
  };
  hints.annotated = is_flag("readOnlyHint") || is_flag("destructiveHint");
  return hints;
}

std::optional<Unannotated> parse_unannotated(std::string_view text) {
  if (text == "destructive") {
    return Unannotated::destructive;
  }
  if (text == "confirm") {
    return Unannotated::confirm;
  }
  if (text == "non_destructive") {
    return Unannotated::non_destructive;
  }
  return std::nullopt;
}

std::string_view unannotated_name(Unannotated value) {
  switch (value) {
  case Unannotated::confirm:
    return "confirm";
  case Unannotated::non_destructive:
    return "non_destructive";
  case Unannotated::destructive:
    break;
  }
  return "destructive";
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
      return {CallVerdict::confirm, "it matches \"confirm\": \"" + glob + "\"", "remove \"" + glob + "\" from \"confirm\""};
    }
  }
  if (tool != nullptr) {
    auto hints = tool_hints(*tool);
    if (!hints.annotated) {
      if (policy.unannotated == Unannotated::confirm) {
        // With confirm_destructive on, "destructive" would still ask (MCP's default for a bare tool).
        return {CallVerdict::confirm, "the server does not annotate it and \"unannotated\" is \"confirm\"",
                policy.confirm_destructive ? "set \"unannotated\": \"non_destructive\""
                                           : "set \"unannotated\": \"destructive\""};
      }
      if (policy.unannotated == Unannotated::non_destructive) {
        return {};
      }
    }
    if (policy.confirm_destructive && !hints.read_only && hints.destructive) {
      bool marked = tool->contains("annotations") && (*tool)["annotations"].is_object() &&
                    (*tool)["annotations"].contains("destructiveHint");
      return {CallVerdict::confirm, marked ? "the server marks it destructive (destructiveHint)"
                                           : "the server does not mark it read-only or non-destructive "
                                             "(MCP treats such tools as possibly destructive)",
              "set \"confirm_destructive\": false"};
    }
    return {};
  }
  // The definition is unknown (not in the last list): ask whenever annotations could have mattered.
  if (policy.confirm_destructive || policy.unannotated == Unannotated::confirm) {
    return {CallVerdict::confirm, "its annotations are unknown (the server has not listed it)",
            policy.confirm_destructive && policy.unannotated == Unannotated::confirm
                ? "set \"confirm_destructive\": false and \"unannotated\": \"destructive\""
            : policy.confirm_destructive ? "set \"confirm_destructive\": false"
                                         : "set \"unannotated\": \"destructive\""};
  }
  return {};
}

} // namespace bridge::core
