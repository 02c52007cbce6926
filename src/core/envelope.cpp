#include "core/envelope.hpp"

#include <simdjson.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace bridge::core {

namespace {

namespace od = simdjson::ondemand;

static_assert(k_json_padding >= simdjson::SIMDJSON_PADDING, "our padding must satisfy simdjson");

// Above this size a message gets a parser of its own that is freed afterwards: a parser keeps
// buffers proportional to the largest document it has seen (several bytes per input byte), and a
// thread_local one would hold that much for the life of the process after one big tool result.
constexpr std::size_t k_big_message = std::size_t{1} << 20;

od::parser& small_parser() {
  thread_local od::parser parser;
  return parser;
}

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// simdjson's raw tokens run up to the next token, so they carry the whitespace that follows them.
std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_json_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// On-Demand classifies a scalar by its first byte only; the grammar is checked here, so that a
// token such as `01`, `1.` or `-` is not JSON. Numbers are never converted: ids such as
// 12345678901234567890123 or 1.50 pass through byte-exact.
bool is_number_token(std::string_view s) {
  std::size_t i = 0;
  std::size_t n = s.size();
  auto digits = [&] {
    std::size_t start = i;
    while (i < n && is_digit(s[i])) {
      ++i;
    }
    return i > start;
  };
  if (i < n && s[i] == '-') {
    ++i;
  }
  if (i < n && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (!digits()) {
      return false;
    }
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
      ++i;
    }
    if (!digits()) {
      return false;
    }
  }
  return i == n;
}

// A string literal checked without unescaping it (a 10 MB string result is not copied).
bool is_string_token(std::string_view s) {
  std::size_t n = s.size();
  if (n < 2 || s.front() != '"' || s.back() != '"') {
    return false;
  }
  for (std::size_t i = 1; i + 1 < n; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"') {
      return false;
    }
    if (c != '\\') {
      continue;
    }
    ++i;
    if (i + 1 >= n) {
      return false; // the closing quote was escaped
    }
    switch (s[i]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
      break;
    case 'u':
      if (i + 4 > n - 2) { // four hex digits before the closing quote
        return false;
      }
      for (std::size_t k = 1; k <= 4; ++k) {
        if (!is_hex(s[i + k])) {
          return false;
        }
      }
      i += 4;
      break;
    default:
      return false;
    }
  }
  return true;
}

Error not_json(std::string message) { return make_error(ErrorKind::invalid_input, std::move(message)); }
Error not_json(simdjson::error_code code) { return not_json(std::string("not JSON: ") + simdjson::error_message(code)); }

// Where a document's bytes are: offsets are reported relative to the caller's text even when
// simdjson reads a padded copy.
struct Origin {
  const char* start = nullptr; // the first byte handed to simdjson
  std::size_t offset = 0;      // its offset in the caller's text
  std::size_t length = 0;      // how many bytes simdjson reads
  [[nodiscard]] Span span_of(std::string_view raw) const {
    return Span{offset + static_cast<std::size_t>(raw.data() - start), raw.size()};
  }
  // Skipping counts brackets without matching their kinds, so in malformed input such as
  // {"a":{"b":1]} a member seems to swallow the brace that closes its parent. A member must end
  // before that brace; then every span handed out (and spliced) lies inside its object.
  [[nodiscard]] bool closes_after(std::size_t members_end) const {
    std::string_view document = trim_right(std::string_view(start, length));
    std::size_t close = offset + document.size() - 1;
    return !document.empty() && document.back() == '}' && members_end <= close;
  }
};

