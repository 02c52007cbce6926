#include "cli/client_configs.hpp"

#include "cli/jsonc.hpp"
#include "cli/jsonc_insert.hpp"

#include <algorithm>

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

std::string json_type(const OrderedJson& value) {
  if (value.is_string()) {
    return "a string";
  }
  if (value.is_array()) {
    return "an array";
  }
  if (value.is_number()) {
    return "a number";
  }
  if (value.is_boolean()) {
    return "true/false";
  }
  return value.is_null() ? "null" : "an object";
}

// Key names only: an "env" or "headers" block holds API keys, so its values are never shown.
std::string key_names(const OrderedJson& object) {
  std::string out;
  if (object.is_object()) {
    for (const auto& [key, value] : object.items()) {
      out += (out.empty() ? "" : ", ") + key;
    }
  }
  return out;
}

// How the existing entry's launch differs from ours ("" when it runs the same program: the same
// command, and our arguments first — arguments the user appended after them are theirs to keep).
std::string launch_difference(const OrderedJson& existing, const OrderedJson& entry) {
  std::string differs;
  if (existing.value("command", OrderedJson()) != entry["command"]) {
    differs += "it runs " + existing.value("command", OrderedJson("nothing")).dump() + ", not " + entry["command"].dump();
  }
  const OrderedJson& ours = entry["args"];
  OrderedJson theirs = existing.value("args", OrderedJson::array());
  bool same_start = theirs.is_array() && theirs.size() >= ours.size() &&
                    std::equal(ours.begin(), ours.end(), theirs.begin());
  if (!same_start) {
    // Their values are not shown: other bridges take API keys as arguments (mcp-remote's
    // --header "Authorization: Bearer …").
    std::size_t count = theirs.is_array() ? theirs.size() : 0;
    differs += std::string(differs.empty() ? "" : "; ") + "its " + std::to_string(count) + " argument" +
               (count == 1 ? "" : "s") + " (not shown: they may hold secrets) do not begin with ours, " + ours.dump();
  }
  return differs;
}

// Our entry laid over the user's: command, args and type are ours (args the user appended are
// kept), env gets our keys added, every other field ("disabled", "autoApprove", anything new) stays.
OrderedJson merge_entry(const OrderedJson& existing, const OrderedJson& entry, InstallOutcome& outcome) {
  OrderedJson merged = existing;
  for (const auto& [key, value] : entry.items()) {
    if (key == "env" && merged.contains("env") && merged["env"].is_object()) {
      for (const auto& [name, setting] : value.items()) {
        if (merged["env"].value(name, OrderedJson()) != setting) {
          outcome.changed.push_back("env." + name);
        }
        merged["env"][name] = setting;
      }
      continue;
    }
    if (key == "args" && merged.contains("args") && launch_difference(existing, entry).empty()) {
      continue; // starts with ours: the user's extra arguments stay
    }
    if (merged.value(key, OrderedJson()) != value) {
      outcome.changed.push_back(key == "env" ? "env (" + key_names(value) + ")" : key);
    }
    merged[key] = value;
  }
  for (const auto& [key, value] : existing.items()) {
    if (key == "env" || key == "headers") {
      outcome.kept.push_back(key + " (" + key_names(value) + ")");
    } else if (key == "args" && value.is_array() && value.size() > entry["args"].size()) {
      outcome.kept.push_back("args after " + entry["args"].dump());
    } else if (!entry.contains(key)) {
      outcome.kept.push_back(key);
    }
  }
  return merged;
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
  outcome.notes = document->notes;
  std::string key = servers_key(client);
  OrderedJson& root = document->root;
  if (root.contains(key) && !root[key].is_object()) {
    return core::make_error(core::ErrorKind::invalid_input, file.string() + ": \"" + key + "\" is " + json_type(root[key]) +
                                                                ", not an object — fix the file first; nothing was changed");
  }
  OrderedJson& servers = root[key];
  if (servers.is_null()) {
    servers = OrderedJson::object();
  }
  OrderedJson written = entry;
  if (servers.contains(name)) {
    const OrderedJson& existing = servers[name];
    std::string where = file.string() + ": \"" + key + "\"." + name;
    if (!existing.is_object()) {
      if (!force) {
        return core::make_error(core::ErrorKind::invalid_input, where + " is " + json_type(existing) +
                                                                    ", not an object — fix it, or pass --force to replace it");
      }
    } else {
      if (existing.contains("env") && !existing["env"].is_object()) {
        return core::make_error(core::ErrorKind::invalid_input, where + ".env is " + json_type(existing["env"]) +
                                                                    ", not an object — fix it first; nothing was changed");
      }
      std::string differs = launch_difference(existing, entry);
      if (!differs.empty() && !force) {
        return core::make_error(core::ErrorKind::invalid_input,
                                where + " already exists and " + differs +
                                    " — pass --force to make it run this bridge (its other fields are kept), or "
                                    "choose another name with --name");
      }
      written = merge_entry(existing, entry, outcome);
      if (written == existing) {
        return outcome; // unchanged
      }
    }
    outcome.change = InstallChange::updated;
  } else {
    outcome.change = InstallChange::added;
  }
  servers[name] = written;
  outcome.entry = written;
  std::optional<std::filesystem::path> backup;
  if (document->existed) {
    backup = timestamped_backup_path(file);
  }
  std::string text = root.dump(2) + "\n";
  if (document->had_comments && outcome.change == InstallChange::added) {
    // A new entry can go in by editing the text, keeping the user's comments; used only when the
    // result reads back as exactly the intended document.
    if (auto edited = insert_member_jsonc(document->text, key, name, written)) {
      if (auto check = parse_jsonc(*edited); check && check->value == root) {
        text = std::move(*edited);
        outcome.notes = {file.string() + ": comments and layout kept"};
      }
    }
  }
  auto status = write_file_atomically(file, text, backup);
  if (!status) {
    return status.error();
  }
  outcome.backup = backup;
  return outcome;
}

} // namespace bridge::cli
