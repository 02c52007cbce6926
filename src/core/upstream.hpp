#pragma once

// The seam between the router (which knows prefixes, ids and catalogs) and the transports (which
// know HTTP, SSE and sessions). The router sees only these interfaces; cli/serve wires a
// transport implementation to them.

#include "core/envelope.hpp"
#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace bridge::core {

// A message from an upstream, with its envelope already scanned (once, by the transport).
struct InboundMessage {
  std::string text; // padded (ensure_padding), so it can be spliced in place
  Envelope envelope;
};

// Timers on the event loop, so the router can bound waits without knowing the loop.
class Scheduler {
public:
  using TimerId = std::uint64_t;
  virtual ~Scheduler() = default;
  virtual TimerId schedule(std::chrono::milliseconds delay, std::function<void()> callback) = 0;
  virtual void cancel(TimerId id) = 0;
  [[nodiscard]] virtual std::chrono::steady_clock::time_point now() const = 0;
};

// What a transport reports about its upstream. `upstream` is the index the router gave the link.
class UpstreamListener {
public:
  virtual ~UpstreamListener() = default;
  // The initialize handshake succeeded; `initialize_result` is the upstream's result object.
  virtual void on_upstream_ready(std::size_t upstream, const nlohmann::json& initialize_result) = 0;
  // The connection could not be set up, or a live session was lost for good.
  virtual void on_upstream_failed(std::size_t upstream, const Error& error) = 0;
  // Any JSON-RPC message the upstream sent: responses, its own requests, notifications.
  virtual void on_upstream_message(std::size_t upstream, InboundMessage&& message) = 0;
  // The HTTP exchange that carried request `id` ended without delivering its response.
  virtual void on_upstream_request_failed(std::size_t upstream, std::uint64_t id, const Error& error) = 0;
};

// One upstream MCP server, as the router drives it.
class UpstreamLink {
public:
  virtual ~UpstreamLink() = default;
  // Starts (or restarts) the initialize handshake, declaring the given client capabilities.
  virtual void connect(const nlohmann::json& client_capabilities) = 0;
  // Sends a request whose id the router chose; its response comes through on_upstream_message, or
  // on_upstream_request_failed if the exchange dies first.
  virtual void send_request(std::uint64_t id, std::string text) = 0;
  // Sends a notification or a response to one of the upstream's requests.
  virtual void send_message(std::string text) = 0;
  // Ends the session (HTTP DELETE where there is one) and calls `done` when finished or given up.
  virtual void shutdown(std::function<void()> done) = 0;
};

// Where the router writes messages for the AI client: one whole JSON message per call.
class ClientWriter {
public:
  virtual ~ClientWriter() = default;
  virtual void write_message(std::string&& message) = 0;
};

} // namespace bridge::core
