#pragma once

// The one event-loop thread: libcurl's multi interface drives every upstream exchange and stream,
// timers run between polls, and other threads hand work over with post() (which wakes the poll
// with curl_multi_wakeup, or platform::LoopWaiter before the first exchange). On POSIX the
// client's stdin is one more descriptor the loop waits on. All router and transport state is
// touched only on this thread.

#include "core/upstream.hpp"
#include "platform/loop_waiter.hpp"
#include "transport/http.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace bridge::transport {

class EventLoop final : public core::Scheduler {
public:
  using TransferId = std::uint64_t;

  EventLoop();
  ~EventLoop() override;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Starts an HTTP exchange. Callbacks run on the loop thread; they may start or cancel
  // exchanges themselves.
  TransferId start(HttpRequest request, HttpCallbacks callbacks);
  // Stops an exchange; its callbacks are not called again.
  void cancel_transfer(TransferId id);

  TimerId schedule(std::chrono::milliseconds delay, std::function<void()> callback) override;
  void cancel(TimerId id) override;
  [[nodiscard]] std::chrono::steady_clock::time_point now() const override;

  // Thread-safe: runs `task` on the loop thread soon.
  void post(std::function<void()> task);

  // The loop waits on `fd` (platform::pollable_stdin()) along with its sockets and calls
  // on_readable on the loop thread when it has input or has ended: the client's messages then
  // reach the router without a reader thread and a wake-up between them.
  void watch_input(int fd, std::function<void()> on_readable);
  void unwatch_input();

  // While `may_receive` says no (the client's output is backlogged: transport/client_output.hpp),
  // exchanges take no more bytes from their servers (libcurl pauses them; TCP then holds the
  // servers back); resume_receiving() takes them up again. Loop thread only.
  void set_receive_gate(std::function<bool()> may_receive) { m_may_receive = std::move(may_receive); }
  void resume_receiving();
  // Whether the gate holds exchanges back now (their silence is ours, not their servers').
  [[nodiscard]] bool receiving_paused() const { return m_may_receive && !m_may_receive(); }

  // At most `count` connections to one host (scheme, name and port) at once; further exchanges
  // wait in libcurl's queue for one to be free, or share one where HTTP/2 multiplexes.
  void limit_connections_per_host(long count);

  // Runs until stop() is called (from the loop thread or via post).
  void run();
  void stop() { m_stopped = true; }

  struct Transfer; // defined in event_loop.cpp, where libcurl is

private:
  void ensure_multi();
  long long next_wait_ms();
  bool wait_without_libcurl();
  bool poll_with_libcurl(); // true when the watched input is readable or has ended
  void add_pending_transfers();
  void finish_transfer(Transfer& transfer, int curl_code);
  // A redirect ended the transfer: true when it goes on at the Location (redirects.hpp says
  // whether it may), else false with `status` saying why not.
  bool follow_redirect(Transfer& transfer, core::Status& status);
  void run_posted_tasks();
  void run_due_timers();
  void remove_transfer(TransferId id);
  [[nodiscard]] void* take_easy_handle();

  // CURLM*, kept opaque so this header stays free of libcurl; made by the first start(), so a
  // loop that has not yet talked HTTP does not need libcurl loaded.
  void* m_multi = nullptr;
  bool m_stopped = false;
  bool m_in_perform = false;
  TransferId m_next_transfer = 1;
  std::unordered_map<TransferId, std::unique_ptr<Transfer>> m_transfers;
  std::vector<TransferId> m_to_add;
  std::vector<TransferId> m_to_remove;
  // CURL* handles of finished exchanges, reset and kept for the next ones: a new handle costs
  // its allocations and setup on every call, a reused one does not.
  std::vector<void*> m_spare_easy;

  TimerId m_next_timer = 1;
  std::multimap<std::chrono::steady_clock::time_point, TimerId> m_timer_order;
  std::unordered_map<TimerId, std::pair<std::chrono::steady_clock::time_point, std::function<void()>>> m_timers;

  std::mutex m_posted_mutex;
  platform::LoopWaiter m_waiter; // wakes the loop while m_multi is not made yet
  std::vector<std::function<void()>> m_posted;

  long m_connections_per_host = 16;
  std::function<bool()> m_may_receive;
  std::vector<TransferId> m_paused; // by the receive gate
  std::optional<int> m_input;
  std::function<void()> m_on_input;
};

} // namespace bridge::transport
