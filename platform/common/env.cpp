#include "platform/platform.hpp"

#include <cstdlib>

namespace bridge::platform {

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) {
    return std::nullopt;
  }
  return std::string(value);
}

} // namespace bridge::platform
