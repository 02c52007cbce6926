// `bridge logout NAME`: revoke the tokens at the server when it offers revocation (RFC 7009),
// and always forget them locally.

#include "auth/oauth_client.hpp"
#include "auth/token_store.hpp"
#include "cli/commands.hpp"
#include "cli/logging.hpp"
#include "cli/options.hpp"
#include "core/config.hpp"

#include <cstdio>
#include <memory>
#include <string>

namespace bridge::cli {

std::optional<std::pair<core::Config, core::ServerConfig>> oauth_server_for_cli(const GlobalOptions& global,
                                                                              const std::string& name,
                                                                              const char* command);

namespace {

int run_logout(const GlobalOptions& global, const std::string& name) {
  setup_logging(global.verbose);
  auto found = oauth_server_for_cli(global, name, "logout");
  if (!found) {
    return 2;
  }
  auto& [config, server] = *found;
  auto preference = config.token_store == "keychain" ? platform::StorePreference::keychain
                    : config.token_store == "file"   ? platform::StorePreference::file
                                                     : platform::StorePreference::automatic;
  auto store = auth::TokenStore::open(preference);
  if (!store) {
    std::fprintf(stderr, "mcp-bridge: %s: cannot open the token store: %s\n", name.c_str(), store.error().message.c_str());
    return 1;
  }
  auto key = auth::token_key(server);
  auto stored = store->load(key);
  if (!stored) {
    std::fprintf(stderr, "mcp-bridge: %s: %s\n", name.c_str(), stored.error().message.c_str());
    // An unreadable entry is still removed below.
  }
  std::string revoked = "no revocation endpoint at the server";
  if (stored && stored->has_value()) {
    const auto& bundle = **stored;
    if (!bundle.server.revocation_endpoint.empty()) {
      auth::OAuthClient client(server, std::make_shared<auth::ReferenceResolver>(preference), auth::default_hooks());
      auto status = client.revoke(bundle);
      revoked = status ? "revoked at the server" : "the server did not revoke them (" + status.error().message + ")";
    }
  } else if (stored) {
    std::fprintf(stderr, "%s: not logged in (no tokens stored).\n", name.c_str());
    return 0;
  }
  if (auto erased = store->erase(key); !erased) {
    std::fprintf(stderr, "mcp-bridge: %s: could not remove the tokens: %s\n", name.c_str(), erased.error().message.c_str());
    return 1;
  }
  std::fprintf(stderr, "Logged out of %s: tokens %s and removed from the %s.\n", name.c_str(), revoked.c_str(),
               store->describe().c_str());
  return 0;
}

} // namespace

void register_logout(CLI::App& app, GlobalOptions& global) {
  auto name = std::make_shared<std::string>();
  auto* logout = app.add_subcommand("logout", "Forget an OAuth server's tokens (and revoke them at the server)");
  logout->add_option("NAME", *name, "The server's name in the config")->required();
  logout->footer("Example:\n  bridge logout jumpcloud\n\n"
                 "Revokes the refresh and access tokens where the server offers revocation (RFC 7009), then\n"
                 "removes them from the token store whatever the server said. Running bridges stop using\n"
                 "them at their next refresh. `bridge login NAME` logs in again.\n"
                 "Exit codes: 0 logged out (or was not logged in); 1 the tokens could not be removed;\n"
                 "2 no such OAuth server in the config.");
  logout->callback([&global, name] { global.exit_code = run_logout(global, *name); });
}

} // namespace bridge::cli
