// `bridge serve` (and `bridge` alone): the stdio MCP server that AI clients launch.

#include "auth/references.hpp"
#include "auth/static_token.hpp"
#include "cli/commands.hpp"
#include "cli/logging.hpp"
#include "cli/options.hpp"
#include "core/config.hpp"
#include "core/jsonrpc.hpp"
#include "core/router.hpp"
#include "core/url.hpp"
#include "platform/platform.hpp"
#include "transport/event_loop.hpp"
#include "transport/stdio.hpp"
#include "transport/streamable_http.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace bridge::cli {
namespace {

platform::StorePreference store_preference(const core::Config& config) {
  if (config.token_store == "keychain") {
    return platform::StorePreference::keychain;
  }
  if (config.token_store == "file") {
    return platform::StorePreference::file;
  }
  return platform::StorePreference::automatic;
}

// The auth source an upstream's transport asks for its Authorization header.
std::shared_ptr<transport::AuthSource> make_auth(const core::ServerConfig& server,
                                                 const std::shared_ptr<auth::ReferenceResolver>& resolver) {
  switch (server.auth) {
  case core::AuthMode::token:
    return std::make_shared<auth::StaticTokenAuth>(server.name, server.token, resolver);
  case core::AuthMode::oauth:
    return std::make_shared<auth::UnavailableAuth>(core::make_error(
        core::ErrorKind::auth, "no OAuth login stored for it (OAuth login is not available in this build yet; use \"auth\": \"token\" with an API key)"));
  case core::AuthMode::none:
    break;
  }
  return nullptr;
}

std::unique_ptr<transport::StreamableHttpLink> make_link(transport::EventLoop& loop, const core::ServerConfig& server,
                                                         core::UpstreamListener& listener, std::size_t index,
                                                         const std::shared_ptr<auth::ReferenceResolver>& resolver) {
  transport::StreamableHttpOptions options;
  options.name = server.name;
  options.url = core::effective_url(server);
  options.ca_file = server.ca_file;
  options.timeout = std::chrono::seconds(server.timeout_s);
  auto url = core::parse_url(server.url);
  options.allow_http_redirects = url && url->scheme == "http";
  options.auth = make_auth(server, resolver);
  for (const auto& [name, value] : server.headers) {
    auto resolved = resolver->resolve(value, "servers." + server.name + ".headers." + name);
    if (!resolved) {
      // The upstream cannot be reached as configured: it fails alone, with this reason.
      options.auth = std::make_shared<auth::UnavailableAuth>(resolved.error());
      break;
    }
    options.headers.emplace_back(name, std::move(*resolved));
  }
  return std::make_unique<transport::StreamableHttpLink>(loop, std::move(options), listener, index);
}

} // namespace

int run_serve(const GlobalOptions& global) {
  setup_logging(global.verbose);
  platform::prepare_stdio();

  auto path = resolve_config_path(global);
  auto loaded = core::load_config(path);
  core::Config config;
  if (loaded) {
    config = std::move(*loaded);
  } else if (loaded.error().kind == core::ErrorKind::not_found && !config_path_is_explicit(global)) {
    // Launched by a client before any setup: serve nothing rather than fail to start.
    spdlog::warn("no config at {}; serving no upstreams (add one with `bridge add NAME --url URL`)", path.string());
  } else {
    std::fprintf(stderr, "mcp-bridge: %s\n", loaded.error().message.c_str());
    return 2;
  }
  for (const auto& warning : config.warnings) {
    spdlog::warn("{}", warning);
  }

  std::vector<core::ServerConfig> servers;
  for (const auto& server : config.servers) {
    if (server.enabled) {
      servers.push_back(server);
    }
  }

  transport::EventLoop loop;
  transport::StdoutWriter writer;
  core::RouterOptions options;
  options.page_size = config.page_size;
  core::Router router(servers, options, loop, writer);
  auto resolver = std::make_shared<auth::ReferenceResolver>(store_preference(config));
  for (std::size_t i = 0; i < servers.size(); ++i) {
    router.set_link(i, make_link(loop, servers[i], router, i, resolver));
  }

  bool closing = false;
  transport::StdinReader reader(
      loop, [&router](std::string&& line) { router.on_client_message(std::move(line)); },
      [&writer] {
        writer.write_message(core::jsonrpc::error_response(core::jsonrpc::k_null_id, core::jsonrpc::k_invalid_request,
                                                           "Invalid Request: message too large"));
      },
      [&] {
        if (closing) {
          return;
        }
        closing = true;
        // End every upstream session (DELETE), but never hang on the way out.
        loop.schedule(std::chrono::seconds(3), [&loop] { loop.stop(); });
        router.on_client_closed([&loop] { loop.stop(); });
      });
  reader.start();
  loop.run();
  return 0;
}

void register_serve(CLI::App& app, GlobalOptions& global) {
  auto* serve = app.add_subcommand("serve", "Serve MCP on stdin/stdout (what AI clients launch)");
  serve->footer("Example:\n  BRIDGE_CONFIG=~/bridge.json bridge serve\n\n"
                "Reads the config ($BRIDGE_CONFIG, --config, or the platform default), connects to every enabled\n"
                "server when the client initializes, and exposes their tools under each server's prefix.\n"
                "Exit codes: 0 when the client closes stdin; 2 when the config is invalid.");
  serve->callback([&global] { global.exit_code = run_serve(global); });
}

} // namespace bridge::cli
