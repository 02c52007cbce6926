#include "platform/terminal.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace bridge::platform {

bool stdin_is_terminal() { return ::isatty(STDIN_FILENO) == 1; }

core::Result<std::string> read_secret_no_echo(const std::string& prompt) {
  if (!stdin_is_terminal()) {
    return core::make_error(core::ErrorKind::unavailable, "stdin is not a terminal");
  }
  std::fputs(prompt.c_str(), stderr);
  std::fflush(stderr);
  termios saved{};
  bool restore = ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (restore) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  }
  if (!got) {
    return core::make_error(core::ErrorKind::io, "no input");
  }
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return line;
}

} // namespace bridge::platform
