#include "cli/client_configs.hpp"

namespace bridge::cli {

std::optional<platform::AiClient> parse_client(const std::string& name) {
  if (name == "claude" || name == "claude-desktop") {
    return platform::AiClient::claude_desktop;
  }
  if (name == "cursor") {
    return platform::AiClient::cursor;
  }
  if (name == "vscode" || name == "code") {
    return platform::AiClient::vscode;
  }
  return std::nullopt;
}

std::string client_display_name(platform::AiClient client) {
  switch (client) {
  case platform::AiClient::claude_desktop: return "Claude Desktop";
  case platform::AiClient::cursor: return "Cursor";
  case platform::AiClient::vscode: return "VS Code";
  }
  return "?";
}

std::string servers_key(platform::AiClient client) {
  return client == platform::AiClient::vscode ? "servers" : "mcpServers";
}

std::filesystem::path stable_executable_path(const std::filesystem::path& executable) {
  // …/Cellar/<formula>/<version>/bin/<name>: four components below the Cellar folder.
  std::filesystem::path bin = executable.parent_path();
  std::filesystem::path version = bin.parent_path();
  std::filesystem::path formula = version.parent_path();
  std::filesystem::path cellar = formula.parent_path();
  if (bin.filename() != "bin" || cellar.filename() != "Cellar" || formula.empty() || version.empty()) {
    return executable;
  }
  std::filesystem::path linked = cellar.parent_path() / "bin" / executable.filename();
  std::error_code error;
  if (std::filesystem::equivalent(linked, executable, error) && !error) {
    return linked;
  }
  return executable; // not linked (brew unlink), or linked to another version: say what runs
}

OrderedJson bridge_entry(platform::AiClient client, const std::filesystem::path& executable,
                         const std::optional<std::filesystem::path>& config_path) {
  OrderedJson entry = OrderedJson::object();
  if (client == platform::AiClient::vscode) {
    entry["type"] = "stdio";
  }
  entry["command"] = executable.string();
  entry["args"] = OrderedJson::array({"serve"});
  if (config_path) {
    entry["env"] = OrderedJson{{"BRIDGE_CONFIG", config_path->string()}};
  }
  return entry;
}

namespace {

bool runs_a_bridge(const OrderedJson& entry) {
  if (!entry.is_object() || !entry.contains("command") || !entry["command"].is_string()) {
    return false;
  }
  std::string stem = std::filesystem::path(entry["command"].get<std::string>()).stem().string();
  return stem == "bridge" || stem.rfind("mcp-bridge", 0) == 0;
}

} // namespace

core::Result<InstallOutcome> install_entry(platform::AiClient client, const std::filesystem::path& file,
                                           const std::string& name, const OrderedJson& entry, bool force) {
  auto document = read_json_file(file, OrderedJson::object());
  if (!document) {
    return document.error();
  }
  InstallOutcome outcome;
  outcome.created_file = !document->existed;
  std::string key = servers_key(client);
  OrderedJson& root = document->root;
  if (root.contains(key) && !root[key].is_object()) {
    return core::make_error(core::ErrorKind::invalid_input,
                            file.string() + ": \"" + key + "\" is not an object — fix the file first; nothing was changed");
  }
  OrderedJson& servers = root[key];
  if (servers.is_null()) {
    servers = OrderedJson::object();
  }
  if (servers.contains(name)) {
    const OrderedJson& existing = servers[name];
    if (existing == entry) {
      return outcome; // unchanged
    }
    if (!runs_a_bridge(existing) && !force) {
      return core::make_error(core::ErrorKind::invalid_input,
                              file.string() + ": an entry named \"" + name + "\" already exists and runs " +
                                  existing.value("command", std::string("something else")) +
                                  " — choose another name with --name, or pass --force to replace it");
    }
    outcome.previous = existing;
    outcome.change = InstallChange::updated;
  } else {
    outcome.change = InstallChange::added;
  }
  servers[name] = entry;
  std::optional<std::filesystem::path> backup;
  if (document->existed) {
    backup = timestamped_backup_path(file);
  }
  auto status = write_file_atomically(file, root.dump(2) + "\n", backup);
  if (!status) {
    return status.error();
  }
  outcome.backup = backup;
  return outcome;
}

} // namespace bridge::cli
