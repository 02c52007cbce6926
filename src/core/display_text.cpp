#include "core/display_text.hpp"

#include <algorithm>

namespace bridge::core {
namespace {

constexpr std::string_view continuation = "  \xE2\x86\xAA "; // "  ↪ "

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

void fold_one_line(std::string_view line, std::size_t width, std::string& out) {
  bool first = true;
  do {
    std::size_t take = std::min(line.size(), width);
    while (take > 0 && take < line.size() && is_utf8_continuation(line[take])) {
      --take;
    }
    if (take == 0) {
      take = std::min(line.size(), width); // a width narrower than one character: split anyway
    }
    if (take < line.size()) {
      // Prose reads better broken after a space; the space stays on the line, so removing the
      // markers still gives back every byte. Long runs without one (IDs, tokens) split hard.
      std::size_t space = line.substr(0, take).rfind(' ');
      if (space != std::string_view::npos && space + 1 > take / 2) {
        take = space + 1;
      }
    }
    if (!first) {
      out += '\n';
      out += continuation;
    }
    out.append(line.substr(0, take));
    line.remove_prefix(take);
    first = false;
  } while (!line.empty());
}

} // namespace

std::string fold_lines(std::string_view text, std::size_t width) {
  width = std::max<std::size_t>(width, 1);
  std::string out;
  out.reserve(text.size() + text.size() / width * (continuation.size() + 1));
  while (true) {
    std::size_t end = text.find('\n');
    fold_one_line(text.substr(0, end), width, out);
    if (end == std::string_view::npos) {
      return out;
    }
    out += '\n';
    text.remove_prefix(end + 1);
  }
}

} // namespace bridge::core
