// The router's safety and audit hooks: "read_only" hides tools, "confirm" / "confirm_destructive"
// hold a call until the user says yes (elicitation/create to the AI client) or refuse it with the
// way to allow it, and every tool call ends in one audit record (never argument values).

#include "core/client_capabilities.hpp"
#include "core/display_text.hpp"
#include "core/jsonrpc.hpp"
#include "core/policy.hpp"
#include "core/router.hpp"

#include <spdlog/spdlog.h>

namespace bridge::core {
namespace {

using nlohmann::json;

const char* phase_name(int phase) {
  static const char* names[] = {"idle", "connecting", "ready", "failed"};
  return names[phase];
}

} // namespace

std::vector<UpstreamState> Router::upstream_states() const {
  std::vector<UpstreamState> states;
  states.reserve(m_upstreams.size());
  for (std::size_t i = 0; i < m_upstreams.size(); ++i) {
    const auto& upstream = m_upstreams[i];
    UpstreamState state;
    state.name = upstream.config.name;
    state.phase = phase_name(static_cast<int>(upstream.phase));
    state.failure = upstream.failure;
    state.connect_time = upstream.connect_time;
    state.server_info = upstream.server_info;
    state.protocol_version = upstream.protocol_version;
    for (const auto& tool : m_catalog.tools()) {
      auto route = m_catalog.find_tool(tool.value("name", ""));
      if (route && route->upstream == i) {
        ++state.tools;
      }
    }
    states.push_back(std::move(state));
  }
  return states;
}

std::vector<json> Router::exposed_tools(std::size_t upstream, std::vector<json> tools) const {
  const auto& safety = m_upstreams[upstream].config.safety;
  if (!safety.read_only) {
    return tools;
  }
  std::vector<json> kept;
  for (auto& tool : tools) {
    if (policy_exposes(safety, tool)) {
      kept.push_back(std::move(tool));
    }
  }
  return kept;
}

bool Router::client_can_elicit() const {
  // The confirmation is a form-mode elicitation/create.
  return unanswerable_by_client(m_client_capabilities, "elicitation/create", json::object()).empty();
}

bool Router::hold_for_confirmation(std::string& text, const Envelope& envelope, const Route& route, const std::string& label) {
  auto& upstream = m_upstreams[route.upstream];
  const json* definition = nullptr;
  for (const auto& tool : upstream.source.tools) {
    if (tool.is_object() && tool.value("name", "") == route.original) {
      definition = &tool;
      break;
    }
  }
  auto decision = decide_call(upstream.config.safety, route.original, definition);
  if (decision.verdict == CallVerdict::allow) {
    return false;
  }
  std::string client_id(envelope.id.in(text));
  const std::string& server = upstream.config.name;
  std::string where = server + (upstream.config.organization_id ? " (organization " + *upstream.config.organization_id + ")" : "");
  if (!client_can_elicit()) {
    audit_call(route.upstream, label, m_scheduler.now(), "refused");
    write(jsonrpc::tool_error_result(
        client_id,
        label + " was not run: calls to it need the user's confirmation (" + decision.reason +
            "), and this AI client cannot ask the user (it does not support MCP elicitation). Tell the user. To allow it "
            "without asking, " + decision.setting + " for server \"" + server + "\" in the mcp-bridge config; or the user can run it from a terminal with `bridge call " + label +
            " --args '<JSON>'`, which asks there."));
    return true;
  }
  std::string arguments = "{}";
  if (envelope.params) {
    json params = json::parse(envelope.params->in(text), nullptr, false);
    if (params.is_object() && params.contains("arguments")) {
      // Exactly what will be sent, whole and folded (not cut): a confirmation that hides the
      // tail of a list of user IDs is no confirmation.
      arguments = params["arguments"].dump(2, ' ', false, json::error_handler_t::replace);
    }
  }
  std::uint64_t id = m_next_relay_id++;
  Confirmation confirmation;
  confirmation.text = std::move(text);
  confirmation.client_id = client_id;
  confirmation.upstream = route.upstream;
  confirmation.label = label;
  confirmation.original = route.original;
  confirmation.started = m_scheduler.now();
  confirmation.timer = m_scheduler.schedule(m_options.confirm_wait, [this, id] {
    auto it = m_confirmations.find(id);
    if (it == m_confirmations.end()) {
      return;
    }
    Confirmation expired = std::move(it->second);
    m_confirmations.erase(it);
    audit_call(expired.upstream, expired.label, expired.started, "declined");
    write(jsonrpc::tool_error_result(expired.client_id,
                                     expired.label + " was not run: nobody confirmed it in time."));
  });
  m_confirmations.emplace(id, std::move(confirmation));
  json params = {
      {"message", fold_lines("Run " + label + " on " + where + "? " + "mcp-bridge asks because " +
                                 decision.reason + ".\nArguments:\n" + arguments,
                             100)},
      {"requestedSchema",
       {{"type", "object"},
        {"properties",
         {{"confirm",
           {{"type", "boolean"},
            {"title", "Run " + label},
            {"description", "Yes runs the tool on " + server + "; no cancels the call."}}}}},
        {"required", json::array({"confirm"})}}},
  };
  write(jsonrpc::request(id, "elicitation/create", params));
  return true;
}

bool Router::handle_confirmation_answer(std::uint64_t id, std::string&& text, const Envelope& envelope) {
  auto it = m_confirmations.find(id);
  if (it == m_confirmations.end()) {
    return false;
  }
  Confirmation confirmation = std::move(it->second);
  m_confirmations.erase(it);
  m_scheduler.cancel(confirmation.timer);
  bool accepted = false;
  std::string why = "the user declined";
  if (envelope.kind == MessageKind::result && envelope.result) {
    json result = json::parse(envelope.result->in(text), nullptr, false);
    std::string action = result.is_object() ? result.value("action", "") : "";
    const json* content = result.is_object() && result.contains("content") ? &result["content"] : nullptr;
    accepted = action == "accept" && content != nullptr && content->is_object() && content->contains("confirm") &&
               (*content)["confirm"] == true;
    if (action == "cancel") {
      why = "the user dismissed the question";
    }
  } else {
    why = "the AI client could not ask the user";
  }
  if (!accepted) {
    audit_call(confirmation.upstream, confirmation.label, confirmation.started, "declined");
    write(jsonrpc::tool_error_result(confirmation.client_id,
                                     confirmation.label + " was not run: " + why + ". Do not retry unless the user asks."));
    return true;
  }
  spdlog::info("{}: {} confirmed by the user", m_upstreams[confirmation.upstream].config.name, confirmation.label);
  std::string call = std::move(confirmation.text);
  auto call_envelope = scan_envelope(call);
  if (!call_envelope) {
    return true; // it was scanned once already; cannot happen
  }
  route_named(std::move(call), *call_envelope, true, true);
  return true;
}

bool Router::cancel_confirmation(const std::string& client_id) {
  for (auto it = m_confirmations.begin(); it != m_confirmations.end(); ++it) {
    if (it->second.client_id == client_id) {
      m_scheduler.cancel(it->second.timer);
      audit_call(it->second.upstream, it->second.label, it->second.started, "cancelled");
      m_confirmations.erase(it);
      return true;
    }
  }
  return false;
}

void Router::audit_call(std::size_t upstream, const std::string& exposed, std::chrono::steady_clock::time_point started,
                        const std::string& outcome) {
  if (!m_options.audit) {
    return;
  }
  const auto& config = m_upstreams[upstream].config;
  auto route = m_catalog.find_tool(exposed);
  auto duration = started == std::chrono::steady_clock::time_point{}
                      ? 0
                      : std::chrono::duration_cast<std::chrono::milliseconds>(m_scheduler.now() - started).count();
  nlohmann::ordered_json record = {
      {"upstream", config.name},
      {"org", config.organization_id ? nlohmann::ordered_json(*config.organization_id) : nlohmann::ordered_json(nullptr)},
      {"tool", route && route->upstream == upstream ? route->original : exposed},
      {"exposed", exposed},
      {"duration_ms", duration},
      {"outcome", outcome},
  };
  m_options.audit(record);
}

void Router::audit_response(const Pending& pending, const InboundMessage& message) {
  if (!m_options.audit) {
    return;
  }
  std::string outcome = "ok";
  if (message.envelope.kind == MessageKind::error) {
    outcome = "error";
  } else if (message.envelope.result) {
    auto fields = scan_object_fields(message.text, *message.envelope.result);
    if (fields) {
      for (const auto& field : *fields) {
        if (field.key == "isError" && field.value.in(message.text) == "true") {
          outcome = "tool_error";
        }
      }
    }
  }
  audit_call(pending.upstream, pending.label, pending.started, outcome);
}

} // namespace bridge::core
