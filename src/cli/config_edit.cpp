#include "cli/config_edit.hpp"

#include "cli/jsonc.hpp"
#include "core/duplicate_keys.hpp"
#include "platform/replace_file.hpp"

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>

namespace bridge::cli {
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path, bool& exists, std::string& error) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    error = path.string() + ": is a directory — name the file itself";
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  exists = fs::exists(path, ec);
  if (!in) {
    if (exists) {
      error = path.string() + ": cannot be read (check its permissions)";
    }
    return {};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

core::Result<JsonFile> read_json_file(const fs::path& path, OrderedJson fallback) {
  JsonFile file;
  file.path = path;
  std::string error;
  std::string text = read_text(path, file.existed, error);
  if (!error.empty()) {
    return core::make_error(core::ErrorKind::io, error);
  }
  if (!file.existed || text.find_first_not_of(" \t\r\n") == std::string::npos) {
    file.root = std::move(fallback);
    return file;
  }
  auto parsed = parse_jsonc(text);
  if (!parsed) {
    return core::make_error(core::ErrorKind::invalid_input,
                            path.string() + ": " + parsed.error().message + " — fix it first; nothing was changed");
  }
  file.root = std::move(parsed->value);
  file.had_comments = parsed->had_comments;
  // A rewrite would keep only the last of two equal keys; the scan knows no comments, so a file
  // with comments goes without it.
  if (auto duplicate = parsed->had_comments ? std::nullopt : core::find_duplicate_key(text)) {
    return core::make_error(core::ErrorKind::invalid_input,
                            path.string() + ": " + duplicate->path + " appears twice (the second time on line " +
                                std::to_string(duplicate->line) + ") — keep one of them; nothing was changed");
  }
  if (parsed->had_comments) {
    file.text = text;
    file.notes.push_back(path.string() + " had comments; the rewritten file does not keep them — they are in the backup");
  }
  if (!file.root.is_object()) {
    return core::make_error(core::ErrorKind::invalid_input, path.string() + ": the top level is not a JSON object — fix it first");
  }
  return file;
}

fs::path timestamped_backup_path(const fs::path& path) {
  auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char stamp[32] = "unknown";
  if (const std::tm* parts = std::localtime(&now); parts != nullptr) { // the CLI is single-threaded here
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", parts);
  }
  fs::path candidate = path;
  candidate += std::string(".bak-") + stamp;
  std::error_code ec;
  for (int n = 2; fs::exists(candidate, ec); ++n) {
    candidate = path;
    candidate += std::string(".bak-") + stamp + "-" + std::to_string(n);
  }
  return candidate;
}

// The file a path finally names: a config kept in a dotfiles repository and linked into place must
// stay a link after an edit (the rename goes to the target, in the target's folder).
fs::path final_target(const fs::path& path) {
  fs::path target = path;
  std::error_code ec;
  for (int hops = 0; hops < 40 && fs::is_symlink(target, ec); ++hops) {
    fs::path link = fs::read_symlink(target, ec);
    if (ec) {
      break;
    }
    target = link.is_absolute() ? link : target.parent_path() / link;
  }
  return target;
}

core::Status write_file_atomically(const fs::path& path, const std::string& text, const std::optional<fs::path>& backup) {
  std::error_code ec;
  fs::path target = final_target(path);
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) {
      return core::make_error(core::ErrorKind::io, target.parent_path().string() + ": cannot create it: " + ec.message());
    }
  }
  bool exists = fs::exists(target, ec);
  if (exists && backup) {
    fs::copy_file(target, *backup, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      return core::make_error(core::ErrorKind::io, backup->string() + ": cannot write the backup: " + ec.message());
    }
  }
  std::optional<fs::perms> mode;
  if (exists) {
    if (auto permissions = fs::status(target, ec).permissions(); !ec) {
      mode = permissions;
    }
  }
  return platform::replace_file_durably(target, text, mode);
}

core::Result<ConfigDocument> ConfigDocument::load(const fs::path& path) {
  auto file = read_json_file(path, OrderedJson{{"servers", OrderedJson::object()}});
  if (!file) {
    return file.error();
  }
  if (file->had_comments) {
    // bridge serve reads its config as strict JSON: an edit here must not quietly drop the
    // comments of a file that cannot be served as it is.
    return core::make_error(core::ErrorKind::invalid_input,
                            path.string() + ": has comments or trailing commas, which the mcp-bridge config may not " +
                                "have (it is strict JSON) — remove them first; nothing was changed");
  }
  ConfigDocument document;
  document.m_file = std::move(*file);
  return document;
}

const OrderedJson* ConfigDocument::server(const std::string& name) const {
  auto servers = m_file.root.find("servers");
  if (servers == m_file.root.end() || !servers->is_object()) {
    return nullptr;
  }
  auto it = servers->find(name);
  return it == servers->end() ? nullptr : &*it;
}

void ConfigDocument::set_server(const std::string& name, OrderedJson entry) {
  auto& servers = m_file.root["servers"];
  if (!servers.is_object()) {
    servers = OrderedJson::object();
  }
  servers[name] = std::move(entry);
}

bool ConfigDocument::remove_server(const std::string& name) {
  auto servers = m_file.root.find("servers");
  if (servers == m_file.root.end() || !servers->is_object()) {
    return false;
  }
  return servers->erase(name) > 0;
}

std::string ConfigDocument::text() const { return m_file.root.dump(2) + "\n"; }

core::Result<core::Config> ConfigDocument::validate() const { return core::parse_config(text(), m_file.path); }

core::Status ConfigDocument::save() {
  auto valid = validate();
  if (!valid) {
    return valid.error();
  }
  fs::path backup = m_file.path;
  backup += ".bak";
  auto status = write_file_atomically(m_file.path, text(), m_file.existed ? std::optional<fs::path>(backup) : std::nullopt);
  if (status) {
    m_file.existed = true;
  }
  return status;
}

} // namespace bridge::cli
