// JSON-RPC batches from the AI client. Protocol revision 2025-03-26 allows a client to send an
// array of requests and notifications (2024-11-05 never did, 2025-06-18 took it back): such a
// client is answered with one array holding every response, once the last one is in. Each element
// goes through the router like a message of its own, so a batched call is routed, timed out,
// confirmed and audited as any other; write() hands the responses that belong to a batch here.

#include "core/jsonrpc.hpp"
#include "core/router.hpp"

#include <algorithm>

namespace bridge::core {

bool Router::batches_allowed() const { return m_client_protocol_version == "2025-03-26"; }

void Router::handle_batch(std::string&& text) {
  auto elements = scan_batch(text);
  if (!elements) {
    write(jsonrpc::error_response(jsonrpc::k_null_id, jsonrpc::k_parse_error, "Parse error: " + elements.error().message));
    return;
  }
  if (elements->empty()) {
    // JSON-RPC 2.0: an empty array is one Invalid Request, not an empty array.
    write(jsonrpc::error_response(jsonrpc::k_null_id, jsonrpc::k_invalid_request, "Invalid Request: empty batch"));
    return;
  }
  // Which responses the batch waits for: the id each element's answer will carry. Known before
  // any element runs, since some are answered at once, while the next one is still unread.
  std::vector<std::string> messages;
  Batch batch;
  for (const auto& span : *elements) {
    std::string message(span.in(text));
    ensure_padding(message);
    auto envelope = scan_envelope(message);
    if (!envelope) {
      batch.awaited.emplace_back(jsonrpc::k_null_id); // a parse error, answered with a null id
    } else if (envelope->kind == MessageKind::request) {
      batch.awaited.emplace_back(envelope->id.in(message));
    } else if (envelope->kind == MessageKind::invalid) {
      bool usable = envelope->id_kind == IdKind::number || envelope->id_kind == IdKind::string;
      batch.awaited.emplace_back(usable ? envelope->id.in(message) : jsonrpc::k_null_id);
    }
    messages.push_back(std::move(message));
  }
  bool answers_expected = !batch.awaited.empty();
  if (answers_expected) {
    m_batches.push_back(std::move(batch));
  }
  for (auto& message : messages) {
    handle_message(std::move(message));
  }
  // An answer with a null id comes at once or never: none may wait for a later, unrelated one.
  for (auto& open : m_batches) {
    std::erase(open.awaited, std::string(jsonrpc::k_null_id));
  }
  flush_batches();
}

void Router::forget_batch_answer(std::string_view client_id) {
  // A cancelled request is never answered: its batch goes out without it.
  for (auto& batch : m_batches) {
    if (auto it = std::find(batch.awaited.begin(), batch.awaited.end(), client_id); it != batch.awaited.end()) {
      batch.awaited.erase(it);
      flush_batches();
      return;
    }
  }
}

bool Router::batch_awaits(std::string_view client_id) const {
  return std::any_of(m_batches.begin(), m_batches.end(), [&](const Batch& batch) {
    return std::find(batch.awaited.begin(), batch.awaited.end(), client_id) != batch.awaited.end();
  });
}

bool Router::collect_for_batch(std::string& message) {
  ensure_padding(message);
  auto envelope = scan_envelope(message);
  if (!envelope) {
    return false;
  }
  if (envelope->kind != MessageKind::result && envelope->kind != MessageKind::error) {
    return false;
  }
  std::string_view id = envelope->id.in(message);
  for (auto& batch : m_batches) {
    if (auto it = std::find(batch.awaited.begin(), batch.awaited.end(), id); it != batch.awaited.end()) {
      batch.awaited.erase(it);
      batch.answers.push_back(std::move(message));
      flush_batches();
      return true;
    }
  }
  return false;
}

void Router::flush_batches() {
  for (auto it = m_batches.begin(); it != m_batches.end();) {
    if (!it->awaited.empty()) {
      ++it;
      continue;
    }
    std::string out = "[";
    for (std::size_t i = 0; i < it->answers.size(); ++i) {
      if (i > 0) {
        out += ',';
      }
      std::string_view answer = it->answers[i];
      while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r' || answer.back() == ' ' ||
                                 answer.back() == '\t')) {
        answer.remove_suffix(1);
      }
      out += answer;
    }
    out += ']';
    it = m_batches.erase(it);
    if (out.size() > 2) {
      m_client.write_message(std::move(out));
    }
  }
}

} // namespace bridge::core
