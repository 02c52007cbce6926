// The only file that includes libcurl.

#include "transport/event_loop.hpp"

#include "transport/redirects.hpp"
#include "version.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace bridge::transport {
namespace {

CURLM* multi_of(void* handle) { return static_cast<CURLM*>(handle); }

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

std::string trim(std::string_view text) {
  auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) {
    return {};
  }
  auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

constexpr long k_receive_buffer = 256L * 1024L; // fewer, larger callbacks for big results
// Enough for the exchanges a busy client keeps in flight at once; beyond it, handles are freed.
constexpr std::size_t k_max_spare_easy = 16;

} // namespace

struct EventLoop::Transfer {
  EventLoop* loop = nullptr;
  TransferId id = 0;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  HttpRequest request;
  HttpCallbacks callbacks;
  HttpResponseHead head;
  bool head_delivered = false;
  bool added = false;
  bool cancelled = false;
  bool stopped_by_body = false; // on_body returned false
  bool paused = false;          // was paused by the receive gate: its handle is not reused
  // The response now arriving is a redirect (a 3xx with a Location): its head and body are not
  // the caller's; finish_transfer decides whether to follow it (redirects.hpp).
  bool redirecting = false;
  int redirects_followed = 0;
  char error_buffer[CURL_ERROR_SIZE] = {};

  ~Transfer() {
    if (easy != nullptr) {
      curl_easy_cleanup(easy);
    }
    if (headers != nullptr) {
      curl_slist_free_all(headers);
    }
  }

  void deliver_head() {
    if (head_delivered) {
      return;
    }
    head_delivered = true;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    head.status = status;
    if (callbacks.on_head) {
      callbacks.on_head(head);
    }
  }

  static size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<Transfer*>(user);
    std::string_view line(data, size * count);
    if (line.rfind("HTTP/", 0) == 0) {
      self->head.headers.clear(); // a new response (100 Continue): start over
      self->redirecting = false;
      return size * count;
    }
    if (line == "\r\n" || line == "\n") { // the end of this response's head
      long status = 0;
      curl_easy_getinfo(self->easy, CURLINFO_RESPONSE_CODE, &status);
      self->redirecting = is_redirect_status(status) && !self->head.header("location").empty();
      return size * count;
    }
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      self->head.headers.emplace_back(std::move(name), trim(line.substr(colon + 1)));
    }
    return size * count;
  }

  static size_t on_write(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<Transfer*>(user);
    if (self->cancelled) {
      return 0;
    }
    if (self->redirecting) {
      return size * count; // a redirect's own page: nobody reads it
    }
    self->deliver_head();
    if (self->cancelled) {
      return 0;
    }
    if (self->stopped_by_body) {
      return 0;
    }
    if (self->loop->m_may_receive && !self->loop->m_may_receive()) {
      // libcurl keeps these bytes and hands them over again once resumed.
      self->loop->m_paused.push_back(self->id);
      self->paused = true;
      return CURL_WRITEFUNC_PAUSE;
    }
    if (self->callbacks.on_body && !self->callbacks.on_body(std::string_view(data, size * count))) {
      // libcurl ends the transfer with a write error, and on_done reports it: the owner learns
      // the exchange is over on the same path as any other end.
      self->stopped_by_body = true;
      return 0;
    }
    return self->cancelled ? 0 : size * count;
  }
};

EventLoop::EventLoop() = default;

EventLoop::~EventLoop() {
  for (auto& [id, transfer] : m_transfers) {
    if (transfer->added) {
      curl_multi_remove_handle(multi_of(m_multi), transfer->easy);
    }
  }
  m_transfers.clear();
  for (void* easy : m_spare_easy) {
    curl_easy_cleanup(static_cast<CURL*>(easy));
  }
  m_spare_easy.clear();
  if (m_multi != nullptr) {
    curl_multi_cleanup(multi_of(m_multi));
  }
}

void EventLoop::ensure_multi() {
  if (m_multi != nullptr) {
    return;
  }
  static CurlGlobal global;
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) {
    throw std::runtime_error("libcurl: curl_multi_init failed");
  }
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  // Unbounded, 300 concurrent calls to an HTTP/1.1 upstream opened 300 connections.
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, m_connections_per_host);
  std::lock_guard<std::mutex> lock(m_posted_mutex); // post() reads it to pick how to wake us
  m_multi = multi;
}

