#include "core/redact.hpp"

#include <regex>
#include <vector>

namespace bridge::core {
namespace {

struct Pattern {
  std::regex regex;
  const char* replacement;
};

const std::vector<Pattern>& patterns() {
  static const std::vector<Pattern> list = [] {
    auto icase = std::regex::ECMAScript | std::regex::icase;
    return std::vector<Pattern>{
        {std::regex(R"re(((?:proxy-)?authorization"?\s*[:=]\s*"?)[^"\r\n,}]+)re", icase), "$1[redacted]"},
        {std::regex(R"re((bearer|basic)\s+[A-Za-z0-9._~+/=-]+)re", icase), "$1 [redacted]"},
        {std::regex(R"re(jca_[A-Za-z0-9]+)re"), "jca_[redacted]"},
        {std::regex(R"re(("(?:access_token|refresh_token|id_token|idp_id_token|idp_refresh_token|subject_token|assertion|client_assertion|client_secret|code_verifier|password|api_key|apikey|token|secret)"\s*:\s*")[^"]*)re",
                    icase),
         "$1[redacted]"},
        {std::regex(R"re(((?:^|[?&\s])(?:access_token|refresh_token|id_token|subject_token|assertion|client_assertion|client_secret|code_verifier|password|api_key|apikey|token|code|state)=)[^&\s"]+)re",
                    icase),
         "$1[redacted]"},
    };
  }();
  return list;
}

} // namespace

std::string redact(std::string_view text) {
  std::string out(text);
  for (const auto& pattern : patterns()) {
    out = std::regex_replace(out, pattern.regex, pattern.replacement);
  }
  return out;
}

} // namespace bridge::core
