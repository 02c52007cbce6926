#include "cli/entry_changes.hpp"

#include <cstdio>

namespace bridge::cli {
namespace {

bool may_hold_secret(const std::string& key) { return key == "token" || key == "headers" || key == "oauth"; }

void compare(const std::string& path, const OrderedJson& before, const OrderedJson& after, bool hide,
             std::vector<std::string>& out) {
  if (before == after) {
    return;
  }
  if (hide && before.is_object() && after.is_object()) {
    for (const auto& [key, value] : after.items()) {
      compare(path + "." + key, before.value(key, OrderedJson()), value, true, out);
    }
    for (const auto& [key, value] : before.items()) {
      if (!after.contains(key)) {
        out.push_back("  " + path + "." + key + ": removed");
      }
    }
    return;
  }
  if (before.is_null()) {
    out.push_back("  " + path + ": " + (hide ? "added" : "set to " + after.dump()));
  } else if (after.is_null()) {
    out.push_back("  " + path + ": removed");
  } else {
    out.push_back("  " + path + ": " + (hide ? "changed" : before.dump() + " -> " + after.dump()));
  }
}

} // namespace

std::vector<std::string> entry_changes(const OrderedJson& before, const OrderedJson& after) {
  std::vector<std::string> out;
  if (!before.is_object() || !after.is_object()) {
    return out;
  }
  for (const auto& [key, value] : after.items()) {
    compare(key, before.value(key, OrderedJson()), value, may_hold_secret(key), out);
  }
  for (const auto& [key, value] : before.items()) {
    if (!after.contains(key)) {
      out.push_back("  " + key + ": removed");
    }
  }
  return out;
}

void print_entry_changes(const OrderedJson& before, const OrderedJson& after) {
  auto changes = entry_changes(before, after);
  if (changes.empty()) {
    std::printf("Nothing in the entry changed.\n");
    return;
  }
  std::printf("Changed:\n");
  for (const auto& line : changes) {
    std::printf("%s\n", line.c_str());
  }
}

} // namespace bridge::cli