void EventLoop::resume_receiving() {
  auto paused = std::move(m_paused);
  m_paused.clear();
  // Resuming hands the kept bytes over at once, inside curl_easy_pause: treat it like perform
  // (a callback that cancels an exchange then defers its removal).
  bool was_in_perform = m_in_perform;
  m_in_perform = true;
  for (auto id : paused) {
    auto it = m_transfers.find(id);
    if (it != m_transfers.end() && !it->second->cancelled && it->second->easy != nullptr) {
      curl_easy_pause(it->second->easy, CURLPAUSE_CONT);
    }
  }
  m_in_perform = was_in_perform;
  if (!m_in_perform) {
    auto to_remove = std::move(m_to_remove);
    m_to_remove.clear();
    for (auto id : to_remove) {
      remove_transfer(id);
    }
  }
}

void EventLoop::limit_connections_per_host(long count) {
  m_connections_per_host = count;
  if (m_multi != nullptr) {
    curl_multi_setopt(multi_of(m_multi), CURLMOPT_MAX_HOST_CONNECTIONS, count);
  }
}

EventLoop::TransferId EventLoop::start(HttpRequest request, HttpCallbacks callbacks) {
  auto transfer = std::make_unique<Transfer>();
  transfer->loop = this;
  transfer->id = m_next_transfer++;
  transfer->request = std::move(request);
  transfer->callbacks = std::move(callbacks);
  ensure_multi();
  auto* easy = static_cast<CURL*>(take_easy_handle());
  transfer->easy = easy;
  const auto& req = transfer->request;
  curl_easy_setopt(easy, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error_buffer);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::on_write);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, k_receive_buffer);
  // Long-lived SSE streams: probe an idle connection after 30 s, then every 15 s, so a peer
  // that vanished (or a NAT that forgot us) is noticed, and idle-timeout proxies see traffic.
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, 30L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, 15L);
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, ""); // whatever libcurl can decode
  // Wait for a connection being set up to say whether it multiplexes (HTTP/2) rather than open
  // another one beside it: a burst of calls then shares one connection.
  curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
  std::string user_agent = std::string("mcp-bridge/") + k_version;
  curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent.c_str()); // libcurl copies strings
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connect_timeout.count()));
  if (req.timeout.count() > 0) {
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count()));
  }
  // Redirects are followed here, not by libcurl, which would take the config's headers and the
  // body to another host (it drops only Authorization): finish_transfer and redirects.hpp.
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!req.ca_file.empty()) {
    curl_easy_setopt(easy, CURLOPT_CAINFO, req.ca_file.c_str());
  }
  if (req.method == "POST") {
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  } else if (req.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  for (const auto& [name, value] : req.headers) {
    std::string line = name + ": " + value;
    transfer->headers = curl_slist_append(transfer->headers, line.c_str());
  }
  // libcurl adds "Expect: 100-continue" to large POSTs, costing a round trip: never wanted here.
  transfer->headers = curl_slist_append(transfer->headers, "Expect:");
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers);

  TransferId id = transfer->id;
  m_transfers.emplace(id, std::move(transfer));
  m_to_add.push_back(id);
  if (!m_in_perform) {
    add_pending_transfers();
  }
  return id;
}

void* EventLoop::take_easy_handle() {
  if (!m_spare_easy.empty()) {
    void* easy = m_spare_easy.back();
    m_spare_easy.pop_back();
    return easy;
  }
  CURL* easy = curl_easy_init();
  if (easy == nullptr) {
    throw std::runtime_error("libcurl: curl_easy_init failed");
  }
  return easy;
}

void EventLoop::add_pending_transfers() {
  auto to_add = std::move(m_to_add);
  m_to_add.clear();
  for (auto id : to_add) {
    auto it = m_transfers.find(id);
    if (it == m_transfers.end() || it->second->cancelled) {
      continue;
    }
    if (curl_multi_add_handle(multi_of(m_multi), it->second->easy) == CURLM_OK) {
      it->second->added = true;
    }
  }
}

void EventLoop::cancel_transfer(TransferId id) {
  auto it = m_transfers.find(id);
  if (it == m_transfers.end()) {
    return;
  }
  it->second->cancelled = true;
  if (m_in_perform) {
    m_to_remove.push_back(id); // libcurl forbids removing handles from inside its callbacks
    return;
  }
  remove_transfer(id);
}

