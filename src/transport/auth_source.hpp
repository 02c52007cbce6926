#pragma once

// What a transport asks of authentication, declared here so that transport never includes auth:
// auth/ implements it and cli/serve wires the two together.

#include "core/result.hpp"

#include <functional>
#include <optional>
#include <string>

namespace bridge::transport {

class AuthSource {
public:
  virtual ~AuthSource() = default;
  // Gets ready for authorization() without blocking the loop thread (a keychain read runs on a
  // worker) and calls `ready` on the loop thread when done, successful or not. Called before the
  // first connect (auth/prepared_link.hpp); the default has nothing to read.
  virtual void prepare(std::function<void()> ready) { ready(); }
  // The Authorization header value for the next request ("Bearer …"), nullopt for none, or an
  // Error (kind auth) when credentials are needed but missing — with the remedy in its message.
  virtual core::Result<std::optional<std::string>> authorization() = 0;
  // The server answered 401/403 with this WWW-Authenticate header. Call `done(true)` once a retry
  // could succeed (e.g. after a refresh), `done(false)` to give up.
  virtual void on_challenge(long status, const std::string& www_authenticate, std::function<void(bool retry)> done) = 0;
};

} // namespace bridge::transport
