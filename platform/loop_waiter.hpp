#pragma once

// How the event loop sleeps before libcurl is loaded (transport/event_loop.hpp): until the
// client's pipe has input, another thread calls notify(), or a timeout passes. Once libcurl is
// there, curl_multi_poll does the same job with the loop's sockets. POSIX waits with poll() on
// the input descriptor and a self-pipe; Windows, whose stdin is read on a thread, on a condition
// variable.

#include <chrono>
#include <memory>
#include <optional>

namespace bridge::platform {

class LoopWaiter {
public:
  LoopWaiter();
  ~LoopWaiter();
  LoopWaiter(const LoopWaiter&) = delete;
  LoopWaiter& operator=(const LoopWaiter&) = delete;

  // Thread-safe; a notify() that comes before wait() is not lost.
  void notify();
  // Returns true when `input` (a descriptor from pollable_stdin(), if any) is readable or has
  // ended; false after a notify() or the timeout.
  bool wait(std::optional<int> input, std::chrono::milliseconds timeout);

  struct State;

private:
  std::unique_ptr<State> m_state;
};

// The client's pipe as a descriptor the event loop can wait on next to its sockets (POSIX:
// stdin), or nullopt where it cannot (Windows: a pipe handle is not a socket; a thread reads it).
std::optional<int> pollable_stdin();

// Whether `fd` has ended or failed (POLLHUP, POLLERR, POLLNVAL), asked without waiting.
// libcurl's curl_multi_poll reports only POLLIN for extra descriptors, and a pipe whose writer
// closed reports POLLHUP alone: without this the loop would spin.
bool input_ended(int fd);

} // namespace bridge::platform
