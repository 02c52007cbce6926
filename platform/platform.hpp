#pragma once

// The one door to operating-system services. Each OS implements these in its own folder
// (platform/linux, platform/macos, platform/windows), chosen by CMake; nothing above this layer
// includes an OS header or tests an OS macro.

#include "core/result.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace bridge::platform {

// Where the config file lives by default: $XDG_CONFIG_HOME/mcp-bridge (Linux),
// ~/Library/Application Support/mcp-bridge (macOS), %APPDATA%\mcp-bridge (Windows).
std::filesystem::path config_dir();

// Token files (fallback store), caches and logs: $XDG_DATA_HOME/mcp-bridge (Linux) or the
// platform equivalent.
std::filesystem::path data_dir();

// The value of an environment variable, if set.
std::optional<std::string> env(const char* name);

// Opens url in the user's browser: $BROWSER first (given the URL as its one argument, never
// through a shell), then the platform default. The opener's stdout goes nowhere near ours.
core::Status open_browser(const std::string& url);

} // namespace bridge::platform
