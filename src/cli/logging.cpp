#include "cli/logging.hpp"

#include "platform/platform.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace bridge::cli {

void setup_logging(bool verbose) {
  auto logger = spdlog::stderr_logger_mt("mcp-bridge");
  logger->set_pattern("mcp-bridge: %l: %v");
  spdlog::level::level_enum level = verbose ? spdlog::level::debug : spdlog::level::warn;
  if (auto requested = platform::env("BRIDGE_LOG"); requested && !requested->empty() && !verbose) {
    level = spdlog::level::from_str(*requested);
  }
  logger->set_level(level);
  logger->flush_on(spdlog::level::trace); // stderr is read live by clients' log viewers
  spdlog::set_default_logger(logger);
}

} // namespace bridge::cli
