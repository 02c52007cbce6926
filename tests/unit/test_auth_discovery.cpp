#include "catch.hpp"

#include "auth/discovery.hpp"

#include <string>
#include <vector>

using namespace bridge::auth;
using Urls = std::vector<std::string>;

TEST_CASE("protected-resource metadata: header URL, path-aware well-known, then root", "[auth][discovery]") {
  CHECK(protected_resource_metadata_urls("https://mcp.example.com/public/mcp", "https://mcp.example.com/custom.json") ==
        Urls{"https://mcp.example.com/custom.json", "https://mcp.example.com/.well-known/oauth-protected-resource/public/mcp",
             "https://mcp.example.com/.well-known/oauth-protected-resource"});
  CHECK(protected_resource_metadata_urls("https://mcp.example.com/mcp/?organizationID=abc", "") ==
        Urls{"https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
             "https://mcp.example.com/.well-known/oauth-protected-resource"});
  CHECK(protected_resource_metadata_urls("http://localhost:8080", "") ==
        Urls{"http://localhost:8080/.well-known/oauth-protected-resource"});
}

TEST_CASE("authorization-server metadata: the spec's order, never the root for a path issuer", "[auth][discovery]") {
  CHECK(authorization_server_metadata_urls("https://auth.example.com/tenant1") ==
        Urls{"https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
             "https://auth.example.com/.well-known/openid-configuration/tenant1",
             "https://auth.example.com/tenant1/.well-known/openid-configuration"});
  CHECK(authorization_server_metadata_urls("https://auth.example.com/") ==
        Urls{"https://auth.example.com/.well-known/oauth-authorization-server",
             "https://auth.example.com/.well-known/openid-configuration"});
  CHECK(authorization_server_metadata_urls("not a url").empty());
}

TEST_CASE("canonical resource URI", "[auth][discovery]") {
  CHECK(*canonical_resource("HTTPS://MCP.Example.com/mcp#frag") == "https://mcp.example.com/mcp");
  CHECK(*canonical_resource("https://mcp.example.com/") == "https://mcp.example.com");
  CHECK(*canonical_resource("https://mcp.jumpcloud.com/v1?organizationID=5f1e") ==
        "https://mcp.jumpcloud.com/v1?organizationID=5f1e");
  CHECK(*canonical_resource("http://[::1]:3000/mcp") == "http://[::1]:3000/mcp");
  CHECK_FALSE(canonical_resource("mcp.example.com").ok());
}

TEST_CASE("the metadata's resource must be the server or a parent of it", "[auth][discovery]") {
  CHECK(resource_matches("https://mcp.example.com/mcp", "https://mcp.example.com/mcp"));
  CHECK(resource_matches("https://mcp.example.com", "https://mcp.example.com/mcp"));
  CHECK(resource_matches("https://MCP.example.com/", "https://mcp.example.com/v1/mcp?organizationID=1"));
  CHECK_FALSE(resource_matches("https://evil.example.com/mcp", "https://mcp.example.com/mcp"));
  CHECK_FALSE(resource_matches("https://mcp.example.com/mcp2", "https://mcp.example.com/mcp"));
  CHECK_FALSE(resource_matches("http://mcp.example.com/mcp", "https://mcp.example.com/mcp"));
}

TEST_CASE("scope selection: config, then the challenge, then scopes_supported, else omitted", "[auth][scope]") {
  std::optional<std::vector<std::string>> supported = std::vector<std::string>{"mcp:read", "mcp:write"};
  CHECK(choose_scope({"custom"}, "files:read", supported) == std::optional<std::string>("custom"));
  CHECK(choose_scope({}, "files:read  files:write", supported) == std::optional<std::string>("files:read files:write"));
  CHECK(choose_scope({}, "", supported) == std::optional<std::string>("mcp:read mcp:write"));
  CHECK_FALSE(choose_scope({}, "", std::nullopt).has_value());
  CHECK_FALSE(choose_scope({}, " ", std::vector<std::string>{}).has_value());
}

TEST_CASE("step-up: the union of granted and wanted scopes", "[auth][scope]") {
  CHECK(union_scopes("a b", "b c") == "a b c");
  CHECK(union_scopes("", "x") == "x");
  CHECK(union_scopes("a", "") == "a");
  CHECK(split_scopes("  a  b a ") == std::vector<std::string>{"a", "b"});
}

