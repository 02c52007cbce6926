#include "platform/common/file_secret_store.hpp"

#include "platform/common/private_file.hpp"
#include "platform/platform.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <mutex>

namespace bridge::platform {
namespace {

// Threads of one process take this before the cross-process file lock.
std::mutex& process_mutex() {
  static std::mutex mutex;
  return mutex;
}

} // namespace

namespace detail {

std::filesystem::path default_secrets_file() { return data_dir() / "secrets.json"; }

void announce_once(const std::string& line) {
  static std::once_flag once;
  std::call_once(once, [&line] { std::fprintf(stderr, "%s\n", line.c_str()); });
}

} // namespace detail

FileSecretStore::FileSecretStore(std::filesystem::path path, std::string why, std::chrono::milliseconds deadline)
    : m_path(std::move(path)), m_why(std::move(why)), m_deadline(deadline) {}

std::string FileSecretStore::describe() const {
  std::string text = "file (" + m_path.string() + ")";
  if (!m_why.empty()) {
    text += " — " + m_why;
  }
  return text;
}

std::filesystem::path FileSecretStore::lock_path() const {
  auto lock = m_path;
  lock += ".lock";
  return lock;
}

core::Result<std::map<std::string, std::string>> FileSecretStore::load() const {
  auto bytes = detail::read_private_file(m_path);
  if (!bytes) {
    return bytes.error();
  }
  std::map<std::string, std::string> secrets;
  if (!bytes->has_value() || (*bytes)->empty()) {
    return secrets;
  }
  auto document = nlohmann::json::parse(**bytes, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    return core::make_error(core::ErrorKind::io, "secrets file " + m_path.string() +
                                                     " is not a JSON object; move it aside and store the secrets again");
  }
  for (const auto& [key, value] : document.items()) {
    if (!value.is_string()) {
      return core::make_error(core::ErrorKind::io, "secrets file " + m_path.string() + ": entry \"" + key +
                                                       "\" is not a string; fix or remove it");
    }
    secrets.emplace(key, value.get<std::string>());
  }
  return secrets;
}

core::Status FileSecretStore::save(const std::map<std::string, std::string>& secrets) const {
  std::string text;
  try {
    text = nlohmann::json(secrets).dump(2) + "\n";
  } catch (const nlohmann::json::exception&) {
    return core::make_error(core::ErrorKind::invalid_input, "secret keys and values must be valid UTF-8");
  }
  return detail::write_private_file(m_path, text);
}

core::Result<std::optional<std::string>> FileSecretStore::get(const std::string& key) {
  std::lock_guard guard(process_mutex());
  auto secrets = load();
  if (!secrets) {
    return secrets.error();
  }
  auto found = secrets->find(key);
  if (found == secrets->end()) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(found->second);
}

core::Status FileSecretStore::set(const std::string& key, const std::string& value) {
  std::lock_guard guard(process_mutex());
  auto lock = detail::FileLock::acquire(lock_path(), m_deadline);
  if (!lock) {
    return lock.error();
  }
  auto secrets = load();
  if (!secrets) {
    return secrets.error();
  }
  (*secrets)[key] = value;
  return save(*secrets);
}

core::Status FileSecretStore::erase(const std::string& key) {
  std::lock_guard guard(process_mutex());
  auto lock = detail::FileLock::acquire(lock_path(), m_deadline);
  if (!lock) {
    return lock.error();
  }
  auto secrets = load();
  if (!secrets) {
    return secrets.error();
  }
  if (secrets->erase(key) == 0) {
    return core::ok_status();
  }
  return save(*secrets);
}

} // namespace bridge::platform
