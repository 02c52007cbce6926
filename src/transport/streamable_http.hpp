#pragma once

// An MCP client session over Streamable HTTP (MCP 2025-03-26 and later): the initialize
// handshake, POSTs whose replies are JSON or SSE streams carrying any number of messages,
// Mcp-Session-Id and MCP-Protocol-Version headers, the GET stream for the server's own messages,
// resumption of cut streams with Last-Event-ID, and DELETE at the end. When the server refuses
// the initialize POST with 400/404/405 it falls back to the 2024-11-05 HTTP+SSE transport
// (legacy_sse.hpp) and delegates to it. It reports every message it receives to the router
// through core::UpstreamListener and knows nothing of prefixes or the AI client.
// streamable_http_session.cpp holds the handshake and the end, streamable_http.cpp the POSTs and
// their replies, streamable_http_streams.cpp the GET stream, resumed replies and replies forwarded
// while they arrive.
//
// Each request the router sends gets exactly one outcome from here: its response, or one
// on_upstream_request_failed. What happens to a request whose fate is unknown (the connection
// broke after it was sent) depends on what it is: reads (lists, get, read, ping…) are sent
// again once; anything else (tools/call) fails with a message saying it may or may not have run.

#include "core/upstream.hpp"
#include "transport/auth_source.hpp"
#include "transport/event_loop.hpp"
#include "transport/http.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace bridge::transport {

class LegacySseLink;
class SseDataSink;

struct StreamableHttpOptions {
  std::string name;                  // for messages
  std::string url;                   // with organizationID already appended
  HeaderList headers;                // extra headers from the config, resolved
  std::string ca_file;
  std::chrono::seconds timeout{60};  // per request
  bool allow_http_redirects = false;
  std::shared_ptr<AuthSource> auth;  // may be null (no auth)
  // A stream (the GET stream, a resumed reply) on which nothing at all arrived for this long —
  // not even a ": keepalive" comment — is assumed dead behind some proxy and reconnected.
  std::chrono::milliseconds stream_idle{std::chrono::seconds(120)};
  // Fall back to the 2024-11-05 HTTP+SSE transport when initialize is refused with 400/404/405.
  bool legacy_fallback = true;
  // Bounds on what is held in memory whole (tool results are forwarded while they arrive, so
  // they keep the large bounds): one page of a list, and one message on the stream for server
  // messages (a sampling, elicitation or roots request, a notification).
  std::size_t max_list_bytes = std::size_t{32} << 20;
  std::size_t max_server_message_bytes = std::size_t{16} << 20;
};

// True for requests that only read, so sending one again after a broken connection is harmless.
bool is_safe_to_repeat(std::string_view method);

class StreamableHttpLink final : public core::UpstreamLink {
public:
  StreamableHttpLink(EventLoop& loop, StreamableHttpOptions options, core::UpstreamListener& listener, std::size_t index);
  ~StreamableHttpLink() override;
  StreamableHttpLink(const StreamableHttpLink&) = delete;
  StreamableHttpLink& operator=(const StreamableHttpLink&) = delete;

  void connect(const nlohmann::json& client_capabilities, const std::string& protocol_version) override;
  void send_request(std::uint64_t id, std::string text) override;
  void send_message(std::string text) override;
  void shutdown(std::function<void()> done) override;
  // Headers read after construction (config references resolved on a worker, before the first
  // connect): sent with every request from then on.
  void add_headers(HeaderList headers);

  struct Exchange; // one HTTP exchange and its reply stream (streamable_http_exchange.hpp)

private:
  enum class Purpose { initialize, initialized, request, message };
  enum class Kind { post, listen, resume }; // a POST; the GET stream; a GET resuming a cut reply

  // What to send, and what has happened to it already (each retry happens at most once).
  struct Outgoing {
    std::string body;
    Purpose purpose = Purpose::message;
    std::optional<std::uint64_t> request_id;
    std::string method;        // of a request, for messages and the safe-to-repeat decision
    bool auth_retried = false; // sent again after a 401 the auth source could fix
    bool replayed = false;     // sent again on a new session after a 404
    bool repeated = false;     // sent again after its fate became unknown (safe methods only)
    int empty_resumes = 0;     // resumptions in a row that brought nothing
    std::chrono::steady_clock::time_point deadline; // stop resuming after this
  };

