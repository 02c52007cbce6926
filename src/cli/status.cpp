// `bridge status`: each upstream side by side — reachable? credentials? tool count, latency — and
// which token store is in use. Connects through the same router `bridge serve` runs.

#include "auth/references.hpp"
#include "cli/commands.hpp"
#include "cli/cursor_budget.hpp"
#include "cli/session.hpp"
#include "cli/support.hpp"
#include "cli/wiring.hpp"
#include "core/remedy.hpp"
#include "platform/secret_store.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace bridge::cli {
namespace {

using nlohmann::json;

struct Credential {
  std::string summary; // "API key stored (keychain)", "not logged in", …
  bool present = true;
};

Credential credential_state(const core::ServerConfig& server, auth::ReferenceResolver& resolver,
                            platform::StorePreference preference) {
  switch (server.auth) {
  case core::AuthMode::none:
    return {"none", true};
  case core::AuthMode::token: {
    auto resolved = resolver.resolve(server.token, "servers." + server.name + ".token");
    std::string where = server.token.find("${keychain:") != std::string::npos ? "keychain"
                        : server.token.find("${env:") != std::string::npos  ? "env"
                        : server.token.find("${file:") != std::string::npos ? "file"
                                                                            : "literal in config";
    if (!resolved) {
      return {"token missing (" + where + ")", false};
    }
    return {"token (" + where + ")", true};
  }
  case core::AuthMode::oauth: {
    bool present = false;
    std::string state = oauth_login_state(server, preference, present);
    return {"oauth: " + state, present};
  }
  }
  return {"?", true};
}

std::string state_text(const core::UpstreamState& state) {
  if (state.phase == "ready") {
    return "ok";
  }
  if (state.failure && state.failure->kind == core::ErrorKind::auth) {
    return "auth failed";
  }
  if (state.phase == "failed") {
    return "unreachable";
  }
  return state.phase == "connecting" ? "no answer yet" : state.phase;
}

int run_status(const GlobalOptions& global, bool as_json) {
  auto loaded = load_config_for_cli(global, false);
  if (!loaded) {
    return k_exit_usage;
  }
  const auto& config = loaded->config;
  auto store = platform::open_secret_store(store_preference(config));
  std::string store_text = store ? (*store)->describe() : "unavailable: " + store.error().message;
  if (loaded->missing || config.servers.empty()) {
    if (as_json) {
      std::printf("%s\n", json{{"config", loaded->path.string()}, {"token_store", store_text}, {"servers", json::array()}}.dump(2).c_str());
    } else {
      std::printf("No servers configured (%s).\nAdd one: bridge add jumpcloud, bridge add mcpjungle, or bridge add NAME --url URL\n",
                  loaded->path.string().c_str());
    }
    return k_exit_ok;
  }
  auth::ReferenceResolver resolver(store_preference(config));
  SessionOptions options;
  options.deadline = std::chrono::seconds(30);
  options.wait_for_upstreams = true;
  auto result = run_session(config, options, "tools/list", json::object());

  int exit_code = k_exit_ok;
  json servers = json::array();
  std::vector<std::vector<std::string>> rows = {{"NAME", "ORG", "AUTH", "STATE", "TOOLS", "LATENCY", "SERVER"}};
  std::vector<std::string> details;
  for (const auto& server : config.servers) {
    Credential credential = credential_state(server, resolver, store_preference(config));
    const core::UpstreamState* state = nullptr;
    for (const auto& candidate : result.upstreams) {
      if (candidate.name == server.name) {
        state = &candidate;
      }
    }
    if (server.auth == core::AuthMode::oauth && !credential.present && state != nullptr && state->phase == "ready") {
      // No login, yet it answered: it asked for no authorization (the bridge tries without first).
      credential.summary = "oauth: not needed (the server answered without a token)";
    }
    json item = {{"name", server.name}, {"url", core::effective_url(server)}, {"prefix", server.prefix},
                 {"organizationID", server.organization_id ? json(*server.organization_id) : json(nullptr)},
                 {"enabled", server.enabled}, {"credentials", credential.summary}};
    std::string auth = credential.summary;
    if (!server.enabled || state == nullptr) {
      item["state"] = "disabled";
      rows.push_back({server.name, server.organization_id.value_or("-"), auth, "disabled", "-", "-", "-"});
      servers.push_back(item);
      continue;
    }
    std::string text = state_text(*state);
    std::string latency = state->connect_time ? format_duration_ms(state->connect_time->count()) : "-";
    std::string info = state->server_info.value("name", "") + (state->server_info.contains("version")
                                                                   ? " " + state->server_info.value("version", "")
                                                                   : "");
    rows.push_back({server.name, server.organization_id.value_or("-"), auth, text,
                    state->phase == "ready" ? std::to_string(state->tools) : "-", latency, info.empty() ? "-" : info});
    item["state"] = text;
    item["credentials"] = auth;
    item["tools"] = state->tools;
    item["latency_ms"] = state->connect_time ? json(state->connect_time->count()) : json(nullptr);
    item["server_info"] = state->server_info;
    if (state->phase != "ready") {
      exit_code = k_exit_unavailable;
      std::string message = state->failure ? state->failure->message : "no answer within the wait";
      item["error"] = message;
      std::string remedy;
      if (state->failure && state->failure->kind == core::ErrorKind::auth) {
        remedy = core::credentials_remedy(server, *state->failure);
      } else {
        remedy = "`bridge doctor` checks DNS, TLS and the URL";
      }
      details.push_back(server.name + ": " + message + "\n    fix: " + remedy);
    }
    servers.push_back(item);
  }
  if (as_json) {
    std::printf("%s\n", json{{"config", loaded->path.string()}, {"token_store", store_text}, {"servers", servers}}.dump(2).c_str());
    return exit_code;
  }
  print_table(rows);
  for (const auto& detail : details) {
    std::printf("\n%s\n", detail.c_str());
  }
  for (const auto& warning : cursor_budget_warnings(listed_tool_names(result.response), "bridge")) {
    std::printf("\nwarning: %s\n", warning.c_str());
  }
  std::printf("\nConfig:      %s\nToken store: %s\n", loaded->path.string().c_str(), store_text.c_str());
  return exit_code;
}

} // namespace

void register_status(CLI::App& app, GlobalOptions& global) {
  auto as_json = std::make_shared<bool>(false);
  auto* status = app.add_subcommand("status", "Connect to each server: reachable? credentials? tools, latency");
  status->add_flag("--json", *as_json, "Machine-readable output");
  status->footer("Examples:\n  bridge status\n  bridge status --json\n\n"
                 "Several JumpCloud organizations (bridge add jumpcloud --org ID --name N) are shown side by side.\n"
                 "Exit codes: 0 every enabled server answered; 2 invalid config; 3 a server is unreachable or refused\n"
                 "the credentials (the line says which and how to fix it).");
  status->callback([&global, as_json] { global.exit_code = run_status(global, *as_json); });
}

} // namespace bridge::cli
