// CLI11 wiring only: every subcommand lives in cli/.

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "platform/terminal.hpp"
#include "version.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char** argv) {
  bridge::cli::GlobalOptions global;
  CLI::App app{"mcp-bridge: one stdio MCP server in front of many remote MCP servers.\n"
               "Run without a subcommand, it serves MCP on stdin/stdout (the same as `bridge serve`).",
               "bridge"};
  app.set_version_flag("--version", std::string("bridge (mcp-bridge) ") + bridge::k_version);
  app.add_option("--config", global.config_path,
                 "Config file (wins over $BRIDGE_CONFIG; default: the platform config dir)")
      ->option_text("FILE");
  app.add_flag("-v,--verbose", global.verbose, "Debug logs on stderr (also BRIDGE_LOG=debug)");
  app.require_subcommand(0, 1);
  app.fallthrough();

  bridge::cli::register_serve(app, global);
  bridge::cli::register_login(app, global);
  bridge::cli::register_logout(app, global);
  bridge::cli::register_add(app, global);
  bridge::cli::register_remove(app, global);
  bridge::cli::register_list(app, global);
  bridge::cli::register_token(app, global);
  bridge::cli::register_tools(app, global);
  bridge::cli::register_call(app, global);
  bridge::cli::register_status(app, global);
  bridge::cli::register_doctor(app, global);
  bridge::cli::register_install(app, global);
  bridge::cli::register_cache(app, global);
  bridge::cli::register_help(app);

  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::ExtrasError& e) {
      if (!app.get_subcommands().empty()) {
        return app.exit(e) == 0 ? 0 : 2;
      }
      std::fprintf(stderr, "bridge: %s (not a command)\n", e.what());
      bridge::cli::print_command_list(app, stderr);
      return 2;
    } catch (const CLI::ParseError& e) {
      // --help and --version exit 0; every usage error exits 2 (docs/exit-codes.md).
      return app.exit(e) == 0 ? 0 : 2;
    }
    if (app.get_subcommands().empty() && bridge::platform::stdin_is_terminal()) {
      bridge::cli::print_terminal_greeting(app);
      return 0;
    }
    if (app.get_subcommands().empty()) {
      // `bridge` alone is what AI clients launch: serve.
      return bridge::cli::run_serve(global);
    }
    return global.exit_code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bridge: error: %s\n", e.what());
    return 1;
  }
}
