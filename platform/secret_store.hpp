#pragma once

// Where secrets live: the OS keychain (libsecret / macOS Keychain / Windows Credential Manager),
// or, where none is reachable, a 0600 file under the data dir, announced once. Keys are plain
// names chosen by the caller ("token:jumpcloud", "oauth:jumpcloud@org=…"); the store does not
// interpret them.

#include "core/result.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace bridge::platform {

enum class StorePreference { automatic, keychain, file }; // config: "token_store"

class SecretStore {
public:
  virtual ~SecretStore() = default;
  // nullopt = no such secret. A locked keychain or an unreachable service is an Error (kind
  // unavailable) that says which, never a silent "not found".
  virtual core::Result<std::optional<std::string>> get(const std::string& key) = 0;
  virtual core::Status set(const std::string& key, const std::string& value) = 0;
  // Erasing a missing key is not an error.
  virtual core::Status erase(const std::string& key) = 0;
  // "keychain (Secret Service)", "file (~/.local/share/mcp-bridge/secrets.json)" — for status/doctor.
  [[nodiscard]] virtual std::string describe() const = 0;
  [[nodiscard]] virtual bool is_keychain() const = 0;
};

// Opens the store per preference. automatic: the OS keychain when reachable within `deadline`,
// else the file store (said once on stderr per process). keychain: an Error when unreachable.
// file: <data_dir>/secrets.json (0600). The environment variable BRIDGE_TOKEN_STORE
// (file | keychain | automatic) overrides `preference` — for tests and headless machines; any
// other value is an Error. The returned store applies `deadline` to each of its calls too.
core::Result<std::unique_ptr<SecretStore>> open_secret_store(
    StorePreference preference, std::chrono::milliseconds deadline = std::chrono::milliseconds(3000));

} // namespace bridge::platform
