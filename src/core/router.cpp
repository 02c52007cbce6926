#include "core/router.hpp"

#include "core/jsonrpc.hpp"
#include "core/protocol.hpp"
#include "core/remedy.hpp"
#include "version.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

namespace bridge::core {
namespace {

using nlohmann::json;

std::optional<json> parse_params(const std::string& text, const Envelope& envelope) {
  if (!envelope.params) {
    return json::object();
  }
  json params = json::parse(envelope.params->in(text), nullptr, false);
  if (params.is_discarded()) {
    return std::nullopt;
  }
  return params;
}

// Cursors toward the client are the bridge's own: an offset into the merged list.
constexpr std::string_view k_cursor_prefix = "mcp-bridge:";

std::optional<std::size_t> decode_cursor(const std::string& cursor) {
  if (cursor.empty()) {
    return 0;
  }
  if (cursor.rfind(k_cursor_prefix, 0) != 0) {
    return std::nullopt;
  }
  std::size_t offset = 0;
  const char* begin = cursor.data() + k_cursor_prefix.size();
  const char* end = cursor.data() + cursor.size();
  auto [ptr, ec] = std::from_chars(begin, end, offset);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return offset;
}

} // namespace

std::string vanished_text(const std::string& exposed, const std::string& upstream) {
  return "Unknown tool: " + exposed + " — " + upstream +
         " no longer offers it (its tool list changed since it was last listed); list the tools again";
}

Router::Router(std::vector<ServerConfig> servers, RouterOptions options, Scheduler& scheduler, ClientWriter& client)
    : m_options(options), m_scheduler(scheduler), m_client(client) {
  m_upstreams.reserve(servers.size());
  for (auto& server : servers) {
    Upstream upstream;
    upstream.source.name = server.name;
    upstream.source.prefix = server.prefix;
    upstream.config = std::move(server);
    m_upstreams.push_back(std::move(upstream));
  }
  // The filter pointers refer into m_upstreams, which no longer moves.
  for (auto& upstream : m_upstreams) {
    upstream.source.filter = &upstream.config.tools;
  }
}

Router::~Router() {
  // The links go with the router; a stream handle one of them still holds must not call back.
  m_alive.reset();
}

void Router::set_link(std::size_t index, std::unique_ptr<UpstreamLink> link) { m_upstreams.at(index).link = std::move(link); }

void Router::write(std::string&& message) {
  if (!m_batches.empty() && collect_for_batch(message)) {
    return;
  }
  m_client.write_message(std::move(message));
}

void Router::on_client_message(std::string&& text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[' && batches_allowed()) {
    handle_batch(std::move(text));
    return;
  }
  handle_message(std::move(text));
}

void Router::handle_message(std::string&& text) {
  ensure_padding(text);
  auto envelope = scan_envelope(text);
  if (!envelope) {
    write(jsonrpc::error_response(jsonrpc::k_null_id, jsonrpc::k_parse_error, "Parse error: " + envelope.error().message));
    return;
  }
  switch (envelope->kind) {
  case MessageKind::invalid: {
    bool has_usable_id = envelope->id_kind == IdKind::number || envelope->id_kind == IdKind::string;
    std::string id = has_usable_id ? std::string(envelope->id.in(text)) : std::string(jsonrpc::k_null_id);
    write(jsonrpc::error_response(id, jsonrpc::k_invalid_request, "Invalid Request: " + envelope->invalid_reason));
    return;
  }
  case MessageKind::request:
    handle_request(std::move(text), *envelope);
    return;
  case MessageKind::notification:
    handle_notification(std::move(text), *envelope);
    return;
  case MessageKind::result:
  case MessageKind::error:
    handle_client_response(std::move(text), *envelope);
    return;
  }
}

void Router::handle_request(std::string&& text, const Envelope& envelope) {
  std::string id(envelope.id.in(text));
  const std::string& method = envelope.method;
  if (method == "initialize") {
    answer_initialize(id, text, envelope);
    return;
  }
  if (method == "ping") {
    write(jsonrpc::result_response(id, json::object()));
    return;
  }
  if (!m_started) {
    // A client that skips initialize still gets the upstreams it asks about.
    start_upstreams(json::object());
  }
  if (method == "tools/list" || method == "prompts/list" || method == "resources/list" ||
      method == "resources/templates/list") {
    list_or_defer(id, method, std::move(text), envelope);
  } else if (method == "tools/call") {
    route_named(std::move(text), envelope, true);
  } else if (method == "prompts/get") {
    route_named(std::move(text), envelope, false);
  } else if (method == "resources/read" || method == "resources/subscribe" || method == "resources/unsubscribe") {
    route_by_uri(std::move(text), envelope);
  } else if (method == "completion/complete") {
    route_completion(std::move(text), envelope);
  } else if (method == "logging/setLevel") {
    broadcast_set_level(id, std::move(text), envelope);
  } else {
    // server/discover (revision 2026-07-28) lands here too: an answer at once, never silence.
    write(jsonrpc::error_response(id, jsonrpc::k_method_not_found, "Method not found: " + method));
  }
}

void Router::answer_initialize(const std::string& id, const std::string& text, const Envelope& envelope) {
  auto params = parse_params(text, envelope);
  if (!params || !params->is_object()) {
    write(jsonrpc::error_response(id, jsonrpc::k_invalid_params, "Invalid params: initialize needs an object"));
    return;
  }
  std::string requested = params->value("protocolVersion", std::string());
  json capabilities = params->value("capabilities", json::object());
  if (!capabilities.is_object()) {
    capabilities = json::object();
  }
  m_client_capabilities = capabilities;
  m_client_protocol_version = negotiate_protocol_version(requested);
  m_client_initialized = true;

  json result = {
      {"protocolVersion", negotiate_protocol_version(requested)},
      {"capabilities", bridge_capabilities()},
      {"serverInfo", {{"name", k_name}, {"title", "MCP Bridge"}, {"version", k_version}}},
  };
  write(jsonrpc::result_response(id, result));
  if (!m_started) {
    start_upstreams(capabilities);
  }
}

void Router::list_or_defer(const std::string& id, const std::string& method, std::string&& text, const Envelope& envelope) {
  std::string cursor;
  if (envelope.params) {
    auto fields = scan_object_fields(text, *envelope.params);
    if (!fields) {
      write(jsonrpc::error_response(id, jsonrpc::k_invalid_params, "Invalid params: " + fields.error().message));
      return;
    }
    if (const Field* field = find_field(*fields, "cursor"); field != nullptr && field->type == JsonType::string) {
      cursor = field->string_value;
    }
  }
  if (!decode_cursor(cursor)) {
    write(jsonrpc::error_response(id, jsonrpc::k_invalid_params, "Invalid params: unknown cursor"));
    return;
  }
  if (!all_answerable() && m_scheduler.now() < m_list_deadline && cursor.empty()) {
    m_deferred.push_back(DeferredList{id, method, cursor});
    arm_list_timer();
    return;
  }
  answer_list(id, method, cursor);
}

bool Router::defer_until_settled(std::string& text) {
  if (m_scheduler.now() >= m_list_deadline) {
    return false;
  }
  m_deferred_messages.push_back(std::move(text));
  arm_list_timer();
  return true;
}

bool Router::drop_deferred_call(const std::string& client_id) {
  // A call held for the first catalog and cancelled meanwhile is never sent (and, cancelled, gets
  // no answer).
  for (auto it = m_deferred_messages.begin(); it != m_deferred_messages.end(); ++it) {
    ensure_padding(*it);
    auto envelope = scan_envelope(*it);
    if (envelope && envelope->kind == MessageKind::request && envelope->id.in(*it) == client_id) {
      m_deferred_messages.erase(it);
      return true;
    }
  }
  return false;
}

void Router::arm_list_timer() {
  if (m_list_timer != 0) {
    return;
  }
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(m_list_deadline - m_scheduler.now());
  m_list_timer = m_scheduler.schedule(delay, [this] {
    m_list_timer = 0;
    flush_deferred_lists(true);
  });
}

void Router::flush_deferred_lists(bool force) {
  if (m_deferred.empty() && m_deferred_messages.empty()) {
    return;
  }
  if (force || all_answerable()) {
    if (m_list_timer != 0) {
      m_scheduler.cancel(m_list_timer);
      m_list_timer = 0;
    }
    auto deferred = std::move(m_deferred);
    m_deferred.clear();
    for (const auto& list : deferred) {
      answer_list(list.client_id, list.method, list.cursor);
    }
  }
  // Held calls go through routing again, in arrival order; those whose upstream is still
  // listing are held again (until the wait bound).
  auto messages = std::move(m_deferred_messages);
  m_deferred_messages.clear();
  for (auto& message : messages) {
    on_client_message(std::move(message));
  }
}

void Router::answer_list(const std::string& id, const std::string& method, const std::string& cursor) {
  const std::vector<json>* items = &m_catalog.tools();
  const char* key = "tools";
  if (method == "prompts/list") {
    items = &m_catalog.prompts();
    key = "prompts";
    m_served_prompts = true;
  } else if (method == "resources/list") {
    items = &m_catalog.resources();
    key = "resources";
    m_served_resources = true;
  } else if (method == "resources/templates/list") {
    items = &m_catalog.resource_templates();
    key = "resourceTemplates";
    m_served_resources = true;
  } else {
    m_served_tools = true;
  }
  std::size_t offset = std::min(decode_cursor(cursor).value_or(0), items->size());
  std::size_t count = m_options.page_size == 0 ? items->size() - offset : std::min(m_options.page_size, items->size() - offset);
  json page = json::array();
  for (std::size_t i = offset; i < offset + count; ++i) {
    page.push_back((*items)[i]);
  }
  json result = {{key, std::move(page)}};
  if (offset + count < items->size()) {
    result["nextCursor"] = std::string(k_cursor_prefix) + std::to_string(offset + count);
  }
  write(jsonrpc::result_response(id, result));
}

std::optional<std::size_t> Router::upstream_by_prefix(const std::string& exposed) const {
  std::optional<std::size_t> best;
  std::size_t best_length = 0;
  for (std::size_t i = 0; i < m_upstreams.size(); ++i) {
    const auto& prefix = m_upstreams[i].config.prefix;
    if (exposed.rfind(prefix, 0) == 0 && (prefix.size() > best_length || !best)) {
      best = i;
      best_length = prefix.size();
    }
  }
  return best;
}

void Router::route_named(std::string&& text, const Envelope& envelope, bool is_tool, bool confirmed) {
  std::string id(envelope.id.in(text));
  const char* what = is_tool ? "tool" : "prompt";
  if (!envelope.params) {
    write(jsonrpc::error_response(id, jsonrpc::k_invalid_params, std::string("Invalid params: missing params.name")));
    return;
  }
  auto fields = scan_object_fields(text, *envelope.params);
  const Field* name = fields ? find_field(*fields, "name") : nullptr;
  if (name == nullptr || name->type != JsonType::string) {
    write(jsonrpc::error_response(id, jsonrpc::k_invalid_params, "Invalid params: params.name must be a string"));
    return;
  }
  // Both tools/call and prompts/get take their arguments as an object. Anything else is the
  // caller's mistake: say so here (-32602) rather than let the upstream fail on it as an internal
  // error, which reads as the server's fault.
  if (const Field* arguments = find_field(*fields, "arguments");
      arguments != nullptr && arguments->type != JsonType::object) {
    write(jsonrpc::error_response(id, jsonrpc::k_invalid_params, "Invalid params: params.arguments must be an object"));
    return;
  }
  auto route = is_tool ? m_catalog.find_tool(name->string_value) : m_catalog.find_prompt(name->string_value);
  if (!route) {
    // Not listed yet? A call that races the first listing waits for it, like tools/list does.
    auto owner = upstream_by_prefix(name->string_value);
    bool may_appear = owner ? !settled(*owner) : !all_settled();
    if (may_appear && defer_until_settled(text)) {
      return;
    }
    // A name under the prefix of an upstream that is down or still connecting: say so in words.
    if (auto upstream = owner;
        upstream && m_upstreams[*upstream].phase != Phase::ready) {
      Pending pending;
      pending.client_id = id;
      pending.method = envelope.method;
      pending.label = name->string_value;
      pending.upstream = *upstream;
      if (m_upstreams[*upstream].phase == Phase::failed) {
        connect(*upstream); // try again in the background if the last attempt is old enough
        fail_request(pending, failure_text(m_upstreams[*upstream]), jsonrpc::k_upstream_unavailable);
      } else {
        fail_request(pending, m_upstreams[*upstream].config.name + ": still connecting; try again in a moment",
                     jsonrpc::k_upstream_unavailable);
      }
      return;
    }
    if (auto upstream = owner; is_tool && upstream && !m_upstreams[*upstream].tools_list_failure.empty()) {
      // Its tool list could not be read: the reason, not "unknown tool".
      Pending pending;
      pending.client_id = id;
      pending.method = envelope.method;
      pending.label = name->string_value;
      pending.upstream = *upstream;
      fail_request(pending,
                   m_upstreams[*upstream].config.name + ": its tool list could not be read: " +
                       m_upstreams[*upstream].tools_list_failure,
                   jsonrpc::k_upstream_unavailable);
      return;
    }
    if (auto gone = m_vanished.find(name->string_value); is_tool && gone != m_vanished.end()) {
      // Listed before (perhaps from the cached catalog), gone from the live list now.
      Pending pending;
      pending.client_id = id;
      pending.method = envelope.method;
      pending.label = name->string_value;
      for (std::size_t i = 0; i < m_upstreams.size(); ++i) {
        if (m_upstreams[i].config.name == gone->second) {
          pending.upstream = i; // the audit names the server it was listed for
        }
      }
      fail_request(pending, vanished_text(name->string_value, gone->second), jsonrpc::k_invalid_params);
      return;
    }
    write(jsonrpc::error_response(id, jsonrpc::k_invalid_params,
                                  std::string("Unknown ") + what + ": " + name->string_value));
    return;
  }
  if (is_tool && !confirmed && hold_for_confirmation(text, envelope, *route, name->string_value)) {
    return; // the user is asked first (or the call is refused, with the way to allow it)
  }
  std::vector<Replacement> replacements;
  if (route->original != name->string_value) {
    replacements.push_back(Replacement{name->value, json_quote(route->original)});
  }
  forward(route->upstream, std::move(text), envelope, std::move(replacements), name->string_value);
}

void Router::route_by_uri(std::string&& text, const Envelope& envelope) {
  std::string id(envelope.id.in(text));
  auto fields = envelope.params ? scan_object_fields(text, *envelope.params) : Result<std::vector<Field>>(std::vector<Field>{});
  const Field* uri = fields ? find_field(*fields, "uri") : nullptr;
  if (uri == nullptr || uri->type != JsonType::string) {
    write(jsonrpc::error_response(id, jsonrpc::k_invalid_params, "Invalid params: params.uri must be a string"));
    return;
  }
  forward_resource(std::move(text), envelope, *uri);
}

void Router::forward_resource(std::string&& text, const Envelope& envelope, const Field& uri) {
  auto route = m_catalog.route_resource(uri.string_value);
  if (!route && !all_settled() && defer_until_settled(text)) {
    return;
  }
  if (!route) {
    write(jsonrpc::error_response(envelope.id.in(text), jsonrpc::k_invalid_params, "Unknown resource: " + uri.string_value));
    return;
  }
  std::vector<Replacement> replacements;
  if (route->original != uri.string_value) {
    replacements.push_back(Replacement{uri.value, json_quote(route->original)}); // a namespaced URI
  }
  forward(route->upstream, std::move(text), envelope, std::move(replacements), uri.string_value);
}

void Router::route_completion(std::string&& text, const Envelope& envelope) {
  std::string id(envelope.id.in(text));
  auto fields = envelope.params ? scan_object_fields(text, *envelope.params) : Result<std::vector<Field>>(std::vector<Field>{});
  const Field* ref = fields ? find_field(*fields, "ref") : nullptr;
  if (ref == nullptr || ref->type != JsonType::object) {
    write(jsonrpc::error_response(id, jsonrpc::k_invalid_params, "Invalid params: params.ref must be an object"));
    return;
  }
  auto ref_fields = scan_object_fields(text, ref->value);
  const Field* name = ref_fields ? find_field(*ref_fields, "name") : nullptr;
  const Field* uri = ref_fields ? find_field(*ref_fields, "uri") : nullptr;
  if (name != nullptr && name->type == JsonType::string) {
    auto route = m_catalog.find_prompt(name->string_value);
    if (!route) {
      write(jsonrpc::error_response(id, jsonrpc::k_invalid_params, "Unknown prompt: " + name->string_value));
      return;
    }
    forward(route->upstream, std::move(text), envelope, {Replacement{name->value, json_quote(route->original)}},
            name->string_value);
    return;
  }
  if (uri != nullptr && uri->type == JsonType::string) {
    forward_resource(std::move(text), envelope, *uri);
    return;
  }
  write(jsonrpc::error_response(id, jsonrpc::k_invalid_params, "Invalid params: params.ref needs a name or a uri"));
}

void Router::broadcast_set_level(const std::string& id, std::string&& text, const Envelope& envelope) {
  auto params = parse_params(text, envelope);
  if (!params || !params->is_object() || !params->contains("level")) {
    write(jsonrpc::error_response(id, jsonrpc::k_invalid_params, "Invalid params: params.level is required"));
    return;
  }
  for (std::size_t i = 0; i < m_upstreams.size(); ++i) {
    if (m_upstreams[i].phase == Phase::ready && m_upstreams[i].capabilities.contains("logging")) {
      send_internal(i, "logging/setLevel", *params, [](const json&) {}, [](const Error&) {});
    }
  }
  write(jsonrpc::result_response(id, json::object()));
}

void Router::forward(std::size_t upstream, std::string&& text, const Envelope& envelope,
                     std::vector<Replacement> replacements, std::string label) {
  std::uint64_t bridge_id = m_next_id++;
  Pending pending;
  pending.client_id = std::string(envelope.id.in(text));
  pending.method = envelope.method;
  pending.label = std::move(label);
  pending.upstream = upstream;
  pending.started = m_scheduler.now();
  pending.progress_token = progress_token_of(text, envelope);
  replacements.push_back(Replacement{envelope.id, std::to_string(bridge_id)});
  splice(text, std::move(replacements));
  pending.text = std::move(text);
  m_pending.emplace(bridge_id, std::move(pending));
  arm_request_timer(bridge_id);
  send_or_queue(bridge_id);
}

void Router::fail_request(const Pending& pending, const std::string& reason, int code) {
  if (pending.internal) {
    if (pending.on_failure) {
      pending.on_failure(make_error(ErrorKind::unavailable, reason));
    }
    return;
  }
  if (pending.method == "tools/call") {
    // A tool that vanished from its list is the caller's error (the list is stale), not a server
    // that is down: `bridge call` turns outcomes into exit codes.
    audit_call(pending.upstream, pending.label, pending.started,
               code == jsonrpc::k_request_timeout ? "timeout"
               : code == jsonrpc::k_invalid_params ? "unknown_tool"
                                                   : "unavailable");
    // The model reads tool errors; a result with isError lets it tell the user what to do.
    write(jsonrpc::tool_error_result(pending.client_id, reason));
  } else {
    write(jsonrpc::error_response(pending.client_id, code, reason));
  }
}

std::string Router::failure_text(const Upstream& upstream) const {
  std::string reason = upstream.failure ? upstream.failure->message : "not connected";
  std::string remedy;
  const auto& name = upstream.config.name;
  if (upstream.failure && upstream.failure->kind == ErrorKind::auth) {
    remedy = credentials_remedy(upstream.config, *upstream.failure);
  } else {
    remedy = "check that the server is running and the URL is right; `bridge status` shows details";
  }
  return name + ": unavailable — " + reason + " — " + remedy;
}

void Router::handle_notification(std::string&& text, const Envelope& envelope) {
  const std::string& method = envelope.method;
  if (method == "notifications/initialized") {
    return;
  }
  if (method == "notifications/cancelled") {
    auto fields = envelope.params ? scan_object_fields(text, *envelope.params) : Result<std::vector<Field>>(std::vector<Field>{});
    const Field* request_id = fields ? find_field(*fields, "requestId") : nullptr;
    if (request_id == nullptr) {
      return;
    }
    std::string raw(request_id->value.in(text));
    // A batch stops waiting for an answer only when the request is really dropped here; one
    // that goes on (a list held for the first catalog) is still answered inside its batch.
    if (cancel_confirmation(raw) || drop_deferred_call(raw)) {
      forget_batch_answer(raw);
      return;
    }
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
      if (!it->second.internal && it->second.client_id == raw) {
        forget_batch_answer(raw);
        std::uint64_t bridge_id = it->first;
        Pending cancelled = std::move(it->second);
        m_pending.erase(it);
        m_scheduler.cancel(cancelled.timer);
        if (cancelled.method == "tools/call") {
          audit_call(cancelled.upstream, cancelled.label, cancelled.started, "cancelled");
        }
        auto& upstream = m_upstreams[cancelled.upstream];
        if (cancelled.text.empty() && upstream.link) {
          splice(text, {Replacement{request_id->value, std::to_string(bridge_id)}});
          upstream.link->send_message(std::move(text));
        }
        return;
      }
    }
    return;
  }
  if (method == "notifications/roots/list_changed") {
    for (auto& upstream : m_upstreams) {
      if (upstream.phase == Phase::ready && upstream.link) {
        upstream.link->send_message(std::string(text));
      }
    }
    return;
  }
  spdlog::debug("client notification {} ignored", method);
}

