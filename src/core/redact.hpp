#pragma once

// Masking credentials in text that is about to be logged (cli/logging runs every log line through
// it): Authorization header values, Bearer/Basic credentials, JumpCloud API keys (jca_…),
// token/secret/password fields in JSON or form bodies, OAuth codes and states in query strings.
// Pure, so it is unit-tested; over-masking is preferred to a leak.

#include <string>
#include <string_view>

namespace bridge::core {

std::string redact(std::string_view text);

} // namespace bridge::core
