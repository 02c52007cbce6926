#include "cli/session.hpp"

#include "cli/wiring.hpp"
#include "core/jsonrpc.hpp"
#include "transport/event_loop.hpp"

#include <spdlog/spdlog.h>

namespace bridge::cli {
namespace {

using nlohmann::json;

constexpr int k_initialize_id = 1;
constexpr int k_request_id = 2;

// The AI client's side of the conversation, on the loop thread. Answers to the router are posted
// (never written back from inside the router's own write).
class TerminalClient final : public core::ClientWriter {
public:
  TerminalClient(transport::EventLoop& loop, const SessionOptions& options, std::string method, json params)
      : m_loop(loop), m_options(options), m_method(std::move(method)), m_params(std::move(params)) {}

  void attach(core::Router& router) { m_router = &router; }

  void write_message(std::string&& text) override {
    json message = json::parse(text, nullptr, false);
    if (!message.is_object()) {
      return;
    }
    if (message.contains("method")) {
      if (message.contains("id")) {
        answer_request(message);
      }
      return; // notifications (list_changed, progress, logs) are not shown
    }
    auto id = message.value("id", json());
    if (id == k_initialize_id) {
      send(core::jsonrpc::notification("notifications/initialized"));
      if (m_options.wait_for_upstreams) {
        m_settle_deadline = m_loop.now() + m_options.settle;
        m_loop.post([this] { send_when_settled(); });
      } else {
        send(core::jsonrpc::request(k_request_id, m_method, m_params));
      }
    } else if (id == k_request_id) {
      response = std::move(message);
      finished = true;
      m_loop.post(on_finished); // not from inside the router's own write
    }
  }

  std::optional<json> response;
  bool finished = false;
  std::function<void()> on_finished;

private:
  void send_when_settled() {
    if (m_router->all_settled() || m_loop.now() >= m_settle_deadline) {
      send(core::jsonrpc::request(k_request_id, m_method, m_params));
      return;
    }
    m_loop.schedule(std::chrono::milliseconds(20), [this] { send_when_settled(); });
  }

  void send(std::string text) {
    m_loop.post([this, text = std::move(text)]() mutable { m_router->on_client_message(std::move(text)); });
  }

  void answer_request(const json& request) {
    std::string raw_id = request["id"].dump();
    const std::string method = request.value("method", "");
    if (method == "ping") {
      send(core::jsonrpc::result_response(raw_id, json::object()));
    } else if (method == "roots/list") {
      send(core::jsonrpc::result_response(raw_id, {{"roots", json::array()}}));
    } else if (method == "elicitation/create") {
      const json& params = request.value("params", json::object());
      const json schema = params.value("requestedSchema", json::object());
      bool is_confirmation = schema.contains("properties") && schema["properties"].is_object() &&
                             schema["properties"].size() == 1 && schema["properties"].contains("confirm");
      std::string message = params.value("message", "");
      if (is_confirmation && m_options.confirm && m_options.confirm(message)) {
        send(core::jsonrpc::result_response(raw_id, {{"action", "accept"}, {"content", {{"confirm", true}}}}));
      } else {
        if (!is_confirmation) {
          std::fprintf(stderr, "bridge: a server asked for input this terminal cannot give: %s\n", message.c_str());
        }
        send(core::jsonrpc::result_response(raw_id, {{"action", "decline"}}));
      }
    } else {
      send(core::jsonrpc::error_response(raw_id, core::jsonrpc::k_method_not_found,
                                         "the bridge command line does not support " + method));
    }
  }

  transport::EventLoop& m_loop;
  const SessionOptions& m_options;
  std::string m_method;
  json m_params;
  core::Router* m_router = nullptr;
  std::chrono::steady_clock::time_point m_settle_deadline;
};

} // namespace

SessionResult run_session(const core::Config& config, const SessionOptions& options, const std::string& method,
                          const json& params) {
  core::Config one_page = config;
  one_page.page_size = 0; // the terminal wants every item in one answer
  transport::EventLoop loop;
  TerminalClient client(loop, options, method, params);
  SessionResult result;
  Bridge bridge = build_bridge(one_page, loop, client, options.only, /*background_login=*/false,
                               [&result](const nlohmann::ordered_json& record) {
                                 result.outcome = record.value("outcome", std::string());
                               });
  client.attach(*bridge.router);

  json capabilities = json::object();
  if (options.elicitation) {
    capabilities["elicitation"] = json::object();
  }
  json initialize = {{"protocolVersion", "2025-06-18"},
                     {"capabilities", capabilities},
                     {"clientInfo", {{"name", "mcp-bridge-cli"}, {"version", "1"}}}};
  bool deadline_passed = false;
  bool closing = false;
  // Once answered (or out of time): end every upstream session (DELETE), bounded to 3 s.
  auto finish = [&] {
    if (closing) {
      return;
    }
    closing = true;
    result.upstreams = bridge.router->upstream_states();
    loop.schedule(std::chrono::seconds(3), [&loop] { loop.stop(); });
    bridge.router->on_client_closed([&loop] { loop.stop(); });
  };
  loop.schedule(options.deadline, [&] {
    deadline_passed = true;
    finish();
  });
  client.on_finished = finish;
  loop.post([&] { bridge.router->on_client_message(core::jsonrpc::request(k_initialize_id, "initialize", initialize)); });
  loop.run();
  result.timed_out = deadline_passed && !client.finished;
  result.response = client.response;
  return result;
}

} // namespace bridge::cli
