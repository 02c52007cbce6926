#include "core/envelope.hpp"

#include "catch.hpp"

#include <chrono>
#include <string>
#include <vector>

using namespace bridge::core;

namespace {

std::string padded(std::string text) {
  ensure_padding(text);
  return text;
}

Envelope scan_ok(const std::string& text) {
  auto result = scan_envelope(text);
  INFO(text);
  REQUIRE(result.ok());
  return *result;
}

Envelope scan_ok_padded(std::string text) {
  ensure_padding(text);
  return scan_ok(text);
}

std::string scan_error(std::string text) {
  ensure_padding(text);
  auto result = scan_envelope(text);
  INFO(text);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::invalid_input);
  CHECK_FALSE(result.error().message.empty());
  return result.error().message;
}

std::string invalid_reason(std::string text) {
  auto envelope = scan_ok_padded(std::move(text));
  CHECK(envelope.kind == MessageKind::invalid);
  CHECK_FALSE(envelope.invalid_reason.empty());
  return envelope.invalid_reason;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

} // namespace

TEST_CASE("envelope: ensure_padding provides spare capacity once", "[envelope]") {
  std::string text = "{}";
  ensure_padding(text);
  CHECK(text.capacity() - text.size() >= k_json_padding);
  const char* data = text.data();
  ensure_padding(text);
  CHECK(text.data() == data); // a no-op when the padding is there
  CHECK(text == "{}");
}

TEST_CASE("envelope: request", "[envelope]") {
  std::string text = padded(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x","arguments":{"a":[1,{"b":null}]}}})");
  auto envelope = scan_ok(text);
  CHECK(envelope.kind == MessageKind::request);
  CHECK(envelope.id_kind == IdKind::number);
  CHECK(envelope.id.in(text) == "7");
  CHECK(envelope.method == "tools/call");
  REQUIRE(envelope.params);
  CHECK(envelope.params->in(text) == R"({"name":"x","arguments":{"a":[1,{"b":null}]}})");
  CHECK_FALSE(envelope.result);
  CHECK_FALSE(envelope.error);
}

TEST_CASE("envelope: notification (no id) and array params", "[envelope]") {
  std::string text = padded(R"( { "method" : "notifications/initialized" , "jsonrpc" : "2.0", "params" : [ 1 , 2 ] } )");
  auto envelope = scan_ok(text);
  CHECK(envelope.kind == MessageKind::notification);
  CHECK(envelope.id_kind == IdKind::absent);
  CHECK(envelope.method == "notifications/initialized");
  REQUIRE(envelope.params);
  CHECK(envelope.params->in(text) == "[ 1 , 2 ]");
}

TEST_CASE("envelope: result and error responses", "[envelope]") {
  std::string result_text = padded(R"({"result":{"content":[{"type":"text","text":"hi"}]},"jsonrpc":"2.0","id":"abc"})");
  auto result = scan_ok(result_text);
  CHECK(result.kind == MessageKind::result);
  CHECK(result.id_kind == IdKind::string);
  CHECK(result.id.in(result_text) == "\"abc\"");
  REQUIRE(result.result);
  CHECK(result.result->in(result_text) == R"({"content":[{"type":"text","text":"hi"}]})");

  std::string scalar_text = padded(R"({"jsonrpc":"2.0","id":1,"result":"just a string \" with a quote"})");
  auto scalar = scan_ok(scalar_text);
  CHECK(scalar.kind == MessageKind::result);
  CHECK(scalar.result->in(scalar_text) == R"("just a string \" with a quote")");

  std::string null_result_text = padded(R"({"jsonrpc":"2.0","id":1,"result":null})");
  auto null_result = scan_ok(null_result_text);
  CHECK(null_result.kind == MessageKind::result);
  CHECK(null_result.result->in(null_result_text) == "null");

  std::string error_text = padded(R"({"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"nope"}})");
  auto error = scan_ok(error_text);
  CHECK(error.kind == MessageKind::error);
  CHECK(error.id.in(error_text) == "2");
  REQUIRE(error.error);
  CHECK(error.error->in(error_text) == R"({"code":-32601,"message":"nope"})");

  // An error answering a request whose id could not be read carries a null id.
  std::string null_id_text = padded(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})");
  auto null_id = scan_ok(null_id_text);
  CHECK(null_id.kind == MessageKind::error);
  CHECK(null_id.id_kind == IdKind::null);
  CHECK(null_id.id.in(null_id_text) == "null");
}

