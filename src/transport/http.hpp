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

struct HttpRequest {
  std::string method = "POST"; // POST, GET, DELETE
  std::string url;
  HeaderList headers;
  std::string body;
  std::string ca_file;                                  // extra CA bundle for private CAs
  std::chrono::milliseconds timeout{0};                 // whole exchange; 0 = none (streams)
  std::chrono::milliseconds connect_timeout{10000};
  bool allow_http_redirects = false;                    // redirects to http:// only when the upstream is http
};

struct HttpResponseHead {
  long status = 0;
  HeaderList headers; // names lower-cased
  // False when the exchange failed before any byte of the request left (connect refused, DNS,
  // TLS handshake): the server cannot have acted on it. Set before on_done.
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
  // Called once, before the first body bytes (or at the end when there is no body).
  std::function<void(const HttpResponseHead&)> on_head;
  // Body bytes as they arrive. Return false to stop the exchange: on_done follows with an error.
  std::function<bool(std::string_view chunk)> on_body;
  // The exchange ended: ok, or a network/timeout error. HTTP error statuses are not errors here.
  std::function<void(const core::Status& status, const HttpResponseHead& head)> on_done;
};

} // namespace bridge::transport
