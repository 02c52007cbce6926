#include "platform/terminal.hpp"

#include <windows.h>

#include <cstdio>
#include <iostream>

namespace bridge::platform {

bool stdin_is_terminal() {
  DWORD mode = 0;
  return GetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), &mode) != 0;
}

core::Result<std::string> read_secret_no_echo(const std::string& prompt) {
  HANDLE input = GetStdHandle(STD_INPUT_HANDLE);
  DWORD saved = 0;
  if (GetConsoleMode(input, &saved) == 0) {
    return core::make_error(core::ErrorKind::unavailable, "stdin is not a console");
  }
  std::fputs(prompt.c_str(), stderr);
  std::fflush(stderr);
  SetConsoleMode(input, saved & ~static_cast<DWORD>(ENABLE_ECHO_INPUT));
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  SetConsoleMode(input, saved);
  std::fputs("\n", stderr);
  if (!got) {
    return core::make_error(core::ErrorKind::io, "no input");
  }
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return line;
}

} // namespace bridge::platform
