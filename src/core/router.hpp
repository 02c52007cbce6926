#pragma once

// The router: one MCP server toward the AI client, many MCP clients toward the upstreams. It
// answers initialize, ping and the list methods itself from the merged catalog, forwards calls to
// the upstream that owns the name (with the bridge's own ids, so ids never collide), relays the
// upstreams' own requests and notifications to the client, and guarantees every client request
// exactly one answer. It runs on the event-loop thread and knows nothing of HTTP or stdio.

#include "core/catalog.hpp"
#include "core/catalog_cache.hpp"
#include "core/config.hpp"
#include "core/streamed_response.hpp"
#include "core/upstream.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace bridge::core {

struct RouterOptions {
  std::size_t page_size = 0; // 0: every list in one page
  // How long list requests wait for upstreams that are still connecting before answering with
  // what is there (late arrivals are announced with list_changed).
  std::chrono::milliseconds list_wait{5000};
  // How long after a failure a call may trigger a reconnect attempt.
  std::chrono::milliseconds reconnect_after{10000};
  // Called with every upstream's lists when they changed and no upstream is still listing (the
  // cached catalog: cli/wiring saves it under the data dir). May be empty.
  std::function<void(const CatalogSnapshot&)> save_catalog;
  // How long a call that needs the user's confirmation waits for the client's answer.
  std::chrono::milliseconds confirm_wait{300000};
  // Called once per tool call when it ends (audit log): {"upstream", "org", "tool", "exposed",
  // "duration_ms", "outcome"} — never argument values. Outcomes: ok, tool_error, error, timeout,
  // unavailable, unknown_tool, cancelled, declined, refused.
  std::function<void(const nlohmann::ordered_json& record)> audit;
};

// One upstream as `bridge status` and `bridge tools` report it.
struct UpstreamState {
  std::string name;
  std::string phase; // "idle", "connecting", "ready", "failed"
  std::optional<Error> failure;
  std::size_t tools = 0; // exposed tools
  std::optional<std::chrono::milliseconds> connect_time; // initialize handshake, when ready
  nlohmann::json server_info = nlohmann::json::object(); // the upstream's serverInfo
  std::string protocol_version;
};

// The answer to a call of a tool that was listed (perhaps from the cached catalog) and is gone.
std::string vanished_text(const std::string& exposed, const std::string& upstream);

class Router final : public UpstreamListener {
public:
  Router(std::vector<ServerConfig> servers, RouterOptions options, Scheduler& scheduler, ClientWriter& client);
  ~Router() override;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // The link for upstream `index` (same order as the servers given to the constructor).
  void set_link(std::size_t index, std::unique_ptr<UpstreamLink> link);
  // Seeds the catalog with what the upstreams listed last time (matched by name), so the lists
  // are answered at once while the upstreams connect; their live lists replace it in the
  // background (list_changed when they differ). Call before the first client message.
  void preload_catalog(const CatalogSnapshot& snapshot);

  // One line from the AI client (without the newline).
  void on_client_message(std::string&& text);
  // The client went away: end every upstream session, then call `done`.
  void on_client_closed(std::function<void()> done);

  // Connects every upstream now (done by the client's initialize; the CLI calls it directly).
  void start_upstreams(const nlohmann::json& client_capabilities);
  // True when no upstream is still connecting or listing.
  [[nodiscard]] bool all_settled() const;
  [[nodiscard]] const Catalog& catalog() const { return m_catalog; }
  [[nodiscard]] std::vector<UpstreamState> upstream_states() const;

  void on_upstream_ready(std::size_t upstream, const nlohmann::json& initialize_result) override;
  void on_upstream_failed(std::size_t upstream, const Error& error) override;
  void on_upstream_message(std::size_t upstream, InboundMessage&& message) override;
  void on_upstream_request_failed(std::size_t upstream, std::uint64_t id, const Error& error) override;
  // Large results of calls whose answer passes through unchanged go to the client as they arrive,
  // one at a time (router_streaming.cpp).
  std::unique_ptr<ResponseStream> open_response_stream(std::size_t upstream, std::uint64_t id,
                                                       std::string_view first_bytes) override;

private:
  enum class Phase { idle, connecting, ready, failed };

