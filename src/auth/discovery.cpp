#include "auth/discovery.hpp"

#include "core/url.hpp"

#include <algorithm>

namespace bridge::auth {
namespace {

using nlohmann::json;

std::string strip_trailing_slash(std::string path) {
  while (!path.empty() && path.back() == '/') {
    path.pop_back();
  }
  return path;
}

std::vector<std::string> string_array(const json& object, const char* key) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it != object.end() && it->is_array()) {
    for (const auto& item : *it) {
      if (item.is_string()) {
        out.push_back(item.get<std::string>());
      }
    }
  }
  return out;
}

std::optional<std::vector<std::string>> optional_string_array(const json& object, const char* key) {
  if (!object.contains(key) || !object[key].is_array()) {
    return std::nullopt;
  }
  return string_array(object, key);
}

std::string string_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

} // namespace

core::Result<std::string> canonical_resource(std::string_view server_url) {
  auto url = core::parse_url(server_url);
  if (!url) {
    return url.error();
  }
  std::string out = lower(url->scheme) + "://";
  std::string host = lower(url->host);
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (!url->port.empty()) {
    out += ":" + url->port;
  }
  std::string path = url->path == "/" ? std::string() : url->path;
  out += path;
  if (url->has_query) {
    out += "?" + url->query;
  }
  return out;
}

std::vector<std::string> protected_resource_metadata_urls(std::string_view server_url, std::string_view header_url) {
  std::vector<std::string> urls;
  if (!header_url.empty()) {
    urls.emplace_back(header_url);
  }
  auto url = core::parse_url(server_url);
  if (!url) {
    return urls;
  }
  std::string origin = core::origin_of(*url);
  std::string path = strip_trailing_slash(url->path);
  if (!path.empty()) {
    urls.push_back(origin + "/.well-known/oauth-protected-resource" + path);
  }
  urls.push_back(origin + "/.well-known/oauth-protected-resource");
  return urls;
}

std::vector<std::string> authorization_server_metadata_urls(std::string_view issuer) {
  std::vector<std::string> urls;
  auto url = core::parse_url(issuer);
  if (!url) {
    return urls;
  }
  std::string origin = core::origin_of(*url);
  std::string path = strip_trailing_slash(url->path);
  if (path.empty()) {
    urls.push_back(origin + "/.well-known/oauth-authorization-server");
    urls.push_back(origin + "/.well-known/openid-configuration");
  } else {
    urls.push_back(origin + "/.well-known/oauth-authorization-server" + path);
    urls.push_back(origin + "/.well-known/openid-configuration" + path);
    urls.push_back(origin + path + "/.well-known/openid-configuration");
  }
  return urls;
}

bool resource_matches(std::string_view resource, std::string_view server_url) {
  auto a = core::parse_url(resource);
  auto b = core::parse_url(server_url);
  if (!a || !b) {
    return false;
  }
  if (lower(core::origin_of(*a)) != lower(core::origin_of(*b))) {
    return false;
  }
  std::string parent = strip_trailing_slash(a->path);
  std::string child = strip_trailing_slash(b->path);
  if (parent.empty() || parent == child) {
    return true;
  }
  return child.size() > parent.size() && child.compare(0, parent.size(), parent) == 0 && child[parent.size()] == '/';
}

core::Result<ProtectedResourceMetadata> parse_protected_resource_metadata(const std::string& body, const std::string& url) {
  json value = json::parse(body, nullptr, false);
  if (!value.is_object()) {
    return core::make_error(core::ErrorKind::protocol, "protected-resource metadata at " + url + " is not a JSON object");
  }
  ProtectedResourceMetadata out;
  out.url = url;
  out.resource = string_field(value, "resource");
  out.authorization_servers = string_array(value, "authorization_servers");
  out.scopes_supported = optional_string_array(value, "scopes_supported");
  out.raw = std::move(value);
  return out;
}

json AuthServerMetadata::to_json() const {
  json value = raw.is_object() ? raw : json::object();
  value["issuer"] = issuer;
  value["authorization_endpoint"] = authorization_endpoint;
  value["token_endpoint"] = token_endpoint;
  if (!registration_endpoint.empty()) {
    value["registration_endpoint"] = registration_endpoint;
  }
  value["x_bridge_discovered"] = discovered;
  return value;
}

