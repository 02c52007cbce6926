#pragma once

// A pure Server-Sent Events parser (WHATWG "event stream interpretation"): fed bytes in chunks as
// they arrive, it emits whole events. It scans only newly received bytes, so a 50 MB event costs
// O(50 MB) however it is chunked (an incumbent rescans the unfinished line on every chunk).

#include "core/result.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace bridge::transport {

struct SseEvent {
  std::string type = "message"; // the `event:` field, "message" when absent
  // Lines of `data:` joined with '\n'. Guaranteed to have at least k_sse_data_padding bytes of
  // spare capacity beyond size(), so a JSON scanner that reads past the end (simdjson) can use it
  // in place without a copy.
  std::string data;
  std::string id; // last event id in force when this event was dispatched
};

inline constexpr std::size_t k_sse_data_padding = 64;

// Takes the data of one large event as it arrives, instead of the parser holding it whole
// (see SseParser::stream_large_events).
class SseDataSink {
public:
  virtual ~SseDataSink() = default;
  // More of the event's data. Lines after the first are joined with a space, not a newline (JSON
  // does not care, and the bytes may go on into a newline-delimited stream). False: stop parsing.
  virtual bool data(std::string_view bytes) = 0;
  // The event is complete (its blank line arrived).
  virtual void end() = 0;
};

// Asked once per event whose first `data` line grows past the threshold before it ends, with that
// data so far and whether the event carries an `id` (a resumable stream). Returns the sink that
// takes the rest of the event, or null to let the parser hold it as usual.
using LargeEventHandler = std::function<SseDataSink*(std::string_view data_so_far, bool has_id)>;

class SseParser {
public:
  using EventHandler = std::function<void(SseEvent&&)>;

  // max_event_bytes bounds one event's data (a hostile or broken upstream must not exhaust memory).
  explicit SseParser(EventHandler on_event, std::size_t max_event_bytes = std::size_t{512} << 20);

  // Feeds newly received bytes. Accepts LF, CRLF and CR line endings, a leading UTF-8 BOM, comment
  // lines (":" keep-alives), unknown fields (ignored), `id` (a value containing NUL is ignored) and
  // `retry` (digits only). An event with empty data is not dispatched, but its id still becomes the
  // last event id. Returns an error (and stops parsing) when an event exceeds max_event_bytes.
  // ("Empty data" as WHATWG means it: no `data` field at all. A `data:` line with an empty value
  // dispatches an event whose data is "". The budget also covers one unfinished line, so a peer
  // that never ends a line is stopped too; whether it fails never depends on the chunking.)
  // The handler must not destroy the parser.
  core::Status feed(std::string_view chunk);

  // Events of type "message" whose data exceeds `threshold` bytes before its first line ends are
  // offered to `handler`: when it returns a sink, the event's data goes there as it arrives (the
  // parser holds none of it, and the size limit no longer applies: nothing is held) and the event
  // is not dispatched to the event handler. The sink must outlive the event or the parser.
  void stream_large_events(std::size_t threshold, LargeEventHandler handler);

  // The stream ended: an unterminated last event is discarded, as the standard says. The parser is
  // then ready for a new stream (a reconnect), keeping last_event_id() and retry_ms().
  void finish();

  [[nodiscard]] const std::string& last_event_id() const { return m_last_event_id; }
  // The most recent valid `retry:` value in milliseconds, if any was received.
  [[nodiscard]] std::optional<long long> retry_ms() const { return m_retry_ms; }

private:
  // `line` is one whole line without its terminator. When `owner` is not null it holds exactly the
  // bytes of `line` and may be moved from (a big `data:` line is taken over, never copied).
  // Fails (and stops the parser) when a `data:` line makes the event exceed max_event_bytes.
  [[nodiscard]] bool process_line(std::string_view line, std::string* owner);
  // A `data` line's value; `owner`, when not null, holds the line from byte `value_offset` on
  // being exactly `value`, and may be moved from.
  [[nodiscard]] bool add_data(std::string_view value, std::string* owner, std::size_t value_offset);
  void dispatch();
  core::Status fail();
  [[nodiscard]] bool carry_over(std::string_view partial);
  // After carry_over: offers the unfinished data line to the large-event handler when due.
  void offer_large_event();
  [[nodiscard]] bool to_sink(std::string_view bytes);

  EventHandler m_on_event;
  std::size_t m_max_event_bytes;
  std::string m_line;          // the unfinished line carried over between chunks
  // When not 0, m_line is the value of a `data` line whose first m_line_prefix bytes ("data:" or
  // "data: ") were dropped as the line began: a big value is then never moved down by 6 bytes.
  std::size_t m_line_prefix = 0;
  bool m_pending_cr = false;   // last chunk ended in CR: a following LF belongs to it
  bool m_bom_checked = false;
  bool m_failed = false;
  std::string m_data;
  bool m_has_data = false;
  std::string m_event_type;
  std::string m_id_buffer;     // the standard's "last event ID buffer": committed at dispatch
  std::string m_last_event_id;
  std::optional<long long> m_retry_ms;
  std::size_t m_stream_threshold = 0;
  LargeEventHandler m_large_event_handler;
  SseDataSink* m_sink = nullptr; // the current event's data goes here
  bool m_sink_line = false;      // the unfinished line is a data line going to m_sink
  bool m_offered = false;        // the current event was offered (and declined)
  bool m_refused = false;        // the sink stopped the stream
};

} // namespace bridge::transport
