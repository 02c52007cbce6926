#pragma once

// Each subcommand lives in its own file under cli/ and registers itself on the app here.
// main.cpp calls every register_* function; nothing else is shared between subcommands but
// cli/options.hpp (the global options).

#include <CLI/CLI.hpp>

namespace bridge::cli {

struct GlobalOptions;

void register_serve(CLI::App& app, GlobalOptions& global);
int run_serve(const GlobalOptions& global);

} // namespace bridge::cli
