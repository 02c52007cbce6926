#include "catch.hpp"

#include "core/no_proxy.hpp"

using bridge::core::no_proxy_exempts;

TEST_CASE("NO_PROXY: names match themselves and their subdomains", "[no_proxy]") {
  CHECK(no_proxy_exempts("localhost,127.0.0.1", "localhost"));
  CHECK(no_proxy_exempts("localhost, 127.0.0.1", "127.0.0.1"));
  CHECK(no_proxy_exempts("example.com", "mcp.example.com"));
  CHECK(no_proxy_exempts(".example.com", "mcp.example.com"));
  CHECK(no_proxy_exempts(".example.com", "example.com"));
  CHECK(no_proxy_exempts("EXAMPLE.com", "Mcp.Example.COM"));
  CHECK(no_proxy_exempts("*", "anything.example"));
  CHECK(no_proxy_exempts("intranet:8080", "intranet"));
  CHECK_FALSE(no_proxy_exempts("example.com", "badexample.com"));
  CHECK_FALSE(no_proxy_exempts("mcp.example.com", "example.com"));
  CHECK_FALSE(no_proxy_exempts("", "localhost"));
  CHECK_FALSE(no_proxy_exempts(",,.,", "localhost"));
  CHECK_FALSE(no_proxy_exempts("*.example.com", "mcp.jumpcloud.com"));
}

TEST_CASE("NO_PROXY: IPv4 addresses and CIDR blocks", "[no_proxy]") {
  CHECK(no_proxy_exempts("10.0.0.0/8", "10.1.2.3"));
  CHECK(no_proxy_exempts("127.0.0.0/8", "127.0.0.1"));
  CHECK(no_proxy_exempts("0.0.0.0/0", "192.168.1.1"));
  CHECK_FALSE(no_proxy_exempts("10.0.0.0/8", "11.0.0.1"));
  CHECK_FALSE(no_proxy_exempts("127.0.0.1", "127.0.0.2"));
  CHECK_FALSE(no_proxy_exempts("10.0.0.0/33", "10.0.0.1"));
  CHECK_FALSE(no_proxy_exempts("10.0.0/8", "10.0.0.1"));
  CHECK(no_proxy_exempts("::1", "[::1]")); // an IPv6 literal: compared as written, brackets off
}
