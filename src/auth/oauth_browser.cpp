// The authorization code grant with PKCE (RFC 7636) through the user's browser and a one-shot
// loopback redirect listener on 127.0.0.1 (RFC 8252). browser_code() is the browser part alone,
// shared by the MCP server's login and the sign-in at an enterprise identity provider.

#include "auth/crypto.hpp"
#include "auth/oauth_client.hpp"
#include "auth/oauth_support.hpp"
#include "core/url.hpp"
#include "platform/loopback_listener.hpp"

#include <cstdlib>

namespace bridge::auth {

using namespace support;

core::Result<OAuthClient::BrowserCode> OAuthClient::browser_code(const AuthServerMetadata& server, int port,
                                                                 const IdentifyClient& identify, const Form& extra_query) {
  if (server.discovered && !contains(server.code_challenge_methods_supported, "S256")) {
    return core::make_error(core::ErrorKind::auth,
                            "the authorization server " + server.issuer +
                                " does not offer PKCE with S256 (code_challenge_methods_supported); refusing to log in without it");
  }
  if (server.authorization_endpoint.empty() || server.token_endpoint.empty()) {
    return core::make_error(core::ErrorKind::protocol, "the authorization server metadata lacks an authorization or token endpoint");
  }
  auto listener = platform::LoopbackListener::bind(port);
  if (!listener && port != m_server.oauth.redirect_port) {
    listener = platform::LoopbackListener::bind(0);
  }
  if (!listener) {
    return listener.error();
  }
  std::string redirect_uri = "http://127.0.0.1:" + std::to_string((*listener)->port()) + "/callback";
  auto client = identify(redirect_uri);
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
                {"state", state}};
  query.insert(query.end(), extra_query.begin(), extra_query.end());
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
          // Not ours (a stale tab, another login, a forgery): turned away without ending this
          // login, or anyone who can reach the port could cancel it; the real answer may follow.
          m_hooks.say("mcp-bridge: " + name + ": ignored a login answer that was not for this login (wrong state); still waiting");
          platform::LoopbackReply stray{400, html_page("Not this login", "This answer does not belong to the login mcp-bridge is waiting for, "
                                                                           "so it was ignored. Finish the login in the tab mcp-bridge opened.")};
          stray.done = false;
          return stray;
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
  return BrowserCode{std::move(*client), std::move(outcome.code), std::move(redirect_uri), std::move(pkce.verifier)};
}

core::Result<TokenBundle> OAuthClient::authorization_code(Discovery& discovery, const std::optional<TokenBundle>& previous,
                                                          const std::optional<std::string>& scope) {
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
  Form extra = {{"resource", discovery.resource}};
  if (scope) {
    extra.emplace_back("scope", *scope);
  }
  auto granted = browser_code(
      discovery.server, port,
      [&](const std::string& redirect_uri) {
        return client_identity(discovery, previous, redirect_uri, "authorization_code", scope);
      },
      extra);
  if (!granted) {
    return granted.error();
  }
  Form form = {{"grant_type", "authorization_code"},
               {"code", granted->code},
               {"redirect_uri", granted->redirect_uri},
               {"code_verifier", granted->verifier},
               {"resource", discovery.resource}};
  auto reply = token_request(discovery.server, granted->client, std::move(form));
  if (!reply) {
    return reply.error();
  }
  return bundle_from(*reply, discovery, granted->client, "authorization_code", scope);
}

} // namespace bridge::auth
