#pragma once

// Writes the catalog cache on a thread of its own: the event loop hands over a snapshot and goes
// on (a slow disk or a network home folder must not stall the calls in flight). Only the newest
// snapshot waiting is written; the last one is written before the saver goes away.

#include "core/catalog_cache.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace bridge::cli {

class CatalogSaver {
public:
  explicit CatalogSaver(std::shared_ptr<core::CatalogCache> cache);
  ~CatalogSaver(); // writes what is still waiting, then ends the thread
  CatalogSaver(const CatalogSaver&) = delete;
  CatalogSaver& operator=(const CatalogSaver&) = delete;

  void save(core::CatalogSnapshot snapshot);

private:
  void run();

  std::shared_ptr<core::CatalogCache> m_cache;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::optional<core::CatalogSnapshot> m_waiting;
  bool m_stopping = false;
  bool m_warned = false; // said once: the bridge works without the cache, only slower to list
  std::thread m_thread;  // last: starts once the members above exist
};

} // namespace bridge::cli
