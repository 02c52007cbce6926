#pragma once

// A lock shared by every mcp-bridge process of the user (and every thread of one): an OS file
// lock (flock on POSIX, LockFileEx on Windows) on a file under the data dir. OAuth uses it so
// that one process refreshes a rotating refresh token at a time, and one process at a time
// runs a browser login for an upstream.

#include "core/result.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

namespace bridge::platform {

class ProcessLock {
public:
  // <data_dir>/locks/<name>.lock; `name` must be file-name safe. Waits up to `deadline`
  // (0 = one attempt): Error{timeout} when another process still holds it.
  static core::Result<ProcessLock> acquire(const std::string& name, std::chrono::milliseconds deadline);

  ProcessLock(ProcessLock&&) noexcept;
  ProcessLock& operator=(ProcessLock&&) noexcept;
  ProcessLock(const ProcessLock&) = delete;
  ProcessLock& operator=(const ProcessLock&) = delete;
  ~ProcessLock();

  struct State;

private:
  explicit ProcessLock(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

} // namespace bridge::platform
