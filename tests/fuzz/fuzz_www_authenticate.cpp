// libFuzzer target for the WWW-Authenticate parser (auth/www_authenticate.hpp), which reads
// headers from any server the bridge talks to. Invariants: it never crashes or loops; schemes and
// parameter names come out lower-cased and non-empty; a Bearer challenge found by
// bearer_challenge() is one parse_www_authenticate() also returns; and parsing is
// deterministic.

#include "auth/www_authenticate.hpp"

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace bridge::auth;

namespace {

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

bool lower_token(const std::string& text) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    if (std::isupper(static_cast<unsigned char>(c)) != 0) {
      return false;
    }
  }
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view header(reinterpret_cast<const char*>(data), size);
  auto challenges = parse_www_authenticate(header);
  check(challenges.size() <= size);
  bool has_bearer = false;
  for (const auto& challenge : challenges) {
    check(lower_token(challenge.scheme));
    for (const auto& [name, value] : challenge.params) {
      check(lower_token(name));
      check(value.size() <= size);
    }
    has_bearer = has_bearer || challenge.scheme == "bearer";
  }
  auto bearer = bearer_challenge(header);
  check(bearer.present == has_bearer);
  auto again = parse_www_authenticate(header);
  check(again.size() == challenges.size());
  for (std::size_t i = 0; i < again.size(); ++i) {
    check(again[i].scheme == challenges[i].scheme && again[i].params == challenges[i].params &&
          again[i].token68 == challenges[i].token68);
  }
  return 0;
}
