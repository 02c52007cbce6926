#pragma once

// Tool and prompt names as the AI client sees them: prefix + name, restricted to
// ^[A-Za-z0-9_-]{1,64}$ (Claude Desktop rejects a whole list over one bad name; the spec's dots and
// 128 characters are not safe). Other characters become '_'; a name that would be too long is cut
// and given a short hash of the full original, so it is stable across runs and still unique.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace bridge::core {

inline constexpr std::size_t k_max_name_length = 64;

// True when name matches ^[A-Za-z0-9_-]{1,64}$.
bool is_safe_name(std::string_view name);

// The name the client sees for `name` of the upstream with `prefix`.
std::string exposed_name(std::string_view prefix, std::string_view name);

// A variant used when two originals would expose the same name: the hash of the original (and
// the upstream, via `salt`) is appended, keeping the result within the limit.
std::string disambiguated_name(std::string_view prefix, std::string_view name, std::string_view salt);

// FNV-1a 64: small, stable across platforms and runs (std::hash is neither).
std::uint64_t stable_hash(std::string_view text);

} // namespace bridge::core
