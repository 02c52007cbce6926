#include "platform/platform.hpp"

#include <pwd.h>
#include <unistd.h>

namespace bridge::platform {
namespace {

std::filesystem::path home() {
  if (auto value = env("HOME"); value && !value->empty()) {
    return std::filesystem::path(*value);
  }
  if (const passwd* entry = ::getpwuid(::getuid()); entry != nullptr && entry->pw_dir != nullptr) {
    return std::filesystem::path(entry->pw_dir);
  }
  return std::filesystem::path(".");
}

} // namespace

// ~/Library/Application Support/mcp-bridge for both: config and data live together on macOS.
std::filesystem::path config_dir() { return home() / "Library" / "Application Support" / "mcp-bridge"; }

std::filesystem::path data_dir() { return config_dir(); }

} // namespace bridge::platform
