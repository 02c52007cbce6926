// `bridge login NAME`: OAuth 2.1 login for one upstream (auth/oauth_client.hpp does the work);
// the tokens go to the token store, where `bridge serve` finds them.

#include "auth/oauth_client.hpp"
#include "auth/token_store.hpp"
#include "cli/commands.hpp"
#include "cli/logging.hpp"
#include "cli/login_preset.hpp"
#include "cli/options.hpp"
#include "core/config.hpp"
#include "platform/file_lock.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace bridge::cli {
namespace {

platform::StorePreference preference_of(const core::Config& config) {
  if (config.token_store == "keychain") {
    return platform::StorePreference::keychain;
  }
  if (config.token_store == "file") {
    return platform::StorePreference::file;
  }
  return platform::StorePreference::automatic;
}

std::string describe_expiry(std::int64_t expires_at) {
  if (expires_at == 0) {
    return "no stated expiry";
  }
  auto left = expires_at - auth::unix_now();
  if (left <= 0) {
    return "expired";
  }
  if (left < 120) {
    return "expires in " + std::to_string(left) + " s";
  }
  if (left < 7200) {
    return "expires in " + std::to_string(left / 60) + " min";
  }
  return "expires in " + std::to_string(left / 3600) + " h";
}

struct LoginOptions {
  std::string name;
  std::vector<std::string> scopes;
  std::string org;
};

} // namespace

// Finds NAME in the config, or prints why not (exit code 2).
std::optional<std::pair<core::Config, core::ServerConfig>> oauth_server_for_cli(const GlobalOptions& global,
                                                                              const std::string& name,
                                                                              const char* command) {
  auto path = resolve_config_path(global);
  auto loaded = core::load_config(path);
  if (!loaded) {
    if (loaded.error().kind == core::ErrorKind::not_found) {
      std::fprintf(stderr, "mcp-bridge: no config at %s; add the server first: %s\n", path.string().c_str(),
                   add_remedy(name).c_str());
    } else {
      std::fprintf(stderr, "mcp-bridge: %s\n", loaded.error().message.c_str());
    }
    return std::nullopt;
  }
  for (const auto& server : loaded->servers) {
    if (server.name != name) {
      continue;
    }
    if (server.auth != core::AuthMode::oauth) {
      std::fprintf(stderr,
                   "mcp-bridge: %s is configured with \"auth\": \"%s\" in %s; `bridge %s` is for OAuth servers "
                   "(to sign in with OAuth instead: bridge add %s --auth oauth --replace)\n",
                   name.c_str(), server.auth == core::AuthMode::token ? "token" : "none", path.string().c_str(), command,
                   name.c_str());
      return std::nullopt;
    }
    return std::make_pair(std::move(*loaded), server);
  }
  std::fprintf(stderr, "mcp-bridge: no server named \"%s\" in %s (add it: %s)\n", name.c_str(), path.string().c_str(),
               add_remedy(name).c_str());
  return std::nullopt;
}

