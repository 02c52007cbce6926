#pragma once

// Work that may block — a keychain lookup (up to seconds while the keychain daemon starts or asks
// the user), an OAuth exchange — runs on a thread of its own; its result comes back to the
// event-loop thread through a Mailbox, which goes quiet once its owner is gone so a late worker
// posts nowhere. Owners: OAuthSource, StaticTokenAuth.

#include "transport/event_loop.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace bridge::auth {

class Mailbox {
public:
  explicit Mailbox(transport::EventLoop& loop) : m_loop(&loop) {}
  // Runs `task` on the loop thread, unless the owner has closed the mailbox.
  void post(std::function<void()> task);
  void close();

private:
  std::mutex m_mutex;
  transport::EventLoop* m_loop;
};

class Workers {
public:
  explicit Workers(transport::EventLoop& loop) : m_mailbox(std::make_shared<Mailbox>(loop)) {}
  ~Workers() { stop(); }
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  // Starts `body` on a new thread (finished ones are reaped first).
  void spawn(std::function<void()> body);
  // Closes the mailbox, raises the cancel flag and waits up to 3 s for the workers; one stuck
  // in a network call is left behind rather than hang the exit.
  void stop();

  [[nodiscard]] const std::shared_ptr<Mailbox>& mailbox() const { return m_mailbox; }
  [[nodiscard]] const std::shared_ptr<std::atomic<bool>>& cancelled() const { return m_cancel; }

private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::shared_ptr<Mailbox> m_mailbox;
  std::shared_ptr<std::atomic<bool>> m_cancel = std::make_shared<std::atomic<bool>>(false);
  std::vector<Worker> m_workers;
};

} // namespace bridge::auth
