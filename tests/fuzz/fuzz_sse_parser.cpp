// libFuzzer target for the SSE parser. The first bytes of the input choose the event size limit
// and the chunking; the rest is the stream. The same stream fed whole and fed in pieces must give
// the same events, the same failure and the same id/retry state, and every event must respect the
// parser's promises (size limit, padding, no line breaks in type or id).

#include "transport/sse_parser.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using bridge::transport::k_sse_data_padding;
using bridge::transport::SseEvent;
using bridge::transport::SseParser;

namespace {

struct Outcome {
  std::vector<SseEvent> events;
  bool failed = false;
  std::string last_event_id;
  std::optional<long long> retry_ms;
};

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

void check_event(const SseEvent& event, std::size_t max_bytes) {
  check(event.data.size() <= max_bytes);
  check(event.data.capacity() - event.data.size() >= k_sse_data_padding);
  check(!event.type.empty());
  check(event.data.find('\r') == std::string::npos);
  for (const std::string* field : {&event.type, &event.id}) {
    check(field->find('\n') == std::string::npos);
    check(field->find('\r') == std::string::npos);
  }
  check(event.id.find('\0') == std::string::npos);
}

// A small deterministic generator: chunk sizes come from the input, so a crash reproduces.
struct Chunker {
  std::uint32_t state;
  std::size_t max_piece;
  std::size_t next() {
    state = state * 1664525U + 1013904223U;
    return 1 + (state >> 8) % max_piece;
  }
};

Outcome run(std::string_view stream, std::size_t max_bytes, Chunker* chunker) {
  Outcome outcome;
  SseParser parser(
      [&](SseEvent&& event) {
        check(!outcome.failed);
        check_event(event, max_bytes);
        outcome.events.push_back(std::move(event));
      },
      max_bytes);
  std::size_t pos = 0;
  while (pos < stream.size() && !outcome.failed) {
    std::size_t n = chunker == nullptr ? stream.size() : std::min(chunker->next(), stream.size() - pos);
    outcome.failed = !parser.feed(stream.substr(pos, n)).ok();
    pos += n;
  }
  if (outcome.failed) {
    check(!parser.feed("data: x\n\n").ok()); // a failed parser stays stopped
  }
  outcome.last_event_id = parser.last_event_id();
  outcome.retry_ms = parser.retry_ms();
  if (outcome.retry_ms) {
    check(*outcome.retry_ms >= 0);
  }
  parser.finish();
  check(parser.last_event_id() == outcome.last_event_id);
  return outcome;
}

bool same(const Outcome& a, const Outcome& b) {
  if (a.events.size() != b.events.size() || a.failed != b.failed) {
    return false;
  }
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    if (a.events[i].type != b.events[i].type || a.events[i].data != b.events[i].data ||
        a.events[i].id != b.events[i].id) {
      return false;
    }
  }
  // After a failure the two runs stopped at different bytes, so only the events are comparable.
  return a.failed || (a.last_event_id == b.last_event_id && a.retry_ms == b.retry_ms);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) {
    return 0;
  }
  // Byte 0: the size limit (small ones exercise the failure path), bytes 1-2: the chunking.
  static constexpr std::size_t k_limits[] = {0, 1, 5, 16, 64, 300, std::size_t{1} << 20};
  std::size_t max_bytes = k_limits[data[0] % (sizeof(k_limits) / sizeof(k_limits[0]))];
  std::uint32_t seed = static_cast<std::uint32_t>(data[1]) | (static_cast<std::uint32_t>(data[2]) << 8);
  std::string_view stream(reinterpret_cast<const char*>(data + 3), size - 3);

  Outcome whole = run(stream, max_bytes, nullptr);
  Chunker single{seed, 1};
  check(same(whole, run(stream, max_bytes, &single)));
  Chunker small{seed, 7};
  check(same(whole, run(stream, max_bytes, &small)));
  Chunker large{seed, 1 + seed % 97};
  check(same(whole, run(stream, max_bytes, &large)));
  return 0;
}
