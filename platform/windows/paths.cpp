#include "platform/platform.hpp"

#include <windows.h>
#include <knownfolders.h>
#include <shlobj.h>

namespace bridge::platform {
namespace {

// A known folder (SHGetKnownFolderPath), else the environment variable, else the temp dir.
std::filesystem::path known_folder(REFKNOWNFOLDERID id, const char* variable) {
  PWSTR raw = nullptr;
  HRESULT hr = SHGetKnownFolderPath(id, KF_FLAG_DEFAULT, nullptr, &raw);
  std::filesystem::path result;
  if (SUCCEEDED(hr) && raw != nullptr) {
    result = std::filesystem::path(raw);
  }
  CoTaskMemFree(raw);
  if (!result.empty()) {
    return result;
  }
  if (auto value = env(variable); value && !value->empty()) {
    return std::filesystem::u8path(*value);
  }
  std::error_code ec;
  return std::filesystem::temp_directory_path(ec);
}

} // namespace

std::filesystem::path config_dir() { return known_folder(FOLDERID_RoamingAppData, "APPDATA") / "mcp-bridge"; }

std::filesystem::path data_dir() { return known_folder(FOLDERID_LocalAppData, "LOCALAPPDATA") / "mcp-bridge"; }

} // namespace bridge::platform
