#pragma once

// Cut-through forwarding of one large JSON-RPC response: the bytes of an upstream's reply are
// passed on to the client while they are still arriving, with the upstream's id (the bridge's
// own) replaced by the client's on the way. A store-and-forward bridge holds a 50 MB result
// whole, then writes it: the client waits for both, one after the other, and the bridge's memory
// holds the result. This scanner holds a few bytes: it tracks only the JSON structure (brackets,
// strings and escapes) and the members of the top-level object (and of `result`, for isError),
// so it reads each byte once and mostly skips strings with memchr.
//
// It does not validate scalars (numbers, literals) deeper than the top level, like the envelope
// scan, which skips nested values unparsed.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace bridge::core {

class StreamedResponse {
public:
  using Emit = std::function<void(std::string_view bytes)>;
  enum class Kind { undecided, result, other };

  // `expected_id`: the id token the upstream must answer with (the bridge's id, e.g. "42");
  // `replacement_id`: the raw token to write in its place (the client's id, as the client wrote it).
  StreamedResponse(std::string expected_id, std::string replacement_id);

  // Scans the next bytes of the message and passes them to `emit` (in one or more pieces), the id
  // replaced. Returns false once the text is known not to be a well-formed response; failure()
  // says why. Bytes up to the failure may have been emitted.
  bool feed(std::string_view bytes, const Emit& emit);
  // The message ended: true when it was one complete JSON-RPC result with the expected id; only
  // then is its closing brace emitted (until then the output is an unfinished object).
  [[nodiscard]] bool finish(const Emit& emit);

  // Decided by the first of `result`, `error` or `method` among the top-level members.
  [[nodiscard]] Kind kind() const { return m_kind; }
  // result.isError was true (a tool that reported failure), for the audit log.
  [[nodiscard]] bool is_error_result() const { return m_is_error; }
  [[nodiscard]] const std::string& failure() const { return m_failure; }
  [[nodiscard]] std::size_t bytes_seen() const { return m_bytes_seen; }

private:
  // What comes next in an object whose members are tracked (the top level, and `result`).
  enum class Expect : unsigned char { key_or_end, key, colon, value, comma_or_end, in_value };
  enum class Capture : unsigned char { none, key, id, jsonrpc };

  struct Level {
    Expect expect = Expect::key_or_end;
    std::string key; // the member being read (capped: a long key matches nothing we look for)
    bool key_too_long = false;
  };

  bool fail(std::string why);
  void start_value(std::size_t level, char first, const char* at);
  void end_value(std::size_t level, const char* at);
  void end_string(const char* after);
  void capture(const char* from, const char* to);
  void flush(const char* upto);
  // The level (1: top, 2: result) whose members are tracked at the current depth, or 0.
  [[nodiscard]] std::size_t tracked_level() const;

  std::string m_expected_id;
  std::string m_replacement_id;
  Kind m_kind = Kind::undecided;
  bool m_failed = false;
  std::string m_failure;
  bool m_done = false;        // the top-level object closed
  bool m_started = false;     // its opening brace was seen
  bool m_in_string = false;
  bool m_escape = false;      // the previous string byte was a backslash
  std::size_t m_scalar_level = 0; // a number or literal value of a tracked level is being read
  std::vector<char> m_stack;  // '{' or '[' per open container; size() is the depth
  Level m_levels[3];          // [1] top level, [2] the result object
  bool m_result_tracked = false;
  std::size_t m_string_level = 0; // the tracked level a string belongs to (0: untracked)
  bool m_string_is_key = false;
  Capture m_capture = Capture::none;
  std::string m_captured;
  bool m_capture_overflow = false;
  bool m_suppress = false;    // inside the id value: its bytes are replaced, not emitted
  bool m_seen_id = false;
  bool m_seen_jsonrpc = false;
  bool m_jsonrpc_ok = false;
  bool m_seen_result = false;
  bool m_seen_error = false;
  bool m_seen_method = false;
  bool m_seen_params = false;
  bool m_is_error = false;
  bool m_want_is_error_value = false;
  std::size_t m_bytes_seen = 0;

  // Per feed() call: the emitter and the first byte not passed on yet.
  const Emit* m_emit = nullptr;
  const char* m_emit_from = nullptr;
};

} // namespace bridge::core
