#include "transport/client_output.hpp"

#include "platform/platform.hpp"
#include "transport/stdio.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <utility>

namespace bridge::transport {

struct ClientOutput::State {
  struct Entry {
    std::deque<std::string> chunks; // not yet written
    std::size_t bytes = 0;          // in chunks
    bool complete = false;
    bool committed = false; // may be started: it flows, or it is complete
    bool started = false;   // its line is begun on the pipe: nothing else until it ends
    std::chrono::steady_clock::time_point opened;
  };

  Sink sink;
  ReadyNow ready_now;
  Options options;
  std::function<void()> on_drained;

  std::mutex mutex;
  std::condition_variable wake;    // the writer: work, or the end
  std::condition_variable flushed; // flush(): the queue went empty or the client went away
  std::deque<std::unique_ptr<Entry>> queue;
  Entry* open = nullptr;    // the streamed entry pieces go to (also in queue)
  Entry* current = nullptr; // the started entry the writer must finish first
  std::size_t queued_bytes = 0;
  bool writing = false; // the writer is writing outside the lock
  bool stopping = false;
  std::atomic<bool> backlogged{false};
  std::atomic<bool> broken{false};

  // The entry to write from next (mutex held): the line already begun; else the first complete
  // message; else a result that flows.
  Entry* pick() {
    if (current != nullptr) {
      return current->chunks.empty() ? nullptr : current;
    }
    for (auto& entry : queue) {
      if (entry->complete) {
        return entry.get();
      }
    }
    for (auto& entry : queue) {
      if (entry->committed && !entry->chunks.empty()) {
        return entry.get();
      }
    }
    return nullptr;
  }

  void account_added(std::size_t bytes) { // mutex held
    queued_bytes += bytes;
    if (queued_bytes >= options.high_water) {
      backlogged.store(true, std::memory_order_relaxed);
      if (open != nullptr) {
        open->committed = true; // gathered enough: from here on it flows, or nothing could
      }
    }
  }
  // True when the drop under the low-water mark must be announced (mutex held).
  bool account_removed(std::size_t bytes) {
    queued_bytes -= std::min(bytes, queued_bytes);
    if (backlogged.load(std::memory_order_relaxed) && queued_bytes <= options.low_water) {
      backlogged.store(false, std::memory_order_relaxed);
      return true;
    }
    return false;
  }

  void erase(const Entry* entry) {
    auto it = std::find_if(queue.begin(), queue.end(), [entry](const auto& e) { return e.get() == entry; });
    if (it != queue.end()) {
      queue.erase(it);
    }
  }

  // The client is gone: nothing more will be read. True when receiving must be resumed (what was
  // paused for it would otherwise stay paused).
  bool give_up() {
    broken.store(true, std::memory_order_relaxed);
    queue.clear();
    open = nullptr;
    current = nullptr;
    queued_bytes = 0;
    flushed.notify_all();
    return backlogged.exchange(false, std::memory_order_relaxed);
  }

  // Calls on_drained outside the lock (never once stopping: its loop may be gone).
  void announce_drained(std::unique_lock<std::mutex>& lock) {
    auto callback = stopping ? nullptr : on_drained;
    if (callback) {
      lock.unlock();
      callback();
      lock.lock();
    }
  }

  void run() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      Entry* entry = nullptr;
      wake.wait(lock, [&] {
        return stopping || (entry = pick()) != nullptr || backlogged.load(std::memory_order_relaxed);
      });
      if (stopping) {
        return;
      }
      if (entry == nullptr) {
        // Backlogged, yet nothing can be written: what is queued waits behind a line whose next
        // bytes the paused transfers hold. Let them in again (they pause again if need be).
        backlogged.store(false, std::memory_order_relaxed);
        announce_drained(lock);
        continue;
      }
      std::deque<std::string> out;
      out.swap(entry->chunks);
      std::size_t bytes = std::exchange(entry->bytes, 0);
      entry->started = true;
      if (entry->complete) {
        if (open == entry) {
          open = nullptr;
        }
        current = nullptr;
        erase(entry);
      } else {
        current = entry;
      }
      writing = true;
      lock.unlock();
      bool ok = true;
      for (const auto& chunk : out) {
        if (!sink(chunk)) {
          ok = false;
          break;
        }
      }
      lock.lock();
      writing = false;
      bool drained = ok ? account_removed(bytes) : give_up();
      flushed.notify_all(); // flush() decides whether what is left still counts
      if (drained) {
        announce_drained(lock);
      }
    }
  }
};

namespace {

// A message as it must go out: one line, without the trailing whitespace a json.Encoder-style
// newline turned into.
void as_one_line(std::string& message) {
  fold_line_breaks(message.data(), message.size());
  while (!message.empty() && (message.back() == ' ' || message.back() == '\t')) {
    message.pop_back();
  }
  message.push_back('\n');
}

} // namespace

