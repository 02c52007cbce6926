// Enterprise-Managed Authorization (MCP extension io.modelcontextprotocol/enterprise-managed-
// authorization, SEP-990; "Cross App Access"). The company's identity provider decides who may use
// which MCP server:
//   1. the bridge holds an ID token from the IdP: configured (oauth.idp.id_token), kept from an
//      earlier sign-in while it is fresh, renewed with the IdP's refresh token, or obtained by an
//      OpenID Connect sign-in in the browser (authorization code + PKCE, scope openid, nonce);
//   2. RFC 8693 token exchange at the IdP: ID token → ID-JAG for the MCP authorization server
//      (audience = its issuer) and the MCP server (resource);
//   3. RFC 7523 JWT bearer grant at the MCP authorization server: ID-JAG → access token, the
//      bridge authenticating as the client the IdP named in the ID-JAG (oauth.client_id).
// There is no refresh token to speak of: a new access token is a new exchange (refresh()).

#include "auth/crypto.hpp"
#include "auth/oauth_client.hpp"
#include "auth/oauth_support.hpp"

#include <spdlog/spdlog.h>

namespace bridge::auth {

using namespace support;
using nlohmann::json;

namespace {

// An ID token counts as fresh while it has a minute left (the IdP checks it again anyway).
constexpr std::int64_t k_id_token_margin_s = 60;

bool id_token_fresh(const std::string& id_token) {
  auto claims = unverified_jwt_claims(id_token);
  auto exp = claims.find("exp");
  return exp != claims.end() && exp->is_number() && exp->get<double>() > static_cast<double>(unix_now() + k_id_token_margin_s);
}

} // namespace

core::Result<AuthServerMetadata> OAuthClient::identity_provider() {
  const auto& settings = m_server.oauth.idp;
  AuthServerMetadata idp;
  if (!settings.issuer.empty()) {
    auto fetched = fetch_server_metadata(settings.issuer);
    if (fetched) {
      idp = std::move(*fetched);
    } else if (settings.token_endpoint.empty() || fetched.error().kind == core::ErrorKind::auth) {
      return core::make_error(fetched.error().kind, "the identity provider: " + fetched.error().message);
    } else {
      idp.issuer = settings.issuer; // its token endpoint is configured; sign-in needs the metadata
    }
  }
  if (!settings.token_endpoint.empty()) {
    idp.token_endpoint = settings.token_endpoint;
  }
  if (idp.token_endpoint.empty()) {
    return core::make_error(core::ErrorKind::protocol, "the identity provider " + settings.issuer +
                                                           " names no token endpoint; set servers." + m_server.name +
                                                           ".oauth.idp.token_endpoint");
  }
  return idp;
}

ClientRegistration OAuthClient::idp_client(const AuthServerMetadata& idp, const std::string& secret) const {
  ClientRegistration client;
  client.client_id = m_server.oauth.idp.client_id;
  client.client_secret = secret;
  client.source = "config";
  client.issuer = idp.issuer;
  const auto& supported = idp.token_endpoint_auth_methods_supported;
  if (secret.empty()) {
    client.token_endpoint_auth_method = "none";
  } else if (!supported.empty() && !contains(supported, "client_secret_basic") && contains(supported, "client_secret_post")) {
    client.token_endpoint_auth_method = "client_secret_post";
  } else {
    client.token_endpoint_auth_method = "client_secret_basic";
  }
  return client;
}

core::Result<OAuthClient::IdpSignIn> OAuthClient::idp_browser_sign_in(const AuthServerMetadata& idp,
                                                                      const ClientRegistration& client) {
  if (idp.authorization_endpoint.empty()) {
    return core::make_error(core::ErrorKind::protocol,
                            "the identity provider " + idp.issuer +
                                " names no authorization endpoint, so the bridge cannot sign you in there; set servers." +
                                m_server.name + ".oauth.idp.issuer to its OpenID issuer, or give an ID token in oauth.idp.id_token");
  }
  // openid for the ID token; offline_access, where offered, for a refresh token that renews it
  // without the browser.
  std::string scope = "openid";
  if (idp.scopes_supported && contains(*idp.scopes_supported, "offline_access")) {
    scope += " offline_access";
  }
  std::string nonce = random_token();
  m_hooks.say("mcp-bridge: " + m_server.name + ": sign in at your identity provider (" + idp.issuer + ")");
  auto granted = browser_code(
      idp, m_server.oauth.redirect_port, [&](const std::string&) -> core::Result<ClientRegistration> { return client; },
      {{"scope", scope}, {"nonce", nonce}});
  if (!granted) {
    return granted.error();
  }
  Form form = {{"grant_type", "authorization_code"},
               {"code", granted->code},
               {"redirect_uri", granted->redirect_uri},
               {"code_verifier", granted->verifier}};
  auto reply = token_request(idp, client, std::move(form), "id_token");
  if (!reply) {
    return core::make_error(reply.error().kind, "the identity provider: " + reply.error().message);
  }
  IdpSignIn out;
  out.id_token = str(*reply, "id_token");
  out.refresh_token = str(*reply, "refresh_token");
  auto claims = unverified_jwt_claims(out.id_token);
  if (claims.value("nonce", std::string()) != nonce) {
    return core::make_error(core::ErrorKind::auth, "the identity provider's ID token does not carry the nonce of this sign-in; "
                                                   "refusing it (a replayed or mixed-up answer)");
  }
  return out;
}

core::Result<OAuthClient::IdpSignIn> OAuthClient::idp_sign_in(const AuthServerMetadata& idp, const ClientRegistration& client,
                                                              const std::optional<TokenBundle>& previous, bool interactive) {
  const auto& settings = m_server.oauth.idp;
  if (!settings.id_token.empty()) {
    auto id_token = resolve(settings.id_token, "oauth.idp.id_token");
    if (!id_token) {
      return id_token.error();
    }
    return IdpSignIn{*id_token, "", true, false};
  }
  if (previous && !previous->idp_id_token.empty() && id_token_fresh(previous->idp_id_token)) {
    return IdpSignIn{previous->idp_id_token, previous->idp_refresh_token, false, true};
  }
  if (previous && !previous->idp_refresh_token.empty()) {
    Form form = {{"grant_type", "refresh_token"}, {"refresh_token", previous->idp_refresh_token}, {"scope", "openid"}};
    auto reply = token_request(idp, client, std::move(form), "id_token");
    if (reply) {
      IdpSignIn out{str(*reply, "id_token"), str(*reply, "refresh_token"), false, true};
      if (out.refresh_token.empty()) {
        out.refresh_token = previous->idp_refresh_token; // not rotated
      }
      return out;
    }
    spdlog::info("{}: renewing the identity provider's ID token failed: {}", m_server.name, reply.error().message);
  }
  if (!interactive) {
    return core::make_error(core::ErrorKind::auth, "the sign-in at the identity provider has expired; run `bridge login " +
                                                       m_server.name + "`");
  }
  return idp_browser_sign_in(idp, client);
}

core::Result<std::string> OAuthClient::exchange_for_id_jag(const AuthServerMetadata& idp, const ClientRegistration& client,
                                                           const std::string& id_token, const Discovery& discovery,
                                                           const std::optional<std::string>& scope) {
  Form form = {{"grant_type", k_token_exchange_grant},
               {"requested_token_type", k_id_jag_type},
               {"audience", discovery.server.issuer},
               {"resource", discovery.resource},
               {"subject_token", id_token},
               {"subject_token_type", k_id_token_type}};
  if (scope) {
    form.emplace_back("scope", *scope);
  }
  auto reply = token_request(idp, client, std::move(form));
  if (!reply) {
    return core::make_error(reply.error().kind, "the identity provider did not grant access to " + m_server.name + ": " +
                                                    reply.error().message);
  }
  auto issued = str(*reply, "issued_token_type");
  if (!issued.empty() && issued != k_id_jag_type) {
    return core::make_error(core::ErrorKind::protocol, "the identity provider issued a " + issued + ", not an ID-JAG");
  }
  return str(*reply, "access_token"); // RFC 8693 names the issued token access_token, whatever it is
}

core::Result<TokenBundle> OAuthClient::enterprise(Discovery& discovery, const std::optional<TokenBundle>& previous,
                                                  const std::optional<std::string>& scope, bool interactive) {
  auto client = client_identity(discovery, previous, "", "enterprise", scope);
  if (!client) {
    return client.error();
  }
  auto idp = identity_provider();
  if (!idp) {
    return idp.error();
  }
  std::string secret;
  if (!m_server.oauth.idp.client_secret.empty()) {
    auto resolved = resolve(m_server.oauth.idp.client_secret, "oauth.idp.client_secret");
    if (!resolved) {
      return resolved.error();
    }
    secret = *resolved;
  }
  auto idp_identity = idp_client(*idp, secret);
  auto sign_in = idp_sign_in(*idp, idp_identity, previous, interactive);
  if (!sign_in) {
    return sign_in.error();
  }
  auto jag = exchange_for_id_jag(*idp, idp_identity, sign_in->id_token, discovery, scope);
  if (!jag && jag.error().kind == core::ErrorKind::auth && interactive && sign_in->stored) {
    // The IdP refused the ID token it issued earlier (revoked, or expired early): sign in again.
    spdlog::info("{}: {}; signing in at the identity provider again", m_server.name, jag.error().message);
    auto again = idp_browser_sign_in(*idp, idp_identity);
    if (!again) {
      return again.error();
    }
    sign_in = std::move(again);
    jag = exchange_for_id_jag(*idp, idp_identity, sign_in->id_token, discovery, scope);
  }
  if (!jag) {
    return jag.error();
  }
  Form form = {{"grant_type", k_jwt_bearer_grant}, {"assertion", *jag}, {"resource", discovery.resource}};
  if (scope) {
    form.emplace_back("scope", *scope);
  }
  auto reply = token_request(discovery.server, *client, std::move(form));
  if (!reply) {
    return reply.error();
  }
  auto bundle = bundle_from(*reply, discovery, *client, "enterprise", scope);
  if (!sign_in->from_config) {
    bundle.idp_id_token = sign_in->id_token;
    bundle.idp_refresh_token = sign_in->refresh_token;
  }
  return bundle;
}

} // namespace bridge::auth
