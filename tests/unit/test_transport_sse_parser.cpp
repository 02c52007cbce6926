#include "transport/sse_parser.hpp"

#include "catch.hpp"

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using bridge::transport::k_sse_data_padding;
using bridge::transport::SseEvent;
using bridge::transport::SseParser;

namespace {

struct Collected {
  std::vector<SseEvent> events;
  bool padding_ok = true;
};

// Feeds `stream` cut at the given sizes (cycled) and collects what comes out.
struct Harness {
  Collected out;
  SseParser parser;
  explicit Harness(std::size_t max_bytes = std::size_t{512} << 20)
      : parser(
            [this](SseEvent&& event) {
              if (event.data.capacity() - event.data.size() < k_sse_data_padding) {
                out.padding_ok = false;
              }
              out.events.push_back(std::move(event));
            },
            max_bytes) {}
};

std::vector<SseEvent> parse_whole(std::string_view stream) {
  Harness harness;
  REQUIRE(harness.parser.feed(stream).ok());
  harness.parser.finish();
  CHECK(harness.out.padding_ok);
  return std::move(harness.out.events);
}

std::vector<SseEvent> parse_in_pieces(std::string_view stream, const std::vector<std::size_t>& sizes,
                                      std::string* last_id = nullptr) {
  Harness harness;
  std::size_t pos = 0;
  std::size_t i = 0;
  while (pos < stream.size()) {
    std::size_t n = std::min(sizes[i++ % sizes.size()], stream.size() - pos);
    REQUIRE(harness.parser.feed(stream.substr(pos, n)).ok());
    pos += n;
  }
  if (last_id != nullptr) {
    *last_id = harness.parser.last_event_id();
  }
  harness.parser.finish();
  CHECK(harness.out.padding_ok);
  return std::move(harness.out.events);
}

bool same_events(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].data != b[i].data || a[i].id != b[i].id) {
      return false;
    }
  }
  return true;
}

} // namespace

TEST_CASE("sse: a simple message event", "[sse]") {
  auto events = parse_whole("event: message\nid: 1\ndata: {\"jsonrpc\":\"2.0\"}\n\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "message");
  CHECK(events[0].id == "1");
  CHECK(events[0].data == "{\"jsonrpc\":\"2.0\"}");
}

TEST_CASE("sse: type defaults to message and resets after each event", "[sse]") {
  auto events = parse_whole("event: ping\ndata: a\n\ndata: b\n\n");
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == "ping");
  CHECK(events[1].type == "message");
  auto empty_type = parse_whole("event:\ndata: c\n\n");
  REQUIRE(empty_type.size() == 1);
  CHECK(empty_type[0].type == "message");
}

