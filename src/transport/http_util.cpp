#include "transport/http_util.hpp"

#include "core/protocol.hpp"

#include <nlohmann/json.hpp>

#include <cctype>

namespace bridge::transport {

using nlohmann::json;

bool says_session_is_gone(long status, std::string_view body) {
  if (status == 404) {
    return true;
  }
  if (status != 400) {
    return false;
  }
  // The phrases servers use, not any mention of a session (a tool's complaint about its own
  // "sessionId" argument must not end ours): mcp-go "Invalid session ID", the TypeScript SDK
  // "Session not found", python-sdk and others "No valid session ID", "Unknown session".
  auto contains = [body](std::string_view phrase) {
    for (std::size_t at = 0; at + phrase.size() <= body.size(); ++at) {
      if (starts_with_ci(body.substr(at), phrase)) {
        return true;
      }
    }
    return false;
  };
  return contains("invalid session") || contains("session not found") || contains("unknown session") ||
         contains("no valid session") || contains("session expired") || contains("session has expired");
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

std::string summarize_body(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    if (auto error = parsed.find("error"); error != parsed.end()) {
      if (error->is_string()) {
        return error->get<std::string>();
      }
      if (error->is_object() && error->contains("message") && (*error)["message"].is_string()) {
        return (*error)["message"].get<std::string>();
      }
    }
    if (auto message = parsed.find("message"); message != parsed.end() && message->is_string()) {
      return message->get<std::string>();
    }
  }
  std::string text = body.substr(0, 200);
  for (char& c : text) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return text;
}

core::Result<core::InboundMessage> inbound_message(std::string&& text) {
  core::InboundMessage message;
  message.text = std::move(text);
  core::ensure_padding(message.text);
  auto envelope = core::scan_envelope(message.text);
  if (!envelope) {
    return envelope.error();
  }
  message.envelope = std::move(*envelope);
  return message;
}

std::string method_of(const std::string& text) {
  auto envelope = core::scan_envelope(text);
  return envelope ? envelope->method : std::string();
}

core::Result<nlohmann::json> initialize_result_of(const core::InboundMessage& message) {
  using nlohmann::json;
  if (message.envelope.kind == core::MessageKind::error) {
    json error = json::parse(message.envelope.error->in(message.text), nullptr, false);
    std::string reason = error.is_object() ? error.value("message", std::string("error")) : std::string("error");
    return core::make_error(core::ErrorKind::protocol, "initialize was refused: " + reason);
  }
  json result = json::parse(message.envelope.result->in(message.text), nullptr, false);
  if (!result.is_object()) {
    return core::make_error(core::ErrorKind::protocol, "initialize result is not an object");
  }
  std::string version = result.value("protocolVersion", std::string());
  if (!core::is_supported_protocol_version(version)) {
    return core::make_error(core::ErrorKind::protocol,
                            "the server speaks MCP protocol version \"" + version + "\", which mcp-bridge does not support");
  }
  return result;
}

} // namespace bridge::transport
