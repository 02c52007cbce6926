#include "catch.hpp"

#include "core/names.hpp"

#include <set>

using namespace bridge::core;

TEST_CASE("exposed names are prefix + name when already safe", "[names]") {
  CHECK(exposed_name("jc_admin_", "user_suspend") == "jc_admin_user_suspend");
  CHECK(exposed_name("", "echo") == "echo");
  CHECK(is_safe_name("jc_admin_user_suspend"));
}

TEST_CASE("characters outside [A-Za-z0-9_-] become underscores", "[names]") {
  CHECK(exposed_name("jungle_", "github__search.repos") == "jungle_github__search_repos");
  CHECK(exposed_name("x_", "odd.name with spaces") == "x_odd_name_with_spaces");
  // Each byte of a multi-byte UTF-8 character becomes one underscore.
  CHECK(exposed_name("x_", "caf\xc3\xa9") == "x_caf__");
  CHECK(is_safe_name(exposed_name("x_", "a/b:c@d")));
}

TEST_CASE("long names are cut to 64 with a stable hash of the original", "[names]") {
  std::string long_name(70, 'a');
  std::string exposed = exposed_name("ev_", long_name);
  CHECK(exposed.size() == k_max_name_length);
  CHECK(is_safe_name(exposed));
  CHECK(exposed.rfind("ev_aaaa", 0) == 0);
  // Stable across calls (and runs: FNV-1a has no seed).
  CHECK(exposed == exposed_name("ev_", long_name));
  // Two long names sharing their first 60 characters stay distinct.
  std::string other = long_name;
  other.back() = 'b';
  CHECK(exposed_name("ev_", other) != exposed);
  CHECK(exposed_name("ev_", other).size() == k_max_name_length);
}

TEST_CASE("the hash is FNV-1a 64", "[names]") {
  CHECK(stable_hash("") == 14695981039346656037ULL);
  CHECK(stable_hash("a") == 0xaf63dc4c8601ec8cULL);
}

TEST_CASE("disambiguated names differ from the plain one and from each other", "[names]") {
  std::set<std::string> seen;
  seen.insert(exposed_name("a_", "b_c"));
  auto first = disambiguated_name("a_", "b_c", "one");
  auto second = disambiguated_name("a_", "b_c", "two");
  CHECK(seen.count(first) == 0);
  CHECK(first != second);
  CHECK(is_safe_name(first));
  CHECK(disambiguated_name("p_", std::string(100, 'z'), "s").size() <= k_max_name_length);
}

TEST_CASE("is_safe_name rejects empty, long and dotted names", "[names]") {
  CHECK_FALSE(is_safe_name(""));
  CHECK_FALSE(is_safe_name(std::string(65, 'a')));
  CHECK(is_safe_name(std::string(64, 'a')));
  CHECK_FALSE(is_safe_name("a.b"));
}
