#include "cli/shared_file_sink.hpp"

#include <cstdio>

namespace bridge::cli {

void SharedFileSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  auto written = m_file.append(std::string_view(formatted.data(), formatted.size()));
  if (!written && !m_warned) {
    m_warned = true; // once: a full disk must not turn every log line into two
    std::fprintf(stderr, "mcp-bridge: warning: cannot write a log file: %s\n", written.error().message.c_str());
  }
}

} // namespace bridge::cli
