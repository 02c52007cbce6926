#pragma once

// auth: "token" — a static bearer token or API key (e.g. JumpCloud's jca_…), resolved from its
// reference on first use and sent as `Authorization: Bearer <token>`.

#include "auth/references.hpp"
#include "transport/auth_source.hpp"

#include <memory>
#include <optional>
#include <string>

namespace bridge::auth {

class StaticTokenAuth final : public transport::AuthSource {
public:
  StaticTokenAuth(std::string server_name, std::string token_reference, std::shared_ptr<ReferenceResolver> resolver);

  core::Result<std::optional<std::string>> authorization() override;
  void on_challenge(long status, const std::string& www_authenticate, std::function<void(bool retry)> done) override;

private:
  std::string m_server_name;
  std::string m_reference;
  std::shared_ptr<ReferenceResolver> m_resolver;
  std::optional<std::string> m_header;
};

// An upstream whose credentials cannot be had at all (an unresolvable header reference, an
// "oauth" server with no stored tokens): every request fails with the same remedy.
class UnavailableAuth final : public transport::AuthSource {
public:
  explicit UnavailableAuth(core::Error error) : m_error(std::move(error)) {}
  core::Result<std::optional<std::string>> authorization() override { return m_error; }
  void on_challenge(long, const std::string&, std::function<void(bool retry)> done) override { done(false); }

private:
  core::Error m_error;
};

} // namespace bridge::auth
