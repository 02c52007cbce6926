#include "platform/platform.hpp"

namespace bridge::platform {
namespace {

// XDG base directory: $VAR when set and absolute, else $HOME/<fallback>.
std::filesystem::path xdg_dir(const char* variable, const char* fallback) {
  if (auto value = env(variable); value && !value->empty() && (*value)[0] == '/') {
    return std::filesystem::path(*value);
  }
  auto home = env("HOME");
  return std::filesystem::path(home ? *home : std::string(".")) / fallback;
}

} // namespace

std::filesystem::path config_dir() { return xdg_dir("XDG_CONFIG_HOME", ".config") / "mcp-bridge"; }

std::filesystem::path data_dir() { return xdg_dir("XDG_DATA_HOME", ".local/share") / "mcp-bridge"; }

} // namespace bridge::platform
