#pragma once

// Holds each connect of an upstream until its auth source is ready (the keychain read on a worker
// thread, auth/background.hpp), so no request goes out before its credentials are known and the
// event-loop thread never waits for the keychain.

#include "core/upstream.hpp"
#include "transport/auth_source.hpp"

#include <memory>

namespace bridge::auth {

class PreparedLink final : public core::UpstreamLink {
public:
  PreparedLink(std::unique_ptr<core::UpstreamLink> inner, std::shared_ptr<transport::AuthSource> auth)
      : m_inner(std::move(inner)), m_auth(std::move(auth)) {}
  void connect(const nlohmann::json& client_capabilities, const std::string& protocol_version) override;
  void send_request(std::uint64_t id, std::string text) override { m_inner->send_request(id, std::move(text)); }
  void send_message(std::string text) override { m_inner->send_message(std::move(text)); }
  void shutdown(std::function<void()> done) override;

private:
  std::unique_ptr<core::UpstreamLink> m_inner;
  std::shared_ptr<transport::AuthSource> m_auth;
  std::shared_ptr<bool> m_alive = std::make_shared<bool>(true); // the callback's guard
  bool m_preparing = false;
  bool m_closed = false;
  nlohmann::json m_capabilities; // of the connect waiting for preparation
  std::string m_protocol_version;
};

} // namespace bridge::auth
