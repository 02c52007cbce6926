#pragma once

// Building JSON-RPC 2.0 messages. Ids are carried as raw JSON tokens (exactly as the peer wrote
// them), so a client's 7, "7" and 7.0 stay three different ids.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace bridge::core::jsonrpc {

inline constexpr int k_parse_error = -32700;
inline constexpr int k_invalid_request = -32600;
inline constexpr int k_method_not_found = -32601;
inline constexpr int k_invalid_params = -32602;
inline constexpr int k_internal_error = -32603;
// Implementation-defined server errors (-32000 to -32099).
inline constexpr int k_request_timeout = -32001;
inline constexpr int k_upstream_unavailable = -32002;
inline constexpr int k_outcome_unknown = -32003;

inline constexpr std::string_view k_null_id = "null";

std::string error_response(std::string_view raw_id, int code, std::string_view message);
std::string error_response(std::string_view raw_id, int code, std::string_view message, const nlohmann::json& data);
std::string result_response(std::string_view raw_id, const nlohmann::json& result);
std::string request(std::uint64_t id, std::string_view method, const nlohmann::json& params);
std::string notification(std::string_view method, const nlohmann::json& params);
std::string notification(std::string_view method);

// A tools/call result that reports a failure to the model in words (isError: true): how MCP asks
// servers to report failures the model can act on.
std::string tool_error_result(std::string_view raw_id, std::string_view text);

} // namespace bridge::core::jsonrpc
