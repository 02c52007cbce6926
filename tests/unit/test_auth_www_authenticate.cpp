#include "catch.hpp"

#include "auth/www_authenticate.hpp"

using namespace bridge::auth;

TEST_CASE("WWW-Authenticate: a Bearer challenge with MCP's parameters", "[auth][www-authenticate]") {
  auto challenge = bearer_challenge(
      R"(Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource", scope="files:read files:write")");
  CHECK(challenge.present);
  CHECK(challenge.resource_metadata == "https://mcp.example.com/.well-known/oauth-protected-resource");
  CHECK(challenge.scope == "files:read files:write");
  CHECK(challenge.error.empty());
}

TEST_CASE("WWW-Authenticate: insufficient_scope with an escaped description", "[auth][www-authenticate]") {
  auto challenge = bearer_challenge(
      "Bearer error=\"insufficient_scope\",\r\n scope=\"a b\", error_description=\"need \\\"write\\\" too\", "
      "resource_metadata=\"https://x/.well-known/oauth-protected-resource\"");
  CHECK(challenge.error == "insufficient_scope");
  CHECK(challenge.scope == "a b");
  CHECK(challenge.error_description == "need \"write\" too");
  CHECK(challenge.resource_metadata == "https://x/.well-known/oauth-protected-resource");
}

TEST_CASE("WWW-Authenticate: several challenges, case-insensitive names, token values", "[auth][www-authenticate]") {
  auto challenges = parse_www_authenticate(R"(Basic realm="api", BEARER Realm=mcp, Error=invalid_token, Negotiate abc123==)");
  REQUIRE(challenges.size() == 3);
  CHECK(challenges[0].scheme == "basic");
  CHECK(challenges[0].param("realm") == "api");
  CHECK(challenges[1].scheme == "bearer");
  CHECK(challenges[1].param("realm") == "mcp");
  CHECK(challenges[1].param("error") == "invalid_token");
  CHECK(challenges[2].scheme == "negotiate");
  CHECK(challenges[2].token68 == "abc123==");
  auto bearer = bearer_challenge(R"(Basic realm="api", BEARER Realm=mcp, Error=invalid_token)");
  CHECK(bearer.present);
  CHECK(bearer.error == "invalid_token");
}

TEST_CASE("WWW-Authenticate: a bare scheme and empty input", "[auth][www-authenticate]") {
  CHECK(parse_www_authenticate("").empty());
  CHECK(parse_www_authenticate(" , ,").empty());
  auto bare = parse_www_authenticate("Bearer");
  REQUIRE(bare.size() == 1);
  CHECK(bare[0].scheme == "bearer");
  CHECK(bare[0].params.empty());
  CHECK_FALSE(bearer_challenge("Basic realm=x").present);
}

TEST_CASE("WWW-Authenticate: malformed input never throws and keeps what it can", "[auth][www-authenticate]") {
  auto unterminated = bearer_challenge(R"(Bearer scope="a b)");
  CHECK(unterminated.scope == "a b");
  auto junk = parse_www_authenticate(R"(@@@ Bearer scope=x junk, error="e" ===, ,= ,"x")");
  bool found = false;
  for (const auto& c : junk) {
    if (c.scheme == "bearer") {
      found = true;
      CHECK(c.param("scope") == "x");
      CHECK(c.param("error") == "e");
    }
  }
  CHECK(found);
  auto trailing_backslash = bearer_challenge("Bearer scope=\"a\\");
  CHECK(trailing_backslash.scope == "a\\"); // a lone final backslash is kept as text
}
