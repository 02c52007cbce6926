#include "catch.hpp"

#include "core/url.hpp"

using namespace bridge::core;

TEST_CASE("parse_url splits scheme, host, port, path and query", "[url]") {
  auto url = parse_url("HTTPS://Mcp.JumpCloud.com:8443/v1?x=1#frag");
  REQUIRE(url.ok());
  CHECK(url->scheme == "https");
  CHECK(url->host == "mcp.jumpcloud.com");
  CHECK(url->port == "8443");
  CHECK(url->path == "/v1");
  CHECK(url->query == "x=1");
  CHECK(url->fragment == "frag");
  CHECK(origin_of(*url) == "https://mcp.jumpcloud.com:8443");
}

TEST_CASE("parse_url handles IPv6 and rejects junk", "[url]") {
  auto v6 = parse_url("http://[::1]:8080/mcp");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == "8080");
  CHECK(origin_of(*v6) == "http://[::1]:8080");
  CHECK_FALSE(parse_url("localhost:8080/mcp").ok());
  CHECK_FALSE(parse_url("http:///mcp").ok());
  CHECK_FALSE(parse_url("http://host:port/").ok());
  CHECK_FALSE(parse_url("http://[::1/").ok());
}

TEST_CASE("loopback hosts", "[url]") {
  CHECK(is_loopback_host("localhost"));
  CHECK(is_loopback_host("LOCALHOST"));
  CHECK(is_loopback_host("app.localhost"));
  CHECK(is_loopback_host("127.0.0.1"));
  CHECK(is_loopback_host("127.1.2.3"));
  CHECK(is_loopback_host("::1"));
  CHECK_FALSE(is_loopback_host("127.0.0.1.evil.com"));
  CHECK_FALSE(is_loopback_host("10.0.0.1"));
  CHECK_FALSE(is_loopback_host("localhost.evil.com"));
}

TEST_CASE("append_query_parameter keeps the existing query and fragment", "[url]") {
  CHECK(append_query_parameter("https://h/v1", "organizationID", "abc") == "https://h/v1?organizationID=abc");
  CHECK(append_query_parameter("https://h/v1?x=1", "organizationID", "abc") == "https://h/v1?x=1&organizationID=abc");
  CHECK(append_query_parameter("https://h/v1?", "k", "v") == "https://h/v1?k=v");
  CHECK(append_query_parameter("https://h/v1#f", "k", "a b&c") == "https://h/v1?k=a%20b%26c#f");
}

TEST_CASE("same_origin: scheme, host and port, default ports written or not", "[url]") {
  auto same = [](const char* a, const char* b) { return same_origin(*parse_url(a), *parse_url(b)); };
  CHECK(same("http://127.0.0.1:8080/mcp", "http://127.0.0.1:8080/v2/mcp?x=1"));
  CHECK(same("https://MCP.example.com/a", "https://mcp.example.com:443/b"));
  CHECK(same("http://h/a", "http://h:80/b"));
  CHECK_FALSE(same("http://127.0.0.1:8080/mcp", "http://127.0.0.1:8081/mcp")); // another port
  CHECK_FALSE(same("https://h/a", "http://h/a"));                              // another scheme
  CHECK_FALSE(same("http://h:443/a", "https://h/a"));
  CHECK_FALSE(same("https://h.example.com/a", "https://evil.example.com/a"));
  CHECK_FALSE(same("https://h/a", "https://evil@other/a")); // user info is not part of the host
}