  struct Upstream {
    ServerConfig config;
    std::unique_ptr<UpstreamLink> link;
    Phase phase = Phase::idle;
    int lists_outstanding = 0; // tools/prompts/resources/templates fetches under way
    std::optional<Error> failure;
    std::chrono::steady_clock::time_point failed_at;
    nlohmann::json capabilities = nlohmann::json::object();
    std::vector<std::uint64_t> queued; // requests waiting for the handshake, by bridge id
    CatalogSource source;
    std::string last_logged_failure;
    bool cached = false; // its lists come from the cached catalog and were not refreshed yet
    bool listed = false; // it has listed live at least once
    std::chrono::steady_clock::time_point connect_started;
    std::optional<std::chrono::milliseconds> connect_time;
    nlohmann::json server_info = nlohmann::json::object();
    std::string protocol_version;
    std::string tools_list_failure; // why its last tools/list failed ("" when it did not)
    // Per list ("tools", "prompts", …): the newest fetch. A list_changed during a fetch starts
    // another; an older fetch that answers later is dropped, so it cannot bring back a stale list.
    std::map<std::string, std::uint64_t, std::less<>> list_generation;
  };

  struct Pending {
    bool internal = false;
    std::string client_id; // raw JSON token as the client wrote it
    std::string method;
    std::string label;     // what to call it in messages: the exposed tool name, the method
    std::size_t upstream = 0;
    std::string text;      // the message to send while it waits in a queue; emptied once sent
    Scheduler::TimerId timer = 0;
    std::chrono::steady_clock::time_point started;
    std::string progress_token; // raw token from params._meta, when the client asked for progress
    std::chrono::steady_clock::time_point deadline; // when its timer fires (progress moves it)
    std::function<void(InboundMessage&&)> on_response;
    std::function<void(const Error&)> on_failure;
  };

  struct ActiveStream { // a response going to the client while it arrives
    ActiveStream(std::uint64_t serial, Pending pending, StreamedResponse scanner);
    std::uint64_t serial;
    Pending pending;
    StreamedResponse scanner;
    Scheduler::TimerId timer = 0;
  };
  class StreamHandle;

  struct RelayedRequest { // a request from an upstream, forwarded to the client
    std::size_t upstream = 0;
    std::string upstream_id; // raw token
  };

  struct Confirmation { // a tools/call held until the user says yes (elicitation/create)
    std::string text;      // the client's request, as received
    std::string client_id;
    std::size_t upstream = 0;
    std::string label;     // the exposed tool name
    std::string original;  // the upstream's name for it
    std::chrono::steady_clock::time_point started;
    Scheduler::TimerId timer = 0;
  };

  struct DeferredList {
    std::string client_id;
    std::string method;
    std::string cursor;
  };

  struct Batch { // a JSON-RPC batch from the client, answered as one array (router_batch.cpp)
    std::vector<std::string> awaited; // raw ids of the answers still to come
    std::vector<std::string> answers;
  };

  // Client side (router.cpp)
  void handle_message(std::string&& text);
  void handle_request(std::string&& text, const Envelope& envelope);
  void handle_notification(std::string&& text, const Envelope& envelope);
  void handle_client_response(std::string&& text, const Envelope& envelope);
  void answer_initialize(const std::string& id, const std::string& text, const Envelope& envelope);
  void answer_list(const std::string& id, const std::string& method, const std::string& cursor);
  void list_or_defer(const std::string& id, const std::string& method, std::string&& text, const Envelope& envelope);
  void flush_deferred_lists(bool force);
  // Holds a client message until the upstreams have listed (bounded by the list wait); false
  // when the wait is over and the message must be handled now.
  bool defer_until_settled(std::string& text);
  // Forgets a held call the client cancelled; false when none was held under that id.
  bool drop_deferred_call(const std::string& client_id);
  void arm_list_timer();
  [[nodiscard]] bool settled(std::size_t upstream) const;
  // Settled, or listed from the cached catalog: its lists can be answered now.
  [[nodiscard]] bool answerable(std::size_t upstream) const;
  [[nodiscard]] bool all_answerable() const;
  void route_named(std::string&& text, const Envelope& envelope, bool is_tool, bool confirmed = false);
  void route_by_uri(std::string&& text, const Envelope& envelope);
  void forward_resource(std::string&& text, const Envelope& envelope, const Field& uri);
  void route_completion(std::string&& text, const Envelope& envelope);
  void broadcast_set_level(const std::string& id, std::string&& text, const Envelope& envelope);
  void forward(std::size_t upstream, std::string&& text, const Envelope& envelope, std::vector<Replacement> replacements,
               std::string label);
  void fail_request(const Pending& pending, const std::string& reason, int code);
  // Timeouts (router_timeouts.cpp). params._meta.progressToken as the client wrote it ("" when the
  // call asked for no progress).
  static std::string progress_token_of(const std::string& text, const Envelope& envelope);
  // The request's timeout: timeout_s from now, but never past max_timeout_s after it started.
  void arm_request_timer(std::uint64_t bridge_id);
  void request_timed_out(std::uint64_t bridge_id);
  // A progress report from an upstream for one of our calls restarts that call's timeout.
  void extend_on_progress(std::size_t upstream, const InboundMessage& message);
  void write(std::string&& message);
  std::string failure_text(const Upstream& upstream) const;
  std::optional<std::size_t> upstream_by_prefix(const std::string& exposed) const;

