// `bridge add NAME --url …` and the presets `bridge add jumpcloud`, `bridge add mcpjungle`.

#include "auth/references.hpp"
#include "cli/commands.hpp"
#include "cli/config_edit.hpp"
#include "cli/entry_changes.hpp"
#include "cli/presets.hpp"
#include "cli/support.hpp"
#include "cli/wiring.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <cstdio>

namespace bridge::cli {
namespace {

struct AddOptions {
  std::string name;
  std::string url;
  std::string prefix;
  bool prefix_given = false;
  std::string org;
  std::string auth;
  std::string token;
  std::vector<std::string> headers;
  std::string entry_name; // --name (presets)
  std::string group;      // --group (mcpjungle)
  bool replace = false;
};

// --replace: the existing entry, with only what this command line gave laid over it (a re-run to
// change the org must not silently reset the prefix, auth, token, headers or tool filters).
OrderedJson keep_unmentioned(const OrderedJson& existing, const OrderedJson& given, const AddOptions& options) {
  OrderedJson merged = existing;
  auto take = [&](const char* key, bool mentioned) {
    if (mentioned && given.contains(key)) {
      merged[key] = given[key];
    }
  };
  take("url", !options.url.empty() || !options.group.empty() || !merged.contains("url"));
  take("prefix", options.prefix_given || !merged.contains("prefix"));
  take("organizationID", !options.org.empty());
  take("auth", !options.auth.empty() || !merged.contains("auth"));
  if (given.contains("headers")) {
    if (!merged.contains("headers") || !merged["headers"].is_object()) {
      merged["headers"] = OrderedJson::object();
    }
    for (const auto& [header, value] : given["headers"].items()) {
      merged["headers"][header] = value;
    }
  }
  return merged;
}

struct SecretHeader {
  std::string header; // "Authorization"
  std::string key;    // "docs-authorization": ${keychain:docs-authorization}
  std::string value;
};

std::string lowercase(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

// Header names whose values are credentials (RFC 9110 Authorization, API-key conventions).
bool looks_secret(const std::string& header) {
  std::string lower = lowercase(header);
  if (lower == "authorization" || lower == "proxy-authorization" || lower == "cookie") {
    return true;
  }
  for (const char* part : {"token", "key", "secret", "auth", "password"}) {
    if (lower.find(part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// NAME=VALUE, or NAME: VALUE as curl writes it (whichever separator comes first).
std::optional<std::pair<std::string, std::string>> split_header(const std::string& text) {
  auto at = text.find_first_of("=:");
  if (at == std::string::npos || at == 0) {
    return std::nullopt;
  }
  std::string value = text.substr(at + 1);
  value.erase(0, value.find_first_not_of(' '));
  return std::make_pair(text.substr(0, at), value);
}

int fail(const std::string& message) {
  std::fprintf(stderr, "bridge add: %s\n", message.c_str());
  return k_exit_usage;
}

int run_add(const GlobalOptions& global, const AddOptions& options) {
  auto document = ConfigDocument::load(resolve_config_path(global));
  if (!document) {
    return fail(document.error().message);
  }
  std::string name = options.name;
  OrderedJson entry = OrderedJson::object();
  bool preset = is_preset(options.name);
  if (preset) {
    auto made = preset_entry(PresetRequest{options.name, options.entry_name, options.org, options.group});
    name = made->name;
    entry = std::move(made->entry);
    if (!options.url.empty()) {
      entry["url"] = options.url;
    }
  } else {
    if (!options.entry_name.empty() || !options.group.empty()) {
      return fail("--name and --group are for the presets (jumpcloud, mcpjungle); for another server the name is the first argument");
    }
    if (options.url.empty() && !(options.replace && document->server(name) != nullptr)) {
      return fail("\"" + name + "\" needs --url (the server's Streamable HTTP endpoint), e.g. `bridge add " + name +
                  " --url https://mcp.example.com/mcp`; presets that need none: jumpcloud, mcpjungle");
    }
    if (!options.url.empty()) {
      entry["url"] = options.url;
    }
    if (!options.org.empty()) {
      entry["organizationID"] = options.org;
    }
  }
  if (options.prefix_given) {
    entry["prefix"] = options.prefix;
  }
  if (!options.auth.empty()) {
    entry["auth"] = options.auth;
  }
  std::vector<SecretHeader> secret_headers;
  for (const auto& header : options.headers) {
    auto split = split_header(header);
    if (!split) {
      return fail("--header takes NAME=VALUE (or \"NAME: VALUE\"), not \"" + header + "\"");
    }
    auto& [header_name, value] = *split;
    if (looks_secret(header_name) && !auth::ReferenceResolver::has_reference(value)) {
      // A literal credential never lands in the config file: the keychain holds it, the file refers to it.
      SecretHeader secret{header_name, name + "-" + lowercase(header_name), value};
      value = "${keychain:" + secret.key + "}";
      secret_headers.push_back(std::move(secret));
    }
    entry["headers"][header_name] = value;
  }
  const OrderedJson* existing = document->server(name);
  if (existing != nullptr && options.replace && existing->is_object()) {
    entry = keep_unmentioned(*existing, entry, options);
  }
  std::string auth = entry.value("auth", std::string("none"));
  bool ask_for_secret = false;
  if (auth == "token") {
    if (!options.token.empty()) {
      if (!auth::ReferenceResolver::has_reference(options.token)) {
        return fail("--token takes a reference such as '${env:JC_API_KEY}', never the secret itself (argv is visible to "
                    "other processes); leave --token out to be asked for the key");
      }
      entry["token"] = options.token;
    } else if (!options.auth.empty() || !entry.contains("token")) {
      entry["token"] = "${keychain:" + name + "}";
      ask_for_secret = true;
    }
  } else if (!options.token.empty()) {
    return fail("--token only goes with --auth token");
  } else {
    entry.erase("token");
  }

  if (existing != nullptr) {
    if (*existing == entry) {
      std::printf("%s is already configured in %s; nothing changed.\n", name.c_str(), document->path().string().c_str());
      if (ask_for_secret && !options.replace) {
        std::printf("To store a new key: bridge token set %s\n", name.c_str());
      }
      if (secret_headers.empty() && (!ask_for_secret || !options.replace)) {
        return k_exit_ok; // a header secret given again is stored again (it may be a new one)
      }
    } else if (!options.replace) {
      return fail("servers." + name + " already exists in " + document->path().string() +
                  " (url " + existing->value("url", std::string("?")) + ") — pass --replace to change only what you give "
                  "(or `bridge remove " + name + "` first to start from scratch)" +
                  (preset ? ", or --name NAME to add another entry" : ""));
    }
  }
  OrderedJson before = existing != nullptr ? *existing : OrderedJson(); // set_server replaces what `existing` points to
  document->set_server(name, entry);
  auto valid = document->validate();
  if (!valid) {
    return fail(valid.error().message + "\nnothing was written");
  }

  if (ask_for_secret) {
    bool jumpcloud = entry.value("url", std::string()).find("jumpcloud.com") != std::string::npos;
    auto secret = read_secret(jumpcloud ? "JumpCloud API key for " + name + " (jca_…, input hidden): "
                                        : "Token for " + name + " (input hidden): ");
    if (!secret) {
      return fail(secret.error().message);
    }
    if (jumpcloud && secret->rfind("jca_", 0) != 0) {
      std::fprintf(stderr, "bridge add: note: JumpCloud API keys usually start with jca_; stored as given\n");
    }
    auto stored = store_secret(name, *secret, store_preference(*valid));
    if (!stored) {
      std::fprintf(stderr, "bridge add: cannot store the key: %s\n", stored.error().message.c_str());
      return k_exit_failed;
    }
    std::printf("Stored the key for %s in the %s.\n", name.c_str(), stored->c_str());
  }
  for (const auto& secret : secret_headers) {
    auto stored = store_secret(secret.key, secret.value, store_preference(*valid));
    if (!stored) {
      std::fprintf(stderr, "bridge add: cannot store the %s header's value: %s\n", secret.header.c_str(),
                   stored.error().message.c_str());
      return k_exit_failed;
    }
    std::printf("The %s header holds a secret: stored in the %s, the config says \"${keychain:%s}\".\n"
                "  (On the command line it was visible to other processes; next time: bridge token set %s)\n",
                secret.header.c_str(), stored->c_str(), secret.key.c_str(), secret.key.c_str());
  }
  bool created = !document->existed();
  auto saved = document->save();
  if (!saved) {
    std::fprintf(stderr, "bridge add: %s\n", saved.error().message.c_str());
    return k_exit_failed;
  }
  const auto& server = *std::find_if(valid->servers.begin(), valid->servers.end(),
                                     [&name](const core::ServerConfig& s) { return s.name == name; });
  std::printf("%s %s in %s%s\n", existing != nullptr ? "Updated" : "Added", name.c_str(), document->path().string().c_str(),
              created ? " (new file)" : "");
  std::printf("  url     %s\n  prefix  %s (tools appear as %s<tool>)\n  auth    %s\n", core::effective_url(server).c_str(),
              server.prefix.c_str(), server.prefix.c_str(), auth.c_str());
  if (!server.safety.confirm.empty()) {
    std::printf("  confirm %zu tools ask before they run (\"confirm\" in the config)\n", server.safety.confirm.size());
  }
  if (existing != nullptr) {
    print_entry_changes(before, entry);
  }
  std::vector<std::vector<std::string>> next;
  if (auth == "oauth") {
    std::string again = preset && !options.entry_name.empty() ? options.name + " --name " + name : name;
    next.push_back({"  bridge login " + name, "sign in with your browser (or an API key: bridge add " + again +
                                                  " --auth token --replace)"});
  }
  next.push_back({"  bridge install claude", "let Claude Desktop start the bridge (once; also cursor, vscode)"});
  next.push_back({"  bridge status", "check that " + name + " answers"});
  std::printf("Next:\n");
  print_table(next);
  return k_exit_ok;
}

} // namespace

void register_add(CLI::App& app, GlobalOptions& global) {
  auto options = std::make_shared<AddOptions>();
  auto* add = app.add_subcommand("add", "Add an upstream MCP server to the config (presets: jumpcloud, mcpjungle)");
  add->add_option("name", options->name, "Name of the entry, or a preset: jumpcloud, mcpjungle")->required();
  add->add_option("--url", options->url, "Streamable HTTP endpoint (optional for presets)");
  add->add_option("--prefix", options->prefix, "Put before every tool name (default: NAME_)")
      ->each([options](const std::string&) { options->prefix_given = true; });
  add->add_option("--org", options->org, "JumpCloud organization ID (MSP child org), sent as ?organizationID=");
  add->add_option("--auth", options->auth, "oauth, token or none (jumpcloud: oauth)")
      ->check(CLI::IsMember({"oauth", "token", "none"}));
  add->add_option("--token", options->token,
                  "With --auth token: a reference such as '${env:VAR}' (without it you are asked for the secret)");
  add->add_option("--header", options->headers,
                  "Extra HTTP header NAME=VALUE or 'NAME: VALUE' (repeatable); a credential goes to the keychain");
  add->add_option("--name", options->entry_name, "Presets: the entry's name (jumpcloud: prefix jc_<name>_)");
  add->add_option("--group", options->group, "mcpjungle: a tool group (/v0/groups/GROUP/mcp)");
  add->add_flag("--replace", options->replace,
                 "Change an existing entry: only what you give changes (to start from scratch: bridge remove NAME, then add)");
  add->footer(R"(Examples:
  bridge add jumpcloud                                   JumpCloud, OAuth (then: bridge login jumpcloud)
  bridge add jumpcloud --auth token                      JumpCloud with an API key (asked for, stored in the keychain)
  bridge add jumpcloud --org 5f1e0123 --name acme        an MSP child org: tools appear as jc_acme_*
  bridge add mcpjungle                                   MCPJungle at http://localhost:8080/mcp, tools as jungle_*
  bridge add mcpjungle --group claude-tools              only that MCPJungle tool group
  bridge add mcpjungle --auth token                      MCPJungle enterprise mode (asks for the client token)
  bridge add github --url https://api.example.com/mcp --auth token --token '${env:GH_TOKEN}'
  bridge add jumpcloud --org 5f1e0123 --replace          change only the org; prefix, auth, token, headers stay

--replace changes only the fields given on its command line and prints what changed; to start an
entry from scratch, `bridge remove NAME` first, then `bridge add` it again.

The config file is written atomically after it has been validated; the previous one is kept as
config.json.bak. Secrets never go on the command line: --auth token asks for them (no echo) or
reads them from stdin. A --header that carries a credential (Authorization, *token*, *key*, …)
is stored in the keychain and the config refers to it as ${keychain:NAME-header}.
Exit codes: 0 added or already there; 1 the key could not be stored or the file written; 2 bad arguments or config.)");
  add->callback([&global, options] { global.exit_code = run_add(global, *options); });
}

} // namespace bridge::cli
