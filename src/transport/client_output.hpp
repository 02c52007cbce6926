#pragma once

// What the bridge writes to the AI client, without ever making the event loop wait for the client
// to read. Each message is one entry of a queue that a writer thread drains into stdout, one
// whole line per message (CR and LF bytes, which JSON allows only as whitespace, folded into
// spaces: transport/stdio.hpp). Messages are independent, so a message that is complete goes out
// before a large result that is still arriving: a result forwarded while it arrives (cut-through)
// holds the line only once it is written, and it is written only when it flows — its first
// `commit_bytes` came within `fast_window`, or it is complete. One that trickles in is gathered
// aside (up to `gather_limit`) while pings, notifications and other answers pass it.
//
// When the client reads more slowly than upstreams send, the queue would grow without bound:
// backlogged() turns true past the high-water mark (the event loop then stops taking bytes from
// upstreams, transport/event_loop.hpp), and on_drained is called once the writer has brought it
// under the low-water mark again.
//
// A small message with nothing queued ahead of it is written at once by the loop thread when the
// pipe has room for it (a write of at most PIPE_BUF bytes to a pipe with room cannot block): the
// common request/answer exchange pays no thread hand-off.

#include "core/upstream.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace bridge::transport {

class ClientOutput final : public core::ClientWriter {
public:
  struct Options {
    std::size_t commit_bytes = std::size_t{1} << 20;
    std::chrono::milliseconds fast_window{1000};
    // Queued bytes: stop taking more from upstreams (and a trickling result goes out from here on,
    // gathered no further).
    std::size_t high_water = std::size_t{8} << 20;
    std::size_t low_water = std::size_t{2} << 20;     // … and start again
  };
  // Writes all of the bytes or returns false (the client has gone away). Called on the writer
  // thread, or on the loop thread when ready_now allowed it.
  using Sink = std::function<bool(std::string_view bytes)>;
  // Whether `size` bytes can be written now without blocking (may always say no).
  using ReadyNow = std::function<bool(std::size_t size)>;

  ClientOutput(Sink sink, ReadyNow ready_now, Options options);
  // Stdout, through platform/.
  ClientOutput();
  ~ClientOutput() override; // flushes for at most a second, then leaves the rest
  ClientOutput(const ClientOutput&) = delete;
  ClientOutput& operator=(const ClientOutput&) = delete;

  // core::ClientWriter, on the loop thread.
  void write_message(std::string&& message) override;
  void write_piece(std::string_view bytes) override;
  void end_pieces() override;
  void abandon_pieces() override;

  // Called (on the writer thread) when the queue went under the low-water mark after
  // backlogged() had said true. Set before the first write.
  void set_on_drained(std::function<void()> on_drained);
  // Thread-safe.
  [[nodiscard]] bool backlogged() const;
  [[nodiscard]] bool broken() const;
  // Waits until everything queued is written, the client is gone, or `limit` has passed.
  void flush(std::chrono::milliseconds limit);

private:
  struct State; // shared with the writer thread, which may outlive this object (a stuck client)
  std::shared_ptr<State> m_state;
  std::thread m_thread;
};

} // namespace bridge::transport
