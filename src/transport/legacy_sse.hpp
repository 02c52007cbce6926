#pragma once

// The 2024-11-05 HTTP+SSE transport, as a client: GET the server's URL for an event stream, wait
// for its `endpoint` event, POST every message to that endpoint, and read every reply (and the
// server's own requests and notifications) from the event stream. StreamableHttpLink falls back
// to it when the server refuses the Streamable HTTP initialize with 400/404/405 (MCPJungle's
// /sse + /message, older SDK servers).
//
// The event stream is the session: when it breaks, replies in flight are lost. The link then
// opens a new one (a new session), sends read-only requests again and fails the rest with a
// message saying they may or may not have run.

#include "core/upstream.hpp"
#include "transport/event_loop.hpp"
#include "transport/http.hpp"
#include "transport/streamable_http.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace bridge::transport {

class SseParser;

// The endpoint named by an `endpoint` event, resolved against the stream's URL. Only the same
// origin is accepted: the credentials for the stream's server must never go elsewhere.
core::Result<std::string> resolve_endpoint(const std::string& stream_url, const std::string& endpoint);

class LegacySseLink final : public core::UpstreamLink {
public:
  // `context` says why this transport is in use (quoted when it fails too).
  LegacySseLink(EventLoop& loop, StreamableHttpOptions options, core::UpstreamListener& listener, std::size_t index,
                std::string context);
  ~LegacySseLink() override;
  LegacySseLink(const LegacySseLink&) = delete;
  LegacySseLink& operator=(const LegacySseLink&) = delete;

  void connect(const nlohmann::json& client_capabilities, const std::string& protocol_version) override;
  void send_request(std::uint64_t id, std::string text) override;
  void send_message(std::string text) override;
  void shutdown(std::function<void()> done) override;
  // Fails every request still awaiting its answer (the link is being replaced).
  void fail_outstanding(const core::Error& error);

private:
  struct Request {
    std::string body;
    std::string method;
    bool repeated = false;
  };

  void open_stream();
  void on_stream_event(const std::string& type, std::string&& data);
  void on_stream_end(const core::Status& status, const HttpResponseHead& head);
  void post_message(std::string body, std::optional<std::uint64_t> request_id);
  void on_post_done(std::optional<std::uint64_t> request_id, const core::Status& status, const HttpResponseHead& head,
                    const std::string& body);
  void handle_initialize_result(core::InboundMessage&& message);
  void fail_connection(const core::Error& error);
  void fail_request(std::uint64_t id, const core::Error& error);
  void session_lost(const std::string& why);
  [[nodiscard]] std::optional<std::string> authorization(std::string& error);
  core::Scheduler::TimerId after(std::chrono::milliseconds delay, std::function<void()> callback);
  void cancel_all();

  EventLoop& m_loop;
  StreamableHttpOptions m_options;
  core::UpstreamListener& m_listener;
  std::size_t m_index;
  std::string m_context;
  nlohmann::json m_client_capabilities = nlohmann::json::object();

  EventLoop::TransferId m_stream = 0;
  std::unique_ptr<SseParser> m_parser;
  std::unique_ptr<SseParser> m_retired_parser;
  bool m_stream_is_sse = false;
  std::string m_stream_error_body;
  std::string m_endpoint;
  bool m_ready = false;
  bool m_was_ready = false; // a session worked before: a broken stream is reconnected, not fatal
  bool m_closing = false;
  int m_failures = 0;
  std::optional<long long> m_retry_ms;
  std::minstd_rand m_random;

  std::unordered_map<std::uint64_t, Request> m_awaiting; // sent (or queued), not yet answered
  std::vector<std::uint64_t> m_queue;                     // waiting for the session to be ready
  std::vector<std::string> m_queued_messages;
  std::unordered_set<EventLoop::TransferId> m_posts;
  std::unordered_set<core::Scheduler::TimerId> m_timers;
  core::Scheduler::TimerId m_handshake_timer = 0;
};

} // namespace bridge::transport
