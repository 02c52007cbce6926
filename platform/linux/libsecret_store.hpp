#pragma once

// The Secret Service backend (Linux). open_secret_store() uses it; tests reach it directly.

#include "platform/secret_store.hpp"

#include <chrono>
#include <memory>

namespace bridge::platform {

// An Error (kind unavailable/timeout) says which of: no D-Bus session bus, no Secret Service
// provider, or no answer within `deadline`.
core::Result<std::unique_ptr<SecretStore>> open_libsecret_store(std::chrono::milliseconds deadline);

} // namespace bridge::platform
