// POSIX side of platform/common/private_file.hpp (Linux and macOS).

#include "platform/common/private_file.hpp"
#include "platform/replace_file.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace bridge::platform::detail {
namespace {

core::Error io_error(const std::string& what, const std::filesystem::path& path, int error_number) {
  return core::make_error(core::ErrorKind::io, what + " " + path.string() + ": " + std::strerror(error_number));
}

// Closes a descriptor on every path out.
class Fd {
public:
  explicit Fd(int fd) : m_fd(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  [[nodiscard]] int get() const { return m_fd; }
  int release() { return std::exchange(m_fd, -1); }

private:
  int m_fd;
};

// Writes all of `bytes` (retrying short writes and EINTR); false with errno set on failure.
bool write_all(int fd, std::string_view bytes) {
  const char* data = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return false;
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

int open_retrying(const char* path, int flags, mode_t mode) {
  int fd = -1;
  do {
    fd = ::open(path, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

core::Status ensure_parent(const std::filesystem::path& path) {
  auto parent = path.parent_path();
  if (parent.empty()) {
    return core::ok_status();
  }
  std::error_code ec;
  if (std::filesystem::is_directory(parent, ec)) {
    return core::ok_status();
  }
  if (auto grand = parent.parent_path(); !grand.empty()) {
    std::filesystem::create_directories(grand, ec);
  }
  if (::mkdir(parent.c_str(), 0700) != 0 && errno != EEXIST) {
    return io_error("cannot create directory", parent, errno);
  }
  return core::ok_status();
}

} // namespace

core::Result<std::optional<std::string>> read_private_file(const std::filesystem::path& path) {
  Fd fd(open_retrying(path.c_str(), O_RDONLY | O_NOFOLLOW, 0));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      return std::optional<std::string>();
    }
    return io_error("cannot open", path, errno);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return io_error("cannot stat", path, errno);
  }
  if (!S_ISREG(info.st_mode)) {
    return core::make_error(core::ErrorKind::io, path.string() + " is not a regular file");
  }
  if (info.st_uid != ::geteuid()) {
    return core::make_error(core::ErrorKind::io, "refusing to read secrets from " + path.string() +
                                                     ": it belongs to another user");
  }
  if ((info.st_mode & 077) != 0) {
    std::fprintf(stderr,
                 "mcp-bridge: warning: %s was readable by other users (mode %03o); its secrets may have leaked. "
                 "Mode reset to 0600; consider rotating them.\n",
                 path.c_str(), static_cast<unsigned>(info.st_mode & 0777));
    if (::fchmod(fd.get(), 0600) != 0) {
      return io_error("cannot restrict permissions of", path, errno);
    }
  }
  std::string bytes;
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return io_error("cannot read", path, errno);
    }
    if (n == 0) {
      break;
    }
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
  return std::optional<std::string>(std::move(bytes));
}

core::Status write_private_file(const std::filesystem::path& path, std::string_view contents) {
  if (auto parent = ensure_parent(path); !parent) {
    return parent;
  }
  return replace_file_durably(path, contents, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

core::Result<std::uintmax_t> append_private_file(const std::filesystem::path& path, std::string_view bytes) {
  if (auto parent = ensure_parent(path); !parent) {
    return parent.error();
  }
  Fd fd(open_retrying(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    return io_error("cannot open", path, errno);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return io_error("cannot stat", path, errno);
  }
  if ((info.st_mode & 077) != 0 && info.st_uid == ::geteuid()) {
    ::fchmod(fd.get(), 0600); // a log once created by an older version, or under a lax umask
  }
  // One write call: O_APPEND places it at the end atomically, so lines of several processes
  // never interleave within a line.
  if (!write_all(fd.get(), bytes)) {
    return io_error("cannot write", path, errno);
  }
  if (::fstat(fd.get(), &info) != 0) {
    return io_error("cannot stat", path, errno);
  }
  return static_cast<std::uintmax_t>(info.st_size);
}

core::Result<FileLock> FileLock::acquire(const std::filesystem::path& path, std::chrono::milliseconds deadline) {
  if (auto parent = ensure_parent(path); !parent) {
    return parent.error();
  }
  Fd fd(open_retrying(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    return io_error("cannot open lock file", path, errno);
  }
  auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
      return FileLock(fd.release());
    }
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return io_error("cannot lock", path, errno);
    }
    if (std::chrono::steady_clock::now() >= until) {
      return core::make_error(core::ErrorKind::timeout,
                              "another mcp-bridge process holds " + path.string() + " (waited " +
                                  std::to_string(deadline.count()) + " ms)");
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
  if (m_handle >= 0) {
    ::close(static_cast<int>(m_handle)); // closing drops the flock
    m_handle = -1;
  }
}

} // namespace bridge::platform::detail

namespace bridge::platform {

core::Status replace_file_durably(const std::filesystem::path& path, std::string_view contents,
                                  std::optional<std::filesystem::perms> mode) {
  using detail::Fd;
  static std::atomic<unsigned> counter{0};
  auto temp = path;
  temp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  Fd fd(detail::open_retrying(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode ? 0600 : 0644));
  if (fd.get() < 0) {
    return detail::io_error("cannot create", temp, errno);
  }
  auto fail = [&](const std::string& what) {
    int saved = errno;
    ::unlink(temp.c_str());
    return core::Status(detail::io_error(what, temp, saved));
  };
  // Set exactly: the umask may have narrowed the bits, and a kept mode may be wider than 0600.
  if (mode && ::fchmod(fd.get(), static_cast<mode_t>(*mode) & 07777) != 0) {
    return fail("cannot set permissions of");
  }
  if (!detail::write_all(fd.get(), contents)) {
    return fail("cannot write");
  }
  if (::fsync(fd.get()) != 0) {
    return fail("cannot flush");
  }
  if (::close(fd.release()) != 0) {
    return fail("cannot close");
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return fail("cannot replace " + path.string() + " with");
  }
  return core::ok_status();
}

} // namespace bridge::platform
