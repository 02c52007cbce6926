#pragma once

#include <filesystem>
#include <string>

namespace bridge::cli {

// Options every subcommand shares.
struct GlobalOptions {
  std::string config_path; // --config; $BRIDGE_CONFIG wins over it (DESIGN.md)
  bool verbose = false;    // --verbose: debug logs on stderr
  int exit_code = 0;       // set by the subcommand that ran (docs/exit-codes in --help)
};

// $BRIDGE_CONFIG, else --config, else the platform default.
std::filesystem::path resolve_config_path(const GlobalOptions& global);
// True when the user named the file ($BRIDGE_CONFIG or --config): then a missing file is an error.
bool config_path_is_explicit(const GlobalOptions& global);

} // namespace bridge::cli
