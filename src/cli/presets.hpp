#pragma once

// Ready-made server entries for the upstreams our users bring (FACTS.md "The two upstream systems"):
//   jumpcloud  https://mcp.jumpcloud.com/v1, prefix jc_admin_ (jc_<name>_ with --name), OAuth by
//              default, ?organizationID= for MSP child orgs, confirmation for destructive tools
//   mcpjungle  http://localhost:8080/mcp (or /v0/groups/<group>/mcp), prefix jungle_, no auth
//              (development mode) unless --auth token (enterprise mode)
// `bridge add` and `bridge login` (for a preset name with no entry yet) use them.

#include "cli/config_edit.hpp"

#include <optional>
#include <string>

namespace bridge::cli {

struct PresetRequest {
  std::string preset;    // "jumpcloud" or "mcpjungle"
  std::string name;      // --name: the config entry's name (default: the preset's)
  std::string org;       // --org (jumpcloud)
  std::string group;     // --group (mcpjungle)
};

struct PresetEntry {
  std::string name;      // the server's name in the config
  OrderedJson entry;     // url, prefix, auth, …
};

[[nodiscard]] bool is_preset(const std::string& name);

// nullopt when request.preset is not a preset.
std::optional<PresetEntry> preset_entry(const PresetRequest& request);

// The jumpcloud preset's URL: $BRIDGE_JUMPCLOUD_URL when set, else https://mcp.jumpcloud.com/v1.
std::string jumpcloud_url();

// Letters, digits, '_' and '-' kept; anything else becomes '_' (for prefixes made from names).
std::string prefix_safe(const std::string& text);

// The documented JumpCloud tools that erase, lock, reset or take away access
// (cli/jumpcloud_tools.hpp): the preset confirms them before they run.
const std::vector<std::string>& jumpcloud_confirm_tools();

} // namespace bridge::cli
