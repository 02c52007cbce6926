#include "platform/shared_log_file.hpp"

#include "platform/common/private_file.hpp"
#include "platform/file_lock.hpp"

#include <system_error>

namespace bridge::platform {

SharedLogFile::SharedLogFile(std::filesystem::path path, std::uintmax_t max_bytes, int max_files)
    : m_path(std::move(path)), m_max_bytes(max_bytes), m_max_files(max_files < 1 ? 1 : max_files) {}

std::filesystem::path SharedLogFile::rotated_name(const std::filesystem::path& path, int index) {
  auto name = path.stem();
  name += "." + std::to_string(index);
  name += path.extension();
  return path.parent_path() / name;
}

core::Status SharedLogFile::append(std::string_view record) {
  auto size = detail::append_private_file(m_path, record);
  if (!size) {
    return size.error();
  }
  if (*size > m_max_bytes) {
    rotate();
  }
  return core::ok_status();
}

void SharedLogFile::rotate() {
  // Another process rotating right now: it will have done the job; this record stays where it is.
  auto lock = ProcessLock::acquire("rotate-" + m_path.stem().string(), std::chrono::milliseconds(200));
  if (!lock) {
    return;
  }
  std::error_code ec;
  auto size = std::filesystem::file_size(m_path, ec);
  if (ec || size <= m_max_bytes) {
    return; // rotated by another process between our write and the lock
  }
  // The live file moves aside first: if it cannot (on Windows, a viewer holding it open without
  // FILE_SHARE_DELETE), nothing is shifted or deleted, so the older files are not lost one per
  // line while the move keeps failing. The next append, from any process, creates a new file (0600).
  auto aside = m_path;
  aside += ".rotating";
  std::filesystem::rename(m_path, aside, ec);
  if (ec) {
    return;
  }
  std::filesystem::remove(rotated_name(m_path, m_max_files), ec);
  for (int index = m_max_files - 1; index >= 1; --index) {
    auto from = rotated_name(m_path, index);
    if (std::filesystem::exists(from, ec)) {
      std::filesystem::rename(from, rotated_name(m_path, index + 1), ec);
    }
  }
  std::filesystem::rename(aside, rotated_name(m_path, 1), ec);
}

} // namespace bridge::platform
