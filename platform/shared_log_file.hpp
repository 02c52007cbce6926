#pragma once

// A log file that several mcp-bridge processes append to at once (one bridge per AI client, all
// writing <data dir>/logs/bridge.log and audit.log). Each record is appended with its own
// open-append-close, owner-only (0600), so no process keeps writing into a file another one has
// rotated away; rotation (bridge.log → bridge.1.log → … → bridge.<max_files>.log, the oldest
// dropped) runs under a lock shared by all processes, and only when the file is still too big
// once the lock is held, so two processes never rotate the same file twice.

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace bridge::platform {

class SharedLogFile {
public:
  SharedLogFile(std::filesystem::path path, std::uintmax_t max_bytes, int max_files);

  // Appends `record` (whole lines, newline included) and rotates when the file grew past max_bytes.
  core::Status append(std::string_view record);

  // bridge.log, 2 → bridge.2.log (spdlog's naming, so older rotated files keep their places).
  static std::filesystem::path rotated_name(const std::filesystem::path& path, int index);

private:
  void rotate();

  std::filesystem::path m_path;
  std::uintmax_t m_max_bytes;
  int m_max_files;
};

} // namespace bridge::platform
