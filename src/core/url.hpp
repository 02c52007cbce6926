#pragma once

// Just enough URL handling for config validation and query edits: scheme, host, port and the
// rest, so core decides "loopback?" and "https?" without a network library.

#include "core/result.hpp"

#include <string>
#include <string_view>

namespace bridge::core {

struct Url {
  std::string scheme;    // lower-case: "https", "http"
  std::string host;      // lower-case; IPv6 without brackets
  std::string port;      // as written, may be empty
  std::string path;      // from the first '/' up to '?' or '#', may be empty
  std::string query;     // without '?', may be empty
  std::string fragment;  // without '#', may be empty
  bool has_query = false;
};

Result<Url> parse_url(std::string_view text);

// localhost, *.localhost, 127.0.0.0/8 and ::1.
bool is_loopback_host(std::string_view host);

// The URL with key=value appended to its query (percent-encoded), keeping the rest as written.
std::string append_query_parameter(std::string_view url, std::string_view key, std::string_view value);

// scheme://host[:port] — the origin a token belongs to.
std::string origin_of(const Url& url);

// Same scheme, host and port (RFC 6454), a default port written out or not (http 80, https 443):
// what decides whether a redirect may keep a request's headers and body.
bool same_origin(const Url& a, const Url& b);

std::string percent_encode(std::string_view text);

} // namespace bridge::core