TEST_CASE("envelope: id kinds are kept apart and byte-exact", "[envelope]") {
  struct Case {
    std::string id;
    IdKind kind;
  };
  const std::vector<Case> cases = {
      {"0", IdKind::number},
      {"-1", IdKind::number},
      {"12345678901234567890123", IdKind::number},
      {"1.50", IdKind::number},
      {"1e400", IdKind::number},
      {"-0.0E+2", IdKind::number},
      {R"("")", IdKind::string},
      {R"("a\"b\\c\/\u00e9\n")", IdKind::string},
      {R"("\ud83d\ude00")", IdKind::string},
      {"\"caf\xC3\xA9\"", IdKind::string},
  };
  for (const auto& c : cases) {
    std::string text = padded(R"({"jsonrpc":"2.0","method":"m","id":)" + c.id + "}");
    auto envelope = scan_ok(text);
    INFO(c.id);
    CHECK(envelope.kind == MessageKind::request);
    CHECK(envelope.id_kind == c.kind);
    CHECK(envelope.id.in(text) == c.id);
  }
  // Whitespace around the id is not part of it.
  std::string spaced = padded("{\"jsonrpc\":\"2.0\",\"id\" :\t 99 \n,\"result\":{}}");
  auto envelope = scan_ok(spaced);
  CHECK(envelope.id.in(spaced) == "99");
  std::string spaced_string = padded("{\"jsonrpc\":\"2.0\",\"result\":{},\"id\":\"x\"  \r\n}");
  CHECK(scan_ok(spaced_string).id.in(spaced_string) == "\"x\"");
}

TEST_CASE("envelope: a request with a null id is invalid but keeps the id kind", "[envelope]") {
  std::string text = padded(R"({"jsonrpc":"2.0","id":null,"method":"tools/list"})");
  auto envelope = scan_ok(text);
  CHECK(envelope.kind == MessageKind::invalid);
  CHECK(envelope.id_kind == IdKind::null);
  CHECK(envelope.method == "tools/list");
  CHECK(contains(envelope.invalid_reason, "null"));
}

TEST_CASE("envelope: invalid messages say why and keep a readable id", "[envelope]") {
  CHECK(contains(invalid_reason(R"([{"jsonrpc":"2.0","id":1,"method":"a"}])"), "batches"));
  CHECK(contains(invalid_reason("[]"), "batches"));
  CHECK(contains(invalid_reason("42"), "object"));
  CHECK(contains(invalid_reason(R"("str")"), "object"));
  CHECK(contains(invalid_reason("null"), "object"));
  CHECK(contains(invalid_reason("true"), "object"));
  CHECK(contains(invalid_reason("{}"), "jsonrpc"));
  CHECK(contains(invalid_reason(R"({"id":1,"method":"a"})"), "jsonrpc"));
  CHECK(contains(invalid_reason(R"({"jsonrpc":"1.0","id":1,"method":"a"})"), "2.0"));
  CHECK(contains(invalid_reason(R"({"jsonrpc":2.0,"id":1,"method":"a"})"), "2.0"));
  CHECK(contains(invalid_reason(R"({"jsonrpc":"2.0","id":1,"method":5})"), "method"));
  CHECK(contains(invalid_reason(R"({"jsonrpc":"2.0","id":true,"method":"a"})"), "id"));
  CHECK(contains(invalid_reason(R"({"jsonrpc":"2.0","id":{"x":1},"result":{}})"), "id"));
  CHECK(contains(invalid_reason(R"({"jsonrpc":"2.0","id":1,"method":"a","params":3})"), "params"));
  CHECK(contains(invalid_reason(R"({"jsonrpc":"2.0","id":1,"method":"a","result":{}})"), "request"));
  CHECK(contains(invalid_reason(R"({"jsonrpc":"2.0","id":1,"result":{},"error":{}})"), "exactly one"));
  CHECK(contains(invalid_reason(R"({"jsonrpc":"2.0","result":{}})"), "id"));
  CHECK(contains(invalid_reason(R"({"jsonrpc":"2.0","id":null,"result":{}})"), "null"));
  CHECK(contains(invalid_reason(R"({"jsonrpc":"2.0","id":1,"error":"bad"})"), "error"));
  CHECK(contains(invalid_reason(R"({"jsonrpc":"2.0","id":1})"), "neither"));

  // The id is still reported for the answer.
  std::string text = padded(R"({"jsonrpc":"1.0","id":"q","method":"a"})");
  auto envelope = scan_ok(text);
  CHECK(envelope.kind == MessageKind::invalid);
  CHECK(envelope.id_kind == IdKind::string);
  CHECK(envelope.id.in(text) == "\"q\"");

  // A bad id type leaves no usable id.
  auto bad_id = scan_ok_padded(R"({"jsonrpc":"2.0","id":[1],"method":"a"})");
  CHECK(bad_id.id_kind == IdKind::absent);
}

