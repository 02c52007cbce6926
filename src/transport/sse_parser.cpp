#include "transport/sse_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <system_error>
#include <utility>

namespace bridge::transport {

namespace {

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

// The longest field prefix a data line can carry ("data: "): an unfinished line may exceed the
// data budget by this much before it is certain that its value will.
constexpr std::size_t k_data_prefix_max = 6;

// Appends with amortised geometric growth, always leaving k_sse_data_padding spare bytes, so a
// buffer that ends up as an event's data never needs a final reallocation (and copy) to get its
// padding. Past 1 MiB the capacity grows 8× at a time: each growth copies the content into a new
// buffer while the old one is still resident, so the peak is about twice the content at the last
// growth; with big steps that last growth comes early (a 50 MB event grows at 8 MiB, peaking near
// its own size, where doubling grew at 32 MiB and peaked at 64). Capacity never written to is
// address space, not resident memory.
void append_padded(std::string& buffer, std::string_view piece) {
  constexpr std::size_t k_large = std::size_t{1} << 20;
  std::size_t needed = buffer.size() + piece.size() + k_sse_data_padding;
  if (buffer.capacity() < needed) {
    std::size_t factor = buffer.capacity() >= k_large ? 8 : 2;
    buffer.reserve(std::max(needed, buffer.capacity() * factor));
  }
  buffer.append(piece);
}

// Finds c in [from, end) or returns end. memchr runs over new bytes only: callers never pass the
// carried-over partial line.
const char* find_or_end(const char* from, const char* end, char c) {
  const void* hit = std::memchr(from, c, static_cast<std::size_t>(end - from));
  return hit == nullptr ? end : static_cast<const char*>(hit);
}

// The most an event's data plus one unfinished line may hold (saturating: max may be SIZE_MAX).
std::size_t line_budget(std::size_t max_event_bytes) {
  return max_event_bytes > std::numeric_limits<std::size_t>::max() - k_data_prefix_max
             ? std::numeric_limits<std::size_t>::max()
             : max_event_bytes + k_data_prefix_max;
}

// The length of a `data` field prefix that can be dropped from the start of a line already:
// "data: " (6), or "data:" (5) when the next byte is known not to be the optional space.
std::size_t data_prefix_length(std::string_view start) {
  if (start.size() < 6 || start.substr(0, 5) != "data:") {
    return 0;
  }
  return start[5] == ' ' ? 6 : 5;
}

bool all_ascii_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

SseParser::SseParser(EventHandler on_event, std::size_t max_event_bytes)
    : m_on_event(std::move(on_event)), m_max_event_bytes(max_event_bytes) {}

void SseParser::stream_large_events(std::size_t threshold, LargeEventHandler handler) {
  m_stream_threshold = threshold;
  m_large_event_handler = std::move(handler);
}

core::Status SseParser::fail() {
  if (!m_failed) {
    m_failed = true;
    m_sink = nullptr;
    m_sink_line = false;
    // Give the memory back at once: the stream is dead and the buffers may be huge.
    std::string().swap(m_line);
    m_line_prefix = 0;
    std::string().swap(m_data);
    m_has_data = false;
  }
  if (m_refused) {
    return core::make_error(core::ErrorKind::protocol, "the receiver of a streamed SSE event stopped it");
  }
  return core::make_error(core::ErrorKind::protocol,
                          "SSE event larger than " + std::to_string(m_max_event_bytes) + " bytes");
}

void SseParser::offer_large_event() {
  if (!m_large_event_handler || m_offered || m_sink != nullptr || m_has_data || m_line.size() < m_stream_threshold ||
      !(m_event_type.empty() || m_event_type == "message")) {
    return;
  }
  // A data line whose first chunk was too short to drop its prefix at once still has it.
  std::size_t prefix = m_line_prefix != 0 ? 0 : data_prefix_length(m_line);
  if ((m_line_prefix == 0 && prefix == 0) || m_line.size() - prefix < m_stream_threshold) {
    return; // not a data line, or not large yet
  }
  m_offered = true;
  // The id buffer outlives events: not empty means the server numbers its events (resumable).
  SseDataSink* sink = m_large_event_handler(std::string_view(m_line).substr(prefix), !m_id_buffer.empty());
  if (sink == nullptr) {
    return;
  }
  m_sink = sink;
  m_sink_line = true;
  std::string().swap(m_line); // handed over: the memory goes back now
  m_line_prefix = 0;
}

bool SseParser::to_sink(std::string_view bytes) {
  if (!m_sink->data(bytes)) {
    m_refused = true;
    return false;
  }
  return true;
}

bool SseParser::carry_over(std::string_view partial) {
  // The unfinished line counts toward the event's budget, so a peer that never sends a line
  // terminator cannot grow memory without bound either.
  // The dropped prefix counts as if it were still there: failing must not depend on chunking.
  std::size_t pending = m_data.size() + m_line_prefix + m_line.size() + partial.size();
  if (pending > line_budget(m_max_event_bytes)) {
    return false;
  }
  if (m_line.empty() && m_line_prefix == 0) {
    m_line_prefix = data_prefix_length(partial);
    partial.remove_prefix(m_line_prefix);
  }
  append_padded(m_line, partial);
  return true;
}

core::Status SseParser::feed(std::string_view chunk) {
  if (m_failed) {
    return fail();
  }
  if (chunk.empty()) {
    return core::ok_status();
  }
  if (!m_bom_checked) {
    // A BOM may arrive split across chunks: its bytes wait in m_line until they are known to be a
    // BOM (dropped) or the start of the first line (kept).
    while (!chunk.empty() && m_line.size() < k_bom.size() && chunk.front() == k_bom[m_line.size()]) {
      m_line.push_back(chunk.front());
      chunk.remove_prefix(1);
    }
    if (m_line.size() == k_bom.size()) {
      m_line.clear();
      m_bom_checked = true;
    } else if (!chunk.empty()) {
      m_bom_checked = true;
    } else {
      return core::ok_status();
    }
    if (chunk.empty()) {
      return core::ok_status();
    }
  }
  if (m_pending_cr) {
    m_pending_cr = false;
    if (chunk.front() == '\n') {
      chunk.remove_prefix(1);
    }
  }

  const char* pos = chunk.data();
  const char* const end = chunk.data() + chunk.size();
  // The next LF and CR are cached separately so that a chunk of many LF lines with no CR does not
  // rescan to the end for a CR after every line.
  const char* next_lf = find_or_end(pos, end, '\n');
  const char* next_cr = find_or_end(pos, end, '\r');
  while (true) {
    const char* eol = std::min(next_lf, next_cr);
    if (eol == end) {
      break;
    }
    std::string_view piece(pos, static_cast<std::size_t>(eol - pos));
    bool line_ok = true;
    if (m_sink_line) {
      m_sink_line = false; // the rest of a streamed data line
      line_ok = to_sink(piece);
    } else if (m_line.empty() && m_line_prefix == 0) {
      // The same budget check a carried-over line gets, so that failing does not depend on how
      // the stream happened to be chunked.
      line_ok = m_data.size() + piece.size() <= line_budget(m_max_event_bytes) &&
                process_line(piece, nullptr);
    } else if (m_line_prefix != 0) {
      line_ok = carry_over(piece) && add_data(m_line, &m_line, 0);
      m_line.clear();
      m_line_prefix = 0;
    } else {
      line_ok = carry_over(piece) && process_line(m_line, &m_line);
      m_line.clear();
    }
    if (!line_ok || m_failed) {
      return fail();
    }
    if (*eol == '\r') {
      if (eol + 1 == end) {
        m_pending_cr = true; // a CRLF may be split: the LF would start the next chunk
        pos = end;
        break;
      }
      pos = eol[1] == '\n' ? eol + 2 : eol + 1;
    } else {
      pos = eol + 1;
    }
    if (next_lf < pos) {
      next_lf = find_or_end(pos, end, '\n');
    }
    if (next_cr < pos) {
      next_cr = find_or_end(pos, end, '\r');
    }
  }
  if (pos != end) {
    std::string_view rest(pos, static_cast<std::size_t>(end - pos));
    if (m_sink_line) {
      if (!to_sink(rest)) {
        return fail();
      }
    } else {
      if (!carry_over(rest)) {
        return fail();
      }
      offer_large_event();
    }
  }
  return core::ok_status();
}

bool SseParser::process_line(std::string_view line, std::string* owner) {
  if (line.empty()) {
    dispatch();
    return true;
  }
  if (line.front() == ':') {
    return true; // a comment, e.g. the SDKs' keep-alive
  }
  std::size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::size_t value_start = line.size();
  if (colon != std::string_view::npos) {
    value_start = colon + 1;
    if (value_start < line.size() && line[value_start] == ' ') {
      ++value_start;
    }
  }
  std::string_view value = line.substr(value_start);

  if (field == "data") {
    return add_data(value, owner, value_start);
  } else if (field == "event") {
    m_event_type.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) {
      m_id_buffer.assign(value);
    }
  } else if (field == "retry") {
    if (all_ascii_digits(value)) {
      long long ms = 0;
      auto [parsed_end, error] = std::from_chars(value.data(), value.data() + value.size(), ms);
      // A value too large for long long is ignored like any other unusable one.
      if (error == std::errc{} && parsed_end == value.data() + value.size()) {
        m_retry_ms = ms;
      }
    }
  }
  // Any other field is ignored, as the standard says.
  return true;
}

bool SseParser::add_data(std::string_view value, std::string* owner, std::size_t value_offset) {
  if (m_sink != nullptr) {
    return to_sink(" ") && to_sink(value); // a later data line of a streamed event
  }
  std::size_t new_size = m_has_data ? m_data.size() + 1 + value.size() : value.size();
  if (new_size > m_max_event_bytes) {
    return false;
  }
  if (m_has_data) {
    append_padded(m_data, "\n");
    append_padded(m_data, value);
  } else if (owner != nullptr) {
    // Take the line buffer over (dropping a prefix still in it): a 50 MB line is never copied,
    // and never exists twice.
    m_data = std::move(*owner);
    if (value_offset != 0) {
      m_data.erase(0, value_offset);
    }
  } else {
    m_data.clear();
    append_padded(m_data, value);
  }
  m_has_data = true;
  return true;
}

void SseParser::dispatch() {
  // The id is committed even when nothing is dispatched: a resumed stream must start after it.
  m_last_event_id = m_id_buffer;
  m_offered = false;
  if (m_sink != nullptr) {
    SseDataSink* sink = m_sink;
    m_sink = nullptr;
    m_sink_line = false;
    m_has_data = false;
    m_event_type.clear();
    sink->end();
    return;
  }
  if (!m_has_data) {
    m_event_type.clear();
    return;
  }
  SseEvent event;
  if (!m_event_type.empty()) {
    event.type = std::move(m_event_type);
  }
  event.data = std::move(m_data);
  if (event.data.capacity() - event.data.size() < k_sse_data_padding) {
    event.data.reserve(event.data.size() + k_sse_data_padding);
  }
  event.id = m_last_event_id;
  m_data.clear();
  m_has_data = false;
  m_event_type.clear();
  m_on_event(std::move(event));
}

void SseParser::finish() {
  // An unterminated event is discarded. The parser is left ready for a new stream (a reconnect),
  // keeping what outlives a connection: the last event id and the retry time.
  std::string().swap(m_line);
  m_line_prefix = 0;
  std::string().swap(m_data);
  m_has_data = false;
  m_event_type.clear();
  m_id_buffer = m_last_event_id;
  m_pending_cr = false;
  m_bom_checked = false;
  m_failed = false;
  m_refused = false;
  m_sink = nullptr; // an unfinished streamed event is the sink owner's to end
  m_sink_line = false;
  m_offered = false;
}

} // namespace bridge::transport
