#include "cli/config_edit.hpp"

#include <chrono>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>

namespace bridge::cli {
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path, bool& exists, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
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
  try {
    file.root = OrderedJson::parse(text);
  } catch (const OrderedJson::parse_error& strict_error) {
    bool has_comments = false;
    try {
      auto lenient = OrderedJson::parse(text, nullptr, true, true);
      has_comments = !lenient.is_discarded();
    } catch (const OrderedJson::parse_error&) {
    }
    if (has_comments) {
      return core::make_error(core::ErrorKind::invalid_input,
                              path.string() + ": has comments; rewriting it would lose them — add the entry by hand");
    }
    return core::make_error(core::ErrorKind::invalid_input,
                            path.string() + ": not valid JSON (" + strict_error.what() + ") — fix it first; nothing was changed");
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

core::Status write_file_atomically(const fs::path& path, const std::string& text, const std::optional<fs::path>& backup) {
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
      return core::make_error(core::ErrorKind::io, path.parent_path().string() + ": cannot create it: " + ec.message());
    }
  }
  bool exists = fs::exists(path, ec);
  if (exists && backup) {
    fs::copy_file(path, *backup, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      return core::make_error(core::ErrorKind::io, backup->string() + ": cannot write the backup: " + ec.message());
    }
  }
  fs::path temp = path;
  temp += ".tmp-" + std::to_string(std::random_device{}() % 1000000);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) {
      return core::make_error(core::ErrorKind::io, temp.string() + ": cannot be written");
    }
    out << text;
    out.flush();
    if (!out) {
      out.close();
      fs::remove(temp, ec);
      return core::make_error(core::ErrorKind::io, temp.string() + ": write failed (disk full?)");
    }
  }
  if (exists) {
    auto permissions = fs::status(path, ec).permissions();
    if (!ec) {
      fs::permissions(temp, permissions, ec);
    }
  }
  fs::rename(temp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    return core::make_error(core::ErrorKind::io, path.string() + ": cannot be replaced: " + ec.message());
  }
  return core::ok_status();
}

core::Result<ConfigDocument> ConfigDocument::load(const fs::path& path) {
  auto file = read_json_file(path, OrderedJson{{"servers", OrderedJson::object()}});
  if (!file) {
    return file.error();
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
