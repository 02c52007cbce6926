#include "platform/common/browser_url.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace bridge::platform {
namespace {

constexpr std::size_t k_max_url = 64 * 1024;

core::Status reject(const std::string& why) {
  return core::make_error(core::ErrorKind::invalid_input, "refusing to open URL in a browser: " + why);
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "[::1]") {
    return true;
  }
  // 127.0.0.0/8 as a dotted quad.
  if (host.rfind("127.", 0) != 0) {
    return false;
  }
  int parts = 0;
  std::size_t start = 0;
  while (start <= host.size()) {
    std::size_t dot = host.find('.', start);
    std::string_view part = std::string_view(host).substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty() || part.size() > 3 ||
        !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(std::string(part)) > 255) {
      return false;
    }
    ++parts;
    if (dot == std::string::npos) {
      break;
    }
    start = dot + 1;
  }
  return parts == 4;
}

bool valid_host(const std::string& host) {
  if (host.empty()) {
    return false;
  }
  if (host.front() == '[') {
    return host.size() > 2 && host.back() == ']' &&
           std::all_of(host.begin() + 1, host.end() - 1,
                       [](unsigned char c) { return std::isxdigit(c) != 0 || c == ':' || c == '.'; });
  }
  return std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0 || c == '.' || c == '-' || c == '_'; });
}

} // namespace

core::Status validate_browser_url(const std::string& url) {
  if (url.empty()) {
    return reject("empty URL");
  }
  if (url.size() > k_max_url) {
    return reject("URL longer than 64 KiB");
  }
  for (char ch : url) {
    auto c = static_cast<unsigned char>(ch);
    // Printable ASCII except characters that never appear unescaped in a well-formed URL and
    // that shells or openers treat specially.
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '`' || c == '<' || c == '>' || c == '\\' ||
        c == '{' || c == '}' || c == '|' || c == '^') {
      return reject("URL contains a space, quote, control or non-ASCII character");
    }
  }
  std::string scheme_end = lower(std::string_view(url).substr(0, 8));
  bool https = scheme_end.rfind("https://", 0) == 0;
  bool http = !https && scheme_end.rfind("http://", 0) == 0;
  if (!https && !http) {
    return reject("only https:// (or http:// to a loopback host) URLs are opened");
  }
  std::size_t authority_start = https ? 8 : 7;
  std::size_t authority_end = url.find_first_of("/?#", authority_start);
  std::string authority = url.substr(authority_start, authority_end == std::string::npos
                                                          ? std::string::npos
                                                          : authority_end - authority_start);
  if (authority.find('@') != std::string::npos) {
    return reject("URL carries user information");
  }
  if (authority.empty()) {
    return reject("bad or missing host");
  }
  std::string host = authority;
  std::size_t port_colon = authority.front() == '[' ? authority.find(':', authority.find(']'))
                                                     : authority.rfind(':');
  if (port_colon != std::string::npos) {
    std::string port = authority.substr(port_colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stol(port) > 65535) {
      return reject("bad port");
    }
    host = authority.substr(0, port_colon);
  }
  host = lower(host);
  if (!valid_host(host)) {
    return reject("bad or missing host");
  }
  if (http && !is_loopback_host(host)) {
    return reject("plain http is allowed only for loopback hosts (localhost, 127.0.0.1, [::1])");
  }
  return core::ok_status();
}

std::vector<std::vector<std::string>> browser_commands(const std::string& list, const std::string& url,
                                                       char separator) {
  std::vector<std::vector<std::string>> commands;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(separator, start);
    std::string entry = list.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::vector<std::string> argv;
    bool placed = false;
    std::size_t pos = 0;
    while (pos < entry.size()) {
      std::size_t word_start = entry.find_first_not_of(" \t", pos);
      if (word_start == std::string::npos) {
        break;
      }
      std::size_t word_end = entry.find_first_of(" \t", word_start);
      std::string word = entry.substr(word_start, word_end == std::string::npos ? std::string::npos
                                                                                 : word_end - word_start);
      if (word == "%s") {
        word = url;
        placed = true;
      }
      argv.push_back(std::move(word));
      pos = word_end == std::string::npos ? entry.size() : word_end;
    }
    if (!argv.empty()) {
      if (!placed) {
        argv.push_back(url);
      }
      commands.push_back(std::move(argv));
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return commands;
}

} // namespace bridge::platform
