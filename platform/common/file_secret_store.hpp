#pragma once

// The fallback secret store: a JSON object {"<key>": "<value>", …} in <data_dir>/secrets.json,
// owner-only (0600), replaced atomically under a lock so concurrent bridges never corrupt it.

#include "platform/secret_store.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

namespace bridge::platform {

class FileSecretStore final : public SecretStore {
public:
  // `why` says why the file is used ("no OS keychain reachable: …", "token_store is \"file\"").
  FileSecretStore(std::filesystem::path path, std::string why,
                  std::chrono::milliseconds deadline = std::chrono::milliseconds(3000));

  core::Result<std::optional<std::string>> get(const std::string& key) override;
  core::Status set(const std::string& key, const std::string& value) override;
  core::Status erase(const std::string& key) override;
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] bool is_keychain() const override { return false; }

  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
  core::Result<std::map<std::string, std::string>> load() const;
  core::Status save(const std::map<std::string, std::string>& secrets) const;
  [[nodiscard]] std::filesystem::path lock_path() const;

  std::filesystem::path m_path;
  std::string m_why;
  std::chrono::milliseconds m_deadline;
};

namespace detail {

// <data_dir>/secrets.json
std::filesystem::path default_secrets_file();

// Prints `line` to stderr the first time it is called in this process; later calls do nothing.
void announce_once(const std::string& line);

} // namespace detail

} // namespace bridge::platform
