#include "platform/platform.hpp"

#include <cerrno>
#include <csignal>
#include <climits>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace bridge::platform {

long read_stdin(char* buffer, std::size_t size) {
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buffer, size);
    if (n >= 0) {
      return static_cast<long>(n);
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return k_stdin_no_input_yet; // a non-blocking pipe (the client's choice) with nothing in it
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
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        // The client made the pipe non-blocking and it is full: wait until it reads, as a
        // blocking write would. It is not a client that went away.
        pollfd out{STDOUT_FILENO, POLLOUT, 0};
        (void)::poll(&out, 1, -1);
        continue;
      }
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool stdout_ready_for(std::size_t size) {
  if (size > PIPE_BUF) {
    return false;
  }
  pollfd out{STDOUT_FILENO, POLLOUT, 0};
  return ::poll(&out, 1, 0) == 1 && (out.revents & POLLOUT) != 0 && (out.revents & (POLLERR | POLLHUP)) == 0;
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