TEST_CASE("envelope: duplicate members are rejected", "[envelope]") {
  std::string text = padded(R"({"jsonrpc":"2.0","id":1,"method":"a","id":2})");
  auto envelope = scan_ok(text);
  CHECK(envelope.kind == MessageKind::invalid);
  CHECK(contains(envelope.invalid_reason, "duplicate"));
  CHECK(envelope.id_kind == IdKind::absent); // which of the two? neither
  // An escaped key is the same key.
  CHECK(contains(invalid_reason(R"({"jsonrpc":"2.0","id":1,"method":"a","\u006dethod":"b"})"), "duplicate"));
  // Escaped keys are recognised.
  auto escaped = scan_ok_padded(R"({"\u006Asonrpc":"2.0","\u0069d":1,"method":"a"})");
  CHECK(escaped.kind == MessageKind::request);
  // Unknown members, even repeated, are ignored.
  auto unknown = scan_ok_padded(R"({"jsonrpc":"2.0","id":1,"method":"a","x":1,"x":[2]})");
  CHECK(unknown.kind == MessageKind::request);
}

TEST_CASE("envelope: not JSON is an error", "[envelope]") {
  scan_error("");
  scan_error("   ");
  scan_error("hello");
  scan_error("{");
  scan_error(R"({"jsonrpc":"2.0","id":1,"method":"a")");
  scan_error(R"({"jsonrpc":"2.0","id":1,"method":"a"} x)");
  scan_error(R"({"jsonrpc":"2.0","id":1,"method":"a"}})");
  scan_error(R"({"jsonrpc":"2.0","id":1,"method":"a"}{"jsonrpc":"2.0"})");
  scan_error(R"({"jsonrpc":"2.0","id":1,"method":"a"} 1)");
  scan_error(R"({"jsonrpc":"2.0","id":01,"method":"a"})");
  scan_error(R"({"jsonrpc":"2.0","id":1.,"method":"a"})");
  scan_error(R"({"jsonrpc":"2.0","id":-,"method":"a"})");
  scan_error(R"({"jsonrpc":"2.0","id":1x,"method":"a"})");
  scan_error(R"({"jsonrpc":"2.0","id":tru,"method":"a"})");
  scan_error(R"({"jsonrpc":"2.0","id":nul,"method":"a"})");
  scan_error(R"({"jsonrpc":"2.0","id":"\q","method":"a"})");
  scan_error(R"({"jsonrpc":"2.0","id":1,"method":"a\u12"})");
  scan_error(R"({"jsonrpc":"2.0" "id":1})");
  scan_error(R"({"jsonrpc":"2.0",})");
  scan_error("{\"jsonrpc\":\"2.0\",\"id\":\"\xff\",\"method\":\"a\"}");
  scan_error("1 2");
  scan_error("[1] x");
  scan_error("01");
  CHECK(contains(scan_error(R"({"jsonrpc":"2.0","id":1,"method":"a"}})"), "trailing"));
  // Trailing whitespace is fine.
  CHECK(scan_ok_padded(" {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"} \r\n\t").kind == MessageKind::request);
}

TEST_CASE("envelope: mismatched brackets in skipped values are caught where they show", "[envelope]") {
  // Found by fuzzing: skipping counts brackets without matching kinds, so a member could seem to
  // end on its parent's closing brace.
  scan_error(R"({"jsonrpc":"2.0","id":1,"result":{"a":"t"]})");
  scan_error(R"({"jsonrpc":"2.0","id":1,"result":["a"}})");
  std::string text = padded(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{"p":"t"]}})");
  auto envelope = scan_envelope(text);
  if (envelope.ok() && envelope->params) {
    auto fields = scan_object_fields(text, *envelope->params);
    CHECK_FALSE(fields.ok());
  }
  std::string inner = padded(R"({"a":{"b":1]})");
  CHECK_FALSE(scan_object_fields(inner, Span{0, inner.size()}).ok());
}

