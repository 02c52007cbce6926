// StreamableHttpLink, second half: the session's GET stream (the server's own messages, reopened
// after `retry` with Last-Event-ID), reply streams cut before their response (resumed, or failed by
// what the request is), and large replies forwarded to the client while they arrive.

#include "transport/backoff.hpp"
#include "transport/streamable_http.hpp"
#include "transport/http_util.hpp"
#include "transport/streamable_http_exchange.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace bridge::transport {

void StreamableHttpLink::arm_idle_timer(Exchange& exchange) {
  auto transfer = exchange.transfer;
  auto due = exchange.last_activity + m_options.stream_idle;
  auto delay = std::max(std::chrono::milliseconds(1),
                        std::chrono::duration_cast<std::chrono::milliseconds>(due - m_loop.now()));
  exchange.idle_timer = after(delay, [this, transfer] {
    auto it = m_exchanges.find(transfer);
    if (it == m_exchanges.end()) {
      return;
    }
    Exchange& raw = *it->second;
    raw.idle_timer = 0;
    if (m_loop.receiving_paused()) {
      raw.last_activity = m_loop.now(); // our own pause (a slow client), not a silent server
    }
    if (m_loop.now() - raw.last_activity < m_options.stream_idle) {
      arm_idle_timer(raw);
      return;
    }
    spdlog::info("{}: a stream was silent for {} s; reconnecting it", m_options.name,
                 std::chrono::duration_cast<std::chrono::seconds>(m_options.stream_idle).count());
    m_loop.cancel_transfer(transfer);
    HttpResponseHead head;
    head.status = 200;
    core::Status cut = core::make_error(core::ErrorKind::timeout, "the stream was silent for too long");
    if (raw.kind == Kind::post) {
      on_post_done(raw, cut, head);
    } else {
      on_get_done(raw, cut, head);
    }
  });
}

void StreamableHttpLink::start_get(Kind kind, Outgoing outgoing, const std::string& last_event_id) {
  if (m_closing) {
    return;
  }
  std::optional<std::string> authorization_error;
  HttpRequest request = base_request("GET", authorization_error);
  if (authorization_error) {
    if (kind == Kind::resume && outgoing.request_id) {
      fail_request(*outgoing.request_id, core::make_error(core::ErrorKind::auth, *authorization_error));
    }
    return;
  }
  request.headers.insert(request.headers.begin(), {"Accept", "text/event-stream"});
  if (!last_event_id.empty()) {
    request.headers.emplace_back("Last-Event-ID", last_event_id);
  }
  // The GET stream lives as long as the session; a resumed reply as long as its request may.
  if (kind == Kind::resume) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(outgoing.deadline - m_loop.now());
    request.timeout = std::max(left, std::chrono::milliseconds(1000));
  }
  auto exchange = std::make_unique<Exchange>();
  exchange->kind = kind;
  exchange->session_id = m_session_id;
  exchange->resumed_after = last_event_id;
  exchange->outgoing = std::move(outgoing);
  start_exchange(std::move(exchange), std::move(request));
}

void StreamableHttpLink::close_after_reply(Exchange& exchange) {
  // The reply is complete. A server should end the stream now; one that keeps it open (or a
  // resumed stream, which the SDK never ends) must not hold a connection for nothing.
  auto transfer = exchange.transfer;
  auto grace = exchange.kind == Kind::resume ? std::chrono::milliseconds(0) : k_reply_stream_grace;
  exchange.grace_timer = after(grace, [this, transfer] {
    auto it = m_exchanges.find(transfer);
    if (it != m_exchanges.end()) {
      it->second->grace_timer = 0; // this one has fired
      m_loop.cancel_transfer(transfer);
      retire(std::move(it->second));
      m_exchanges.erase(it);
    }
  });
}

SseDataSink* StreamableHttpLink::open_streamed_reply(Exchange& exchange, std::string_view so_far, bool numbered) {
  // A numbered stream is resumable: held whole, a cut is mended with Last-Event-ID before the
  // client sees anything, which a reply already half forwarded could not be.
  if (numbered || exchange.streamed || m_closing) {
    return nullptr;
  }
  std::uint64_t id = *exchange.outgoing.request_id;
  if (m_awaiting.count(id) == 0) {
    return nullptr;
  }
  auto stream = m_listener.open_response_stream(m_index, id, so_far);
  if (!stream) {
    return nullptr;
  }
  m_awaiting.erase(id); // its one outcome now comes through the stream
  exchange.streamed = std::make_unique<StreamedReply>();
  exchange.streamed->stream = std::move(stream);
  if (exchange.is_sse) {
    exchange.streamed->on_end = [this, &exchange] { close_after_reply(exchange); };
  } else {
    exchange.streamed->on_end = [] {}; // a JSON reply ends with its exchange
  }
  return exchange.streamed.get();
}

void StreamableHttpLink::fate_unknown(Outgoing outgoing, const std::string& why) {
  if (!outgoing.request_id || m_awaiting.count(*outgoing.request_id) == 0) {
    return;
  }
  if (is_safe_to_repeat(outgoing.method) && !outgoing.repeated) {
    outgoing.repeated = true;
    outgoing.empty_resumes = 0;
    spdlog::info("{}: {} ({}); sending {} again", m_options.name, why, outgoing.method, outgoing.method);
    auto id = *outgoing.request_id;
    m_parked.insert(id);
    after(k_repeat_delay, [this, id, outgoing = std::move(outgoing)]() mutable {
      m_parked.erase(id);
      if (m_awaiting.count(id) != 0) {
        post(std::move(outgoing));
      }
    });
    return;
  }
  std::string what = outgoing.method.empty() ? std::string("the request") : outgoing.method;
  fail_request(*outgoing.request_id,
               core::make_error(core::ErrorKind::network,
                                why + " after " + what + " was sent, so it may or may not have run; check before trying again"));
}

