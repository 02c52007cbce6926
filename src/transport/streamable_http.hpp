#pragma once

// An MCP client session over Streamable HTTP (MCP 2025-03-26 and later): the initialize
// handshake, POSTs whose replies are JSON or SSE streams carrying any number of messages,
// Mcp-Session-Id and MCP-Protocol-Version headers, and DELETE at the end. It reports every
// message it receives to the router through core::UpstreamListener and knows nothing of
// prefixes or the AI client.

#include "core/upstream.hpp"
#include "transport/auth_source.hpp"
#include "transport/event_loop.hpp"
#include "transport/http.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace bridge::transport {

struct StreamableHttpOptions {
  std::string name;                  // for messages
  std::string url;                   // with organizationID already appended
  HeaderList headers;                // extra headers from the config, resolved
  std::string ca_file;
  std::chrono::seconds timeout{60};  // per request
  bool allow_http_redirects = false;
  std::shared_ptr<AuthSource> auth;  // may be null (no auth)
};

class StreamableHttpLink final : public core::UpstreamLink {
public:
  StreamableHttpLink(EventLoop& loop, StreamableHttpOptions options, core::UpstreamListener& listener, std::size_t index);
  ~StreamableHttpLink() override;
  StreamableHttpLink(const StreamableHttpLink&) = delete;
  StreamableHttpLink& operator=(const StreamableHttpLink&) = delete;

  void connect(const nlohmann::json& client_capabilities) override;
  void send_request(std::uint64_t id, std::string text) override;
  void send_message(std::string text) override;
  void shutdown(std::function<void()> done) override;

  struct Exchange; // one POST and its reply stream (streamable_http.cpp)

private:
  enum class Purpose { initialize, initialized, request, message };

  // What to send, and what has happened to it already (each retry happens at most once).
  struct Outgoing {
    std::string body;
    Purpose purpose = Purpose::message;
    std::optional<std::uint64_t> request_id;
    bool auth_retried = false; // sent again after a 401 the auth source could fix
    bool replayed = false;     // sent again on a new session after a 404
  };

  void post(Outgoing outgoing);
  void start_initialize();
  // The server no longer knows our session (404): open a new one and replay what it refused.
  void reinitialize_and_replay(Outgoing outgoing);
  void on_exchange_done(Exchange& exchange, const core::Status& status, const HttpResponseHead& head);
  void on_exchange_message(Exchange& exchange, std::string&& text);
  void handle_initialize_result(core::InboundMessage&& message);
  void fail_connection(const core::Error& error);
  // Cancels every exchange. They are destroyed later, off the stack: this may run inside one of
  // their own callbacks (an SSE parser in the middle of feed()).
  void retire_exchanges();
  [[nodiscard]] core::Error http_error(const HttpResponseHead& head, const std::string& body) const;

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
  bool m_reinitializing = false;
  std::vector<Outgoing> m_replay; // refused with 404 or sent while re-initializing
  std::unordered_map<EventLoop::TransferId, std::unique_ptr<Exchange>> m_exchanges;
  std::vector<std::unique_ptr<Exchange>> m_retired;
  core::Scheduler::TimerId m_reap_timer = 0;
};

} // namespace bridge::transport
