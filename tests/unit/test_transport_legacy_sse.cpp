// The legacy HTTP+SSE client's pure parts: resolving the `endpoint` event (same origin only) and
// which requests may be sent again when their fate is unknown.

#include "catch.hpp"

#include "transport/legacy_sse.hpp"
#include "transport/streamable_http.hpp"

using namespace bridge::transport;

TEST_CASE("endpoint events resolve against the stream URL", "[transport][legacy]") {
  CHECK(*resolve_endpoint("http://127.0.0.1:8080/sse", "/messages?sessionId=abc") ==
        "http://127.0.0.1:8080/messages?sessionId=abc");
  CHECK(*resolve_endpoint("http://127.0.0.1:8080/v0/groups/g/sse", "message?sessionId=1") ==
        "http://127.0.0.1:8080/v0/groups/g/message?sessionId=1");
  CHECK(*resolve_endpoint("https://h.example/sse?organizationID=o", "https://h.example/m?s=1\r\n") ==
        "https://h.example/m?s=1");
  CHECK(*resolve_endpoint("https://h.example/sse", "https://h.example:443/m") == "https://h.example:443/m");
  CHECK(*resolve_endpoint("https://h.example/sse", "//h.example/m") == "https://h.example/m");
}

TEST_CASE("endpoint events pointing elsewhere are refused", "[transport][legacy]") {
  CHECK_FALSE(resolve_endpoint("http://127.0.0.1:8080/sse", "http://evil.example/messages").ok());
  CHECK_FALSE(resolve_endpoint("http://127.0.0.1:8080/sse", "http://127.0.0.1:9090/messages").ok());
  CHECK_FALSE(resolve_endpoint("https://h.example/sse", "http://h.example/messages").ok());
  CHECK_FALSE(resolve_endpoint("https://h.example/sse", "//evil.example/m").ok());
  CHECK_FALSE(resolve_endpoint("https://h.example/sse", "").ok());
  CHECK_FALSE(resolve_endpoint("https://h.example/sse", "https://").ok());
}

TEST_CASE("only reads are repeated when their fate is unknown", "[transport]") {
  for (auto method : {"ping", "tools/list", "prompts/list", "prompts/get", "resources/list", "resources/templates/list",
                      "resources/read", "completion/complete"}) {
    CHECK(is_safe_to_repeat(method));
  }
  for (auto method : {"tools/call", "initialize", "", "sampling/createMessage", "tasks/cancel"}) {
    CHECK_FALSE(is_safe_to_repeat(method));
  }
}
