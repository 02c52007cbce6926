#include "platform/client_paths.hpp"

#include "platform/platform.hpp"

#include <unistd.h>

#include <array>

namespace bridge::platform {
namespace {

std::filesystem::path home() {
  auto value = env("HOME");
  return std::filesystem::path(value && !value->empty() ? *value : std::string("."));
}

std::filesystem::path xdg_config_home() {
  if (auto value = env("XDG_CONFIG_HOME"); value && !value->empty() && (*value)[0] == '/') {
    return std::filesystem::path(*value);
  }
  return home() / ".config";
}

} // namespace

std::filesystem::path client_config_path(AiClient client) {
  switch (client) {
  case AiClient::claude_desktop:
    return xdg_config_home() / "Claude" / "claude_desktop_config.json";
  case AiClient::cursor:
    return home() / ".cursor" / "mcp.json";
  case AiClient::vscode:
    return xdg_config_home() / "Code" / "User" / "mcp.json";
  }
  return {};
}

std::filesystem::path current_executable() {
  std::array<char, 4096> buffer{};
  auto length = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  if (length > 0) {
    return std::filesystem::path(std::string(buffer.data(), static_cast<std::size_t>(length)));
  }
  std::error_code ec;
  return std::filesystem::absolute("bridge", ec);
}

} // namespace bridge::platform
