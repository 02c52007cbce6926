#include "cli/logging.hpp"

#include "cli/shared_file_sink.hpp"
#include "core/redact.hpp"
#include "platform/platform.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <vector>

namespace bridge::cli {
namespace {

// Passes each message to its sinks with credentials masked.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  void add(spdlog::sink_ptr target) { m_sinks.push_back(std::move(target)); }

protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    std::string clean = redact(std::string_view(message.payload.data(), message.payload.size()));
    spdlog::details::log_msg copy(message.time, message.source, message.logger_name, message.level, clean);
    for (auto& target : m_sinks) {
      if (target->should_log(copy.level)) {
        target->log(copy);
      }
    }
  }
  void flush_() override {
    for (auto& target : m_sinks) {
      target->flush();
    }
  }

private:
  std::vector<spdlog::sink_ptr> m_sinks;
};

std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  char text[40] = "";
  if (const std::tm* parts = std::gmtime(&seconds); parts != nullptr) {
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", parts);
  }
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", text, static_cast<int>(millis));
  return out;
}

} // namespace

std::string redact(std::string_view text) { return core::redact(text); }

std::filesystem::path log_file_path() { return platform::data_dir() / "logs" / "bridge.log"; }

std::filesystem::path audit_log_path() { return platform::data_dir() / "audit.log"; }

void setup_cli_logging(bool verbose) {
  setup_logging(verbose, false);
  if (auto requested = platform::env("BRIDGE_LOG"); !verbose && (!requested || requested->empty())) {
    spdlog::set_level(spdlog::level::err);
  }
}

void setup_logging(bool verbose, bool to_file) {
  spdlog::level::level_enum level = verbose ? spdlog::level::debug : spdlog::level::warn;
  if (auto requested = platform::env("BRIDGE_LOG"); requested && !requested->empty() && !verbose) {
    level = spdlog::level::from_str(*requested);
  }
  auto redacting = std::make_shared<RedactingSink>();
  auto stderr_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  stderr_sink->set_pattern("mcp-bridge: %l: %v");
  stderr_sink->set_level(level);
  redacting->add(stderr_sink);
  auto logger_level = level;
  if (to_file && level != spdlog::level::off) {
    try {
      std::error_code ec;
      std::filesystem::create_directories(log_file_path().parent_path(), ec);
      auto file_sink = std::make_shared<SharedFileSink>(log_file_path(), 1024 * 1024, 3);
      file_sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l [%P] %v");
      auto file_level = std::min(level, spdlog::level::info);
      file_sink->set_level(file_level);
      logger_level = std::min(logger_level, file_level);
      redacting->add(file_sink);
    } catch (const spdlog::spdlog_ex& e) {
      std::fprintf(stderr, "mcp-bridge: warning: no log file (%s)\n", e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>("mcp-bridge", redacting);
  logger->set_level(logger_level);
  logger->flush_on(spdlog::level::trace); // stderr is read live by clients' log viewers
  spdlog::set_default_logger(logger);
}

std::function<void(const nlohmann::ordered_json& record)> make_audit_writer() {
  std::shared_ptr<spdlog::logger> audit;
  try {
    std::error_code ec;
    std::filesystem::create_directories(audit_log_path().parent_path(), ec);
    auto sink = std::make_shared<SharedFileSink>(audit_log_path(), 10 * 1024 * 1024, 5);
    sink->set_pattern("%v");
    audit = std::make_shared<spdlog::logger>("mcp-bridge-audit", sink);
    audit->set_level(spdlog::level::info);
    audit->flush_on(spdlog::level::info);
  } catch (const spdlog::spdlog_ex& e) {
    spdlog::warn("audit log {} cannot be opened: {}", audit_log_path().string(), e.what());
    return {};
  }
  return [audit](const nlohmann::ordered_json& record) {
    nlohmann::ordered_json line;
    line["time"] = utc_now();
    for (const auto& [key, value] : record.items()) {
      line[key] = value;
    }
    audit->info(line.dump());
  };
}

} // namespace bridge::cli
