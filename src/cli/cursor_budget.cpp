#include "cli/cursor_budget.hpp"

#include "core/catalog_cache.hpp"
#include "platform/platform.hpp"

namespace bridge::cli {

std::vector<std::string> cursor_budget_warnings(const std::vector<std::string>& tool_names, const std::string& entry_name) {
  std::vector<std::string> warnings;
  if (tool_names.size() > k_cursor_tool_budget) {
    warnings.push_back("Cursor: " + std::to_string(tool_names.size()) + " tools, more than the about " +
                       std::to_string(k_cursor_tool_budget) +
                       " Cursor offers the model — keep the ones you use with \"tools\": {\"allow\": [\"user_*\", …]} "
                       "per server in the config (or \"deny\"), or turn tools off in Cursor's MCP settings");
  }
  std::size_t too_long = 0;
  std::string example;
  for (const auto& name : tool_names) {
    if (entry_name.size() + name.size() > k_cursor_name_budget) {
      ++too_long;
      example = example.empty() ? name : example;
    }
  }
  if (too_long > 0) {
    warnings.push_back("Cursor: " + std::to_string(too_long) + " tool name" + (too_long == 1 ? "" : "s") + " (e.g. " +
                       example + ") pass about " + std::to_string(k_cursor_name_budget) +
                       " characters with the server name \"" + entry_name +
                       "\" and get cut — use a shorter prefix (bridge add NAME --prefix P --replace) or a tools filter");
  }
  return warnings;
}

std::vector<std::string> listed_tool_names(const std::optional<nlohmann::json>& response) {
  std::vector<std::string> names;
  if (!response || !response->contains("result") || !(*response)["result"].is_object()) {
    return names;
  }
  const auto& tools = (*response)["result"].value("tools", nlohmann::json::array());
  for (const auto& tool : tools) {
    if (tool.is_object() && tool.contains("name") && tool["name"].is_string()) {
      names.push_back(tool["name"].get<std::string>());
    }
  }
  return names;
}

std::vector<std::string> cached_tool_names(const core::Config& config) {
  std::vector<std::string> names;
  std::vector<core::ServerConfig> enabled; // the set serve keys its cache by (cli/wiring.cpp)
  for (const auto& server : config.servers) {
    if (server.enabled) {
      enabled.push_back(server);
    }
  }
  core::CatalogCache cache(platform::data_dir() / "cache", enabled);
  auto snapshot = cache.load();
  if (!snapshot) {
    return names;
  }
  for (const auto& server : enabled) {
    const core::CachedUpstream* upstream = snapshot->find(server.name);
    if (upstream == nullptr) {
      continue;
    }
    for (const auto& tool : upstream->tools) {
      std::string name = tool.value("name", std::string());
      if (!name.empty() && core::tool_allowed(server.tools, name)) {
        names.push_back(server.prefix + name);
      }
    }
  }
  return names;
}

} // namespace bridge::cli
