#include "transport/streamable_http.hpp"

#include "core/protocol.hpp"
#include "transport/sse_parser.hpp"
#include "version.hpp"

#include <spdlog/spdlog.h>

namespace bridge::transport {
namespace {

using nlohmann::json;

constexpr std::size_t k_error_body_limit = 16 * 1024;            // enough to quote a server's complaint
constexpr std::size_t k_json_reply_limit = std::size_t{1} << 30; // a runaway reply must not eat all memory
constexpr std::string_view k_initialize_id = "0";                // the router's own ids start at 1

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

// A short, human-readable reason from an error body: {"error": "..."} (MCPJungle), a JSON-RPC
// error, or the start of the text.
std::string summarize_body(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    if (auto error = parsed.find("error"); error != parsed.end()) {
      if (error->is_string()) {
        return error->get<std::string>();
      }
      if (error->is_object() && error->contains("message") && (*error)["message"].is_string()) {
        return (*error)["message"].get<std::string>();
      }
    }
    if (auto message = parsed.find("message"); message != parsed.end() && message->is_string()) {
      return message->get<std::string>();
    }
  }
  std::string text = body.substr(0, 200);
  for (char& c : text) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return text;
}

} // namespace

struct StreamableHttpLink::Exchange {
  EventLoop::TransferId transfer = 0;
  Outgoing outgoing;      // kept for a retry (401 with a fixable challenge, 404 of the session)
  std::string session_id; // the session it was sent in
  bool answered = false;
  bool is_sse = false;
  bool is_error_status = false;
  std::string reply;  // a JSON reply, or the start of an error body
  std::unique_ptr<SseParser> sse;
  std::optional<core::Error> stream_error;
};

StreamableHttpLink::StreamableHttpLink(EventLoop& loop, StreamableHttpOptions options, core::UpstreamListener& listener,
                                       std::size_t index)
    : m_loop(loop), m_options(std::move(options)), m_listener(listener), m_index(index) {}

StreamableHttpLink::~StreamableHttpLink() {
  for (auto& [id, exchange] : m_exchanges) {
    m_loop.cancel_transfer(id);
  }
  if (m_reap_timer != 0) {
    m_loop.cancel(m_reap_timer);
  }
}

void StreamableHttpLink::retire_exchanges() {
  for (auto& [id, exchange] : m_exchanges) {
    m_loop.cancel_transfer(id);
    m_retired.push_back(std::move(exchange));
  }
  m_exchanges.clear();
  if (!m_retired.empty() && m_reap_timer == 0) {
    m_reap_timer = m_loop.schedule(std::chrono::milliseconds(0), [this] {
      m_reap_timer = 0;
      m_retired.clear();
    });
  }
}

void StreamableHttpLink::connect(const json& client_capabilities) {
  // A fresh start: drop whatever the last session had in flight.
  retire_exchanges();
  m_session_id.clear();
  m_protocol_version.clear();
  m_ready = false;
  m_closing = false;
  m_reinitializing = false;
  m_replay.clear();
  m_client_capabilities = client_capabilities.is_object() ? client_capabilities : json::object();
  start_initialize();
}

void StreamableHttpLink::start_initialize() {
  json params = {
      {"protocolVersion", std::string(core::k_protocol_versions.front())},
      {"capabilities", m_client_capabilities},
      {"clientInfo", {{"name", k_name}, {"version", k_version}}},
  };
  std::string body = R"({"jsonrpc":"2.0","id":)" + std::string(k_initialize_id) +
                     R"(,"method":"initialize","params":)" + params.dump() + "}";
  post(Outgoing{std::move(body), Purpose::initialize, std::nullopt});
}

void StreamableHttpLink::send_request(std::uint64_t id, std::string text) {
  post(Outgoing{std::move(text), Purpose::request, id});
}

void StreamableHttpLink::send_message(std::string text) { post(Outgoing{std::move(text), Purpose::message, std::nullopt}); }

