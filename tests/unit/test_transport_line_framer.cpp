#include "catch.hpp"

#include "transport/stdio.hpp"

#include <random>

using bridge::transport::LineFramer;

namespace {

struct Collected {
  std::vector<std::string> lines;
  int oversized = 0;
  std::vector<std::string> heads;
};

Collected frame(const std::string& input, std::size_t chunk, std::size_t max_line = 1024) {
  Collected out;
  LineFramer framer(max_line);
  auto on_line = [&](std::string&& line) { out.lines.push_back(std::move(line)); };
  auto on_oversized = [&](std::string&& head) {
    ++out.oversized;
    out.heads.push_back(std::move(head));
  };
  for (std::size_t i = 0; i < input.size(); i += chunk) {
    auto piece = input.substr(i, chunk);
    framer.feed(piece.data(), piece.size(), on_line, on_oversized);
  }
  framer.finish(on_line);
  return out;
}

} // namespace

TEST_CASE("lines are framed by LF with optional CR, blank lines skipped, whatever the chunking", "[stdio]") {
  std::string input = "{\"a\":1}\n\n{\"b\":2}\r\n   \n{\"c\":3}";
  for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{5}, std::size_t{100}}) {
    auto out = frame(input, chunk);
    REQUIRE(out.lines.size() == 3);
    CHECK(out.lines[0] == "{\"a\":1}");
    CHECK(out.lines[1] == "{\"b\":2}");
    CHECK(out.lines[2] == "{\"c\":3}");
  }
}

TEST_CASE("an oversized line is dropped alone and reported once", "[stdio]") {
  std::string input = "{\"ok\":1}\n" + std::string(5000, 'x') + "\n{\"ok\":2}\n";
  auto out = frame(input, 7, 1000);
  CHECK(out.oversized == 1);
  REQUIRE(out.lines.size() == 2);
  CHECK(out.lines[1] == "{\"ok\":2}");
  REQUIRE(out.heads.size() == 1);
  CHECK(out.heads[0] == std::string(out.heads[0].size(), 'x'));
}

TEST_CASE("an oversized line's first bytes are kept, bounded, for its id", "[stdio]") {
  std::string big = R"({"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"text":")" +
                    std::string(LineFramer::k_oversized_head * 2, 'x') + "\"}}";
  for (std::size_t chunk : {std::size_t{13}, std::size_t{4096}, big.size() + 1}) {
    auto out = frame(big + "\n", chunk, 1000);
    REQUIRE(out.heads.size() == 1);
    CHECK(out.heads[0].size() == LineFramer::k_oversized_head);
    CHECK(out.heads[0].rfind(R"({"jsonrpc":"2.0","id":42,)", 0) == 0);
    CHECK(out.lines.empty());
  }
}

TEST_CASE("line breaks outside strings fold to spaces: one message, one line", "[stdio]") {
  using bridge::transport::fold_line_breaks;
  // Pretty-printed (CRLF too) and Go's json.Encoder trailing newline: JSON whitespace either way.
  std::string pretty = "{\r\n  \"jsonrpc\": \"2.0\",\n  \"id\": 1,\n  \"result\": {\"text\": \"a\\nb\"}\n}\n";
  CHECK(fold_line_breaks(pretty.data(), pretty.size()) == 6);
  CHECK(pretty == "{    \"jsonrpc\": \"2.0\",   \"id\": 1,   \"result\": {\"text\": \"a\\nb\"} } ");
  // Escaped line breaks inside strings are two characters, backslash and letter: untouched.
  std::string escaped = R"({"text":"line\r\nline"})";
  std::string before = escaped;
  CHECK(fold_line_breaks(escaped.data(), escaped.size()) == 0);
  CHECK(escaped == before);
  std::string empty;
  CHECK(fold_line_breaks(empty.data(), 0) == 0);
}
