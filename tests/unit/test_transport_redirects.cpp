// Which redirects the event loop follows (transport/redirects.hpp): none for OAuth's POSTs, the
// same origin only for MCP traffic, at most 5, and errors that name the status and the origin.

#include "catch.hpp"

#include "transport/redirects.hpp"

using namespace bridge::transport;

namespace {

HttpRequest request_to(const char* url, Redirects redirects = Redirects::same_origin) {
  HttpRequest request;
  request.url = url;
  request.redirects = redirects;
  request.headers = {{"X-API-Key", "secret-marker"}};
  request.body = "{}";
  return request;
}

} // namespace

TEST_CASE("redirect statuses", "[transport][redirects]") {
  for (long status : {301L, 302L, 303L, 307L, 308L}) {
    CHECK(is_redirect_status(status));
  }
  for (long status : {200L, 300L, 304L, 305L, 306L, 400L}) {
    CHECK_FALSE(is_redirect_status(status));
  }
}

TEST_CASE("same origin: followed, up to 5 hops", "[transport][redirects]") {
  auto request = request_to("http://127.0.0.1:8080/mcp");
  auto next = next_hop(request, 307, "http://127.0.0.1:8080/v2/mcp", 0);
  REQUIRE(next.ok());
  CHECK(*next == "http://127.0.0.1:8080/v2/mcp");
  CHECK(next_hop(request, 308, "http://127.0.0.1:8080/v3/mcp", 4).ok());
  auto too_many = next_hop(request, 308, "http://127.0.0.1:8080/v3/mcp", 5);
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.error().message.find("more than 5 redirects") != std::string::npos);
  CHECK(next_hop(request_to("https://mcp.example.com/v1"), 301, "https://mcp.example.com:443/v2", 0).ok());
}

TEST_CASE("another origin: refused, naming it and the remedy, never the path or query", "[transport][redirects]") {
  auto request = request_to("http://127.0.0.1:8080/mcp");
  for (const char* elsewhere : {"http://127.0.0.1:8081/mcp?token=abc", "https://127.0.0.1:8080/mcp", "http://evil.example.com/mcp"}) {
    auto next = next_hop(request, 307, elsewhere, 0);
    REQUIRE_FALSE(next.ok());
    const auto& message = next.error().message;
    CHECK(message.find("redirected to") != std::string::npos);
    CHECK(message.find("HTTP 307") != std::string::npos);
    CHECK(message.find("update the url in the config if it moved") != std::string::npos);
    CHECK(message.find("/mcp") == std::string::npos);
    CHECK(message.find("token=abc") == std::string::npos);
  }
  auto port = next_hop(request, 307, "http://127.0.0.1:8081/mcp", 0);
  REQUIRE_FALSE(port.ok());
  CHECK(port.error().message.find("http://127.0.0.1:8081 ") != std::string::npos);
  // https to http on "the same host" is another origin, so never a downgrade.
  CHECK_FALSE(next_hop(request_to("https://mcp.example.com/v1"), 302, "http://mcp.example.com/v1", 0).ok());
}

TEST_CASE("no redirects at all for OAuth's POSTs, even within the origin", "[transport][redirects]") {
  auto request = request_to("https://as.example.com/token", Redirects::none);
  for (const char* location : {"https://as.example.com/token2", "https://other.example.com/token"}) {
    auto next = next_hop(request, 307, location, 0);
    REQUIRE_FALSE(next.ok());
    CHECK(next.error().message.find("HTTP 307") != std::string::npos);
    CHECK(next.error().message.find("a redirect to https://") != std::string::npos);
  }
}

TEST_CASE("a Location that is not an http(s) URL is refused", "[transport][redirects]") {
  auto request = request_to("http://127.0.0.1:8080/mcp");
  CHECK_FALSE(next_hop(request, 302, "", 0).ok());
  CHECK_FALSE(next_hop(request, 302, "file:///etc/passwd", 0).ok());
  CHECK_FALSE(next_hop(request, 302, "ftp://127.0.0.1:8080/mcp", 0).ok());
}
