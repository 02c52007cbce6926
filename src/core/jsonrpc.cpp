#include "core/jsonrpc.hpp"

#include <nlohmann/json.hpp>

namespace bridge::core::jsonrpc {
namespace {

std::string with_id(std::string_view raw_id, const nlohmann::json& body_without_id) {
  // {"jsonrpc":"2.0","id":<raw>,...}: the id is spliced in as written by the peer.
  std::string body = body_without_id.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out = R"({"jsonrpc":"2.0","id":)";
  out.append(raw_id);
  if (body.size() > 2) {
    out += ',';
    out.append(body, 1, body.size() - 1);
  } else {
    out += '}';
  }
  return out;
}

} // namespace

std::string error_response(std::string_view raw_id, int code, std::string_view message) {
  return with_id(raw_id, {{"error", {{"code", code}, {"message", message}}}});
}

std::string error_response(std::string_view raw_id, int code, std::string_view message, const nlohmann::json& data) {
  return with_id(raw_id, {{"error", {{"code", code}, {"message", message}, {"data", data}}}});
}

std::string result_response(std::string_view raw_id, const nlohmann::json& result) {
  return with_id(raw_id, {{"result", result}});
}

std::string request(std::uint64_t id, std::string_view method, const nlohmann::json& params) {
  nlohmann::json message = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) {
    message["params"] = params;
  }
  return message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string notification(std::string_view method, const nlohmann::json& params) {
  nlohmann::json message = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) {
    message["params"] = params;
  }
  return message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string notification(std::string_view method) { return notification(method, nlohmann::json()); }

std::string tool_error_result(std::string_view raw_id, std::string_view text) {
  return result_response(raw_id, {{"content", nlohmann::json::array({{{"type", "text"}, {"text", text}}})},
                                  {"isError", true}});
}

} // namespace bridge::core::jsonrpc
