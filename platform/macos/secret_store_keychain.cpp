// The macOS keychain: generic passwords (kSecClassGenericPassword), service "mcp-bridge",
// account = key, in the login keychain. No kSecUseDataProtectionKeychain (it needs an
// entitlement an unsigned binary does not have). SecItem calls can block on a user prompt, so
// each runs on a worker thread and the caller waits at most `deadline`.

#include "platform/common/store_selection.hpp"
#include "platform/secret_store.hpp"

#include <CoreFoundation/CoreFoundation.h>
#include <Security/Security.h>

#include <future>
#include <thread>
#include <utility>
#include <memory>
#include <type_traits>

namespace bridge::platform {
namespace {

constexpr const char* k_service = "mcp-bridge";

// Owns one CoreFoundation reference.
template <typename T>
class CfRef {
public:
  CfRef() = default;
  explicit CfRef(T ref) : m_ref(ref) {}
  CfRef(const CfRef&) = delete;
  CfRef& operator=(const CfRef&) = delete;
  CfRef(CfRef&& other) noexcept : m_ref(std::exchange(other.m_ref, nullptr)) {}
  CfRef& operator=(CfRef&& other) noexcept {
    if (this != &other) {
      reset();
      m_ref = std::exchange(other.m_ref, nullptr);
    }
    return *this;
  }
  ~CfRef() { reset(); }
  [[nodiscard]] T get() const { return m_ref; }
  explicit operator bool() const { return m_ref != nullptr; }

private:
  void reset() {
    if (m_ref != nullptr) {
      CFRelease(m_ref);
      m_ref = nullptr;
    }
  }
  T m_ref = nullptr;
};

CfRef<CFStringRef> cf_string(const std::string& text) {
  return CfRef<CFStringRef>(CFStringCreateWithBytes(kCFAllocatorDefault, reinterpret_cast<const UInt8*>(text.data()),
                                                    static_cast<CFIndex>(text.size()), kCFStringEncodingUTF8, false));
}

CfRef<CFDataRef> cf_data(const std::string& bytes) {
  return CfRef<CFDataRef>(CFDataCreate(kCFAllocatorDefault, reinterpret_cast<const UInt8*>(bytes.data()),
                                       static_cast<CFIndex>(bytes.size())));
}

// {class: generic password, service: mcp-bridge, account: key}, mutable for extra fields.
CfRef<CFMutableDictionaryRef> base_query(CFStringRef service, CFStringRef account) {
  CfRef<CFMutableDictionaryRef> query(CFDictionaryCreateMutable(kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks,
                                                                &kCFTypeDictionaryValueCallBacks));
  CFDictionarySetValue(query.get(), kSecClass, kSecClassGenericPassword);
  CFDictionarySetValue(query.get(), kSecAttrService, service);
  CFDictionarySetValue(query.get(), kSecAttrAccount, account);
  return query;
}

std::string status_text(OSStatus status) {
  std::string text = "OSStatus " + std::to_string(static_cast<long>(status));
  CfRef<CFStringRef> message(SecCopyErrorMessageString(status, nullptr));
  if (message) {
    char buffer[512];
    if (CFStringGetCString(message.get(), buffer, sizeof buffer, kCFStringEncodingUTF8)) {
      text += ": ";
      text += buffer;
    }
  }
  return text;
}

core::Error keychain_error(const std::string& doing, OSStatus status) {
  if (status == errSecInteractionNotAllowed) {
    return core::make_error(core::ErrorKind::unavailable,
                            "the macOS login keychain is locked and cannot prompt here (" + status_text(status) +
                                "); unlock it (log in, or `security unlock-keychain`) and retry");
  }
  if (status == errSecAuthFailed || status == errSecUserCanceled) {
    return core::make_error(core::ErrorKind::auth, "access to the macOS keychain was denied while " + doing + " (" +
                                                       status_text(status) + ")");
  }
  if (status == errSecNoSuchKeychain || status == errSecNotAvailable) {
    return core::make_error(core::ErrorKind::unavailable,
                            "no macOS keychain is available (" + status_text(status) + "); use token_store \"file\"");
  }
  return core::make_error(core::ErrorKind::unavailable, "macOS keychain error while " + doing + " (" +
                                                            status_text(status) + ")");
}

// Runs fn on its own thread; waits at most `deadline`. A late call is left to finish alone.
template <typename Fn>
auto with_deadline(Fn fn, std::chrono::milliseconds deadline, const std::string& doing) -> decltype(fn()) {
  using R = decltype(fn());
  auto task = std::make_shared<std::packaged_task<R()>>(std::move(fn));
  auto future = task->get_future();
  std::thread([task] { (*task)(); }).detach();
  if (future.wait_for(deadline) != std::future_status::ready) {
    return R(core::make_error(core::ErrorKind::timeout,
                              "the macOS keychain did not answer within " + std::to_string(deadline.count()) +
                                  " ms while " + doing + " (a keychain prompt may be waiting)"));
  }
  return future.get();
}

class KeychainStore final : public SecretStore {
public:
  explicit KeychainStore(std::chrono::milliseconds deadline) : m_deadline(deadline) {}

