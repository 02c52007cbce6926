// `bridge remove NAME`: take an upstream out of the config.

#include "cli/commands.hpp"
#include "cli/config_edit.hpp"
#include "cli/support.hpp"

#include <cstdio>

namespace bridge::cli {
namespace {

int run_remove(const GlobalOptions& global, const std::string& name) {
  auto document = ConfigDocument::load(resolve_config_path(global));
  if (!document) {
    std::fprintf(stderr, "bridge remove: %s\n", document.error().message.c_str());
    return k_exit_usage;
  }
  const OrderedJson* entry = document->server(name);
  if (entry == nullptr) {
    std::fprintf(stderr, "bridge remove: no server named \"%s\" in %s (`bridge list` shows them)\n", name.c_str(),
                 document->path().string().c_str());
    return k_exit_usage;
  }
  std::string token = entry->value("token", std::string());
  document->remove_server(name);
  auto saved = document->save();
  if (!saved) {
    std::fprintf(stderr, "bridge remove: %s\n", saved.error().message.c_str());
    return k_exit_failed;
  }
  std::printf("Removed %s from %s (the previous file is %s.bak).\n", name.c_str(), document->path().string().c_str(),
              document->path().filename().string().c_str());
  if (token.find("${keychain:") != std::string::npos) {
    std::printf("Its stored key is kept; delete it with: bridge token rm %s\n", name.c_str());
  }
  return k_exit_ok;
}

} // namespace

void register_remove(CLI::App& app, GlobalOptions& global) {
  auto name = std::make_shared<std::string>();
  auto* remove = app.add_subcommand("remove", "Remove an upstream from the config");
  remove->add_option("name", *name, "The server's name (see `bridge list`)")->required();
  remove->footer("Example:\n  bridge remove mcpjungle\n\n"
                 "Every other entry and field is kept; the previous file is saved as config.json.bak.\n"
                 "Exit codes: 0 removed; 1 the file could not be written; 2 no such server or invalid config.");
  remove->callback([&global, name] { global.exit_code = run_remove(global, *name); });
}

} // namespace bridge::cli
