#pragma once

// Builds the running bridge from a config: the router and one transport link per enabled
// upstream, each with its auth source. `bridge serve` wires it to stdio; `bridge tools` and
// `bridge call` drive the same router from the terminal, so every path goes through one code.

#include "core/config.hpp"
#include "platform/secret_store.hpp"
#include "core/router.hpp"
#include "transport/event_loop.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace bridge::cli {

struct Bridge {
  std::vector<core::ServerConfig> servers; // the enabled ones, in config order (router indices)
  std::unique_ptr<core::Router> router;
};

// The servers to run: every enabled one, or only `only` when it is not empty.
// background_login = false (the terminal commands: status, tools, call): an "oauth" server with no
// usable stored login is reported as not logged in instead of starting a browser login.
// observe_calls: also given every tool call's audit record (its outcome), audit log or not.
Bridge build_bridge(const core::Config& config, transport::EventLoop& loop, core::ClientWriter& writer,
                    const std::string& only = {}, bool background_login = true,
                    std::function<void(const nlohmann::ordered_json& record)> observe_calls = {});

platform::StorePreference store_preference(const core::Config& config);

} // namespace bridge::cli
