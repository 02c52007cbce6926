#include "core/client_capabilities.hpp"

#include <nlohmann/json.hpp>

namespace bridge::core {

std::string unanswerable_by_client(const nlohmann::json& client_capabilities, std::string_view method,
                                   const nlohmann::json& params) {
  std::string_view capability;
  if (method == "sampling/createMessage") {
    capability = "sampling";
  } else if (method == "elicitation/create") {
    capability = "elicitation";
  } else if (method == "roots/list") {
    capability = "roots";
  } else {
    return "";
  }
  const nlohmann::json* declared = nullptr;
  if (client_capabilities.is_object()) {
    auto it = client_capabilities.find(std::string(capability));
    if (it != client_capabilities.end() && it->is_object()) {
      declared = &*it;
    }
  }
  std::string missing = "the AI client does not support " + std::string(method) + " (it did not declare the \"" +
                        std::string(capability) + "\" capability)";
  if (declared == nullptr) {
    return missing;
  }
  if (capability == "elicitation") {
    // 2025-11-25 splits elicitation into "form" and "url" modes; an empty object (older clients)
    // means form only.
    std::string mode = "form";
    if (params.is_object() && params.contains("mode") && params["mode"].is_string()) {
      mode = params["mode"].get<std::string>();
    }
    bool supported = mode == "form" ? declared->empty() || declared->contains("form") : declared->contains(mode);
    if (!supported) {
      return "the AI client does not support elicitation in \"" + mode + "\" mode (its \"elicitation\" capability lacks \"" +
             mode + "\")";
    }
  }
  return "";
}

} // namespace bridge::core
