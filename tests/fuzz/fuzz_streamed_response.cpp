// libFuzzer target for the cut-through response scanner (core/streamed_response): arbitrary bytes
// as an upstream's reply, fed whole and cut at a point the input chooses. Invariants: the outcome
// and the output do not depend on the cut; what it accepts, the envelope scan reads as a result
// with the client's id in place of the upstream's, and nothing else changed; what it rejects never
// went out as a whole JSON object (its closing brace is held back).

#include "core/envelope.hpp"
#include "core/streamed_response.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace bridge::core;

namespace {

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

struct Run {
  bool ok = false;
  std::string out;
  bool is_error = false;
};

Run feed(std::string_view text, std::size_t cut) {
  StreamedResponse stream("42", "\"client\"");
  Run run;
  StreamedResponse::Emit emit = [&run](std::string_view bytes) { run.out.append(bytes); };
  bool fed = stream.feed(text.substr(0, cut), emit) && stream.feed(text.substr(cut), emit);
  run.ok = fed && stream.finish(emit);
  run.is_error = stream.is_error_result();
  return run;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) {
    return 0;
  }
  std::size_t cut = data[0] % size;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  cut = std::min(cut, text.size());
  Run whole = feed(text, text.size());
  Run split = feed(text, cut);
  check(whole.ok == split.ok);
  if (!whole.ok) {
    return 0;
  }
  check(whole.out == split.out);
  check(whole.is_error == split.is_error);
  // Accepted: the envelope scan agrees it is a result, answering the client's id.
  std::string out = whole.out;
  ensure_padding(out);
  auto envelope = scan_envelope(out);
  if (!envelope) {
    return 0; // malformed scalars deep inside are not this scanner's to validate (as the envelope scan)
  }
  check(envelope->kind == MessageKind::result);
  check(envelope->id.in(out) == "\"client\"");
  // Nothing but the id changed.
  std::string back = out;
  splice(back, {Replacement{envelope->id, "42"}});
  std::string original(text);
  while (!original.empty() && (original.back() == ' ' || original.back() == '\t' || original.back() == '\n' ||
                               original.back() == '\r')) {
    original.pop_back(); // whitespace after the message is dropped
  }
  check(std::string_view(back).substr(0, original.size()) == original);
  return 0;
}