// Runs scan(document, origin) over text[offset, offset + length) with a parser that suits the size.
// The text normally carries its own padding; if a caller forgot it, a padded copy is read instead
// (slower, still correct).
template <typename Scan>
auto with_document(const std::string& text, std::size_t offset, std::size_t length, Scan&& scan)
    -> decltype(scan(std::declval<od::document&>(), Origin{})) {
  simdjson::padded_string copy;
  const char* start = text.data() + offset;
  std::size_t capacity = text.capacity() - offset;
  if (text.capacity() - text.size() < simdjson::SIMDJSON_PADDING) {
    copy = simdjson::padded_string(start, length);
    start = copy.data();
    capacity = length + simdjson::SIMDJSON_PADDING;
  }
  auto run = [&](od::parser& parser) -> decltype(scan(std::declval<od::document&>(), Origin{})) {
    od::document doc;
    if (auto error = parser.iterate(start, length, capacity).get(doc); error) {
      return not_json(error);
    }
    return scan(doc, Origin{start, offset, length});
  };
  if (length > k_big_message) {
    od::parser parser; // freed on return, with its buffers
    return run(parser);
  }
  return run(small_parser());
}

// After the top-level value was consumed: anything but the end is trailing content.
bool at_end(od::document& doc) { return doc.current_location().error() == simdjson::OUT_OF_BOUNDS; }

JsonType to_json_type(od::json_type type) {
  switch (type) {
  case od::json_type::object:
    return JsonType::object;
  case od::json_type::array:
    return JsonType::array;
  case od::json_type::string:
    return JsonType::string;
  case od::json_type::number:
    return JsonType::number;
  case od::json_type::boolean:
    return JsonType::boolean;
  case od::json_type::null:
    break;
  }
  return JsonType::null;
}

struct RawValue {
  JsonType type = JsonType::null;
  std::string_view raw;
};

// Reads a value's type and exact text. Objects and arrays are skipped over, not parsed (their
// insides are not validated: they pass through untouched). Scalars are checked. When `unescaped`
// is given and the value is a string, it receives the string's value.
simdjson::error_code read_raw(od::value& value, RawValue& out, std::string* unescaped = nullptr) {
  od::json_type type{};
  if (auto error = value.type().get(type); error) {
    return error;
  }
  out.type = to_json_type(type);
  switch (type) {
  case od::json_type::object: {
    od::object object;
    if (auto error = value.get_object().get(object); error) {
      return error;
    }
    std::string_view raw;
    if (auto error = object.raw_json().get(raw); error) {
      return error;
    }
    out.raw = trim_right(raw);
    // Skipping matches bracket counts, not kinds: at least the value's own ends must agree.
    return !out.raw.empty() && out.raw.back() == '}' ? simdjson::SUCCESS : simdjson::TAPE_ERROR;
  }
  case od::json_type::array: {
    od::array array;
    if (auto error = value.get_array().get(array); error) {
      return error;
    }
    std::string_view raw;
    if (auto error = array.raw_json().get(raw); error) {
      return error;
    }
    out.raw = trim_right(raw);
    return !out.raw.empty() && out.raw.back() == ']' ? simdjson::SUCCESS : simdjson::TAPE_ERROR;
  }
  case od::json_type::string: {
    out.raw = trim_right(value.raw_json_token());
    if (unescaped != nullptr) {
      std::string_view text;
      if (auto error = value.get_string().get(text); error) {
        return error;
      }
      unescaped->assign(text);
    }
    return is_string_token(out.raw) ? simdjson::SUCCESS : simdjson::STRING_ERROR;
  }
  case od::json_type::number:
    out.raw = trim_right(value.raw_json_token());
    return is_number_token(out.raw) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
  case od::json_type::boolean:
    out.raw = trim_right(value.raw_json_token());
    return out.raw == "true" || out.raw == "false" ? simdjson::SUCCESS : simdjson::T_ATOM_ERROR;
  case od::json_type::null:
    out.raw = trim_right(value.raw_json_token());
    return out.raw == "null" ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
  }
  return simdjson::INCORRECT_TYPE;
}

