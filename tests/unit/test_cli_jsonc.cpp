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

#include "cli/jsonc_insert.hpp"

TEST_CASE("insert_member_jsonc adds an entry and keeps comments, trailing commas and layout", "[jsonc]") {
  std::string text = "{\n  // mine\n  \"servers\": {\n    \"gh\": {\"url\": \"x\"}, // work\n  },\n  \"inputs\": []\n}\n";
  nlohmann::ordered_json entry = {{"command", "/bin/bridge"}, {"args", {"serve"}}};
  auto edited = insert_member_jsonc(text, "servers", "bridge", entry);
  REQUIRE(edited.has_value());
  CHECK(edited->find("// mine") != std::string::npos);
  CHECK(edited->find("// work") != std::string::npos);
  auto parsed = parse_jsonc(*edited);
  REQUIRE(parsed.ok());
  CHECK(parsed->value["servers"]["bridge"] == entry);
  CHECK(parsed->value["servers"]["gh"]["url"] == "x");

  auto empty = insert_member_jsonc("{ /* c */ \"servers\": {} }", "servers", "b", 1);
  REQUIRE(empty.has_value());
  CHECK(parse_jsonc(*empty)->value["servers"]["b"] == 1);
  auto missing = insert_member_jsonc("{\n  \"a\": 1 // c\n}", "servers", "b", 1);
  REQUIRE(missing.has_value());
  CHECK(missing->find("// c") != std::string::npos);
  auto reread = parse_jsonc(*missing);
  REQUIRE(reread.ok());
  CHECK(reread->value["servers"]["b"] == 1);
  CHECK(reread->value["a"] == 1);
  CHECK_FALSE(insert_member_jsonc("{\"servers\": []}", "servers", "b", 1).has_value());
}