TEST_CASE("sse: multi-line data joins with LF; one leading space is stripped", "[sse]") {
  auto events = parse_whole("data: one\ndata:two\ndata:  three\ndata\n\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].data == "one\ntwo\n three\n");
}

TEST_CASE("sse: LF, CRLF and CR line endings all work", "[sse]") {
  for (std::string_view eol : {"\n", "\r\n", "\r"}) {
    std::string stream = "id: 7" + std::string(eol) + "data: x" + std::string(eol) + "data: y" + std::string(eol) +
                         std::string(eol) + "data: z" + std::string(eol) + std::string(eol);
    auto events = parse_whole(stream);
    INFO("eol size " << eol.size());
    REQUIRE(events.size() == 2);
    CHECK(events[0].data == "x\ny");
    CHECK(events[0].id == "7");
    CHECK(events[1].data == "z");
  }
}

TEST_CASE("sse: a CRLF split across chunks is one line ending", "[sse]") {
  Harness harness;
  REQUIRE(harness.parser.feed("data: a\r").ok());
  REQUIRE(harness.parser.feed("\n\r").ok());
  CHECK(harness.out.events.size() == 1); // "\r" then "\n" + "\r" = two line endings, not three
  REQUIRE(harness.parser.feed("\ndata: b\r").ok());
  REQUIRE(harness.parser.feed("").ok()); // an empty chunk keeps the pending CR pending
  REQUIRE(harness.parser.feed("\n").ok());
  REQUIRE(harness.parser.feed("\r\n").ok());
  REQUIRE(harness.out.events.size() == 2);
  CHECK(harness.out.events[0].data == "a");
  CHECK(harness.out.events[1].data == "b");
}

TEST_CASE("sse: CR CR is two line endings (an empty line dispatches)", "[sse]") {
  auto events = parse_whole("data: a\r\rdata: b\r\r");
  REQUIRE(events.size() == 2);
  CHECK(events[0].data == "a");
  CHECK(events[1].data == "b");
}

TEST_CASE("sse: a leading BOM is dropped, also when split, and only once", "[sse]") {
  auto events = parse_whole("\xEF\xBB\xBF" "data: a\n\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].data == "a");

  auto split = parse_in_pieces("\xEF\xBB\xBF" "data: a\n\n", {1});
  REQUIRE(split.size() == 1);
  CHECK(split[0].data == "a");

  // A second BOM is part of the field name, so the line is an unknown field.
  auto twice = parse_whole("\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\ndata: b\n\n");
  REQUIRE(twice.size() == 1);
  CHECK(twice[0].data == "b");

  // Bytes that only begin like a BOM are kept.
  auto partial = parse_in_pieces("\xEF\xBB" "x: 1\ndata: c\n\n", {1});
  REQUIRE(partial.size() == 1);
  CHECK(partial[0].data == "c");
}

TEST_CASE("sse: comments and unknown fields are ignored", "[sse]") {
  auto events = parse_whole(": keepalive\n\n:\nfoo: bar\ndata: a\n: inside\nbaz\n\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].data == "a");
}

TEST_CASE("sse: field names are exact (case-sensitive, no spaces)", "[sse]") {
  auto events = parse_whole("Data: no\ndata : no\n data: no\ndata: yes\n\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].data == "yes");
}

TEST_CASE("sse: an event without data is not dispatched, but its id is committed", "[sse]") {
  Harness harness;
  REQUIRE(harness.parser.feed("id: 42\nevent: x\n\n").ok());
  CHECK(harness.out.events.empty());
  CHECK(harness.parser.last_event_id() == "42");
  // Its event type does not leak into the next event.
  REQUIRE(harness.parser.feed("data: a\n\n").ok());
  REQUIRE(harness.out.events.size() == 1);
  CHECK(harness.out.events[0].type == "message");
  CHECK(harness.out.events[0].id == "42");
}

TEST_CASE("sse: an empty data line dispatches an event with empty data", "[sse]") {
  // WHATWG: only an event with no data field at all is dropped.
  auto events = parse_whole("data:\n\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].data.empty());
}

TEST_CASE("sse: the id persists across events and is committed only at dispatch", "[sse]") {
  Harness harness;
  REQUIRE(harness.parser.feed("id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n").ok());
  REQUIRE(harness.out.events.size() == 2);
  CHECK(harness.out.events[0].id == "1");
  CHECK(harness.out.events[1].id == "1");
  CHECK(harness.parser.last_event_id() == "1"); // id 2 belongs to an event not yet complete
  REQUIRE(harness.parser.feed("\n").ok());
  CHECK(harness.parser.last_event_id() == "2");
  REQUIRE(harness.parser.feed("id\ndata: d\n\n").ok()); // "id" with no value resets it
  REQUIRE(harness.out.events.size() == 4);
  CHECK(harness.out.events[3].id.empty());
}

TEST_CASE("sse: an id containing NUL is ignored", "[sse]") {
  Harness harness;
  REQUIRE(harness.parser.feed("id: good\ndata: a\n\n").ok());
  REQUIRE(harness.parser.feed(std::string_view("id: b\0d\ndata: b\n\n", 18)).ok());
  REQUIRE(harness.out.events.size() == 2);
  CHECK(harness.out.events[1].id == "good");
  CHECK(harness.parser.last_event_id() == "good");
}

TEST_CASE("sse: retry takes ASCII digits only", "[sse]") {
  Harness harness;
  CHECK_FALSE(harness.parser.retry_ms().has_value());
  REQUIRE(harness.parser.feed("retry: 500\n").ok());
  CHECK(harness.parser.retry_ms() == 500); // applies at once, without an event
  for (std::string_view bad : {"retry: 5x\n", "retry: -1\n", "retry: +7\n", "retry: 1.5\n", "retry:\n",
                               "retry:  12\n", "retry: 99999999999999999999999\n"}) {
    REQUIRE(harness.parser.feed(bad).ok());
    CHECK(harness.parser.retry_ms() == 500);
  }
  REQUIRE(harness.parser.feed("retry:0\n").ok());
  CHECK(harness.parser.retry_ms() == 0);
  CHECK(harness.out.events.empty());
}

TEST_CASE("sse: finish() discards an unterminated event and allows a new stream", "[sse]") {
  Harness harness;
  REQUIRE(harness.parser.feed("id: 1\ndata: a\n\nid: 2\ndata: half").ok());
  harness.parser.finish();
  REQUIRE(harness.out.events.size() == 1);
  CHECK(harness.parser.last_event_id() == "1");
  // A reconnect's stream: BOM allowed again, no leftovers from the old one.
  REQUIRE(harness.parser.feed("\xEF\xBB\xBF" "data: b\n\n").ok());
  REQUIRE(harness.out.events.size() == 2);
  CHECK(harness.out.events[1].data == "b");
  CHECK(harness.out.events[1].id == "1");

  Harness unterminated;
  REQUIRE(unterminated.parser.feed("data: x\n").ok()); // line complete, event not
  unterminated.parser.finish();
  CHECK(unterminated.out.events.empty());
}

TEST_CASE("sse: dispatched data always has padding", "[sse]") {
  for (std::size_t size : {0U, 1U, 15U, 16U, 63U, 64U, 100U, 1000U, 4096U, 100000U}) {
    std::string stream = "data: " + std::string(size, 'x') + "\n\n";
    for (std::size_t piece : {1U, 7U, 4096U, 1000000U}) {
      Harness harness;
      std::size_t pos = 0;
      while (pos < stream.size()) {
        std::size_t n = std::min(piece, stream.size() - pos);
        REQUIRE(harness.parser.feed(std::string_view(stream).substr(pos, n)).ok());
        pos += n;
      }
      REQUIRE(harness.out.events.size() == 1);
      CHECK(harness.out.events[0].data.size() == size);
      CHECK(harness.out.padding_ok);
    }
  }
}

TEST_CASE("sse: the same stream in any chunking gives the same events", "[sse]") {
  std::string stream = "\xEF\xBB\xBF: hello\r\n"
                       "retry: 1500\r\n"
                       "event: message\r\nid: 1\r\ndata: {\"a\":1}\r\n\r\n"
                       "data: line1\rdata: line2\r\r"
                       "id: 2\nevent: notify\ndata:\ndata: x\n\n"
                       "id: 3\n\n"
                       ": keepalive\n\n"
                       "data:no space\r\n\r\n"
                       "foo:bar\ndata: " +
                       std::string(5000, 'z') +
                       "\n\n"
                       "event: e\nid\ndata: last\n\n"
                       "data: incomplete";
  auto reference = parse_whole(stream);
  REQUIRE(reference.size() == 6);
  CHECK(reference[1].data == "line1\nline2");
  CHECK(reference[2].type == "notify");
  CHECK(reference[2].data == "\nx");
  CHECK(reference[3].id == "3");
  CHECK(reference[5].id.empty());

  std::string last_id;
  REQUIRE(same_events(parse_in_pieces(stream, {1}, &last_id), reference));
  CHECK(last_id.empty());
  REQUIRE(same_events(parse_in_pieces(stream, {2}), reference));
  REQUIRE(same_events(parse_in_pieces(stream, {3, 1, 4, 1, 5, 9, 2, 6}), reference));

  std::mt19937 rng(20240607);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::size_t> sizes;
    std::uniform_int_distribution<std::size_t> pick(1, round % 2 == 0 ? 8 : 700);
    for (int i = 0; i < 64; ++i) {
      sizes.push_back(pick(rng));
    }
    INFO("round " << round);
    REQUIRE(same_events(parse_in_pieces(stream, sizes), reference));
  }
}

TEST_CASE("sse: a random stream of line endings and fields is chunking-independent", "[sse]") {
  std::mt19937 rng(7);
  const std::vector<std::string> pieces = {"data: a", "data:b", "data", "id: 1", "id:2", "event: t", "retry: 9",
                                           ":c", "\n", "\r", "\r\n", "\n\n", "\r\r", "xyz", " "};
  for (int round = 0; round < 100; ++round) {
    std::string stream;
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
    for (int i = 0; i < 200; ++i) {
      stream += pieces[pick(rng)];
    }
    auto reference = parse_whole(stream);
    std::uniform_int_distribution<std::size_t> size(1, 13);
    std::vector<std::size_t> sizes;
    for (int i = 0; i < 32; ++i) {
      sizes.push_back(size(rng));
    }
    INFO("round " << round);
    REQUIRE(same_events(parse_in_pieces(stream, {1}), reference));
    REQUIRE(same_events(parse_in_pieces(stream, sizes), reference));
  }
}

TEST_CASE("sse: a multi-megabyte event in 16 KB chunks", "[sse]") {
  constexpr std::size_t k_size = std::size_t{50} << 20;
  std::string payload(k_size, 'x');
  for (std::size_t i = 0; i < payload.size(); i += 1000) {
    payload[i] = static_cast<char>('a' + (i / 1000) % 26);
  }
  std::string stream = "event: message\r\nid: big\r\ndata: " + payload + "\r\n\r\n";
  Harness harness;
  auto started = std::chrono::steady_clock::now();
  for (std::size_t pos = 0; pos < stream.size(); pos += 16384) {
    REQUIRE(harness.parser.feed(std::string_view(stream).substr(pos, 16384)).ok());
  }
  auto elapsed = std::chrono::steady_clock::now() - started;
  REQUIRE(harness.out.events.size() == 1);
  CHECK(harness.out.events[0].data == payload);
  CHECK(harness.out.padding_ok);
  // The line buffer is moved into the event, not copied: its capacity is that of an amortised
  // buffer (< 2x), never a fresh exact-size copy plus the old buffer.
  CHECK(harness.out.events[0].data.capacity() < 2 * k_size + 64);
  // Linear: quadratic rescanning would take minutes. Generous for sanitizer builds.
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count() < 10);
}

TEST_CASE("sse: a data prefix cut anywhere by the chunking (dropped early when it can be)", "[sse]") {
  // A line that starts a chunk's unfinished tail has its "data:"/"data: " dropped at once; the
  // optional space after "data:" is only known once the next byte has arrived.
  const std::string stream = "data:x1\n\ndata: y2\n\ndata:  z3\n\ndata:\n\ndata: a\ndata:b\n\ndatax: no\ndata: \n\n";
  auto whole = parse_whole(stream);
  REQUIRE(whole.size() == 6);
  CHECK(whole[0].data == "x1");
  CHECK(whole[1].data == "y2");
  CHECK(whole[2].data == " z3");
  CHECK(whole[3].data == "");
  CHECK(whole[4].data == "a\nb");
  CHECK(whole[5].data == "");
  for (std::size_t first = 1; first <= 12; ++first) {
    for (std::size_t rest : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{6}, std::size_t{7}, std::size_t{64}}) {
      CHECK(same_events(parse_in_pieces(stream, {first, rest}), whole));
    }
  }
}

TEST_CASE("sse: many events in one chunk are all found", "[sse]") {
  std::string stream;
  for (int i = 0; i < 10000; ++i) {
    stream += "id: " + std::to_string(i) + "\ndata: " + std::to_string(i * 2) + "\n\n";
  }
  auto events = parse_whole(stream);
  REQUIRE(events.size() == 10000);
  CHECK(events[9999].id == "9999");
  CHECK(events[9999].data == "19998");
}

TEST_CASE("sse: max_event_bytes stops the parser", "[sse]") {
  SECTION("data within the limit passes, one byte over fails") {
    Harness harness(10);
    REQUIRE(harness.parser.feed("data: 0123456789\n\n").ok());
    REQUIRE(harness.out.events.size() == 1);
    auto status = harness.parser.feed("data: 0123456789A\n\n");
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().message.find("10") != std::string::npos);
    CHECK(harness.out.events.size() == 1);
    // Stopped: later input is refused too.
    CHECK_FALSE(harness.parser.feed("data: a\n\n").ok());
    CHECK(harness.out.events.size() == 1);
  }
  SECTION("multi-line data counts the joining LFs") {
    Harness harness(10);
    REQUIRE(harness.parser.feed("data: 01234\ndata: 5678\n").ok()); // 10 bytes with the LF
    CHECK_FALSE(harness.parser.feed("data:\n").ok());
  }
  SECTION("an endless line without terminator fails before memory runs out") {
    Harness harness(1000);
    REQUIRE(harness.parser.feed("data: ").ok());
    for (int i = 0; i < 100; ++i) {
      auto status = harness.parser.feed(std::string(100, 'x'));
      if (!status.ok()) {
        CHECK(i >= 9);
        CHECK(harness.out.events.empty());
        return;
      }
    }
    FAIL("the limit was never hit");
  }
  SECTION("the limit applies across chunks of a big line") {
    Harness harness(std::size_t{1} << 20);
    bool failed = false;
    REQUIRE(harness.parser.feed("data: ").ok());
    for (int i = 0; i < 100 && !failed; ++i) {
      failed = !harness.parser.feed(std::string(16384, 'y')).ok();
    }
    CHECK(failed);
  }
}

namespace {

// A sink that records what a streamed event delivered.
struct RecordingSink final : bridge::transport::SseDataSink {
  std::string received;
  int ends = 0;
  bool refuse = false;
  bool data(std::string_view bytes) override {
    received.append(bytes);
    return !refuse;
  }
  void end() override { ++ends; }
};

struct StreamingHarness {
  std::vector<SseEvent> events;
  RecordingSink sink;
  std::vector<std::string> offered; // data so far, per offer
  std::vector<bool> offered_with_id;
  bool accept = true;
  SseParser parser{[this](SseEvent&& event) { events.push_back(std::move(event)); }};
  explicit StreamingHarness(std::size_t threshold) {
    parser.stream_large_events(threshold, [this](std::string_view so_far, bool has_id) -> bridge::transport::SseDataSink* {
      offered.emplace_back(so_far);
      offered_with_id.push_back(has_id);
      return accept ? &sink : nullptr;
    });
  }
  void feed_in_pieces(std::string_view stream, std::size_t size) {
    for (std::size_t pos = 0; pos < stream.size(); pos += size) {
      REQUIRE(parser.feed(stream.substr(pos, size)).ok());
    }
  }
};

} // namespace

TEST_CASE("SSE parser: a large event goes to the sink as it arrives, however it is chunked") {
  const std::string big(5000, 'x');
  const std::string stream = "event: message\ndata: small\n\ndata: " + big + "\r\ndata: tail\n\n: ping\ndata: after\n\n";
  for (std::size_t size : {std::size_t{1}, std::size_t{7}, std::size_t{1024}, std::size_t{3000}}) {
    StreamingHarness h(1000);
    h.feed_in_pieces(stream, size);
    INFO("chunk size " << size);
    // The small events before and after are dispatched as usual; the large one is not.
    REQUIRE(h.events.size() == 2);
    CHECK(h.events[0].data == "small");
    CHECK(h.events[1].data == "after");
    REQUIRE(h.offered.size() == 1);
    CHECK(h.offered[0].size() >= 1000);
    CHECK(h.offered[0] == big.substr(0, h.offered[0].size())); // the prefix "data: " dropped
    CHECK_FALSE(h.offered_with_id[0]);
    // The offer's bytes are the caller's to pass on; the sink gets the rest, lines joined by a space.
    CHECK(h.offered[0] + h.sink.received == big + " tail");
    CHECK(h.sink.ends == 1);
  }
}

TEST_CASE("SSE parser: a declined large event is held and dispatched whole; small events are never offered") {
  const std::string big(5000, 'y');
  StreamingHarness h(1000);
  h.accept = false;
  h.feed_in_pieces("data: " + big + "\n\ndata: " + std::string(999, 'z') + "\n\n", 512);
  REQUIRE(h.offered.size() == 1); // offered once, not on every chunk after
  REQUIRE(h.events.size() == 2);
  CHECK(h.events[0].data == big);
  CHECK(h.events[1].data.size() == 999);
  CHECK(h.sink.received.empty());
}

TEST_CASE("SSE parser: an event of another type, or of a numbered stream, is offered accordingly") {
  const std::string big(3000, 'w');
  StreamingHarness typed(1000);
  typed.feed_in_pieces("event: other\ndata: " + big + "\n\n", 100);
  CHECK(typed.offered.empty()); // not a message: never streamed
  REQUIRE(typed.events.size() == 1);

  StreamingHarness numbered(1000);
  numbered.accept = false;
  numbered.feed_in_pieces("id: 7\ndata: " + big + "\n\n", 100);
  REQUIRE(numbered.offered_with_id.size() == 1);
  CHECK(numbered.offered_with_id[0]); // resumable: the handler may decline to keep it replayable
}

TEST_CASE("SSE parser: a sink that stops the stream fails the parser") {
  StreamingHarness h(100);
  h.sink.refuse = true;
  REQUIRE(h.parser.feed("data: " + std::string(200, 'a')).ok());
  auto status = h.parser.feed(std::string(50, 'b'));
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message.find("stopped") != std::string::npos);
  CHECK_FALSE(h.parser.feed("\n\n").ok());
}
