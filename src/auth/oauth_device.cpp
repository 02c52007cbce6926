// The device authorization grant (RFC 8628): for a machine without a browser, the user opens a
// URL elsewhere and types a code; the bridge polls the token endpoint meanwhile.

#include "auth/oauth_client.hpp"
#include "auth/oauth_support.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace bridge::auth {

using namespace support;
using nlohmann::json;

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

} // namespace bridge::auth
