// libFuzzer target for the config loader: core::parse_config on arbitrary bytes (the file is
// user-edited, and may be anything). Invariants: it never crashes, never throws; an accepted config
// is internally consistent (names and prefixes unique, prefixes at most one empty, timeouts
// positive), and the derived values (effective URL, tool filters) can be computed for every server.

#include "core/config.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

using namespace bridge::core;

namespace {

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto config = parse_config(text, "/fuzz/config.json");
  if (!config) {
    check(!config.error().message.empty()); // a failure always says what is wrong
    return 0;
  }
  std::set<std::string> names;
  std::set<std::string> prefixes;
  int empty_prefixes = 0;
  for (const auto& server : config->servers) {
    check(!server.name.empty());
    check(names.insert(server.name).second);
    if (server.prefix.empty()) {
      ++empty_prefixes;
    } else {
      check(prefixes.insert(server.prefix).second);
    }
    check(server.timeout_s > 0);
    std::string url = effective_url(server);
    check(!url.empty());
    (void)tool_allowed(server.tools, "some_tool");
    (void)tool_allowed(server.tools, "");
  }
  check(empty_prefixes <= 1);
  return 0;
}
