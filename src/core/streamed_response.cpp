#include "core/streamed_response.hpp"

#include <cstring>
#include <utility>

namespace bridge::core {
namespace {

constexpr std::size_t k_max_depth = 1024; // as the envelope scan (simdjson's default)
constexpr std::size_t k_key_cap = 32;     // longer member names are none we look for
constexpr std::size_t k_value_cap = 64;   // an id or a version string longer than this is wrong anyway

const char* find_or_end(const char* from, const char* end, char c) {
  const void* hit = std::memchr(from, c, static_cast<std::size_t>(end - from));
  return hit == nullptr ? end : static_cast<const char*>(hit);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

} // namespace

StreamedResponse::StreamedResponse(std::string expected_id, std::string replacement_id)
    : m_expected_id(std::move(expected_id)), m_replacement_id(std::move(replacement_id)) {}

bool StreamedResponse::fail(std::string why) {
  if (!m_failed) {
    m_failed = true;
    m_failure = std::move(why);
  }
  return false;
}

std::size_t StreamedResponse::tracked_level() const {
  if (m_stack.size() == 1) {
    return 1;
  }
  return m_stack.size() == 2 && m_result_tracked ? 2 : 0;
}

void StreamedResponse::flush(const char* upto) {
  if (!m_suppress && upto > m_emit_from) {
    (*m_emit)(std::string_view(m_emit_from, static_cast<std::size_t>(upto - m_emit_from)));
  }
  m_emit_from = upto; // while suppressing (the id value) the bytes are dropped
}

void StreamedResponse::capture(const char* from, const char* to) {
  if (m_capture == Capture::none) {
    return;
  }
  std::size_t cap = m_capture == Capture::key ? k_key_cap : k_value_cap;
  auto n = static_cast<std::size_t>(to - from);
  if (m_captured.size() + n > cap) {
    m_capture_overflow = true;
    n = cap - m_captured.size();
  }
  m_captured.append(from, n);
}

void StreamedResponse::start_value(std::size_t level, char first, const char* at) {
  Level& member = m_levels[level];
  member.expect = Expect::in_value;
  const std::string& key = member.key;
  m_capture = Capture::none;
  if (level == 1) {
    auto once = [this](bool& seen, const char* name) {
      if (seen) {
        fail(std::string("two \"") + name + "\" members");
      }
      seen = true;
    };
    if (key == "id") {
      once(m_seen_id, "id");
      flush(at);
      m_suppress = true;
      m_capture = Capture::id;
    } else if (key == "jsonrpc") {
      once(m_seen_jsonrpc, "jsonrpc");
      m_capture = Capture::jsonrpc;
    } else if (key == "result") {
      once(m_seen_result, "result");
    } else if (key == "error") {
      once(m_seen_error, "error");
    } else if (key == "method") {
      once(m_seen_method, "method");
    } else if (key == "params") {
      once(m_seen_params, "params"); // as the envelope scan: no member it reads may come twice
    }
    if (m_kind == Kind::undecided && (key == "result" || key == "error" || key == "method")) {
      m_kind = key == "result" ? Kind::result : Kind::other;
    }
    if (m_seen_result && (m_seen_error || m_seen_method)) {
      fail("a result together with an error or a method");
    }
  } else {
    m_want_is_error_value = key == "isError";
  }
  m_captured.clear();
  m_capture_overflow = false;
  switch (first) {
  case '"':
    m_in_string = true;
    m_string_level = level;
    m_string_is_key = false;
    capture(at, at + 1);
    return;
  case '{':
  case '[':
    if (m_capture != Capture::none) {
      fail(m_capture == Capture::id ? "the id is not a number or a string" : "jsonrpc is not a string");
      return;
    }
    m_stack.push_back(first);
    if (level == 1 && key == "result" && first == '{') {
      m_result_tracked = true;
      m_levels[2] = Level{};
    }
    return;
  case '}':
  case ']':
  case ',':
  case ':':
    fail("a member without a value");
    return;
  default:
    m_scalar_level = level;
    capture(at, at + 1);
    if (m_want_is_error_value) {
      m_is_error = first == 't';
    }
    return;
  }
}

void StreamedResponse::end_value(std::size_t level, const char* at) {
  m_levels[level].expect = Expect::comma_or_end;
  if (level == 2) {
    m_want_is_error_value = false;
    return;
  }
  if (m_capture == Capture::id) {
    m_capture = Capture::none;
    if (m_capture_overflow || m_captured != m_expected_id) {
      fail("the reply answers id " + m_captured + ", not " + m_expected_id);
      return;
    }
    flush(at); // drops the upstream's id
    m_suppress = false;
    (*m_emit)(m_replacement_id);
  } else if (m_capture == Capture::jsonrpc) {
    m_capture = Capture::none;
    m_jsonrpc_ok = !m_capture_overflow && m_captured == "\"2.0\"";
  }
}

void StreamedResponse::end_string(const char* after) {
  if (m_string_level == 0) {
    return;
  }
  std::size_t level = m_string_level;
  m_string_level = 0;
  Level& member = m_levels[level];
  if (m_string_is_key) {
    m_capture = Capture::none;
    if (level == 1 && m_captured.find('\\') != std::string::npos) {
      // A name spelled with escapes ("\u0069d") could hide a second id from this scan.
      fail("a top-level member name with escapes");
      return;
    }
    member.key = m_capture_overflow ? std::string() : m_captured;
    member.expect = Expect::colon;
    return;
  }
  if (m_capture != Capture::none) {
    m_captured.push_back('"');
  }
  end_value(level, after);
}

bool StreamedResponse::feed(std::string_view bytes, const Emit& emit) {
  if (m_failed) {
    return false;
  }
  m_emit = &emit;
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  m_emit_from = p;
  m_bytes_seen += bytes.size();
  const char* next_quote = nullptr; // cached: a string full of escapes must not rescan for its end
  while (p < end && !m_failed) {
    if (m_in_string) {
      if (m_escape) {
        m_escape = false;
        capture(p, p + 1);
        ++p;
        continue;
      }
      if (next_quote == nullptr || next_quote < p) {
        next_quote = find_or_end(p, end, '"');
      }
      const char* backslash = find_or_end(p, next_quote, '\\');
      if (backslash != next_quote) {
        capture(p, backslash + 1);
        m_escape = true;
        p = backslash + 1;
        continue;
      }
      capture(p, next_quote);
      if (next_quote == end) {
        p = end;
        break;
      }
      p = next_quote + 1;
      m_in_string = false;
      end_string(p);
      continue;
    }
    char c = *p;
    if (m_done) {
      if (!is_space(c)) {
        fail("text after the end of the message");
        break;
      }
      ++p;
      m_emit_from = p; // whitespace after the end is dropped (the brace still waits for finish)
      continue;
    }
    if (!m_started) {
      if (!is_space(c)) {
        if (c != '{') {
          fail("the reply is not a JSON object");
          break;
        }
        m_started = true;
        m_stack.push_back('{');
      }
      ++p;
      continue;
    }
    if (m_scalar_level != 0) {
      if (c != ',' && c != '}' && c != ']' && !is_space(c)) {
        capture(p, p + 1);
        ++p;
        continue;
      }
      std::size_t level = m_scalar_level;
      m_scalar_level = 0;
      end_value(level, p);
      if (m_failed) {
        break;
      }
    }
    if (std::size_t level = tracked_level(); level != 0) {
      Level& member = m_levels[level];
      if (is_space(c)) {
        ++p;
        continue;
      }
      switch (member.expect) {
      case Expect::key_or_end:
      case Expect::key:
        if (c == '"') {
          m_in_string = true;
          m_string_level = level;
          m_string_is_key = true;
          m_capture = Capture::key;
          m_captured.clear();
          m_capture_overflow = false;
        } else if (c == '}' && member.expect == Expect::key_or_end) {
          goto close_object;
        } else {
          fail("expected a member name");
        }
        break;
      case Expect::colon:
        if (c == ':') {
          member.expect = Expect::value;
        } else {
          fail("expected ':' after a member name");
        }
        break;
      case Expect::value:
        start_value(level, c, p);
        break;
      case Expect::comma_or_end:
        if (c == ',') {
          member.expect = Expect::key;
        } else if (c == '}') {
          goto close_object;
        } else {
          fail("expected ',' or '}'");
        }
        break;
      case Expect::in_value:
        fail("unexpected text"); // unreachable: a container value is deeper than its level
        break;
      }
      ++p;
      continue;
    close_object:
      m_stack.pop_back();
      if (level == 1) {
        // The closing brace waits for finish(): until the message is known to be whole and
        // right, what went out must stay an unfinished object that no parser takes for a message.
        flush(p);
        m_emit_from = p + 1;
        m_done = true;
      } else {
        m_result_tracked = false;
        end_value(1, p + 1);
      }
      ++p;
      continue;
    }
    // Deeper than any tracked object: brackets and strings only.
    switch (c) {
    case '"':
      m_in_string = true;
      m_string_level = 0;
      m_string_is_key = false;
      break;
    case '{':
    case '[':
      if (m_stack.size() >= k_max_depth) {
        fail("nested too deeply");
        break;
      }
      m_stack.push_back(c);
      break;
    case '}':
    case ']':
      if (m_stack.back() != (c == '}' ? '{' : '[')) {
        fail("mismatched brackets");
        break;
      }
      m_stack.pop_back();
      if (std::size_t level = tracked_level(); level != 0) {
        end_value(level, p + 1);
      }
      break;
    default:
      break;
    }
    ++p;
  }
  if (!m_failed) {
    flush(end);
  }
  m_emit = nullptr;
  return !m_failed;
}

bool StreamedResponse::finish(const Emit& emit) {
  if (m_failed) {
    return false;
  }
  if (!m_done) {
    return fail(m_started ? "the reply ended before its JSON did" : "the reply is empty");
  }
  if (!m_seen_id) {
    return fail("the reply has no id");
  }
  if (!m_jsonrpc_ok) {
    return fail("the reply does not say jsonrpc \"2.0\"");
  }
  if (m_kind != Kind::result) {
    return fail("the reply is not a result");
  }
  emit("}");
  return true;
}

} // namespace bridge::core
