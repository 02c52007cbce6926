#pragma once

// JSON parsers (nlohmann's included) keep the last of two equal keys in an object and drop the
// first without a word; in a hand-edited config that hides a mistake, so it is found and named.

#include <optional>
#include <string>
#include <string_view>

namespace bridge::core {

struct DuplicateKey {
  std::string path; // "servers.jumpcloud.prefix"
  int line = 0;     // of the second occurrence, from 1
};

// The first key that appears twice in one object of `text` (already known to be valid JSON).
std::optional<DuplicateKey> find_duplicate_key(std::string_view text);

} // namespace bridge::core
