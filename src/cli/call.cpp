// `bridge call TOOL --args JSON`: one tool call from the terminal, through the same router.

#include "cli/commands.hpp"
#include "cli/session.hpp"
#include "cli/support.hpp"
#include "core/jsonrpc.hpp"
#include "platform/terminal.hpp"

#include <cstdio>
#include <iostream>

namespace bridge::cli {
namespace {

using nlohmann::json;

struct CallOptions {
  std::string tool;
  std::string args = "{}";
  bool yes = false;
  bool as_json = false;
  int timeout_s = 120;
};

void print_content(const json& result) {
  bool printed = false;
  for (const auto& item : result.value("content", json::array())) {
    std::string type = item.value("type", "");
    if (type == "text") {
      std::string text = item.value("text", "");
      std::printf("%s%s", text.c_str(), text.empty() || text.back() != '\n' ? "\n" : "");
    } else if (type == "resource_link") {
      std::printf("[resource %s]\n", item.value("uri", "").c_str());
    } else if (type == "resource") {
      const json resource = item.value("resource", json::object());
      if (resource.contains("text")) {
        std::printf("%s\n", resource.value("text", "").c_str());
      } else {
        std::printf("[resource %s]\n", resource.value("uri", "").c_str());
      }
    } else {
      std::printf("[%s %s, %zu bytes base64]\n", type.c_str(), item.value("mimeType", "").c_str(),
                  item.value("data", "").size());
    }
    printed = true;
  }
  if (!printed && result.contains("structuredContent")) {
    std::printf("%s\n", result["structuredContent"].dump(2).c_str());
  }
}

// The exit code of a call the router saw through (docs/exit-codes.md), or -1 when it has none.
int exit_code_for_outcome(const std::string& outcome) {
  if (outcome == "ok") {
    return k_exit_ok;
  }
  if (outcome == "timeout" || outcome == "unavailable") {
    return k_exit_unavailable;
  }
  if (outcome == "unknown_tool") {
    return k_exit_usage; // as when no catalog lists it at all
  }
  if (outcome.empty()) {
    return -1;
  }
  return k_exit_failed; // tool_error, error, declined, refused, cancelled
}

int run_call(const GlobalOptions& global, const CallOptions& options) {
  json arguments = json::parse(options.args, nullptr, false);
  if (!arguments.is_object()) {
    std::fprintf(stderr, "bridge call: --args must be a JSON object, e.g. --args '{\"message\": \"hi\"}'\n");
    return k_exit_usage;
  }
  auto loaded = load_config_for_cli(global, false);
  if (!loaded) {
    return k_exit_usage;
  }
  // Connect only the server whose prefix the name carries (the longest match), when there is one.
  SessionOptions session;
  std::size_t best = 0;
  for (const auto& server : loaded->config.servers) {
    if (server.enabled && !server.prefix.empty() && options.tool.rfind(server.prefix, 0) == 0 && server.prefix.size() > best) {
      session.only = server.name;
      best = server.prefix.size();
    }
  }
  session.elicitation = true;
  session.deadline = std::chrono::seconds(options.timeout_s);
  session.confirm = [&options](const std::string& message) {
    std::fprintf(stderr, "%s\n", message.c_str());
    if (options.yes) {
      std::fprintf(stderr, "Confirmed by --yes.\n");
      return true;
    }
    if (!platform::stdin_is_terminal()) {
      std::fprintf(stderr, "Not run: it needs confirmation and there is no terminal to ask; add --yes to confirm.\n");
      return false;
    }
    std::fprintf(stderr, "Run it? [y/N] ");
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "y" || answer == "Y" || answer == "yes";
  };
  auto result = run_session(loaded->config, session, "tools/call", {{"name", options.tool}, {"arguments", arguments}});
  if (!result.response) {
    std::fprintf(stderr, "bridge call: no answer within %d s\n", options.timeout_s);
    return k_exit_unavailable;
  }
  const json& response = *result.response;
  if (options.as_json) {
    std::printf("%s\n", response.contains("result") ? response["result"].dump(2).c_str() : response.dump(2).c_str());
  }
  if (response.contains("error")) {
    int code = response["error"].value("code", 0);
    std::string message = response["error"].value("message", "error");
    std::fprintf(stderr, "bridge call: %s\n", message.c_str());
    if (code == core::jsonrpc::k_invalid_params && message.rfind("Unknown tool", 0) == 0) {
      std::fprintf(stderr, "(`bridge tools` lists the names)\n");
      return k_exit_usage;
    }
    if (code == core::jsonrpc::k_request_timeout || code == core::jsonrpc::k_upstream_unavailable) {
      return k_exit_unavailable;
    }
    return k_exit_failed;
  }
  const json& tool_result = response.value("result", json::object());
  bool is_error = tool_result.value("isError", false);
  if (!options.as_json) {
    if (is_error) {
      // The same words the model would read, on stderr.
      for (const auto& item : tool_result.value("content", json::array())) {
        if (item.value("type", "") == "text") {
          std::fprintf(stderr, "%s\n", item.value("text", "").c_str());
        }
      }
    } else {
      print_content(tool_result);
    }
  }
  // The router's outcome decides, not how far the upstream got meanwhile: with a cached catalog
  // a declined call ends before its server has connected, and must still exit as declined.
  if (int code = exit_code_for_outcome(result.outcome); code >= 0) {
    return code;
  }
  return is_error ? k_exit_failed : k_exit_ok;
}

} // namespace

void register_call(CLI::App& app, GlobalOptions& global) {
  auto options = std::make_shared<CallOptions>();
  auto* call = app.add_subcommand("call", "Call one tool from the terminal (as the AI client would)");
  call->add_option("tool", options->tool, "The tool's name as `bridge tools` shows it (with its prefix)")->required();
  call->add_option("--args", options->args, "Arguments as a JSON object (default {})");
  call->add_flag("-y,--yes", options->yes, "Answer yes when the tool needs confirmation");
  call->add_flag("--json", options->as_json, "Print the raw result");
  call->add_option("--timeout", options->timeout_s, "Give up after this many seconds (default 120)")
      ->check(CLI::Range(1, 86400));
  call->footer(R"(Examples:
  bridge call jc_admin_users_list
  bridge call jc_admin_user_get --args '{"id": "5f1e0123456789abcdef0123"}'
  bridge call jungle_github__list_repos --json

A tool that needs confirmation ("confirm", "confirm_destructive") is asked about on the terminal
(or confirmed with --yes).
Exit codes: 0 ok; 1 the tool reported an error (isError) or the call was declined; 2 bad arguments,
unknown tool or invalid config; 3 the server could not be reached, refused the credentials or timed out.)");
  call->callback([&global, options] { global.exit_code = run_call(global, *options); });
}

} // namespace bridge::cli