TEST_CASE("envelope: unpadded text is still read correctly", "[envelope]") {
  std::string text = R"({"jsonrpc":"2.0","id":5,"method":"a","params":{}})";
  text.shrink_to_fit();
  auto result = scan_envelope(text);
  REQUIRE(result.ok());
  CHECK(result->id.in(text) == "5");
  CHECK(result->params->in(text) == "{}");
}

TEST_CASE("envelope: scan_object_fields lists direct members", "[envelope]") {
  std::string text = padded(
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"jc_admin_users_list","arguments":{"name":"inner","n":[1,2]},"n":12345678901234567890123,"f":false,"z":null,"s":"a\nb\u00e9","_meta":{"progressToken":7}}})");
  auto envelope = scan_ok(text);
  REQUIRE(envelope.params);
  auto fields = scan_object_fields(text, *envelope.params);
  REQUIRE(fields.ok());
  REQUIRE(fields->size() == 7);
  const auto& f = *fields;
  CHECK(f[0].key == "name");
  CHECK(f[0].type == JsonType::string);
  CHECK(f[0].string_value == "jc_admin_users_list");
  CHECK(f[0].value.in(text) == "\"jc_admin_users_list\"");
  CHECK(f[1].key == "arguments");
  CHECK(f[1].type == JsonType::object);
  CHECK(f[1].value.in(text) == R"({"name":"inner","n":[1,2]})");
  CHECK(f[2].type == JsonType::number);
  CHECK(f[2].value.in(text) == "12345678901234567890123");
  CHECK(f[3].type == JsonType::boolean);
  CHECK(f[3].value.in(text) == "false");
  CHECK(f[4].type == JsonType::null);
  CHECK(f[5].type == JsonType::string);
  CHECK(f[5].string_value == "a\nb\xC3\xA9");
  CHECK(f[5].value.in(text) == R"("a\nb\u00e9")");
  CHECK(f[6].key == "_meta");
  auto meta = scan_object_fields(text, f[6].value);
  REQUIRE(meta.ok());
  REQUIRE(meta->size() == 1);
  CHECK((*meta)[0].value.in(text) == "7");
}

