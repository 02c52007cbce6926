#include "cli/presets.hpp"

#include "cli/jumpcloud_tools.hpp"
#include "platform/platform.hpp"

namespace bridge::cli {

bool is_preset(const std::string& name) { return name == "jumpcloud" || name == "mcpjungle"; }

std::string prefix_safe(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) {
      c = '_';
    }
  }
  return out;
}

const std::vector<std::string>& jumpcloud_confirm_tools() {
  static const std::vector<std::string> tools = [] {
    std::vector<std::string> names;
    for (const auto& tool : jumpcloud_documented_tools()) {
      if (tool.effect == ToolEffect::destructive) {
        names.emplace_back(tool.name);
      }
    }
    return names;
  }();
  return tools;
}

std::string jumpcloud_url() {
  // Tests (and a JumpCloud staging endpoint) stand in for the real server without editing code.
  if (auto over = platform::env("BRIDGE_JUMPCLOUD_URL"); over && !over->empty()) {
    return *over;
  }
  return "https://mcp.jumpcloud.com/v1";
}

std::optional<PresetEntry> preset_entry(const PresetRequest& request) {
  PresetEntry result;
  if (request.preset == "jumpcloud") {
    result.name = request.name.empty() ? "jumpcloud" : request.name;
    result.entry["url"] = jumpcloud_url();
    result.entry["prefix"] = request.name.empty() ? std::string("jc_admin_") : "jc_" + prefix_safe(request.name) + "_";
    if (!request.org.empty()) {
      result.entry["organizationID"] = request.org;
    }
    result.entry["auth"] = "oauth";
    result.entry["confirm"] = jumpcloud_confirm_tools();
    return result;
  }
  if (request.preset == "mcpjungle") {
    result.name = request.name.empty() ? "mcpjungle" : request.name;
    result.entry["url"] = request.group.empty() ? std::string("http://localhost:8080/mcp")
                                                : "http://localhost:8080/v0/groups/" + request.group + "/mcp";
    result.entry["prefix"] = "jungle_";
    result.entry["auth"] = "none";
    return result;
  }
  return std::nullopt;
}

} // namespace bridge::cli
