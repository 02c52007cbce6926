#pragma once

// Each subcommand lives in its own file under cli/ and registers itself on the app here.
// main.cpp calls every register_* function; nothing else is shared between subcommands but
// cli/options.hpp (the global options).

#include <CLI/CLI.hpp>
#include <cstdio>

namespace bridge::cli {

struct GlobalOptions;

void register_serve(CLI::App& app, GlobalOptions& global);
int run_serve(const GlobalOptions& global);

// OAuth (issue 3): cli/login.cpp, cli/logout.cpp.
void register_login(CLI::App& app, GlobalOptions& global);
void register_logout(CLI::App& app, GlobalOptions& global);

// The user's side (issue 6): one file each under cli/.
void register_add(CLI::App& app, GlobalOptions& global);
void register_remove(CLI::App& app, GlobalOptions& global);
void register_list(CLI::App& app, GlobalOptions& global);
void register_token(CLI::App& app, GlobalOptions& global);
void register_tools(CLI::App& app, GlobalOptions& global);
void register_call(CLI::App& app, GlobalOptions& global);
void register_status(CLI::App& app, GlobalOptions& global);
void register_doctor(CLI::App& app, GlobalOptions& global);
void register_install(CLI::App& app, GlobalOptions& global);
void register_cache(CLI::App& app, GlobalOptions& global);

// cli/help.cpp: the command list (`bridge help`, an unknown command) and the greeting of
// `bridge` run by hand in a terminal.
void register_help(CLI::App& app);
void print_command_list(const CLI::App& app, std::FILE* out);
void print_terminal_greeting(const CLI::App& app);

} // namespace bridge::cli
