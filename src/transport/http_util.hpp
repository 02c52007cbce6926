#pragma once

// Small helpers shared by the HTTP transports (Streamable HTTP and the legacy HTTP+SSE client).

#include "core/upstream.hpp"

#include <string>
#include <string_view>

namespace bridge::transport {

bool starts_with_ci(std::string_view text, std::string_view prefix);

// Whether an HTTP refusal means "I do not know this session" (it expired, or the server
// restarted): 404, as the spec says, or a 400 whose body says so in the words servers use, as
// mcp-go answers through 0.43 ("Invalid session ID") and so every MCPJungle gateway after a restart.
bool says_session_is_gone(long status, std::string_view body);

// A short, human-readable reason from an error body: {"error": "..."} (MCPJungle), a JSON-RPC
// error, or the start of the text.
std::string summarize_body(const std::string& body);

// Scans one message received from an upstream (padding it for the envelope scanner).
core::Result<core::InboundMessage> inbound_message(std::string&& text);

// The result of an upstream's answer to initialize, checked: an object with a protocol version
// the bridge speaks. Otherwise the error says what was wrong (refused, not an object, version).
core::Result<nlohmann::json> initialize_result_of(const core::InboundMessage& message);

// The request's JSON-RPC method, read from its envelope ("" when it cannot be read).
std::string method_of(const std::string& text);

} // namespace bridge::transport
