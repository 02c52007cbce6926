#include "catch.hpp"

#include "platform/common/chunking.hpp"

#include <string>

using namespace bridge::platform;

namespace {

std::string pattern(std::size_t size) {
  std::string value;
  value.reserve(size);
  for (std::size_t i = 0; i < size; ++i) {
    value.push_back(static_cast<char>('a' + static_cast<char>(i % 26)));
  }
  return value;
}

void check_round_trip(const std::string& value) {
  auto encoded = chunking::encode(value);
  REQUIRE(encoded.head.size() <= chunking::k_blob_limit);
  for (const auto& chunk : encoded.chunks) {
    REQUIRE(chunk.size() <= chunking::k_blob_limit);
    REQUIRE_FALSE(chunk.empty());
  }
  auto decoded = chunking::decode(encoded.head, encoded.chunks);
  REQUIRE(decoded.ok());
  CHECK(*decoded == value);
}

} // namespace

TEST_CASE("chunking round trips values of every size class", "[platform][chunking]") {
  SECTION("empty") {
    check_round_trip("");
    CHECK(chunking::encode("").chunks.empty());
  }
  SECTION("one byte") {
    check_round_trip("x");
    CHECK(chunking::encode("x").chunks.empty());
  }
  SECTION("largest inline value") {
    check_round_trip(pattern(chunking::k_blob_limit - 1));
    CHECK(chunking::encode(pattern(chunking::k_blob_limit - 1)).chunks.empty());
  }
  SECTION("2560 bytes needs one chunk") {
    auto encoded = chunking::encode(pattern(2560));
    CHECK(encoded.chunks.size() == 1);
    CHECK(encoded.head == "#1");
    check_round_trip(pattern(2560));
  }
  SECTION("2561 bytes needs two chunks") {
    auto encoded = chunking::encode(pattern(2561));
    REQUIRE(encoded.chunks.size() == 2);
    CHECK(encoded.chunks[1].size() == 1);
    check_round_trip(pattern(2561));
  }
  SECTION("10 KB") {
    CHECK(chunking::encode(pattern(10 * 1024)).chunks.size() == 4);
    check_round_trip(pattern(10 * 1024));
  }
  SECTION("non-ASCII, split mid-character, and NUL bytes") {
    std::string value;
    while (value.size() < 6000) {
      value += "jca_\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x91";
      value.push_back('\0');
    }
    check_round_trip(value);
    check_round_trip("\xc3\xa9t\xc3\xa9");
  }
}

TEST_CASE("chunking rejects heads it did not write", "[platform][chunking]") {
  CHECK_FALSE(chunking::parse_head("").ok());
  CHECK_FALSE(chunking::parse_head("plain value").ok());
  CHECK_FALSE(chunking::parse_head("#").ok());
  CHECK_FALSE(chunking::parse_head("#0").ok());
  CHECK_FALSE(chunking::parse_head("#12x").ok());
  CHECK_FALSE(chunking::parse_head("#-1").ok());
  CHECK_FALSE(chunking::parse_head("#999999999").ok());
  auto head = chunking::parse_head("#3");
  REQUIRE(head.ok());
  CHECK_FALSE(head->is_inline);
  CHECK(head->count == 3);
}

TEST_CASE("chunking notices missing chunks", "[platform][chunking]") {
  auto encoded = chunking::encode(pattern(6000));
  encoded.chunks.pop_back();
  auto decoded = chunking::decode(encoded.head, encoded.chunks);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().message.find("missing chunks") != std::string::npos);
}

TEST_CASE("chunk entries are named base#index", "[platform][chunking]") {
  CHECK(chunking::chunk_name("mcp-bridge:token:jumpcloud", 1) == "mcp-bridge:token:jumpcloud#1");
  CHECK(chunking::chunk_name("k", 12) == "k#12");
}
