// Cut-through responses: a large result of a call whose answer the bridge passes on unchanged
// (tools/call, prompts/get, completion/complete, resources/read when its URIs are not rewritten)
// goes to the client while it arrives, with the client's id spliced in on the way
// (StreamedResponse). The client's stdout carries one message per line: the writer
// (ClientWriter, transport/client_output.hpp) keeps other messages whole around it, and lets them
// pass a stream that trickles. One stream at a time. A stream that cannot be completed
// (the upstream's connection broke, its JSON went wrong, the call timed out) ends its line where
// it stands, a line no JSON parser takes for a message, and the request is answered with an error
// on the next line; a store-and-forward bridge would have sent only the error, after holding the
// whole result in memory and making the client wait for both hops one after the other.

#include "core/jsonrpc.hpp"
#include "core/router.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

namespace bridge::core {

Router::ActiveStream::ActiveStream(std::uint64_t serial_, Pending pending_, StreamedResponse scanner_)
    : serial(serial_), pending(std::move(pending_)), scanner(std::move(scanner_)) {}

// What the transport holds: calls back into the router while the router is alive and this is
// still its open stream; destroyed unfinished, it aborts the stream.
class Router::StreamHandle final : public ResponseStream {
public:
  StreamHandle(Router& router, std::uint64_t serial) : m_router(router), m_serial(serial), m_alive(router.m_alive) {}
  ~StreamHandle() override {
    if (!m_finished && !m_alive.expired()) {
      m_router.stream_abort(m_serial, "the reply stream closed before the result was complete");
    }
  }
  StreamHandle(const StreamHandle&) = delete;
  StreamHandle& operator=(const StreamHandle&) = delete;

  bool data(std::string_view bytes) override { return !m_finished && !m_alive.expired() && m_router.stream_data(m_serial, bytes); }
  void end() override {
    if (!m_finished && !m_alive.expired()) {
      m_finished = true;
      m_router.stream_end(m_serial);
    }
  }
  void abort(const Error& error) override {
    if (!m_finished && !m_alive.expired()) {
      m_finished = true;
      m_router.stream_abort(m_serial, error.message);
    }
  }

private:
  Router& m_router;
  std::uint64_t m_serial;
  std::weak_ptr<bool> m_alive;
  bool m_finished = false;
};

std::unique_ptr<ResponseStream> Router::open_response_stream(std::size_t index, std::uint64_t id,
                                                             std::string_view first_bytes) {
  if (m_stream || m_closing || index >= m_upstreams.size()) {
    return nullptr; // one at a time: the others are delivered whole
  }
  auto it = m_pending.find(id);
  if (it == m_pending.end() || it->second.upstream != index || it->second.internal ||
      batch_awaits(it->second.client_id)) {
    return nullptr; // a batch's answers go out together, in one array
  }
  const std::string& method = it->second.method;
  bool passes_through = method == "tools/call" || method == "prompts/get" || method == "completion/complete" ||
                        (method == "resources/read" && !m_catalog.namespaced(index));
  if (!passes_through) {
    return nullptr;
  }
  // Decide on what arrived so far: it must be a result (not an error, not the upstream's own
  // request) and well-formed up to here. Undecided or wrong: delivered whole, as usual.
  StreamedResponse probe(std::to_string(id), it->second.client_id);
  std::string first_out;
  StreamedResponse::Emit hold = [&first_out](std::string_view bytes) { first_out.append(bytes); };
  if (!probe.feed(first_bytes, hold) || probe.kind() != StreamedResponse::Kind::result) {
    return nullptr;
  }
  Pending pending = std::move(it->second);
  m_pending.erase(it);
  m_scheduler.cancel(pending.timer);
  const auto& config = m_upstreams[index].config;
  // The call's own deadline, which progress reports may have moved past started + timeout_s.
  auto deadline = pending.deadline != std::chrono::steady_clock::time_point{}
                      ? pending.deadline
                      : pending.started + std::chrono::seconds(config.timeout_s);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - m_scheduler.now());
  std::uint64_t serial = m_next_stream++;
  m_stream = std::make_unique<ActiveStream>(serial, std::move(pending), std::move(probe));
  m_stream->timer = m_scheduler.schedule(std::max(left, std::chrono::milliseconds(0)), [this, serial, index] {
    if (m_stream && m_stream->serial == serial) {
      m_stream->timer = 0;
      const auto& timed_out = m_upstreams[index].config;
      abandon_stream(timed_out.name + ": the answer was still arriving after " + std::to_string(timed_out.timeout_s) +
                         " s (raise \"timeout_s\" for this server if it is just slow)",
                     jsonrpc::k_request_timeout);
    }
  });
  spdlog::debug("{}: forwarding a large reply while it arrives", config.name);
  m_client.write_piece(first_out);
  return std::make_unique<StreamHandle>(*this, serial);
}

bool Router::stream_data(std::uint64_t serial, std::string_view bytes) {
  if (!m_stream || m_stream->serial != serial) {
    return false;
  }
  if (!m_stream->scanner.feed(bytes, m_to_client)) {
    abandon_stream(m_upstreams[m_stream->pending.upstream].config.name + ": its reply went wrong in the middle (" +
                       m_stream->scanner.failure() + ")",
                   jsonrpc::k_upstream_unavailable);
    return false;
  }
  return true;
}

void Router::stream_end(std::uint64_t serial) {
  if (!m_stream || m_stream->serial != serial) {
    return;
  }
  if (!m_stream->scanner.finish(m_to_client)) {
    abandon_stream(m_upstreams[m_stream->pending.upstream].config.name + ": its reply ended unfinished (" +
                       m_stream->scanner.failure() + ")",
                   jsonrpc::k_upstream_unavailable);
    return;
  }
  m_client.end_pieces();
  auto done = std::move(m_stream);
  m_scheduler.cancel(done->timer);
  if (done->pending.method == "tools/call") {
    audit_call(done->pending.upstream, done->pending.label, done->pending.started,
               done->scanner.is_error_result() ? "tool_error" : "ok");
  }
}

void Router::stream_abort(std::uint64_t serial, const std::string& reason) {
  if (!m_stream || m_stream->serial != serial) {
    return;
  }
  const std::string& name = m_upstreams[m_stream->pending.upstream].config.name;
  std::string what = m_stream->pending.method == "tools/call" ? "the tool ran, but its result" : "the answer";
  abandon_stream(name + ": " + what + " was cut off after " + std::to_string(m_stream->scanner.bytes_seen()) +
                     " bytes (" + reason + ")",
                 jsonrpc::k_upstream_unavailable);
}

void Router::abandon_stream(const std::string& reason, int code) {
  auto failed = std::move(m_stream);
  if (!failed) {
    return;
  }
  spdlog::warn("{}", reason);
  m_client.abandon_pieces();
  if (failed->timer != 0) {
    m_scheduler.cancel(failed->timer);
  }
  fail_request(failed->pending, reason, code);
}

} // namespace bridge::core