  // Batches (router_batch.cpp)
  [[nodiscard]] bool batches_allowed() const;
  void handle_batch(std::string&& text);
  // True when `message` is an answer a batch waits for: kept for the batch's array.
  bool collect_for_batch(std::string& message);
  [[nodiscard]] bool batch_awaits(std::string_view client_id) const;
  void forget_batch_answer(std::string_view client_id);
  void flush_batches();

  // Safety policy and audit (router_policy.cpp)
  // True when the call was taken over (asked, or refused); false when it may be forwarded now.
  bool hold_for_confirmation(std::string& text, const Envelope& envelope, const Route& route, const std::string& label);
  bool handle_confirmation_answer(std::uint64_t id, std::string&& text, const Envelope& envelope);
  bool cancel_confirmation(const std::string& client_id);
  [[nodiscard]] bool client_can_elicit() const;
  void audit_call(std::size_t upstream, const std::string& exposed, std::chrono::steady_clock::time_point started,
                  const std::string& outcome);
  void audit_response(const Pending& pending, const InboundMessage& message);
  [[nodiscard]] std::vector<nlohmann::json> exposed_tools(std::size_t upstream, std::vector<nlohmann::json> tools) const;

  // Cut-through responses (router_streaming.cpp)
  bool stream_data(std::uint64_t serial, std::string_view bytes);
  void stream_end(std::uint64_t serial);
  void stream_abort(std::uint64_t serial, const std::string& reason);
  // Ends the open stream's line where it stands and answers its request with an error instead.
  void abandon_stream(const std::string& reason, int code);

  // Upstream side (router_upstreams.cpp)
  void connect(std::size_t upstream);
  void send_or_queue(std::uint64_t id);
  void send_internal(std::size_t upstream, const std::string& method, nlohmann::json params,
                     std::function<void(const nlohmann::json& result)> on_result,
                     std::function<void(const Error&)> on_failure);
  void fetch_list(std::size_t upstream, const std::string& method, const std::string& key, std::uint64_t generation,
                  std::string cursor, std::vector<nlohmann::json> so_far, int pages);
  void list_finished(std::size_t upstream);
  void refresh_lists(std::size_t upstream, bool tools, bool prompts, bool resources);
  void mark_failed(std::size_t upstream, const Error& error);
  void rebuild_catalog();
  // An upstream's lists are in: save the catalog, release the calls held for the fresh list.
  void lists_refreshed(std::size_t upstream);
  void save_catalog_if_changed();
  void handle_upstream_response(std::size_t upstream, InboundMessage&& message);
  void handle_upstream_request(std::size_t upstream, InboundMessage&& message);
  void handle_upstream_notification(std::size_t upstream, InboundMessage&& message);

  RouterOptions m_options;
  Scheduler& m_scheduler;
  ClientWriter& m_client;
  std::vector<Upstream> m_upstreams;
  Catalog m_catalog;
  std::unordered_map<std::uint64_t, Pending> m_pending;
  std::map<std::uint64_t, RelayedRequest> m_relayed;
  std::map<std::uint64_t, Confirmation> m_confirmations; // by the id of our elicitation/create
  std::vector<DeferredList> m_deferred;
  std::vector<Batch> m_batches;
  std::vector<std::string> m_deferred_messages; // calls that arrived before their tool was listed
  CatalogSnapshot m_saved_catalog;                // what save_catalog was last given (or loaded)
  std::map<std::string, std::string> m_vanished; // exposed tool → its upstream, for tools that went away
  std::uint64_t m_next_id = 1;
  std::uint64_t m_next_relay_id = 1;
  bool m_started = false;
  bool m_client_initialized = false;
  bool m_closing = false;
  nlohmann::json m_client_capabilities = nlohmann::json::object();
  std::string m_client_protocol_version; // negotiated with the AI client; asked of the upstreams
  std::chrono::steady_clock::time_point m_list_deadline;
  Scheduler::TimerId m_list_timer = 0;
  bool m_served_tools = false;
  bool m_served_prompts = false;
  bool m_served_resources = false;
  // The response being written to the client in pieces (other messages go to the writer as usual).
  std::unique_ptr<ActiveStream> m_stream;
  StreamedResponse::Emit m_to_client = [this](std::string_view piece) { m_client.write_piece(piece); };
  std::uint64_t m_next_stream = 1;
  // Stream handles outlive nothing of the router's: they check this before calling back.
  std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace bridge::core