// A top-level scalar or array: valid JSON (checked to the end) that is not a JSON-RPC message.
Result<Envelope> scan_non_object(od::document& doc, od::json_type type) {
  std::string_view raw;
  if (auto error = doc.raw_json().get(raw); error) {
    return not_json(error);
  }
  if (!at_end(doc)) {
    return not_json("not JSON: trailing content after the top-level value");
  }
  raw = trim_right(raw);
  bool valid = true;
  switch (type) {
  case od::json_type::string:
    valid = is_string_token(raw);
    break;
  case od::json_type::number:
    valid = is_number_token(raw);
    break;
  case od::json_type::boolean:
    valid = raw == "true" || raw == "false";
    break;
  case od::json_type::null:
    valid = raw == "null";
    break;
  case od::json_type::object:
  case od::json_type::array:
    break;
  }
  if (!valid) {
    return not_json("not JSON: malformed " + std::string(raw.substr(0, 32)));
  }
  Envelope envelope;
  envelope.invalid_reason = type == od::json_type::array ? "batches are not supported"
                                                         : "a JSON-RPC message must be a JSON object";
  return envelope;
}

Result<Envelope> scan_object(od::document& doc, const Origin& origin) {
  od::object object;
  if (auto error = doc.get_object().get(object); error) {
    return not_json(error);
  }
  Envelope envelope;
  bool seen_jsonrpc = false;
  bool seen_id = false;
  bool seen_method = false;
  bool seen_params = false;
  bool seen_result = false;
  bool seen_error = false;
  bool jsonrpc_ok = false;
  bool id_type_ok = true;
  bool method_ok = false;
  bool params_ok = false;
  bool error_is_object = false;
  std::string duplicate;
  std::size_t members_end = 0;
  auto first_time = [&](bool& seen, std::string_view key) {
    if (seen && duplicate.empty()) {
      duplicate = key;
    }
    bool first = !seen;
    seen = true;
    return first;
  };

  for (auto member : object) {
    od::field field;
    if (auto error = std::move(member).get(field); error) {
      return not_json(error);
    }
    // Keys are compared unescaped: "\u0069d" is "id" to every other JSON parser too.
    std::string_view key;
    if (auto error = field.unescaped_key().get(key); error) {
      return not_json(error);
    }
    od::value& value = field.value();
    RawValue raw;
    if (key == "jsonrpc") {
      if (!first_time(seen_jsonrpc, key)) {
        continue;
      }
      std::string version;
      if (auto error = read_raw(value, raw, &version); error) {
        return not_json(error);
      }
      jsonrpc_ok = raw.type == JsonType::string && version == "2.0";
    } else if (key == "id") {
      if (!first_time(seen_id, key)) {
        continue;
      }
      std::string ignored;
      if (auto error = read_raw(value, raw, &ignored); error) {
        return not_json(error);
      }
      switch (raw.type) {
      case JsonType::string:
        envelope.id_kind = IdKind::string;
        break;
      case JsonType::number:
        envelope.id_kind = IdKind::number;
        break;
      case JsonType::null:
        envelope.id_kind = IdKind::null;
        break;
      default:
        id_type_ok = false; // stays IdKind::absent: there is no usable id to answer with
        break;
      }
      if (id_type_ok) {
        envelope.id = origin.span_of(raw.raw);
      }
    } else if (key == "method") {
      if (!first_time(seen_method, key)) {
        continue;
      }
      std::string method;
      if (auto error = read_raw(value, raw, &method); error) {
        return not_json(error);
      }
      method_ok = raw.type == JsonType::string;
      if (method_ok) {
        envelope.method = std::move(method);
      }
    } else if (key == "params" || key == "result" || key == "error") {
      bool& seen = key == "params" ? seen_params : key == "result" ? seen_result : seen_error;
      if (!first_time(seen, key)) {
        continue;
      }
      if (auto error = read_raw(value, raw); error) {
        return not_json(error);
      }
      Span span = origin.span_of(raw.raw);
      if (key == "params") {
        params_ok = raw.type == JsonType::object || raw.type == JsonType::array;
        envelope.params = span;
      } else if (key == "result") {
        envelope.result = span;
      } else {
        error_is_object = raw.type == JsonType::object;
        envelope.error = span;
      }
    }
    // Other members are skipped by the iterator without being parsed.
    if (raw.raw.data() != nullptr) {
      Span span = origin.span_of(raw.raw);
      members_end = std::max(members_end, span.offset + span.length);
    }
  }
  if (!at_end(doc)) {
    return not_json("not JSON: trailing content after the top-level value");
  }
  if (!origin.closes_after(members_end)) {
    return not_json("not JSON: mismatched brackets");
  }

  auto invalid = [&](std::string reason) {
    envelope.kind = MessageKind::invalid;
    envelope.invalid_reason = std::move(reason);
    return Result<Envelope>(std::move(envelope));
  };
  if (!duplicate.empty()) {
    // Rejected rather than "last wins": a proxy that reads one "id" or "name" while the peer reads
    // another is a routing and access-control hole. With two ids there is no id to answer with.
    envelope.id_kind = IdKind::absent;
    envelope.id = Span{};
    return invalid("duplicate member \"" + duplicate + "\"");
  }
  if (!seen_jsonrpc) {
    return invalid("missing \"jsonrpc\": \"2.0\"");
  }
  if (!jsonrpc_ok) {
    return invalid("\"jsonrpc\" must be the string \"2.0\"");
  }
  if (!id_type_ok) {
    return invalid("\"id\" must be a string or a number");
  }
  if (seen_method) {
    if (!method_ok) {
      return invalid("\"method\" must be a string");
    }
    if (seen_result || seen_error) {
      return invalid("a request must not carry \"result\" or \"error\"");
    }
    if (seen_params && !params_ok) {
      return invalid("\"params\" must be an object or an array");
    }
    if (envelope.id_kind == IdKind::null) {
      // JSON-RPC tolerates a null id, MCP does not; and it is not a notification either.
      return invalid("\"id\" must not be null");
    }
    envelope.kind = envelope.id_kind == IdKind::absent ? MessageKind::notification : MessageKind::request;
    return envelope;
  }
  if (seen_result || seen_error) {
    if (seen_result && seen_error) {
      return invalid("a response must carry exactly one of \"result\" and \"error\"");
    }
    if (envelope.id_kind == IdKind::absent) {
      return invalid("a response must carry an \"id\"");
    }
    if (seen_error) {
      if (!error_is_object) {
        return invalid("\"error\" must be an object");
      }
      // A null id is allowed here: the answer to a request whose id could not be read.
      envelope.kind = MessageKind::error;
      return envelope;
    }
    if (envelope.id_kind == IdKind::null) {
      return invalid("a result must not have a null \"id\"");
    }
    envelope.kind = MessageKind::result;
    return envelope;
  }
  return invalid("neither a request, a notification nor a response (no \"method\", \"result\" or \"error\")");
}

} // namespace

