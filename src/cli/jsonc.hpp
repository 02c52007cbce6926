#pragma once

// Reading JSON with comments and trailing commas (JSONC), as VS Code's mcp.json and settings.json
// allow, and turning every parse failure into words that name the place — never an exception text.
// Pure: text in, value or Error out.

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace bridge::cli {

struct JsoncValue {
  nlohmann::ordered_json value;
  bool had_comments = false; // a rewrite cannot keep them: the caller says so
};

// Error messages read "line 3, at \"servers.x.timeout\": number overflow parsing '1E400'".
core::Result<JsoncValue> parse_jsonc(const std::string& text);

// `text` with every comma that closes nothing (`,` before `}` or `]`, comments between allowed)
// blanked out, positions unchanged; `had_comments` set when a // or /* */ comment was seen.
std::string blank_trailing_commas(const std::string& text, bool& had_comments);

// Scanning helpers shared with cli/jsonc_insert.cpp. Each returns an index into `text`:
// past the // or /* */ comment at `i` (or `i` when none starts there); past the string whose
// opening quote is at `i`; the next character at or after `i` that is neither whitespace nor in a
// comment (npos at the end).
std::size_t past_comment(const std::string& text, std::size_t i);
std::size_t past_string(const std::string& text, std::size_t i);
std::size_t next_significant(const std::string& text, std::size_t i);

} // namespace bridge::cli
