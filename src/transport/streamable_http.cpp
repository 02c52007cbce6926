#include "transport/streamable_http.hpp"
#include "transport/streamable_http_exchange.hpp"

#include "transport/http_util.hpp"
#include "transport/legacy_sse.hpp"
#include "transport/sse_parser.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <charconv>

namespace bridge::transport {
namespace {

using nlohmann::json;

constexpr std::size_t k_error_body_limit = 16 * 1024;            // enough to quote a server's complaint
constexpr std::size_t k_json_reply_limit = std::size_t{1} << 30; // a runaway reply must not eat all memory
constexpr std::size_t k_sse_event_limit = std::size_t{512} << 20;

bool is_list_method(std::string_view method) {
  return method == "tools/list" || method == "prompts/list" || method == "resources/list" ||
         method == "resources/templates/list";
}

std::optional<std::uint64_t> numeric_id(const core::InboundMessage& message) {
  if (message.envelope.id_kind != core::IdKind::number) {
    return std::nullopt;
  }
  std::string_view raw = message.envelope.id.in(message.text);
  std::uint64_t id = 0;
  auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
  if (ec != std::errc() || ptr != raw.data() + raw.size()) {
    return std::nullopt;
  }
  return id;
}

} // namespace

bool is_safe_to_repeat(std::string_view method) {
  static constexpr std::array<std::string_view, 11> k_safe = {
      "ping",           "tools/list",          "prompts/list",        "prompts/get",
      "resources/list", "resources/templates/list", "resources/read", "completion/complete",
      "logging/setLevel", "resources/subscribe", "resources/unsubscribe",
  };
  for (auto safe : k_safe) {
    if (method == safe) {
      return true;
    }
  }
  return false;
}


StreamableHttpLink::StreamableHttpLink(EventLoop& loop, StreamableHttpOptions options, core::UpstreamListener& listener,
                                       std::size_t index)
    : m_loop(loop), m_options(std::move(options)), m_listener(listener), m_index(index),
      m_random(static_cast<std::minstd_rand::result_type>(std::random_device{}())) {}

StreamableHttpLink::~StreamableHttpLink() {
  for (auto& [id, exchange] : m_exchanges) {
    m_loop.cancel_transfer(id);
  }
  for (auto timer : m_timers) {
    m_loop.cancel(timer);
  }
  if (m_reap_timer != 0) {
    m_loop.cancel(m_reap_timer);
  }
}

core::Scheduler::TimerId StreamableHttpLink::after(std::chrono::milliseconds delay, std::function<void()> callback) {
  auto id = std::make_shared<core::Scheduler::TimerId>(0);
  *id = m_loop.schedule(delay, [this, id, callback = std::move(callback)] {
    m_timers.erase(*id);
    callback();
  });
  m_timers.insert(*id);
  return *id;
}

double StreamableHttpLink::random_unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(m_random); }

void StreamableHttpLink::retire(std::unique_ptr<Exchange> exchange) {
  // Its timers go with it: a finished exchange must not wake the loop later (one timer per call
  // left behind would wake an idle bridge once for every call it made).
  for (auto* timer : {&exchange->idle_timer, &exchange->grace_timer}) {
    if (*timer != 0) {
      m_loop.cancel(*timer);
      m_timers.erase(*timer);
      *timer = 0;
    }
  }
  m_retired.push_back(std::move(exchange));
  if (m_reap_timer == 0) {
    m_reap_timer = m_loop.schedule(std::chrono::milliseconds(0), [this] {
      m_reap_timer = 0;
      m_retired.clear();
      m_retired_legacy.reset();
    });
  }
}

std::unique_ptr<StreamableHttpLink::Exchange> StreamableHttpLink::take_exchange(Exchange& exchange) {
  auto it = m_exchanges.find(exchange.transfer);
  if (it == m_exchanges.end()) {
    return nullptr;
  }
  std::unique_ptr<Exchange> owned = std::move(it->second);
  m_exchanges.erase(it);
  return owned;
}

void StreamableHttpLink::retire_exchanges() {
  for (auto& [id, exchange] : m_exchanges) {
    m_loop.cancel_transfer(id);
    retire(std::move(exchange));
  }
  m_exchanges.clear();
  m_listen_transfer = 0;
}

