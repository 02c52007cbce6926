#include "platform/common/browser_url.hpp"
#include "platform/platform.hpp"
#include "platform/windows/wide.hpp"

#include <objbase.h>
#include <shellapi.h>

#include <cstdio>

namespace bridge::platform {
namespace {

// ShellExecuteW returns a value > 32 on success.
bool shell_open(const std::wstring& file, const std::wstring& parameters) {
  auto result = reinterpret_cast<INT_PTR>(ShellExecuteW(nullptr, L"open", file.c_str(),
                                                        parameters.empty() ? nullptr : parameters.c_str(), nullptr,
                                                        SW_SHOWNORMAL));
  return result > 32;
}

} // namespace

core::Status open_browser(const std::string& url) {
  // The URL is checked first: no spaces, quotes or control characters survive, so it is one
  // argument wherever it goes, and only https / loopback http reach the shell's URL handler.
  if (auto valid = validate_browser_url(url); !valid) {
    return valid;
  }
  // ShellExecute may use COM; initialise it for this thread if nobody has.
  HRESULT com = CoInitializeEx(nullptr, COINIT_APARTMENTTHREADED | COINIT_DISABLE_OLE1DDE);
  bool opened = false;
  if (auto browser = env("BROWSER"); browser && !browser->empty()) {
    for (const auto& argv : browser_commands(*browser, url, ';')) {
      std::wstring parameters;
      for (std::size_t i = 1; i < argv.size(); ++i) {
        parameters += (i > 1 ? L" \"" : L"\"") + windows::widen(argv[i]) + L"\"";
      }
      if (shell_open(windows::widen(argv[0]), parameters)) {
        opened = true;
        break;
      }
    }
  }
  if (!opened) {
    opened = shell_open(windows::widen(url), L"");
  }
  if (SUCCEEDED(com)) {
    CoUninitialize();
  }
  if (!opened) {
    std::fprintf(stderr, "mcp-bridge: could not start a browser; open this URL yourself:\n  %s\n", url.c_str());
  }
  return core::ok_status();
}

} // namespace bridge::platform
