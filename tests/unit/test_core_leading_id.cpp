#include "catch.hpp"

#include "core/leading_id.hpp"

#include <string>

using bridge::core::leading_id;

TEST_CASE("the id of a request is read from its first bytes when it comes before the bulk", "[leading_id]") {
  CHECK(leading_id(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"argu)") == "7");
  CHECK(leading_id(R"({ "id" : "a\"b" , "method": "x")") == R"("a\"b")");
  CHECK(leading_id(R"({"jsonrpc":"2.0","method":"tools/call","id":-1.5e3,"params":{)") == "-1.5e3");
  // Members before it are skipped whole, strings with braces and escapes included.
  CHECK(leading_id(R"({"meta":{"x":["}",{"y":"\\\""}]},"id":12,)") == "12");
}

TEST_CASE("no id is read where it is not wholly there, or is no id", "[leading_id]") {
  CHECK_FALSE(leading_id(R"({"jsonrpc":"2.0","method":"tools/call","params":{"huge":")"));
  CHECK_FALSE(leading_id(R"({"jsonrpc":"2.0","id":12)")); // 12… may go on
  CHECK_FALSE(leading_id(R"({"jsonrpc":"2.0","id":"abc)"));
  CHECK_FALSE(leading_id(R"({"id":null,)"));
  CHECK_FALSE(leading_id(R"({"id":{"a":1},)"));
  CHECK_FALSE(leading_id(R"({"jsonrpc":"2.0"})"));
  CHECK_FALSE(leading_id(R"([{"id":1}])"));
  CHECK_FALSE(leading_id(""));
  CHECK_FALSE(leading_id("not json"));
  // Only the top level counts.
  CHECK_FALSE(leading_id(R"({"params":{"id":5},"method":)"));
}
