// `bridge help`, `bridge` alone in a terminal, and an unknown command: the list of commands, so a
// newcomer who types the program's name sees what it does instead of a silent JSON-RPC server.

#include "cli/commands.hpp"
#include "cli/support.hpp"

#include <cstdio>
#include <string>

namespace bridge::cli {

void print_command_list(const CLI::App& app, std::FILE* out) {
  std::fprintf(out, "Commands:\n");
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    std::fprintf(out, "  %-9s %s\n", sub->get_name().c_str(), sub->get_description().c_str());
  }
  std::fprintf(out, "`bridge COMMAND --help` shows examples. Start with: bridge login jumpcloud, then bridge install claude\n");
}

void print_terminal_greeting(const CLI::App& app) {
  std::fprintf(stderr, "bridge is the MCP server an AI client starts (it speaks JSON-RPC on stdin/stdout); run in a\n"
                       "terminal, it has nothing to do. To serve here anyway: bridge serve\n\n");
  print_command_list(app, stderr);
}

void register_help(CLI::App& app) {
  auto* help = app.add_subcommand("help", "List the commands (COMMAND --help for one)");
  help->callback([&app] { print_command_list(app, stdout); });
}

} // namespace bridge::cli
