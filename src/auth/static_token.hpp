#pragma once

// auth: "token" — a static bearer token or API key (e.g. JumpCloud's jca_…), resolved from its
// reference before the first connect — on a worker thread, since ${keychain:…} may take seconds —
// and sent as `Authorization: Bearer <token>`. A 401 reads it again (in the background), so
// `bridge token set` takes effect without a restart.

#include "auth/references.hpp"
#include "transport/auth_source.hpp"
#include "transport/event_loop.hpp"

#include <memory>
#include <optional>
#include <string>

namespace bridge::auth {

class StaticTokenAuth final : public transport::AuthSource {
public:
  StaticTokenAuth(std::string server_name, std::string token_reference, platform::StorePreference preference,
                  transport::EventLoop& loop);
  ~StaticTokenAuth() override;
  StaticTokenAuth(const StaticTokenAuth&) = delete;
  StaticTokenAuth& operator=(const StaticTokenAuth&) = delete;

  void prepare(std::function<void()> ready) override;
  core::Result<std::optional<std::string>> authorization() override;
  void on_challenge(long status, const std::string& www_authenticate, std::function<void(bool retry)> done) override;

  struct State; // static_token.cpp

private:
  std::shared_ptr<State> m_state;
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

// auth: "oauth" with no login yet, from the terminal (status, tools, call), where no login starts
// by itself: the first requests go without a token, since some servers ask for none; once the
// server asks (401), every request fails with `error` ("not logged in").
class UntilAskedAuth final : public transport::AuthSource {
public:
  explicit UntilAskedAuth(core::Error error) : m_error(std::move(error)) {}
  core::Result<std::optional<std::string>> authorization() override {
    if (m_asked) {
      return m_error;
    }
    return std::optional<std::string>();
  }
  void on_challenge(long, const std::string&, std::function<void(bool retry)> done) override {
    m_asked = true;
    done(false);
  }

private:
  core::Error m_error;
  bool m_asked = false;
};

} // namespace bridge::auth
