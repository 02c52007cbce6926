#pragma once

// The cached catalog: what every upstream listed last time (its tools, prompts, resources,
// templates and capabilities, exactly as the upstream sent them), kept in one file per set of
// configured servers, so that the next start answers tools/list at once while the upstreams are
// still connecting (TLS to a far-away server takes hundreds of milliseconds). The router refreshes
// it in the background and announces list_changed when the live lists differ.

#include "core/config.hpp"
#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace bridge::core {

struct CachedUpstream {
  std::string name; // the upstream's config name
  nlohmann::json capabilities = nlohmann::json::object();
  std::vector<nlohmann::json> tools;
  std::vector<nlohmann::json> prompts;
  std::vector<nlohmann::json> resources;
  std::vector<nlohmann::json> resource_templates;
  bool operator==(const CachedUpstream&) const = default;
};

struct CatalogSnapshot {
  std::vector<CachedUpstream> upstreams; // in config order; only upstreams that were listed
  bool operator==(const CatalogSnapshot&) const = default;
  [[nodiscard]] const CachedUpstream* find(const std::string& name) const;
};

// Stable across runs and platforms: a hash of what decides what the upstreams list (name, URL
// with organizationID, prefix, auth mode and the token *reference*, headers as written). Secrets
// never enter it: values are kept as written, references unresolved.
std::string servers_key(const std::vector<ServerConfig>& servers);

nlohmann::json to_json(const CatalogSnapshot& snapshot);
// A snapshot from its JSON, or an Error when the text is not one (a damaged file is ignored).
Result<CatalogSnapshot> snapshot_from_json(const nlohmann::json& json);

class CatalogCache {
public:
  // The file for these servers under `dir` (normally platform::data_dir() / "cache").
  CatalogCache(const std::filesystem::path& dir, const std::vector<ServerConfig>& servers);

  [[nodiscard]] const std::filesystem::path& file() const { return m_file; }
  // The last saved snapshot; nullopt when there is none or it cannot be read.
  [[nodiscard]] std::optional<CatalogSnapshot> load() const;
  // Writes atomically (a temporary file renamed over the old one), owner-only permissions.
  Status save(const CatalogSnapshot& snapshot) const;

private:
  std::filesystem::path m_file;
};

} // namespace bridge::core
