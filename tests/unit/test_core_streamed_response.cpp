#include "core/streamed_response.hpp"

#include "catch.hpp"

#include <string>
#include <vector>

using namespace bridge::core;

namespace {

struct Outcome {
  bool fed = true;     // every feed() returned true
  bool finished = false;
  std::string output;
  StreamedResponse::Kind kind = StreamedResponse::Kind::undecided;
  bool is_error = false;
  std::string failure;
};

// Feeds `text` cut into pieces of `step` bytes (0: whole).
Outcome run(const std::string& text, std::size_t step, const std::string& expected = "42",
            const std::string& replacement = "\"c-7\"") {
  StreamedResponse stream(expected, replacement);
  Outcome out;
  StreamedResponse::Emit emit = [&](std::string_view bytes) { out.output.append(bytes); };
  std::size_t piece = step == 0 ? text.size() : step;
  for (std::size_t at = 0; at < text.size() && out.fed; at += piece) {
    out.fed = stream.feed(std::string_view(text).substr(at, piece), emit);
  }
  out.finished = out.fed && stream.finish(emit);
  out.kind = stream.kind();
  out.is_error = stream.is_error_result();
  out.failure = stream.failure();
  return out;
}

// The same outcome however the text is cut.
Outcome run_all_cuts(const std::string& text, const std::string& expected = "42") {
  Outcome whole = run(text, 0, expected);
  for (std::size_t step = 1; step <= text.size(); ++step) {
    Outcome cut = run(text, step, expected);
    INFO("step " << step << ": " << text);
    REQUIRE(cut.finished == whole.finished);
    if (whole.finished) {
      REQUIRE(cut.output == whole.output);
      REQUIRE(cut.is_error == whole.is_error);
    }
  }
  return whole;
}

} // namespace

TEST_CASE("streamed response: the id is replaced wherever it stands, however the text is cut") {
  auto last = run_all_cuts(R"({"result":{"content":[{"type":"text","text":"a \"q\" \\ }]"}]},"jsonrpc":"2.0","id":42})");
  CHECK(last.finished);
  CHECK(last.kind == StreamedResponse::Kind::result);
  CHECK(last.output == R"({"result":{"content":[{"type":"text","text":"a \"q\" \\ }]"}]},"jsonrpc":"2.0","id":"c-7"})");

  auto first = run_all_cuts(R"( { "jsonrpc" : "2.0" , "id" : 42 , "result" : { } } )");
  CHECK(first.finished);
  CHECK(first.output == R"( { "jsonrpc" : "2.0" , "id" : "c-7" , "result" : { } })"); // trailing space dropped
}

TEST_CASE("streamed response: isError of the result is noticed for the audit log") {
  auto failed = run_all_cuts(R"({"jsonrpc":"2.0","id":42,"result":{"content":[],"isError":true}})");
  CHECK(failed.finished);
  CHECK(failed.is_error);
  auto fine = run_all_cuts(R"({"jsonrpc":"2.0","id":42,"result":{"isError":false,"content":[{"isError":true}]}})");
  CHECK(fine.finished);
  CHECK_FALSE(fine.is_error); // only result's own member counts
}

TEST_CASE("streamed response: the kind is decided by the first of result, error and method") {
  StreamedResponse stream("42", "1");
  StreamedResponse::Emit emit = [](std::string_view) {};
  REQUIRE(stream.feed(R"({"jsonrpc":"2.0","id":42,)", emit));
  CHECK(stream.kind() == StreamedResponse::Kind::undecided);
  REQUIRE(stream.feed(R"("result":{"content":[)", emit));
  CHECK(stream.kind() == StreamedResponse::Kind::result);

  CHECK(run(R"({"method":"notifications/message","params":{},"jsonrpc":"2.0"})", 0).kind ==
        StreamedResponse::Kind::other);
  auto error = run(R"({"jsonrpc":"2.0","id":42,"error":{"code":1,"message":"x"}})", 0);
  CHECK(error.kind == StreamedResponse::Kind::other);
  CHECK_FALSE(error.finished); // only results are streamed
}

