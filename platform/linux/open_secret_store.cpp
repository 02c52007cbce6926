#include "platform/common/store_selection.hpp"
#include "platform/linux/libsecret_store.hpp"

namespace bridge::platform {

core::Result<std::unique_ptr<SecretStore>> open_secret_store(StorePreference preference,
                                                             std::chrono::milliseconds deadline) {
  return detail::open_store(preference, deadline, &open_libsecret_store);
}

} // namespace bridge::platform