void StreamableHttpLink::after_cut(Outgoing outgoing, const std::string& last_event_id, bool brought_events,
                                   const std::string& why) {
  if (!outgoing.request_id || m_awaiting.count(*outgoing.request_id) == 0) {
    return;
  }
  if (last_event_id.empty()) {
    fate_unknown(std::move(outgoing), why); // the server did not make the stream resumable
    return;
  }
  outgoing.empty_resumes = brought_events ? 0 : outgoing.empty_resumes + 1;
  if (outgoing.empty_resumes > k_max_empty_resumes || m_loop.now() >= outgoing.deadline) {
    fate_unknown(std::move(outgoing), why + " and could not be resumed");
    return;
  }
  auto delay = reconnect_delay(m_retry_ms, outgoing.empty_resumes, random_unit());
  spdlog::debug("{}: reply stream of {} cut ({}); resuming after event {} in {} ms", m_options.name, outgoing.method, why,
                last_event_id, delay.count());
  auto id = *outgoing.request_id;
  m_parked.insert(id);
  after(delay, [this, id, last_event_id, outgoing = std::move(outgoing)]() mutable {
    m_parked.erase(id);
    if (m_awaiting.count(id) != 0) {
      start_get(Kind::resume, std::move(outgoing), last_event_id);
    }
  });
}

void StreamableHttpLink::open_listen_stream() {
  if (!m_ready || m_closing || m_reinitializing || !m_listen_offered || m_listen_transfer != 0 || m_listen_scheduled) {
    return;
  }
  start_get(Kind::listen, Outgoing{}, m_listen_last_event_id);
}

void StreamableHttpLink::schedule_listen_stream() {
  if (m_listen_scheduled || m_closing) {
    return;
  }
  auto delay = reconnect_delay(m_retry_ms, m_listen_failures, random_unit());
  m_listen_scheduled = true;
  std::string session = m_session_id;
  after(delay, [this, session] {
    m_listen_scheduled = false;
    if (session == m_session_id) {
      open_listen_stream();
    }
  });
}

void StreamableHttpLink::on_get_done(Exchange& exchange, const core::Status& status, const HttpResponseHead& head) {
  std::unique_ptr<Exchange> owned = take_exchange(exchange);
  if (!owned) {
    return;
  }
  RetireAtExit retire_at_exit{this, owned};
  if (owned->kind == Kind::listen && m_listen_transfer == owned->transfer) {
    m_listen_transfer = 0;
  }
  if (m_closing) {
    return;
  }
  const bool stream_ok = head.status >= 200 && head.status < 300 && owned->is_sse;
  if (stream_ok) {
    owned->sse->finish();
  }
  std::string last_event_id = owned->sse ? owned->sse->last_event_id() : std::string();

  if (owned->kind == Kind::resume) {
    Outgoing& outgoing = owned->outgoing;
    if (!outgoing.request_id || m_awaiting.count(*outgoing.request_id) == 0) {
      return; // answered on this stream (or elsewhere), or given up
    }
    std::string resume_after = last_event_id.empty() ? owned->resumed_after : last_event_id;
    if (stream_ok && !owned->stream_error) {
      after_cut(std::move(outgoing), resume_after, owned->brought_events,
                "the reply stream from " + m_options.name + " was cut again");
      return;
    }
    if (head.status == 0 && !status) {
      // Could not reconnect (yet): the server may be restarting. Try again, within bounds.
      after_cut(std::move(outgoing), resume_after, false,
                "the reply stream from " + m_options.name + " was cut (" + status.error().message + ")");
      return;
    }
    fate_unknown(std::move(outgoing), "the reply stream from " + m_options.name + " was cut and could not be resumed" +
                                          (head.status != 0 ? " (HTTP " + std::to_string(head.status) + ")" : ""));
    return;
  }

  // The GET stream.
  if (owned->session_id != m_session_id || m_reinitializing) {
    return; // from a session that is gone; the new one opens its own
  }
  if (stream_ok) {
    m_listen_last_event_id = last_event_id;
    m_listen_failures = owned->brought_events ? 0 : m_listen_failures + 1;
    schedule_listen_stream();
    return;
  }
  if (m_listen_confirmed && says_session_is_gone(head.status, owned->reply)) {
    reinitialize(); // the session it used to serve is gone
    return;
  }
  if (head.status == 405 || head.status == 400 || head.status == 406 || head.status == 501 ||
      (head.status == 404 && !m_listen_confirmed) || (head.status >= 200 && head.status < 300 && !owned->is_sse)) {
    spdlog::debug("{}: the server offers no GET stream (HTTP {})", m_options.name, head.status);
    m_listen_offered = false;
    return;
  }
  ++m_listen_failures;
  if (m_listen_failures == 3) {
    spdlog::warn("{}: the stream for server messages keeps failing ({}); still retrying",
                 m_options.name, head.status != 0 ? "HTTP " + std::to_string(head.status) : (status ? "" : status.error().message));
  }
  schedule_listen_stream();
}

} // namespace bridge::transport
