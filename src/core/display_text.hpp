#pragma once

// Text shown to a person (a confirmation question): long lines are folded, never cut.

#include <cstddef>
#include <string>
#include <string_view>

namespace bridge::core {

// Breaks every line longer than `width` bytes onto continuation lines that start with "  ↪ ",
// preferably after a space in the line's second half, never inside a UTF-8 sequence. Every byte
// of `text` is kept, in order.
std::string fold_lines(std::string_view text, std::size_t width);

} // namespace bridge::core
