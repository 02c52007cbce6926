#include "cli/jsonc_insert.hpp"

#include "cli/jsonc.hpp"

#include <cstddef>

namespace bridge::cli {
namespace {

constexpr std::size_t k_none = std::string::npos;

// Walks the container opened at `open` (comments and string contents skipped): `on_string(start,
// end, depth)` for each string (returning true stops the walk), `on_char(i)` for every other
// significant character but the final close. Returns the index of the matching close, or k_none.
template <typename OnString, typename OnChar>
std::size_t walk(const std::string& text, std::size_t open, OnString on_string, OnChar on_char) {
  int depth = 0;
  for (std::size_t i = open; i < text.size();) {
    if (std::size_t end = past_comment(text, i); end != i) {
      i = end;
      continue;
    }
    char c = text[i];
    if (c == '"') {
      std::size_t end = past_string(text, i);
      if (on_string(i, end, depth)) {
        return k_none;
      }
      i = end;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return i;
    }
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      on_char(i);
    }
    ++i;
  }
  return k_none;
}

// The matching '}' or ']' of the container opened at `open`, and the last significant character before it.
std::size_t matching_close(const std::string& text, std::size_t open, std::size_t& last_significant) {
  last_significant = open;
  return walk(
      text, open,
      [&last_significant](std::size_t, std::size_t end, int) {
        last_significant = end - 1;
        return false;
      },
      [&last_significant](std::size_t i) { last_significant = i; });
}

// The value position of `key` among the top-level object's members, or k_none.
std::size_t top_level_value(const std::string& text, std::size_t root, const std::string& key) {
  std::size_t found = k_none;
  walk(
      text, root,
      [&](std::size_t start, std::size_t end, int depth) {
        std::size_t colon = next_significant(text, end);
        if (depth == 1 && colon != k_none && text[colon] == ':' && end - start - 2 == key.size() &&
            text.compare(start + 1, key.size(), key) == 0) {
          found = next_significant(text, colon + 1);
          return true;
        }
        return false;
      },
      [](std::size_t) {});
  return found;
}

std::string indented(const std::string& json, const std::string& indent) {
  std::string out;
  for (char c : json) {
    out += c;
    if (c == '\n') {
      out += indent;
    }
  }
  return out;
}

// Adds `"name": value` before the '}' that closes the object opened at `open`.
std::optional<std::string> add_member(const std::string& text, std::size_t open, const std::string& name,
                                      const nlohmann::ordered_json& value) {
  std::size_t last = open;
  std::size_t close = matching_close(text, open, last);
  if (close == k_none || text[close] != '}') {
    return std::nullopt;
  }
  // The closing brace's indentation, and one level more for the member.
  std::size_t line_start = text.rfind('\n', close);
  line_start = line_start == k_none ? 0 : line_start + 1;
  bool brace_on_own_line = text.find_first_not_of(" \t", line_start) == close;
  std::string outer = brace_on_own_line ? text.substr(line_start, close - line_start) : std::string();
  std::string inner = outer + "  ";
  std::string member = inner + nlohmann::ordered_json(name).dump() + ": " + indented(value.dump(2), inner);
  std::string out = text;
  if (brace_on_own_line) {
    out.insert(line_start, member + "\n");
  } else {
    out.insert(close, "\n" + member + "\n" + outer);
  }
  if (text[last] != '{' && text[last] != ',') {
    out.insert(last + 1, ",");
  }
  return out;
}

} // namespace

std::optional<std::string> insert_member_jsonc(const std::string& text, const std::string& object_key,
                                               const std::string& member, const nlohmann::ordered_json& value) {
  std::size_t root = next_significant(text, 0);
  if (root == k_none || text[root] != '{') {
    return std::nullopt;
  }
  std::size_t target = top_level_value(text, root, object_key);
  if (target == k_none) {
    return add_member(text, root, object_key, nlohmann::ordered_json{{member, value}});
  }
  if (text[target] != '{') {
    return std::nullopt;
  }
  return add_member(text, target, member, value);
}

} // namespace bridge::cli
