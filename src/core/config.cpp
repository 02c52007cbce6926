#include "core/config.hpp"

#include "core/duplicate_keys.hpp"
#include "core/url.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace bridge::core {
namespace {

// ordered_json: servers keep the order of the file (it decides which of two clashing names keeps
// the plain one, and the order `bridge list` shows).
using json = nlohmann::ordered_json;

// Builds "<file>: <field>: <problem> — <fix>" messages.
class Problems {
public:
  explicit Problems(const std::filesystem::path& path) : m_path(path.string()) {}

  Error error(const std::string& field, const std::string& problem, const std::string& fix) const {
    std::string message = m_path + ": " + field + ": " + problem;
    if (!fix.empty()) {
      message += " — " + fix;
    }
    return make_error(ErrorKind::invalid_input, message);
  }

  std::string warning(const std::string& field, const std::string& problem) const {
    return m_path + ": " + field + ": " + problem;
  }

private:
  std::string m_path;
};

const char* type_name(const json& value) {
  switch (value.type()) {
  case json::value_t::object: return "an object";
  case json::value_t::array: return "an array";
  case json::value_t::string: return "a string";
  case json::value_t::boolean: return "a boolean";
  case json::value_t::null: return "null";
  default: return "a number";
  }
}

// Reads optional typed members of one JSON object, collecting the first error and the unknown
// keys, so each server block is checked in one pass with uniform messages.
class ObjectReader {
public:
  ObjectReader(const json& object, std::string field, const Problems& problems, std::set<std::string> known)
      : m_object(object), m_field(std::move(field)), m_problems(problems), m_known(std::move(known)) {}

  void string(const char* key, std::string& out, const char* example) {
    const json* value = find(key);
    if (value == nullptr) {
      return;
    }
    if (!value->is_string()) {
      fail(key, std::string("must be a string, not ") + type_name(*value), std::string("e.g. ") + example);
      return;
    }
    out = value->get<std::string>();
  }

  void boolean(const char* key, bool& out) {
    const json* value = find(key);
    if (value == nullptr) {
      return;
    }
    if (!value->is_boolean()) {
      fail(key, std::string("must be true or false, not ") + type_name(*value), "");
      return;
    }
    out = value->get<bool>();
  }

  void integer(const char* key, int& out, int min, int max) {
    const json* value = find(key);
    if (value == nullptr) {
      return;
    }
    if (!value->is_number_integer() || value->get<long long>() < min || value->get<long long>() > max) {
      fail(key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max), "");
      return;
    }
    out = value->get<int>();
  }

  void string_list(const char* key, std::vector<std::string>& out) {
    const json* value = find(key);
    if (value == nullptr) {
      return;
    }
    if (!value->is_array()) {
      fail(key, std::string("must be an array of strings, not ") + type_name(*value), "e.g. [\"user_*\"]");
      return;
    }
    for (const auto& item : *value) {
      if (!item.is_string()) {
        fail(key, "must contain only strings", "");
        return;
      }
      out.push_back(item.get<std::string>());
    }
  }

  const json* object(const char* key) {
    const json* value = find(key);
    if (value != nullptr && !value->is_object()) {
      fail(key, std::string("must be an object, not ") + type_name(*value), "");
      return nullptr;
    }
    return value;
  }

  void fail(const std::string& key, const std::string& problem, const std::string& fix) {
    if (!m_error) {
      m_error = m_problems.error(m_field + "." + key, problem, fix);
    }
  }

  void collect_unknown(std::vector<std::string>& warnings) const {
    for (const auto& [key, value] : m_object.items()) {
      if (m_known.count(key) == 0) {
        warnings.push_back(m_problems.warning(m_field + "." + key, "unknown field, ignored (check the spelling)"));
      }
    }
  }

  [[nodiscard]] const std::optional<Error>& error() const { return m_error; }

private:
  const json* find(const char* key) {
    auto it = m_object.find(key);
    return it == m_object.end() ? nullptr : &*it;
  }

  const json& m_object;
  std::string m_field;
  const Problems& m_problems;
  std::set<std::string> m_known;
  std::optional<Error> m_error;
};

constexpr std::size_t k_max_prefix = 48; // leaves room for tool names within the 64 of DESIGN.md

const std::regex& prefix_pattern() {
  static const std::regex pattern("^[A-Za-z0-9_-]*$");
  return pattern;
}

const std::regex& name_pattern() {
  static const std::regex pattern("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$");
  return pattern;
}

