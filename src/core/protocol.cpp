#include "core/protocol.hpp"

#include <nlohmann/json.hpp>

namespace bridge::core {

bool is_supported_protocol_version(std::string_view version) {
  for (auto known : k_protocol_versions) {
    if (known == version) {
      return true;
    }
  }
  return false;
}

std::string negotiate_protocol_version(std::string_view requested) {
  if (is_supported_protocol_version(requested)) {
    return std::string(requested);
  }
  return std::string(k_protocol_versions.front());
}

nlohmann::json bridge_capabilities() {
  return {
      {"tools", {{"listChanged", true}}},
      {"prompts", {{"listChanged", true}}},
      {"resources", {{"listChanged", true}, {"subscribe", true}}},
      {"completions", nlohmann::json::object()},
      {"logging", nlohmann::json::object()},
  };
}

} // namespace bridge::core
