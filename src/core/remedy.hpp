#pragma once

// The remedy to name when an upstream refuses the bridge's credentials, or when there are none to
// send. One function for every place that says it (a tool result, `bridge status`, `bridge tools`,
// `bridge call`), so they never disagree: the right command depends on where the credential comes
// from (an environment variable, the keychain, OAuth), not only on "auth".

#include "core/config.hpp"
#include "core/result.hpp"

#include <string>
#include <string_view>

namespace bridge::core {

// What auth/references writes when ${env:NAME} names a variable that is not set; the remedy
// recognizes it by this text.
std::string missing_env_text(std::string_view name);

// What auth/oauth_client writes when a server offers no OAuth sign-in at all (no metadata, and no
// registration either), with the remedy: `bridge login` would only fail the same way again.
std::string no_oauth_text(std::string_view name);
std::string token_instead_remedy(std::string_view name);

// The remedy for an auth failure of `server` (the failure's message tells which credential failed).
std::string credentials_remedy(const ServerConfig& server, const Error& failure);

} // namespace bridge::core