Status validate_url(ServerConfig& server, const Problems& problems) {
  std::string field = "servers." + server.name + ".url";
  if (server.url.empty()) {
    return problems.error(field, "missing", "every server needs \"url\", e.g. \"https://mcp.jumpcloud.com/v1\"");
  }
  auto url = parse_url(server.url);
  if (!url) {
    return problems.error(field, url.error().message + " (" + server.url + ")",
                          "write the full URL, e.g. \"https://mcp.example.com/mcp\"");
  }
  if (url->scheme != "https" && url->scheme != "http") {
    return problems.error(field, "scheme \"" + url->scheme + "\" is not supported", "use https:// (or http:// for a local server)");
  }
  if (url->scheme == "http" && !is_loopback_host(url->host) && !server.allow_http) {
    return problems.error(field, "plain http to a non-loopback host (" + url->host + ") would send credentials unencrypted",
                          "use https://, or set \"allow_http\": true for this server if you really mean it");
  }
  return ok_status();
}

// The grant, and what the enterprise grant needs before any network work.
Status validate_oauth(const OAuthSettings& oauth, const std::string& field, bool has_idp, const Problems& problems) {
  const auto& grant = oauth.grant;
  if (grant != "authorization_code" && grant != "client_credentials" && grant != "device_code" && grant != "enterprise") {
    return problems.error(field + ".grant", "unknown grant \"" + grant + "\"",
                          "use \"authorization_code\", \"client_credentials\", \"device_code\" or \"enterprise\"");
  }
  if (grant != "enterprise") {
    if (has_idp) {
      return problems.error(field + ".idp", "is only used with \"grant\": \"enterprise\"",
                            "remove it, or set \"grant\": \"enterprise\"");
    }
    return ok_status();
  }
  if (oauth.client_id.empty()) {
    return problems.error(field + ".client_id", "missing for the enterprise grant",
                          "give the client ID the MCP server's authorization server registered for the bridge (the IdP names it in the ID-JAG)");
  }
  if (!has_idp || oauth.idp.client_id.empty()) {
    return problems.error(field + ".idp.client_id", "missing for the enterprise grant",
                          "give the bridge's client ID at your identity provider");
  }
  if (oauth.idp.issuer.empty() && oauth.idp.token_endpoint.empty()) {
    return problems.error(field + ".idp.issuer", "missing for the enterprise grant",
                          "give your identity provider's issuer URL, e.g. \"https://acme.okta.com\"");
  }
  if (oauth.idp.issuer.empty() && oauth.idp.id_token.empty()) {
    return problems.error(field + ".idp.issuer", "missing: without \"id_token\" the bridge signs in at the IdP and needs its issuer",
                          "give your identity provider's issuer URL, e.g. \"https://acme.okta.com\"");
  }
  return ok_status();
}

