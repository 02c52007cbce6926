#pragma once

// auth: "oauth" in `bridge serve`: the transport's AuthSource for one upstream. It sends the
// stored access token, refreshes it before expiry and after a 401 (one process at a time, under
// a cross-process lock, re-reading the store so rotating refresh tokens survive several
// bridges), steps up on 403 insufficient_scope (at most 3 times). A server it never logged in to
// is first tried without a token (it may ask for none); when it asks, or when there is no usable
// token at all, it starts the login itself in the background — once per process, and only in one
// process at a time (a lock file) — so the browser opens once, never a tab storm. Meanwhile the
// upstream's calls fail with the remedy (`bridge login NAME`); when the login completes the
// ReconnectingLink connects the upstream again and its tools appear (tools/list_changed).
//
// All methods run on the event-loop thread; keychain reads and OAuth exchanges run on worker
// threads (auth/background.hpp), which hand their results back with EventLoop::post.

#include "auth/references.hpp"
#include "auth/token_store.hpp"
#include "core/config.hpp"
#include "core/upstream.hpp"
#include "platform/secret_store.hpp"
#include "transport/auth_source.hpp"
#include "transport/event_loop.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace bridge::auth {

class OAuthSource final : public transport::AuthSource {
public:
  OAuthSource(core::ServerConfig server, platform::StorePreference preference, transport::EventLoop& loop);
  ~OAuthSource() override;
  OAuthSource(const OAuthSource&) = delete;
  OAuthSource& operator=(const OAuthSource&) = delete;

  // Reads the stored tokens on a worker thread, then calls `ready` on the loop thread.
  void prepare(std::function<void()> ready) override;
  core::Result<std::optional<std::string>> authorization() override;
  void on_challenge(long status, const std::string& www_authenticate, std::function<void(bool retry)> done) override;

  // Called (on the loop thread) when a background login that nothing was waiting for ended —
  // with credentials, or failing with a reason the user should see: the upstream should connect
  // again.
  void set_on_credentials(std::function<void()> callback);

  struct State; // oauth_source.cpp

private:
  std::shared_ptr<State> m_state;
};

// Wraps an upstream link so that the auth source can ask for a fresh connection once a login
// completes (the router then sees the upstream become ready and announces its tools).
class ReconnectingLink final : public core::UpstreamLink {
public:
  explicit ReconnectingLink(std::unique_ptr<core::UpstreamLink> inner) : m_inner(std::move(inner)) {}
  void connect(const nlohmann::json& client_capabilities, const std::string& protocol_version) override;
  void send_request(std::uint64_t id, std::string text) override { m_inner->send_request(id, std::move(text)); }
  void send_message(std::string text) override { m_inner->send_message(std::move(text)); }
  void shutdown(std::function<void()> done) override;
  // Connects again with the capabilities of the last connect (nothing before the first one).
  void reconnect();

private:
  std::unique_ptr<core::UpstreamLink> m_inner;
  nlohmann::json m_capabilities;
  std::string m_protocol_version;
  bool m_connected = false;
  bool m_closed = false;
};

} // namespace bridge::auth
