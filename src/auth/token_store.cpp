#include "auth/token_store.hpp"

#include "auth/crypto.hpp"

#include <chrono>

namespace bridge::auth {
namespace {

using nlohmann::json;

std::string str(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t num(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

} // namespace

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t expiry_from(std::int64_t now, const json& expires_in) {
  std::int64_t seconds = 0;
  if (expires_in.is_number_integer()) {
    seconds = expires_in.get<std::int64_t>();
  } else if (expires_in.is_number_float()) {
    seconds = static_cast<std::int64_t>(expires_in.get<double>());
  } else if (expires_in.is_string()) {
    // Some servers send it quoted.
    try {
      seconds = std::stoll(expires_in.get<std::string>());
    } catch (...) {
      seconds = 0;
    }
  }
  return seconds > 0 ? now + seconds : 0;
}

json TokenBundle::to_json() const {
  json client_json = {
      {"client_id", client.client_id},
      {"client_secret", client.client_secret},
      {"client_secret_expires_at", client.client_secret_expires_at},
      {"token_endpoint_auth_method", client.token_endpoint_auth_method},
      {"redirect_uris", client.redirect_uris},
      {"source", client.source},
      {"issuer", client.issuer},
  };
  return json{
      {"version", version},
      {"url", url},
      {"resource", resource},
      {"access_token", access_token},
      {"token_type", token_type},
      {"refresh_token", refresh_token},
      {"expires_at", expires_at},
      {"scope", scope},
      {"grant", grant},
      {"obtained_at", obtained_at},
      {"client", client_json},
      {"authorization_server", server.to_json()},
      {"resource_metadata", resource_metadata},
      {"idp_id_token", idp_id_token},
      {"idp_refresh_token", idp_refresh_token},
  };
}

core::Result<TokenBundle> TokenBundle::from_json(const std::string& text) {
  json value = json::parse(text, nullptr, false);
  if (!value.is_object()) {
    return core::make_error(core::ErrorKind::invalid_input, "the stored OAuth tokens are not valid JSON");
  }
  TokenBundle out;
  out.version = static_cast<int>(num(value, "version"));
  out.url = str(value, "url");
  out.resource = str(value, "resource");
  out.access_token = str(value, "access_token");
  out.token_type = str(value, "token_type");
  out.refresh_token = str(value, "refresh_token");
  out.expires_at = num(value, "expires_at");
  out.scope = str(value, "scope");
  out.grant = str(value, "grant");
  out.obtained_at = num(value, "obtained_at");
  if (auto client = value.find("client"); client != value.end() && client->is_object()) {
    out.client.client_id = str(*client, "client_id");
    out.client.client_secret = str(*client, "client_secret");
    out.client.client_secret_expires_at = num(*client, "client_secret_expires_at");
    out.client.token_endpoint_auth_method = str(*client, "token_endpoint_auth_method");
    if (auto uris = client->find("redirect_uris"); uris != client->end() && uris->is_array()) {
      for (const auto& uri : *uris) {
        if (uri.is_string()) {
          out.client.redirect_uris.push_back(uri.get<std::string>());
        }
      }
    }
    out.client.source = str(*client, "source");
    out.client.issuer = str(*client, "issuer");
  }
  if (auto server = value.find("authorization_server"); server != value.end()) {
    out.server = AuthServerMetadata::from_json(*server);
  }
  if (auto prm = value.find("resource_metadata"); prm != value.end()) {
    out.resource_metadata = *prm;
  }
  out.idp_id_token = str(value, "idp_id_token");
  out.idp_refresh_token = str(value, "idp_refresh_token");
  return out;
}

std::string token_key(const core::ServerConfig& server) {
  return "oauth:" + server.name + "@" + hex(sha256(core::effective_url(server))).substr(0, 12);
}

std::string token_lock_name(const core::ServerConfig& server) {
  std::string out;
  for (char c : token_key(server)) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    out += safe ? c : '_';
  }
  return out;
}

core::Result<TokenStore> TokenStore::open(platform::StorePreference preference) {
  auto store = platform::open_secret_store(preference);
  if (!store) {
    return store.error();
  }
  return TokenStore(std::move(*store));
}

core::Result<std::optional<TokenBundle>> TokenStore::load(const std::string& key) {
  auto text = m_store->get(key);
  if (!text) {
    return text.error();
  }
  if (!text->has_value()) {
    return std::optional<TokenBundle>();
  }
  auto bundle = TokenBundle::from_json(**text);
  if (!bundle) {
    return bundle.error();
  }
  return std::optional<TokenBundle>(std::move(*bundle));
}

core::Status TokenStore::save(const std::string& key, const TokenBundle& bundle) {
  return m_store->set(key, bundle.to_json().dump());
}

core::Status TokenStore::erase(const std::string& key) { return m_store->erase(key); }

} // namespace bridge::auth
