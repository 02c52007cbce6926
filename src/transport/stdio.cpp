#include "transport/stdio.hpp"

#include "platform/loop_waiter.hpp"
#include "platform/platform.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace bridge::transport {

void LineFramer::feed(const char* data, std::size_t size, const std::function<void(std::string&&)>& on_line,
                      const std::function<void(std::string&&)>& on_oversized) {
  while (size > 0) {
    const auto* newline = static_cast<const char*>(std::memchr(data, '\n', size));
    std::size_t take = newline != nullptr ? static_cast<std::size_t>(newline - data) : size;
    if (!m_discarding) {
      if (m_line.size() + take > m_max_line) {
        m_discarding = true;
        if (m_line.size() > k_oversized_head) {
          m_line.resize(k_oversized_head);
          m_line.shrink_to_fit();
        }
      } else {
        m_line.append(data, take);
      }
    }
    if (m_discarding && m_line.size() < k_oversized_head) {
      // Its start is kept: the id is usually there, and the answer should carry it.
      m_line.append(data, std::min(take, k_oversized_head - m_line.size()));
    }
    if (newline == nullptr) {
      return;
    }
    if (m_discarding) {
      m_discarding = false;
      on_oversized(std::move(m_line));
      m_line = std::string();
    } else {
      if (!m_line.empty() && m_line.back() == '\r') {
        m_line.pop_back();
      }
      // Blank lines between messages are not messages.
      if (m_line.find_first_not_of(" \t\r") != std::string::npos) {
        on_line(std::move(m_line));
      }
      m_line = std::string();
    }
    data += take + 1;
    size -= take + 1;
  }
}

void LineFramer::finish(const std::function<void(std::string&&)>& on_line) {
  if (!m_discarding && m_line.find_first_not_of(" \t\r") != std::string::npos) {
    on_line(std::move(m_line));
  }
  m_line.clear();
}

StdinReader::StdinReader(EventLoop& loop, LineHandler on_line, LineHandler on_oversized,
                         std::function<void()> on_eof, std::size_t max_line)
    : m_loop(loop), m_on_line(std::move(on_line)), m_on_oversized(std::move(on_oversized)), m_on_eof(std::move(on_eof)),
      m_max_line(max_line) {}

StdinReader::~StdinReader() {
  if (m_watched) {
    m_loop.unwatch_input();
  }
  // The thread ends at end of input; if the process leaves first, do not wait on a blocked read.
  if (m_thread.joinable()) {
    m_thread.detach();
  }
}

void StdinReader::start() {
  if (auto fd = platform::pollable_stdin()) {
    m_framer = std::make_unique<LineFramer>(m_max_line);
    m_buffer.resize(64 * 1024);
    m_watched = true;
    m_loop.watch_input(*fd, [this] { on_input(); });
    return;
  }
  m_thread = std::thread([this] { run(); });
}

void StdinReader::on_input() {
  // The loop saw input (or its end): one read cannot block.
  long n = platform::read_stdin(m_buffer.data(), m_buffer.size());
  if (n > 0) {
    m_framer->feed(m_buffer.data(), static_cast<std::size_t>(n), m_on_line, m_on_oversized);
    return;
  }
  if (n == platform::k_stdin_no_input_yet) {
    return; // a spurious wake-up on a non-blocking pipe: the loop waits for the next input
  }
  m_framer->finish(m_on_line);
  m_watched = false;
  m_loop.unwatch_input();
  m_on_eof();
}

void StdinReader::run() {
  LineFramer framer(m_max_line);
  std::vector<char> buffer(64 * 1024);
  auto post_line = [this](std::string&& line) {
    m_loop.post([this, line = std::move(line)]() mutable { m_on_line(std::move(line)); });
  };
  auto post_oversized = [this](std::string&& head) {
    m_loop.post([this, head = std::move(head)]() mutable { m_on_oversized(std::move(head)); });
  };
  for (;;) {
    long n = platform::read_stdin(buffer.data(), buffer.size());
    if (n <= 0) {
      break;
    }
    framer.feed(buffer.data(), static_cast<std::size_t>(n), post_line, post_oversized);
  }
  framer.finish(post_line);
  m_loop.post([this] { m_on_eof(); });
}

std::size_t fold_line_breaks(char* data, std::size_t size) {
  std::size_t folded = 0;
  for (char line_break : {'\n', '\r'}) {
    char* at = data;
    char* end = data + size;
    while ((at = static_cast<char*>(std::memchr(at, line_break, static_cast<std::size_t>(end - at)))) != nullptr) {
      *at++ = ' ';
      ++folded;
    }
  }
  return folded;
}

} // namespace bridge::transport