void StreamableHttpLink::send_request(std::uint64_t id, std::string text) {
  if (m_legacy) {
    m_legacy->send_request(id, std::move(text));
    return;
  }
  Outgoing outgoing;
  outgoing.method = method_of(text);
  outgoing.body = std::move(text);
  outgoing.purpose = Purpose::request;
  outgoing.request_id = id;
  outgoing.deadline = m_loop.now() + m_options.timeout + std::chrono::seconds(5);
  remember_session_state(outgoing.method, outgoing.body);
  m_awaiting.insert(id);
  post(std::move(outgoing));
}

void StreamableHttpLink::send_message(std::string text) {
  if (m_legacy) {
    m_legacy->send_message(std::move(text));
    return;
  }
  if (m_reinitializing && withdraw_cancelled(text)) {
    return;
  }
  Outgoing outgoing;
  outgoing.body = std::move(text);
  post(std::move(outgoing));
}

bool StreamableHttpLink::withdraw_cancelled(const std::string& text) {
  // A request waiting for the new session that the client cancelled meanwhile is never sent, and
  // neither is its cancellation (the server never heard of it).
  if (method_of(text) != "notifications/cancelled") {
    return false;
  }
  auto message = json::parse(text, nullptr, false);
  if (!message.is_object()) {
    return false;
  }
  auto params = message.find("params");
  if (params == message.end() || !params->is_object()) {
    return false;
  }
  auto request_id = params->find("requestId");
  if (request_id == params->end() || !request_id->is_number_unsigned()) {
    return false;
  }
  auto id = request_id->get<std::uint64_t>();
  for (auto it = m_replay.begin(); it != m_replay.end(); ++it) {
    if (it->request_id == id) {
      m_replay.erase(it);
      m_awaiting.erase(id);
      return true;
    }
  }
  return false;
}

HttpRequest StreamableHttpLink::base_request(const std::string& method, std::optional<std::string>& authorization_error) {
  HttpRequest request;
  request.method = method;
  request.url = m_options.url;
  request.ca_file = m_options.ca_file;
  request.allow_http_redirects = m_options.allow_http_redirects;
  if (!m_session_id.empty()) {
    request.headers.emplace_back("Mcp-Session-Id", m_session_id);
  }
  if (!m_protocol_version.empty()) {
    request.headers.emplace_back("MCP-Protocol-Version", m_protocol_version);
  }
  if (m_options.auth) {
    auto authorization = m_options.auth->authorization();
    if (!authorization) {
      authorization_error = authorization.error().message;
      return request;
    }
    if (authorization->has_value()) {
      request.headers.emplace_back("Authorization", **authorization);
    }
  }
  for (const auto& header : m_options.headers) {
    request.headers.push_back(header);
  }
  return request;
}

void StreamableHttpLink::start_exchange(std::unique_ptr<Exchange> exchange, HttpRequest request) {
  Exchange* raw = exchange.get();
  raw->last_activity = m_loop.now();
  HttpCallbacks callbacks;
  callbacks.on_head = [this, raw](const HttpResponseHead& head) {
    raw->is_error_status = head.status < 200 || head.status >= 300;
    if (!raw->is_error_status && starts_with_ci(head.header("content-type"), "text/event-stream")) {
      raw->is_sse = true;
      raw->sse = std::make_unique<SseParser>(
          [this, raw](SseEvent&& event) {
            raw->brought_events = true;
            if (event.type == "message") {
              on_exchange_message(*raw, std::move(event.data));
            }
          },
          held_limit(*raw, k_sse_event_limit));
      if (raw->kind == Kind::post && raw->outgoing.purpose == Purpose::request && raw->outgoing.request_id) {
        raw->sse->stream_large_events(k_stream_threshold, [this, raw](std::string_view so_far, bool numbered) {
          return open_streamed_reply(*raw, so_far, numbered);
        });
      }
      if (raw->kind == Kind::listen) {
        m_listen_confirmed = true;
      }
      if (raw->kind != Kind::post) {
        arm_idle_timer(*raw);
      }
    }
    if (raw->kind == Kind::post && raw->outgoing.purpose == Purpose::initialize && !raw->is_error_status) {
      m_session_id = head.header("mcp-session-id");
    }
  };
  callbacks.on_body = [this, raw](std::string_view chunk) {
    raw->last_activity = m_loop.now();
    if (raw->is_error_status) {
      if (raw->reply.size() < k_error_body_limit) {
        raw->reply.append(chunk.substr(0, k_error_body_limit - raw->reply.size()));
      }
      return true;
    }
    if (raw->is_sse) {
      auto status = raw->sse->feed(chunk);
      if (raw->sse->retry_ms()) {
        m_retry_ms = raw->sse->retry_ms();
      }
      if (!status) {
        raw->stream_error = status.error();
        return false;
      }
      // A reply stream that turned out resumable gets the idle watchdog too.
      if (raw->kind == Kind::post && raw->idle_timer == 0 && !raw->sse->last_event_id().empty()) {
        arm_idle_timer(*raw);
      }
      return true;
    }
    if (raw->streamed) {
      return raw->streamed->data(chunk); // a large JSON reply on its way to the client
    }
    if (std::size_t limit = held_limit(*raw, k_json_reply_limit); raw->reply.size() + chunk.size() > limit) {
      raw->stream_error = core::make_error(core::ErrorKind::protocol, too_large(*raw, limit));
      return false;
    }
    raw->reply.append(chunk);
    if (!raw->offered && raw->reply.size() >= k_stream_threshold && raw->kind == Kind::post &&
        raw->outgoing.purpose == Purpose::request && raw->outgoing.request_id) {
      raw->offered = true;
      if (open_streamed_reply(*raw, raw->reply, false) != nullptr) {
        std::string().swap(raw->reply); // handed over
      }
    }
    return true;
  };
  callbacks.on_done = [this, raw](const core::Status& status, const HttpResponseHead& head) {
    if (raw->kind == Kind::post) {
      on_post_done(*raw, status, head);
    } else {
      on_get_done(*raw, status, head);
    }
  };
  auto transfer = m_loop.start(std::move(request), std::move(callbacks));
  raw->transfer = transfer;
  if (raw->kind == Kind::listen) {
    m_listen_transfer = transfer;
  }
  m_exchanges.emplace(transfer, std::move(exchange));
}

