#pragma once

// Drives the same router `bridge serve` runs, from the terminal: builds it with build_bridge(),
// plays the AI client (initialize, then one request, exactly as a client would send them), runs
// the event loop until the answer arrives (bounded), and closes every upstream session. Used by
// `bridge tools`, `bridge call` and `bridge status`.

#include "core/config.hpp"
#include "core/router.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bridge::cli {

struct SessionOptions {
  std::string only;                          // one server by name, or all enabled ones
  bool elicitation = false;                  // declare the elicitation capability (bridge call)
  // Answers a bridge confirmation (elicitation/create with a boolean "confirm"): true = yes.
  std::function<bool(const std::string& message)> confirm;
  std::chrono::milliseconds deadline{60000}; // for the whole exchange
  // Send the request only once every upstream has connected or failed (bounded by `settle`), so
  // the answer reflects the servers now, not a cached catalog (bridge tools, bridge status).
  bool wait_for_upstreams = false;
  std::chrono::milliseconds settle{15000};
};

struct SessionResult {
  std::optional<nlohmann::json> response;    // the JSON-RPC response to the request
  bool timed_out = false;
  std::vector<core::UpstreamState> upstreams;
  // How the tool call ended, as the router's audit records it ("ok", "tool_error", "declined",
  // "timeout", "unavailable", …); "" when the request was no tool call that reached routing.
  std::string outcome;
};

SessionResult run_session(const core::Config& config, const SessionOptions& options, const std::string& method,
                          const nlohmann::json& params);

} // namespace bridge::cli
