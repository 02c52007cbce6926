// The router's upstream side: connecting, listing, and what upstreams send back.

#include "core/client_capabilities.hpp"
#include "core/jsonrpc.hpp"
#include "core/router.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

namespace bridge::core {
namespace {

using nlohmann::json;

constexpr int k_max_list_pages = 1000; // a server whose cursor never ends must not loop forever

std::optional<std::uint64_t> numeric_id(const InboundMessage& message) {
  if (message.envelope.id_kind != IdKind::number) {
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

std::string error_message_of(const InboundMessage& message) {
  if (!message.envelope.error) {
    return "error";
  }
  json error = json::parse(message.envelope.error->in(message.text), nullptr, false);
  if (error.is_object() && error.contains("message") && error["message"].is_string()) {
    return error["message"].get<std::string>();
  }
  return "error";
}

} // namespace

void Router::start_upstreams(const json& client_capabilities) {
  if (m_started) {
    return;
  }
  m_started = true;
  m_client_capabilities = client_capabilities;
  m_list_deadline = m_scheduler.now() + m_options.list_wait;
  for (std::size_t i = 0; i < m_upstreams.size(); ++i) {
    connect(i);
  }
}

bool Router::settled(std::size_t index) const {
  const auto& upstream = m_upstreams[index];
  return upstream.phase != Phase::connecting && upstream.lists_outstanding == 0;
}

bool Router::answerable(std::size_t index) const { return settled(index) || m_upstreams[index].cached; }

bool Router::all_answerable() const {
  for (std::size_t i = 0; i < m_upstreams.size(); ++i) {
    if (!answerable(i)) {
      return false;
    }
  }
  return true;
}

void Router::preload_catalog(const CatalogSnapshot& snapshot) {
  for (auto& upstream : m_upstreams) {
    const CachedUpstream* cached = snapshot.find(upstream.config.name);
    if (cached == nullptr) {
      continue;
    }
    upstream.cached = true;
    upstream.capabilities = cached->capabilities;
    upstream.source.tools = cached->tools;
    upstream.source.prompts = cached->prompts;
    upstream.source.resources = cached->resources;
    upstream.source.resource_templates = cached->resource_templates;
  }
  m_saved_catalog = snapshot;
  rebuild_catalog();
}

void Router::save_catalog_if_changed() {
  if (!m_options.save_catalog || !all_settled()) {
    return;
  }
  CatalogSnapshot snapshot;
  for (const auto& upstream : m_upstreams) {
    if (!upstream.listed && !upstream.cached) {
      continue; // never listed: nothing to remember (an upstream that is down keeps its old entry)
    }
    snapshot.upstreams.push_back(CachedUpstream{upstream.config.name, upstream.capabilities, upstream.source.tools,
                                                upstream.source.prompts, upstream.source.resources,
                                                upstream.source.resource_templates});
  }
  if (snapshot == m_saved_catalog) {
    return;
  }
  m_saved_catalog = snapshot;
  m_options.save_catalog(snapshot);
}

void Router::lists_refreshed(std::size_t index) {
  auto& upstream = m_upstreams[index];
  bool was_cached = upstream.cached;
  upstream.cached = false;
  upstream.listed = true;
  rebuild_catalog();
  save_catalog_if_changed();
  if (was_cached && upstream.phase == Phase::ready) {
    // Calls made from the cached list waited for the live one: a tool may have gone meanwhile.
    auto held = std::move(upstream.queued);
    upstream.queued.clear();
    for (auto id : held) {
      auto it = m_pending.find(id);
      if (it == m_pending.end()) {
        continue;
      }
      if (!it->second.internal && it->second.method == "tools/call") {
        auto route = m_catalog.find_tool(it->second.label);
        if (!route || route->upstream != index) {
          Pending gone = std::move(it->second);
          m_pending.erase(it);
          m_scheduler.cancel(gone.timer);
          fail_request(gone, vanished_text(gone.label, upstream.config.name), jsonrpc::k_invalid_params);
          continue;
        }
      }
      send_or_queue(id);
    }
  }
  flush_deferred_lists(false);
}

bool Router::all_settled() const {
  for (std::size_t i = 0; i < m_upstreams.size(); ++i) {
    if (!settled(i)) {
      return false;
    }
  }
  return true;
}

void Router::connect(std::size_t index) {
  auto& upstream = m_upstreams[index];
  if (!upstream.link || upstream.phase == Phase::connecting || upstream.phase == Phase::ready || m_closing) {
    return;
  }
  if (upstream.phase == Phase::failed && m_scheduler.now() - upstream.failed_at < m_options.reconnect_after) {
    return;
  }
  upstream.phase = Phase::connecting;
  upstream.connect_started = m_scheduler.now();
  upstream.link->connect(m_client_capabilities, m_client_protocol_version);
}

void Router::send_or_queue(std::uint64_t id) {
  auto it = m_pending.find(id);
  if (it == m_pending.end()) {
    return;
  }
  auto& upstream = m_upstreams[it->second.upstream];
  if (upstream.phase == Phase::failed || upstream.phase == Phase::idle) {
    connect(it->second.upstream);
  }
  switch (upstream.phase) {
  case Phase::ready:
    if (upstream.cached && !it->second.internal) {
      upstream.queued.push_back(id); // sent once the live list confirms the cached one
      return;
    }
    upstream.link->send_request(id, std::move(it->second.text));
    it->second.text.clear();
    return;
  case Phase::connecting:
    upstream.queued.push_back(id);
    return;
  case Phase::idle:
  case Phase::failed: {
    Pending failed = std::move(it->second);
    m_pending.erase(it);
    m_scheduler.cancel(failed.timer);
    fail_request(failed, failure_text(upstream), jsonrpc::k_upstream_unavailable);
    return;
  }
  }
}

void Router::send_internal(std::size_t upstream, const std::string& method, json params,
                           std::function<void(const json& result)> on_result, std::function<void(const Error&)> on_failure) {
  std::uint64_t id = m_next_id++;
  Pending pending;
  pending.internal = true;
  pending.method = method;
  pending.label = method;
  pending.upstream = upstream;
  pending.text = jsonrpc::request(id, method, params);
  pending.on_failure = on_failure;
  pending.on_response = [on_result = std::move(on_result), on_failure](InboundMessage&& message) {
    if (message.envelope.kind == MessageKind::error) {
      on_failure(make_error(ErrorKind::protocol, error_message_of(message)));
      return;
    }
    json result = message.envelope.result ? json::parse(message.envelope.result->in(message.text), nullptr, false) : json();
    if (!result.is_object()) {
      on_failure(make_error(ErrorKind::protocol, "the result is not a JSON object"));
      return;
    }
    on_result(result);
  };
  auto timeout = std::chrono::seconds(m_upstreams[upstream].config.timeout_s);
  pending.timer = m_scheduler.schedule(timeout, [this, id] {
    auto it = m_pending.find(id);
    if (it == m_pending.end()) {
      return;
    }
    Pending expired = std::move(it->second);
    m_pending.erase(it);
    fail_request(expired, m_upstreams[expired.upstream].config.name + ": " + expired.method + " timed out", 0);
  });
  m_pending.emplace(id, std::move(pending));
  send_or_queue(id);
}

void Router::refresh_lists(std::size_t index, bool tools, bool prompts, bool resources) {
  auto& upstream = m_upstreams[index];
  const auto& caps = upstream.capabilities;
  struct ListSpec {
    bool wanted;
    const char* capability;
    const char* method;
    const char* key;
  };
  const ListSpec specs[] = {
      {tools, "tools", "tools/list", "tools"},
      {prompts, "prompts", "prompts/list", "prompts"},
      {resources, "resources", "resources/list", "resources"},
      {resources, "resources", "resources/templates/list", "resourceTemplates"},
  };
  for (const auto& spec : specs) {
    if (spec.wanted && caps.contains(spec.capability)) {
      ++upstream.lists_outstanding;
      fetch_list(index, spec.method, spec.key, ++upstream.list_generation[spec.key], "", {}, 0);
    }
  }
  if (upstream.lists_outstanding == 0) {
    lists_refreshed(index);
  }
}

void Router::fetch_list(std::size_t index, const std::string& method, const std::string& key, std::uint64_t generation,
                        std::string cursor, std::vector<json> so_far, int pages) {
  json params = cursor.empty() ? json::object() : json{{"cursor", cursor}};
  auto collected = std::make_shared<std::vector<json>>(std::move(so_far));
  // A newer fetch of the same list started meanwhile (list_changed, a reconnect): its answer
  // describes a later state, whatever order the two arrive in.
  auto superseded = [this, index, key, generation] { return m_upstreams[index].list_generation[key] != generation; };
  send_internal(
      index, method, params,
      [this, index, method, key, generation, collected, pages, superseded](const json& result) {
        if (superseded()) {
          list_finished(index);
          return;
        }
        auto items = result.find(key);
        if (items != result.end() && items->is_array()) {
          for (const auto& item : *items) {
            collected->push_back(item);
          }
        }
        auto next = result.find("nextCursor");
        if (next != result.end() && next->is_string() && !next->get<std::string>().empty() && pages + 1 < k_max_list_pages) {
          fetch_list(index, method, key, generation, next->get<std::string>(), std::move(*collected), pages + 1);
          return;
        }
        auto& source = m_upstreams[index].source;
        if (key == "tools") {
          m_upstreams[index].tools_list_failure.clear();
          source.tools = exposed_tools(index, std::move(*collected)); // "read_only" hides the rest
        } else if (key == "prompts") {
          source.prompts = std::move(*collected);
        } else if (key == "resources") {
          source.resources = std::move(*collected);
        } else {
          source.resource_templates = std::move(*collected);
        }
        list_finished(index);
      },
      [this, index, method, superseded](const Error& error) {
        if (superseded()) {
          list_finished(index);
          return;
        }
        spdlog::warn("{}: {} failed: {}", m_upstreams[index].config.name, method, error.message);
        if (method == "tools/list") {
          m_upstreams[index].tools_list_failure = error.message;
        }
        list_finished(index);
      });
}

void Router::list_finished(std::size_t index) {
  auto& upstream = m_upstreams[index];
  if (upstream.lists_outstanding > 0 && --upstream.lists_outstanding == 0) {
    lists_refreshed(index);
  }
}

void Router::rebuild_catalog() {
  std::vector<CatalogSource> sources;
  sources.reserve(m_upstreams.size());
  for (const auto& upstream : m_upstreams) {
    sources.push_back(upstream.source);
  }
  std::map<std::string, std::size_t> old_owners; // exposed tool → upstream, to spot tools that go away
  for (const auto& tool : m_catalog.tools()) {
    std::string exposed = tool.value("name", "");
    if (auto route = m_catalog.find_tool(exposed)) {
      old_owners.emplace(std::move(exposed), route->upstream);
    }
  }
  auto old_tools = m_catalog.tools();
  auto old_prompts = m_catalog.prompts();
  auto old_resources = m_catalog.resources();
  auto old_templates = m_catalog.resource_templates();
  for (const auto& warning : m_catalog.rebuild(sources)) {
    spdlog::warn("{}", warning);
  }
  for (const auto& [exposed, owner] : old_owners) {
    if (!m_catalog.find_tool(exposed)) {
      m_vanished[exposed] = m_upstreams[owner].config.name;
    }
  }
  for (const auto& tool : m_catalog.tools()) {
    m_vanished.erase(tool.value("name", ""));
  }
  if (!m_client_initialized) {
    return;
  }
  if (m_served_tools && old_tools != m_catalog.tools()) {
    write(jsonrpc::notification("notifications/tools/list_changed"));
  }
  if (m_served_prompts && old_prompts != m_catalog.prompts()) {
    write(jsonrpc::notification("notifications/prompts/list_changed"));
  }
  if (m_served_resources && (old_resources != m_catalog.resources() || old_templates != m_catalog.resource_templates())) {
    write(jsonrpc::notification("notifications/resources/list_changed"));
  }
}

void Router::mark_failed(std::size_t index, const Error& error) {
  auto& upstream = m_upstreams[index];
  upstream.phase = Phase::failed;
  upstream.failure = error;
  upstream.failed_at = m_scheduler.now();
  upstream.lists_outstanding = 0;
  if (upstream.last_logged_failure != error.message) {
    // Said once per distinct failure, not once per call.
    upstream.last_logged_failure = error.message;
    spdlog::warn("{}", failure_text(upstream));
  }
  auto queued = std::move(upstream.queued);
  upstream.queued.clear();
  for (auto id : queued) {
    auto it = m_pending.find(id);
    if (it == m_pending.end()) {
      continue;
    }
    Pending failed = std::move(it->second);
    m_pending.erase(it);
    m_scheduler.cancel(failed.timer);
    fail_request(failed, failure_text(upstream), jsonrpc::k_upstream_unavailable);
  }
  flush_deferred_lists(false);
}

void Router::on_upstream_ready(std::size_t index, const json& initialize_result) {
  auto& upstream = m_upstreams[index];
  upstream.phase = Phase::ready;
  upstream.failure.reset();
  upstream.last_logged_failure.clear();
  auto caps = initialize_result.find("capabilities");
  upstream.capabilities = caps != initialize_result.end() && caps->is_object() ? *caps : json::object();
  auto info = initialize_result.value("serverInfo", json::object());
  upstream.connect_time = std::chrono::duration_cast<std::chrono::milliseconds>(m_scheduler.now() - upstream.connect_started);
  upstream.server_info = info.is_object() ? info : json::object();
  upstream.protocol_version = initialize_result.value("protocolVersion", "");
  spdlog::info("{}: connected ({} {}, protocol {})", upstream.config.name, info.value("name", "?"),
               info.value("version", "?"), initialize_result.value("protocolVersion", "?"));
  auto queued = std::move(upstream.queued);
  upstream.queued.clear();
  for (auto id : queued) {
    send_or_queue(id);
  }
  refresh_lists(index, true, true, true);
}

void Router::on_upstream_failed(std::size_t index, const Error& error) { mark_failed(index, error); }

void Router::on_upstream_message(std::size_t index, InboundMessage&& message) {
  switch (message.envelope.kind) {
  case MessageKind::result:
  case MessageKind::error:
    handle_upstream_response(index, std::move(message));
    return;
  case MessageKind::request:
    handle_upstream_request(index, std::move(message));
    return;
  case MessageKind::notification:
    handle_upstream_notification(index, std::move(message));
    return;
  case MessageKind::invalid:
    spdlog::warn("{}: dropped an invalid message: {}", m_upstreams[index].config.name, message.envelope.invalid_reason);
    return;
  }
}

void Router::handle_upstream_response(std::size_t index, InboundMessage&& message) {
  auto id = numeric_id(message);
  auto it = id ? m_pending.find(*id) : m_pending.end();
  if (it == m_pending.end() || it->second.upstream != index) {
    spdlog::debug("{}: response to an unknown or finished request dropped", m_upstreams[index].config.name);
    return;
  }
  Pending pending = std::move(it->second);
  m_pending.erase(it);
  m_scheduler.cancel(pending.timer);
  if (pending.internal) {
    pending.on_response(std::move(message));
    return;
  }
  if (pending.method == "tools/call") {
    audit_response(pending, message);
  }
  if (m_catalog.namespaced(index) && pending.method == "resources/read" && message.envelope.result) {
    // This upstream's URIs are shown namespaced: say them the same way in what it read.
    json result = json::parse(message.envelope.result->in(message.text), nullptr, false);
    if (result.is_object() && result.contains("contents") && result["contents"].is_array()) {
      for (auto& content : result["contents"]) {
        if (content.is_object() && content.contains("uri") && content["uri"].is_string()) {
          content["uri"] = m_catalog.expose_uri(index, content["uri"].get<std::string>());
        }
      }
      write(jsonrpc::result_response(pending.client_id, result));
      return;
    }
  }
  splice(message.text, {Replacement{message.envelope.id, pending.client_id}});
  write(std::move(message.text));
}

void Router::handle_upstream_request(std::size_t index, InboundMessage&& message) {
  auto& upstream = m_upstreams[index];
  std::string raw_id(message.envelope.id.in(message.text));
  if (message.envelope.method == "ping") {
    upstream.link->send_message(jsonrpc::result_response(raw_id, json::object()));
    return;
  }
  if (!m_client_initialized) {
    upstream.link->send_message(jsonrpc::error_response(raw_id, jsonrpc::k_method_not_found,
                                                        "the AI client is not connected yet"));
    return;
  }
  // Only elicitation's mode matters here; a sampling request may be large (images), left unparsed.
  json params = message.envelope.method == "elicitation/create" && message.envelope.params
                    ? json::parse(message.envelope.params->in(message.text), nullptr, false)
                    : json::object();
  if (auto why = unanswerable_by_client(m_client_capabilities, message.envelope.method, params); !why.empty()) {
    spdlog::warn("{}: its {} request was refused without asking the AI client: {}", upstream.config.name,
                 message.envelope.method, why);
    upstream.link->send_message(jsonrpc::error_response(raw_id, jsonrpc::k_method_not_found, why));
    return;
  }
  std::uint64_t relay_id = m_next_relay_id++;
  m_relayed.emplace(relay_id, RelayedRequest{index, raw_id});
  splice(message.text, {Replacement{message.envelope.id, std::to_string(relay_id)}});
  write(std::move(message.text));
}

void Router::handle_upstream_notification(std::size_t index, InboundMessage&& message) {
  const std::string& method = message.envelope.method;
  if (method == "notifications/tools/list_changed") {
    refresh_lists(index, true, false, false);
    return;
  }
  if (method == "notifications/prompts/list_changed") {
    refresh_lists(index, false, true, false);
    return;
  }
  if (method == "notifications/resources/list_changed") {
    refresh_lists(index, false, false, true);
    return;
  }
  if (method == "notifications/progress") {
    extend_on_progress(index, message); // and it goes on to the client below
  }
  if (!m_client_initialized) {
    return;
  }
  if (method == "notifications/resources/updated" && m_catalog.namespaced(index) && message.envelope.params) {
    json params = json::parse(message.envelope.params->in(message.text), nullptr, false);
    if (params.is_object() && params.contains("uri") && params["uri"].is_string()) {
      params["uri"] = m_catalog.expose_uri(index, params["uri"].get<std::string>());
      write(jsonrpc::notification(method, params));
    }
    return;
  }
  if (method == "notifications/cancelled" && message.envelope.params) {
    // The upstream withdrew one of its own requests: name it by the id the client knows.
    auto fields = scan_object_fields(message.text, *message.envelope.params);
    if (!fields) {
      return;
    }
    for (const auto& field : *fields) {
      if (field.key != "requestId") {
        continue;
      }
      std::string raw(field.value.in(message.text));
      for (auto it = m_relayed.begin(); it != m_relayed.end(); ++it) {
        if (it->second.upstream == index && it->second.upstream_id == raw) {
          splice(message.text, {Replacement{field.value, std::to_string(it->first)}});
          m_relayed.erase(it);
          write(std::move(message.text));
          return;
        }
      }
    }
    return;
  }
  write(std::move(message.text));
}

void Router::on_upstream_request_failed(std::size_t index, std::uint64_t id, const Error& error) {
  auto it = m_pending.find(id);
  if (it == m_pending.end() || it->second.upstream != index) {
    return;
  }
  Pending pending = std::move(it->second);
  m_pending.erase(it);
  m_scheduler.cancel(pending.timer);
  if (error.kind == ErrorKind::auth) {
    mark_failed(index, error);
    fail_request(pending, failure_text(m_upstreams[index]), jsonrpc::k_upstream_unavailable);
    return;
  }
  if (pending.internal) {
    pending.on_failure(error);
    return;
  }
  fail_request(pending, m_upstreams[index].config.name + ": " + error.message, jsonrpc::k_upstream_unavailable);
}

} // namespace bridge::core
