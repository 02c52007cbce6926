// `bridge token set NAME` / `bridge token rm NAME`: API keys and bearer tokens in the token store,
// for "token": "${keychain:NAME}". The secret comes from stdin or a no-echo prompt, never argv.

#include "auth/references.hpp"
#include "cli/commands.hpp"
#include "cli/presets.hpp"
#include "cli/support.hpp"
#include "cli/wiring.hpp"
#include "platform/terminal.hpp"

#include <cstdio>

namespace bridge::cli {
namespace {

platform::StorePreference preference_for(const GlobalOptions& global, std::optional<LoadedConfig>& loaded) {
  loaded = load_config_for_cli(global, false);
  return loaded ? store_preference(loaded->config) : platform::StorePreference::automatic;
}

int run_set(const GlobalOptions& global, const std::string& name) {
  std::optional<LoadedConfig> loaded;
  auto preference = preference_for(global, loaded);
  auto secret = read_secret("Secret for " + name + " (input hidden): ");
  if (!secret) {
    std::fprintf(stderr, "bridge token set: %s\n", secret.error().message.c_str());
    return k_exit_usage;
  }
  auto stored = store_secret(name, *secret, preference);
  if (!stored) {
    std::fprintf(stderr, "bridge token set: cannot store it: %s\n", stored.error().message.c_str());
    return k_exit_failed;
  }
  std::printf("Stored the secret for %s in the %s.\n", name.c_str(), stored->c_str());
  std::string reference = "${keychain:" + name + "}";
  const core::ServerConfig* server = nullptr;
  if (loaded) {
    for (const auto& s : loaded->config.servers) {
      if (s.name == name) {
        server = &s;
      }
    }
  }
  if (server == nullptr) {
    std::printf("Use it in a server entry as \"auth\": \"token\", \"token\": \"%s\" (e.g. `bridge add %s%s --auth token "
                "--token '%s'`).\n",
                reference.c_str(), name.c_str(), is_preset(name) ? "" : " --url URL", reference.c_str());
  } else if (server->token.find(reference) == std::string::npos) {
    std::printf("Note: servers.%s does not use it yet; set \"auth\": \"token\", \"token\": \"%s\" "
                "(`bridge add %s --auth token --token '%s' --replace`).\n",
                name.c_str(), reference.c_str(), name.c_str(), reference.c_str());
  }
  return k_exit_ok;
}

int run_rm(const GlobalOptions& global, const std::string& name) {
  std::optional<LoadedConfig> loaded;
  auto store = platform::open_secret_store(preference_for(global, loaded));
  if (!store) {
    std::fprintf(stderr, "bridge token rm: %s\n", store.error().message.c_str());
    return k_exit_failed;
  }
  auto status = (*store)->erase(auth::ReferenceResolver::keychain_key(name));
  if (!status) {
    std::fprintf(stderr, "bridge token rm: %s\n", status.error().message.c_str());
    return k_exit_failed;
  }
  std::printf("Removed the secret for %s from the %s (if there was one).\n", name.c_str(), (*store)->describe().c_str());
  return k_exit_ok;
}

} // namespace

void register_token(CLI::App& app, GlobalOptions& global) {
  auto* token = app.add_subcommand("token", "Store or delete an API key / bearer token in the keychain");
  token->require_subcommand(1);
  token->footer("Examples:\n  bridge token set jumpcloud                 asks for the key (no echo)\n"
                "  printf %s \"$JC_API_KEY\" | bridge token set jumpcloud\n  bridge token rm jumpcloud\n\n"
                "A config entry uses it as \"token\": \"${keychain:NAME}\". The token store is the OS keychain, or a 0600\n"
                "file under the data dir where no keychain is reachable (BRIDGE_TOKEN_STORE=file|keychain forces one).");
  auto name = std::make_shared<std::string>();
  auto* set = token->add_subcommand("set", "Store a secret for NAME (from stdin or a no-echo prompt, never argv)");
  set->add_option("name", *name, "The name used in ${keychain:NAME} (usually the server's name)")->required();
  set->footer("Examples:\n  bridge token set jumpcloud\n  printf %s \"$JC_API_KEY\" | bridge token set jumpcloud\n"
              "Exit codes: 0 stored; 1 the store failed; 2 no secret given.");
  set->callback([&global, name] { global.exit_code = run_set(global, *name); });
  auto rm_name = std::make_shared<std::string>();
  auto* rm = token->add_subcommand("rm", "Delete the secret stored for NAME");
  rm->add_option("name", *rm_name, "The name used in ${keychain:NAME}")->required();
  rm->footer("Example:\n  bridge token rm jumpcloud\nExit codes: 0 removed (or there was none); 1 the store failed.");
  rm->callback([&global, rm_name] { global.exit_code = run_rm(global, *rm_name); });
}

} // namespace bridge::cli
