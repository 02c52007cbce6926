#include "auth/static_token.hpp"

namespace bridge::auth {

StaticTokenAuth::StaticTokenAuth(std::string server_name, std::string token_reference,
                                 std::shared_ptr<ReferenceResolver> resolver)
    : m_server_name(std::move(server_name)), m_reference(std::move(token_reference)), m_resolver(std::move(resolver)) {}

core::Result<std::optional<std::string>> StaticTokenAuth::authorization() {
  if (!m_header) {
    auto token = m_resolver->resolve(m_reference, "servers." + m_server_name + ".token");
    if (!token) {
      return core::make_error(core::ErrorKind::auth, token.error().message);
    }
    if (token->empty()) {
      return core::make_error(core::ErrorKind::auth, "servers." + m_server_name + ".token: the token is empty");
    }
    m_header = "Bearer " + *token;
  }
  return std::optional<std::string>(*m_header);
}

void StaticTokenAuth::on_challenge(long, const std::string&, std::function<void(bool retry)> done) {
  // A static token cannot be refreshed; re-reading it lets `bridge token set` take effect
  // without a restart.
  m_header.reset();
  done(false);
}

} // namespace bridge::auth
