#include "cli/options.hpp"

#include "platform/platform.hpp"

namespace bridge::cli {

std::filesystem::path resolve_config_path(const GlobalOptions& global) {
  if (auto from_env = platform::env("BRIDGE_CONFIG"); from_env && !from_env->empty()) {
    return *from_env;
  }
  if (!global.config_path.empty()) {
    return global.config_path;
  }
  return platform::config_dir() / "config.json";
}

bool config_path_is_explicit(const GlobalOptions& global) {
  auto from_env = platform::env("BRIDGE_CONFIG");
  return (from_env && !from_env->empty()) || !global.config_path.empty();
}

} // namespace bridge::cli
