#include "core/duplicate_keys.hpp"

#include <set>
#include <vector>

namespace bridge::core {
namespace {

struct Level {
  bool object = false;
  std::string name;          // this container's key in its parent ("" for the top level and array items)
  std::set<std::string> keys;
  std::string pending;       // the key whose value is being read
};

// The string starting at text[i] == '"' (escapes kept raw: equal keys are equal as written), and
// the index just past its closing quote.
std::string read_string(std::string_view text, std::size_t& i) {
  std::size_t start = ++i;
  while (i < text.size() && text[i] != '"') {
    i += text[i] == '\\' ? 2U : 1U;
  }
  std::string out(text.substr(start, i - start));
  ++i;
  return out;
}

std::string path_of(const std::vector<Level>& stack, const std::string& key) {
  std::string path;
  for (std::size_t depth = 1; depth < stack.size(); ++depth) {
    if (!stack[depth].name.empty()) {
      path += (path.empty() ? "" : ".") + stack[depth].name;
    }
  }
  return path + (path.empty() ? "" : ".") + key;
}

} // namespace

std::optional<DuplicateKey> find_duplicate_key(std::string_view text) {
  std::vector<Level> stack;
  int line = 1;
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '\n') {
      ++line;
    }
    if (c == '"') {
      std::string value = read_string(text, i);
      std::size_t next = i;
      while (next < text.size() && (text[next] == ' ' || text[next] == '\t' || text[next] == '\r' || text[next] == '\n')) {
        ++next;
      }
      if (!stack.empty() && stack.back().object && next < text.size() && text[next] == ':') {
        if (!stack.back().keys.insert(value).second) {
          return DuplicateKey{path_of(stack, value), line};
        }
        stack.back().pending = value;
      }
      continue;
    }
    if (c == '{' || c == '[') {
      std::string name = !stack.empty() && stack.back().object ? stack.back().pending : std::string();
      stack.push_back(Level{c == '{', name, {}, {}});
    } else if ((c == '}' || c == ']') && !stack.empty()) {
      stack.pop_back();
    }
    ++i;
  }
  return std::nullopt;
}

} // namespace bridge::core
