#include "platform/platform.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace bridge::platform {

long read_stdin(char* buffer, std::size_t size) {
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buffer, size);
    if (n >= 0) {
      return static_cast<long>(n);
    }
    if (errno != EINTR) {
      return -1;
    }
  }
}

bool write_stdout(const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(STDOUT_FILENO, data, size);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

void prepare_stdio() {
  std::signal(SIGPIPE, SIG_IGN);
#ifdef F_SETPIPE_SZ
  // Linux: a 1 MiB stdout pipe (the default is 64 KiB) lets a large tool result go to the client
  // with 16× fewer writer/reader switches. Best effort: a file or a terminal has no pipe size,
  // and a limit below 1 MiB (/proc/sys/fs/pipe-max-size) keeps the default.
  (void)::fcntl(STDOUT_FILENO, F_SETPIPE_SZ, 1 << 20);
#endif
}

} // namespace bridge::platform