void StreamableHttpLink::reinitialize_and_replay(Outgoing outgoing) {
  outgoing.replayed = true;
  m_replay.push_back(std::move(outgoing));
  if (m_reinitializing) {
    return;
  }
  spdlog::info("{}: the server ended our session; opening a new one", m_options.name);
  m_reinitializing = true;
  m_ready = false;
  m_session_id.clear();
  m_protocol_version.clear();
  start_initialize();
}

void StreamableHttpLink::post(Outgoing outgoing) {
  const Purpose purpose = outgoing.purpose;
  const auto request_id = outgoing.request_id;
  if (m_reinitializing && (purpose == Purpose::request || purpose == Purpose::message)) {
    m_replay.push_back(std::move(outgoing)); // goes out on the new session
    return;
  }
  auto authorization = m_options.auth ? m_options.auth->authorization()
                                      : core::Result<std::optional<std::string>>(std::optional<std::string>());
  if (!authorization) {
    if (purpose == Purpose::request && request_id) {
      m_listener.on_upstream_request_failed(m_index, *request_id, authorization.error());
    } else if (purpose == Purpose::initialize || purpose == Purpose::initialized) {
      fail_connection(authorization.error());
    }
    return;
  }
  HttpRequest request;
  request.method = "POST";
  request.url = m_options.url;
  request.ca_file = m_options.ca_file;
  request.allow_http_redirects = m_options.allow_http_redirects;
  // Requests are bounded by the router's own per-request timer (which also tells the upstream it
  // gave up); this HTTP bound is a backstop for replies that never end.
  request.timeout = purpose == Purpose::request ? m_options.timeout + std::chrono::seconds(5) : m_options.timeout;
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}};
  if (!m_session_id.empty()) {
    request.headers.emplace_back("Mcp-Session-Id", m_session_id);
  }
  if (!m_protocol_version.empty()) {
    request.headers.emplace_back("MCP-Protocol-Version", m_protocol_version);
  }
  if (authorization->has_value()) {
    request.headers.emplace_back("Authorization", **authorization);
  }
  for (const auto& header : m_options.headers) {
    request.headers.push_back(header);
  }

  auto exchange = std::make_unique<Exchange>();
  exchange->session_id = m_session_id;
  Exchange* raw = exchange.get();
  // The body is kept for a retry unless both retries are spent (the copy is the price of never
  // losing a request to a session the server forgot).
  bool may_retry = !outgoing.replayed || (m_options.auth != nullptr && !outgoing.auth_retried);
  request.body = may_retry ? outgoing.body : std::move(outgoing.body);
  exchange->outgoing = std::move(outgoing);

  HttpCallbacks callbacks;
  callbacks.on_head = [this, raw](const HttpResponseHead& head) {
    raw->is_error_status = head.status < 200 || head.status >= 300;
    if (!raw->is_error_status && starts_with_ci(head.header("content-type"), "text/event-stream")) {
      raw->is_sse = true;
      raw->sse = std::make_unique<SseParser>([this, raw](SseEvent&& event) {
        if (event.type == "message") {
          on_exchange_message(*raw, std::move(event.data));
        }
      });
    }
    if (raw->outgoing.purpose == Purpose::initialize && !raw->is_error_status) {
      m_session_id = head.header("mcp-session-id");
    }
  };
  callbacks.on_body = [raw](std::string_view chunk) {
    if (raw->is_error_status) {
      if (raw->reply.size() < k_error_body_limit) {
        raw->reply.append(chunk.substr(0, k_error_body_limit - raw->reply.size()));
      }
      return true;
    }
    if (raw->is_sse) {
      auto status = raw->sse->feed(chunk);
      if (!status) {
        raw->stream_error = status.error();
        return false;
      }
      return true;
    }
    if (raw->reply.size() + chunk.size() > k_json_reply_limit) {
      raw->stream_error = core::make_error(core::ErrorKind::protocol, "reply larger than 1 GiB");
      return false;
    }
    raw->reply.append(chunk);
    return true;
  };
  callbacks.on_done = [this, raw](const core::Status& status, const HttpResponseHead& head) {
    on_exchange_done(*raw, status, head);
  };
  auto transfer = m_loop.start(std::move(request), std::move(callbacks));
  exchange->transfer = transfer;
  m_exchanges.emplace(transfer, std::move(exchange));
}

