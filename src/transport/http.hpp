#pragma once

// HTTP exchanges as the transports see them: no libcurl types here (event_loop.cpp is the only
// file that includes libcurl).

#include "core/result.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bridge::transport {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What a 301/302/303/307/308 answer leads to. The bridge follows redirects itself (libcurl's
// own following would take the config's headers and the body to any host: it drops only
// Authorization, and libcurl 7.88 has no hook to look at a Location first).
enum class Redirects {
  // Never followed: the 3xx is an error naming its status and the Location's origin. For OAuth
  // token, registration and revocation requests (RFC 6749 does not ask clients to follow them).
  none,
  // Followed while the Location keeps the request's origin (scheme, host and port), at most 5
  // hops, with the same method, headers and body (301/302/303 included, as MCP POSTs need); a
  // Location at another origin is an error that names it: nothing is sent there.
  same_origin,
};

struct HttpRequest {
  std::string method = "POST"; // POST, GET, DELETE
  std::string url;
  HeaderList headers;
  std::string body;
  std::string ca_file;                                  // extra CA bundle for private CAs
  std::chrono::milliseconds timeout{0};                 // each hop of the exchange; 0 = none (streams)
  std::chrono::milliseconds connect_timeout{10000};
  Redirects redirects = Redirects::same_origin;
  // A redirect may lead to http:// only when this is set (the upstream is http itself). Under
  // same_origin that holds anyway, the scheme being part of the origin; kept as its own rule.
  bool allow_http_redirects = false;
};

struct HttpResponseHead {
  long status = 0;
  HeaderList headers; // names lower-cased
  // False when the server cannot have acted on the request: the exchange failed before any byte
  // of it left (connect refused, DNS, TLS handshake), or the server redirected it and the
  // redirect was refused (Redirects; status is then 0). Set before on_done.
  bool request_sent = true;
  [[nodiscard]] std::string header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) {
        return value;
      }
    }
    return {};
  }
};

struct HttpCallbacks {
  // Called once, before the first body bytes (or at the end when there is no body); not for a
  // redirect that was followed (the head is the final response's) or refused (on_done says so).
  std::function<void(const HttpResponseHead&)> on_head;
  // Body bytes as they arrive. Return false to stop the exchange: on_done follows with an error.
  std::function<bool(std::string_view chunk)> on_body;
  // The exchange ended: ok, or a network/timeout error. HTTP error statuses are not errors here.
  std::function<void(const core::Status& status, const HttpResponseHead& head)> on_done;
};

} // namespace bridge::transport
