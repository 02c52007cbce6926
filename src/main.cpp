// CLI11 wiring only: every subcommand lives in cli/.

#include "cli/commands.hpp"
#include "cli/options.hpp"
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
                 "Config file (default: $BRIDGE_CONFIG, else the platform config dir)")
      ->option_text("FILE");
  app.add_flag("-v,--verbose", global.verbose, "Debug logs on stderr (also BRIDGE_LOG=debug)");
  app.require_subcommand(0, 1);
  app.fallthrough();

  bridge::cli::register_serve(app, global);

  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return app.exit(e);
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
