#include "core/url.hpp"

#include <algorithm>
#include <cctype>

namespace bridge::core {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_scheme_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
}

} // namespace

Result<Url> parse_url(std::string_view text) {
  Url url;
  auto colon = text.find("://");
  if (colon == std::string_view::npos || colon == 0) {
    return make_error(ErrorKind::invalid_input, "not an absolute URL (expected scheme://host/...)");
  }
  for (char c : text.substr(0, colon)) {
    if (!is_scheme_char(c)) {
      return make_error(ErrorKind::invalid_input, "invalid URL scheme");
    }
  }
  url.scheme = lower(text.substr(0, colon));
  std::string_view rest = text.substr(colon + 3);
  auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1); // credentials in URLs are accepted by libcurl; we ignore them here
  }
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return make_error(ErrorKind::invalid_input, "unterminated IPv6 address in URL");
    }
    url.host = lower(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return make_error(ErrorKind::invalid_input, "unexpected text after IPv6 address in URL");
      }
      url.port = std::string(after.substr(1));
    }
  } else {
    auto port_colon = authority.rfind(':');
    if (port_colon != std::string_view::npos) {
      url.port = std::string(authority.substr(port_colon + 1));
      authority = authority.substr(0, port_colon);
    }
    url.host = lower(authority);
  }
  if (url.host.empty()) {
    return make_error(ErrorKind::invalid_input, "URL has no host");
  }
  if (!std::all_of(url.port.begin(), url.port.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return make_error(ErrorKind::invalid_input, "URL port is not a number");
  }
  if (auto hash = tail.find('#'); hash != std::string_view::npos) {
    url.fragment = std::string(tail.substr(hash + 1));
    tail = tail.substr(0, hash);
  }
  if (auto question = tail.find('?'); question != std::string_view::npos) {
    url.has_query = true;
    url.query = std::string(tail.substr(question + 1));
    tail = tail.substr(0, question);
  }
  url.path = std::string(tail);
  return url;
}

bool is_loopback_host(std::string_view host) {
  std::string h = lower(host);
  if (h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1") {
    return true;
  }
  if (h.size() > 10 && h.compare(h.size() - 10, 10, ".localhost") == 0) {
    return true;
  }
  // 127.0.0.0/8 written as a dotted quad.
  if (h.rfind("127.", 0) != 0) {
    return false;
  }
  int dots = 0;
  for (char c : h) {
    if (c == '.') {
      ++dots;
    } else if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
      return false;
    }
  }
  return dots == 3;
}

std::string percent_encode(std::string_view text) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(k_hex[c >> 4]);
      out.push_back(k_hex[c & 15]);
    }
  }
  return out;
}

std::string append_query_parameter(std::string_view url, std::string_view key, std::string_view value) {
  std::string_view base = url;
  std::string_view fragment;
  if (auto hash = url.find('#'); hash != std::string_view::npos) {
    base = url.substr(0, hash);
    fragment = url.substr(hash);
  }
  std::string out(base);
  if (base.find('?') == std::string_view::npos) {
    out += '?';
  } else if (out.back() != '?' && out.back() != '&') {
    out += '&';
  }
  out += percent_encode(key);
  out += '=';
  out += percent_encode(value);
  out += fragment;
  return out;
}

std::string origin_of(const Url& url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  std::string out = url.scheme + "://" + host;
  if (!url.port.empty()) {
    out += ":" + url.port;
  }
  return out;
}

namespace {

std::string effective_port(const Url& url) {
  if (!url.port.empty()) {
    auto digits = url.port.find_first_not_of('0');
    return digits == std::string::npos ? "0" : url.port.substr(digits); // "0443" is port 443
  }
  if (url.scheme == "https") {
    return "443";
  }
  if (url.scheme == "http") {
    return "80";
  }
  return {};
}

} // namespace

bool same_origin(const Url& a, const Url& b) {
  return a.scheme == b.scheme && a.host == b.host && effective_port(a) == effective_port(b);
}

} // namespace bridge::core
