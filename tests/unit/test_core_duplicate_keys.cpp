#include "catch.hpp"

#include "core/duplicate_keys.hpp"

using namespace bridge::core;

TEST_CASE("find_duplicate_key names the path and the line of the second key", "[config]") {
  auto found = find_duplicate_key("{\"servers\": {\n \"a\": {\"prefix\": \"x\",\n \"prefix\": \"y\"}}}");
  REQUIRE(found.has_value());
  CHECK(found->path == "servers.a.prefix");
  CHECK(found->line == 3);
  auto top = find_duplicate_key("{\"servers\": {}, \"servers\": {}}");
  REQUIRE(top.has_value());
  CHECK(top->path == "servers");
}

TEST_CASE("find_duplicate_key: equal keys in different objects, keys in strings and arrays are fine", "[config]") {
  CHECK_FALSE(find_duplicate_key("{\"a\": {\"x\": 1}, \"b\": {\"x\": 1}}").has_value());
  CHECK_FALSE(find_duplicate_key("{\"a\": \"\\\"a\\\": 1\", \"l\": [{\"x\": 1}, {\"x\": 2}]}").has_value());
  CHECK_FALSE(find_duplicate_key("[\"a\", \"a\"]").has_value());
}
