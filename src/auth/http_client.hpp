#pragma once

// Blocking HTTP for the OAuth flows (discovery, registration, token requests), which run on the
// CLI thread of `bridge login` or on a worker thread of `bridge serve` — never on the event-loop
// thread. Each call drives a private transport::EventLoop, so libcurl stays in one file.

#include "core/result.hpp"
#include "transport/http.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bridge::auth {

struct HttpReply {
  long status = 0;
  transport::HeaderList headers; // names lower-cased
  std::string body;
  [[nodiscard]] std::string header(std::string_view lower_name) const;
};

struct HttpOptions {
  std::string ca_file;
  bool allow_http_redirects = false;
  std::chrono::milliseconds timeout{30000};
};

// Redirects (transport::Redirects): a GET (metadata) follows them within its origin; the POSTs
// (token, registration, revocation, device authorization: codes, verifiers, refresh tokens,
// client secrets) never follow one — RFC 6749 does not ask clients to, and a 3xx there is an
// error naming the status and where it pointed; send() does what its request says.
class HttpClient {
public:
  explicit HttpClient(HttpOptions options) : m_options(std::move(options)) {}
  core::Result<HttpReply> get(const std::string& url, transport::HeaderList headers = {});
  // application/x-www-form-urlencoded POST of `form`.
  core::Result<HttpReply> post_form(const std::string& url, const std::vector<std::pair<std::string, std::string>>& form,
                                    transport::HeaderList headers = {});
  core::Result<HttpReply> post_json(const std::string& url, const std::string& body, transport::HeaderList headers = {});
  core::Result<HttpReply> send(transport::HttpRequest request);

private:
  HttpOptions m_options;
};

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& form);
// Decodes a query string (a=1&b=%20) into pairs; '+' is a space.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

} // namespace bridge::auth
