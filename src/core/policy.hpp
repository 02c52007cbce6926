#pragma once

// Safety policy for one upstream's tools, decided from the config and the tool's own
// annotations (MCP ToolAnnotations), with no I/O, so every case is unit-tested:
//   "read_only": true          only tools annotated readOnlyHint: true are listed or callable
//   "confirm": [globs]         calls to matching tools need the user's yes first
//   "confirm_destructive": true calls to tools that may be destructive need the user's yes
// A tool "may be destructive" as MCP defines it: not readOnlyHint: true, and destructiveHint not
// false (the spec's default for destructiveHint is true). allow/deny (ToolFilter) still apply first.
//   "unannotated": how to treat a tool the server does not annotate (neither readOnlyHint nor
//                  destructiveHint): "destructive" (default, MCP's own defaults: asked about under
//                  confirm_destructive), "confirm" (always asked about), "non_destructive" (never
//                  asked about by confirm_destructive; still hidden by read_only, which needs a
//                  readOnlyHint: true).

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bridge::core {

enum class Unannotated { destructive, confirm, non_destructive };

struct SafetyPolicy {
  std::vector<std::string> confirm; // globs on the upstream's own tool names
  bool confirm_destructive = false;
  bool read_only = false;
  Unannotated unannotated = Unannotated::destructive;
};

// "destructive", "confirm", "non_destructive"; nullopt for anything else.
std::optional<Unannotated> parse_unannotated(std::string_view text);
std::string_view unannotated_name(Unannotated value); // as the config spells it

// What the tool's annotations say (missing annotations: the spec's defaults).
struct ToolHints {
  bool read_only = false;   // readOnlyHint, default false
  bool destructive = true;  // destructiveHint, default true; meaningful only when not read-only
  bool annotated = false;   // either hint is given as a boolean
};
ToolHints tool_hints(const nlohmann::json& tool);

// True when the tool is listed (and callable) under this policy.
bool policy_exposes(const SafetyPolicy& policy, const nlohmann::json& tool);

enum class CallVerdict { allow, confirm };

struct CallDecision {
  CallVerdict verdict = CallVerdict::allow;
  std::string reason; // why it needs confirmation: "it matches \"confirm\": \"device_*\"", …
  std::string setting; // what in the server's entry would let it run without asking
};

// `original` is the upstream's own tool name; `tool` its definition (may be null when unknown:
// then only the confirm globs can match, and confirm_destructive asks, to be safe).
CallDecision decide_call(const SafetyPolicy& policy, std::string_view original, const nlohmann::json* tool);

} // namespace bridge::core
