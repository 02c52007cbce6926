#pragma once

// The JSON-RPC envelope scan: finds `jsonrpc`, `id`, `method`, `params`, `result` and `error` of a
// message with simdjson's On-Demand API without building a DOM of it, so a 50 MB tool result is
// routed by looking at a few bytes and forwarded by splicing a new id into the same buffer.

#include "core/result.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bridge::core {

// A byte range of the message text: a raw JSON token or value, exactly as it appears.
struct Span {
  std::size_t offset = 0;
  std::size_t length = 0;
  [[nodiscard]] std::string_view in(std::string_view text) const { return text.substr(offset, length); }
};

enum class IdKind { absent, null, number, string };
enum class MessageKind { request, notification, result, error, invalid };
enum class JsonType { object, array, string, number, boolean, null };

struct Envelope {
  MessageKind kind = MessageKind::invalid;
  IdKind id_kind = IdKind::absent;
  Span id;                     // the raw id token (quotes included for strings); valid unless absent
  std::string method;          // requests and notifications
  std::optional<Span> params;  // raw value
  std::optional<Span> result;  // raw value
  std::optional<Span> error;   // raw value
  std::string invalid_reason;  // why kind == invalid (valid JSON that is not a JSON-RPC message)
};

// simdjson reads up to this many bytes past the end of the text; the scanners below need that much
// spare capacity and ensure_padding() provides it (a no-op when it is already there).
inline constexpr std::size_t k_json_padding = 64;
void ensure_padding(std::string& text);

// Parses the envelope. An Error (kind invalid_input) means the text is not JSON at all (-32700).
// Valid JSON that is not a JSON-RPC 2.0 message gives kind == invalid (-32600), with id filled in
// when one could be read. Arrays (batches) are invalid. `text` must be padded (ensure_padding).
// (Unpadded text still works, through a padded copy.) A duplicate `jsonrpc`, `id`, `method`,
// `params`, `result` or `error` member makes the message invalid (no "last one wins": a proxy
// must not read a different id or name than the peer will); other members are ignored unparsed.
// Objects and arrays (params, result, error) are skipped, not validated inside.
Result<Envelope> scan_envelope(const std::string& text);

// The elements of a top-level JSON array (a JSON-RPC batch), as raw spans of `text`, in order.
// Objects inside are skipped, not validated: each element is scanned again as a message of its
// own (scan_envelope). An Error (kind invalid_input) when the text is not a JSON array. `text`
// must be padded.
Result<std::vector<Span>> scan_batch(const std::string& text);

struct Field {
  std::string key;              // unescaped
  JsonType type = JsonType::null;
  Span value;                   // raw value
  std::string string_value;     // unescaped, when type == string
};

// The direct members of the object at `object` (a Span into `text`, e.g. Envelope::params).
// Nested values are skipped, not parsed. `text` must be padded. A duplicate key is an Error.
Result<std::vector<Field>> scan_object_fields(const std::string& text, Span object);
// The member named `key` among scanned fields, or null.
const Field* find_field(const std::vector<Field>& fields, std::string_view key);

struct Replacement {
  Span span;
  std::string text;
};

// Replaces spans in place (non-overlapping, any order); the text keeps its padding. Overlapping or
// out-of-range spans are a programming error (std::invalid_argument).
void splice(std::string& text, std::vector<Replacement> replacements);

// JSON string literal for s (quotes and escapes), for building small replacements. Control
// characters become \b \f \n \r \t or \u00XX; other bytes (UTF-8) pass through.
std::string json_quote(std::string_view s);

} // namespace bridge::core