  void post(Outgoing outgoing);
  void start_initialize();
  // The server no longer knows our session (404): open a new one and replay what it refused.
  void fail_orphaned_requests();
  // A cancellation of a request still waiting for a new session: both are dropped (true).
  bool withdraw_cancelled(const std::string& text);
  // What a session holds that a new one must be told again: resource subscriptions, log level.
  void remember_session_state(const std::string& method, const std::string& text);
  void restore_session_state();
  void reinitialize_and_replay(Outgoing outgoing);
  void reinitialize();
  void on_post_done(Exchange& exchange, const core::Status& status, const HttpResponseHead& head);
  void on_exchange_message(Exchange& exchange, std::string&& text);
  // The response an exchange carried is complete: its stream is ended after a grace period.
  void close_after_reply(Exchange& exchange);
  // A large response event began on a request's reply stream: forward it as it arrives when the
  // router takes it (core::ResponseStream), else it is held whole as usual.
  SseDataSink* open_streamed_reply(Exchange& exchange, std::string_view so_far, bool numbered);
  void handle_initialize_result(core::InboundMessage&& message);
  void fail_connection(const core::Error& error);
  void fail_request(std::uint64_t id, const core::Error& error);
  // Cancels every exchange. They are destroyed later, off the stack: this may run inside one of
  // their own callbacks (an SSE parser in the middle of feed()).
  void retire_exchanges();
  void retire(std::unique_ptr<Exchange> exchange);
  // A finished exchange leaves the table (null when it already has); RetireAtExit then retires it
  // when its on_done handler returns.
  std::unique_ptr<Exchange> take_exchange(Exchange& exchange);
  struct RetireAtExit;
  [[nodiscard]] core::Error http_error(const HttpResponseHead& head, const std::string& body) const;
  // The error for a 401/403 the auth source could not answer: its own reason when it has one
  // (no credentials sent at all: "not logged in"), else that the server refused them.
  [[nodiscard]] core::Error refused_error() const;
  [[nodiscard]] HttpRequest base_request(const std::string& method, std::optional<std::string>& authorization_error);
  void start_exchange(std::unique_ptr<Exchange> exchange, HttpRequest request);
  // How much of one message this exchange may hold whole (lists and server messages get less than
  // results), and the words for going over it.
  [[nodiscard]] std::size_t held_limit(const Exchange& exchange, std::size_t otherwise) const;
  [[nodiscard]] std::string too_large(const Exchange& exchange, std::size_t limit) const;

  // Streams
  void start_get(Kind kind, Outgoing outgoing, const std::string& last_event_id);
  void on_get_done(Exchange& exchange, const core::Status& status, const HttpResponseHead& head);
  void open_listen_stream();
  void schedule_listen_stream();
  // A reply stream ended before the response: resume it (GET + Last-Event-ID) when the server
  // made it resumable, else decide by the request's kind.
  void after_cut(Outgoing outgoing, const std::string& last_event_id, bool brought_events, const std::string& why);
  void fate_unknown(Outgoing outgoing, const std::string& why);
  void arm_idle_timer(Exchange& exchange);
  core::Scheduler::TimerId after(std::chrono::milliseconds delay, std::function<void()> callback);
  double random_unit();

  EventLoop& m_loop;
  StreamableHttpOptions m_options;
  core::UpstreamListener& m_listener;
  std::size_t m_index;
  std::string m_session_id;
  std::string m_protocol_version;
  bool m_ready = false;
  bool m_closing = false;
  nlohmann::json m_initialize_result; // held until notifications/initialized is accepted
  nlohmann::json m_client_capabilities = nlohmann::json::object();
  std::string m_preferred_version; // the AI client's negotiated version ("" = the newest)
  bool m_reinitializing = false;
  std::vector<Outgoing> m_replay; // refused with 404 or sent while re-initializing
  std::map<std::string, nlohmann::json> m_subscriptions; // resources/subscribe params, by URI
  nlohmann::json m_log_level;                           // the last logging/setLevel params
  std::uint64_t m_next_restore = 1;
  std::unordered_set<std::uint64_t> m_awaiting; // requests sent and not yet answered or failed
  std::unordered_set<std::uint64_t> m_parked;   // … of which waiting for a timer to send or resume them
  std::unordered_map<EventLoop::TransferId, std::unique_ptr<Exchange>> m_exchanges;
  std::vector<std::unique_ptr<Exchange>> m_retired;
  core::Scheduler::TimerId m_reap_timer = 0;
  std::unordered_set<core::Scheduler::TimerId> m_timers;

  // The GET stream of the current session.
  EventLoop::TransferId m_listen_transfer = 0;
  bool m_listen_scheduled = false;
  bool m_listen_offered = true;   // false once the server said it has none (405…)
  bool m_listen_confirmed = false; // it worked once in this session (a later 404 = session gone)
  int m_listen_failures = 0;
  std::string m_listen_last_event_id;
  std::optional<long long> m_retry_ms; // the server's most recent SSE `retry`

  std::unique_ptr<LegacySseLink> m_legacy; // set once the server turned out to be 2024-11-05 HTTP+SSE
  std::unique_ptr<LegacySseLink> m_retired_legacy;
  std::minstd_rand m_random;
};

} // namespace bridge::transport
