#pragma once

// Pure pieces of MCP authorization discovery (MCP 2025-11-25 "Authorization", RFC 9728, RFC 8414,
// OpenID Connect Discovery): which URLs to try, in which order, and how to read what comes back.
// No I/O here; auth/oauth_client.cpp does the fetching.

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bridge::auth {

// The canonical URI of an MCP server (RFC 8707 `resource`): scheme and host lower-cased, no
// fragment, no trailing slash on an empty path. The query (e.g. ?organizationID=…) is kept: it
// names the resource as precisely as the server URL does.
core::Result<std::string> canonical_resource(std::string_view server_url);

// Protected-resource metadata locations in the spec's order: the WWW-Authenticate
// resource_metadata URL when given, then the path-aware well-known URL, then the root one.
std::vector<std::string> protected_resource_metadata_urls(std::string_view server_url, std::string_view header_url);

// Authorization-server metadata locations for an issuer, in the spec's order:
//   with a path:  /.well-known/oauth-authorization-server/<path>, /.well-known/openid-configuration/<path>,
//                 <path>/.well-known/openid-configuration (never the root);
//   without:      /.well-known/oauth-authorization-server, /.well-known/openid-configuration.
std::vector<std::string> authorization_server_metadata_urls(std::string_view issuer);

// True when the protected-resource metadata's `resource` may stand for `server_url`: same origin,
// and its path is the server's path or a parent of it (RFC 9728 §3.3; MCP: the client must not
// use a token for another resource).
bool resource_matches(std::string_view resource, std::string_view server_url);

struct ProtectedResourceMetadata {
  std::string url; // where it was found
  std::string resource;
  std::vector<std::string> authorization_servers;
  std::optional<std::vector<std::string>> scopes_supported;
  nlohmann::json raw = nlohmann::json::object();
};

core::Result<ProtectedResourceMetadata> parse_protected_resource_metadata(const std::string& body, const std::string& url);

struct AuthServerMetadata {
  bool discovered = false; // false: the 2025-03-26 default endpoints at the server's origin
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string registration_endpoint;
  std::string revocation_endpoint;
  std::string device_authorization_endpoint;
  std::vector<std::string> code_challenge_methods_supported;
  std::vector<std::string> token_endpoint_auth_methods_supported;
  std::vector<std::string> grant_types_supported;
  std::optional<std::vector<std::string>> scopes_supported;
  bool client_id_metadata_document_supported = false;
  bool authorization_response_iss_parameter_supported = false;
  nlohmann::json raw = nlohmann::json::object();

  [[nodiscard]] nlohmann::json to_json() const;
  static AuthServerMetadata from_json(const nlohmann::json& value);
};

core::Result<AuthServerMetadata> parse_authorization_server_metadata(const std::string& body);

// RFC 8414 §3.3 (OpenID Connect Discovery §4.3 alike): the metadata's `issuer` must be the issuer
// whose well-known URL it was fetched from, or it is not used — another server's metadata (a
// mix-up) would send codes and tokens to the wrong place. Identical URLs, where only what
// RFC 3986 §6.2 makes the same URL is forgiven: scheme and host in any case, a default port
// written out, and "" for "/" as the whole path ("https://as.example.com" in the resource's
// metadata and "https://as.example.com/" in the server's are one issuer). A missing issuer fails.
bool issuer_matches(std::string_view claimed, std::string_view expected);
// Error{auth} naming both issuers and where the metadata came from, when they differ.
core::Status check_issuer(const AuthServerMetadata& metadata, std::string_view expected, std::string_view metadata_url);

// MCP 2025-03-26: no metadata at all ⇒ /authorize, /token and /register at the server's origin.
AuthServerMetadata default_endpoints(std::string_view server_url);

// Scope selection (MCP 2025-11-25 "Scope Selection Strategy"): the configured scopes when the
// user set any, else the 401 challenge's `scope`, else the resource's `scopes_supported`, else
// nothing (the parameter is omitted).
std::optional<std::string> choose_scope(const std::vector<std::string>& configured, std::string_view challenge_scope,
                                        const std::optional<std::vector<std::string>>& scopes_supported);

// Step-up: the union of what was granted and what the 403 asks for, in first-seen order.
std::string union_scopes(std::string_view granted, std::string_view wanted);

std::vector<std::string> split_scopes(std::string_view scopes);

} // namespace bridge::auth