std::size_t StreamableHttpLink::held_limit(const Exchange& exchange, std::size_t otherwise) const {
  if (exchange.kind == Kind::listen) {
    return m_options.max_server_message_bytes;
  }
  if (is_list_method(exchange.outgoing.method)) {
    return m_options.max_list_bytes;
  }
  return otherwise;
}

std::string StreamableHttpLink::too_large(const Exchange& exchange, std::size_t limit) const {
  std::string mib = std::to_string(limit >> 20) + " MiB";
  if (exchange.kind == Kind::listen) {
    return "a message on the stream for server messages was larger than " + mib;
  }
  if (is_list_method(exchange.outgoing.method)) {
    return "its " + exchange.outgoing.method + " page was larger than " + mib + " (raise \"max_list_mb\" for " +
           m_options.name + " if that is expected)";
  }
  return "reply larger than " + mib;
}

void StreamableHttpLink::post(Outgoing outgoing) {
  const Purpose purpose = outgoing.purpose;
  const auto request_id = outgoing.request_id;
  if (m_closing) {
    return;
  }
  if (m_reinitializing && (purpose == Purpose::request || purpose == Purpose::message)) {
    m_replay.push_back(std::move(outgoing)); // goes out on the new session
    return;
  }
  std::optional<std::string> authorization_error;
  HttpRequest request = base_request("POST", authorization_error);
  if (authorization_error) {
    auto error = core::make_error(core::ErrorKind::auth, *authorization_error);
    if (purpose == Purpose::request && request_id) {
      fail_request(*request_id, error);
    } else if (purpose == Purpose::initialize || purpose == Purpose::initialized) {
      fail_connection(error);
    }
    return;
  }
  // Requests are bounded by the router's own per-request timer (which also tells the upstream it
  // gave up); this HTTP bound is a backstop for replies that never end.
  request.timeout = purpose == Purpose::request ? m_options.timeout + std::chrono::seconds(5) : m_options.timeout;
  request.headers.insert(request.headers.begin(), {{"Content-Type", "application/json"},
                                                   {"Accept", "application/json, text/event-stream"}});
  auto exchange = std::make_unique<Exchange>();
  exchange->kind = Kind::post;
  exchange->session_id = m_session_id;
  // Requests keep their body for a retry (after a 401, a 404 of the session, a cut stream); the
  // copy is the price of never losing one.
  request.body = purpose == Purpose::message && outgoing.replayed ? std::move(outgoing.body) : outgoing.body;
  exchange->outgoing = std::move(outgoing);
  start_exchange(std::move(exchange), std::move(request));
}

