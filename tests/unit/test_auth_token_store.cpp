#include "catch.hpp"

#include "auth/token_store.hpp"
#include "platform/secret_store.hpp"

#include <map>

using namespace bridge;
using namespace bridge::auth;

namespace {

class MemoryStore final : public platform::SecretStore {
public:
  core::Result<std::optional<std::string>> get(const std::string& key) override {
    auto it = values.find(key);
    return it == values.end() ? std::optional<std::string>() : std::optional<std::string>(it->second);
  }
  core::Status set(const std::string& key, const std::string& value) override {
    values[key] = value;
    return core::ok_status();
  }
  core::Status erase(const std::string& key) override {
    values.erase(key);
    return core::ok_status();
  }
  [[nodiscard]] std::string describe() const override { return "memory"; }
  [[nodiscard]] bool is_keychain() const override { return false; }
  std::map<std::string, std::string> values;
};

core::ServerConfig server(const std::string& name, const std::string& url, std::optional<std::string> org = std::nullopt) {
  core::ServerConfig config;
  config.name = name;
  config.url = url;
  config.organization_id = std::move(org);
  config.auth = core::AuthMode::oauth;
  return config;
}

} // namespace

TEST_CASE("token bundles round-trip through the store", "[auth][token-store]") {
  auto memory = std::make_unique<MemoryStore>();
  auto* raw = memory.get();
  TokenStore store(std::move(memory));
  TokenBundle bundle;
  bundle.url = "https://mcp.example.com/mcp";
  bundle.resource = "https://mcp.example.com/mcp";
  bundle.access_token = "at";
  bundle.refresh_token = "rt";
  bundle.expires_at = 1234;
  bundle.scope = "a b";
  bundle.grant = "authorization_code";
  bundle.client.client_id = "cid";
  bundle.client.client_secret = "sec";
  bundle.client.token_endpoint_auth_method = "client_secret_post";
  bundle.client.redirect_uris = {"http://127.0.0.1:5000/callback"};
  bundle.client.source = "dynamic";
  bundle.server.discovered = true;
  bundle.server.issuer = "https://as";
  bundle.server.token_endpoint = "https://as/token";
  bundle.server.revocation_endpoint = "https://as/revoke";
  bundle.server.raw = {{"revocation_endpoint", "https://as/revoke"}};
  bundle.resource_metadata = {{"resource", "https://mcp.example.com/mcp"}};
  bundle.idp_id_token = "idt";
  bundle.idp_refresh_token = "idrt";
  REQUIRE(store.save("k", bundle).ok());
  CHECK(raw->values.count("k") == 1);
  auto loaded = store.load("k");
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  const auto& again = **loaded;
  CHECK(again.access_token == "at");
  CHECK(again.refresh_token == "rt");
  CHECK(again.expires_at == 1234);
  CHECK(again.scope == "a b");
  CHECK(again.client.client_id == "cid");
  CHECK(again.client.client_secret == "sec");
  CHECK(again.client.token_endpoint_auth_method == "client_secret_post");
  CHECK(again.client.redirect_uris == std::vector<std::string>{"http://127.0.0.1:5000/callback"});
  CHECK(again.server.issuer == "https://as");
  CHECK(again.server.revocation_endpoint == "https://as/revoke");
  CHECK(again.server.discovered);
  CHECK(again.resource_metadata["resource"] == "https://mcp.example.com/mcp");
  CHECK(again.idp_id_token == "idt");
  CHECK(again.idp_refresh_token == "idrt");
  CHECK(again.to_json() == bundle.to_json());

  REQUIRE(store.erase("k").ok());
  auto gone = store.load("k");
  REQUIRE(gone.ok());
  CHECK_FALSE(gone->has_value());
  raw->values["bad"] = "{not json";
  CHECK_FALSE(store.load("bad").ok());
}

TEST_CASE("which bundles can be renewed without the user", "[auth][token-store]") {
  TokenBundle bundle;
  bundle.grant = "authorization_code";
  CHECK_FALSE(bundle.renewable());
  bundle.refresh_token = "rt";
  CHECK(bundle.renewable());
  bundle.refresh_token.clear();
  bundle.grant = "client_credentials";
  CHECK(bundle.renewable());
  bundle.grant = "enterprise"; // a new exchange; a login only when the IdP sign-in is gone
  CHECK(bundle.renewable());
  bundle.grant = "device_code";
  CHECK_FALSE(bundle.renewable());
}

TEST_CASE("token keys: per server name and effective URL", "[auth][token-store]") {
  auto a = token_key(server("jc_a", "https://mcp.jumpcloud.com/v1", "org1"));
  auto b = token_key(server("jc_a", "https://mcp.jumpcloud.com/v1", "org2"));
  auto c = token_key(server("jc_b", "https://mcp.jumpcloud.com/v1", "org1"));
  auto d = token_key(server("jc_a", "https://mcp.jumpcloud.com/v1", "org1"));
  CHECK(a != b); // same name and URL, another child org
  CHECK(a != c); // another server
  CHECK(a == d); // stable
  CHECK(a.rfind("oauth:jc_a@", 0) == 0);
  CHECK(a.size() == std::string("oauth:jc_a@").size() + 12);
  auto lock = token_lock_name(server("odd name/x", "https://x"));
  CHECK(lock.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == std::string::npos);
}

TEST_CASE("expiry math", "[auth][expiry]") {
  CHECK(expiry_from(1000, nlohmann::json(3600)) == 4600);
  CHECK(expiry_from(1000, nlohmann::json("60")) == 1060);
  CHECK(expiry_from(1000, nlohmann::json(59.9)) == 1059);
  CHECK(expiry_from(1000, nlohmann::json()) == 0);
  CHECK(expiry_from(1000, nlohmann::json(-5)) == 0);
  CHECK(expiry_from(1000, nlohmann::json("soon")) == 0);

  TokenBundle bundle;
  bundle.access_token = "at";
  bundle.expires_at = 2000;
  CHECK_FALSE(bundle.expires_within(1000, 60));
  CHECK(bundle.expires_within(1950, 60));
  CHECK(bundle.expires_within(2000, 0));
  CHECK(bundle.usable(1999));
  CHECK_FALSE(bundle.usable(2000));
  bundle.refresh_token = "rt";
  CHECK(bundle.usable(5000)); // expired, but refreshable
  bundle.refresh_token.clear();
  bundle.grant = "enterprise";
  CHECK(bundle.usable(5000)); // expired, but the ID token can be exchanged again
  bundle.access_token.clear();
  CHECK_FALSE(bundle.usable(5000)); // nothing left of the last sign-in
  bundle.expires_at = 0;      // unknown: valid until the server says otherwise
  CHECK_FALSE(bundle.expires_within(1'000'000, 60));
}
