#pragma once

// Splitting a secret across several fixed-size blobs (Windows Credential Manager stores at most
// 2560 bytes per credential). Pure functions: no OS calls, unit-tested on every OS.
//
// Layout: the head entry ("<base>") holds either the value itself, marked with a leading '=',
// or "#<n>", meaning the value is the concatenation of entries "<base>#1" … "<base>#<n>".

#include "core/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bridge::platform::chunking {

inline constexpr std::size_t k_blob_limit = 2560;  // CRED_MAX_CREDENTIAL_BLOB_SIZE (5 * 512)
inline constexpr std::size_t k_max_chunks = 4096;  // refuse absurd counts from corrupt heads

struct Encoded {
  std::string head;                 // what goes into the head entry
  std::vector<std::string> chunks;  // entries #1..#n, empty when the value fits in the head
};

// Splits value so that the head and every chunk are at most `limit` bytes (limit >= 8).
Encoded encode(std::string_view value, std::size_t limit = k_blob_limit);

struct Head {
  bool is_inline = true;
  std::string value;      // when is_inline
  std::size_t count = 0;  // when !is_inline: number of chunk entries
};

// Reads a head entry; an Error (kind protocol) for blobs this code did not write.
core::Result<Head> parse_head(std::string_view blob);

// "<base>#<index>", index counting from 1.
std::string chunk_name(std::string_view base, std::size_t index);

// Rebuilds a value from its head and chunks (chunks.size() must match the head's count).
core::Result<std::string> decode(std::string_view head, const std::vector<std::string>& chunks);

} // namespace bridge::platform::chunking
