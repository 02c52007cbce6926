#include "core/catalog_cache.hpp"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

namespace bridge::core {
namespace {

using nlohmann::json;

constexpr int k_format = 1; // bump when the file's shape changes: an old file is then ignored

// FNV-1a, 64 bits: stable everywhere (std::hash is not), and collisions only cost a cache miss.
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

const char* auth_name(AuthMode mode) {
  switch (mode) {
  case AuthMode::token:
    return "token";
  case AuthMode::oauth:
    return "oauth";
  case AuthMode::none:
    break;
  }
  return "none";
}

json list_to_json(const std::vector<json>& items) { return json(items); }

bool list_from_json(const json& object, const char* key, std::vector<json>& out) {
  auto it = object.find(key);
  if (it == object.end()) {
    return true;
  }
  if (!it->is_array()) {
    return false;
  }
  out.assign(it->begin(), it->end());
  return true;
}

} // namespace

const CachedUpstream* CatalogSnapshot::find(const std::string& name) const {
  for (const auto& upstream : upstreams) {
    if (upstream.name == name) {
      return &upstream;
    }
  }
  return nullptr;
}

std::string servers_key(const std::vector<ServerConfig>& servers) {
  json key = json::array();
  for (const auto& server : servers) {
    json headers = json::object();
    for (const auto& [name, value] : server.headers) {
      headers[name] = value; // as written: references stay unresolved
    }
    key.push_back({{"name", server.name},
                   {"url", effective_url(server)},
                   {"prefix", server.prefix},
                   {"auth", auth_name(server.auth)},
                   {"token", server.token},
                   {"client_id", server.oauth.client_id},
                   {"headers", headers}});
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a(key.dump())));
  return hex;
}

json to_json(const CatalogSnapshot& snapshot) {
  json upstreams = json::array();
  for (const auto& upstream : snapshot.upstreams) {
    upstreams.push_back({{"name", upstream.name},
                         {"capabilities", upstream.capabilities},
                         {"tools", list_to_json(upstream.tools)},
                         {"prompts", list_to_json(upstream.prompts)},
                         {"resources", list_to_json(upstream.resources)},
                         {"resourceTemplates", list_to_json(upstream.resource_templates)}});
  }
  return {{"format", k_format}, {"upstreams", std::move(upstreams)}};
}

Result<CatalogSnapshot> snapshot_from_json(const json& document) {
  auto bad = [](const std::string& why) { return make_error(ErrorKind::invalid_input, "cached catalog: " + why); };
  if (!document.is_object() || document.value("format", 0) != k_format) {
    return bad("unknown format");
  }
  auto upstreams = document.find("upstreams");
  if (upstreams == document.end() || !upstreams->is_array()) {
    return bad("no upstreams");
  }
  CatalogSnapshot snapshot;
  for (const auto& item : *upstreams) {
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) {
      return bad("an upstream without a name");
    }
    CachedUpstream upstream;
    upstream.name = item["name"].get<std::string>();
    if (auto caps = item.find("capabilities"); caps != item.end() && caps->is_object()) {
      upstream.capabilities = *caps;
    }
    if (!list_from_json(item, "tools", upstream.tools) || !list_from_json(item, "prompts", upstream.prompts) ||
        !list_from_json(item, "resources", upstream.resources) ||
        !list_from_json(item, "resourceTemplates", upstream.resource_templates)) {
      return bad("a list that is not an array");
    }
    snapshot.upstreams.push_back(std::move(upstream));
  }
  return snapshot;
}

CatalogCache::CatalogCache(const std::filesystem::path& dir, const std::vector<ServerConfig>& servers)
    : m_file(dir / ("catalog-" + servers_key(servers) + ".json")) {}

std::optional<CatalogSnapshot> CatalogCache::load() const {
  std::ifstream in(m_file, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  json document = json::parse(text.str(), nullptr, false);
  auto snapshot = snapshot_from_json(document);
  if (!snapshot) {
    return std::nullopt;
  }
  return std::move(*snapshot);
}

Status CatalogCache::save(const CatalogSnapshot& snapshot) const {
  std::error_code ec;
  std::filesystem::create_directories(m_file.parent_path(), ec);
  if (ec) {
    return make_error(ErrorKind::io, "cannot create " + m_file.parent_path().string() + ": " + ec.message());
  }
  // Tool descriptions may name internal systems: owner-only, like the token file.
  std::filesystem::permissions(m_file.parent_path(), std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  // A name of its own: two bridges started with the same config may save at the same moment.
  auto temporary = m_file;
  temporary += ".tmp" + std::to_string(std::random_device{}());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) {
      return make_error(ErrorKind::io, "cannot write " + temporary.string());
    }
    out << to_json(snapshot).dump();
    if (!out.flush()) {
      return make_error(ErrorKind::io, "cannot write " + temporary.string());
    }
  }
  std::filesystem::permissions(temporary, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace, ec);
  std::filesystem::rename(temporary, m_file, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    return make_error(ErrorKind::io, "cannot replace " + m_file.string() + ": " + ec.message());
  }
  return ok_status();
}

} // namespace bridge::core
