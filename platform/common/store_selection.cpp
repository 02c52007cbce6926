#include "platform/common/store_selection.hpp"

#include "platform/common/file_secret_store.hpp"
#include "platform/platform.hpp"

namespace bridge::platform::detail {

core::Result<StorePreference> effective_preference(StorePreference configured) {
  auto value = env("BRIDGE_TOKEN_STORE");
  if (!value || value->empty()) {
    return configured;
  }
  if (*value == "file") {
    return StorePreference::file;
  }
  if (*value == "keychain") {
    return StorePreference::keychain;
  }
  if (*value == "automatic" || *value == "auto") {
    return StorePreference::automatic;
  }
  return core::make_error(core::ErrorKind::invalid_input,
                          "BRIDGE_TOKEN_STORE=" + *value + " is not one of file, keychain, automatic");
}

core::Result<std::unique_ptr<SecretStore>> open_store(StorePreference configured, std::chrono::milliseconds deadline,
                                                      KeychainOpener open_keychain) {
  auto preference = effective_preference(configured);
  if (!preference) {
    return preference.error();
  }
  auto file = default_secrets_file();
  if (*preference == StorePreference::file) {
    // Chosen, so nothing to announce: `bridge status` and `bridge doctor` name the store.
    return std::unique_ptr<SecretStore>(
        std::make_unique<FileSecretStore>(file, "chosen by token_store", deadline));
  }
  auto keychain = open_keychain(deadline);
  if (keychain) {
    return keychain;
  }
  if (*preference == StorePreference::keychain) {
    return core::make_error(keychain.error().kind,
                            keychain.error().message + " (token_store is \"keychain\"; set it to \"file\" or "
                                                       "\"automatic\" to use a 0600 file instead)");
  }
  const std::string& reason = keychain.error().message;
  announce_once("mcp-bridge: no OS keychain reachable (" + reason + "); secrets are kept in " + file.string() +
                " (mode 0600)");
  return std::unique_ptr<SecretStore>(
      std::make_unique<FileSecretStore>(file, "no OS keychain reachable", deadline)); // the reason: once, above
}

} // namespace bridge::platform::detail
