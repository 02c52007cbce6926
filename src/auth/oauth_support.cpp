#include "auth/oauth_support.hpp"

#include "core/url.hpp"

#include <algorithm>

namespace bridge::auth::support {

using nlohmann::json;

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string str(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

OAuthError oauth_error_of(const HttpReply& reply) {
  json value = json::parse(reply.body, nullptr, false);
  OAuthError out;
  if (value.is_object()) {
    out.code = str(value, "error");
    out.description = str(value, "error_description");
  }
  return out;
}

std::string describe_failure(const HttpReply& reply) {
  auto error = oauth_error_of(reply);
  std::string text = "HTTP " + std::to_string(reply.status);
  if (!error.code.empty()) {
    text += " " + error.code;
  }
  if (!error.description.empty()) {
    text += ": " + error.description;
  }
  return text;
}

std::string html_page(const std::string& title, const std::string& message) {
  return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + title +
         "</title></head><body style=\"font-family:sans-serif;max-width:36em;margin:4em auto\"><h1>" + title +
         "</h1><p>" + message + "</p></body></html>";
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::optional<std::string> find_param(const Form& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) {
      return value;
    }
  }
  return std::nullopt;
}

bool url_allowed_for_browser(const std::string& url) {
  auto parsed = core::parse_url(url);
  return parsed && (parsed->scheme == "https" || (parsed->scheme == "http" && core::is_loopback_host(parsed->host)));
}


} // namespace bridge::auth::support
