#include "platform/platform.hpp"

#include <cerrno>
#include <csignal>
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

void prepare_stdio() { std::signal(SIGPIPE, SIG_IGN); }

} // namespace bridge::platform
