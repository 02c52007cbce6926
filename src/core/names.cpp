#include "core/names.hpp"

#include <cctype>

namespace bridge::core {
namespace {

bool is_safe_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

std::string hex8(std::uint64_t value) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out(8, '0');
  for (std::size_t i = 0; i < 8; ++i) {
    out[7 - i] = k_hex[(value >> (4 * i)) & 15];
  }
  return out;
}

// Replaces unsafe characters; cuts to the limit with "_" + 8 hex digits of the hash of `original`.
std::string fit(std::string candidate, std::string_view original) {
  for (char& c : candidate) {
    if (!is_safe_char(c)) {
      c = '_';
    }
  }
  if (candidate.empty()) {
    candidate = "_";
  }
  if (candidate.size() <= k_max_name_length) {
    return candidate;
  }
  std::string suffix = "_" + hex8(stable_hash(original));
  candidate.resize(k_max_name_length - suffix.size());
  return candidate + suffix;
}

} // namespace

std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

bool is_safe_name(std::string_view name) {
  if (name.empty() || name.size() > k_max_name_length) {
    return false;
  }
  for (char c : name) {
    if (!is_safe_char(c)) {
      return false;
    }
  }
  return true;
}

std::string exposed_name(std::string_view prefix, std::string_view name) {
  std::string full = std::string(prefix) + std::string(name);
  return fit(full, full);
}

std::string disambiguated_name(std::string_view prefix, std::string_view name, std::string_view salt) {
  std::string full = std::string(prefix) + std::string(name);
  std::string keyed = std::string(salt) + '\n' + full;
  std::string suffix = "_" + hex8(stable_hash(keyed)).substr(0, 6);
  std::string base = fit(full, keyed);
  if (base.size() + suffix.size() > k_max_name_length) {
    base.resize(k_max_name_length - suffix.size());
  }
  return base + suffix;
}

} // namespace bridge::core
