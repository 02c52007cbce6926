// The timeout of each forwarded request: timeout_s, restarted by every progress report the
// upstream sends for it (as the SDKs' resetTimeoutOnProgress), never past max_timeout_s in all.

#include "core/jsonrpc.hpp"
#include "core/router.hpp"

#include <algorithm>
#include <chrono>
#include <string>

namespace bridge::core {

// params._meta.progressToken as the client wrote it ("" when the call asked for no progress).
// Most calls do not: a plain search rules them out before any scan.
std::string Router::progress_token_of(const std::string& text, const Envelope& envelope) {
  if (!envelope.params || text.find("progressToken") == std::string::npos) {
    return {};
  }
  auto params = scan_object_fields(text, *envelope.params);
  const Field* meta = params ? find_field(*params, "_meta") : nullptr;
  if (meta == nullptr || meta->type != JsonType::object) {
    return {};
  }
  auto meta_fields = scan_object_fields(text, meta->value);
  const Field* token = meta_fields ? find_field(*meta_fields, "progressToken") : nullptr;
  return token != nullptr ? std::string(token->value.in(text)) : std::string();
}

void Router::arm_request_timer(std::uint64_t bridge_id) {
  auto it = m_pending.find(bridge_id);
  if (it == m_pending.end()) {
    return;
  }
  Pending& pending = it->second;
  const auto& config = m_upstreams[pending.upstream].config;
  auto now = m_scheduler.now();
  auto last_possible = pending.started + std::chrono::seconds(config.max_timeout_s);
  auto due = std::min(now + std::chrono::seconds(config.timeout_s), last_possible);
  if (pending.timer != 0) {
    m_scheduler.cancel(pending.timer);
  }
  pending.deadline = due;
  pending.timer = m_scheduler.schedule(
      std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(due - now)),
      [this, bridge_id] { request_timed_out(bridge_id); });
}

void Router::request_timed_out(std::uint64_t bridge_id) {
  auto it = m_pending.find(bridge_id);
  if (it == m_pending.end()) {
    return;
  }
  Pending expired = std::move(it->second);
  m_pending.erase(it);
  auto& target = m_upstreams[expired.upstream];
  if (expired.text.empty() && target.link) {
    // It was sent: tell the upstream to stop working on it.
    target.link->send_message(jsonrpc::notification(
        "notifications/cancelled", {{"requestId", bridge_id}, {"reason", "timed out in mcp-bridge"}}));
  }
  const auto& config = target.config;
  bool at_most = config.max_timeout_s > config.timeout_s &&
                 m_scheduler.now() - expired.started >= std::chrono::seconds(config.max_timeout_s);
  fail_request(expired,
               at_most ? config.name + ": still not done after " + std::to_string(config.max_timeout_s) +
                             " s in all (raise \"max_timeout_s\" for this server if it reports progress and is just slow)"
                       : config.name + ": no answer within " + std::to_string(config.timeout_s) +
                             " s (raise \"timeout_s\" for this server if it is just slow)",
               jsonrpc::k_request_timeout);
}

void Router::extend_on_progress(std::size_t upstream, const InboundMessage& message) {
  if (!message.envelope.params) {
    return;
  }
  auto fields = scan_object_fields(message.text, *message.envelope.params);
  const Field* token = fields ? find_field(*fields, "progressToken") : nullptr;
  if (token == nullptr) {
    return;
  }
  std::string_view raw = token->value.in(message.text);
  for (auto& [bridge_id, pending] : m_pending) {
    if (pending.upstream == upstream && !pending.progress_token.empty() && pending.progress_token == raw) {
      arm_request_timer(bridge_id);
      return;
    }
  }
}

} // namespace bridge::core
