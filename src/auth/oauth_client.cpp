#include "auth/oauth_client.hpp"

#include "auth/crypto.hpp"
#include "auth/oauth_support.hpp"
#include "core/protocol.hpp"
#include "core/remedy.hpp"
#include "core/url.hpp"
#include "platform/loopback_listener.hpp"
#include "platform/platform.hpp"
#include "version.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <thread>

namespace bridge::auth {

using namespace support;
using nlohmann::json;

OAuthHooks default_hooks() {
  OAuthHooks hooks;
  hooks.say = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  hooks.open_browser = [](const std::string& url) { return platform::open_browser(url); };
  if (auto seconds = platform::env("BRIDGE_OAUTH_TIMEOUT_S")) {
    try {
      hooks.login_timeout = std::chrono::seconds(std::max(1, std::stoi(*seconds)));
    } catch (...) {
      // keep the default
    }
  }
  return hooks;
}

OAuthClient::OAuthClient(core::ServerConfig server, std::shared_ptr<ReferenceResolver> resolver, OAuthHooks hooks)
    : m_server(std::move(server)), m_url(core::effective_url(m_server)), m_resolver(std::move(resolver)),
      m_hooks(std::move(hooks)), m_http(HttpOptions{m_server.ca_file, m_server.allow_http, std::chrono::seconds(30)}) {}

core::Result<std::string> OAuthClient::resolve(const std::string& value, const std::string& field) {
  return m_resolver->resolve(value, "servers." + m_server.name + "." + field);
}

BearerChallenge OAuthClient::probe() {
  transport::HttpRequest request;
  request.method = "POST";
  request.url = m_url;
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}};
  for (const auto& [name, value] : m_server.headers) {
    if (auto resolved = resolve(value, "headers." + name)) {
      request.headers.emplace_back(name, *resolved);
    }
  }
  json params = {{"protocolVersion", std::string(core::k_protocol_versions.front())},
                 {"capabilities", json::object()},
                 {"clientInfo", {{"name", k_name}, {"version", k_version}}}};
  request.body = json{{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"}, {"params", params}}.dump();
  HttpClient quick(HttpOptions{m_server.ca_file, m_server.allow_http, std::chrono::seconds(10)});
  auto reply = quick.send(std::move(request));
  if (!reply || (reply->status != 401 && reply->status != 403)) {
    return {};
  }
  return bearer_challenge(reply->header("www-authenticate"));
}

core::Result<AuthServerMetadata> OAuthClient::fetch_server_metadata(const std::string& issuer, bool issuer_known) {
  std::string tried;
  for (const auto& url : authorization_server_metadata_urls(issuer)) {
    auto reply = m_http.get(url);
    spdlog::debug("{}: authorization-server metadata {} → {}", m_server.name, url,
                  reply ? "HTTP " + std::to_string(reply->status) : reply.error().message);
    if (reply && reply->status == 200) {
      auto metadata = parse_authorization_server_metadata(reply->body);
      if (metadata) {
        // Metadata for another issuer is an error, not a reason to try the next URL: every
        // candidate is this issuer's, so a wrong one is a misconfiguration or an attack.
        if (auto checked = check_issuer(*metadata, issuer, url); issuer_known && !checked) {
          return checked.error();
        }
        return metadata;
      }
    }
    tried += (tried.empty() ? "" : ", ") + url;
  }
  return core::make_error(core::ErrorKind::not_found, "no authorization-server metadata for " + issuer + " (tried " + tried + ")");
}

core::Result<OAuthClient::Discovery> OAuthClient::discover(const BearerChallenge& challenge) {
  Discovery discovery;
  auto resource = canonical_resource(m_url);
  if (!resource) {
    return resource.error();
  }
  discovery.resource = *resource;
  std::optional<core::Error> unreachable; // set while no request got any HTTP answer at all
  bool answered = false;
  for (const auto& url : protected_resource_metadata_urls(m_url, challenge.resource_metadata)) {
    auto reply = m_http.get(url);
    spdlog::debug("{}: protected-resource metadata {} → {}", m_server.name, url,
                  reply ? "HTTP " + std::to_string(reply->status) : reply.error().message);
    if (!reply) {
      unreachable = reply.error();
      continue;
    }
    answered = true;
    if (reply->status != 200) {
      continue;
    }
    auto metadata = parse_protected_resource_metadata(reply->body, url);
    if (metadata && !metadata->authorization_servers.empty()) {
      discovery.resource_metadata = std::move(*metadata);
      break;
    }
  }
  if (discovery.resource_metadata) {
    const auto& prm = *discovery.resource_metadata;
    if (!prm.resource.empty()) {
      if (!resource_matches(prm.resource, m_url)) {
        return core::make_error(core::ErrorKind::auth,
                                "the server's protected-resource metadata (" + prm.url + ") is for \"" + prm.resource +
                                    "\", not for " + m_url + "; refusing to authorize a token for another resource");
      }
      discovery.resource = prm.resource;
    }
    auto server = fetch_server_metadata(prm.authorization_servers.front());
    if (!server) {
      return server.error();
    }
    discovery.server = std::move(*server);
    return discovery;
  }
  // MCP 2025-03-26: no protected-resource metadata; the authorization server is the MCP server's
  // origin, with metadata at its root or, failing that, the default endpoints.
  auto url = core::parse_url(m_url);
  if (!url) {
    return url.error();
  }
  // The origin is derived, not an issuer identifier: the metadata's own issuer stands.
  auto server = fetch_server_metadata(core::origin_of(*url), /*issuer_known=*/false);
  if (!server && !answered && unreachable) {
    // Nothing answered at all: say so, rather than guess endpoints on a server we cannot reach.
    return core::make_error(core::ErrorKind::network, unreachable->message);
  }
  discovery.server = server ? std::move(*server) : default_endpoints(m_url);
  discovery.guessed = !server;
  return discovery;
}

core::Result<ClientRegistration> OAuthClient::register_client(const AuthServerMetadata& server,
                                                              const std::string& redirect_uri, const std::string& grant,
                                                              const std::optional<std::string>& scope) {
  json request = {{"client_name", "mcp-bridge (" + m_server.name + ")"},
                  {"client_uri", "https://github.com/modelcontextprotocol"},
                  {"software_id", "mcp-bridge"},
                  {"software_version", k_version}};
  if (grant == "client_credentials") {
    request["grant_types"] = {"client_credentials"};
    request["token_endpoint_auth_method"] = "client_secret_basic";
    request["redirect_uris"] = json::array(); // no redirects; some servers insist on the field
  } else if (grant == "device_code") {
    request["grant_types"] = {k_device_grant, "refresh_token"};
    request["token_endpoint_auth_method"] = "none";
    request["redirect_uris"] = json::array();
  } else {
    request["redirect_uris"] = {redirect_uri};
    request["grant_types"] = {"authorization_code", "refresh_token"};
    request["response_types"] = {"code"};
    request["token_endpoint_auth_method"] = "none";
  }
  if (scope) {
    request["scope"] = *scope;
  }
  spdlog::debug("{}: registering at {}", m_server.name, server.registration_endpoint);
  m_registration_status = 0;
  auto reply = m_http.post_json(server.registration_endpoint, request.dump());
  if (!reply) {
    return reply.error();
  }
  m_registration_status = reply->status;
  if (reply->status != 200 && reply->status != 201) {
    return core::make_error(core::ErrorKind::auth, "dynamic client registration at " + server.registration_endpoint +
                                                       " failed: " + describe_failure(*reply));
  }
  json value = json::parse(reply->body, nullptr, false);
  if (!value.is_object() || str(value, "client_id").empty()) {
    return core::make_error(core::ErrorKind::protocol, "dynamic client registration returned no client_id");
  }
  ClientRegistration client;
  client.client_id = str(value, "client_id");
  client.client_secret = str(value, "client_secret");
  if (auto expires = value.find("client_secret_expires_at"); expires != value.end() && expires->is_number_integer()) {
    client.client_secret_expires_at = expires->get<std::int64_t>();
  }
  client.token_endpoint_auth_method = str(value, "token_endpoint_auth_method");
  if (client.token_endpoint_auth_method.empty() && client.client_secret.empty()) {
    client.token_endpoint_auth_method = "none";
  }
  if (auto uris = value.find("redirect_uris"); uris != value.end() && uris->is_array()) {
    for (const auto& uri : *uris) {
      if (uri.is_string()) {
        client.redirect_uris.push_back(uri.get<std::string>());
      }
    }
  }
  if (client.redirect_uris.empty() && !redirect_uri.empty()) {
    client.redirect_uris.push_back(redirect_uri);
  }
  client.source = "dynamic";
  client.issuer = server.issuer;
  return client;
}

core::Result<ClientRegistration> OAuthClient::client_identity(const Discovery& discovery,
                                                              const std::optional<TokenBundle>& previous,
                                                              const std::string& redirect_uri, const std::string& grant,
                                                              const std::optional<std::string>& scope) {
  const auto& settings = m_server.oauth;
  if (!settings.client_id.empty()) {
    ClientRegistration client;
    client.client_id = settings.client_id;
    if (!settings.client_secret.empty()) {
      auto secret = resolve(settings.client_secret, "oauth.client_secret");
      if (!secret) {
        return secret.error();
      }
      client.client_secret = *secret;
    }
    if (!settings.private_key_pem.empty()) {
      client.token_endpoint_auth_method = "private_key_jwt";
    }
    client.source = "config";
    client.issuer = discovery.server.issuer;
    return client;
  }
  if (!settings.client_metadata_url.empty() && discovery.server.client_id_metadata_document_supported) {
    ClientRegistration client;
    client.client_id = settings.client_metadata_url;
    client.token_endpoint_auth_method = "none";
    client.source = "metadata_document";
    client.issuer = discovery.server.issuer;
    return client;
  }
  if (previous && previous->client.source == "dynamic" && previous->client.issuer == discovery.server.issuer &&
      (redirect_uri.empty() || contains(previous->client.redirect_uris, redirect_uri)) &&
      (previous->client.client_secret_expires_at == 0 || previous->client.client_secret_expires_at > unix_now() + 60) &&
      previous->grant == grant) {
    return previous->client;
  }
  if (discovery.server.registration_endpoint.empty()) {
    return core::make_error(core::ErrorKind::auth,
                            "the authorization server " + discovery.server.issuer +
                                " offers no dynamic client registration: set servers." + m_server.name +
                                ".oauth.client_id (and client_secret) from a client registered there" +
                                (discovery.server.client_id_metadata_document_supported
                                     ? ", or oauth.client_metadata_url (it accepts client ID metadata documents)"
                                     : ""));
  }
  auto registered = register_client(discovery.server, redirect_uri, grant, scope);
  // Refused or absent (401, 403, 404, 405), not merely failing now (400, 429, 5xx, a timeout).
  bool no_registration_there = m_registration_status == 401 || m_registration_status == 403 ||
                               m_registration_status == 404 || m_registration_status == 405;
  if (!registered && discovery.guessed && no_registration_there) {
    // No metadata anywhere and no registration at the default endpoint: this server has no OAuth
    // sign-in, and another `bridge login` would fail the same way.
    return core::make_error(core::ErrorKind::auth,
                            core::no_oauth_text(m_server.name) + " (it publishes no protected-resource or " +
                                "authorization-server metadata, and " + registered.error().message + ") — " +
                                core::token_instead_remedy(m_server.name));
  }
  return registered;
}

core::Status OAuthClient::authenticate_client(const AuthServerMetadata& server, const ClientRegistration& client,
                                              Form& form, transport::HeaderList& headers) {
  std::string method = client.token_endpoint_auth_method;
  if (method.empty()) {
    const auto& supported = server.token_endpoint_auth_methods_supported;
    if (!m_server.oauth.private_key_pem.empty()) {
      method = "private_key_jwt";
    } else if (client.client_secret.empty()) {
      method = "none";
    } else if (supported.empty() || contains(supported, "client_secret_basic")) {
      method = "client_secret_basic";
    } else if (contains(supported, "client_secret_post")) {
      method = "client_secret_post";
    } else {
      method = "client_secret_basic";
    }
  }
  if (method == "client_secret_basic" && !client.client_secret.empty()) {
    headers.emplace_back("Authorization", "Basic " + base64(core::percent_encode(client.client_id) + ":" +
                                                            core::percent_encode(client.client_secret)));
    return core::ok_status();
  }
  if (method == "client_secret_post" && !client.client_secret.empty()) {
    form.emplace_back("client_id", client.client_id);
    form.emplace_back("client_secret", client.client_secret);
    return core::ok_status();
  }
  if (method == "private_key_jwt") {
    if (m_server.oauth.private_key_pem.empty()) {
      return core::make_error(core::ErrorKind::auth, "servers." + m_server.name +
                                                         ".oauth.private_key_pem is needed for private_key_jwt");
    }
    auto pem = resolve(m_server.oauth.private_key_pem, "oauth.private_key_pem");
    if (!pem) {
      return pem.error();
    }
    auto now = unix_now();
    std::string audience = !server.issuer.empty() ? server.issuer : server.token_endpoint;
    json claims = {{"iss", client.client_id}, {"sub", client.client_id}, {"aud", audience},
                   {"iat", now},              {"exp", now + 300},        {"jti", random_token()}};
    auto assertion = sign_jwt(claims, *pem, m_server.oauth.signing_algorithm);
    if (!assertion) {
      return assertion.error();
    }
    form.emplace_back("client_id", client.client_id);
    form.emplace_back("client_assertion_type", k_jwt_assertion_type);
    form.emplace_back("client_assertion", *assertion);
    return core::ok_status();
  }
  form.emplace_back("client_id", client.client_id); // none: a public client names itself
  return core::ok_status();
}

core::Result<json> OAuthClient::token_request(const AuthServerMetadata& server, const ClientRegistration& client,
                                              Form form, const char* reply_needs) {
  transport::HeaderList headers;
  if (auto status = authenticate_client(server, client, form, headers); !status) {
    return status.error();
  }
  spdlog::debug("{}: token request ({}) to {}", m_server.name, find_param(form, "grant_type").value_or("?"),
                server.token_endpoint);
  auto reply = m_http.post_form(server.token_endpoint, form, headers);
  if (!reply) {
    return reply.error();
  }
  if (reply->status != 200) {
    auto error = oauth_error_of(*reply);
    auto kind = error.code == "invalid_grant" || error.code == "invalid_client" || error.code == "unauthorized_client" ||
                        error.code == "access_denied" || reply->status == 401
                    ? core::ErrorKind::auth
                    : core::ErrorKind::protocol;
    return core::make_error(kind, "the token endpoint " + server.token_endpoint + " refused: " + describe_failure(*reply));
  }
  json value = json::parse(reply->body, nullptr, false);
  if (!value.is_object() || str(value, reply_needs).empty()) {
    return core::make_error(core::ErrorKind::protocol, "the token endpoint's reply has no " + std::string(reply_needs));
  }
  return value;
}

TokenBundle OAuthClient::bundle_from(const json& reply, const Discovery& discovery, const ClientRegistration& client,
                                     const std::string& grant, const std::optional<std::string>& requested_scope) const {
  TokenBundle bundle;
  auto now = unix_now();
  bundle.url = m_url;
  bundle.resource = discovery.resource;
  bundle.access_token = str(reply, "access_token");
  bundle.token_type = str(reply, "token_type").empty() ? "Bearer" : str(reply, "token_type");
  bundle.refresh_token = str(reply, "refresh_token");
  bundle.expires_at = expiry_from(now, reply.value("expires_in", json()));
  bundle.scope = !str(reply, "scope").empty() ? str(reply, "scope") : requested_scope.value_or("");
  bundle.grant = grant;
  bundle.obtained_at = now;
  bundle.client = client;
  if (bundle.client.source == "config") {
    bundle.client.client_secret.clear(); // re-read from the config each time: it stays the one source
  }
  bundle.server = discovery.server;
  if (discovery.resource_metadata) {
    bundle.resource_metadata = discovery.resource_metadata->raw;
  }
  return bundle;
}

core::Result<TokenBundle> OAuthClient::login(const std::optional<TokenBundle>& previous,
                                             std::optional<BearerChallenge> challenge, std::optional<std::string> scope) {
  if (!challenge) {
    challenge = probe();
    spdlog::debug("{}: challenge: {}", m_server.name,
                  challenge->present ? "resource_metadata=\"" + challenge->resource_metadata + "\" scope=\"" +
                                           challenge->scope + "\""
                                     : std::string("none"));
  }
  auto discovery = discover(*challenge);
  if (!discovery) {
    return discovery.error();
  }
  if (!scope) {
    scope = choose_scope(m_server.oauth.scopes, challenge->scope,
                         discovery->resource_metadata ? discovery->resource_metadata->scopes_supported : std::nullopt);
  }
  const std::string& grant = m_server.oauth.grant;
  if (grant == "client_credentials") {
    return client_credentials(*discovery, previous, scope);
  }
  if (grant == "device_code") {
    return device_code(*discovery, previous, scope);
  }
  if (grant == "enterprise") {
    return enterprise(*discovery, previous, scope, true);
  }
  return authorization_code(*discovery, previous, scope);
}

core::Result<TokenBundle> OAuthClient::client_credentials(Discovery& discovery, const std::optional<TokenBundle>& previous,
                                                          const std::optional<std::string>& scope) {
  auto client = client_identity(discovery, previous, "", "client_credentials", scope);
  if (!client) {
    return client.error();
  }
  Form form = {{"grant_type", "client_credentials"}, {"resource", discovery.resource}};
  if (scope) {
    form.emplace_back("scope", *scope);
  }
  auto reply = token_request(discovery.server, *client, std::move(form));
  if (!reply) {
    return reply.error();
  }
  return bundle_from(*reply, discovery, *client, "client_credentials", scope);
}

core::Result<TokenBundle> OAuthClient::refresh(const TokenBundle& bundle) {
  if (bundle.refresh_token.empty()) {
    std::optional<std::string> scope = bundle.scope.empty() ? std::nullopt : std::optional<std::string>(bundle.scope);
    if (bundle.grant == "client_credentials") {
      // Nothing to refresh with: a client_credentials client simply asks again.
      std::optional<TokenBundle> previous = bundle;
      return login(previous, BearerChallenge{}, scope);
    }
    if (bundle.grant == "enterprise") {
      // A new ID-JAG for the same resource, without the browser (an expired IdP sign-in is an
      // Error{auth}: the caller then logs in anew).
      Discovery discovery;
      discovery.server = bundle.server;
      discovery.resource = bundle.resource;
      auto fresh = enterprise(discovery, bundle, scope, false);
      if (fresh) {
        fresh->resource_metadata = bundle.resource_metadata;
      }
      return fresh;
    }
    return core::make_error(core::ErrorKind::auth, "no refresh token is stored; log in again");
  }
  ClientRegistration client = bundle.client;
  if (client.source == "config") {
    Discovery none;
    none.server = bundle.server;
    auto identity = client_identity(none, std::nullopt, "", bundle.grant, std::nullopt);
    if (!identity) {
      return identity.error();
    }
    client = *identity;
  }
  Form form = {{"grant_type", "refresh_token"}, {"refresh_token", bundle.refresh_token}};
  if (!bundle.resource.empty()) {
    form.emplace_back("resource", bundle.resource);
  }
  auto reply = token_request(bundle.server, client, std::move(form));
  if (!reply) {
    return reply.error();
  }
  Discovery discovery;
  discovery.server = bundle.server;
  discovery.resource = bundle.resource;
  TokenBundle fresh = bundle_from(*reply, discovery, client, bundle.grant, bundle.scope);
  fresh.resource_metadata = bundle.resource_metadata;
  if (fresh.refresh_token.empty()) {
    fresh.refresh_token = bundle.refresh_token; // not rotated
  }
  return fresh;
}

core::Status OAuthClient::revoke(const TokenBundle& bundle) {
  const auto& endpoint = bundle.server.revocation_endpoint;
  if (endpoint.empty()) {
    return core::ok_status();
  }
  ClientRegistration client = bundle.client;
  if (client.source == "config") {
    Discovery none;
    none.server = bundle.server;
    if (auto identity = client_identity(none, std::nullopt, "", bundle.grant, std::nullopt)) {
      client = *identity;
    }
  }
  std::optional<core::Error> failure;
  const std::pair<std::string, const char*> tokens[] = {{bundle.refresh_token, "refresh_token"},
                                                        {bundle.access_token, "access_token"}};
  for (const auto& [token, hint] : tokens) {
    if (token.empty()) {
      continue;
    }
    Form form = {{"token", token}, {"token_type_hint", hint}};
    transport::HeaderList headers;
    if (auto status = authenticate_client(bundle.server, client, form, headers); !status) {
      return status.error();
    }
    auto reply = m_http.post_form(endpoint, form, headers);
    if (!reply) {
      failure = reply.error();
    } else if (reply->status != 200) {
      failure = core::make_error(core::ErrorKind::auth, "the revocation endpoint refused: " + describe_failure(*reply));
    }
  }
  if (failure) {
    return *failure;
  }
  return core::ok_status();
}

} // namespace bridge::auth
