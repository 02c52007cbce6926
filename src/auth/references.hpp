#pragma once

// Config values may name a secret instead of holding it: ${env:VAR}, ${file:PATH} and
// ${keychain:NAME} (what `bridge token set NAME` stored). They are resolved only when needed and
// the resolved value is never logged.

#include "core/result.hpp"
#include "platform/secret_store.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace bridge::auth {

class ReferenceResolver {
public:
  explicit ReferenceResolver(platform::StorePreference preference) : m_preference(preference) {}

  // Replaces every ${…} reference in `value`; text around references is kept. `field` names the
  // config field for error messages ("servers.jungle.token").
  core::Result<std::string> resolve(std::string_view value, const std::string& field);

  // True when `value` contains no reference at all (a literal secret, for doctor's warning).
  static bool has_reference(std::string_view value);

  // The keychain key under which `bridge token set NAME` stores NAME's secret.
  static std::string keychain_key(std::string_view name);

private:
  core::Result<std::string> resolve_one(std::string_view kind, std::string_view argument, const std::string& field);

  platform::StorePreference m_preference;
  std::unique_ptr<platform::SecretStore> m_store;
};

} // namespace bridge::auth
