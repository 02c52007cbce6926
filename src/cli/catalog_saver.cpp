#include "cli/catalog_saver.hpp"

#include <spdlog/spdlog.h>

namespace bridge::cli {

CatalogSaver::CatalogSaver(std::shared_ptr<core::CatalogCache> cache)
    : m_cache(std::move(cache)), m_thread([this] { run(); }) {}

CatalogSaver::~CatalogSaver() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_one();
  m_thread.join();
}

void CatalogSaver::save(core::CatalogSnapshot snapshot) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_waiting = std::move(snapshot); // an older one still waiting is out of date
  }
  m_wake.notify_one();
}

void CatalogSaver::run() {
  std::unique_lock<std::mutex> lock(m_mutex);
  while (true) {
    m_wake.wait(lock, [this] { return m_waiting.has_value() || m_stopping; });
    if (!m_waiting) {
      return; // stopping, nothing left to write
    }
    core::CatalogSnapshot snapshot = std::move(*m_waiting);
    m_waiting.reset();
    lock.unlock();
    auto saved = m_cache->save(snapshot);
    lock.lock();
    if (!saved && !m_warned) {
      m_warned = true;
      spdlog::warn("cannot save the tool catalog cache: {}", saved.error().message);
    }
  }
}

} // namespace bridge::cli