void EventLoop::remove_transfer(TransferId id) {
  auto it = m_transfers.find(id);
  if (it == m_transfers.end()) {
    return;
  }
  Transfer& transfer = *it->second;
  if (transfer.added) {
    curl_multi_remove_handle(multi_of(m_multi), transfer.easy);
  }
  // A handle that was paused is not reused: libcurl 7.88's curl_easy_reset does not clear every
  // trace of a pause (fixed upstream later), and a stale one would stall the next exchange.
  if (transfer.easy != nullptr && !transfer.paused && m_spare_easy.size() < k_max_spare_easy) {
    // curl_easy_reset forgets every option of this exchange (URL, headers, body, callbacks);
    // connections live in the multi handle's cache either way. (libcurl 7.88 still allocates the
    // receive buffer per transfer, inside curl_multi_perform: reuse does not spare that.)
    curl_easy_reset(transfer.easy);
    m_spare_easy.push_back(transfer.easy);
    transfer.easy = nullptr;
  }
  m_transfers.erase(it);
}

bool EventLoop::follow_redirect(Transfer& transfer, core::Status& status) {
  long code = 0;
  curl_easy_getinfo(transfer.easy, CURLINFO_RESPONSE_CODE, &code);
  // libcurl resolves the Location against the URL it requested, even when it does not follow;
  // that very string is what the next hop requests, so what is checked is what is sent.
  char* location = nullptr;
  curl_easy_getinfo(transfer.easy, CURLINFO_REDIRECT_URL, &location);
  auto next = next_hop(transfer.request, code, location != nullptr ? location : "", transfer.redirects_followed);
  if (!next) {
    // Refused: nothing went to the Location, and the server that redirected cannot have acted
    // on the request.
    status = next.error();
    transfer.head = HttpResponseHead{};
    transfer.head.request_sent = false;
    transfer.head_delivered = true; // the redirect's head is not the caller's
    return false;
  }
  ++transfer.redirects_followed;
  curl_multi_remove_handle(multi_of(m_multi), transfer.easy);
  transfer.added = false;
  transfer.redirecting = false;
  transfer.head = HttpResponseHead{};
  curl_easy_setopt(transfer.easy, CURLOPT_URL, next->c_str()); // every other option stays
  m_to_add.push_back(transfer.id);
  return true;
}

void EventLoop::finish_transfer(Transfer& transfer, int curl_code) {
  TransferId id = transfer.id;
  if (transfer.cancelled) {
    remove_transfer(id);
    return;
  }
  core::Status status = core::ok_status();
  auto code = static_cast<CURLcode>(curl_code);
  if (transfer.redirecting && code == CURLE_OK && follow_redirect(transfer, status)) {
    return; // the same exchange goes on at the new URL
  }
  transfer.deliver_head();
  if (status && code != CURLE_OK) {
    std::string detail = transfer.error_buffer[0] != '\0' ? transfer.error_buffer : curl_easy_strerror(code);
    auto kind = code == CURLE_OPERATION_TIMEDOUT ? core::ErrorKind::timeout : core::ErrorKind::network;
    status = core::make_error(kind, detail);
    long request_size = 0;
    curl_easy_getinfo(transfer.easy, CURLINFO_REQUEST_SIZE, &request_size);
    bool never_connected = code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
                           code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_SSL_CONNECT_ERROR ||
                           code == CURLE_PEER_FAILED_VERIFICATION;
    transfer.head.request_sent = !never_connected && (request_size > 0 || transfer.head.status != 0);
  }
  // Keep the callbacks alive past removal: on_done may start new exchanges.
  auto callbacks = std::move(transfer.callbacks);
  auto head = std::move(transfer.head);
  remove_transfer(id);
  if (callbacks.on_done) {
    callbacks.on_done(status, head);
  }
}

EventLoop::TimerId EventLoop::schedule(std::chrono::milliseconds delay, std::function<void()> callback) {
  TimerId id = m_next_timer++;
  auto due = now() + delay;
  m_timers.emplace(id, std::make_pair(due, std::move(callback)));
  m_timer_order.emplace(due, id);
  return id;
}

void EventLoop::cancel(TimerId id) {
  auto it = m_timers.find(id);
  if (it == m_timers.end()) {
    return;
  }
  auto range = m_timer_order.equal_range(it->second.first);
  for (auto order = range.first; order != range.second; ++order) {
    if (order->second == id) {
      m_timer_order.erase(order);
      break;
    }
  }
  m_timers.erase(it);
}

std::chrono::steady_clock::time_point EventLoop::now() const { return std::chrono::steady_clock::now(); }

