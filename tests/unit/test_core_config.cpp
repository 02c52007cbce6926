#include "catch.hpp"

#include "core/config.hpp"

#include <string>

using namespace bridge::core;

namespace {

Result<Config> parse(const std::string& text) { return parse_config(text, "/tmp/cfg.json"); }

bool message_has(const Result<Config>& result, const std::string& needle) {
  return !result.ok() && result.error().message.find(needle) != std::string::npos;
}

} // namespace

TEST_CASE("a full server entry parses with every field", "[config]") {
  auto config = parse(R"({
    "token_store": "file",
    "page_size": 50,
    "servers": {
      "jumpcloud": {
        "url": "https://mcp.jumpcloud.com/v1", "prefix": "jc_admin_", "organizationID": "5f1e",
        "auth": "oauth",
        "oauth": {"client_id": "cid", "client_secret": "${env:S}", "scopes": ["a", "b"], "grant": "client_credentials",
                  "redirect_port": 8765},
        "headers": {"X-Extra": "v"}, "tools": {"allow": ["user_*"], "deny": ["device_erase"]},
        "allow_http": false, "ca_file": "/ca.pem", "timeout_s": 30, "enabled": true
      },
      "jungle": {"url": "http://localhost:8080/mcp", "auth": "token", "token": "${keychain:jungle}"}
    }
  })");
  REQUIRE(config.ok());
  CHECK(config->token_store == "file");
  CHECK(config->page_size == 50);
  REQUIRE(config->servers.size() == 2);
  const auto& jc = config->servers[0];
  CHECK(jc.name == "jumpcloud");
  CHECK(jc.prefix == "jc_admin_");
  CHECK(jc.organization_id == std::optional<std::string>("5f1e"));
  CHECK(jc.auth == AuthMode::oauth);
  CHECK(jc.oauth.client_id == "cid");
  CHECK(jc.oauth.scopes == std::vector<std::string>{"a", "b"});
  CHECK(jc.oauth.grant == "client_credentials");
  CHECK(jc.oauth.redirect_port == 8765);
  CHECK(jc.headers.at("X-Extra") == "v");
  CHECK(jc.timeout_s == 30);
  CHECK(effective_url(jc) == "https://mcp.jumpcloud.com/v1?organizationID=5f1e");
  const auto& jungle = config->servers[1];
  CHECK(jungle.prefix == "jungle_"); // default: name + "_"
  CHECK(jungle.auth == AuthMode::token);
  CHECK(jungle.token == "${keychain:jungle}");
  CHECK(config->warnings.empty());
}

