// The Windows keychain: Credential Manager generic credentials, target "mcp-bridge:<key>",
// persisted per machine for this user. A blob holds at most 2560 bytes, so the head entry holds
// either the value or a chunk count and larger values go to "mcp-bridge:<key>#1..n"
// (platform/common/chunking.hpp). Credential Manager is a local call that never prompts, so the
// deadline is not needed per call. It is missing in some logon sessions (SSH, services):
// open_secret_store() then falls back to the file store.

#include "platform/common/chunking.hpp"
#include "platform/common/store_selection.hpp"
#include "platform/secret_store.hpp"
#include "platform/windows/wide.hpp"

#include <wincred.h>

#include <mutex>

namespace bridge::platform {
namespace {

constexpr const char* k_prefix = "mcp-bridge:";

struct CredentialFree {
  void operator()(CREDENTIALW* credential) const { CredFree(credential); }
};
using Credential = std::unique_ptr<CREDENTIALW, CredentialFree>;

core::Error credman_error(const std::string& doing, DWORD code) {
  if (code == ERROR_NO_SUCH_LOGON_SESSION) {
    return core::make_error(core::ErrorKind::unavailable,
                            "Windows Credential Manager is not available in this logon session (SSH or service "
                            "sessions have none); log in interactively or use token_store \"file\"");
  }
  return core::make_error(core::ErrorKind::unavailable,
                          "Windows Credential Manager failed while " + doing + " (" + windows::last_error_text(code) + ")");
}

// The blob of one entry, nullopt when it does not exist.
core::Result<std::optional<std::string>> read_entry(const std::string& target) {
  CREDENTIALW* raw = nullptr;
  std::wstring name = windows::widen(target);
  if (CredReadW(name.c_str(), CRED_TYPE_GENERIC, 0, &raw) == FALSE) {
    DWORD code = GetLastError();
    if (code == ERROR_NOT_FOUND) {
      return std::optional<std::string>();
    }
    return credman_error("reading a credential", code);
  }
  Credential credential(raw);
  return std::optional<std::string>(
      std::string(reinterpret_cast<const char*>(credential->CredentialBlob), credential->CredentialBlobSize));
}

core::Status write_entry(const std::string& target, const std::string& blob) {
  std::wstring name = windows::widen(target);
  wchar_t user[] = L"mcp-bridge";
  CREDENTIALW credential{};
  credential.Type = CRED_TYPE_GENERIC;
  credential.TargetName = name.data();
  credential.CredentialBlobSize = static_cast<DWORD>(blob.size());
  credential.CredentialBlob = reinterpret_cast<LPBYTE>(const_cast<char*>(blob.data()));
  credential.Persist = CRED_PERSIST_LOCAL_MACHINE;
  credential.UserName = user;
  if (CredWriteW(&credential, 0) == FALSE) {
    return credman_error("writing a credential", GetLastError());
  }
  return core::ok_status();
}

core::Status delete_entry(const std::string& target) {
  std::wstring name = windows::widen(target);
  if (CredDeleteW(name.c_str(), CRED_TYPE_GENERIC, 0) == FALSE) {
    DWORD code = GetLastError();
    if (code != ERROR_NOT_FOUND) {
      return credman_error("deleting a credential", code);
    }
  }
  return core::ok_status();
}

// How many chunk entries the current head says exist (0 for inline values, missing or foreign heads).
std::size_t chunk_count(const std::optional<std::string>& head) {
  if (!head) {
    return 0;
  }
  auto parsed = chunking::parse_head(*head);
  return parsed && !parsed->is_inline ? parsed->count : 0;
}

class CredmanStore final : public SecretStore {
public:
  core::Result<std::optional<std::string>> get(const std::string& key) override {
    std::lock_guard lock(m_mutex);
    std::string base = k_prefix + key;
    auto head = read_entry(base);
    if (!head) {
      return head.error();
    }
    if (!head->has_value()) {
      return std::optional<std::string>();
    }
    auto parsed = chunking::parse_head(**head);
    if (!parsed) {
      return core::make_error(parsed.error().kind, "credential " + base + ": " + parsed.error().message);
    }
    std::vector<std::string> chunks;
    for (std::size_t i = 1; !parsed->is_inline && i <= parsed->count; ++i) {
      auto chunk = read_entry(chunking::chunk_name(base, i));
      if (!chunk) {
        return chunk.error();
      }
      if (!chunk->has_value()) {
        break; // decode() reports the gap
      }
      chunks.push_back(std::move(**chunk));
    }
    auto value = chunking::decode(**head, chunks);
    if (!value) {
      return core::make_error(value.error().kind, "credential " + base + ": " + value.error().message);
    }
    return std::optional<std::string>(std::move(*value));
  }

  core::Status set(const std::string& key, const std::string& value) override {
    std::lock_guard lock(m_mutex);
    std::string base = k_prefix + key;
    auto old_head = read_entry(base);
    if (!old_head) {
      return old_head.error();
    }
    std::size_t old_count = chunk_count(*old_head);
    auto encoded = chunking::encode(value);
    // Chunks first, head last: a reader never sees a head pointing at chunks not yet written.
    for (std::size_t i = 0; i < encoded.chunks.size(); ++i) {
      if (auto status = write_entry(chunking::chunk_name(base, i + 1), encoded.chunks[i]); !status) {
        return status;
      }
    }
    if (auto status = write_entry(base, encoded.head); !status) {
      return status;
    }
    for (std::size_t i = encoded.chunks.size() + 1; i <= old_count; ++i) {
      if (auto status = delete_entry(chunking::chunk_name(base, i)); !status) {
        return status;
      }
    }
    return core::ok_status();
  }

  core::Status erase(const std::string& key) override {
    std::lock_guard lock(m_mutex);
    std::string base = k_prefix + key;
    auto head = read_entry(base);
    if (!head) {
      return head.error();
    }
    std::size_t count = chunk_count(*head);
    if (auto status = delete_entry(base); !status) {
      return status;
    }
    for (std::size_t i = 1; i <= count; ++i) {
      if (auto status = delete_entry(chunking::chunk_name(base, i)); !status) {
        return status;
      }
    }
    return core::ok_status();
  }

  [[nodiscard]] std::string describe() const override { return "keychain (Windows Credential Manager)"; }
  [[nodiscard]] bool is_keychain() const override { return true; }

private:
  std::mutex m_mutex;
};

// Reachable when a read of a name that never exists answers "not found".
core::Result<std::unique_ptr<SecretStore>> open_credman_store(std::chrono::milliseconds /*deadline*/) {
  auto probe = read_entry(std::string(k_prefix) + "\x01probe");
  if (!probe) {
    return probe.error();
  }
  return std::unique_ptr<SecretStore>(std::make_unique<CredmanStore>());
}

} // namespace

core::Result<std::unique_ptr<SecretStore>> open_secret_store(StorePreference preference,
                                                             std::chrono::milliseconds deadline) {
  return detail::open_store(preference, deadline, &open_credman_store);
}

} // namespace bridge::platform