void StreamableHttpLink::on_exchange_message(Exchange& exchange, std::string&& text) {
  core::InboundMessage message;
  message.text = std::move(text);
  core::ensure_padding(message.text);
  auto envelope = core::scan_envelope(message.text);
  if (!envelope) {
    spdlog::warn("{}: dropped a reply that is not JSON: {}", m_options.name, envelope.error().message);
    return;
  }
  message.envelope = std::move(*envelope);
  bool is_response = message.envelope.kind == core::MessageKind::result || message.envelope.kind == core::MessageKind::error;
  if (exchange.outgoing.purpose == Purpose::initialize) {
    if (is_response && message.envelope.id.in(message.text) == k_initialize_id) {
      exchange.answered = true;
      handle_initialize_result(std::move(message));
      return;
    }
  } else if (is_response && exchange.outgoing.request_id && message.envelope.id_kind == core::IdKind::number &&
             message.envelope.id.in(message.text) == std::to_string(*exchange.outgoing.request_id)) {
    exchange.answered = true;
  }
  m_listener.on_upstream_message(m_index, std::move(message));
}

void StreamableHttpLink::handle_initialize_result(core::InboundMessage&& message) {
  if (message.envelope.kind == core::MessageKind::error) {
    json error = json::parse(message.envelope.error->in(message.text), nullptr, false);
    std::string reason = error.is_object() ? error.value("message", std::string("error")) : std::string("error");
    fail_connection(core::make_error(core::ErrorKind::protocol, "initialize was refused: " + reason));
    return;
  }
  json result = json::parse(message.envelope.result->in(message.text), nullptr, false);
  if (!result.is_object()) {
    fail_connection(core::make_error(core::ErrorKind::protocol, "initialize result is not an object"));
    return;
  }
  std::string version = result.value("protocolVersion", std::string());
  if (!core::is_supported_protocol_version(version)) {
    fail_connection(core::make_error(core::ErrorKind::protocol,
                                     "the server speaks MCP protocol version \"" + version + "\", which mcp-bridge does not support"));
    return;
  }
  m_protocol_version = version;
  // The handshake ends with notifications/initialized; the session is usable once it is accepted.
  m_initialize_result = std::move(result);
  post(Outgoing{R"({"jsonrpc":"2.0","method":"notifications/initialized"})", Purpose::initialized, std::nullopt});
}

