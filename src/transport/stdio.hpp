#pragma once

// The AI client's side of the pipe. On POSIX the event loop waits on stdin itself and frames it
// into lines on the loop thread; elsewhere (Windows) a reader thread does and hands each line to
// the loop with post(). The loop thread alone writes stdout, one whole line per message.

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
  // A line longer than max_line is discarded and reported as on_oversized() (on the loop thread).
  StdinReader(EventLoop& loop, LineHandler on_line, std::function<void()> on_oversized, std::function<void()> on_eof,
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
  std::function<void()> m_on_oversized;
  std::function<void()> m_on_eof;
  std::size_t m_max_line;
  std::thread m_thread;
  bool m_watched = false;
  std::unique_ptr<LineFramer> m_framer; // when read on the loop thread
  std::vector<char> m_buffer;
};

class StdoutWriter final : public core::ClientWriter {
public:
  void write_message(std::string&& message) override;
  // Pieces go out at once; the line ends with end_pieces(). An abandoned message's line is ended
  // where it stands: cut JSON no parser takes for a message, and the next message starts clean.
  void write_piece(std::string_view bytes) override;
  void end_pieces() override;
  void abandon_pieces() override;
  [[nodiscard]] bool broken() const { return m_broken; }

private:
  bool m_broken = false;
};

// Splits a byte stream into lines (LF, with an optional CR before it), for the reader and tests.
class LineFramer {
public:
  explicit LineFramer(std::size_t max_line) : m_max_line(max_line) {}
  // Calls on_line for each complete line and on_oversized for each line over the limit.
  void feed(const char* data, std::size_t size, const std::function<void(std::string&&)>& on_line,
            const std::function<void()>& on_oversized);
  // The input ended: a last line without a newline still counts.
  void finish(const std::function<void(std::string&&)>& on_line);

private:
  std::size_t m_max_line;
  std::string m_line;
  bool m_discarding = false;
};

} // namespace bridge::transport