Result<ServerConfig> parse_server(const std::string& name, const json& value, const Problems& problems,
                                  std::vector<std::string>& warnings) {
  std::string field = "servers." + name;
  if (!std::regex_match(name, name_pattern())) {
    return problems.error(field, "invalid server name", "use letters, digits, '_', '-' or '.', starting with a letter or digit (at most 64)");
  }
  if (!value.is_object()) {
    return problems.error(field, std::string("must be an object, not ") + type_name(value),
                          "e.g. {\"url\": \"https://mcp.example.com/mcp\"}");
  }
  ServerConfig server;
  server.name = name;
  server.prefix = name + "_";
  for (char& c : server.prefix) {
    if (c == '.') {
      c = '_'; // names may carry dots, tool names may not
    }
  }
  ObjectReader reader(value, field, problems,
                      {"url", "prefix", "organizationID", "auth", "token", "oauth", "headers", "tools", "allow_http",
                       "ca_file", "timeout_s", "max_timeout_s", "max_connections", "max_list_mb", "enabled", "description", "confirm", "confirm_destructive", "read_only",
                       "unannotated"});
  reader.string("url", server.url, "\"https://mcp.jumpcloud.com/v1\"");
  reader.string("prefix", server.prefix, "\"jc_admin_\"");
  std::string organization_id;
  reader.string("organizationID", organization_id, "\"5f1e0123456789abcdef0123\"");
  if (value.contains("organizationID")) {
    server.organization_id = organization_id;
  }
  std::string auth = "none";
  bool auth_given = value.contains("auth");
  reader.string("auth", auth, "\"oauth\", \"token\" or \"none\"");
  reader.string("token", server.token, "\"${keychain:jungle}\"");
  reader.boolean("allow_http", server.allow_http);
  reader.string("ca_file", server.ca_file, "\"/etc/ssl/private-ca.pem\"");
  reader.integer("timeout_s", server.timeout_s, 1, 86400);
  reader.integer("max_timeout_s", server.max_timeout_s, 1, 86400);
  // 2 at least: over HTTP/1.1 the stream for server messages keeps one to itself.
  reader.integer("max_connections", server.max_connections, 2, 256);
  reader.integer("max_list_mb", server.max_list_mb, 1, 1024);
  server.max_timeout_s = std::max(server.max_timeout_s, server.timeout_s); // never shorter than one wait
  reader.boolean("enabled", server.enabled);
  reader.string_list("confirm", server.safety.confirm);
  reader.boolean("confirm_destructive", server.safety.confirm_destructive);
  reader.boolean("read_only", server.safety.read_only);
  std::string unannotated = "destructive";
  reader.string("unannotated", unannotated, "\"destructive\", \"confirm\" or \"non_destructive\"");
  if (auto parsed = parse_unannotated(unannotated)) {
    server.safety.unannotated = *parsed;
  } else {
    reader.fail("unannotated", "must be \"destructive\", \"confirm\" or \"non_destructive\", not \"" + unannotated + "\"",
                "\"destructive\" (the default) follows MCP's defaults for tools without annotations");
  }
  if (const json* headers = reader.object("headers")) {
    for (const auto& [key, header_value] : headers->items()) {
      if (!header_value.is_string()) {
        reader.fail("headers." + key, "must be a string", "");
        continue;
      }
      if (key.empty() || key.find_first_of(":\r\n ") != std::string::npos) {
        reader.fail("headers." + key, "is not a valid HTTP header name", "");
        continue;
      }
      server.headers[key] = header_value.get<std::string>();
    }
  }
  if (const json* tools = reader.object("tools")) {
    ObjectReader tools_reader(*tools, field + ".tools", problems, {"allow", "deny"});
    tools_reader.string_list("allow", server.tools.allow);
    tools_reader.string_list("deny", server.tools.deny);
    tools_reader.collect_unknown(warnings);
    if (tools_reader.error()) {
      return *tools_reader.error();
    }
  }
  if (const json* oauth = reader.object("oauth")) {
    ObjectReader oauth_reader(*oauth, field + ".oauth", problems,
                              {"client_id", "client_secret", "client_metadata_url", "scopes", "grant", "redirect_port",
                               "private_key_pem", "signing_algorithm", "idp"});
    oauth_reader.string("client_id", server.oauth.client_id, "\"my-client\"");
    oauth_reader.string("client_secret", server.oauth.client_secret, "\"${env:JC_SECRET}\"");
    oauth_reader.string("client_metadata_url", server.oauth.client_metadata_url, "\"https://example.com/client.json\"");
    oauth_reader.string_list("scopes", server.oauth.scopes);
    oauth_reader.string("grant", server.oauth.grant, "\"authorization_code\"");
    oauth_reader.integer("redirect_port", server.oauth.redirect_port, 0, 65535);
    oauth_reader.string("private_key_pem", server.oauth.private_key_pem, "\"${file:/path/key.pem}\"");
    oauth_reader.string("signing_algorithm", server.oauth.signing_algorithm, "\"ES256\"");
    const json* idp = oauth_reader.object("idp");
    oauth_reader.collect_unknown(warnings);
    if (oauth_reader.error()) {
      return *oauth_reader.error();
    }
    if (idp != nullptr) {
      auto& settings = server.oauth.idp;
      ObjectReader idp_reader(*idp, field + ".oauth.idp", problems,
                              {"issuer", "token_endpoint", "client_id", "client_secret", "id_token"});
      idp_reader.string("issuer", settings.issuer, "\"https://acme.okta.com\"");
      idp_reader.string("token_endpoint", settings.token_endpoint, "\"https://acme.okta.com/oauth2/v1/token\"");
      idp_reader.string("client_id", settings.client_id, "\"0oa1bridge\"");
      idp_reader.string("client_secret", settings.client_secret, "\"${keychain:okta}\"");
      idp_reader.string("id_token", settings.id_token, "\"${env:IDP_ID_TOKEN}\"");
      idp_reader.collect_unknown(warnings);
      if (idp_reader.error()) {
        return *idp_reader.error();
      }
    }
    if (auto status = validate_oauth(server.oauth, field + ".oauth", idp != nullptr, problems); !status) {
      return status.error();
    }
  }
  reader.collect_unknown(warnings);
  if (reader.error()) {
    return *reader.error();
  }

  if (auth == "none") {
    server.auth = AuthMode::none;
  } else if (auth == "token") {
    server.auth = AuthMode::token;
  } else if (auth == "oauth") {
    server.auth = AuthMode::oauth;
  } else {
    return problems.error(field + ".auth", "unknown value \"" + auth + "\"", "use \"oauth\", \"token\" or \"none\"");
  }
  if (!auth_given && !server.token.empty()) {
    server.auth = AuthMode::token; // a token without "auth" can only mean token auth
  } else if (!auth_given && value.contains("oauth")) {
    server.auth = AuthMode::oauth; // and an "oauth" block, OAuth
  }
  if (server.auth == AuthMode::token && server.token.empty()) {
    return problems.error(field + ".token", "missing for \"auth\": \"token\"",
                          "store it with `bridge token set " + name + "` and write \"token\": \"${keychain:" + name + "}\"");
  }
  if (server.organization_id && server.organization_id->empty()) {
    return problems.error(field + ".organizationID", "is empty", "remove it or give the child organization's ID");
  }
  if (server.prefix.size() > k_max_prefix) {
    return problems.error(field + ".prefix",
                          "\"" + server.prefix + "\" is too long (" + std::to_string(server.prefix.size()) + " > " +
                              std::to_string(k_max_prefix) + " characters)",
                          "use a shorter prefix, e.g. \"" + name + "_\"");
  }
  if (!std::regex_match(server.prefix, prefix_pattern())) {
    return problems.error(field + ".prefix", "\"" + server.prefix + "\" has characters tool names cannot carry",
                          "use letters, digits, '_' and '-' only (at most 48), e.g. \"" + name + "_\"");
  }
  if (auto status = validate_url(server, problems); !status) {
    return status.error();
  }
  return server;
}

} // namespace

