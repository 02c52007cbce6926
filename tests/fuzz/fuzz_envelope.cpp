// libFuzzer target for the JSON-RPC envelope scanner: scan_envelope on arbitrary bytes, then
// scan_object_fields on params, json_quote round trips and id splicing on whatever it accepted;
// leading_id (the id read from a message's first bytes) on the same bytes; scan_batch (a JSON-RPC
// batch's elements) and scan_envelope on each element it finds.
// Invariants: spans lie inside the text and hold what their kind says; padded and unpadded input
// read the same; splicing a new id changes nothing else.

#include "core/envelope.hpp"
#include "core/leading_id.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

using namespace bridge::core;

namespace {

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

void check_span(const std::string& text, const Span& span) {
  check(span.offset <= text.size());
  check(span.length <= text.size() - span.offset);
  check(span.length > 0);
}

bool same_span_text(const std::string& a, const std::optional<Span>& sa, const std::string& b,
                    const std::optional<Span>& sb) {
  if (sa.has_value() != sb.has_value()) {
    return false;
  }
  return !sa || sa->in(a) == sb->in(b);
}

void check_fields(const std::string& text, const Span& object) {
  auto fields = scan_object_fields(text, object);
  if (!fields) {
    return;
  }
  for (const auto& field : *fields) {
    check_span(text, field.value);
    check(field.value.offset > object.offset);
    check(field.value.offset + field.value.length < object.offset + object.length);
    std::string_view raw = field.value.in(text);
    switch (field.type) {
    case JsonType::object:
      check(raw.front() == '{' && raw.back() == '}');
      check_fields(text, field.value);
      break;
    case JsonType::array:
      check(raw.front() == '[' && raw.back() == ']');
      break;
    case JsonType::string: {
      check(raw.front() == '"' && raw.back() == '"');
      // What json_quote writes reads back as the same string.
      std::string quoted = "{\"k\":" + json_quote(field.string_value) + "}";
      ensure_padding(quoted);
      auto again = scan_object_fields(quoted, Span{0, quoted.size()});
      check(again.ok() && again->size() == 1 && (*again)[0].string_value == field.string_value);
      break;
    }
    case JsonType::number:
      check(raw.front() == '-' || (raw.front() >= '0' && raw.front() <= '9'));
      break;
    case JsonType::boolean:
      check(raw == "true" || raw == "false");
      break;
    case JsonType::null:
      check(raw == "null");
      break;
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string unpadded = text;
  unpadded.shrink_to_fit();
  ensure_padding(text);

  (void)leading_id(std::string_view(text.data(), text.size())); // any bytes: no crash, no overread
  if (auto batch = scan_batch(text)) {
    // Elements lie inside the text, in order, apart; each reads as a message of its own.
    std::size_t after = 0;
    for (const auto& element : *batch) {
      check_span(text, element);
      check(element.offset >= after);
      after = element.offset + element.length;
      std::string one(element.in(text));
      ensure_padding(one);
      (void)scan_envelope(one);
    }
    check(scan_batch(unpadded).ok());
  }
  auto scanned = scan_envelope(text);
  // Unpadded input goes through a padded copy and must read identically.
  auto scanned_unpadded = scan_envelope(unpadded);
  check(scanned.ok() == scanned_unpadded.ok());
  if (!scanned) {
    return 0;
  }
  const Envelope& envelope = *scanned;
  // The id read from the first bytes alone (an oversized line's answer) is the envelope's own.
  if (auto early = leading_id(std::string_view(text.data(), text.size())); early && envelope.kind != MessageKind::invalid) {
    check(envelope.id_kind != IdKind::absent && *early == envelope.id.in(text));
  }
  check(envelope.kind == scanned_unpadded->kind);
  check(envelope.id_kind == scanned_unpadded->id_kind);
  check(envelope.invalid_reason == scanned_unpadded->invalid_reason);
  check((envelope.kind == MessageKind::invalid) == !envelope.invalid_reason.empty());

  if (envelope.id_kind != IdKind::absent) {
    check_span(text, envelope.id);
    std::string_view id = envelope.id.in(text);
    switch (envelope.id_kind) {
    case IdKind::string:
      check(id.front() == '"' && id.back() == '"');
      break;
    case IdKind::number:
      check(id.front() == '-' || (id.front() >= '0' && id.front() <= '9'));
      break;
    case IdKind::null:
      check(id == "null");
      break;
    case IdKind::absent:
      break;
    }
  }
  for (const auto* span : {&envelope.params, &envelope.result, &envelope.error}) {
    if (*span) {
      check_span(text, **span);
    }
  }
  switch (envelope.kind) {
  case MessageKind::request:
  case MessageKind::result:
    check(envelope.id_kind == IdKind::number || envelope.id_kind == IdKind::string);
    break;
  case MessageKind::notification:
    check(envelope.id_kind == IdKind::absent);
    break;
  case MessageKind::error:
    check(envelope.id_kind != IdKind::absent && envelope.error.has_value());
    break;
  case MessageKind::invalid:
    break;
  }
  if (envelope.params && text[envelope.params->offset] == '{') {
    check_fields(text, *envelope.params);
  }

  // Splice a new id: the message keeps its kind, every other span keeps its bytes.
  if (envelope.kind == MessageKind::request || envelope.kind == MessageKind::result ||
      envelope.kind == MessageKind::error) {
    std::string spliced = text;
    ensure_padding(spliced);
    std::string new_id = size % 2 == 0 ? std::string("12345678901234567890") : json_quote("bridge-\"1\"");
    splice(spliced, {Replacement{envelope.id, new_id}});
    check(spliced.capacity() - spliced.size() >= k_json_padding);
    check(spliced.substr(0, envelope.id.offset) == text.substr(0, envelope.id.offset));
    check(spliced.substr(envelope.id.offset + new_id.size()) == text.substr(envelope.id.offset + envelope.id.length));
    auto again = scan_envelope(spliced);
    check(again.ok());
    check(again->kind == envelope.kind);
    check(again->id.in(spliced) == new_id);
    check(again->method == envelope.method);
    check(same_span_text(text, envelope.params, spliced, again->params));
    check(same_span_text(text, envelope.result, spliced, again->result));
    check(same_span_text(text, envelope.error, spliced, again->error));
  }
  return 0;
}
