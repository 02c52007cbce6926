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
#include <memory>
#include <string>
#include <string_view>

namespace bridge::core {

// A message from an upstream, with its envelope already scanned (once, by the transport).
struct InboundMessage {
  std::string text; // padded (ensure_padding), so it can be spliced in place
  Envelope envelope;
};

// The bytes of one large response, handed to the router while they arrive (cut-through): the
// transport opens it with UpstreamListener::open_response_stream and then gives exactly one of
// end() or abort(), or destroys it (which counts as an abort).
class ResponseStream {
public:
  virtual ~ResponseStream() = default;
  // More of the response. False: the router has given up on it (stop sending).
  virtual bool data(std::string_view bytes) = 0;
  // The response is complete.
  virtual void end() = 0;
  // It cannot be completed (the connection broke, the stream was cut).
  virtual void abort(const Error& error) = 0;
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
  // A large response to request `id` has begun to arrive (`first_bytes` of it so far): returns the
  // stream that takes it from here, on to the client as it arrives, or null when it must be
  // delivered whole through on_upstream_message as usual. Once a stream is returned, request `id`
  // gets its one outcome through that stream.
  virtual std::unique_ptr<ResponseStream> open_response_stream(std::size_t /*upstream*/, std::uint64_t /*id*/,
                                                               std::string_view /*first_bytes*/) {
    return nullptr;
  }
};

// One upstream MCP server, as the router drives it.
class UpstreamLink {
public:
  virtual ~UpstreamLink() = default;
  // Starts (or restarts) the initialize handshake, declaring the given client capabilities and
  // asking for `protocol_version` (the one the AI client negotiated; "" = the newest), so the
  // upstream enables nothing the client cannot handle.
  virtual void connect(const nlohmann::json& client_capabilities, const std::string& protocol_version) = 0;
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
  // One message written in pieces as it arrives (a large result forwarded cut-through), one such
  // message at a time. Whole messages may be written meanwhile: the writer keeps each message whole
  // (it must not put one inside the other's line). By default the pieces are assembled and written
  // whole at the end; a writer that can do better overrides all three.
  virtual void write_piece(std::string_view bytes) { m_assembling.append(bytes); }
  virtual void end_pieces() {
    std::string message = std::move(m_assembling);
    m_assembling.clear();
    write_message(std::move(message));
  }
  // The message cannot be completed: what was written of it must not pass for a message.
  virtual void abandon_pieces() { std::string().swap(m_assembling); }

private:
  std::string m_assembling;
};

} // namespace bridge::core
