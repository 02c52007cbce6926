#include "auth/www_authenticate.hpp"

#include <cctype>

namespace bridge::auth {
namespace {

bool is_tchar(char c) {
  auto u = static_cast<unsigned char>(c);
  if (std::isalnum(u) != 0) {
    return true;
  }
  switch (c) {
  case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
  case '.': case '^': case '_': case '`': case '|': case '~':
    return true;
  default:
    return false;
  }
}

bool is_token68_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

class Scanner {
public:
  explicit Scanner(std::string_view text) : m_text(text) {}

  [[nodiscard]] bool at_end() const { return m_pos >= m_text.size(); }
  [[nodiscard]] char peek() const { return at_end() ? '\0' : m_text[m_pos]; }
  [[nodiscard]] std::size_t pos() const { return m_pos; }
  void set_pos(std::size_t pos) { m_pos = pos; }
  void advance() { ++m_pos; }

  void skip_ows() {
    while (!at_end() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == '\r' || m_text[m_pos] == '\n')) {
      ++m_pos;
    }
  }
  void skip_ows_and_commas() {
    while (!at_end() && (m_text[m_pos] == ',' || m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == '\r' ||
                         m_text[m_pos] == '\n')) {
      ++m_pos;
    }
  }
  std::string_view token() {
    std::size_t start = m_pos;
    while (!at_end() && is_tchar(m_text[m_pos])) {
      ++m_pos;
    }
    return m_text.substr(start, m_pos - start);
  }
  // A token68 that ends the challenge (followed by end of text or a comma), or nothing.
  std::optional<std::string> token68() {
    std::size_t start = m_pos;
    std::size_t end = start;
    while (end < m_text.size() && is_token68_char(m_text[end])) {
      ++end;
    }
    if (end == start) {
      return std::nullopt;
    }
    while (end < m_text.size() && m_text[end] == '=') {
      ++end;
    }
    std::size_t after = end;
    while (after < m_text.size() && (m_text[after] == ' ' || m_text[after] == '\t')) {
      ++after;
    }
    if (after < m_text.size() && m_text[after] != ',') {
      return std::nullopt;
    }
    m_pos = after;
    return std::string(m_text.substr(start, end - start));
  }
  // A quoted-string with backslash escapes; an unterminated one runs to the end of the text.
  std::string quoted() {
    std::string out;
    ++m_pos; // opening quote
    while (!at_end()) {
      char c = m_text[m_pos++];
      if (c == '"') {
        return out;
      }
      if (c == '\\' && !at_end()) {
        c = m_text[m_pos++];
      }
      out.push_back(c);
    }
    return out;
  }

private:
  std::string_view m_text;
  std::size_t m_pos = 0;
};

} // namespace

std::optional<std::string> AuthChallenge::param(std::string_view lower_name) const {
  for (const auto& [name, value] : params) {
    if (name == lower_name) {
      return value;
    }
  }
  return std::nullopt;
}

std::vector<AuthChallenge> parse_www_authenticate(std::string_view header) {
  std::vector<AuthChallenge> challenges;
  Scanner in(header);
  while (true) {
    in.skip_ows_and_commas();
    if (in.at_end()) {
      break;
    }
    auto scheme = in.token();
    if (scheme.empty()) {
      in.advance(); // not a token character: skip it and look for the next challenge
      continue;
    }
    AuthChallenge challenge;
    challenge.scheme = lower(scheme);
    in.skip_ows();
    if (auto t68 = in.token68()) {
      challenge.token68 = std::move(*t68);
      challenges.push_back(std::move(challenge));
      continue;
    }
    // auth-params: name = value, separated by commas, until a token that is not followed by '='
    // (the next challenge's scheme) or the end.
    while (true) {
      in.skip_ows_and_commas();
      if (in.at_end()) {
        break;
      }
      std::size_t mark = in.pos();
      auto name = in.token();
      if (name.empty()) {
        // Garbage: skip to the next comma and go on with the parameters.
        while (!in.at_end() && in.peek() != ',') {
          in.advance();
        }
        continue;
      }
      in.skip_ows();
      if (in.peek() != '=') {
        in.set_pos(mark); // a new challenge begins here
        break;
      }
      in.advance();
      in.skip_ows();
      std::string value;
      if (in.peek() == '"') {
        value = in.quoted();
      } else {
        value = std::string(in.token());
      }
      challenge.params.emplace_back(lower(name), std::move(value));
      in.skip_ows();
      if (!in.at_end() && in.peek() != ',') {
        // Junk after a value: drop it up to the next comma.
        while (!in.at_end() && in.peek() != ',') {
          in.advance();
        }
      }
    }
    challenges.push_back(std::move(challenge));
  }
  return challenges;
}

BearerChallenge bearer_challenge(std::string_view header) {
  BearerChallenge out;
  for (const auto& challenge : parse_www_authenticate(header)) {
    if (challenge.scheme != "bearer") {
      continue;
    }
    out.present = true;
    out.resource_metadata = challenge.param("resource_metadata").value_or("");
    out.scope = challenge.param("scope").value_or("");
    out.error = challenge.param("error").value_or("");
    out.error_description = challenge.param("error_description").value_or("");
    break;
  }
  return out;
}

} // namespace bridge::auth