ClientOutput::ClientOutput(Sink sink, ReadyNow ready_now, Options options) : m_state(std::make_shared<State>()) {
  m_state->sink = std::move(sink);
  m_state->ready_now = std::move(ready_now);
  m_state->options = options;
  m_thread = std::thread([state = m_state] { state->run(); });
}

ClientOutput::ClientOutput()
    : ClientOutput([](std::string_view bytes) { return platform::write_stdout(bytes.data(), bytes.size()); },
                   [](std::size_t size) { return platform::stdout_ready_for(size); }, Options{}) {}

ClientOutput::~ClientOutput() {
  flush(std::chrono::seconds(1));
  bool blocked = false;
  {
    std::lock_guard<std::mutex> lock(m_state->mutex);
    m_state->stopping = true;
    m_state->on_drained = nullptr; // what it posts to goes away with us
    blocked = m_state->writing;
  }
  m_state->wake.notify_all();
  if (blocked) {
    m_thread.detach(); // stuck in a write to a client that does not read: it holds its own state
  } else {
    m_thread.join();
  }
}

void ClientOutput::set_on_drained(std::function<void()> on_drained) {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  m_state->on_drained = std::move(on_drained);
}

bool ClientOutput::backlogged() const { return m_state->backlogged.load(std::memory_order_relaxed); }

bool ClientOutput::broken() const { return m_state->broken.load(std::memory_order_relaxed); }

void ClientOutput::write_message(std::string&& message) {
  State& state = *m_state;
  if (broken()) {
    return;
  }
  as_one_line(message);
  {
    std::unique_lock<std::mutex> lock(state.mutex);
    if (state.queue.empty() && !state.writing && state.ready_now && state.ready_now(message.size())) {
      // Nothing ahead of it and room in the pipe: written here, which cannot block. Under the
      // lock, so the writer thread cannot start something else meanwhile.
      if (!state.sink(message) && state.give_up()) {
        auto on_drained = state.on_drained;
        lock.unlock();
        if (on_drained) {
          on_drained();
        }
      }
      return;
    }
    auto entry = std::make_unique<State::Entry>();
    entry->complete = true;
    entry->committed = true;
    entry->bytes = message.size();
    state.account_added(message.size());
    entry->chunks.push_back(std::move(message));
    state.queue.push_back(std::move(entry));
  }
  state.wake.notify_one();
}

void ClientOutput::write_piece(std::string_view bytes) {
  State& state = *m_state;
  if (broken() || bytes.empty()) {
    return;
  }
  std::string chunk(bytes);
  fold_line_breaks(chunk.data(), chunk.size());
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.open == nullptr) {
      auto entry = std::make_unique<State::Entry>();
      entry->opened = std::chrono::steady_clock::now();
      state.open = entry.get();
      state.queue.push_back(std::move(entry));
    }
    State::Entry& entry = *state.open;
    entry.chunks.push_back(std::move(chunk));
    entry.bytes += bytes.size();
    state.account_added(bytes.size());
    if (!entry.committed) {
      if (entry.bytes >= state.options.commit_bytes &&
          std::chrono::steady_clock::now() - entry.opened <= state.options.fast_window) {
        entry.committed = true; // it flows: it goes out while it arrives
      }
    }
    wake = entry.committed;
  }
  if (wake) {
    m_state->wake.notify_one();
  }
}

void ClientOutput::end_pieces() {
  State& state = *m_state;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.open == nullptr) {
      return;
    }
    state.open->chunks.push_back("\n");
    state.open->bytes += 1;
    state.account_added(1);
    state.open->complete = true;
    state.open->committed = true;
    state.open = nullptr;
  }
  state.wake.notify_one();
}

void ClientOutput::abandon_pieces() {
  State& state = *m_state;
  bool drained = false;
  std::function<void()> on_drained;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    on_drained = state.on_drained;
    State::Entry* entry = state.open;
    if (entry == nullptr) {
      return;
    }
    state.open = nullptr;
    if (!entry->started) {
      // Nothing of it reached the client: it vanishes whole, and only the error that follows does.
      std::size_t bytes = entry->bytes;
      state.erase(entry);
      drained = state.account_removed(bytes);
      if (state.queue.empty()) {
        state.flushed.notify_all();
      }
    } else {
      // Its line is begun: it ends where it stands, cut JSON no parser takes for a message.
      entry->chunks.push_back("\n");
      entry->bytes += 1;
      state.account_added(1);
      entry->complete = true;
    }
  }
  state.wake.notify_one();
  if (drained && on_drained) {
    on_drained();
  }
}

void ClientOutput::flush(std::chrono::milliseconds limit) {
  State& state = *m_state;
  std::unique_lock<std::mutex> lock(state.mutex);
  state.flushed.wait_for(lock, limit, [&] {
    if (state.broken.load(std::memory_order_relaxed) || (state.queue.empty() && !state.writing)) {
      return true;
    }
    // What is left can never go out: a result still arriving that was never started.
    return std::all_of(state.queue.begin(), state.queue.end(),
                       [](const auto& entry) { return !entry->complete && !entry->started; }) &&
           !state.writing;
  });
}

} // namespace bridge::transport
