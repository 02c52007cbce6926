// `bridge list`: the configured upstreams, from the config alone (no network).

#include "cli/commands.hpp"
#include "cli/support.hpp"
#include "core/policy.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace bridge::cli {
namespace {

const char* auth_name(core::AuthMode mode) {
  switch (mode) {
  case core::AuthMode::token: return "token";
  case core::AuthMode::oauth: return "oauth";
  case core::AuthMode::none: break;
  }
  return "none";
}

int run_list(const GlobalOptions& global, bool as_json) {
  auto loaded = load_config_for_cli(global, false);
  if (!loaded) {
    return k_exit_usage;
  }
  const auto& servers = loaded->config.servers;
  if (as_json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& server : servers) {
      nlohmann::ordered_json item;
      item["name"] = server.name;
      item["url"] = core::effective_url(server);
      item["prefix"] = server.prefix;
      item["organizationID"] = server.organization_id ? nlohmann::ordered_json(*server.organization_id) : nullptr;
      item["auth"] = auth_name(server.auth);
      item["enabled"] = server.enabled;
      item["read_only"] = server.safety.read_only;
      item["confirm"] = server.safety.confirm;
      item["confirm_destructive"] = server.safety.confirm_destructive;
      item["unannotated"] = core::unannotated_name(server.safety.unannotated);
      out.push_back(std::move(item));
    }
    std::printf("%s\n", out.dump(2).c_str());
    return k_exit_ok;
  }
  if (servers.empty()) {
    std::printf("No servers configured (%s).\nAdd one: bridge add jumpcloud, bridge add mcpjungle, or bridge add NAME --url URL\n",
                loaded->path.string().c_str());
    return k_exit_ok;
  }
  std::vector<std::vector<std::string>> rows = {{"NAME", "PREFIX", "AUTH", "ORG", "STATE", "URL"}};
  for (const auto& server : servers) {
    std::string state = server.enabled ? "enabled" : "disabled";
    if (server.safety.read_only) {
      state += ", read-only";
    }
    if (!server.safety.confirm.empty() || server.safety.confirm_destructive ||
        server.safety.unannotated == core::Unannotated::confirm) {
      state += ", confirms";
    }
    rows.push_back({server.name, server.prefix.empty() ? "(none)" : server.prefix, auth_name(server.auth),
                    server.organization_id.value_or("-"), state, server.url});
  }
  print_table(rows);
  std::printf("\nConfig: %s\n", loaded->path.string().c_str());
  return k_exit_ok;
}

} // namespace

void register_list(CLI::App& app, GlobalOptions& global) {
  auto as_json = std::make_shared<bool>(false);
  auto* list = app.add_subcommand("list", "Show the configured upstreams (no network)");
  list->add_flag("--json", *as_json, "Machine-readable output");
  list->footer("Examples:\n  bridge list\n  bridge list --json\n\n"
               "`bridge status` also connects to each server.\nExit codes: 0 ok; 2 invalid config.");
  list->callback([&global, as_json] { global.exit_code = run_list(global, *as_json); });
}

} // namespace bridge::cli
