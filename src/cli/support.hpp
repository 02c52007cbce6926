#pragma once

// What the user-facing subcommands share: exit codes, loading the config with the right message,
// reading a secret without argv, and small output helpers.

#include "cli/options.hpp"
#include "core/config.hpp"
#include "core/result.hpp"
#include "platform/secret_store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace bridge::cli {

// Exit codes of every command (docs/exit-codes.md).
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_failed = 1;      // the tool reported an error, the user declined, doctor found problems
inline constexpr int k_exit_usage = 2;       // bad arguments, invalid or missing config, unknown name
inline constexpr int k_exit_unavailable = 3; // an upstream could not be reached or refused our credentials

// Loads the config named by the global options. A missing default file is an empty config
// (`missing` set) unless `require` is true; every other problem is printed and gives nullopt.
struct LoadedConfig {
  core::Config config;
  std::filesystem::path path;
  bool missing = false;
};
std::optional<LoadedConfig> load_config_for_cli(const GlobalOptions& global, bool require);

// Reads a secret: from stdin when it is not a terminal (first line, trailing whitespace dropped),
// else with a no-echo prompt. Never from argv.
core::Result<std::string> read_secret(const std::string& prompt);

// Stores `secret` for `name` (`${keychain:NAME}`) in the token store the config chooses; returns
// the store's description.
core::Result<std::string> store_secret(const std::string& name, const std::string& secret,
                                       platform::StorePreference preference);

// What the token store holds for an "oauth" server: "signed in (token valid 52 min)",
// "signed in (refreshable)", "not logged in" — `present` says whether a usable login exists.
std::string oauth_login_state(const core::ServerConfig& server, platform::StorePreference preference, bool& present);

// Prints rows as an aligned table (first row = header) on stdout.
void print_table(const std::vector<std::vector<std::string>>& rows);

// "1.2 s", "85 ms".
std::string format_duration_ms(long long ms);

} // namespace bridge::cli
