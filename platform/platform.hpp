#pragma once

// The one door to operating-system services. Each OS implements these in its own folder
// (platform/linux, platform/macos, platform/windows), chosen by CMake; nothing above this layer
// includes an OS header or tests an OS macro.

#include "core/result.hpp"

#include <chrono>
#include <cstddef>
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

// The protocol pipe to the AI client, in binary mode (no CRLF translation on Windows).
// read_stdin: bytes read, 0 at end of input, -1 on error (blocks until some input arrives), or
// k_stdin_no_input_yet when the pipe is non-blocking and empty (not the end: wait and read again).
inline constexpr long k_stdin_no_input_yet = -2;
long read_stdin(char* buffer, std::size_t size);
// write_stdout: writes everything or returns false (the client has gone away).
bool write_stdout(const char* data, std::size_t size);
// Whether `size` bytes can go to stdout now without blocking: at most PIPE_BUF bytes (which a
// pipe takes whole or not at all) and room for them. May always say no (Windows does).
bool stdout_ready_for(std::size_t size);
// Ignore SIGPIPE-style signals so a vanished client is an error value, not a kill.
void prepare_stdio();

// Starts loading the HTTP and TLS libraries in the background where the platform opens them on
// first use (Linux: platform/linux/lazy_library.hpp), so `serve` answers `initialize` without
// waiting for them; elsewhere they come with the executable and this does nothing.
void preload_network_libraries();

} // namespace bridge::platform
