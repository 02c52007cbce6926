#include "auth/background.hpp"

#include <chrono>

namespace bridge::auth {

void Mailbox::post(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (m_loop != nullptr) {
    m_loop->post(std::move(task));
  }
}

void Mailbox::close() {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_loop = nullptr;
}

void Workers::spawn(std::function<void()> body) {
  for (auto it = m_workers.begin(); it != m_workers.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = m_workers.erase(it);
    } else {
      ++it;
    }
  }
  auto done = std::make_shared<std::atomic<bool>>(false);
  m_workers.push_back(Worker{std::thread([body = std::move(body), done] {
                               body();
                               done->store(true);
                             }),
                             done});
}

void Workers::stop() {
  m_mailbox->close();
  m_cancel->store(true);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  for (auto& worker : m_workers) {
    while (!worker.done->load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (worker.done->load()) {
      worker.thread.join();
    } else {
      worker.thread.detach(); // stuck in a network call: leave it rather than hang the exit
    }
  }
  m_workers.clear();
}

} // namespace bridge::auth