void ensure_padding(std::string& text) {
  if (text.capacity() - text.size() < k_json_padding) {
    text.reserve(text.size() + k_json_padding);
  }
}

const Field* find_field(const std::vector<Field>& fields, std::string_view key) {
  for (const auto& field : fields) {
    if (field.key == key) {
      return &field;
    }
  }
  return nullptr;
}

Result<Envelope> scan_envelope(const std::string& text) {
  return with_document(text, 0, text.size(), [](od::document& doc, const Origin& origin) -> Result<Envelope> {
    od::json_type type{};
    if (auto error = doc.type().get(type); error) {
      return not_json(error);
    }
    if (type != od::json_type::object) {
      return scan_non_object(doc, type);
    }
    return scan_object(doc, origin);
  });
}

Result<std::vector<Span>> scan_batch(const std::string& text) {
  return with_document(text, 0, text.size(), [](od::document& doc, const Origin& origin) -> Result<std::vector<Span>> {
    od::array array;
    if (auto error = doc.get_array().get(array); error) {
      return error == simdjson::INCORRECT_TYPE ? not_json("not a JSON array") : not_json(error);
    }
    std::vector<Span> elements;
    for (auto element : array) {
      od::value value;
      if (auto error = std::move(element).get(value); error) {
        return not_json(error);
      }
      RawValue raw;
      if (auto error = read_raw(value, raw); error) {
        return not_json(error);
      }
      elements.push_back(origin.span_of(raw.raw));
    }
    if (!at_end(doc)) {
      return not_json("not JSON: trailing content after the top-level value");
    }
    return elements;
  });
}

