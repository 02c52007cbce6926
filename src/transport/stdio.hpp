#pragma once

// The AI client's side of the pipe. On POSIX the event loop waits on stdin itself and frames it
// into lines on the loop thread; elsewhere (Windows) a reader thread does and hands each line to
// the loop with post(). What goes back to the client is written by transport/client_output.hpp,
// one whole line per message.

#include "core/upstream.hpp"
#include "transport/event_loop.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace bridge::transport {

class LineFramer;

class StdinReader {
public:
  using LineHandler = std::function<void(std::string&& line)>;
  // A line longer than max_line is discarded and reported to on_oversized with its first bytes
  // (LineFramer::k_oversized_head), on the loop thread.
  StdinReader(EventLoop& loop, LineHandler on_line, LineHandler on_oversized, std::function<void()> on_eof,
              std::size_t max_line = std::size_t{256} << 20);
  ~StdinReader();
  StdinReader(const StdinReader&) = delete;
  StdinReader& operator=(const StdinReader&) = delete;

  void start();

private:
  void run();      // the reader thread
  void on_input(); // the loop thread, when stdin is readable

  EventLoop& m_loop;
  LineHandler m_on_line;
  LineHandler m_on_oversized;
  std::function<void()> m_on_eof;
  std::size_t m_max_line;
  std::thread m_thread;
  bool m_watched = false;
  std::unique_ptr<LineFramer> m_framer; // when read on the loop thread
  std::vector<char> m_buffer;
};

// The client reads one JSON-RPC message per line, but upstreams put line breaks where JSON allows
// whitespace: pretty-printed replies, Go's json.Encoder newline after every body, multi-line SSE
// `data:` joined with LF. A CR or LF byte can only be whitespace in JSON (inside strings they are
// escaped), so each becomes a space on the way out: one message, one line, and no DOM. Returns
// how many bytes were changed.
std::size_t fold_line_breaks(char* data, std::size_t size);

// Splits a byte stream into lines (LF, with an optional CR before it), for the reader and tests.
class LineFramer {
public:
  explicit LineFramer(std::size_t max_line) : m_max_line(max_line) {}
  // How much of an oversized line is kept for on_oversized (where its id is read from).
  static constexpr std::size_t k_oversized_head = 64 * 1024;
  // Calls on_line for each complete line and on_oversized, with the line's first bytes, for each
  // line over the limit.
  void feed(const char* data, std::size_t size, const std::function<void(std::string&&)>& on_line,
            const std::function<void(std::string&&)>& on_oversized);
  // The input ended: a last line without a newline still counts.
  void finish(const std::function<void(std::string&&)>& on_line);

private:
  std::size_t m_max_line;
  std::string m_line;
  bool m_discarding = false;
};

} // namespace bridge::transport
