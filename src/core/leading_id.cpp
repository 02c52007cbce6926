#include "core/leading_id.hpp"

#include <cstddef>

namespace bridge::core {
namespace {

// A cursor over bytes that may end anywhere: every step says whether it could finish.
class Cursor {
public:
  explicit Cursor(std::string_view text) : m_text(text) {}

  void skip_space() {
    while (m_at < m_text.size() &&
           (m_text[m_at] == ' ' || m_text[m_at] == '\t' || m_text[m_at] == '\n' || m_text[m_at] == '\r')) {
      ++m_at;
    }
  }
  [[nodiscard]] bool at_end() const { return m_at >= m_text.size(); }
  [[nodiscard]] char peek() const { return m_text[m_at]; }
  bool take(char c) {
    skip_space();
    if (at_end() || m_text[m_at] != c) {
      return false;
    }
    ++m_at;
    return true;
  }
  // A string literal starting here; its raw text (quotes included), or nullopt if cut or absent.
  std::optional<std::string_view> string() {
    if (at_end() || m_text[m_at] != '"') {
      return std::nullopt;
    }
    std::size_t start = m_at++;
    while (m_at < m_text.size()) {
      char c = m_text[m_at++];
      if (c == '\\') {
        ++m_at; // the escaped character, whatever it is
      } else if (c == '"') {
        return m_text.substr(start, m_at - start);
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return std::nullopt; // not JSON
      }
    }
    return std::nullopt;
  }
  // A number, true, false or null: up to the next delimiter; nullopt if it may go on past the end.
  std::optional<std::string_view> scalar() {
    std::size_t start = m_at;
    while (m_at < m_text.size()) {
      char c = m_text[m_at];
      if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        return m_at > start ? std::optional<std::string_view>(m_text.substr(start, m_at - start)) : std::nullopt;
      }
      ++m_at;
    }
    return std::nullopt;
  }
  // Any value; false if it is cut or malformed enough to lose track.
  bool skip_value() {
    skip_space();
    if (at_end()) {
      return false;
    }
    char c = peek();
    if (c == '"') {
      return string().has_value();
    }
    if (c != '{' && c != '[') {
      return scalar().has_value();
    }
    int depth = 0;
    while (!at_end()) {
      c = peek();
      if (c == '"') {
        if (!string()) {
          return false;
        }
        continue;
      }
      ++m_at;
      if (c == '{' || c == '[') {
        ++depth;
      } else if ((c == '}' || c == ']') && --depth == 0) {
        return true;
      }
    }
    return false;
  }

private:
  std::string_view m_text;
  std::size_t m_at = 0;
};

bool is_number(std::string_view token) {
  if (token.empty()) {
    return false;
  }
  for (char c : token) {
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) {
      return false;
    }
  }
  return true;
}

} // namespace

std::optional<std::string> leading_id(std::string_view head) {
  Cursor cursor(head);
  if (!cursor.take('{')) {
    return std::nullopt;
  }
  for (;;) {
    cursor.skip_space();
    auto key = cursor.string();
    if (!key || !cursor.take(':')) {
      return std::nullopt;
    }
    cursor.skip_space();
    if (*key == "\"id\"") {
      if (cursor.at_end()) {
        return std::nullopt;
      }
      if (cursor.peek() == '"') {
        auto token = cursor.string();
        return token ? std::optional<std::string>(std::string(*token)) : std::nullopt;
      }
      auto token = cursor.scalar();
      return token && is_number(*token) ? std::optional<std::string>(std::string(*token)) : std::nullopt;
    }
    if (!cursor.skip_value() || !cursor.take(',')) {
      return std::nullopt; // cut, or the object ended without an id
    }
  }
}

} // namespace bridge::core