AuthServerMetadata AuthServerMetadata::from_json(const json& value) {
  AuthServerMetadata out;
  if (!value.is_object()) {
    return out;
  }
  out.raw = value;
  out.raw.erase("x_bridge_discovered");
  out.discovered = value.value("x_bridge_discovered", true);
  out.issuer = string_field(value, "issuer");
  out.authorization_endpoint = string_field(value, "authorization_endpoint");
  out.token_endpoint = string_field(value, "token_endpoint");
  out.registration_endpoint = string_field(value, "registration_endpoint");
  out.revocation_endpoint = string_field(value, "revocation_endpoint");
  out.device_authorization_endpoint = string_field(value, "device_authorization_endpoint");
  out.code_challenge_methods_supported = string_array(value, "code_challenge_methods_supported");
  out.token_endpoint_auth_methods_supported = string_array(value, "token_endpoint_auth_methods_supported");
  out.grant_types_supported = string_array(value, "grant_types_supported");
  out.scopes_supported = optional_string_array(value, "scopes_supported");
  auto cimd = value.find("client_id_metadata_document_supported");
  out.client_id_metadata_document_supported = cimd != value.end() && cimd->is_boolean() && cimd->get<bool>();
  auto iss = value.find("authorization_response_iss_parameter_supported");
  out.authorization_response_iss_parameter_supported = iss != value.end() && iss->is_boolean() && iss->get<bool>();
  return out;
}

core::Result<AuthServerMetadata> parse_authorization_server_metadata(const std::string& body) {
  json value = json::parse(body, nullptr, false);
  if (!value.is_object()) {
    return core::make_error(core::ErrorKind::protocol, "authorization-server metadata is not a JSON object");
  }
  value.erase("x_bridge_discovered");
  auto out = AuthServerMetadata::from_json(value);
  out.discovered = true;
  if (out.authorization_endpoint.empty() && out.token_endpoint.empty()) {
    return core::make_error(core::ErrorKind::protocol, "authorization-server metadata names no endpoints");
  }
  return out;
}

bool issuer_matches(std::string_view claimed, std::string_view expected) {
  if (claimed.empty()) {
    return false;
  }
  if (claimed == expected) {
    return true;
  }
  auto a = core::parse_url(claimed);
  auto b = core::parse_url(expected);
  if (!a || !b) {
    return false;
  }
  auto path = [](const core::Url& url) { return url.path.empty() ? std::string("/") : url.path; };
  return core::same_origin(*a, *b) && path(*a) == path(*b) && a->has_query == b->has_query && a->query == b->query &&
         a->fragment == b->fragment;
}

core::Status check_issuer(const AuthServerMetadata& metadata, std::string_view expected, std::string_view metadata_url) {
  if (issuer_matches(metadata.issuer, expected)) {
    return core::ok_status();
  }
  std::string claimed = metadata.issuer.empty() ? "no issuer" : "the issuer \"" + metadata.issuer + "\"";
  return core::make_error(core::ErrorKind::auth, "the authorization-server metadata at " + std::string(metadata_url) +
                                                     " names " + claimed + ", not \"" + std::string(expected) +
                                                     "\" whose metadata was asked for (RFC 8414 §3.3); refusing to use it");
}

AuthServerMetadata default_endpoints(std::string_view server_url) {
  AuthServerMetadata out;
  auto url = core::parse_url(server_url);
  if (!url) {
    return out;
  }
  std::string origin = core::origin_of(*url);
  out.discovered = false;
  out.issuer = origin;
  out.authorization_endpoint = origin + "/authorize";
  out.token_endpoint = origin + "/token";
  out.registration_endpoint = origin + "/register";
  return out;
}

std::vector<std::string> split_scopes(std::string_view scopes) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < scopes.size()) {
    auto start = scopes.find_first_not_of(' ', pos);
    if (start == std::string_view::npos) {
      break;
    }
    auto end = scopes.find(' ', start);
    if (end == std::string_view::npos) {
      end = scopes.size();
    }
    std::string scope(scopes.substr(start, end - start));
    if (std::find(out.begin(), out.end(), scope) == out.end()) {
      out.push_back(std::move(scope));
    }
    pos = end;
  }
  return out;
}

namespace {
std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& scope : scopes) {
    if (!out.empty()) {
      out += ' ';
    }
    out += scope;
  }
  return out;
}
} // namespace

std::optional<std::string> choose_scope(const std::vector<std::string>& configured, std::string_view challenge_scope,
                                        const std::optional<std::vector<std::string>>& scopes_supported) {
  if (!configured.empty()) {
    return join_scopes(configured);
  }
  if (!split_scopes(challenge_scope).empty()) {
    return join_scopes(split_scopes(challenge_scope));
  }
  if (scopes_supported && !scopes_supported->empty()) {
    return join_scopes(*scopes_supported);
  }
  return std::nullopt;
}

std::string union_scopes(std::string_view granted, std::string_view wanted) {
  auto scopes = split_scopes(granted);
  for (auto& scope : split_scopes(wanted)) {
    if (std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) {
      scopes.push_back(std::move(scope));
    }
  }
  return join_scopes(scopes);
}

} // namespace bridge::auth