TEST_CASE("envelope: scan_object_fields rejects bad input", "[envelope]") {
  std::string text = padded(R"({"jsonrpc":"2.0","id":1,"method":"a","params":[1,2]})");
  auto envelope = scan_ok(text);
  CHECK_FALSE(scan_object_fields(text, *envelope.params).ok()); // an array
  CHECK_FALSE(scan_object_fields(text, Span{text.size(), 1}).ok());
  CHECK_FALSE(scan_object_fields(text, Span{2, text.size()}).ok());
  CHECK_FALSE(scan_object_fields(text, Span{0, 0}).ok());

  std::string dup = padded(R"({"name":"allowed","name":"device_erase"})");
  auto dup_fields = scan_object_fields(dup, Span{0, dup.size()});
  REQUIRE_FALSE(dup_fields.ok());
  CHECK(contains(dup_fields.error().message, "duplicate"));

  std::string empty = padded("{ }");
  auto none = scan_object_fields(empty, Span{0, empty.size()});
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("envelope: splice replaces ids of different lengths, leaving the rest byte-identical", "[envelope]") {
  const std::string before = R"({"jsonrpc":"2.0", "id" : "client-id-\"1\"" ,"result":{"x":"id","y":[1,2,3]}})";
  for (std::string new_id : {std::string("1"), std::string("\"a much longer replacement id than before\""),
                             std::string("12345678901234567890123"), json_quote("q\"\\")}) {
    std::string text = padded(before);
    auto envelope = scan_ok(text);
    std::string prefix = text.substr(0, envelope.id.offset);
    std::string suffix = text.substr(envelope.id.offset + envelope.id.length);
    splice(text, {Replacement{envelope.id, new_id}});
    CHECK(text == prefix + new_id + suffix);
    CHECK(text.capacity() - text.size() >= k_json_padding);
    auto again = scan_ok(text);
    CHECK(again.id.in(text) == new_id);
    CHECK(again.result->in(text) == R"({"x":"id","y":[1,2,3]})");
  }
}

TEST_CASE("envelope: splice handles several spans in any order", "[envelope]") {
  std::string text = padded(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"jc_admin_x","arguments":{}}})");
  auto envelope = scan_ok(text);
  auto fields = scan_object_fields(text, *envelope.params);
  REQUIRE(fields.ok());
  splice(text, {Replacement{envelope.id, "\"bridge-77\""}, Replacement{(*fields)[0].value, json_quote("x")}});
  CHECK(text == R"({"jsonrpc":"2.0","id":"bridge-77","method":"tools/call","params":{"name":"x","arguments":{}}})");
  CHECK(text.capacity() - text.size() >= k_json_padding);
  splice(text, {});
  CHECK(scan_ok(text).kind == MessageKind::request);

  std::string overlapping = padded("0123456789");
  CHECK_THROWS(splice(overlapping, {Replacement{Span{1, 5}, "a"}, Replacement{Span{4, 2}, "b"}}));
  CHECK_THROWS(splice(overlapping, {Replacement{Span{8, 5}, "a"}}));
}

TEST_CASE("envelope: json_quote escapes per RFC 8259", "[envelope]") {
  CHECK(json_quote("") == R"("")");
  CHECK(json_quote("plain") == R"("plain")");
  CHECK(json_quote("a\"b\\c") == R"("a\"b\\c")");
  CHECK(json_quote("\n\r\t\b\f") == R"("\n\r\t\b\f")");
  CHECK(json_quote(std::string_view("\0\x01\x1f", 3)) == R"("\u0000\u0001\u001f")");
  CHECK(json_quote("/ \x7f caf\xC3\xA9") == "\"/ \x7f caf\xC3\xA9\"");
  // Round trip through the scanner.
  std::string raw = std::string("k\"\\\n\x01") + "\xF0\x9F\x98\x80";
  std::string text = padded("{\"v\":" + json_quote(raw) + "}");
  auto fields = scan_object_fields(text, Span{0, text.size()});
  REQUIRE(fields.ok());
  CHECK((*fields)[0].string_value == raw);
}

