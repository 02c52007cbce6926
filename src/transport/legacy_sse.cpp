#include "transport/legacy_sse.hpp"

#include "core/url.hpp"
#include "transport/backoff.hpp"
#include "transport/http_util.hpp"
#include "transport/sse_parser.hpp"
#include "version.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

namespace bridge::transport {
namespace {

using nlohmann::json;

constexpr std::string_view k_initialize_id = "0"; // the router's own ids start at 1
constexpr std::size_t k_error_body_limit = 16 * 1024;
constexpr int k_max_reconnects = 5; // a lost session is reopened this many times in a row at most

std::string default_port(const core::Url& url) {
  if (!url.port.empty()) {
    return url.port;
  }
  return url.scheme == "https" ? "443" : "80";
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

core::Result<std::string> resolve_endpoint(const std::string& stream_url, const std::string& endpoint) {
  auto base = core::parse_url(stream_url);
  if (!base) {
    return base.error();
  }
  std::string trimmed = endpoint;
  while (!trimmed.empty() && (trimmed.back() == '\r' || trimmed.back() == '\n' || trimmed.back() == ' ')) {
    trimmed.pop_back();
  }
  if (trimmed.empty()) {
    return core::make_error(core::ErrorKind::protocol, "the endpoint event is empty");
  }
  std::string resolved;
  if (trimmed.find("://") != std::string::npos) {
    resolved = trimmed;
  } else if (trimmed.rfind("//", 0) == 0) {
    resolved = base->scheme + ":" + trimmed;
  } else if (trimmed.front() == '/') {
    resolved = core::origin_of(*base) + trimmed;
  } else {
    std::string directory = base->path.substr(0, base->path.rfind('/') + 1);
    if (directory.empty()) {
      directory = "/";
    }
    resolved = core::origin_of(*base) + directory + trimmed;
  }
  auto target = core::parse_url(resolved);
  if (!target) {
    return core::make_error(core::ErrorKind::protocol, "the endpoint event is not a URL: " + trimmed.substr(0, 200));
  }
  if (target->scheme != base->scheme || target->host != base->host || default_port(*target) != default_port(*base)) {
    return core::make_error(core::ErrorKind::protocol,
                            "the endpoint event points to another origin (" + core::origin_of(*target) +
                                "); refusing to send messages there");
  }
  return resolved;
}

LegacySseLink::LegacySseLink(EventLoop& loop, StreamableHttpOptions options, core::UpstreamListener& listener,
                             std::size_t index, std::string context)
    : m_loop(loop), m_options(std::move(options)), m_listener(listener), m_index(index), m_context(std::move(context)),
      m_random(static_cast<std::minstd_rand::result_type>(std::random_device{}())) {}

LegacySseLink::~LegacySseLink() {
  m_closing = true;
  cancel_all();
}

void LegacySseLink::cancel_all() {
  if (m_stream != 0) {
    m_loop.cancel_transfer(m_stream);
    m_stream = 0;
  }
  for (auto post : m_posts) {
    m_loop.cancel_transfer(post);
  }
  m_posts.clear();
  for (auto timer : m_timers) {
    m_loop.cancel(timer);
  }
  m_timers.clear();
  m_handshake_timer = 0;
}

core::Scheduler::TimerId LegacySseLink::after(std::chrono::milliseconds delay, std::function<void()> callback) {
  auto id = std::make_shared<core::Scheduler::TimerId>(0);
  *id = m_loop.schedule(delay, [this, id, callback = std::move(callback)] {
    m_timers.erase(*id);
    callback();
  });
  m_timers.insert(*id);
  return *id;
}

std::optional<std::string> LegacySseLink::authorization(std::string& error) {
  if (!m_options.auth) {
    return std::nullopt;
  }
  auto authorization = m_options.auth->authorization();
  if (!authorization) {
    error = authorization.error().message;
    return std::nullopt;
  }
  return *authorization;
}

void LegacySseLink::fail_outstanding(const core::Error& error) {
  std::vector<std::uint64_t> orphaned;
  orphaned.reserve(m_awaiting.size());
  for (const auto& [id, request] : m_awaiting) {
    orphaned.push_back(id);
  }
  m_awaiting.clear();
  m_queue.clear();
  for (auto id : orphaned) {
    m_listener.on_upstream_request_failed(m_index, id, error);
  }
}

void LegacySseLink::connect(const json& client_capabilities, const std::string& /*protocol_version*/) {
  fail_outstanding(core::make_error(core::ErrorKind::network,
                                    "the connection to " + m_options.name + " was restarted before the answer came"));
  m_client_capabilities = client_capabilities.is_object() ? client_capabilities : json::object();
  m_closing = false;
  m_was_ready = false;
  m_failures = 0;
  open_stream();
}

void LegacySseLink::open_stream() {
  if (m_stream != 0) {
    m_loop.cancel_transfer(m_stream);
    m_stream = 0;
  }
  m_ready = false;
  m_endpoint.clear();
  m_stream_is_sse = false;
  m_stream_error_body.clear();
  std::string auth_error;
  auto header = authorization(auth_error);
  if (!auth_error.empty()) {
    fail_connection(core::make_error(core::ErrorKind::auth, auth_error));
    return;
  }
  HttpRequest request;
  request.method = "GET";
  request.url = m_options.url;
  request.ca_file = m_options.ca_file;
  request.allow_http_redirects = m_options.allow_http_redirects;
  request.headers = {{"Accept", "text/event-stream"}};
  if (header) {
    request.headers.emplace_back("Authorization", *header);
  }
  for (const auto& extra : m_options.headers) {
    request.headers.push_back(extra);
  }
  // The parser of the previous stream may be the one calling us: keep it alive until later.
  m_retired_parser = std::move(m_parser);
  m_parser = std::make_unique<SseParser>([this](SseEvent&& event) { on_stream_event(event.type, std::move(event.data)); });
  SseParser* parser = m_parser.get();
  HttpCallbacks callbacks;
  callbacks.on_head = [this](const HttpResponseHead& head) {
    m_stream_is_sse = head.status >= 200 && head.status < 300 && starts_with_ci(head.header("content-type"), "text/event-stream");
  };
  callbacks.on_body = [this, parser](std::string_view chunk) {
    if (!m_stream_is_sse) {
      if (m_stream_error_body.size() < k_error_body_limit) {
        m_stream_error_body.append(chunk.substr(0, k_error_body_limit - m_stream_error_body.size()));
      }
      return true;
    }
    auto status = parser->feed(chunk);
    if (parser->retry_ms()) {
      m_retry_ms = parser->retry_ms();
    }
    return status.ok();
  };
  callbacks.on_done = [this](const core::Status& status, const HttpResponseHead& head) {
    m_stream = 0;
    on_stream_end(status, head);
  };
  m_stream = m_loop.start(std::move(request), std::move(callbacks));
  if (m_handshake_timer != 0) {
    m_loop.cancel(m_handshake_timer);
    m_timers.erase(m_handshake_timer);
  }
  m_handshake_timer = after(m_options.timeout, [this] {
    m_handshake_timer = 0;
    if (!m_ready) {
      fail_connection(core::make_error(core::ErrorKind::timeout,
                                       "no answer to initialize over HTTP+SSE within " +
                                           std::to_string(m_options.timeout.count()) + " s"));
    }
  });
}

void LegacySseLink::on_stream_event(const std::string& type, std::string&& data) {
  if (type == "endpoint") {
    if (!m_endpoint.empty()) {
      return; // only the first one counts
    }
    auto endpoint = resolve_endpoint(m_options.url, data);
    if (!endpoint) {
      fail_connection(endpoint.error());
      return;
    }
    m_endpoint = std::move(*endpoint);
    json params = {
        {"protocolVersion", "2024-11-05"},
        {"capabilities", m_client_capabilities},
        {"clientInfo", {{"name", k_name}, {"version", k_version}}},
    };
    post_message(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":)" + params.dump() + "}", std::nullopt);
    return;
  }
  if (type != "message" || data.find_first_not_of(" \t\r\n") == std::string::npos) {
    return;
  }
  auto scanned = inbound_message(std::move(data));
  if (!scanned) {
    spdlog::warn("{}: dropped a message that is not JSON: {}", m_options.name, scanned.error().message);
    return;
  }
  core::InboundMessage message = std::move(*scanned);
  bool is_response = message.envelope.kind == core::MessageKind::result || message.envelope.kind == core::MessageKind::error;
  if (is_response && !m_ready && message.envelope.id.in(message.text) == k_initialize_id) {
    handle_initialize_result(std::move(message));
    return;
  }
  if (is_response) {
    auto id = numeric_id(message);
    if (!id || m_awaiting.erase(*id) == 0) {
      spdlog::warn("{}: dropped a response to an unknown or finished request", m_options.name);
      return;
    }
  }
  m_listener.on_upstream_message(m_index, std::move(message));
}

void LegacySseLink::handle_initialize_result(core::InboundMessage&& message) {
  auto result = initialize_result_of(message);
  if (!result) {
    fail_connection(result.error());
    return;
  }
  post_message(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", std::nullopt);
  m_ready = true;
  m_failures = 0;
  if (m_handshake_timer != 0) {
    m_loop.cancel(m_handshake_timer);
    m_timers.erase(m_handshake_timer);
    m_handshake_timer = 0;
  }
  m_was_ready = true;
  spdlog::info("{}: connected over the older HTTP+SSE transport", m_options.name);
  auto queue = std::move(m_queue);
  m_queue.clear();
  for (auto id : queue) {
    auto it = m_awaiting.find(id);
    if (it != m_awaiting.end()) {
      post_message(it->second.body, id);
    }
  }
  auto messages = std::move(m_queued_messages);
  m_queued_messages.clear();
  for (auto& text : messages) {
    post_message(std::move(text), std::nullopt);
  }
  // A reconnect is a new session: the router re-reads the lists (they may have changed).
  m_listener.on_upstream_ready(m_index, *result);
}

void LegacySseLink::send_request(std::uint64_t id, std::string text) {
  Request request;
  request.method = method_of(text);
  request.body = std::move(text);
  auto [it, inserted] = m_awaiting.insert_or_assign(id, std::move(request));
  (void)inserted;
  if (!m_ready) {
    m_queue.push_back(id);
    return;
  }
  post_message(it->second.body, id);
}

void LegacySseLink::send_message(std::string text) {
  if (!m_ready) {
    m_queued_messages.push_back(std::move(text));
    return;
  }
  post_message(std::move(text), std::nullopt);
}

void LegacySseLink::post_message(std::string body, std::optional<std::uint64_t> request_id) {
  if (m_closing || m_endpoint.empty()) {
    return;
  }
  std::string auth_error;
  auto header = authorization(auth_error);
  if (!auth_error.empty()) {
    if (request_id) {
      fail_request(*request_id, core::make_error(core::ErrorKind::auth, auth_error));
    }
    return;
  }
  HttpRequest request;
  request.method = "POST";
  request.url = m_endpoint;
  request.ca_file = m_options.ca_file;
  request.allow_http_redirects = m_options.allow_http_redirects;
  request.timeout = m_options.timeout;
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}};
  if (header) {
    request.headers.emplace_back("Authorization", *header);
  }
  for (const auto& extra : m_options.headers) {
    request.headers.push_back(extra);
  }
  request.body = std::move(body);
  auto reply = std::make_shared<std::string>();
  auto transfer = std::make_shared<EventLoop::TransferId>(0);
  HttpCallbacks callbacks;
  callbacks.on_body = [reply](std::string_view chunk) {
    if (reply->size() < k_error_body_limit) {
      reply->append(chunk.substr(0, k_error_body_limit - reply->size()));
    }
    return true;
  };
  callbacks.on_done = [this, request_id, reply, transfer](const core::Status& status, const HttpResponseHead& head) {
    m_posts.erase(*transfer);
    on_post_done(request_id, status, head, *reply);
  };
  *transfer = m_loop.start(std::move(request), std::move(callbacks));
  m_posts.insert(*transfer);
}

void LegacySseLink::on_post_done(std::optional<std::uint64_t> request_id, const core::Status& status,
                                 const HttpResponseHead& head, const std::string& body) {
  if (m_closing) {
    return;
  }
  bool accepted = status && head.status >= 200 && head.status < 300;
  if (accepted) {
    return; // the reply comes on the event stream
  }
  std::string reason = !status ? status.error().message : "HTTP " + std::to_string(head.status);
  if (status && !body.empty()) {
    reason += " (" + summarize_body(body) + ")";
  }
  if (!request_id) {
    if (!m_ready) {
      fail_connection(core::make_error(core::ErrorKind::protocol, "the server refused initialize over HTTP+SSE: " + reason));
    } else {
      spdlog::warn("{}: a notification or response was not accepted: {}", m_options.name, reason);
    }
    return;
  }
  auto it = m_awaiting.find(*request_id);
  if (it == m_awaiting.end()) {
    return;
  }
  if (!status && head.status == 0 && head.request_sent) {
    if (is_safe_to_repeat(it->second.method) && !it->second.repeated) {
      it->second.repeated = true;
      post_message(it->second.body, *request_id);
      return;
    }
    fail_request(*request_id, core::make_error(core::ErrorKind::network,
                                               "the connection to " + m_options.name + " broke after " + it->second.method +
                                                   " was sent, so it may or may not have run; check before trying again"));
    return;
  }
  auto kind = (head.status == 401 || head.status == 403) ? core::ErrorKind::auth : core::ErrorKind::network;
  fail_request(*request_id, core::make_error(kind, "the server refused the message: " + reason));
}

void LegacySseLink::on_stream_end(const core::Status& status, const HttpResponseHead& head) {
  if (m_closing) {
    return;
  }
  if (m_parser) {
    m_parser->finish();
  }
  std::string reason;
  if (!status) {
    reason = status.error().message;
  } else if (!m_stream_is_sse) {
    reason = "HTTP " + std::to_string(head.status);
    if (!m_stream_error_body.empty()) {
      reason += " (" + summarize_body(m_stream_error_body) + ")";
    } else if (head.status >= 200 && head.status < 300) {
      reason += " without an event stream";
    }
  } else {
    reason = "the event stream ended";
  }
  if (!m_was_ready) {
    // The fallback itself failed: say what the server answered to both transports.
    auto kind = (head.status == 401 || head.status == 403) ? core::ErrorKind::auth : core::ErrorKind::protocol;
    fail_connection(core::make_error(kind, m_context + "; the older HTTP+SSE transport failed too: " + reason));
    return;
  }
  session_lost(reason);
}

void LegacySseLink::session_lost(const std::string& why) {
  m_ready = false;
  m_endpoint.clear();
  for (auto post : m_posts) {
    m_loop.cancel_transfer(post);
  }
  m_posts.clear();
  // Replies in flight are gone with the stream: reads go again on the next session, the rest fail.
  std::vector<std::uint64_t> unknown;
  for (auto& [id, request] : m_awaiting) {
    bool queued = std::find(m_queue.begin(), m_queue.end(), id) != m_queue.end();
    if (queued) {
      continue;
    }
    if (is_safe_to_repeat(request.method) && !request.repeated) {
      request.repeated = true;
      m_queue.push_back(id);
    } else {
      unknown.push_back(id);
    }
  }
  for (auto id : unknown) {
    auto method = m_awaiting[id].method;
    fail_request(id, core::make_error(core::ErrorKind::network,
                                      "the event stream from " + m_options.name + " broke (" + why + ") after " + method +
                                          " was sent, so it may or may not have run; check before trying again"));
  }
  if (++m_failures > k_max_reconnects) {
    fail_connection(core::make_error(core::ErrorKind::network, "the HTTP+SSE event stream keeps breaking: " + why));
    return;
  }
  auto delay = reconnect_delay(m_retry_ms, m_failures - 1, std::uniform_real_distribution<double>(0.0, 1.0)(m_random));
  spdlog::info("{}: the HTTP+SSE event stream ended ({}); reconnecting in {} ms", m_options.name, why, delay.count());
  after(delay, [this] { open_stream(); });
}

void LegacySseLink::fail_request(std::uint64_t id, const core::Error& error) {
  if (m_awaiting.erase(id) == 0) {
    return;
  }
  m_listener.on_upstream_request_failed(m_index, id, error);
}

void LegacySseLink::fail_connection(const core::Error& error) {
  m_closing = true; // nothing below may call back into a half-torn session
  cancel_all();
  m_closing = false;
  m_ready = false;
  m_endpoint.clear();
  m_queued_messages.clear();
  fail_outstanding(error);
  m_listener.on_upstream_failed(m_index, error);
}

void LegacySseLink::shutdown(std::function<void()> done) {
  m_closing = true;
  cancel_all();
  done(); // HTTP+SSE has no session to delete: closing the stream ends it
}

} // namespace bridge::transport
