#include "cli/wiring.hpp"

#include "auth/oauth_source.hpp"
#include "auth/prepared_link.hpp"
#include "auth/referenced_headers.hpp"
#include "auth/references.hpp"
#include "auth/static_token.hpp"
#include "auth/token_store.hpp"
#include "cli/catalog_saver.hpp"
#include "cli/logging.hpp"
#include "core/catalog_cache.hpp"
#include "core/url.hpp"
#include "platform/platform.hpp"
#include "transport/streamable_http.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace bridge::cli {
namespace {

// The auth source an upstream's transport asks for its Authorization header.
std::shared_ptr<transport::AuthSource> make_auth(const core::ServerConfig& server, transport::EventLoop& loop, platform::StorePreference preference,
                                                 bool background_login) {
  switch (server.auth) {
  case core::AuthMode::token:
    return std::make_shared<auth::StaticTokenAuth>(server.name, server.token, preference, loop);
  case core::AuthMode::oauth:
    if (!background_login) {
      auto store = auth::TokenStore::open(preference);
      auto bundle = store ? store->load(auth::token_key(server)) : core::Result<std::optional<auth::TokenBundle>>(store.error());
      if (!bundle) {
        // The store itself failed (a locked or hung keychain): say that, not "not logged in",
        // whose remedy (`bridge login`) would meet the same failure.
        return std::make_shared<auth::UnavailableAuth>(core::make_error(core::ErrorKind::auth, bundle.error().message));
      }
      if (!bundle->has_value() || !(*bundle)->usable(auth::unix_now())) {
        return std::make_shared<auth::UntilAskedAuth>(core::make_error(core::ErrorKind::auth, "not logged in"));
      }
    }
    // Tokens from `bridge login` (or a login it starts itself), refreshed as needed.
    return std::make_shared<auth::OAuthSource>(server, preference, loop);
  case core::AuthMode::none:
    break;
  }
  return nullptr;
}

std::unique_ptr<core::UpstreamLink> make_link(transport::EventLoop& loop, const core::ServerConfig& server,
                                              core::UpstreamListener& listener, std::size_t index,
                                              platform::StorePreference preference, bool background_login) {
  transport::StreamableHttpOptions options;
  options.name = server.name;
  options.url = core::effective_url(server);
  options.ca_file = server.ca_file;
  options.timeout = std::chrono::seconds(server.timeout_s);
  options.max_list_bytes = static_cast<std::size_t>(server.max_list_mb) << 20;
  auto url = core::parse_url(server.url);
  options.allow_http_redirects = url && url->scheme == "http";
  options.auth = make_auth(server, loop, preference, background_login);
  auto oauth = std::dynamic_pointer_cast<auth::OAuthSource>(options.auth);
  transport::HeaderList referenced;
  for (const auto& [name, value] : server.headers) {
    if (auth::ReferenceResolver::has_reference(value)) {
      referenced.emplace_back(name, value);
    } else {
      options.headers.emplace_back(name, value);
    }
  }
  // Set once the link exists; the headers arrive later, on the loop thread.
  auto http = std::make_shared<transport::StreamableHttpLink*>(nullptr);
  if (!referenced.empty()) {
    // Read on a worker before the first connect (a keychain may be slow); an unreadable one makes
    // this upstream fail alone, with the reason.
    options.auth = std::make_shared<auth::ReferencedHeaders>(
        server.name, std::move(referenced), preference, options.auth,
        [http](transport::HeaderList resolved) { (*http)->add_headers(std::move(resolved)); }, loop);
  }
  auto auth = options.auth;
  auto http_link = std::make_unique<transport::StreamableHttpLink>(loop, std::move(options), listener, index);
  *http = http_link.get();
  std::unique_ptr<core::UpstreamLink> link = std::move(http_link);
  if (auth) {
    // The first connect waits for the credentials, read off the loop thread.
    link = std::make_unique<auth::PreparedLink>(std::move(link), std::move(auth));
  }
  if (!oauth) {
    return link;
  }
  // A login that completes in the background connects the upstream again (its tools then appear).
  auto reconnecting = std::make_unique<auth::ReconnectingLink>(std::move(link));
  oauth->set_on_credentials([raw = reconnecting.get()] { raw->reconnect(); });
  return reconnecting;
}

} // namespace

platform::StorePreference store_preference(const core::Config& config) {
  if (config.token_store == "keychain") {
    return platform::StorePreference::keychain;
  }
  if (config.token_store == "file") {
    return platform::StorePreference::file;
  }
  return platform::StorePreference::automatic;
}

Bridge build_bridge(const core::Config& config, transport::EventLoop& loop, core::ClientWriter& writer,
                    const std::string& only, bool background_login,
                    std::function<void(const nlohmann::ordered_json& record)> observe_calls) {
  Bridge bridge;
  for (const auto& server : config.servers) {
    if (server.enabled && (only.empty() || server.name == only)) {
      bridge.servers.push_back(server);
    }
  }
  core::RouterOptions options;
  options.page_size = config.page_size;
  if (config.audit_log) {
    options.audit = make_audit_writer(); // one JSON line per tool call (cli/logging.hpp)
  }
  if (observe_calls) {
    options.audit = [log = std::move(options.audit), observe = std::move(observe_calls)](const nlohmann::ordered_json& record) {
      if (log) {
        log(record);
      }
      observe(record);
    };
  }
  // The cached catalog: lists answered at once on the next start, refreshed in the background.
  auto cache = std::make_shared<core::CatalogCache>(platform::data_dir() / "cache", bridge.servers);
  // Written on the saver's thread, not the loop's; the router owns the saver through this.
  options.save_catalog = [saver = std::make_shared<CatalogSaver>(cache)](const core::CatalogSnapshot& snapshot) {
    saver->save(snapshot);
  };
  // libcurl's cap is per host for the whole process: the largest any entry asks for.
  int connections = 0;
  for (const auto& server : bridge.servers) {
    connections = std::max(connections, server.max_connections);
  }
  if (connections > 0) {
    loop.limit_connections_per_host(connections);
  }
  bridge.router = std::make_unique<core::Router>(bridge.servers, options, loop, writer);
  if (!bridge.servers.empty()) {
    if (auto snapshot = cache->load()) {
      bridge.router->preload_catalog(*snapshot);
    }
  }
  for (std::size_t i = 0; i < bridge.servers.size(); ++i) {
    bridge.router->set_link(i, make_link(loop, bridge.servers[i], *bridge.router, i,
                                         store_preference(config), background_login));
  }
  return bridge;
}

} // namespace bridge::cli