TEST_CASE("envelope: a 10 MB result is scanned and spliced without touching it", "[envelope]") {
  std::string big = R"({"content":[{"type":"text","text":")";
  while (big.size() < (std::size_t{10} << 20)) {
    big += R"(lorem ipsum \"quoted\" {not an object} [nor an array] \\ \u00e9 )";
  }
  big += R"("},{"type":"json","value":{"deep":[[[[{"a":1}]]]]}}]})";
  std::string text = padded(R"({"jsonrpc":"2.0","result":)" + big + R"(,"id":"upstream-123"})");
  auto started = std::chrono::steady_clock::now();
  auto envelope = scan_ok(text);
  CHECK(envelope.kind == MessageKind::result);
  REQUIRE(envelope.result);
  CHECK(envelope.result->length == big.size());
  CHECK(envelope.result->in(text) == big);
  std::string prefix = text.substr(0, envelope.id.offset);
  splice(text, {Replacement{envelope.id, "42"}});
  auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK(text == prefix + "42}");
  auto again = scan_ok(text);
  CHECK(again.id.in(text) == "42");
  CHECK(again.result->in(text) == big);
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count() < 5);
}

TEST_CASE("envelope: small and big messages alternate on one thread", "[envelope]") {
  std::string big_params = std::string(R"({"blob":")") + std::string(std::size_t{2} << 20, 'b') + "\"}";
  for (int i = 0; i < 3; ++i) {
    std::string small = padded(R"({"jsonrpc":"2.0","id":)" + std::to_string(i) + R"(,"method":"a"})");
    CHECK(scan_ok(small).id.in(small) == std::to_string(i));
    std::string big = padded(R"({"jsonrpc":"2.0","id":1,"method":"b","params":)" + big_params + "}");
    auto envelope = scan_ok(big);
    CHECK(envelope.params->in(big) == big_params);
    auto fields = scan_object_fields(big, *envelope.params);
    REQUIRE(fields.ok());
    CHECK((*fields)[0].string_value.size() == (std::size_t{2} << 20));
  }
}

TEST_CASE("envelope: deep nesting inside skipped values", "[envelope]") {
  std::string deep = std::string(500, '[') + std::string(500, ']');
  auto envelope = scan_ok_padded(R"({"jsonrpc":"2.0","id":1,"result":)" + deep + "}");
  CHECK(envelope.kind == MessageKind::result);
  // Skipping counts depth without recursion: very deep values pass through, no stack is at risk.
  std::string too_deep = std::string(100000, '[') + std::string(100000, ']');
  auto result = scan_envelope(padded(R"({"jsonrpc":"2.0","id":1,"result":)" + too_deep + "}"));
  REQUIRE(result.ok());
  CHECK(result->result->length == too_deep.size());
  // Unbalanced nesting is still caught.
  CHECK_FALSE(scan_envelope(padded(R"({"jsonrpc":"2.0","id":1,"result":[[[]]})")).ok());
}

TEST_CASE("scan_batch: the elements of a batch, byte-exact, in order", "[envelope]") {
  std::string text = R"( [ {"jsonrpc":"2.0","id":1.0,"method":"ping"} , 5,"x" ,[1,{"a":[]}], {"b":"]"} ] )";
  ensure_padding(text);
  auto batch = scan_batch(text);
  REQUIRE(batch.ok());
  REQUIRE(batch->size() == 5);
  CHECK((*batch)[0].in(text) == R"({"jsonrpc":"2.0","id":1.0,"method":"ping"})");
  CHECK((*batch)[1].in(text) == "5");
  CHECK((*batch)[2].in(text) == R"("x")");
  CHECK((*batch)[3].in(text) == R"([1,{"a":[]}])");
  CHECK((*batch)[4].in(text) == R"({"b":"]"})");

  std::string empty = "[]";
  ensure_padding(empty);
  REQUIRE(scan_batch(empty).ok());
  CHECK(scan_batch(empty)->empty());
}

TEST_CASE("scan_batch: anything but one whole JSON array is an error", "[envelope]") {
  for (std::string text : {std::string(R"({"jsonrpc":"2.0"})"), std::string("[1,2"), std::string("[1,]"),
                           std::string("[1] [2]"), std::string("[1] x"), std::string(""), std::string("[01]")}) {
    ensure_padding(text);
    CHECK_FALSE(scan_batch(text).ok());
  }
}
