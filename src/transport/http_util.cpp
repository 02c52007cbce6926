#include "transport/http_util.hpp"

#include <nlohmann/json.hpp>

#include <cctype>

namespace bridge::transport {

using nlohmann::json;

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

} // namespace bridge::transport
