#pragma once

// Where AI clients keep their MCP server lists (FACTS.md "Browsers and clients"), for
// `bridge install`, and where the running binary is, so the entry names it by absolute path.

#include <filesystem>
#include <string>

namespace bridge::platform {

enum class AiClient { claude_desktop, cursor, vscode };

// The client's user-level MCP config file:
//   Claude Desktop  macOS  ~/Library/Application Support/Claude/claude_desktop_config.json
//                   Windows %APPDATA%\Claude\claude_desktop_config.json (the packaged build's
//                           %LOCALAPPDATA%\Packages\Claude_pzs8sxrjxfjjc\LocalCache\Roaming\Claude
//                           when that folder exists)
//                   Linux   $XDG_CONFIG_HOME/Claude/claude_desktop_config.json
//   Cursor          ~/.cursor/mcp.json (%USERPROFILE%\.cursor\mcp.json)
//   VS Code         the user profile's mcp.json: ~/Library/Application Support/Code/User (macOS),
//                   %APPDATA%\Code\User (Windows), $XDG_CONFIG_HOME/Code/User (Linux)
std::filesystem::path client_config_path(AiClient client);

// The absolute path of the running executable (what an AI client must launch).
std::filesystem::path current_executable();

} // namespace bridge::platform
