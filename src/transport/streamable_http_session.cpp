// StreamableHttpLink, the session: the initialize handshake (and a new one when the server forgot
// the session), its failure, and the end (DELETE).

#include "core/protocol.hpp"
#include "transport/http_util.hpp"
#include "transport/legacy_sse.hpp"
#include "transport/streamable_http.hpp"
#include "transport/streamable_http_exchange.hpp"
#include "version.hpp"

#include <spdlog/spdlog.h>

namespace bridge::transport {

using nlohmann::json;

void StreamableHttpLink::connect(const json& client_capabilities, const std::string& protocol_version) {
  m_preferred_version = core::is_supported_protocol_version(protocol_version) ? protocol_version : std::string();
  // A fresh start: drop whatever the last session had in flight. Requests still awaited get their
  // one answer now (a reconnect after a login may come while some are under way).
  auto restarted = core::make_error(core::ErrorKind::network, "the connection to " + m_options.name +
                                                                  " was restarted before the answer came");
  if (m_legacy) {
    m_legacy->fail_outstanding(restarted);
  }
  std::vector<std::uint64_t> orphaned(m_awaiting.begin(), m_awaiting.end());
  m_awaiting.clear();
  for (auto id : orphaned) {
    m_listener.on_upstream_request_failed(m_index, id, restarted);
  }
  retire_exchanges();
  for (auto timer : m_timers) {
    m_loop.cancel(timer);
  }
  m_timers.clear();
  if (m_legacy) {
    m_retired_legacy = std::move(m_legacy); // may be on the stack: destroyed by the reaper
    if (m_reap_timer == 0) {
      m_reap_timer = m_loop.schedule(std::chrono::milliseconds(0), [this] {
        m_reap_timer = 0;
        m_retired.clear();
        m_retired_legacy.reset();
      });
    }
  }
  m_session_id.clear();
  m_protocol_version.clear();
  m_ready = false;
  m_closing = false;
  m_reinitializing = false;
  m_replay.clear();
  m_awaiting.clear();
  m_parked.clear();
  m_listen_scheduled = false;
  m_listen_offered = true;
  m_listen_confirmed = false;
  m_listen_failures = 0;
  m_listen_last_event_id.clear();
  m_client_capabilities = client_capabilities.is_object() ? client_capabilities : json::object();
  start_initialize();
}

void StreamableHttpLink::start_initialize() {
  json params = {
      {"protocolVersion", m_preferred_version.empty() ? std::string(core::k_protocol_versions.front()) : m_preferred_version},
      {"capabilities", m_client_capabilities},
      {"clientInfo", {{"name", k_name}, {"version", k_version}}},
  };
  std::string body = R"({"jsonrpc":"2.0","id":)" + std::string(k_initialize_id) +
                     R"(,"method":"initialize","params":)" + params.dump() + "}";
  Outgoing outgoing;
  outgoing.body = std::move(body);
  outgoing.purpose = Purpose::initialize;
  outgoing.method = "initialize";
  post(std::move(outgoing));
}

void StreamableHttpLink::reinitialize() {
  if (m_reinitializing || m_closing) {
    return;
  }
  spdlog::info("{}: the server ended our session; opening a new one", m_options.name);
  m_reinitializing = true;
  m_ready = false;
  m_session_id.clear();
  m_protocol_version.clear();
  if (m_listen_transfer != 0) {
    auto it = m_exchanges.find(m_listen_transfer);
    if (it != m_exchanges.end()) {
      m_loop.cancel_transfer(it->first);
      retire(std::move(it->second));
      m_exchanges.erase(it);
    }
    m_listen_transfer = 0;
  }
  m_listen_offered = true;
  m_listen_confirmed = false;
  m_listen_failures = 0;
  m_listen_last_event_id.clear();
  fail_orphaned_requests();
  start_initialize();
}

void StreamableHttpLink::fail_orphaned_requests() {
  // Requests the old session accepted (202) and would have answered on its GET stream: that
  // stream is gone with the session, so their answers never come. Say so now rather than at the
  // router's timeout. Those still on their own POST's reply stream, or waiting to be replayed, keep
  // their chance.
  std::unordered_set<std::uint64_t> carried(m_parked.begin(), m_parked.end()); // sent again or resumed soon
  for (const auto& [transfer, exchange] : m_exchanges) {
    if (exchange->kind != Kind::listen && exchange->outgoing.request_id) {
      carried.insert(*exchange->outgoing.request_id);
    }
  }
  for (const auto& outgoing : m_replay) {
    if (outgoing.request_id) {
      carried.insert(*outgoing.request_id);
    }
  }
  std::vector<std::uint64_t> orphaned;
  for (auto id : m_awaiting) {
    if (carried.count(id) == 0) {
      orphaned.push_back(id);
    }
  }
  for (auto id : orphaned) {
    fail_request(id, core::make_error(core::ErrorKind::network,
                                      "the session with " + m_options.name +
                                          " ended before the answer came, so the request may or may not have run; "
                                          "check before trying again"));
  }
}

void StreamableHttpLink::remember_session_state(const std::string& method, const std::string& text) {
  if (method != "resources/subscribe" && method != "resources/unsubscribe" && method != "logging/setLevel") {
    return;
  }
  auto message = json::parse(text, nullptr, false);
  if (!message.is_object() || !message.contains("params") || !message["params"].is_object()) {
    return;
  }
  const json& params = message["params"];
  if (method == "logging/setLevel") {
    m_log_level = params;
    return;
  }
  auto uri = params.find("uri");
  if (uri == params.end() || !uri->is_string()) {
    return;
  }
  if (method == "resources/subscribe") {
    m_subscriptions[uri->get<std::string>()] = params;
  } else {
    m_subscriptions.erase(uri->get<std::string>());
  }
}

void StreamableHttpLink::restore_session_state() {
  // Sent before the replayed requests; their answers are the link's own (string ids), not the
  // router's. A replayed subscribe of the same URI is not sent twice.
  auto send = [this](const char* method, const json& params) {
    for (const auto& pending : m_replay) {
      if (pending.method == method &&
          json::parse(pending.body, nullptr, false).value("params", json()) == params) {
        return;
      }
    }
    json request = {{"jsonrpc", "2.0"},
                    {"id", std::string(k_restore_id_prefix.substr(1)) + std::to_string(m_next_restore++)},
                    {"method", method},
                    {"params", params}};
    Outgoing outgoing;
    outgoing.body = request.dump();
    outgoing.method = method;
    outgoing.purpose = Purpose::message;
    post(std::move(outgoing));
  };
  if (m_log_level.is_object()) {
    send("logging/setLevel", m_log_level);
  }
  for (const auto& [uri, params] : m_subscriptions) {
    send("resources/subscribe", params);
  }
}

void StreamableHttpLink::reinitialize_and_replay(Outgoing outgoing) {
  outgoing.replayed = true;
  m_replay.push_back(std::move(outgoing));
  reinitialize();
}

void StreamableHttpLink::handle_initialize_result(core::InboundMessage&& message) {
  auto result = initialize_result_of(message);
  if (!result) {
    fail_connection(result.error());
    return;
  }
  m_protocol_version = result->value("protocolVersion", std::string());
  // The handshake ends with notifications/initialized; the session is usable once it is accepted.
  m_initialize_result = std::move(*result);
  Outgoing outgoing;
  outgoing.body = R"({"jsonrpc":"2.0","method":"notifications/initialized"})";
  outgoing.purpose = Purpose::initialized;
  post(std::move(outgoing));
}

void StreamableHttpLink::fail_connection(const core::Error& error) {
  std::vector<std::uint64_t> orphaned(m_awaiting.begin(), m_awaiting.end());
  m_awaiting.clear();
  m_replay.clear();
  m_reinitializing = false;
  retire_exchanges();
  for (auto timer : m_timers) {
    m_loop.cancel(timer);
  }
  m_timers.clear();
  m_parked.clear();
  m_listen_scheduled = false;
  m_ready = false;
  m_session_id.clear();
  for (auto id : orphaned) {
    m_listener.on_upstream_request_failed(m_index, id, error);
  }
  m_listener.on_upstream_failed(m_index, error);
}

void StreamableHttpLink::shutdown(std::function<void()> done) {
  if (m_legacy) {
    m_closing = true;
    m_legacy->shutdown(std::move(done));
    return;
  }
  m_closing = true;
  retire_exchanges();
  for (auto timer : m_timers) {
    m_loop.cancel(timer);
  }
  m_timers.clear();
  if (m_session_id.empty()) {
    done();
    return;
  }
  HttpRequest request;
  request.method = "DELETE";
  request.url = m_options.url;
  request.ca_file = m_options.ca_file;
  request.timeout = std::chrono::seconds(2); // leaving must not hang on a slow server
  request.headers = {{"Mcp-Session-Id", m_session_id}};
  if (!m_protocol_version.empty()) {
    request.headers.emplace_back("MCP-Protocol-Version", m_protocol_version);
  }
  if (m_options.auth) {
    if (auto authorization = m_options.auth->authorization(); authorization && authorization->has_value()) {
      request.headers.emplace_back("Authorization", **authorization);
    }
  }
  for (const auto& header : m_options.headers) {
    request.headers.push_back(header);
  }
  m_session_id.clear();
  HttpCallbacks callbacks;
  callbacks.on_done = [done = std::move(done)](const core::Status&, const HttpResponseHead&) { done(); };
  m_loop.start(std::move(request), std::move(callbacks));
}

} // namespace bridge::transport
