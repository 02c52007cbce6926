// `bridge install claude|cursor|vscode`: add the bridge to an AI client's MCP config.

#include "cli/client_configs.hpp"
#include "cli/commands.hpp"
#include "cli/cursor_budget.hpp"
#include "cli/support.hpp"
#include "platform/client_paths.hpp"

#include <cstdio>

namespace bridge::cli {
namespace {

struct InstallOptions {
  std::string client;
  std::string name = "bridge";
  std::string file;
  bool print = false;
  bool force = false;
};

// From the cached catalog (what `bridge serve` saw last): nothing to say before the first serve.
void warn_cursor_budget(const GlobalOptions& global, const std::string& entry_name) {
  auto loaded = load_config_for_cli(global, false);
  if (!loaded) {
    return;
  }
  for (const auto& warning : cursor_budget_warnings(cached_tool_names(loaded->config), entry_name)) {
    std::printf("warning: %s\n", warning.c_str());
  }
}

void print_names(const char* label, const std::vector<std::string>& names) {
  if (names.empty()) {
    return;
  }
  std::string line;
  for (const auto& name : names) {
    line += (line.empty() ? "" : ", ") + name;
  }
  std::printf("%s%s\n", label, line.c_str());
}

int run_install(const GlobalOptions& global, const InstallOptions& options) {
  auto client = parse_client(options.client);
  if (!client) {
    std::fprintf(stderr, "bridge install: unknown client \"%s\" — use claude, cursor or vscode "
                         "(Claude Code: `claude mcp add bridge -- %s serve`)\n",
                 options.client.c_str(), platform::current_executable().string().c_str());
    return k_exit_usage;
  }
  std::optional<std::filesystem::path> config_path;
  if (config_path_is_explicit(global)) {
    config_path = std::filesystem::absolute(resolve_config_path(global));
  }
  auto entry = bridge_entry(*client, stable_executable_path(platform::current_executable()), config_path);
  auto file = options.file.empty() ? platform::client_config_path(*client) : std::filesystem::path(options.file);
  std::string key = servers_key(*client);
  if (options.print) {
    OrderedJson snippet = {{key, {{options.name, entry}}}};
    std::printf("%s\n", snippet.dump(2).c_str());
    std::fprintf(stderr, "(add this to %s — `bridge install %s` does it for you)\n", file.string().c_str(),
                 options.client.c_str());
    return k_exit_ok;
  }
  auto outcome = install_entry(*client, file, options.name, entry, options.force);
  if (!outcome) {
    std::fprintf(stderr, "bridge install: %s\n", outcome.error().message.c_str());
    OrderedJson snippet = {{key, {{options.name, entry}}}};
    std::fprintf(stderr, "The entry to add by hand:\n%s\n", snippet.dump(2).c_str());
    return k_exit_usage;
  }
  std::string display = client_display_name(*client);
  switch (outcome->change) {
  case InstallChange::unchanged:
    std::printf("%s: already installed in %s, nothing changed.\n", display.c_str(), file.string().c_str());
    return k_exit_ok;
  case InstallChange::added:
    std::printf("%s: added \"%s\" to %s%s\n", display.c_str(), options.name.c_str(), file.string().c_str(),
                outcome->created_file ? " (new file)" : "");
    break;
  case InstallChange::updated:
    std::printf("%s: updated \"%s\" in %s\n", display.c_str(), options.name.c_str(), file.string().c_str());
    break;
  }
  // Names only: the entry may carry the user's env block (API keys), never echoed.
  std::printf("  %s.%s runs %s %s\n", key.c_str(), options.name.c_str(), outcome->entry["command"].dump().c_str(),
              outcome->entry.value("args", OrderedJson::array()).dump().c_str());
  print_names("  set:  ", outcome->changed);
  print_names("  kept: ", outcome->kept);
  for (const auto& note : outcome->notes) {
    std::printf("  note: %s\n", note.c_str());
  }
  if (outcome->backup) {
    std::printf("  backup: %s\n", outcome->backup->string().c_str());
  }
  std::printf("Restart %s to load it.\n", display.c_str());
  if (*client == platform::AiClient::cursor) {
    warn_cursor_budget(global, options.name);
  }
  return k_exit_ok;
}

} // namespace

void register_install(CLI::App& app, GlobalOptions& global) {
  auto options = std::make_shared<InstallOptions>();
  auto* install = app.add_subcommand("install", "Add the bridge to an AI client's MCP config (claude, cursor, vscode)");
  install->add_option("client", options->client, "claude (Claude Desktop), cursor or vscode")->required();
  install->add_option("--name", options->name, "The entry's name in the client (default: bridge)");
  install->add_option("--file", options->file, "Edit this file instead of the client's usual one");
  install->add_flag("--print", options->print, "Only print the entry; change nothing");
  install->add_flag("--force", options->force,
                    "Make an entry of that name that runs another program or other arguments run this bridge");
  install->footer(R"(Examples:
  bridge install claude          Claude Desktop
  bridge install cursor          ~/.cursor/mcp.json
  bridge install vscode          VS Code's user mcp.json
  bridge install claude --print  show the entry without writing

Every other entry and field in the file is kept, and so is what you added to the bridge's own
entry ("env", arguments after "serve", "disabled", "autoApprove", any other field); values
from "env" and "headers" are never printed, only their names. The previous file is saved next
to it as <file>.bak-YYYYMMDD-HHMMSS; running it again changes nothing. The entry runs this
binary, by absolute path, with "serve"; an entry of that name that runs another program or
other arguments is refused (saying what differs) unless --force. Files with comments and
trailing commas (JSONC) are accepted; a new entry keeps the comments.
Claude Code: claude mcp add bridge -- /path/to/bridge serve
Exit codes: 0 installed or already there; 2 unknown client, or a file that cannot be edited safely.)");
  install->callback([&global, options] { global.exit_code = run_install(global, *options); });
}

} // namespace bridge::cli
