#pragma once

// OAuth state per upstream, kept as one JSON bundle in the secret store (keychain, or the 0600
// file): tokens, their expiry and scope, the client registration, and the discovered metadata.
// Keyed by the server's name and a hash of its effective URL, so two child orgs (same URL,
// different organizationID) or two servers never share tokens, and a changed URL starts afresh.

#include "auth/discovery.hpp"
#include "core/config.hpp"
#include "core/result.hpp"
#include "platform/secret_store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bridge::auth {

struct ClientRegistration {
  std::string client_id;
  std::string client_secret;
  std::int64_t client_secret_expires_at = 0; // 0 = never
  std::string token_endpoint_auth_method;    // none, client_secret_post, client_secret_basic, private_key_jwt
  std::vector<std::string> redirect_uris;
  std::string source;                        // "config", "metadata_document", "dynamic"
  std::string issuer;                        // the authorization server it belongs to
};

struct TokenBundle {
  int version = 1;
  std::string url;      // the effective URL these tokens are for
  std::string resource; // RFC 8707 resource they were requested for
  std::string access_token;
  std::string token_type = "Bearer";
  std::string refresh_token;
  std::int64_t expires_at = 0; // unix seconds; 0 = unknown (treated as valid until a 401)
  std::string scope;           // granted (or requested, when the server does not say)
  std::string grant;           // authorization_code, client_credentials, device_code, enterprise
  std::int64_t obtained_at = 0;
  ClientRegistration client;
  AuthServerMetadata server;   // authorization-server metadata (or the default endpoints)
  nlohmann::json resource_metadata = nullptr; // protected-resource metadata, when there was one
  // Enterprise grant: what the sign-in at the identity provider gave (not when the config supplies
  // the ID token), so a new ID-JAG can be had without the browser while these last.
  std::string idp_id_token;
  std::string idp_refresh_token;

  [[nodiscard]] nlohmann::json to_json() const;
  static core::Result<TokenBundle> from_json(const std::string& text);

  [[nodiscard]] bool has_access_token() const { return !access_token.empty(); }
  // Expired, or expiring within `margin_s` seconds, at unix time `now`.
  [[nodiscard]] bool expires_within(std::int64_t now, std::int64_t margin_s) const {
    return expires_at != 0 && expires_at - margin_s <= now;
  }
  // A new access token may be had without the user: with the refresh token, or by asking again
  // (client_credentials; enterprise, which exchanges the ID token anew and falls back to a login
  // only when that fails).
  [[nodiscard]] bool renewable() const {
    return !refresh_token.empty() || grant == "client_credentials" || grant == "enterprise";
  }
  // Usable for requests without a new login: a live access token, or one that can be renewed.
  [[nodiscard]] bool usable(std::int64_t now) const {
    return (has_access_token() && (!expires_within(now, 0) || renewable())) || !refresh_token.empty();
  }
};

// expires_in from a token response → absolute expiry (0 when the server gave none).
std::int64_t expiry_from(std::int64_t now, const nlohmann::json& expires_in);
std::int64_t unix_now();

// "oauth:<name>@<12 hex of SHA-256(effective URL)>"
std::string token_key(const core::ServerConfig& server);
// A file-name-safe form of the key, for lock files.
std::string token_lock_name(const core::ServerConfig& server);

class TokenStore {
public:
  explicit TokenStore(std::unique_ptr<platform::SecretStore> store) : m_store(std::move(store)) {}
  static core::Result<TokenStore> open(platform::StorePreference preference);

  core::Result<std::optional<TokenBundle>> load(const std::string& key);
  core::Status save(const std::string& key, const TokenBundle& bundle);
  core::Status erase(const std::string& key);
  [[nodiscard]] std::string describe() const { return m_store->describe(); }

private:
  std::unique_ptr<platform::SecretStore> m_store;
};

} // namespace bridge::auth
