#pragma once

// The config file (a contract: DESIGN.md "Config"). Loading validates everything up front and
// reports the file, the field and the fix; values that are references (${env:…}, ${file:…},
// ${keychain:…}) are kept as written here and resolved by auth/ when needed, so a secret never
// sits in this struct longer than necessary.

#include "core/policy.hpp"
#include "core/result.hpp"

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bridge::core {

enum class AuthMode { none, token, oauth };

// Enterprise-Managed Authorization (MCP extension, SEP-990; "Cross App Access"): the user's
// enterprise identity provider, where the bridge signs in with OpenID Connect and exchanges the
// ID token for an ID-JAG (RFC 8693) that the MCP server's authorization server accepts as a
// JWT bearer grant (RFC 7523).
struct IdpSettings {
  std::string issuer;               // OpenID discovery of the IdP's endpoints
  std::string token_endpoint;       // overrides the discovered one
  std::string client_id;            // the bridge's client at the IdP (the ID token's audience)
  std::string client_secret;        // may be a reference
  std::string id_token;             // may be a reference; empty = sign in through the browser
};

struct OAuthSettings {
  std::string client_id;
  std::string client_secret;        // may be a reference
  std::string client_metadata_url;
  std::vector<std::string> scopes;
  std::string grant = "authorization_code"; // or client_credentials, device_code, enterprise
  int redirect_port = 0;            // 0 = ephemeral
  std::string private_key_pem;      // may be a reference
  std::string signing_algorithm;
  IdpSettings idp;                  // grant "enterprise" only
};

struct ToolFilter {
  std::vector<std::string> allow; // globs; empty = everything
  std::vector<std::string> deny;  // globs
};

struct ServerConfig {
  std::string name;
  std::string url;                  // as written
  std::string prefix;               // defaults to name + "_"
  std::optional<std::string> organization_id;
  AuthMode auth = AuthMode::none;
  std::string token;                // as written (usually a reference)
  OAuthSettings oauth;
  std::map<std::string, std::string> headers; // values may be references
  ToolFilter tools;
  SafetyPolicy safety;              // "confirm", "confirm_destructive", "read_only"
  bool allow_http = false;
  std::string ca_file;
  int timeout_s = 60;
  // A call that keeps reporting progress gets timeout_s again after each report, up to this in all.
  int max_timeout_s = 3600;
  // At most this many connections to this server's host at once; more requests wait their turn
  // (HTTP/2 carries them all over one).
  int max_connections = 16;
  // One page of this server's tools/prompts/resources list may be at most this large.
  int max_list_mb = 32;
  bool enabled = true;
};

struct Config {
  std::filesystem::path path;       // where it was read from (for messages)
  std::vector<ServerConfig> servers; // in file order; enabled and disabled alike
  std::string token_store;          // "", "keychain" or "file"
  std::size_t page_size = 0;        // tools/prompts/resources page size toward the client; 0 = one page
  bool audit_log = false;           // one JSON line per tool call in <data dir>/audit.log
  int max_client_message_mb = 256;  // a longer line from the AI client is refused, not read
  std::vector<std::string> warnings; // unknown fields and other non-fatal findings
};

// Parses and validates config text. Errors name `path`, the field and the fix.
Result<Config> parse_config(const std::string& text, const std::filesystem::path& path);

// Reads and parses the file. A missing file is Error{not_found}.
Result<Config> load_config(const std::filesystem::path& path);

// The URL the bridge really talks to: url with ?organizationID=… appended when set.
std::string effective_url(const ServerConfig& server);

// Shell-style glob with * and ?, used by tool allow/deny filters.
bool glob_match(std::string_view pattern, std::string_view text);

// True when the tool passes the server's allow/deny filters.
bool tool_allowed(const ToolFilter& filter, std::string_view tool);

} // namespace bridge::core
