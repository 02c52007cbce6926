// platform/file_lock.hpp on top of the per-OS detail::FileLock (posix/ and windows/private_file.cpp).

#include "platform/file_lock.hpp"

#include "platform/common/private_file.hpp"
#include "platform/platform.hpp"

namespace bridge::platform {

struct ProcessLock::State {
  detail::FileLock lock;
};

ProcessLock::ProcessLock(std::unique_ptr<State> state) : m_state(std::move(state)) {}
ProcessLock::ProcessLock(ProcessLock&&) noexcept = default;
ProcessLock& ProcessLock::operator=(ProcessLock&&) noexcept = default;
ProcessLock::~ProcessLock() = default;

core::Result<ProcessLock> ProcessLock::acquire(const std::string& name, std::chrono::milliseconds deadline) {
  auto path = data_dir() / "locks" / (name + ".lock");
  auto lock = detail::FileLock::acquire(path, deadline);
  if (!lock) {
    return lock.error();
  }
  return ProcessLock(std::make_unique<State>(State{std::move(*lock)}));
}

} // namespace bridge::platform
