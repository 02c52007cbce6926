#pragma once

// Writing JSON config files that people also edit by hand: ours (`bridge add/remove`) and the AI
// clients' (`bridge install`). Every field and entry we do not touch is kept, in its order; a file
// is replaced atomically (write a temporary file next to it, then rename), with a backup of the
// previous version; our own config is validated with core::parse_config before it is written,
// so `bridge add` can never write a file `bridge serve` would reject.

#include "core/config.hpp"
#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace bridge::cli {

using OrderedJson = nlohmann::ordered_json;

// Reads a JSON object file. A missing file gives `fallback` (and existed = false). A file with
// comments or trailing commas (JSONC, as VS Code allows) is refused rather than rewritten
// without its comments: the caller prints the snippet to add by hand.
struct JsonFile {
  std::filesystem::path path;
  OrderedJson root;
  bool existed = false;
  std::vector<std::string> notes; // what a rewrite will not keep (comments), for the user
  std::string text;               // as read, for edits that keep the comments
  bool had_comments = false;
};
core::Result<JsonFile> read_json_file(const std::filesystem::path& path, OrderedJson fallback);

// Replaces `path` with `text` atomically, creating missing directories. When `backup` is set and
// the file exists, it is first copied there. The new file keeps the old one's permissions.
core::Status write_file_atomically(const std::filesystem::path& path, const std::string& text,
                                   const std::optional<std::filesystem::path>& backup);

// "<file>.bak-YYYYMMDD-HHMMSS" (a new name each second; an existing one gets "-2", "-3", …).
std::filesystem::path timestamped_backup_path(const std::filesystem::path& path);

// Our config file as a document.
class ConfigDocument {
public:
  static core::Result<ConfigDocument> load(const std::filesystem::path& path);

  [[nodiscard]] const std::filesystem::path& path() const { return m_file.path; }
  [[nodiscard]] bool existed() const { return m_file.existed; }
  [[nodiscard]] const OrderedJson* server(const std::string& name) const;
  // Adds or replaces one server entry (a new one goes last).
  void set_server(const std::string& name, OrderedJson entry);
  // False when there was no such server.
  bool remove_server(const std::string& name);
  // The config `bridge serve` would see if this document were saved.
  [[nodiscard]] core::Result<core::Config> validate() const;
  // Validates, then writes atomically; the previous file is kept as "<file>.bak".
  core::Status save();
  [[nodiscard]] std::string text() const;

private:
  JsonFile m_file;
};

} // namespace bridge::cli
