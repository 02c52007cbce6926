#include "catch.hpp"

#include "core/remedy.hpp"

using namespace bridge::core;

namespace {

ServerConfig server(AuthMode auth, std::string token = {}) {
  ServerConfig s;
  s.name = "jc";
  s.auth = auth;
  s.token = std::move(token);
  return s;
}

Error auth_error(std::string message) { return make_error(ErrorKind::auth, std::move(message)); }

} // namespace

TEST_CASE("credentials_remedy names the fix for where the credential comes from", "[remedy]") {
  auto unset = auth_error("servers.jc.token: " + missing_env_text("JC_KEY") + " (…)");
  CHECK(credentials_remedy(server(AuthMode::token, "${env:JC_KEY}"), unset).rfind("set the environment variable JC_KEY", 0) == 0);
  // A header's variable counts too.
  auto with_header = server(AuthMode::none);
  with_header.headers["X-Key"] = "${env:JC_KEY}";
  CHECK(credentials_remedy(with_header, unset).rfind("set the environment variable JC_KEY", 0) == 0);

  auto refused = auth_error("the server refused the credentials");
  CHECK(credentials_remedy(server(AuthMode::token, "${env:JC_KEY}"), refused).find("environment variable JC_KEY") !=
        std::string::npos);
  CHECK(credentials_remedy(server(AuthMode::token, "${keychain:jc-key}"), refused) ==
        "store the right key: `bridge token set jc-key`");
  CHECK(credentials_remedy(server(AuthMode::token, "jca_literal"), refused).find("--replace") != std::string::npos);
  CHECK(credentials_remedy(server(AuthMode::none), refused).find("`bridge add jc --auth token --replace`") !=
        std::string::npos);
  CHECK(credentials_remedy(server(AuthMode::oauth), auth_error("not logged in")) == "run `bridge login jc`");
  CHECK(credentials_remedy(server(AuthMode::oauth), auth_error(no_oauth_text("jc") + " (…)")) == token_instead_remedy("jc"));
}
