#include "platform/client_paths.hpp"

#include "platform/platform.hpp"

#include <windows.h>
#include <knownfolders.h>
#include <shlobj.h>

#include <vector>

namespace bridge::platform {
namespace {

std::filesystem::path known_folder(REFKNOWNFOLDERID id, const char* variable) {
  PWSTR raw = nullptr;
  std::filesystem::path result;
  if (SUCCEEDED(SHGetKnownFolderPath(id, KF_FLAG_DEFAULT, nullptr, &raw)) && raw != nullptr) {
    result = std::filesystem::path(raw);
  }
  CoTaskMemFree(raw);
  if (result.empty()) {
    if (auto value = env(variable); value && !value->empty()) {
      result = std::filesystem::u8path(*value);
    }
  }
  return result;
}

} // namespace

std::filesystem::path client_config_path(AiClient client) {
  auto roaming = known_folder(FOLDERID_RoamingAppData, "APPDATA");
  switch (client) {
  case AiClient::claude_desktop: {
    // The packaged (MSIX) build reads its config from its own virtualized AppData.
    auto packaged = known_folder(FOLDERID_LocalAppData, "LOCALAPPDATA") / "Packages" / "Claude_pzs8sxrjxfjjc" /
                    "LocalCache" / "Roaming" / "Claude";
    std::error_code ec;
    if (std::filesystem::is_directory(packaged, ec)) {
      return packaged / "claude_desktop_config.json";
    }
    return roaming / "Claude" / "claude_desktop_config.json";
  }
  case AiClient::cursor:
    return known_folder(FOLDERID_Profile, "USERPROFILE") / ".cursor" / "mcp.json";
  case AiClient::vscode:
    return roaming / "Code" / "User" / "mcp.json";
  }
  return {};
}

std::filesystem::path current_executable() {
  std::vector<wchar_t> buffer(32768, L'\0');
  DWORD length = GetModuleFileNameW(nullptr, buffer.data(), static_cast<DWORD>(buffer.size()));
  return std::filesystem::path(std::wstring(buffer.data(), length));
}

} // namespace bridge::platform