int run_login(const GlobalOptions& global, const std::string& name, const std::vector<std::string>& scopes,
              const std::string& org) {
  setup_logging(global.verbose);
  if (auto added = add_preset_for_login(global, name, org); !added) {
    std::fprintf(stderr, "mcp-bridge: %s\n", added.error().message.c_str());
    return 2;
  }
  auto found = oauth_server_for_cli(global, name, "login");
  if (!found) {
    return 2;
  }
  auto& [config, server] = *found;
  auto preference = preference_of(config);
  auto store = auth::TokenStore::open(preference);
  if (!store) {
    std::fprintf(stderr, "mcp-bridge: %s: cannot open the token store: %s\n", name.c_str(), store.error().message.c_str());
    return 1;
  }
  auto hooks = auth::default_hooks();
  // One login per upstream at a time, across every bridge process (a serving bridge may have
  // started one already: then its browser tab is the one to finish).
  auto lock_name = auth::token_lock_name(server) + ".login";
  auto lock = platform::ProcessLock::acquire(lock_name, std::chrono::milliseconds(0));
  auto started = auth::unix_now();
  if (!lock) {
    std::fprintf(stderr, "mcp-bridge: another mcp-bridge process is logging in to %s right now; waiting for it "
                         "(finish the login in the browser tab it opened)\n", name.c_str());
    lock = platform::ProcessLock::acquire(lock_name, hooks.login_timeout + std::chrono::seconds(30));
    if (!lock) {
      std::fprintf(stderr, "mcp-bridge: %s: %s\n", name.c_str(), lock.error().message.c_str());
      return 1;
    }
    auto stored = store->load(auth::token_key(server));
    if (stored && stored->has_value() && (*stored)->obtained_at >= started && (*stored)->usable(auth::unix_now())) {
      std::fprintf(stderr, "Logged in to %s (by the other process).\n", name.c_str());
      return 0;
    }
  }
  auto key = auth::token_key(server);
  std::optional<auth::TokenBundle> previous;
  if (auto stored = store->load(key); stored && stored->has_value()) {
    previous = std::move(**stored);
  }
  std::optional<std::string> scope;
  if (!scopes.empty()) {
    std::string joined;
    for (const auto& s : scopes) {
      joined += (joined.empty() ? "" : " ") + s;
    }
    scope = joined;
  }
  auth::OAuthClient client(server, std::make_shared<auth::ReferenceResolver>(preference), hooks);
  auto bundle = client.login(previous, std::nullopt, scope);
  if (!bundle) {
    std::fprintf(stderr, "mcp-bridge: login to %s failed: %s\n", name.c_str(), bundle.error().message.c_str());
    return bundle.error().kind == core::ErrorKind::network ? 3 : 1;
  }
  if (auto saved = store->save(key, *bundle); !saved) {
    std::fprintf(stderr, "mcp-bridge: %s: logged in, but the tokens could not be stored: %s\n", name.c_str(),
                 saved.error().message.c_str());
    return 1;
  }
  std::fprintf(stderr, "Logged in to %s (%s%s%s; %s). Tokens are in the %s.\n", name.c_str(),
               describe_expiry(bundle->expires_at).c_str(), bundle->renewable() ? ", refreshable" : "",
               bundle->scope.empty() ? "" : (", scope: " + bundle->scope).c_str(), bundle->grant.c_str(),
               store->describe().c_str());
  return 0;
}

void register_login(CLI::App& app, GlobalOptions& global) {
  auto options = std::make_shared<LoginOptions>();
  auto* login = app.add_subcommand("login", "Log in to an OAuth server (browser, PKCE); tokens go to the keychain");
  login->add_option("NAME", options->name, "The server's name in the config")->required();
  login->add_option("--org", options->org,
                    "JumpCloud organization ID: with no entry NAME yet, adds JumpCloud for that org (prefix jc_NAME_)");
  login->add_option("--scope", options->scopes, "Scope to ask for (repeatable; default: what the server asks for)");
  login->footer(
      "Examples:\n"
      "  bridge login jumpcloud                  (no entry yet? the jumpcloud preset is added first)\n"
      "  bridge login acme --org 5f1e0123        (adds JumpCloud for MSP child org 5f1e0123 as acme, jc_acme_*)\n"
      "  bridge login jumpcloud --scope read --scope write\n"
      "  BROWSER=firefox bridge login acme\n\n"
      "Finds the server's authorization server (MCP discovery), registers mcp-bridge there when needed\n"
      "(or uses oauth.client_id / oauth.client_metadata_url from the config), opens the browser ($BROWSER\n"
      "first) on a loopback redirect to 127.0.0.1, and stores the tokens in the OS keychain (or the 0600\n"
      "file store). `bridge serve` refreshes them from then on. With \"oauth\": {\"grant\": \"client_credentials\"}\n"
      "no browser is needed; with \"device_code\" a code to enter on another device is printed; with\n"
      "\"enterprise\" you sign in at your company's identity provider (oauth.idp), which grants the access.\n"
      "BRIDGE_OAUTH_TIMEOUT_S changes how long to wait for the browser (default 300).\n"
      "BRIDGE_JUMPCLOUD_URL replaces https://mcp.jumpcloud.com/v1 in the preset (a staging server, tests).\n"
      "Exit codes: 0 logged in; 1 the login failed (the message says why); 2 no such OAuth server in the config;\n"
      "3 the server could not be reached.");
  login->callback([&global, options] { global.exit_code = run_login(global, options->name, options->scopes, options->org); });
}

} // namespace bridge::cli