void StreamableHttpLink::on_exchange_done(Exchange& exchange, const core::Status& status, const HttpResponseHead& head) {
  // Take ownership: the exchange leaves the table whatever happens next.
  auto it = m_exchanges.find(exchange.transfer);
  if (it == m_exchanges.end()) {
    return;
  }
  std::unique_ptr<Exchange> owned = std::move(it->second);
  m_exchanges.erase(it);
  if (m_closing) {
    return;
  }

  std::optional<core::Error> error;
  if (!status) {
    error = core::make_error(status.error().kind, "cannot reach " + m_options.url + ": " + status.error().message);
  } else if (owned->stream_error) {
    error = owned->stream_error;
  } else if (head.status == 401 || head.status == 403) {
    if (m_options.auth && !owned->outgoing.auth_retried) {
      Outgoing again = std::move(owned->outgoing);
      again.auth_retried = true;
      auto purpose = again.purpose;
      auto request_id = again.request_id;
      m_options.auth->on_challenge(head.status, head.header("www-authenticate"),
                                   [this, again = std::move(again), purpose, request_id](bool retry) mutable {
                                     if (retry) {
                                       post(std::move(again));
                                     } else if (purpose == Purpose::request && request_id) {
                                       m_listener.on_upstream_request_failed(
                                           m_index, *request_id,
                                           core::make_error(core::ErrorKind::auth, "the server refused the credentials"));
                                     } else if (purpose != Purpose::message) {
                                       fail_connection(core::make_error(core::ErrorKind::auth, "the server refused the credentials"));
                                     }
                                   });
      return;
    }
    error = http_error(head, owned->reply);
  } else if (head.status == 404 && !owned->session_id.empty() && owned->outgoing.purpose != Purpose::initialize &&
             owned->outgoing.purpose != Purpose::initialized && !owned->outgoing.replayed) {
    // The session expired: the server refused this message without acting on it, so sending it
    // again on a new session is safe whatever it is (a tools/call included).
    reinitialize_and_replay(std::move(owned->outgoing));
    return;
  } else if (head.status < 200 || head.status >= 300) {
    error = http_error(head, owned->reply);
  } else if (owned->is_sse) {
    owned->sse->finish();
  } else if (!owned->reply.empty()) {
    on_exchange_message(*owned, std::move(owned->reply));
  }

  switch (owned->outgoing.purpose) {
  case Purpose::initialize:
    if (error) {
      fail_connection(*error);
    } else if (!owned->answered) {
      fail_connection(core::make_error(core::ErrorKind::protocol, "the server did not answer initialize"));
    }
    return;
  case Purpose::initialized:
    if (error) {
      fail_connection(*error);
      return;
    }
    m_ready = true;
    if (m_reinitializing) {
      m_reinitializing = false;
      auto replay = std::move(m_replay);
      m_replay.clear();
      for (auto& outgoing : replay) {
        post(std::move(outgoing));
      }
    }
    m_listener.on_upstream_ready(m_index, m_initialize_result);
    return;
  case Purpose::request:
    if (!owned->answered && owned->outgoing.request_id) {
      m_listener.on_upstream_request_failed(
          m_index, *owned->outgoing.request_id,
          error ? *error : core::make_error(core::ErrorKind::protocol, "the server ended its reply without an answer"));
    }
    return;
  case Purpose::message:
    if (error) {
      spdlog::warn("{}: a notification or response was not accepted: {}", m_options.name, error->message);
    }
    return;
  }
}

core::Error StreamableHttpLink::http_error(const HttpResponseHead& head, const std::string& body) const {
  std::string reason = "HTTP " + std::to_string(head.status);
  std::string summary = summarize_body(body);
  if (!summary.empty()) {
    reason += " (" + summary + ")";
  }
  auto kind = (head.status == 401 || head.status == 403) ? core::ErrorKind::auth : core::ErrorKind::protocol;
  return core::make_error(kind, "the server answered " + reason);
}

void StreamableHttpLink::fail_connection(const core::Error& error) {
  std::vector<std::uint64_t> orphaned;
  for (auto& [id, exchange] : m_exchanges) {
    if (exchange->outgoing.purpose == Purpose::request && exchange->outgoing.request_id && !exchange->answered) {
      orphaned.push_back(*exchange->outgoing.request_id);
    }
  }
  for (auto& outgoing : m_replay) {
    if (outgoing.purpose == Purpose::request && outgoing.request_id) {
      orphaned.push_back(*outgoing.request_id);
    }
  }
  m_replay.clear();
  m_reinitializing = false;
  retire_exchanges();
  m_ready = false;
  m_session_id.clear();
  for (auto id : orphaned) {
    m_listener.on_upstream_request_failed(m_index, id, error);
  }
  m_listener.on_upstream_failed(m_index, error);
}

void StreamableHttpLink::shutdown(std::function<void()> done) {
  m_closing = true;
  retire_exchanges();
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
