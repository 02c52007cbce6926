#include "cli/doctor_reply.hpp"

#include "core/no_proxy.hpp"
#include "platform/platform.hpp"
#include "transport/sse_parser.hpp"

#include <nlohmann/json.hpp>

namespace bridge::cli {
namespace {

using nlohmann::json;

// "" when `text` is a JSON-RPC response to initialize (a result object, or an error).
std::string response_problem(const std::string& text) {
  json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded()) {
    return "the reply is not valid JSON (cut off, or not JSON at all)";
  }
  if (!parsed.is_object() || !parsed.contains("id") || !(parsed.contains("result") || parsed.contains("error"))) {
    return "the reply is JSON but no JSON-RPC response";
  }
  if (parsed.contains("result") && !parsed["result"].is_object()) {
    return "the reply's result is not an object";
  }
  return "";
}

} // namespace

std::string initialize_reply_problem(const std::string& content_type, const std::string& body) {
  if (content_type.find("event-stream") == std::string::npos) {
    if (body.empty()) {
      return "the reply is empty";
    }
    return response_problem(body);
  }
  // The response among the stream's events (servers may send notifications or requests first).
  std::string problem = "the event stream ended without a response";
  bool answered = false;
  transport::SseParser parser([&](transport::SseEvent&& event) {
    if (answered || event.type != "message") {
      return;
    }
    json parsed = json::parse(event.data, nullptr, false);
    if (parsed.is_object() && parsed.contains("method")) {
      return; // the server's own request or notification
    }
    problem = response_problem(event.data);
    answered = true;
  });
  (void)parser.feed(body);
  return problem;
}

std::string proxy_for_host(const std::string& host) {
  for (const char* name : {"NO_PROXY", "no_proxy"}) {
    if (auto exempt = platform::env(name); exempt && core::no_proxy_exempts(*exempt, host)) {
      return {};
    }
  }
  for (const char* name : {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"}) {
    if (auto value = platform::env(name); value && !value->empty()) {
      return name;
    }
  }
  return {};
}

} // namespace bridge::cli
