#pragma once

// The OAuth 2.1 client for one upstream, as MCP 2025-11-25 "Authorization" describes it:
// discovery (401 challenge → protected-resource metadata → authorization-server metadata, or the
// 2025-03-26 default endpoints), client identity (pre-registered, client ID metadata document,
// dynamic registration), the grants (authorization code + PKCE S256 through a loopback redirect
// and the browser; client_credentials with a secret or a private_key_jwt assertion; device
// code; enterprise: an ID token from the company's identity provider exchanged for an ID-JAG,
// presented as a JWT bearer grant), refresh and revocation. Every call blocks: it runs on the CLI
// thread of `bridge login` or on a worker thread of `bridge serve`, never on the event loop.
// One file per grant: oauth_browser.cpp, oauth_device.cpp, oauth_enterprise.cpp.

#include "auth/discovery.hpp"
#include "auth/http_client.hpp"
#include "auth/references.hpp"
#include "auth/token_store.hpp"
#include "auth/www_authenticate.hpp"
#include "core/config.hpp"
#include "core/result.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bridge::auth {

struct OAuthHooks {
  // A line for the user (stderr): the URL to open, the device code, progress.
  std::function<void(const std::string&)> say;
  // Opens the authorization URL (platform::open_browser by default).
  std::function<core::Status(const std::string&)> open_browser;
  // How long to wait for the browser (or the device code) before giving up.
  std::chrono::milliseconds login_timeout{std::chrono::minutes(5)};
  // True once the login should stop (the serving bridge is exiting); checked while waiting.
  std::function<bool()> cancelled = [] { return false; };
};

// BRIDGE_OAUTH_TIMEOUT_S overrides the 5-minute login timeout (tests).
OAuthHooks default_hooks();

class OAuthClient {
public:
  OAuthClient(core::ServerConfig server, std::shared_ptr<ReferenceResolver> resolver, OAuthHooks hooks);

  // An unauthenticated initialize POST to the server, for its 401 challenge (empty when the
  // server did not ask for authorization at all).
  BearerChallenge probe();

  // A new token with the configured grant. `previous` (the stored bundle) lends its client
  // registration; `challenge` is the server's 401/403 (probed when absent); `scope` forces the
  // scope (step-up), otherwise it is chosen per spec.
  core::Result<TokenBundle> login(const std::optional<TokenBundle>& previous, std::optional<BearerChallenge> challenge,
                                  std::optional<std::string> scope = std::nullopt);

  // refresh_token grant (RFC 6749 §6) with `resource`; keeps the old refresh token when the
  // server does not rotate it. Error{auth} when the refresh token is rejected (log in again).
  core::Result<TokenBundle> refresh(const TokenBundle& bundle);

  // RFC 7009 revocation of the refresh and access tokens, when the server offers it.
  // Ok when there is nothing to revoke or no endpoint; an Error says the server refused.
  core::Status revoke(const TokenBundle& bundle);

private:
  using Form = std::vector<std::pair<std::string, std::string>>;
  struct Discovery {
    std::optional<ProtectedResourceMetadata> resource_metadata;
    AuthServerMetadata server;
    std::string resource;
    // Neither protected-resource nor authorization-server metadata was found: the endpoints are
    // MCP 2025-03-26's defaults, a guess that a server without OAuth does not bear out.
    bool guessed = false;
  };

  core::Result<Discovery> discover(const BearerChallenge& challenge);
  // `issuer_known`: `issuer` is an issuer identifier (from protected-resource metadata or the
  // config), which the metadata must repeat (RFC 8414 §3.3). False for MCP 2025-03-26's derived
  // base URL (the server's origin), which is no issuer identifier: nothing to compare it with.
  core::Result<AuthServerMetadata> fetch_server_metadata(const std::string& issuer, bool issuer_known = true);
  core::Result<ClientRegistration> client_identity(const Discovery& discovery, const std::optional<TokenBundle>& previous,
                                                   const std::string& redirect_uri, const std::string& grant,
                                                   const std::optional<std::string>& scope);
  core::Result<ClientRegistration> register_client(const AuthServerMetadata& server, const std::string& redirect_uri,
                                                   const std::string& grant, const std::optional<std::string>& scope);
  core::Result<TokenBundle> authorization_code(Discovery& discovery, const std::optional<TokenBundle>& previous,
                                               const std::optional<std::string>& scope);

  // The browser part of an authorization-code login at `server`: binds the loopback redirect
  // listener (`port`, else any when that is taken and not the configured one), lets `identify`
  // choose the client for the redirect URI, opens the authorization URL (PKCE S256, state, plus
  // `extra_query`) and waits for the redirect.
  struct BrowserCode {
    ClientRegistration client;
    std::string code;
    std::string redirect_uri;
    std::string verifier;
  };
  using IdentifyClient = std::function<core::Result<ClientRegistration>(const std::string& redirect_uri)>;
  core::Result<BrowserCode> browser_code(const AuthServerMetadata& server, int port, const IdentifyClient& identify,
                                         const Form& extra_query);

  // Enterprise-Managed Authorization (oauth_enterprise.cpp). Without `interactive` it never opens
  // a browser: a refresh uses the configured or stored ID token, or the IdP's refresh token.
  struct IdpSignIn {
    std::string id_token;
    std::string refresh_token;
    bool from_config = false; // oauth.idp.id_token: never copied into the token store
    bool stored = false;      // kept from an earlier sign-in (or renewed with its refresh token)
  };
  core::Result<TokenBundle> enterprise(Discovery& discovery, const std::optional<TokenBundle>& previous,
                                       const std::optional<std::string>& scope, bool interactive);
  core::Result<AuthServerMetadata> identity_provider();
  ClientRegistration idp_client(const AuthServerMetadata& idp, const std::string& secret) const;
  core::Result<IdpSignIn> idp_sign_in(const AuthServerMetadata& idp, const ClientRegistration& client,
                                      const std::optional<TokenBundle>& previous, bool interactive);
  core::Result<IdpSignIn> idp_browser_sign_in(const AuthServerMetadata& idp, const ClientRegistration& client);
  core::Result<std::string> exchange_for_id_jag(const AuthServerMetadata& idp, const ClientRegistration& client,
                                                const std::string& id_token, const Discovery& discovery,
                                                const std::optional<std::string>& scope);
  core::Result<TokenBundle> client_credentials(Discovery& discovery, const std::optional<TokenBundle>& previous,
                                               const std::optional<std::string>& scope);
  core::Result<TokenBundle> device_code(Discovery& discovery, const std::optional<TokenBundle>& previous,
                                        const std::optional<std::string>& scope);
  // POSTs to the token endpoint with the client's authentication; the parsed JSON reply.
  // `reply_needs` names the member a successful reply must carry.
  core::Result<nlohmann::json> token_request(const AuthServerMetadata& server, const ClientRegistration& client, Form form,
                                             const char* reply_needs = "access_token");
  core::Status authenticate_client(const AuthServerMetadata& server, const ClientRegistration& client, Form& form,
                                   transport::HeaderList& headers);
  TokenBundle bundle_from(const nlohmann::json& reply, const Discovery& discovery, const ClientRegistration& client,
                          const std::string& grant, const std::optional<std::string>& requested_scope) const;
  core::Result<std::string> resolve(const std::string& value, const std::string& field);

  core::ServerConfig m_server;
  std::string m_url; // effective URL
  std::shared_ptr<ReferenceResolver> m_resolver;
  OAuthHooks m_hooks;
  HttpClient m_http;
  long m_registration_status = 0; // of the last registration attempt's reply (0: none came)
};

} // namespace bridge::auth