void EventLoop::post(std::function<void()> task) {
  void* multi = nullptr;
  {
    std::lock_guard<std::mutex> lock(m_posted_mutex);
    m_posted.push_back(std::move(task));
    multi = m_multi;
  }
  if (multi != nullptr) {
    curl_multi_wakeup(multi_of(multi));
  } else {
    m_waiter.notify();
  }
}

void EventLoop::watch_input(int fd, std::function<void()> on_readable) {
  m_input = fd;
  m_on_input = std::move(on_readable);
}

void EventLoop::unwatch_input() {
  // The callback stays (it may be the one running now) but is never called without an input.
  m_input.reset();
}

namespace {

constexpr long long k_idle_wait_ms = 60000; // a backstop only: nothing needs a periodic wake-up

} // namespace

long long EventLoop::next_wait_ms() {
  long long wait_ms = k_idle_wait_ms;
  if (!m_timer_order.empty()) {
    // Rounded up: a timer 0.4 ms away must not turn into a string of zero-timeout polls.
    auto delta = std::chrono::ceil<std::chrono::milliseconds>(m_timer_order.begin()->first - now()).count();
    wait_ms = std::clamp<long long>(delta, 0, k_idle_wait_ms);
  }
  std::lock_guard<std::mutex> lock(m_posted_mutex);
  return m_posted.empty() ? wait_ms : 0;
}

bool EventLoop::wait_without_libcurl() {
  return m_waiter.wait(m_input, std::chrono::milliseconds(next_wait_ms()));
}

bool EventLoop::poll_with_libcurl() {
  curl_waitfd input{};
  unsigned int extra = 0;
  if (m_input) {
    input.fd = static_cast<curl_socket_t>(*m_input);
    input.events = CURL_WAIT_POLLIN;
    extra = 1;
  }
  int events = 0;
  curl_multi_poll(multi_of(m_multi), extra != 0 ? &input : nullptr, extra, static_cast<int>(next_wait_ms()), &events);
  if (!m_input) {
    return false;
  }
  // libcurl reports POLLIN only: an input that ended (POLLHUP alone) is asked about separately,
  // and only when something happened, so it costs nothing while idle.
  return (input.revents & CURL_WAIT_POLLIN) != 0 || (events > 0 && platform::input_ended(*m_input));
}

void EventLoop::run_posted_tasks() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard<std::mutex> lock(m_posted_mutex);
    tasks.swap(m_posted);
  }
  for (auto& task : tasks) {
    task();
  }
}

void EventLoop::run_due_timers() {
  auto current = now();
  while (!m_timer_order.empty() && m_timer_order.begin()->first <= current) {
    TimerId id = m_timer_order.begin()->second;
    m_timer_order.erase(m_timer_order.begin());
    auto it = m_timers.find(id);
    if (it == m_timers.end()) {
      continue;
    }
    auto callback = std::move(it->second.second);
    m_timers.erase(it);
    callback();
  }
}

void EventLoop::run() {
  // Idle, the loop sleeps until a socket, the client's input, a timer, libcurl's own timeout
  // (curl_multi_poll never waits past it) or post() (curl_multi_wakeup, or the LoopWaiter before
  // libcurl: neither is lost when it comes before the wait): no periodic wake-ups.
  bool started_transfers = false;
  while (!m_stopped) {
    if (m_multi == nullptr) {
      // No exchange has started yet, so libcurl may still be loading (platform.hpp,
      // preload_network_libraries): wait without it. The first start() switches to libcurl's
      // poll for good.
      if (wait_without_libcurl()) {
        m_on_input();
      }
      run_posted_tasks();
      run_due_timers();
      started_transfers = m_multi != nullptr;
      continue;
    }
    // A request started in the last round goes out now, not after one more trip through poll.
    if (!started_transfers && poll_with_libcurl()) {
      m_on_input();
    }
    const TransferId first_new = m_next_transfer;

    int running = 0;
    m_in_perform = true;
    curl_multi_perform(multi_of(m_multi), &running);
    m_in_perform = false;

    int remaining = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_of(m_multi), &remaining)) {
      if (message->msg != CURLMSG_DONE) {
        continue;
      }
      Transfer* transfer = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
      if (transfer != nullptr) {
        finish_transfer(*transfer, static_cast<int>(message->data.result));
      }
    }
    auto to_remove = std::move(m_to_remove);
    m_to_remove.clear();
    for (auto id : to_remove) {
      remove_transfer(id);
    }
    add_pending_transfers();
    run_posted_tasks();
    run_due_timers();
    started_transfers = m_next_transfer != first_new;
  }
}

} // namespace bridge::transport
