#include "cli/options.hpp"

#include "platform/platform.hpp"

namespace bridge::cli {

std::filesystem::path resolve_config_path(const GlobalOptions& global) {
  // The explicit flag wins over the environment, as in curl, git and gh: an AI client's entry may
  // set BRIDGE_CONFIG, and a user who types --config means that file.
  if (!global.config_path.empty()) {
    return global.config_path;
  }
  if (auto from_env = platform::env("BRIDGE_CONFIG"); from_env && !from_env->empty()) {
    return *from_env;
  }
  return platform::config_dir() / "config.json";
}

std::string config_path_source(const GlobalOptions& global) {
  auto from_env = platform::env("BRIDGE_CONFIG");
  bool env_set = from_env && !from_env->empty();
  if (!global.config_path.empty()) {
    return env_set ? "from --config, which wins over $BRIDGE_CONFIG=" + *from_env : "from --config";
  }
  return env_set ? "from $BRIDGE_CONFIG" : "the default location";
}

bool config_path_is_explicit(const GlobalOptions& global) {
  auto from_env = platform::env("BRIDGE_CONFIG");
  return (from_env && !from_env->empty()) || !global.config_path.empty();
}

} // namespace bridge::cli