  core::Result<std::optional<std::string>> get(const std::string& key) override {
    return with_deadline(
        [key]() -> core::Result<std::optional<std::string>> {
          auto service = cf_string(k_service);
          auto account = cf_string(key);
          auto query = base_query(service.get(), account.get());
          CFDictionarySetValue(query.get(), kSecReturnData, kCFBooleanTrue);
          CFDictionarySetValue(query.get(), kSecMatchLimit, kSecMatchLimitOne);
          CFTypeRef raw = nullptr;
          OSStatus status = SecItemCopyMatching(query.get(), &raw);
          CfRef<CFTypeRef> result(raw);
          if (status == errSecItemNotFound) {
            return std::optional<std::string>();
          }
          if (status != errSecSuccess) {
            return keychain_error("reading a secret", status);
          }
          if (!result || CFGetTypeID(result.get()) != CFDataGetTypeID()) {
            return core::make_error(core::ErrorKind::protocol, "the macOS keychain returned no data for " + key);
          }
          auto data = static_cast<CFDataRef>(result.get());
          return std::optional<std::string>(std::string(reinterpret_cast<const char*>(CFDataGetBytePtr(data)),
                                                        static_cast<std::size_t>(CFDataGetLength(data))));
        },
        m_deadline, "reading a secret");
  }

  core::Status set(const std::string& key, const std::string& value) override {
    return with_deadline(
        [key, value]() -> core::Status {
          auto service = cf_string(k_service);
          auto account = cf_string(key);
          auto data = cf_data(value);
          auto label = cf_string("mcp-bridge: " + key);
          auto item = base_query(service.get(), account.get());
          CFDictionarySetValue(item.get(), kSecValueData, data.get());
          CFDictionarySetValue(item.get(), kSecAttrLabel, label.get());
          OSStatus status = SecItemAdd(item.get(), nullptr);
          if (status == errSecDuplicateItem) {
            auto query = base_query(service.get(), account.get());
            CfRef<CFMutableDictionaryRef> update(CFDictionaryCreateMutable(
                kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
            CFDictionarySetValue(update.get(), kSecValueData, data.get());
            status = SecItemUpdate(query.get(), update.get());
          }
          if (status != errSecSuccess) {
            return keychain_error("storing a secret", status);
          }
          return core::ok_status();
        },
        m_deadline, "storing a secret");
  }

  core::Status erase(const std::string& key) override {
    return with_deadline(
        [key]() -> core::Status {
          auto service = cf_string(k_service);
          auto account = cf_string(key);
          auto query = base_query(service.get(), account.get());
          OSStatus status = SecItemDelete(query.get());
          if (status != errSecSuccess && status != errSecItemNotFound) {
            return keychain_error("erasing a secret", status);
          }
          return core::ok_status();
        },
        m_deadline, "erasing a secret");
  }

  [[nodiscard]] std::string describe() const override { return "keychain (macOS Keychain)"; }
  [[nodiscard]] bool is_keychain() const override { return true; }

private:
  std::chrono::milliseconds m_deadline;
};

// Reachable when the default keychain can be found (no headless SSH session without one).
core::Result<std::unique_ptr<SecretStore>> open_keychain_store(std::chrono::milliseconds deadline) {
  auto probe = with_deadline(
      []() -> core::Status {
        SecKeychainRef raw = nullptr;
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
        OSStatus status = SecKeychainCopyDefault(&raw); // deprecated, but the only cheap probe
#pragma clang diagnostic pop
        CfRef<SecKeychainRef> keychain(raw);
        if (status != errSecSuccess) {
          return keychain_error("finding the default keychain", status);
        }
        return core::ok_status();
      },
      deadline, "finding the default keychain");
  if (!probe) {
    return probe.error();
  }
  return std::unique_ptr<SecretStore>(std::make_unique<KeychainStore>(deadline));
}

} // namespace

core::Result<std::unique_ptr<SecretStore>> open_secret_store(StorePreference preference,
                                                             std::chrono::milliseconds deadline) {
  return detail::open_store(preference, deadline, &open_keychain_store);
}

} // namespace bridge::platform
