#pragma once

// The part of open_secret_store() that is the same on every OS: the BRIDGE_TOKEN_STORE override,
// automatic fallback to the file store, and the one announcement. Each OS's open_secret_store()
// passes its own keychain opener.

#include "platform/secret_store.hpp"

#include <chrono>
#include <memory>

namespace bridge::platform::detail {

// Opens the OS keychain, checking within `deadline` that it answers. An Error (kind
// unavailable or timeout) says what is missing and what to do.
using KeychainOpener = core::Result<std::unique_ptr<SecretStore>> (*)(std::chrono::milliseconds deadline);

// BRIDGE_TOKEN_STORE=file|keychain|automatic overrides `configured`; anything else is an Error.
core::Result<StorePreference> effective_preference(StorePreference configured);

core::Result<std::unique_ptr<SecretStore>> open_store(StorePreference preference, std::chrono::milliseconds deadline,
                                                      KeychainOpener open_keychain);

} // namespace bridge::platform::detail
