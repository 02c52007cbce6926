#pragma once

// AI clients' MCP config files, for `bridge install`: which file, which shape, and adding our
// entry while keeping every other entry and field (FACTS.md "Browsers and clients"):
//   Claude Desktop, Cursor  {"mcpServers": {NAME: {"command", "args", "env"}}}
//   VS Code                 {"servers": {NAME: {"type": "stdio", "command", "args", "env"}}}

#include "cli/config_edit.hpp"
#include "platform/client_paths.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace bridge::cli {

// "claude" (also "claude-desktop"), "cursor", "vscode" (also "code").
std::optional<platform::AiClient> parse_client(const std::string& name);
std::string client_display_name(platform::AiClient client);
// The object that holds the server entries: "mcpServers" or "servers".
std::string servers_key(platform::AiClient client);

// The path an AI client should launch: the running executable, except where it sits in a Homebrew
// Cellar (<prefix>/Cellar/<formula>/<version>/bin/bridge), which `brew upgrade` deletes; then
// <prefix>/bin/bridge, the link Homebrew keeps pointing at the current version, when it leads to
// the same program.
std::filesystem::path stable_executable_path(const std::filesystem::path& executable);

// The entry that launches `executable serve`; with `config_path` set (the user chose a config
// file with --config or $BRIDGE_CONFIG), it is passed on as BRIDGE_CONFIG in "env".
OrderedJson bridge_entry(platform::AiClient client, const std::filesystem::path& executable,
                         const std::optional<std::filesystem::path>& config_path);

enum class InstallChange { added, updated, unchanged };

struct InstallOutcome {
  InstallChange change = InstallChange::unchanged;
  std::optional<std::filesystem::path> backup; // when an existing file was replaced
  OrderedJson entry;                           // what was written (may hold the user's secrets: never print it)
  std::vector<std::string> kept;               // the user's fields kept (names only)
  std::vector<std::string> changed;            // fields we set to a new value (names only)
  std::vector<std::string> notes;              // from reading the file (comments dropped, …)
  bool created_file = false;
};

// Adds or updates servers_key(client).NAME in `file`, keeping every field the user added to it
// (env, extra args, disabled, autoApprove, …). An entry of that name that runs another program or
// other arguments is left alone unless `force`. Nothing is written when nothing changes.
core::Result<InstallOutcome> install_entry(platform::AiClient client, const std::filesystem::path& file,
                                           const std::string& name, const OrderedJson& entry, bool force);

} // namespace bridge::cli