void StreamableHttpLink::on_exchange_message(Exchange& exchange, std::string&& text) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return; // a priming event (an id, maybe a retry, empty data): nothing to deliver
  }
  auto scanned = inbound_message(std::move(text));
  if (!scanned) {
    spdlog::warn("{}: dropped a message that is not JSON: {}", m_options.name, scanned.error().message);
    return;
  }
  core::InboundMessage message = std::move(*scanned);
  bool is_response = message.envelope.kind == core::MessageKind::result || message.envelope.kind == core::MessageKind::error;
  if (exchange.kind == Kind::post && exchange.outgoing.purpose == Purpose::initialize) {
    if (is_response && message.envelope.id.in(message.text) == k_initialize_id) {
      exchange.answered = true;
      handle_initialize_result(std::move(message));
      return;
    }
  }
  if (is_response) {
    // Exactly one outcome per request: a response for a request no longer awaited (answered,
    // failed, or never ours) goes no further.
    if (message.envelope.id.in(message.text).substr(0, k_restore_id_prefix.size()) == k_restore_id_prefix) {
      spdlog::debug("{}: restored session state ({})", m_options.name,
                    message.envelope.kind == core::MessageKind::error ? "refused" : "accepted");
      return;
    }
    auto id = numeric_id(message);
    if (!id || m_awaiting.erase(*id) == 0) {
      spdlog::warn("{}: dropped a response to an unknown or finished request (id {})", m_options.name,
                   message.envelope.id_kind == core::IdKind::absent ? std::string("absent")
                                                                   : std::string(message.envelope.id.in(message.text)));
      return;
    }
    if (exchange.kind != Kind::listen && *id == exchange.outgoing.request_id) {
      close_after_reply(exchange);
    }
  }
  m_listener.on_upstream_message(m_index, std::move(message));
}

void StreamableHttpLink::fail_request(std::uint64_t id, const core::Error& error) {
  if (m_awaiting.erase(id) == 0) {
    return; // already answered or failed
  }
  m_listener.on_upstream_request_failed(m_index, id, error);
}