void Router::handle_client_response(std::string&& text, const Envelope& envelope) {
  // The answer to a request an upstream sent through us (sampling, elicitation, roots, ping).
  std::uint64_t relay_id = 0;
  std::string_view raw = envelope.id.in(text);
  auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), relay_id);
  bool numeric = ec == std::errc() && ptr == raw.data() + raw.size();
  if (numeric && handle_confirmation_answer(relay_id, std::move(text), envelope)) {
    return;
  }
  auto it = numeric ? m_relayed.find(relay_id) : m_relayed.end();
  if (it == m_relayed.end()) {
    spdlog::debug("client response with unknown id {} dropped", raw);
    return;
  }
  RelayedRequest relayed = std::move(it->second);
  m_relayed.erase(it);
  splice(text, {Replacement{envelope.id, relayed.upstream_id}});
  if (auto& upstream = m_upstreams[relayed.upstream]; upstream.link) {
    upstream.link->send_message(std::move(text));
  }
}

void Router::on_client_closed(std::function<void()> done) {
  m_closing = true;
  auto remaining = std::make_shared<std::size_t>(0);
  auto finished = std::make_shared<bool>(false);
  auto done_shared = std::make_shared<std::function<void()>>(std::move(done));
  auto finish = [finished, done_shared] {
    if (!*finished) {
      *finished = true;
      (*done_shared)();
    }
  };
  for (auto& upstream : m_upstreams) {
    if (upstream.link && upstream.phase != Phase::idle) {
      ++*remaining;
    }
  }
  if (*remaining == 0) {
    finish();
    return;
  }
  for (auto& upstream : m_upstreams) {
    if (upstream.link && upstream.phase != Phase::idle) {
      upstream.link->shutdown([remaining, finish] {
        if (--*remaining == 0) {
          finish();
        }
      });
    }
  }
}

} // namespace bridge::core