Result<std::vector<Field>> scan_object_fields(const std::string& text, Span object) {
  if (object.offset > text.size() || object.length > text.size() - object.offset) {
    return make_error(ErrorKind::invalid_input, "object span lies outside the text");
  }
  return with_document(text, object.offset, object.length,
                       [](od::document& doc, const Origin& origin) -> Result<std::vector<Field>> {
    od::object parsed;
    if (auto error = doc.get_object().get(parsed); error) {
      return error == simdjson::INCORRECT_TYPE ? not_json("not a JSON object") : not_json(error);
    }
    std::vector<Field> fields;
    std::size_t members_end = 0;
    for (auto member : parsed) {
      od::field field;
      if (auto error = std::move(member).get(field); error) {
        return not_json(error);
      }
      std::string_view key;
      if (auto error = field.unescaped_key().get(key); error) {
        return not_json(error);
      }
      Field out;
      out.key.assign(key);
      RawValue raw;
      if (auto error = read_raw(field.value(), raw, &out.string_value); error) {
        return not_json(error);
      }
      out.type = raw.type;
      out.value = origin.span_of(raw.raw);
      members_end = out.value.offset + out.value.length;
      fields.push_back(std::move(out));
    }
    if (!at_end(doc)) {
      return not_json("not JSON: trailing content after the object");
    }
    if (!origin.closes_after(members_end)) {
      return not_json("not JSON: mismatched brackets");
    }
    // Duplicate keys are rejected for the reason given in scan_object (e.g. two "name"s in
    // tools/call params would let the router check one tool and the upstream run another).
    std::vector<const std::string*> keys;
    keys.reserve(fields.size());
    for (const auto& field : fields) {
      keys.push_back(&field.key);
    }
    std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
    auto twin = std::adjacent_find(keys.begin(), keys.end(),
                                   [](const std::string* a, const std::string* b) { return *a == *b; });
    if (twin != keys.end()) {
      return make_error(ErrorKind::invalid_input, "duplicate member \"" + **twin + "\"");
    }
    return fields;
  });
}

void splice(std::string& text, std::vector<Replacement> replacements) {
  // From the highest offset down, so earlier offsets stay valid while later bytes move.
  std::sort(replacements.begin(), replacements.end(),
            [](const Replacement& a, const Replacement& b) { return a.span.offset > b.span.offset; });
  std::size_t new_size = text.size();
  std::size_t limit = text.size();
  for (const auto& replacement : replacements) {
    const Span& span = replacement.span;
    // Spans come from our own scanners: a bad one is a programming error, not bad input.
    if (span.offset > limit || span.length > limit - span.offset) {
      throw std::invalid_argument("splice: replacement spans overlap or lie outside the text");
    }
    limit = span.offset;
    new_size = new_size - span.length + replacement.text.size();
  }
  // One reservation up front: each replace() then only moves the tail, never reallocates.
  if (text.capacity() < new_size + k_json_padding) {
    text.reserve(new_size + k_json_padding);
  }
  for (const auto& replacement : replacements) {
    text.replace(replacement.span.offset, replacement.span.length, replacement.text);
  }
}

std::string json_quote(std::string_view s) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (char c : s) {
    auto byte = static_cast<unsigned char>(c);
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (byte < 0x20) {
        out += "\\u00";
        out.push_back(k_hex[byte >> 4]);
        out.push_back(k_hex[byte & 0x0F]);
      } else {
        out.push_back(c); // UTF-8 passes through as is: JSON text is UTF-8
      }
      break;
    }
  }
  out.push_back('"');
  return out;
}

} // namespace bridge::core