TEST_CASE("authorization-server metadata parsing and the 2025-03-26 defaults", "[auth][discovery]") {
  auto parsed = parse_authorization_server_metadata(
      R"({"issuer":"https://a","authorization_endpoint":"https://a/auth","token_endpoint":"https://a/token",
          "code_challenge_methods_supported":["S256"],"client_id_metadata_document_supported":true,
          "revocation_endpoint":"https://a/revoke"})");
  REQUIRE(parsed.ok());
  CHECK(parsed->discovered);
  CHECK(parsed->code_challenge_methods_supported == std::vector<std::string>{"S256"});
  CHECK(parsed->client_id_metadata_document_supported);
  CHECK(parsed->revocation_endpoint == "https://a/revoke");
  auto again = AuthServerMetadata::from_json(parsed->to_json());
  CHECK(again.discovered);
  CHECK(again.token_endpoint == "https://a/token");
  CHECK_FALSE(parse_authorization_server_metadata("[]").ok());
  CHECK_FALSE(parse_authorization_server_metadata("{}").ok());

  auto defaults = default_endpoints("https://mcp.example.com/some/path/mcp");
  CHECK_FALSE(defaults.discovered);
  CHECK(defaults.authorization_endpoint == "https://mcp.example.com/authorize");
  CHECK(defaults.token_endpoint == "https://mcp.example.com/token");
  CHECK(defaults.registration_endpoint == "https://mcp.example.com/register");
  CHECK_FALSE(AuthServerMetadata::from_json(defaults.to_json()).discovered);
}

TEST_CASE("the metadata's issuer must be the issuer asked for (RFC 8414 §3.3)", "[auth][discovery]") {
  CHECK(issuer_matches("https://as.example.com/tenant1", "https://as.example.com/tenant1"));
  // The same URL written another way (RFC 3986 §6.2): empty path and "/", case, default port.
  CHECK(issuer_matches("https://as.example.com/", "https://as.example.com"));
  CHECK(issuer_matches("http://127.0.0.1:8080", "http://127.0.0.1:8080/"));
  CHECK(issuer_matches("HTTPS://AS.example.com:443/", "https://as.example.com"));
  CHECK_FALSE(issuer_matches("", "https://as.example.com"));
  CHECK_FALSE(issuer_matches("https://evil.example.com/", "https://as.example.com/"));
  CHECK_FALSE(issuer_matches("https://as.example.com/tenant2", "https://as.example.com/tenant1"));
  CHECK_FALSE(issuer_matches("https://as.example.com/tenant1/", "https://as.example.com/tenant1"));
  CHECK_FALSE(issuer_matches("https://as.example.com/Tenant1", "https://as.example.com/tenant1"));
  CHECK_FALSE(issuer_matches("http://as.example.com", "https://as.example.com"));
  CHECK_FALSE(issuer_matches("https://as.example.com:8443", "https://as.example.com"));

  auto lying = parse_authorization_server_metadata(
      R"({"issuer":"https://evil.example.com","authorization_endpoint":"https://evil.example.com/auth","token_endpoint":"https://evil.example.com/token"})");
  REQUIRE(lying.ok());
  auto checked = check_issuer(*lying, "https://as.example.com", "https://as.example.com/.well-known/oauth-authorization-server");
  REQUIRE_FALSE(checked.ok());
  CHECK(checked.error().kind == bridge::core::ErrorKind::auth);
  CHECK(checked.error().message.find("https://evil.example.com") != std::string::npos);
  CHECK(checked.error().message.find("\"https://as.example.com\"") != std::string::npos);
  CHECK(checked.error().message.find("/.well-known/oauth-authorization-server") != std::string::npos);

  auto silent = parse_authorization_server_metadata(R"({"token_endpoint":"https://as.example.com/token"})");
  REQUIRE(silent.ok());
  auto missing = check_issuer(*silent, "https://as.example.com", "https://as.example.com/.well-known/openid-configuration");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("names no issuer") != std::string::npos);
  CHECK(check_issuer(*parse_authorization_server_metadata(R"({"issuer":"https://as.example.com/","token_endpoint":"x"})"),
                     "https://as.example.com", "u")
            .ok());
}
