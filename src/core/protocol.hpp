#pragma once

// MCP protocol versions and the capabilities the bridge declares.

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <string>
#include <string_view>

namespace bridge::core {

// Newest first. A client asking for one of these gets it; any other request gets the newest.
inline constexpr std::array<std::string_view, 4> k_protocol_versions = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                                         "2024-11-05"};

std::string negotiate_protocol_version(std::string_view requested);
bool is_supported_protocol_version(std::string_view version);

// What the bridge offers the AI client. Upstreams are connected after the client's initialize
// (so they can be offered the client's own capabilities), which means their union is not known
// yet: the bridge declares every list it can serve, with listChanged, and announces arrivals.
nlohmann::json bridge_capabilities();

} // namespace bridge::core