TEST_CASE("errors name the file, the field and the fix", "[config]") {
  CHECK(message_has(parse("{"), "/tmp/cfg.json"));
  CHECK(message_has(parse("[]"), "must be an object"));
  CHECK(message_has(parse(R"({"servers": {"a": {}}})"), "servers.a.url: missing"));
  CHECK(message_has(parse(R"({"servers": {"a": {"url": 5}}})"), "servers.a.url: must be a string"));
  CHECK(message_has(parse(R"({"servers": {"a": {"url": "ftp://x/"}}})"), "not supported"));
  CHECK(message_has(parse(R"({"servers": {"a": {"url": "nonsense"}}})"), "servers.a.url"));
  CHECK(message_has(parse(R"({"servers": {"a": {"url": "http://h/", "auth": "magic"}}})"), "servers.a.auth"));
  CHECK(message_has(parse(R"({"servers": {"a": {"url": "http://localhost/", "auth": "token"}}})"),
                    "bridge token set a"));
  CHECK(message_has(parse(R"({"servers": {"a": {"url": "http://localhost/", "timeout_s": 0}}})"), "servers.a.timeout_s"));
  CHECK(message_has(parse(R"({"servers": {"a": {"url": "http://localhost/", "prefix": "a.b"}}})"), "servers.a.prefix"));
  CHECK(message_has(parse(R"({"servers": {"a": {"url": "http://localhost/", "oauth": {"grant": "password"}}}})"),
                    "servers.a.oauth.grant"));
  CHECK(message_has(parse(R"({"token_store": "cloud"})"), "token_store"));
  CHECK(message_has(parse(R"({"servers": {"a": {"url": "http://localhost/", "unannotated": "ask"}}})"),
                    "servers.a.unannotated: must be \"destructive\", \"confirm\" or \"non_destructive\""));
  // A number too large for a double is nlohmann's out_of_range, not parse_error (found by fuzz_config).
  CHECK(message_has(parse(R"({"page_size": 1e999})"), "not valid JSON"));
}

TEST_CASE("plain http is refused for non-loopback hosts unless allowed", "[config]") {
  auto refused = parse(R"({"servers": {"a": {"url": "http://example.invalid/mcp"}}})");
  CHECK(message_has(refused, "servers.a.url"));
  CHECK(message_has(refused, "allow_http"));
  CHECK(parse(R"({"servers": {"a": {"url": "http://example.invalid/mcp", "allow_http": true}}})").ok());
  CHECK(parse(R"({"servers": {"a": {"url": "http://127.0.0.1:9/mcp"}}})").ok());
  CHECK(parse(R"({"servers": {"a": {"url": "http://[::1]:9/mcp"}}})").ok());
}

TEST_CASE("prefixes must be unique; one empty prefix is allowed", "[config]") {
  auto duplicate = parse(R"({"servers": {"a": {"url": "https://a/", "prefix": "x_"}, "b": {"url": "https://b/", "prefix": "x_"}}})");
  CHECK(message_has(duplicate, "servers.b.prefix"));
  CHECK(message_has(duplicate, "\"a\""));
  CHECK(parse(R"({"servers": {"a": {"url": "https://a/", "prefix": ""}}})").ok());
  CHECK(message_has(parse(R"({"servers": {"a": {"url": "https://a/", "prefix": ""}, "b": {"url": "https://b/", "prefix": ""}}})"),
                    "empty prefix"));
  // A disabled server does not claim its prefix.
  CHECK(parse(R"({"servers": {"a": {"url": "https://a/", "prefix": "x_"}, "b": {"url": "https://b/", "prefix": "x_", "enabled": false}}})").ok());
}

TEST_CASE("unknown fields are warnings, not errors", "[config]") {
  auto config = parse(R"({"servers": {"a": {"url": "https://a/", "prefx": "y_"}}, "extra": 1})");
  REQUIRE(config.ok());
  REQUIRE(config->warnings.size() == 2);
  CHECK(config->warnings[0].find("extra") != std::string::npos);
  CHECK(config->warnings[1].find("servers.a.prefx") != std::string::npos);
}

TEST_CASE("a token without auth means token auth; dotted names get a safe default prefix", "[config]") {
  auto config = parse(R"({"servers": {"my.server": {"url": "https://a/", "token": "${env:T}"}}})");
  REQUIRE(config.ok());
  CHECK(config->servers[0].auth == AuthMode::token);
  CHECK(config->servers[0].prefix == "my_server_");
}

TEST_CASE("missing file is not_found", "[config]") {
  auto missing = load_config("/nonexistent/dir/config.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == ErrorKind::not_found);
}

TEST_CASE("glob filters", "[config]") {
  CHECK(glob_match("user_*", "user_suspend"));
  CHECK_FALSE(glob_match("user_*", "users_list"));
  CHECK(glob_match("*", ""));
  CHECK(glob_match("d?vice_*e", "device_erase"));
  CHECK(glob_match("*a*b*c", "xxaxxbxxc"));
  CHECK_FALSE(glob_match("*a*b*c", "xxaxxbxx"));
  ToolFilter filter{{"user_*", "devices_list"}, {"user_resetmfa"}};
  CHECK(tool_allowed(filter, "user_get"));
  CHECK(tool_allowed(filter, "devices_list"));
  CHECK_FALSE(tool_allowed(filter, "device_erase"));
  CHECK_FALSE(tool_allowed(filter, "user_resetmfa"));
  CHECK(tool_allowed(ToolFilter{}, "anything"));
}

TEST_CASE("safety fields: confirm globs, confirm_destructive, read_only; audit_log at the top", "[config]") {
  auto config = parse(R"({"audit_log": true, "servers": {"jc": {"url": "https://a/",
      "confirm": ["device_*", "user_suspend"], "confirm_destructive": true, "read_only": false, "unannotated": "confirm"}}})");
  REQUIRE(config.ok());
  CHECK(config->audit_log);
  CHECK(config->warnings.empty());
  const auto& safety = config->servers[0].safety;
  CHECK(safety.confirm == std::vector<std::string>{"device_*", "user_suspend"});
  CHECK(safety.confirm_destructive);
  CHECK_FALSE(safety.read_only);
  CHECK(safety.unannotated == bridge::core::Unannotated::confirm);

  auto defaults = parse(R"({"servers": {"jc": {"url": "https://a/"}}})");
  REQUIRE(defaults.ok());
  CHECK_FALSE(defaults->audit_log);
  CHECK(defaults->servers[0].safety.confirm.empty());
  CHECK_FALSE(defaults->servers[0].safety.confirm_destructive);
  CHECK(defaults->servers[0].safety.unannotated == bridge::core::Unannotated::destructive);

  auto wrong = parse(R"({"servers": {"jc": {"url": "https://a/", "read_only": "yes"}}})");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message.find("servers.jc.read_only") != std::string::npos);
  auto wrong_list = parse(R"({"servers": {"jc": {"url": "https://a/", "confirm": "device_*"}}})");
  REQUIRE_FALSE(wrong_list.ok());
  CHECK(wrong_list.error().message.find("servers.jc.confirm") != std::string::npos);
}

TEST_CASE("servers keep the order of the file", "[config]") {
  auto config = parse(R"({"servers": {"zeta": {"url": "https://z/"}, "alpha": {"url": "https://a/"}, "mid": {"url": "https://m/"}}})");
  REQUIRE(config.ok());
  REQUIRE(config->servers.size() == 3);
  CHECK(config->servers[0].name == "zeta");
  CHECK(config->servers[1].name == "alpha");
  CHECK(config->servers[2].name == "mid");
}

TEST_CASE("enterprise grant: the client at the authorization server and the identity provider", "[config]") {
  auto config = parse(R"({"servers": {"corp": {"url": "https://mcp.example.com/mcp",
    "oauth": {"grant": "enterprise", "client_id": "bridge", "client_secret": "${env:S}",
              "idp": {"issuer": "https://acme.okta.com", "client_id": "0oa1", "client_secret": "${keychain:okta}"}}}}})");
  REQUIRE(config.ok());
  const auto& corp = config->servers[0];
  CHECK(corp.auth == AuthMode::oauth); // an "oauth" block without "auth" means OAuth
  CHECK(corp.oauth.grant == "enterprise");
  CHECK(corp.oauth.idp.issuer == "https://acme.okta.com");
  CHECK(corp.oauth.idp.client_id == "0oa1");
  CHECK(corp.oauth.idp.client_secret == "${keychain:okta}");
  CHECK(config->warnings.empty());

  auto with_token = parse(R"({"servers": {"corp": {"url": "https://mcp.example.com/mcp", "auth": "oauth",
    "oauth": {"grant": "enterprise", "client_id": "bridge",
              "idp": {"token_endpoint": "https://idp/token", "client_id": "c", "id_token": "${env:ID_TOKEN}"}}}}})");
  REQUIRE(with_token.ok());
  CHECK(with_token->servers[0].oauth.idp.id_token == "${env:ID_TOKEN}");

  const std::string head = R"({"servers": {"corp": {"url": "https://mcp.example.com/mcp", "auth": "oauth", "oauth": )";
  CHECK(message_has(parse(head + R"({"grant": "enterprise", "idp": {"issuer": "https://i", "client_id": "c"}}}}})"),
                    "servers.corp.oauth.client_id: missing for the enterprise grant"));
  CHECK(message_has(parse(head + R"({"grant": "enterprise", "client_id": "b"}}}})"),
                    "servers.corp.oauth.idp.client_id: missing"));
  CHECK(message_has(parse(head + R"({"grant": "enterprise", "client_id": "b", "idp": {"client_id": "c"}}}}})"),
                    "servers.corp.oauth.idp.issuer: missing"));
  CHECK(message_has(parse(head + R"({"grant": "enterprise", "client_id": "b", "idp": {"client_id": "c", "token_endpoint": "https://t"}}}}})"),
                    "without \"id_token\" the bridge signs in at the IdP"));
  CHECK(message_has(parse(head + R"({"idp": {"client_id": "c"}}}}})"), "servers.corp.oauth.idp: is only used with"));
  CHECK(message_has(parse(head + R"({"grant": "enterprise", "client_id": "b", "idp": {"client_id": "c", "issuer": 5}}}}})"),
                    "servers.corp.oauth.idp.issuer: must be a string"));
}
