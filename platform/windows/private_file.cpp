// Windows side of platform/common/private_file.hpp. The data dir is under %LOCALAPPDATA%,
// whose ACL already admits only the user (and SYSTEM/Administrators), so files inherit it.

#include "platform/common/private_file.hpp"
#include "platform/windows/wide.hpp"
#include "platform/replace_file.hpp"

#include <atomic>
#include <fstream>
#include <thread>
#include <utility>

namespace bridge::platform::detail {
namespace {

core::Error io_error(const std::string& what, const std::filesystem::path& path, DWORD code) {
  return core::make_error(core::ErrorKind::io, what + " " + path.string() + " (" + windows::last_error_text(code) + ")");
}

core::Status ensure_parent(const std::filesystem::path& path) {
  std::error_code ec;
  if (auto parent = path.parent_path(); !parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return core::make_error(core::ErrorKind::io, "cannot create directory " + parent.string() + ": " + ec.message());
    }
  }
  return core::ok_status();
}

// WriteFile takes a DWORD count: larger buffers go in 1 GiB pieces.
bool write_all(HANDLE file, std::string_view bytes) {
  const char* data = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    DWORD chunk = left > 1u << 30 ? 1u << 30 : static_cast<DWORD>(left);
    DWORD written = 0;
    if (WriteFile(file, data, chunk, &written, nullptr) == FALSE) {
      return false;
    }
    data += written;
    left -= written;
  }
  return true;
}

} // namespace

core::Result<std::optional<std::string>> read_private_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return std::optional<std::string>();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return io_error("cannot open", path, GetLastError());
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    return io_error("cannot read", path, GetLastError());
  }
  return std::optional<std::string>(std::move(bytes));
}

core::Status write_private_file(const std::filesystem::path& path, std::string_view contents) {
  if (auto parent = ensure_parent(path); !parent) {
    return parent;
  }
  return replace_file_durably(path, contents, std::nullopt); // the profile folder's ACL keeps it private
}

core::Result<std::uintmax_t> append_private_file(const std::filesystem::path& path, std::string_view bytes) {
  if (auto parent = ensure_parent(path); !parent) {
    return parent.error();
  }
  // FILE_APPEND_DATA (no write access elsewhere): every write goes to the end, whoever else
  // appends; FILE_READ_ATTRIBUTES for GetFileSizeEx. FILE_SHARE_DELETE
  // lets another process rotate (rename) the file while it is open here for this one write.
  HANDLE file = CreateFileW(path.c_str(), FILE_APPEND_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE,
                            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS,
                            FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    return io_error("cannot open", path, GetLastError());
  }
  bool ok = write_all(file, bytes);
  LARGE_INTEGER size{};
  ok = ok && GetFileSizeEx(file, &size) != FALSE;
  DWORD code = ok ? 0 : GetLastError();
  CloseHandle(file);
  if (!ok) {
    return io_error("cannot write", path, code);
  }
  return static_cast<std::uintmax_t>(size.QuadPart);
}

core::Result<FileLock> FileLock::acquire(const std::filesystem::path& path, std::chrono::milliseconds deadline) {
  if (auto parent = ensure_parent(path); !parent) {
    return parent.error();
  }
  HANDLE file = CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                            OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    return io_error("cannot open lock file", path, GetLastError());
  }
  auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    OVERLAPPED overlapped{};
    if (LockFileEx(file, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &overlapped) != FALSE) {
      return FileLock(reinterpret_cast<std::intptr_t>(file));
    }
    DWORD code = GetLastError();
    if (code != ERROR_LOCK_VIOLATION && code != ERROR_IO_PENDING) {
      CloseHandle(file);
      return io_error("cannot lock", path, code);
    }
    if (std::chrono::steady_clock::now() >= until) {
      CloseHandle(file);
      return core::make_error(core::ErrorKind::timeout, "another mcp-bridge process holds " + path.string() +
                                                            " (waited " + std::to_string(deadline.count()) + " ms)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

FileLock::FileLock(FileLock&& other) noexcept : m_handle(std::exchange(other.m_handle, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    m_handle = std::exchange(other.m_handle, -1);
  }
  return *this;
}

FileLock::~FileLock() { release(); }

void FileLock::release() noexcept {
  if (m_handle != -1) {
    CloseHandle(reinterpret_cast<HANDLE>(m_handle)); // closing releases the lock
    m_handle = -1;
  }
}

} // namespace bridge::platform::detail

namespace bridge::platform {

core::Status replace_file_durably(const std::filesystem::path& path, std::string_view contents,
                                  std::optional<std::filesystem::perms> mode) {
  static std::atomic<unsigned> counter{0};
  auto temp = path;
  temp += L".tmp." + std::to_wstring(GetCurrentProcessId()) + L"." + std::to_wstring(counter.fetch_add(1));
  HANDLE file = CreateFileW(temp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    return detail::io_error("cannot create", temp, GetLastError());
  }
  bool ok = detail::write_all(file, contents);
  ok = ok && FlushFileBuffers(file) != FALSE;
  DWORD code = ok ? 0 : GetLastError();
  CloseHandle(file);
  if (ok && mode) {
    std::error_code ignored; // only the read-only bit exists here
    std::filesystem::permissions(temp, *mode, ignored);
  }
  if (ok && MoveFileExW(temp.c_str(), path.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) == FALSE) {
    ok = false;
    code = GetLastError();
  }
  if (!ok) {
    DeleteFileW(temp.c_str());
    return detail::io_error("cannot write", path, code);
  }
  return core::ok_status();
}

} // namespace bridge::platform