TEST_CASE("streamed response: what is not one well-formed result with the expected id fails") {
  const std::vector<std::string> bad = {
      R"({"result":{},"jsonrpc":"2.0","id":43})",             // another request's id
      R"({"result":{},"jsonrpc":"2.0","id":420})",            // a longer number
      R"({"result":{},"jsonrpc":"2.0","id":"42"})",           // a string, not the number
      R"({"result":{},"jsonrpc":"2.0"})",                     // no id
      R"({"result":{},"jsonrpc":"1.0","id":42})",             // not 2.0
      R"({"result":{},"id":42})",                             // no jsonrpc
      R"({"result":{},"jsonrpc":"2.0","id":42,"id":42})",     // two ids
      R"({"result":{},"result":{},"jsonrpc":"2.0","id":42})", // two results
      R"({"result":{},"error":{},"jsonrpc":"2.0","id":42})",  // both
      R"({"params":1,"params":2,"result":{},"jsonrpc":"2.0","id":42})", // two params (fuzz: the envelope scan refuses it)
      R"({"result":{"a":[1,2}},"jsonrpc":"2.0","id":42})",    // mismatched brackets
      R"({"result":{},"jsonrpc":"2.0","id":42} x)",           // text after the end (never a whole message out)
      R"({"result":{},"jsonrpc":"2.0","id":42)",              // cut before the end
      R"({"result":{},"jsonrpc":"2.0","id":{"a":1}})",        // an object id
      R"({"result":{},"jsonrpc":"2.0","\u0069d":42})",        // an escaped member name
      R"({"result":{},"jsonrpc":"2.0","id":42,})",            // trailing comma
      R"({"result":{} "jsonrpc":"2.0","id":42})",             // missing comma
      R"({"result" {},"jsonrpc":"2.0","id":42})",             // missing colon
      R"([{"result":{},"jsonrpc":"2.0","id":42}])",           // a batch
      R"({"result":,"jsonrpc":"2.0","id":42})",               // no value
      "",
  };
  for (const auto& text : bad) {
    for (std::size_t step : {std::size_t{0}, std::size_t{1}, std::size_t{5}}) {
      auto out = run(text, step);
      INFO(text << " step " << step);
      CHECK_FALSE(out.finished);
      CHECK_FALSE(out.failure.empty());
    }
  }
}

TEST_CASE("streamed response: an id is never emitted before it is known to be the expected one") {
  StreamedResponse stream("42", "7");
  std::string out;
  StreamedResponse::Emit emit = [&](std::string_view bytes) { out.append(bytes); };
  REQUIRE(stream.feed(R"({"result":{"x":"y"},"jsonrpc":"2.0","id":4)", emit));
  CHECK(out == R"({"result":{"x":"y"},"jsonrpc":"2.0","id":)");
  REQUIRE(stream.feed("2}", emit));
  CHECK(out == R"({"result":{"x":"y"},"jsonrpc":"2.0","id":7)"); // the brace waits for finish()
  CHECK(stream.finish(emit));
  CHECK(out == R"({"result":{"x":"y"},"jsonrpc":"2.0","id":7})");
}

TEST_CASE("streamed response: a long string full of escapes is scanned in linear time") {
  std::string text = R"({"result":{"content":[{"type":"text","text":")";
  for (int i = 0; i < 200000; ++i) {
    text += "ab\\n\\\"";
  }
  text += R"("}]},"jsonrpc":"2.0","id":42})";
  auto out = run(text, 65536);
  CHECK(out.finished);
  CHECK(out.output.size() == text.size() + 3); // "c-7" (5 bytes) for 42 (2)
}

TEST_CASE("streamed response: nesting is bounded") {
  std::string deep = R"({"result":)" + std::string(2000, '[') + std::string(2000, ']') + R"(,"jsonrpc":"2.0","id":42})";
  auto out = run(deep, 0);
  CHECK_FALSE(out.finished);
  CHECK(out.failure == "nested too deeply");
}

TEST_CASE("streamed response: what went out before a failure never parses as a message") {
  // Text after the end: the object was complete, but its closing brace was held back.
  StreamedResponse stream("42", "1");
  std::string out;
  StreamedResponse::Emit emit = [&](std::string_view bytes) { out.append(bytes); };
  CHECK_FALSE(stream.feed(R"({"result":{},"jsonrpc":"2.0","id":42} {})", emit));
  CHECK_FALSE(stream.finish(emit));
  CHECK(out == R"({"result":{},"jsonrpc":"2.0","id":1)");
}
