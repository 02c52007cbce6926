#include "platform/loop_waiter.hpp"

#include <condition_variable>
#include <mutex>

namespace bridge::platform {

// Windows reads stdin on a thread (pollable_stdin() is nullopt), so only notify() wakes the loop.
struct LoopWaiter::State {
  std::mutex mutex;
  std::condition_variable woken;
  bool notified = false;
};

LoopWaiter::LoopWaiter() : m_state(std::make_unique<State>()) {}

LoopWaiter::~LoopWaiter() = default;

void LoopWaiter::notify() {
  {
    std::lock_guard<std::mutex> lock(m_state->mutex);
    m_state->notified = true;
  }
  m_state->woken.notify_one();
}

bool LoopWaiter::wait(std::optional<int> /*input*/, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(m_state->mutex);
  m_state->woken.wait_for(lock, timeout, [this] { return m_state->notified; });
  m_state->notified = false;
  return false;
}

std::optional<int> pollable_stdin() { return std::nullopt; }

bool input_ended(int /*fd*/) { return false; }

} // namespace bridge::platform
