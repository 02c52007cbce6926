#pragma once

// What the parts of StreamableHttpLink share (streamable_http_session.cpp: the session's handshake
// and end; streamable_http.cpp: POSTs and their replies; streamable_http_streams.cpp: the GET
// stream, resumed and forwarded replies): one HTTP exchange, and the limits they apply. Private.

#include "core/upstream.hpp"
#include "transport/sse_parser.hpp"
#include "transport/streamable_http.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace bridge::transport {

inline constexpr std::string_view k_initialize_id = "0";               // the router's own ids start at 1
// Ids of the requests that restore a new session's state (string ids: the router's are numbers).
inline constexpr std::string_view k_restore_id_prefix = "\"bridge-restore-";
inline constexpr int k_max_empty_resumes = 5;                          // resumptions in a row that brought nothing
inline constexpr std::chrono::milliseconds k_repeat_delay{300};        // before sending a safe request again
inline constexpr std::chrono::milliseconds k_reply_stream_grace{5000}; // a reply stream left open after its response
// A response event larger than this goes on to the client while it arrives (cut-through), not
// after: one receive buffer's worth. Smaller ones are held whole (nothing to gain, nothing to risk).
inline constexpr std::size_t k_stream_threshold = 256 * 1024;

// A large response on its way to the client (core::ResponseStream), fed by the exchange's SSE
// parser as the bytes arrive.
struct StreamedReply final : SseDataSink {
  std::unique_ptr<core::ResponseStream> stream;
  std::function<void()> on_end;
  bool ended = false;
  bool data(std::string_view bytes) override { return stream->data(bytes); }
  void end() override {
    ended = true;
    stream->end();
    on_end();
  }
};

struct StreamableHttpLink::Exchange {
  Kind kind = Kind::post;
  EventLoop::TransferId transfer = 0;
  Outgoing outgoing;      // post: what was sent (kept for a retry); resume: the request being resumed
  std::string session_id; // the session it was sent in
  bool answered = false;  // initialize only: its result arrived
  bool is_sse = false;
  bool is_error_status = false;
  bool brought_events = false; // at least one SSE event arrived
  std::string resumed_after;   // resume: the Last-Event-ID it was opened with
  std::string reply;           // a JSON reply, or the start of an error body
  std::unique_ptr<SseParser> sse;
  std::unique_ptr<StreamedReply> streamed; // declared after sse: destroyed before it
  bool offered = false;                    // a large JSON reply was offered for streaming
  std::optional<core::Error> stream_error;
  std::chrono::steady_clock::time_point last_activity;
  core::Scheduler::TimerId idle_timer = 0;
  core::Scheduler::TimerId grace_timer = 0; // ends a reply stream the server leaves open
};

// Retires a taken exchange when the handler that took it returns: destroyed later, off the stack,
// because the handler may run inside the exchange's own SSE callback.
struct StreamableHttpLink::RetireAtExit {
  StreamableHttpLink* link;
  std::unique_ptr<Exchange>& exchange;
  ~RetireAtExit() {
    if (exchange) {
      link->retire(std::move(exchange));
    }
  }
};

} // namespace bridge::transport
