#include "cli/jsonc.hpp"

#include <algorithm>
#include <vector>

namespace bridge::cli {
namespace {

std::string without_exception_prefix(const std::string& what) {
  auto close = what.find("] ");
  std::string out = what.rfind("[json.exception", 0) == 0 && close != std::string::npos ? what.substr(close + 2) : what;
  // "parse error at line 3, column 5: syntax error while parsing value - " reads as noise here.
  if (auto colon = out.find(": "); out.rfind("parse error", 0) == 0 && colon != std::string::npos) {
    out = out.substr(colon + 2);
  }
  return out;
}

} // namespace

std::size_t past_comment(const std::string& text, std::size_t i) {
  if (i + 1 >= text.size() || text[i] != '/') {
    return i;
  }
  if (text[i + 1] == '/') {
    auto end = text.find('\n', i);
    return end == std::string::npos ? text.size() : end;
  }
  if (text[i + 1] == '*') {
    auto end = text.find("*/", i + 2);
    return end == std::string::npos ? text.size() : end + 2;
  }
  return i;
}

std::size_t past_string(const std::string& text, std::size_t i) {
  for (++i; i < text.size() && text[i] != '"'; ++i) {
    if (text[i] == '\\') {
      ++i;
    }
  }
  return i + 1;
}

std::size_t next_significant(const std::string& text, std::size_t i) {
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') {
      ++i;
    } else if (std::size_t end = past_comment(text, i); end != i) {
      i = end;
    } else {
      return i;
    }
  }
  return std::string::npos;
}

std::string blank_trailing_commas(const std::string& text, bool& had_comments) {
  std::string out = text;
  for (std::size_t i = 0; i < out.size();) {
    if (out[i] == '"') {
      i = past_string(out, i);
      continue;
    }
    if (std::size_t end = past_comment(out, i); end != i) {
      had_comments = true;
      i = end;
      continue;
    }
    if (out[i] == ',') {
      std::size_t next = next_significant(out, i + 1);
      if (next != std::string::npos && (out[next] == '}' || out[next] == ']')) {
        out[i] = ' ';
      }
    }
    ++i;
  }
  return out;
}

core::Result<JsoncValue> parse_jsonc(const std::string& text) {
  JsoncValue result;
  std::string cleaned = blank_trailing_commas(text, result.had_comments);
  // The key path being read, so a failure names the field rather than a byte offset alone.
  std::vector<std::string> path;
  auto track = [&path](int depth, nlohmann::ordered_json::parse_event_t event, nlohmann::ordered_json& parsed) {
    using Event = nlohmann::ordered_json::parse_event_t;
    if (event == Event::key) {
      path.resize(static_cast<std::size_t>(std::max(depth - 1, 0)));
      path.push_back(parsed.get<std::string>());
    } else if (event == Event::array_start) {
      path.resize(static_cast<std::size_t>(std::max(depth, 0)));
      path.emplace_back("[]");
    }
    return true;
  };
  try {
    result.value = nlohmann::ordered_json::parse(cleaned, track, true, true);
  } catch (const nlohmann::ordered_json::exception& error) {
    std::string where;
    if (const auto* parse = dynamic_cast<const nlohmann::ordered_json::parse_error*>(&error); parse != nullptr) {
      auto end = std::min<std::size_t>(parse->byte, cleaned.size());
      where = "line " + std::to_string(1 + std::count(cleaned.begin(), cleaned.begin() + static_cast<long>(end), '\n'));
    }
    std::string key;
    for (const auto& part : path) {
      key += (key.empty() || part == "[]" ? "" : ".") + part;
    }
    if (!key.empty()) {
      where += (where.empty() ? "at \"" : ", at \"") + key + "\"";
    }
    return core::make_error(core::ErrorKind::invalid_input,
                            (where.empty() ? std::string() : where + ": ") + "not valid JSON (" +
                                without_exception_prefix(error.what()) + ")");
  }
  return result;
}

} // namespace bridge::cli
