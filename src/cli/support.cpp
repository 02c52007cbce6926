#include "cli/support.hpp"

#include "auth/references.hpp"
#include "auth/token_store.hpp"
#include "cli/logging.hpp"
#include "platform/terminal.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <iterator>

namespace bridge::cli {

std::optional<LoadedConfig> load_config_for_cli(const GlobalOptions& global, bool require) {
  setup_cli_logging(global.verbose);
  LoadedConfig loaded;
  loaded.path = resolve_config_path(global);
  auto config = core::load_config(loaded.path);
  if (config) {
    loaded.config = std::move(*config);
    for (const auto& warning : loaded.config.warnings) {
      std::fprintf(stderr, "bridge: warning: %s\n", warning.c_str());
    }
    return loaded;
  }
  if (config.error().kind == core::ErrorKind::not_found && !require && !config_path_is_explicit(global)) {
    loaded.missing = true;
    loaded.config.path = loaded.path;
    return loaded;
  }
  std::fprintf(stderr, "bridge: %s\n", config.error().message.c_str());
  return std::nullopt;
}

core::Result<std::string> read_secret(const std::string& prompt) {
  std::string secret;
  if (platform::stdin_is_terminal()) {
    auto typed = platform::read_secret_no_echo(prompt);
    if (!typed) {
      return typed.error();
    }
    secret = std::move(*typed);
  } else {
    std::getline(std::cin, secret);
  }
  while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ' || secret.back() == '\t')) {
    secret.pop_back();
  }
  auto start = secret.find_first_not_of(" \t");
  secret = start == std::string::npos ? std::string() : secret.substr(start);
  if (secret.empty()) {
    return core::make_error(core::ErrorKind::invalid_input,
                            "no secret given — type it at the prompt, or pipe it in: `printf %s \"$KEY\" | bridge token set NAME`");
  }
  return secret;
}

core::Result<std::string> store_secret(const std::string& name, const std::string& secret,
                                       platform::StorePreference preference) {
  auto store = platform::open_secret_store(preference);
  if (!store) {
    return store.error();
  }
  auto status = (*store)->set(auth::ReferenceResolver::keychain_key(name), secret);
  if (!status) {
    return status.error();
  }
  return (*store)->describe();
}

std::string oauth_login_state(const core::ServerConfig& server, platform::StorePreference preference, bool& present) {
  present = false;
  auto store = auth::TokenStore::open(preference);
  if (!store) {
    return "token store unavailable";
  }
  auto bundle = store->load(auth::token_key(server));
  if (!bundle) {
    return "token store: " + bundle.error().message;
  }
  auto now = auth::unix_now();
  if (!bundle->has_value() || !(*bundle)->usable(now)) {
    return "not logged in";
  }
  present = true;
  const auto& tokens = **bundle;
  if (tokens.has_access_token() && tokens.expires_at != 0 && tokens.expires_at > now) {
    auto minutes = (tokens.expires_at - now) / 60;
    std::string left = minutes >= 120 ? std::to_string(minutes / 60) + " h" : std::to_string(minutes) + " min";
    return "signed in (token valid " + left + (tokens.renewable() ? ", refreshable" : "") + ")";
  }
  return tokens.renewable() ? "signed in (refreshable)" : "signed in";
}

void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line.append(widths[i] - row[i].size() + 2, ' ');
      }
    }
    std::printf("%s\n", line.c_str());
  }
}

std::string format_duration_ms(long long ms) {
  if (ms < 1000) {
    return std::to_string(ms) + " ms";
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000.0);
  return text;
}

} // namespace bridge::cli
