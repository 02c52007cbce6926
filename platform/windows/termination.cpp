#include "platform/termination.hpp"

#include <windows.h>

#include <utility>

namespace bridge::platform {
namespace {

std::function<void()>& handler() {
  static std::function<void()> on_request;
  return on_request;
}

BOOL WINAPI on_console_event(DWORD event) {
  switch (event) {
  case CTRL_C_EVENT:
  case CTRL_BREAK_EVENT:
  case CTRL_CLOSE_EVENT:
    // Windows runs this on a thread of its own; returning TRUE keeps the process alive (for
    // CTRL_CLOSE_EVENT only until the system's grace period ends) while the loop winds down.
    if (handler()) {
      handler()();
    }
    return TRUE;
  default:
    return FALSE;
  }
}

} // namespace

void watch_termination(std::function<void()> on_request) {
  handler() = std::move(on_request);
  SetConsoleCtrlHandler(&on_console_event, TRUE);
}

} // namespace bridge::platform
