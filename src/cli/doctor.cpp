// `bridge doctor`: config, secrets, token store, DNS, TLS, HTTP, auth and clock, one finding per
// line, each problem with its fix. Probes go through transport::EventLoop (libcurl stays in one file).

#include "auth/references.hpp"
#include "cli/commands.hpp"
#include "cli/doctor_reply.hpp"
#include "cli/logging.hpp"
#include "platform/platform.hpp"
#include "cli/support.hpp"
#include "cli/wiring.hpp"
#include "core/url.hpp"
#include "platform/secret_store.hpp"
#include "transport/event_loop.hpp"
#include "version.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>

namespace bridge::cli {
namespace {

using nlohmann::json;

enum class Level { ok, info, warn, fail };

struct Finding {
  Level level;
  std::string what;
  std::string fix;
};

class Report {
public:
  void add(Level level, std::string what, std::string fix = {}) {
    if (level == Level::fail) {
      ++m_failures;
    }
    if (level == Level::warn) {
      ++m_warnings;
    }
    const char* tag = level == Level::ok ? "ok  " : level == Level::info ? "info" : level == Level::warn ? "WARN" : "FAIL";
    std::printf("%s  %s\n", tag, what.c_str());
    if (!fix.empty()) {
      std::printf("      fix: %s\n", fix.c_str());
    }
    std::fflush(stdout);
  }
  void section(const std::string& title) { std::printf("\n%s\n", title.c_str()); }
  [[nodiscard]] int failures() const { return m_failures; }
  [[nodiscard]] int warnings() const { return m_warnings; }

private:
  int m_failures = 0;
  int m_warnings = 0;
};

bool looks_secret_header(std::string name) {
  for (char& c : name) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name == "authorization" || name.find("token") != std::string::npos || name.find("key") != std::string::npos ||
         name.find("secret") != std::string::npos || name.find("cookie") != std::string::npos;
}

// "Sun, 06 Nov 1994 08:49:37 GMT" → seconds since the epoch.
std::optional<long long> parse_http_date(const std::string& text) {
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  char month_name[4] = {};
  if (std::sscanf(text.c_str(), "%*3s, %d %3s %d %d:%d:%d", &day, month_name, &year, &hour, &minute, &second) != 6) {
    return std::nullopt;
  }
  static const std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int month = 0;
  for (int i = 0; i < 12; ++i) {
    if (std::strcmp(months[static_cast<std::size_t>(i)], month_name) == 0) {
      month = i + 1;
    }
  }
  if (month == 0) {
    return std::nullopt;
  }
  // Days from the civil date (H. Hinnant's algorithm).
  int y = year - (month <= 2 ? 1 : 0);
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  long long days = static_cast<long long>(era) * 146097 + doe - 719468;
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

struct ProbeResult {
  core::Status status = core::ok_status();
  transport::HttpResponseHead head;
  std::string body;
  long long ms = 0;
};

// Runs HTTP exchanges on one event loop, all at once, until every one has finished.
class Prober {
public:
  void add(transport::HttpRequest request, std::function<void(const ProbeResult&)> done) {
    ++m_outstanding;
    auto result = std::make_shared<ProbeResult>();
    auto started = std::chrono::steady_clock::now();
    transport::HttpCallbacks callbacks;
    callbacks.on_body = [result](std::string_view chunk) {
      if (result->body.size() < 65536) {
        result->body.append(chunk.substr(0, 65536 - result->body.size()));
      }
      return true;
    };
    callbacks.on_done = [this, result, started, done = std::move(done)](const core::Status& status,
                                                                       const transport::HttpResponseHead& head) {
      result->status = status;
      result->head = head;
      result->ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
      done(*result);
      if (--m_outstanding == 0) {
        m_loop.stop();
      }
    };
    m_loop.start(std::move(request), std::move(callbacks));
  }
  void run() {
    if (m_outstanding > 0) {
      m_loop.schedule(std::chrono::seconds(40), [this] { m_loop.stop(); });
      m_loop.run();
    }
  }

private:
  transport::EventLoop m_loop;
  int m_outstanding = 0;
};

struct ServerProbe {
  const core::ServerConfig* server = nullptr;
  std::vector<Finding> findings;
  std::vector<std::string> session_ids;
  transport::HeaderList headers;
  bool credentials_ok = true;
};

std::string body_error(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    if (parsed.contains("error") && parsed["error"].is_string()) {
      return parsed["error"].get<std::string>();
    }
    if (parsed.contains("error") && parsed["error"].is_object()) {
      return parsed["error"].value("message", "");
    }
    if (parsed.contains("error_description") && parsed["error_description"].is_string()) {
      return parsed["error_description"].get<std::string>();
    }
  }
  return body.substr(0, 200);
}

void classify(ServerProbe& probe, const ProbeResult& result, const std::string& host) {
  const auto& server = *probe.server;
  bool jumpcloud = host.find("jumpcloud.com") != std::string::npos;
  auto add = [&probe](Level level, std::string what, std::string fix = {}) {
    probe.findings.push_back({level, std::move(what), std::move(fix)});
  };
  if (!result.status) {
    const std::string& message = result.status.error().message;
    if (result.status.error().kind == core::ErrorKind::protocol) { // a redirect the bridge refuses
      add(Level::fail, message, "set \"url\" to where the server is now, if that is the server you mean");
    } else if (message.find("resolve") != std::string::npos) {
      add(Level::fail, "DNS: cannot resolve " + host + " (" + message + ")",
          "check the host name in \"url\", your network, VPN or proxy settings");
    } else if (message.find("SSL") != std::string::npos || message.find("certificate") != std::string::npos ||
               message.find("TLS") != std::string::npos) {
      add(Level::fail, "TLS: " + message,
          "a private CA? set \"ca_file\" for this server; a proxy that inspects TLS needs its CA too; check the system clock");
    } else if (result.status.error().kind == core::ErrorKind::timeout) {
      add(Level::fail, "no answer from " + host + " within the time limit (" + message + ")",
          "a firewall or proxy in the way? is the server up?");
    } else if (auto proxy = proxy_for_host(host); !proxy.empty()) {
      add(Level::fail, "connect: " + message, "a proxy is set (" + proxy + "): check that it runs, or add the host to NO_PROXY");
    } else if (!result.head.request_sent) { // refused: the request never left
      add(Level::fail, "connection refused: nothing listens at " + host + " (" + message + ")",
          host == "localhost" || core::is_loopback_host(host)
              ? "start the server (MCPJungle: `mcpjungle start` or its docker compose), or check the port in \"url\""
              : "check the host and port in \"url\", that the server runs, and any firewall");
    } else {
      add(Level::fail, "connection closed: " + host + " took the request, then closed or reset the connection without an answer (" +
                           message + ")",
          "the server crashed or dropped it, or something in between cut it (a proxy, a load balancer, http:// to a TLS "
          "port): check the server's log and the scheme and port in \"url\"");
    }
    return;
  }
  add(Level::ok, "DNS, connection" + std::string(server.url.rfind("https", 0) == 0 ? " and TLS" : "") + " to " + host +
                     " (" + std::to_string(result.ms) + " ms)");
  long status = result.head.status;
  std::string content_type = result.head.header("content-type");
  if (status == 200 || status == 202) {
    bool mcp = content_type.find("json") != std::string::npos || content_type.find("event-stream") != std::string::npos;
    if (auto problem = mcp ? initialize_reply_problem(content_type, result.body) : std::string(); !problem.empty()) {
      add(Level::fail, "HTTP " + std::to_string(status) + " but no usable answer to initialize: " + problem,
          "the server (or something in between) sends a broken reply: check the server's log, or ask its admin");
    } else if (mcp) {
      add(Level::ok, "MCP endpoint answers initialize (HTTP " + std::to_string(status) + ")");
      add(Level::ok, std::string("credentials accepted") +
                         (server.auth == core::AuthMode::none ? " (none needed)" : ""));
    } else {
      add(Level::fail, "HTTP " + std::to_string(status) + " but not an MCP reply (Content-Type " + content_type + ")",
          "the URL may point at a web page; use the Streamable HTTP endpoint");
    }
    if (auto id = result.head.header("mcp-session-id"); !id.empty()) {
      probe.session_ids.push_back(id);
    }
  } else if (status == 401) {
    std::string challenge = result.head.header("www-authenticate");
    if (server.auth == core::AuthMode::oauth) {
      add(Level::warn, "the server wants an OAuth sign-in (HTTP 401" +
                           std::string(challenge.find("resource_metadata") != std::string::npos ? ", OAuth metadata offered" : "") + ")",
          "run `bridge login " + server.name + "`" +
              (jumpcloud ? " (or use an admin API key: `bridge add " + server.name + " --auth token --replace`)" : ""));
    } else if (server.auth == core::AuthMode::token) {
      add(Level::fail, "the server rejected the token (HTTP 401: " + body_error(result.body) + ")",
          "store the right one: `bridge token set " + server.name + "`" +
              (jumpcloud ? " — a JumpCloud admin API key (jca_…), sent as Bearer; and an admin must switch the MCP "
                           "server on (Admin Portal → Settings → Features → JumpCloud AI → MCP Server)"
                         : " (MCPJungle enterprise mode: the token printed by `mcpjungle create mcp-client`)"));
    } else {
      add(Level::fail, "the server wants credentials (HTTP 401)",
          "`bridge add " + server.name + " --auth token --replace` (asks for the token), or --auth oauth");
    }
  } else if (status == 403) {
    add(Level::fail, "forbidden (HTTP 403: " + body_error(result.body) + ")",
        jumpcloud ? "check \"organizationID\" (an MSP child org this admin may manage) and the admin's role"
                  : "the credentials are valid but not allowed here (MCPJungle: the client's allow-list or role)");
  } else if (status == 404) {
    add(Level::fail, "no MCP endpoint at " + server.url + " (HTTP 404)",
        "check the path: JumpCloud https://mcp.jumpcloud.com/v1; MCPJungle http://HOST:8080/mcp or /v0/groups/GROUP/mcp");
  } else if (status == 405 || status == 406 || status == 415 || status == 400) {
    add(Level::fail, "HTTP " + std::to_string(status) + ": not a Streamable HTTP MCP endpoint, or it refused the request (" +
                         body_error(result.body) + ")",
        "check the URL; an old HTTP+SSE-only server (/sse) is not supported by this build");
  } else {
    add(Level::fail, "HTTP " + std::to_string(status) + " (" + body_error(result.body) + ")",
        "the server is in trouble or the URL is wrong; try again later or ask its admin");
  }
  if (auto date = result.head.header("date"); !date.empty()) {
    if (auto server_time = parse_http_date(date)) {
      auto local = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
      long long skew = local - *server_time;
      if (skew > 120 || skew < -120) {
        add(Level::warn, "clock: this machine is " + std::to_string(skew > 0 ? skew : -skew) + " s " +
                             (skew > 0 ? "ahead of" : "behind") + " the server",
            "turn on time sync (Linux: `timedatectl set-ntp true`; macOS/Windows: set time automatically); tokens "
            "and TLS need a right clock");
      } else {
        add(Level::ok, "clock within " + std::to_string(skew > 0 ? skew : -skew) + " s of the server");
      }
    }
  }
}

bool looks_like_mcpjungle(const core::Url& url) {
  return url.path == "/mcp" || url.path.rfind("/v0/groups/", 0) == 0;
}

int run_doctor(const GlobalOptions& global) {
  setup_cli_logging(global.verbose);
  Report report;
  std::printf("bridge doctor (mcp-bridge %s)\n", k_version);
  report.section("Config");
  auto path = resolve_config_path(global);
  report.add(Level::info, "reading " + path.string() + " (" + config_path_source(global) + ")");
  auto loaded = core::load_config(path);
  if (!loaded) {
    if (loaded.error().kind == core::ErrorKind::not_found && !config_path_is_explicit(global)) {
      report.add(Level::warn, "no config at " + path.string(), "add a server: `bridge add jumpcloud` or `bridge add mcpjungle`");
    } else {
      report.add(Level::fail, loaded.error().message, "edit the file as the message says, then run `bridge doctor` again");
      return k_exit_failed;
    }
  }
  core::Config config = loaded ? std::move(*loaded) : core::Config{};
  if (loaded) {
    report.add(Level::ok, path.string() + " is valid (" + std::to_string(config.servers.size()) + " server" +
                              (config.servers.size() == 1 ? "" : "s") + ")");
  }
  for (const auto& warning : config.warnings) {
    report.add(Level::warn, warning, "fix the spelling or remove the field");
  }
  bool literal_secrets = false;
  for (const auto& server : config.servers) {
    auto literal = [&](const std::string& field, const std::string& value) {
      if (!value.empty() && !auth::ReferenceResolver::has_reference(value)) {
        literal_secrets = true;
        report.add(Level::warn, "servers." + server.name + "." + field + " holds a secret in the config file itself",
                   field == "token" ? "`bridge token set " + server.name + "`, then write \"token\": \"${keychain:" +
                                          server.name + "}\" (`bridge add " + server.name + " --auth token --replace`)"
                                    : "move it to the keychain (`bridge token set NAME`) and write \"${keychain:NAME}\", or use ${env:VAR}");
      }
    };
    literal("token", server.token);
    literal("oauth.client_secret", server.oauth.client_secret);
    literal("oauth.private_key_pem", server.oauth.private_key_pem);
    for (const auto& [name, value] : server.headers) {
      if (looks_secret_header(name)) {
        literal("headers." + name, value);
      }
    }
  }
  if (literal_secrets && loaded) {
    std::error_code ec;
    auto permissions = std::filesystem::status(path, ec).permissions();
    using std::filesystem::perms;
    if (!ec && (permissions & (perms::group_read | perms::others_read)) != perms::none) {
      report.add(Level::warn, path.string() + " holds secrets and other users can read it",
                 "move the secrets to the keychain, or `chmod 600 " + path.string() + "`");
    }
  }

  report.section("Token store");
  auto preference = store_preference(config);
  auto store = platform::open_secret_store(preference);
  if (!store) {
    report.add(Level::fail, store.error().message,
               "unlock or start the keychain, or use the file store: \"token_store\": \"file\" (or BRIDGE_TOKEN_STORE=file)");
  } else if ((*store)->is_keychain()) {
    report.add(Level::ok, (*store)->describe());
  } else {
    std::string text = (*store)->describe();
    bool chosen = preference == platform::StorePreference::file || platform::env("BRIDGE_TOKEN_STORE").has_value();
    report.add(Level::info, text,
               chosen ? "" : "no OS keychain answered; fine on a headless machine (the file is 0600) — for the keychain, "
                             "run a Secret Service such as gnome-keyring");
  }

  auth::ReferenceResolver resolver(preference);
  std::vector<ServerProbe> probes;
  for (const auto& server : config.servers) {
    if (!server.enabled) {
      continue;
    }
    ServerProbe probe;
    probe.server = &server;
    auto check = [&](const std::string& field, const std::string& value) -> std::optional<std::string> {
      if (value.empty()) {
        return std::string();
      }
      auto resolved = resolver.resolve(value, "servers." + server.name + "." + field);
      if (!resolved) {
        probe.credentials_ok = false;
        probe.findings.push_back({Level::fail, resolved.error().message,
                                  value.find("${keychain:") != std::string::npos
                                      ? "`bridge token set " + server.name + "`"
                                      : "set what the reference names (AI clients pass env vars in their \"env\" block)"});
        return std::nullopt;
      }
      if (auth::ReferenceResolver::has_reference(value)) {
        probe.findings.push_back({Level::ok, "servers." + server.name + "." + field + ": the reference resolves", ""});
      }
      return resolved.value();
    };
    if (server.auth == core::AuthMode::token) {
      if (auto token = check("token", server.token); token && !token->empty()) {
        probe.headers.emplace_back("Authorization", "Bearer " + *token);
      }
    }
    for (const auto& [name, value] : server.headers) {
      if (auto resolved = check("headers." + name, value)) {
        probe.headers.emplace_back(name, *resolved);
      }
    }
    if (server.auth == core::AuthMode::oauth) {
      bool present = false;
      std::string state = oauth_login_state(server, preference, present);
      probe.findings.push_back({present ? Level::ok : Level::warn, "OAuth login: " + state,
                                present ? "" : "`bridge login " + server.name + "`"});
      probe.findings.push_back({Level::info, "the probe below goes without the OAuth token; a 401 there is expected", ""});
    }
    probes.push_back(std::move(probe));
  }

  Prober prober;
  for (auto& probe : probes) {
    const auto& server = *probe.server;
    auto url = core::parse_url(server.url);
    std::string host = url ? url->host : server.url;
    transport::HttpRequest request;
    request.method = "POST";
    request.url = core::effective_url(server);
    request.headers = probe.headers;
    request.headers.emplace_back("Content-Type", "application/json");
    request.headers.emplace_back("Accept", "application/json, text/event-stream");
    request.body = json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
                        {"params", {{"protocolVersion", "2025-06-18"}, {"capabilities", json::object()},
                                    {"clientInfo", {{"name", "mcp-bridge-doctor"}, {"version", k_version}}}}}}
                       .dump();
    request.ca_file = server.ca_file;
    request.timeout = std::chrono::seconds(std::min(server.timeout_s, 20));
    request.connect_timeout = std::chrono::seconds(10);
    request.allow_http_redirects = url && url->scheme == "http";
    prober.add(std::move(request), [&probe, host](const ProbeResult& result) { classify(probe, result, host); });
    if (url && looks_like_mcpjungle(*url)) {
      transport::HttpRequest health;
      health.method = "GET";
      health.url = core::origin_of(*url) + "/health";
      health.ca_file = server.ca_file;
      health.timeout = std::chrono::seconds(10);
      prober.add(std::move(health), [&probe](const ProbeResult& result) {
        json body = json::parse(result.body, nullptr, false);
        if (result.status && result.head.status == 200 && body.is_object() && body.value("status", "") == "ok") {
          probe.findings.push_back({Level::ok, "MCPJungle /health: ok", ""});
        }
      });
    }
  }
  prober.run();
  // Politeness: end the sessions our initialize probes opened.
  Prober closer;
  for (auto& probe : probes) {
    for (const auto& id : probe.session_ids) {
      transport::HttpRequest request;
      request.method = "DELETE";
      request.url = core::effective_url(*probe.server);
      request.headers = probe.headers;
      request.headers.emplace_back("Mcp-Session-Id", id);
      request.headers.emplace_back("MCP-Protocol-Version", "2025-06-18");
      request.ca_file = probe.server->ca_file;
      request.timeout = std::chrono::seconds(3);
      closer.add(std::move(request), [](const ProbeResult&) {});
    }
  }
  closer.run();

  for (const auto& probe : probes) {
    report.section("Server " + probe.server->name + " — " + core::effective_url(*probe.server));
    for (const auto& finding : probe.findings) {
      report.add(finding.level, finding.what, finding.fix);
    }
  }
  std::printf("\n%d problem%s, %d warning%s.\n", report.failures(), report.failures() == 1 ? "" : "s", report.warnings(),
              report.warnings() == 1 ? "" : "s");
  return report.failures() > 0 ? k_exit_failed : k_exit_ok;
}

} // namespace

void register_doctor(CLI::App& app, GlobalOptions& global) {
  auto* doctor = app.add_subcommand("doctor", "Diagnose config, secrets, keychain, DNS, TLS, auth and clock");
  doctor->footer("Example:\n  bridge doctor\n\n"
                 "Every problem comes with its fix. Probes send one MCP initialize per server (and end that\n"
                 "session); for MCPJungle URLs also GET /health.\n"
                 "Exit codes: 0 no problems (warnings allowed); 1 problems found.");
  doctor->callback([&global] { global.exit_code = run_doctor(global); });
}

} // namespace bridge::cli
