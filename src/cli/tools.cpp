// `bridge tools [NAME]`: the tools the AI client would see, listed through the same router.

#include "cli/commands.hpp"
#include "cli/session.hpp"
#include "cli/support.hpp"
#include "core/policy.hpp"
#include "core/remedy.hpp"

#include <cstdio>

namespace bridge::cli {
namespace {

using nlohmann::json;

std::string first_line(const std::string& text, std::size_t limit) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > limit) {
    line = line.substr(0, limit - 3) + "...";
  }
  return line;
}

int run_tools(const GlobalOptions& global, const std::string& only, bool as_json) {
  auto loaded = load_config_for_cli(global, false);
  if (!loaded) {
    return k_exit_usage;
  }
  std::vector<const core::ServerConfig*> servers;
  for (const auto& server : loaded->config.servers) {
    if (only.empty() ? server.enabled : server.name == only) {
      servers.push_back(&server);
    }
  }
  if (!only.empty() && servers.empty()) {
    std::fprintf(stderr, "bridge tools: no server named \"%s\" (`bridge list` shows them)\n", only.c_str());
    return k_exit_usage;
  }
  if (!only.empty() && !servers.front()->enabled) {
    std::fprintf(stderr, "bridge tools: %s is disabled (\"enabled\": false)\n", only.c_str());
    return k_exit_usage;
  }
  if (servers.empty()) {
    std::fprintf(stderr, "bridge tools: no servers configured — add one with `bridge add`\n");
    return k_exit_usage;
  }
  SessionOptions options;
  options.only = only;
  options.deadline = std::chrono::seconds(30);
  options.wait_for_upstreams = true;
  auto result = run_session(loaded->config, options, "tools/list", json::object());
  if (!result.response || !result.response->contains("result")) {
    std::fprintf(stderr, "bridge tools: no answer%s\n", result.timed_out ? " within 30 s" : "");
    return k_exit_unavailable;
  }
  const json& tools = (*result.response)["result"].value("tools", json::array());
  if (as_json) {
    std::printf("%s\n", (*result.response)["result"].dump(2).c_str());
  }
  int exit_code = k_exit_ok;
  for (std::size_t i = 0; i < result.upstreams.size(); ++i) {
    const auto& state = result.upstreams[i];
    const core::ServerConfig* server = nullptr;
    for (const auto* candidate : servers) {
      if (candidate->name == state.name) {
        server = candidate;
      }
    }
    if (state.phase != "ready") {
      exit_code = k_exit_unavailable;
      std::string remedy = "`bridge doctor` says why";
      if (server != nullptr && state.failure && state.failure->kind == core::ErrorKind::auth) {
        remedy = core::credentials_remedy(*server, *state.failure);
      }
      std::fprintf(stderr, "%s: unavailable — %s — %s\n", state.name.c_str(),
                   state.failure ? state.failure->message.c_str() : ("still " + state.phase).c_str(), remedy.c_str());
      continue;
    }
    if (as_json || server == nullptr) {
      continue;
    }
    std::printf("%s — %zu tool%s\n", state.name.c_str(), state.tools, state.tools == 1 ? "" : "s");
    std::vector<std::vector<std::string>> rows;
    for (const auto& tool : tools) {
      std::string name = tool.value("name", "");
      if (name.rfind(server->prefix, 0) != 0 || (server->prefix.empty() && servers.size() > 1)) {
        continue;
      }
      std::string original = name.substr(server->prefix.size());
      auto hints = core::tool_hints(tool);
      std::string marks;
      if (hints.read_only) {
        marks = "read-only";
      } else if (core::decide_call(server->safety, original, &tool).verdict == core::CallVerdict::confirm) {
        marks = "asks first";
      }
      rows.push_back({"  " + name, marks, first_line(tool.value("description", ""), 70)});
    }
    print_table(rows);
  }
  return exit_code;
}

} // namespace

void register_tools(CLI::App& app, GlobalOptions& global) {
  auto only = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  auto* tools = app.add_subcommand("tools", "List the tools the AI client sees (all servers, or one)");
  tools->add_option("name", *only, "Only this server");
  tools->add_flag("--json", *as_json, "Print the raw tools/list result");
  tools->footer("Examples:\n  bridge tools\n  bridge tools jumpcloud\n  bridge tools --json\n\n"
                "Connects exactly as `bridge serve` does (same router, same names, same filters).\n"
                "Exit codes: 0 listed; 2 unknown server or invalid config; 3 a server could not be reached.");
  tools->callback([&global, only, as_json] { global.exit_code = run_tools(global, *only, *as_json); });
}

} // namespace bridge::cli
