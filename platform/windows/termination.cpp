#include "platform/termination.hpp"

#include <windows.h>

#include <utility>

namespace bridge::platform {
namespace {

std::function<bool()>& handler() {
  static std::function<bool()> on_request;
  return on_request;
}

BOOL WINAPI on_console_event(DWORD event) {
  switch (event) {
  case CTRL_C_EVENT:
  case CTRL_BREAK_EVENT:
  case CTRL_CLOSE_EVENT:
    // Windows runs this on a thread of its own. FALSE: the default action (the process ends).
    if (!handler() || !handler()()) {
      return FALSE;
    }
    if (event == CTRL_CLOSE_EVENT) {
      // Returning from a close event ends the process at once: wait here instead while the loop
      // winds down (bounded to 3 s) and main returns, within the system's 5 s grace period.
      Sleep(4500);
    }
    return TRUE;
  default:
    return FALSE;
  }
}

} // namespace

void watch_termination(std::function<bool()> on_request) {
  handler() = std::move(on_request);
  SetConsoleCtrlHandler(&on_console_event, TRUE);
}

} // namespace bridge::platform
