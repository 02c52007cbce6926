#include "platform/client_paths.hpp"

#include "platform/platform.hpp"

#include <mach-o/dyld.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

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

std::filesystem::path client_config_path(AiClient client) {
  auto support = home() / "Library" / "Application Support";
  switch (client) {
  case AiClient::claude_desktop:
    return support / "Claude" / "claude_desktop_config.json";
  case AiClient::cursor:
    return home() / ".cursor" / "mcp.json";
  case AiClient::vscode:
    return support / "Code" / "User" / "mcp.json";
  }
  return {};
}

std::filesystem::path current_executable() {
  std::uint32_t size = 0;
  _NSGetExecutablePath(nullptr, &size);
  std::vector<char> buffer(size + 1, '\0');
  if (_NSGetExecutablePath(buffer.data(), &size) == 0) {
    std::error_code ec;
    auto resolved = std::filesystem::canonical(std::filesystem::path(buffer.data()), ec);
    return ec ? std::filesystem::path(buffer.data()) : resolved;
  }
  std::error_code ec;
  return std::filesystem::absolute("bridge", ec);
}

} // namespace bridge::platform
