#include "catch.hpp"

#include "cli/jsonc.hpp"

using namespace bridge::cli;

TEST_CASE("parse_jsonc reads comments and trailing commas, not inside strings", "[jsonc]") {
  auto parsed = parse_jsonc("{\n // c\n \"a\": [1, 2,], /* x */ \"s\": \"a,]//b\",\n}");
  REQUIRE(parsed.ok());
  CHECK(parsed->had_comments);
  CHECK(parsed->value["a"].size() == 2);
  CHECK(parsed->value["s"] == "a,]//b");
  auto plain = parse_jsonc("{\"a\": \"/* not a comment */\"}");
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->had_comments);
}

TEST_CASE("parse_jsonc names the line and the key, never the exception text", "[jsonc]") {
  auto big = parse_jsonc("{\"servers\": {\"gh\": {\"timeout\": 1E400}}}");
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().message.find("\"servers.gh.timeout\"") != std::string::npos);
  CHECK(big.error().message.find("json.exception") == std::string::npos);
  auto broken = parse_jsonc("{\n\"a\": 1,\n\"b\": }");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message.rfind("line 3", 0) == 0);
  CHECK(broken.error().message.find("\"b\"") != std::string::npos);
}
