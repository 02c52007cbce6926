#include "auth/references.hpp"

#include "core/remedy.hpp"

#include "platform/platform.hpp"

#include <fstream>
#include <sstream>

namespace bridge::auth {

bool ReferenceResolver::has_reference(std::string_view value) { return value.find("${") != std::string_view::npos; }

std::string ReferenceResolver::keychain_key(std::string_view name) { return "token:" + std::string(name); }

core::Result<std::string> ReferenceResolver::resolve(std::string_view value, const std::string& field) {
  std::string out;
  std::size_t position = 0;
  while (position < value.size()) {
    auto start = value.find("${", position);
    if (start == std::string_view::npos) {
      out.append(value.substr(position));
      break;
    }
    out.append(value.substr(position, start - position));
    auto end = value.find('}', start);
    auto colon = value.find(':', start);
    if (end == std::string_view::npos || colon == std::string_view::npos || colon > end) {
      return core::make_error(core::ErrorKind::invalid_input,
                              field + ": malformed reference (expected ${env:VAR}, ${file:PATH} or ${keychain:NAME})");
    }
    auto resolved = resolve_one(value.substr(start + 2, colon - start - 2), value.substr(colon + 1, end - colon - 1), field);
    if (!resolved) {
      return resolved.error();
    }
    out += *resolved;
    position = end + 1;
  }
  return out;
}

core::Result<std::string> ReferenceResolver::resolve_one(std::string_view kind, std::string_view argument,
                                                         const std::string& field) {
  std::string name(argument);
  if (kind == "env") {
    auto value = platform::env(name.c_str());
    if (!value) {
      return core::make_error(core::ErrorKind::auth, field + ": " + core::missing_env_text(name) +
                                                         " (the AI client must pass it in its \"env\" block)");
    }
    return *value;
  }
  if (kind == "file") {
    std::ifstream in(name, std::ios::binary);
    if (!in) {
      return core::make_error(core::ErrorKind::auth, field + ": cannot read " + name);
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string content = text.str();
    // Files written by editors and `echo` end in a newline that is not part of the secret.
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) {
      content.pop_back();
    }
    return content;
  }
  if (kind == "keychain") {
    if (!m_store) {
      auto store = platform::open_secret_store(m_preference);
      if (!store) {
        return core::make_error(core::ErrorKind::auth, field + ": " + store.error().message);
      }
      m_store = std::move(*store);
    }
    auto secret = m_store->get(keychain_key(name));
    if (!secret) {
      return core::make_error(core::ErrorKind::auth, field + ": " + secret.error().message);
    }
    if (!secret->has_value()) {
      return core::make_error(core::ErrorKind::auth, field + ": nothing stored under \"" + name + "\" in the " +
                                                         m_store->describe() + " — store it with `bridge token set " +
                                                         name + "`");
    }
    return **secret;
  }
  return core::make_error(core::ErrorKind::invalid_input,
                          field + ": unknown reference kind \"" + std::string(kind) + "\" (use env, file or keychain)");
}

} // namespace bridge::auth
