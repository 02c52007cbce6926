#pragma once

// WWW-Authenticate (RFC 9110 §11.6.1) as a pure parser: any number of challenges, each a scheme
// with either a token68 or auth-params (token or quoted-string values). Outside input from any
// server, so it never throws, never reads past the text, and is fuzzed
// (tests/fuzz/fuzz_www_authenticate.cpp).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bridge::auth {

struct AuthChallenge {
  std::string scheme;                                      // lower-cased
  std::string token68;                                     // when the challenge carries one
  std::vector<std::pair<std::string, std::string>> params; // names lower-cased, values unquoted
  [[nodiscard]] std::optional<std::string> param(std::string_view lower_name) const;
};

std::vector<AuthChallenge> parse_www_authenticate(std::string_view header);

// What MCP authorization reads from a Bearer challenge (RFC 6750 §3, RFC 9728 §5.1).
struct BearerChallenge {
  bool present = false;          // a Bearer challenge was there at all
  std::string resource_metadata; // RFC 9728 protected-resource metadata URL
  std::string scope;             // space-separated
  std::string error;             // invalid_token, insufficient_scope, …
  std::string error_description;
};

BearerChallenge bearer_challenge(std::string_view header);

} // namespace bridge::auth
