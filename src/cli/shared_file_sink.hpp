#pragma once

// spdlog's sink for platform::SharedLogFile: the log and audit files several bridges share
// (spdlog's rotating_file_sink keeps one file open and rotates it per process, so two bridges
// rotating the same file lose each other's lines; its files also take the umask's mode).

#include "platform/shared_log_file.hpp"

#include <spdlog/sinks/base_sink.h>

#include <mutex>

namespace bridge::cli {

class SharedFileSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  SharedFileSink(std::filesystem::path path, std::uintmax_t max_bytes, int max_files)
      : m_file(std::move(path), max_bytes, max_files) {}

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {} // every record is written and closed at once

private:
  platform::SharedLogFile m_file;
  bool m_warned = false;
};

} // namespace bridge::cli
