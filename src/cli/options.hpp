#pragma once

#include <filesystem>
#include <string>

namespace bridge::cli {

// Options every subcommand shares.
struct GlobalOptions {
  std::string config_path; // --config; it wins over $BRIDGE_CONFIG
  bool verbose = false;    // --verbose: debug logs on stderr
  int exit_code = 0;       // set by the subcommand that ran (docs/exit-codes in --help)
};

// --config, else $BRIDGE_CONFIG, else the platform default.
std::filesystem::path resolve_config_path(const GlobalOptions& global);
// Where resolve_config_path's answer came from, in words ("from --config", "the default location").
std::string config_path_source(const GlobalOptions& global);
// True when the user named the file ($BRIDGE_CONFIG or --config): then a missing file is an error.
bool config_path_is_explicit(const GlobalOptions& global);

} // namespace bridge::cli