Result<Config> parse_config(const std::string& text, const std::filesystem::path& path) {
  Problems problems(path);
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) { // parse_error, and out_of_range for a number too large
    return problems.error("(file)", std::string("not valid JSON: ") + e.what(), "fix the syntax (a trailing comma? a missing quote?)");
  }
  if (auto duplicate = find_duplicate_key(text)) {
    return problems.error(duplicate->path, "appears twice (the second time on line " + std::to_string(duplicate->line) + ")",
                          "keep one of them: JSON would silently use only the last");
  }
  if (!root.is_object()) {
    return problems.error("(top level)", std::string("must be an object, not ") + type_name(root),
                          "start from {\"servers\": {}}");
  }
  Config config;
  config.path = path;
  ObjectReader reader(root, "(top level)", problems, {"servers", "token_store", "page_size", "audit_log", "max_client_message_mb", "$schema"});
  reader.string("token_store", config.token_store, "\"keychain\" or \"file\"");
  int page_size = 0;
  reader.integer("page_size", page_size, 0, 100000);
  config.page_size = static_cast<std::size_t>(page_size);
  reader.boolean("audit_log", config.audit_log);
  reader.integer("max_client_message_mb", config.max_client_message_mb, 1, 4096);
  const json* servers = reader.object("servers");
  reader.collect_unknown(config.warnings);
  if (reader.error()) {
    return *reader.error();
  }
  if (!config.token_store.empty() && config.token_store != "keychain" && config.token_store != "file") {
    return problems.error("token_store", "unknown value \"" + config.token_store + "\"", "use \"keychain\" or \"file\"");
  }
  if (servers == nullptr) {
    config.warnings.push_back(problems.warning("servers", "missing: no upstream servers configured (add one with `bridge add`)"));
    return config;
  }

  std::map<std::string, std::string> prefix_owner;
  bool empty_prefix_seen = false;
  for (const auto& [name, value] : servers->items()) {
    auto server = parse_server(name, value, problems, config.warnings);
    if (!server) {
      return server.error();
    }
    if (server->enabled) {
      if (server->prefix.empty()) {
        if (empty_prefix_seen) {
          return problems.error("servers." + name + ".prefix", "a second server with an empty prefix",
                                "only one server may have \"prefix\": \"\"; give this one its own prefix");
        }
        empty_prefix_seen = true;
      } else if (auto [it, inserted] = prefix_owner.emplace(server->prefix, name); !inserted) {
        return problems.error("servers." + name + ".prefix",
                              "\"" + server->prefix + "\" is already the prefix of server \"" + it->second + "\"",
                              "give each server its own prefix, e.g. \"" + name + "_\"");
      }
    }
    config.servers.push_back(std::move(*server));
  }
  return config;
}

Result<Config> load_config(const std::filesystem::path& path) {
  if (std::error_code ec; std::filesystem::is_directory(path, ec)) {
    return make_error(ErrorKind::invalid_input, path.string() + ": is a directory — name the config file itself, e.g. " +
                                                    (path / "config.json").string());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return make_error(ErrorKind::not_found, path.string() + ": no such file — create it with `bridge add NAME --url URL`");
    }
    return make_error(ErrorKind::io, path.string() + ": cannot be read (check its permissions)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

std::string effective_url(const ServerConfig& server) {
  if (!server.organization_id) {
    return server.url;
  }
  return append_query_parameter(server.url, "organizationID", *server.organization_id);
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point: linear for patterns with a single '*' run.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

bool tool_allowed(const ToolFilter& filter, std::string_view tool) {
  auto matches = [tool](const std::vector<std::string>& globs) {
    for (const auto& glob : globs) {
      if (glob_match(glob, tool)) {
        return true;
      }
    }
    return false;
  };
  if (!filter.allow.empty() && !matches(filter.allow)) {
    return false;
  }
  return !matches(filter.deny);
}

} // namespace bridge::core
