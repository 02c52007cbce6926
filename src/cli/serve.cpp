// `bridge serve` (and `bridge` alone): the stdio MCP server that AI clients launch.

#include "cli/commands.hpp"
#include "cli/logging.hpp"
#include "cli/options.hpp"
#include "cli/wiring.hpp"
#include "core/config.hpp"
#include "core/envelope.hpp"
#include "core/jsonrpc.hpp"
#include "core/leading_id.hpp"
#include "core/router.hpp"
#include "platform/platform.hpp"
#include "platform/termination.hpp"
#include "transport/client_output.hpp"
#include "transport/event_loop.hpp"
#include "transport/stdio.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>

namespace bridge::cli {

int run_serve(const GlobalOptions& global) {
  // Before any thread exists: SIGTERM/SIGINT then reach a watcher thread, which hands them to the
  // loop below (set there), instead of killing the process with its upstream sessions open.
  // Shared with the watcher thread, which outlives this function.
  struct Termination {
    std::mutex mutex;
    std::function<void()> requested;
    bool asked = false;
  };
  auto termination = std::make_shared<Termination>();
  platform::watch_termination([termination] {
    std::lock_guard<std::mutex> lock(termination->mutex);
    // Before the loop runs, after it, or asked a second time: the default action (end at once).
    if (!termination->requested || termination->asked) {
      return false;
    }
    termination->asked = true;
    termination->requested();
    return true;
  });
  setup_logging(global.verbose, true); // stderr and <data dir>/logs/bridge.log
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

  transport::EventLoop loop;
  // After the loop: destroyed first, it flushes what is queued while the loop can still be posted to.
  transport::ClientOutput writer;
  // A client that reads more slowly than upstreams send: take no more from them until it caught up.
  loop.set_receive_gate([&writer] { return !writer.backlogged(); });
  writer.set_on_drained([&loop] { loop.post([&loop] { loop.resume_receiving(); }); });
  Bridge bridge = build_bridge(config, loop, writer);
  core::Router& router = *bridge.router;

  bool closing = false;
  auto close = [&] {
    if (closing) {
      return;
    }
    closing = true;
    // End every upstream session (DELETE), but never hang on the way out.
    loop.schedule(std::chrono::seconds(3), [&loop] { loop.stop(); });
    router.on_client_closed([&loop] { loop.stop(); });
  };
  const int max_mb = config.max_client_message_mb;
  transport::StdinReader reader(
      loop, [&router](std::string&& line) { router.on_client_message(std::move(line)); },
      [&writer, max_mb](std::string&& head) {
        // Answered with its own id where its first bytes hold it, so the client's call ends.
        auto id = core::leading_id(head);
        writer.write_message(core::jsonrpc::error_response(id ? *id : std::string(core::jsonrpc::k_null_id),
                                                           core::jsonrpc::k_invalid_request,
                                                           "Invalid Request: message too large (over " +
                                                               std::to_string(max_mb) + " MiB, max_client_message_mb)"));
      },
      close, static_cast<std::size_t>(max_mb) << 20);
  {
    std::lock_guard<std::mutex> lock(termination->mutex);
    termination->requested = [&loop, &close] {
      loop.post([&close] {
        spdlog::info("asked to stop; ending the upstream sessions");
        close();
      });
    };
  }
  reader.start();
  // libcurl and libcrypto load on another thread while the client initializes (a no-op where
  // they come with the executable). While dlopen runs it holds glibc's loader lock, which this
  // thread would need to start a thread (the stdin reader, where there is one) or to make its
  // first thread_local object with a destructor (the envelope parser): both come first, so
  // initialize never waits for the load.
  (void)core::scan_envelope(std::string("{}"));
  platform::preload_network_libraries();
  loop.run();
  {
    std::lock_guard<std::mutex> lock(termination->mutex);
    termination->requested = nullptr; // the loop is gone: a late signal finds nothing to post to
  }
  return 0;
}

void register_serve(CLI::App& app, GlobalOptions& global) {
  auto* serve = app.add_subcommand("serve", "Serve MCP on stdin/stdout (what AI clients launch)");
  serve->footer("Example:\n  BRIDGE_CONFIG=~/bridge.json bridge serve\n\n"
                "Reads the config ($BRIDGE_CONFIG, --config, or the platform default), connects to every enabled\n"
                "server when the client initializes, and exposes their tools under each server's prefix.\n"
                "Exit codes: 0 when the client closes stdin or asks it to stop (SIGTERM, SIGINT), after ending\n"
                "every upstream session; 2 when the config is invalid.");
  serve->callback([&global] { global.exit_code = run_serve(global); });
}

} // namespace bridge::cli
