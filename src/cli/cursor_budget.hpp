#pragma once

// Cursor's limits (FACTS.md "Browsers and clients", DESIGN.md Prefixing): it offers the model about
// 40 tools in total and cuts names where server name + tool name passes about 60 characters. The
// bridge's catalog can pass both; `bridge install cursor` and `bridge status` say so, with the fix.

#include "core/config.hpp"

#include <nlohmann/json.hpp>

#include <optional>

#include <string>
#include <vector>

namespace bridge::cli {

inline constexpr std::size_t k_cursor_tool_budget = 40;
inline constexpr std::size_t k_cursor_name_budget = 60;

// Warning lines (empty when within both limits) for these final tool names under a Cursor entry
// named `entry_name`.
std::vector<std::string> cursor_budget_warnings(const std::vector<std::string>& tool_names, const std::string& entry_name);

// The tool names in a tools/list response (none when it is absent or an error).
std::vector<std::string> listed_tool_names(const std::optional<nlohmann::json>& response);

// The final names the cached catalog (what serve saw last) gives these servers; empty without a cache.
std::vector<std::string> cached_tool_names(const core::Config& config);

} // namespace bridge::cli
