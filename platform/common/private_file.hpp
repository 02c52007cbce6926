#pragma once

// Owner-only files for the fallback secret store. Declared here, implemented per OS
// (platform/posix/private_file.cpp, platform/windows/private_file.cpp).

#include "core/result.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace bridge::platform::detail {

// The file's bytes, or nullopt when it does not exist. POSIX: a file owned by someone else is an
// Error; group/other permission bits are removed (0600) with a warning on stderr.
core::Result<std::optional<std::string>> read_private_file(const std::filesystem::path& path);

// Replaces `path` atomically (a temp file in the same directory, flushed, then renamed over it),
// readable and writable by the owner only. Creates the parent directory (0700) when missing.
core::Status write_private_file(const std::filesystem::path& path, std::string_view contents);

// Appends `bytes` in one write to `path` (opened for this write only, with O_APPEND, created
// owner-only (0600) when missing; an existing file with group/other bits loses them) and returns
// the file's size afterwards. Several processes may append to the same file: each line lands
// whole, and a file renamed away by another process's rotation is never written again.
core::Result<std::uintmax_t> append_private_file(const std::filesystem::path& path, std::string_view bytes);

// An exclusive lock between processes (and threads), held until destruction.
class FileLock {
public:
  // Waits up to `deadline` for the lock on `path` (created owner-only when missing).
  static core::Result<FileLock> acquire(const std::filesystem::path& path, std::chrono::milliseconds deadline);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

private:
  explicit FileLock(std::intptr_t handle) : m_handle(handle) {}
  void release() noexcept;

  std::intptr_t m_handle = -1; // fd on POSIX, HANDLE on Windows
};

} // namespace bridge::platform::detail
