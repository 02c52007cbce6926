#include "auth/oauth_client.hpp"

#include "auth/crypto.hpp"
#include "core/protocol.hpp"
#include "core/url.hpp"
#include "platform/loopback_listener.hpp"
#include "platform/platform.hpp"
#include "version.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <thread>

namespace bridge::auth {
namespace {

using nlohmann::json;
using Form = std::vector<std::pair<std::string, std::string>>;

constexpr const char* k_device_grant = "urn:ietf:params:oauth:grant-type:device_code";
constexpr const char* k_jwt_assertion_type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string str(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// {"error": "...", "error_description": "..."} from an OAuth error reply.
struct OAuthError {
  std::string code;
  std::string description;
};

OAuthError oauth_error_of(const HttpReply& reply) {
  json value = json::parse(reply.body, nullptr, false);
  OAuthError out;
  if (value.is_object()) {
    out.code = str(value, "error");
    out.description = str(value, "error_description");
  }
  return out;
}

std::string describe_failure(const HttpReply& reply) {
  auto error = oauth_error_of(reply);
  std::string text = "HTTP " + std::to_string(reply.status);
  if (!error.code.empty()) {
    text += " " + error.code;
  }
  if (!error.description.empty()) {
    text += ": " + error.description;
  }
  return text;
}

std::string html_page(const std::string& title, const std::string& message) {
  return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + title +
         "</title></head><body style=\"font-family:sans-serif;max-width:36em;margin:4em auto\"><h1>" + title +
         "</h1><p>" + message + "</p></body></html>";
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::optional<std::string> find_param(const Form& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) {
      return value;
    }
  }
  return std::nullopt;
}

bool url_allowed_for_browser(const std::string& url) {
  auto parsed = core::parse_url(url);
  return parsed && (parsed->scheme == "https" || (parsed->scheme == "http" && core::is_loopback_host(parsed->host)));
}

} // namespace

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

core::Result<AuthServerMetadata> OAuthClient::fetch_server_metadata(const std::string& issuer) {
  std::string tried;
  for (const auto& url : authorization_server_metadata_urls(issuer)) {
    auto reply = m_http.get(url);
    spdlog::debug("{}: authorization-server metadata {} → {}", m_server.name, url,
                  reply ? "HTTP " + std::to_string(reply->status) : reply.error().message);
    if (reply && reply->status == 200) {
      auto metadata = parse_authorization_server_metadata(reply->body);
      if (metadata) {
        if (metadata->issuer.empty()) {
          metadata->issuer = issuer;
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
  auto server = fetch_server_metadata(core::origin_of(*url));
  if (!server && !answered && unreachable) {
    // Nothing answered at all: say so, rather than guess endpoints on a server we cannot reach.
    return core::make_error(core::ErrorKind::network, unreachable->message);
  }
  discovery.server = server ? std::move(*server) : default_endpoints(m_url);
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
  auto reply = m_http.post_json(server.registration_endpoint, request.dump());
  if (!reply) {
    return reply.error();
  }
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
  return register_client(discovery.server, redirect_uri, grant, scope);
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
                                              Form form) {
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
  if (!value.is_object() || str(value, "access_token").empty()) {
    return core::make_error(core::ErrorKind::protocol, "the token endpoint's reply has no access_token");
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
  return authorization_code(*discovery, previous, scope);
}

core::Result<TokenBundle> OAuthClient::authorization_code(Discovery& discovery, const std::optional<TokenBundle>& previous,
                                                          const std::optional<std::string>& scope) {
  const auto& server = discovery.server;
  if (server.discovered && !contains(server.code_challenge_methods_supported, "S256")) {
    return core::make_error(core::ErrorKind::auth,
                            "the authorization server " + server.issuer +
                                " does not offer PKCE with S256 (code_challenge_methods_supported); refusing to log in without it");
  }
  if (server.authorization_endpoint.empty() || server.token_endpoint.empty()) {
    return core::make_error(core::ErrorKind::protocol, "the authorization server metadata lacks an authorization or token endpoint");
  }
  // The redirect listener: the configured port, else the port of a registration we can reuse.
  int port = m_server.oauth.redirect_port;
  if (port == 0 && previous && previous->client.source == "dynamic") {
    for (const auto& uri : previous->client.redirect_uris) {
      auto parsed = core::parse_url(uri);
      if (parsed && parsed->host == "127.0.0.1" && !parsed->port.empty()) {
        port = std::atoi(parsed->port.c_str());
        break;
      }
    }
  }
  auto listener = platform::LoopbackListener::bind(port);
  if (!listener && port != m_server.oauth.redirect_port) {
    listener = platform::LoopbackListener::bind(0);
  }
  if (!listener) {
    return listener.error();
  }
  std::string redirect_uri = "http://127.0.0.1:" + std::to_string((*listener)->port()) + "/callback";
  auto client = client_identity(discovery, previous, redirect_uri, "authorization_code", scope);
  if (!client) {
    return client.error();
  }
  auto pkce = make_pkce();
  std::string state = random_token();
  Form query = {{"response_type", "code"},
                {"client_id", client->client_id},
                {"redirect_uri", redirect_uri},
                {"code_challenge", pkce.challenge},
                {"code_challenge_method", "S256"},
                {"state", state},
                {"resource", discovery.resource}};
  if (scope) {
    query.emplace_back("scope", *scope);
  }
  std::string url = server.authorization_endpoint +
                    (server.authorization_endpoint.find('?') == std::string::npos ? "?" : "&") + form_encode(query);
  if (!url_allowed_for_browser(url)) {
    return core::make_error(core::ErrorKind::auth, "the authorization endpoint " + server.authorization_endpoint +
                                                       " is neither https nor loopback http; refusing to open it");
  }
  m_hooks.say("mcp-bridge: " + m_server.name + ": log in in your browser. If no browser opens, open this URL:\n  " + url);
  if (auto opened = m_hooks.open_browser(url); !opened) {
    m_hooks.say("mcp-bridge: " + m_server.name + ": could not open a browser (" + opened.error().message + ")");
  }

  struct Outcome {
    std::string code;
    std::optional<core::Error> error;
  } outcome;
  const std::string name = m_server.name;
  const std::string issuer = server.issuer;
  const bool iss_required = server.authorization_response_iss_parameter_supported;
  auto target = (*listener)->wait(
      "/callback", m_hooks.login_timeout, [&](const std::string& request_target) -> platform::LoopbackReply {
        auto question = request_target.find('?');
        auto params = parse_query(question == std::string::npos ? std::string_view() : std::string_view(request_target).substr(question + 1));
        auto got_state = find_param(params, "state");
        if (!got_state || *got_state != state) {
          outcome.error = core::make_error(core::ErrorKind::auth, "the login answer did not carry our state (a forged or stale redirect); try again");
          return {400, html_page("Login failed", "This answer does not belong to the login mcp-bridge started. Run <code>bridge login " +
                                                      html_escape(name) + "</code> again.")};
        }
        if (auto error = find_param(params, "error")) {
          std::string description = find_param(params, "error_description").value_or("");
          if (*error == "access_denied") {
            outcome.error = core::make_error(core::ErrorKind::auth, "the login was declined in the browser (access_denied)" +
                                                                        (description.empty() ? "" : ": " + description));
          } else {
            outcome.error = core::make_error(core::ErrorKind::auth, "the authorization server answered " + *error +
                                                                        (description.empty() ? "" : ": " + description));
          }
          return {200, html_page("Login not completed", "mcp-bridge was not authorized for " + html_escape(name) + " (" +
                                                             html_escape(*error) + "). You can close this tab.")};
        }
        auto iss = find_param(params, "iss");
        if ((iss && !issuer.empty() && *iss != issuer) || (!iss && iss_required)) {
          outcome.error = core::make_error(core::ErrorKind::auth, "the login answer came from another issuer (RFC 9207 mix-up protection)");
          return {400, html_page("Login failed", "The answer came from an unexpected authorization server.")};
        }
        auto code = find_param(params, "code");
        if (!code || code->empty()) {
          outcome.error = core::make_error(core::ErrorKind::auth, "the login answer carried no authorization code");
          return {400, html_page("Login failed", "No authorization code came back.")};
        }
        outcome.code = *code;
        return {200, html_page("Logged in", "mcp-bridge is now logged in to " + html_escape(name) +
                                                ". You can close this tab and return to your AI client.")};
      },
      m_hooks.cancelled);
  if (!target) {
    if (target.error().kind == core::ErrorKind::timeout) {
      return core::make_error(core::ErrorKind::timeout,
                              "the browser login did not finish within " +
                                  std::to_string(std::chrono::duration_cast<std::chrono::seconds>(m_hooks.login_timeout).count()) +
                                  " s; run `bridge login " + m_server.name + "` to try again");
    }
    return target.error();
  }
  if (outcome.error) {
    return *outcome.error;
  }
  Form form = {{"grant_type", "authorization_code"},
               {"code", outcome.code},
               {"redirect_uri", redirect_uri},
               {"code_verifier", pkce.verifier},
               {"resource", discovery.resource}};
  auto reply = token_request(server, *client, std::move(form));
  if (!reply) {
    return reply.error();
  }
  return bundle_from(*reply, discovery, *client, "authorization_code", scope);
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

core::Result<TokenBundle> OAuthClient::device_code(Discovery& discovery, const std::optional<TokenBundle>& previous,
                                                   const std::optional<std::string>& scope) {
  const auto& server = discovery.server;
  if (server.device_authorization_endpoint.empty()) {
    return core::make_error(core::ErrorKind::auth, "the authorization server " + server.issuer +
                                                       " offers no device authorization endpoint (RFC 8628); use another oauth.grant");
  }
  auto client = client_identity(discovery, previous, "", "device_code", scope);
  if (!client) {
    return client.error();
  }
  Form form = {{"resource", discovery.resource}};
  if (scope) {
    form.emplace_back("scope", *scope);
  }
  transport::HeaderList headers;
  if (auto status = authenticate_client(server, *client, form, headers); !status) {
    return status.error();
  }
  if (!find_param(form, "client_id")) {
    form.emplace_back("client_id", client->client_id);
  }
  auto reply = m_http.post_form(server.device_authorization_endpoint, form, headers);
  if (!reply) {
    return reply.error();
  }
  json value = json::parse(reply->body, nullptr, false);
  if (reply->status != 200 || !value.is_object() || str(value, "device_code").empty()) {
    return core::make_error(core::ErrorKind::auth, "the device authorization request failed: " + describe_failure(*reply));
  }
  std::string device = str(value, "device_code");
  std::string user_code = str(value, "user_code");
  std::string verification = str(value, "verification_uri");
  std::string complete = str(value, "verification_uri_complete");
  auto interval = std::chrono::seconds(value.value("interval", 5));
  if (interval.count() <= 0) {
    interval = std::chrono::seconds(5);
  }
  auto expires = std::chrono::seconds(value.value("expires_in", 600));
  auto until = std::chrono::steady_clock::now() + std::min<std::chrono::milliseconds>(expires, m_hooks.login_timeout);
  m_hooks.say("\nmcp-bridge: to log in to " + m_server.name + ", open\n\n    " + verification +
              "\n\n  and enter the code\n\n    " + user_code + "\n" +
              (complete.empty() ? std::string() : "\n  (or open " + complete + " directly)\n"));
  while (std::chrono::steady_clock::now() < until) {
    for (auto slept = std::chrono::milliseconds(0); slept < interval; slept += std::chrono::milliseconds(100)) {
      if (m_hooks.cancelled()) {
        return core::make_error(core::ErrorKind::unavailable, "the login was cancelled");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Form poll = {{"grant_type", k_device_grant}, {"device_code", device}, {"resource", discovery.resource}};
    transport::HeaderList poll_headers;
    if (auto status = authenticate_client(server, *client, poll, poll_headers); !status) {
      return status.error();
    }
    auto answer = m_http.post_form(server.token_endpoint, poll, poll_headers);
    if (!answer) {
      return answer.error();
    }
    if (answer->status == 200) {
      json tokens = json::parse(answer->body, nullptr, false);
      if (!tokens.is_object() || str(tokens, "access_token").empty()) {
        return core::make_error(core::ErrorKind::protocol, "the token endpoint's reply has no access_token");
      }
      return bundle_from(tokens, discovery, *client, "device_code", scope);
    }
    auto error = oauth_error_of(*answer);
    if (error.code == "authorization_pending") {
      continue;
    }
    if (error.code == "slow_down") {
      interval += std::chrono::seconds(5);
      continue;
    }
    if (error.code == "access_denied") {
      return core::make_error(core::ErrorKind::auth, "the login was declined (access_denied)");
    }
    if (error.code == "expired_token") {
      return core::make_error(core::ErrorKind::timeout, "the device code expired; run `bridge login " + m_server.name + "` again");
    }
    return core::make_error(core::ErrorKind::auth, "the token endpoint refused: " + describe_failure(*answer));
  }
  return core::make_error(core::ErrorKind::timeout, "the device login did not finish in time; run `bridge login " +
                                                        m_server.name + "` again");
}

core::Result<TokenBundle> OAuthClient::refresh(const TokenBundle& bundle) {
  if (bundle.refresh_token.empty()) {
    if (bundle.grant == "client_credentials") {
      // Nothing to refresh with: a client_credentials client simply asks again.
      std::optional<TokenBundle> previous = bundle;
      return login(previous, BearerChallenge{}, bundle.scope.empty() ? std::nullopt : std::optional<std::string>(bundle.scope));
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