void StreamableHttpLink::on_post_done(Exchange& exchange, const core::Status& status, const HttpResponseHead& head) {
  // Take ownership: the exchange leaves the table whatever happens next.
  std::unique_ptr<Exchange> owned = take_exchange(exchange);
  if (!owned) {
    return;
  }
  RetireAtExit retire_at_exit{this, owned};
  if (m_closing) {
    return;
  }
  if (owned->streamed && !owned->streamed->ended && !owned->is_sse && status && !owned->stream_error) {
    owned->streamed->end(); // a JSON reply is complete when its body is
  }
  if (owned->streamed && !owned->streamed->ended) {
    // Half of it went to the client already: nothing can be retried or resumed.
    owned->streamed->ended = true;
    if (owned->stream_error) {
      owned->streamed->stream->abort(*owned->stream_error);
    } else if (!status) {
      owned->streamed->stream->abort(status.error());
    } else {
      owned->streamed->stream->abort(core::make_error(core::ErrorKind::protocol, "the reply stream ended before the reply did"));
    }
  }
  Outgoing& outgoing = owned->outgoing;
  const bool is_request = outgoing.purpose == Purpose::request && outgoing.request_id.has_value();
  const bool awaited = is_request && m_awaiting.count(*outgoing.request_id) != 0;

  std::optional<core::Error> error;
  if (owned->stream_error) {
    error = owned->stream_error;
  } else if (!status && head.status == 0) {
    if (!head.request_sent) {
      error = core::make_error(status.error().kind, "cannot reach " + m_options.url + ": " + status.error().message);
    } else if (is_request) {
      if (awaited) {
        fate_unknown(std::move(outgoing), "the connection to " + m_options.name + " broke (" + status.error().message + ")");
      }
      return;
    } else {
      error = core::make_error(status.error().kind, "lost the connection to " + m_options.url + ": " + status.error().message);
    }
  } else if (head.status == 401 || head.status == 403) {
    if (m_options.auth && !outgoing.auth_retried) {
      Outgoing again = std::move(outgoing);
      again.auth_retried = true;
      auto purpose = again.purpose;
      auto request_id = again.request_id;
      m_options.auth->on_challenge(head.status, head.header("www-authenticate"),
                                   [this, again = std::move(again), purpose, request_id](bool retry) mutable {
                                     if (retry) {
                                       post(std::move(again));
                                     } else if (purpose == Purpose::request && request_id) {
                                       fail_request(*request_id, refused_error());
                                     } else if (purpose != Purpose::message) {
                                       fail_connection(refused_error());
                                     }
                                   });
      return;
    }
    error = http_error(head, owned->reply);
  } else if (says_session_is_gone(head.status, owned->reply) && !owned->session_id.empty() &&
             outgoing.purpose != Purpose::initialize && outgoing.purpose != Purpose::initialized && !outgoing.replayed) {
    // The session expired: the server refused this message without acting on it, so sending it
    // again on a new session is safe whatever it is (a tools/call included).
    if (owned->session_id == m_session_id || m_reinitializing) {
      reinitialize_and_replay(std::move(outgoing));
    } else {
      outgoing.replayed = true; // a session that was already replaced: just send it on the new one
      post(std::move(outgoing));
    }
    return;
  } else if (outgoing.purpose == Purpose::initialize && m_options.legacy_fallback && !m_reinitializing &&
             (head.status == 400 || head.status == 404 || head.status == 405)) {
    // Maybe a 2024-11-05 server (HTTP+SSE): it takes a GET for its event stream first.
    auto refusal = http_error(head, owned->reply);
    spdlog::info("{}: initialize over Streamable HTTP was refused ({}); trying the older HTTP+SSE transport",
                 m_options.name, refusal.message);
    m_legacy = std::make_unique<LegacySseLink>(m_loop, m_options, m_listener, m_index,
                                               "initialize over Streamable HTTP: " + refusal.message);
    m_legacy->connect(m_client_capabilities, m_preferred_version);
    return;
  } else if (head.status < 200 || head.status >= 300) {
    error = http_error(head, owned->reply);
  } else if (owned->is_sse) {
    owned->sse->finish();
    if (is_request && m_awaiting.count(*outgoing.request_id) != 0) {
      // The reply stream ended (cleanly or cut) before the response.
      std::string why = !status ? "the reply stream from " + m_options.name + " was cut (" + status.error().message + ")"
                                : "the reply stream from " + m_options.name + " ended early";
      after_cut(std::move(outgoing), owned->sse->last_event_id(), owned->brought_events, why);
      return;
    }
  } else if (!status) {
    if (is_request && awaited) {
      fate_unknown(std::move(outgoing), "the reply from " + m_options.name + " was cut (" + status.error().message + ")");
      return;
    }
    error = core::make_error(status.error().kind, "lost the connection to " + m_options.url + ": " + status.error().message);
  } else if (!owned->reply.empty()) {
    on_exchange_message(*owned, std::move(owned->reply));
  } else if (is_request && head.status == 202 && m_listen_confirmed) {
    return; // accepted: the response comes on the GET stream (bounded by the router's timeout)
  }

  switch (outgoing.purpose) {
  case Purpose::initialize:
    if (error) {
      fail_connection(*error);
    } else if (!owned->answered) {
      fail_connection(core::make_error(core::ErrorKind::protocol, "the server did not answer initialize"));
    }
    return;
  case Purpose::initialized: {
    if (error) {
      fail_connection(*error);
      return;
    }
    m_ready = true;
    bool replaying = m_reinitializing;
    m_reinitializing = false;
    // Nothing on a first session; on a new one, what the old one held, before anything replayed.
    restore_session_state();
    if (replaying) {
      auto replay = std::move(m_replay);
      m_replay.clear();
      for (auto& pending : replay) {
        post(std::move(pending));
      }
    }
    // The router's list requests go first and take the connection the handshake warmed; the GET
    // stream opens the new one (over HTTP/1.1 that is a TCP and TLS handshake off the lists' path).
    m_listener.on_upstream_ready(m_index, m_initialize_result);
    open_listen_stream();
    return;
  }
  case Purpose::request:
    if (outgoing.request_id) {
      fail_request(*outgoing.request_id,
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

core::Error StreamableHttpLink::refused_error() const {
  auto header = m_options.auth ? m_options.auth->authorization() : core::Result<std::optional<std::string>>(std::nullopt);
  if (!header) {
    return core::make_error(core::ErrorKind::auth, header.error().message);
  }
  return core::make_error(core::ErrorKind::auth, "the server refused the credentials");
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

void StreamableHttpLink::add_headers(HeaderList headers) {
  for (auto& header : headers) {
    m_options.headers.push_back(std::move(header));
  }
}

} // namespace bridge::transport
