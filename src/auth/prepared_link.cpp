#include "auth/prepared_link.hpp"

#include <nlohmann/json.hpp>

namespace bridge::auth {

void PreparedLink::connect(const nlohmann::json& client_capabilities, const std::string& protocol_version) {
  // Every connect asks again: a source with good credentials answers at once, one whose last read
  // failed (token not yet stored, keychain locked or slow) reads again, so a reconnect after
  // `bridge token set` or an unlock succeeds without a restart.
  m_capabilities = client_capabilities; // the latest connect wins
  m_protocol_version = protocol_version;
  if (m_preparing) {
    return;
  }
  m_preparing = true;
  std::weak_ptr<bool> alive = m_alive;
  m_auth->prepare([this, alive] {
    if (alive.expired()) {
      return;
    }
    m_preparing = false;
    if (!m_closed) {
      m_inner->connect(m_capabilities, m_protocol_version);
    }
  });
}

void PreparedLink::shutdown(std::function<void()> done) {
  m_closed = true;
  m_inner->shutdown(std::move(done));
}

} // namespace bridge::auth
