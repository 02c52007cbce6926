#include "core/remedy.hpp"

#include <vector>

namespace bridge::core {
namespace {

// The NAMEs of the ${KIND:NAME} references in a value, in order.
std::vector<std::string> references(const std::string& value, std::string_view kind) {
  std::vector<std::string> names;
  std::string open = "${" + std::string(kind) + ":";
  for (std::size_t at = value.find(open); at != std::string::npos; at = value.find(open, at + 1)) {
    std::size_t start = at + open.size();
    std::size_t end = value.find('}', start);
    if (end == std::string::npos) {
      break;
    }
    names.push_back(value.substr(start, end - start));
  }
  return names;
}

} // namespace

std::string missing_env_text(std::string_view name) {
  return "environment variable " + std::string(name) + " is not set";
}

std::string no_oauth_text(std::string_view name) {
  return std::string(name) + " does not offer OAuth sign-in";
}

std::string token_instead_remedy(std::string_view name) {
  std::string quoted(name);
  return "configure a token for it instead: `bridge add " + quoted + " --auth token --replace` (asks for the token)";
}

std::string credentials_remedy(const ServerConfig& server, const Error& failure) {
  const std::string& name = server.name;
  if (failure.message.find(no_oauth_text(name)) != std::string::npos) {
    return token_instead_remedy(name);
  }
  // A variable that is not set: no command of ours can fix that, and `bridge token set` would
  // store a key the config does not read.
  std::vector<std::string> values{server.token};
  for (const auto& [header, value] : server.headers) {
    values.push_back(value);
  }
  for (const auto& value : values) {
    for (const auto& variable : references(value, "env")) {
      if (failure.message.find(missing_env_text(variable)) != std::string::npos) {
        return "set the environment variable " + variable +
               " (an AI client passes it in the \"env\" block of its MCP config; in a terminal, export it)";
      }
    }
  }
  switch (server.auth) {
  case AuthMode::oauth:
    return "run `bridge login " + name + "`";
  case AuthMode::token: {
    if (auto variables = references(server.token, "env"); !variables.empty()) {
      return "the token comes from the environment variable " + variables.front() + ": set it to a valid key";
    }
    if (auto keys = references(server.token, "keychain"); !keys.empty()) {
      return "store the right key: `bridge token set " + keys.front() + "`";
    }
    if (auto files = references(server.token, "file"); !files.empty()) {
      return "the token is read from " + files.front() + ": put a valid key there";
    }
    // A literal token (or none): a stored key only helps once the config points at it.
    return "store the right key with `bridge token set " + name + "`, then use it: `bridge add " + name +
           " --auth token --token '${keychain:" + name + "}' --replace`";
  }
  case AuthMode::none:
    break;
  }
  // The entry exists, so `bridge add` must replace it.
  return "it wants credentials: `bridge add " + name + " --auth token --replace` (asks for the token), or --auth oauth";
}

} // namespace bridge::core
