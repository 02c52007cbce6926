#pragma once

// JumpCloud's MCP server tools as JumpCloud documents them (FACTS.md "The two upstream systems"),
// each with what it does to the directory. The jumpcloud preset's "confirm" list is derived from
// this table rather than typed by hand, so a tool in it that JumpCloud never offered, or a
// documented tool that erases or takes away access but is not confirmed, is a failing unit test.

#include <string_view>
#include <vector>

namespace bridge::cli {

enum class ToolEffect {
  reads,       // lists or shows; changes nothing
  adds,        // changes state but takes nothing away (sends an e-mail, unlocks, adds MFA)
  destructive, // erases, locks, restarts, suspends, resets or removes access or data
};

struct DocumentedTool {
  std::string_view name;
  ToolEffect effect;
};

// All 26 tools, in JumpCloud's documented order.
const std::vector<DocumentedTool>& jumpcloud_documented_tools();

} // namespace bridge::cli
