#include "cli/login_preset.hpp"

#include "cli/config_edit.hpp"
#include "cli/presets.hpp"

#include <cstdio>

namespace bridge::cli {

std::string add_remedy(const std::string& name) {
  if (is_preset(name)) {
    return "bridge add " + name;
  }
  return "bridge add " + name + " --url URL --auth oauth";
}

core::Result<bool> add_preset_for_login(const GlobalOptions& global, const std::string& name, const std::string& org) {
  if (name != "jumpcloud" && org.empty()) {
    return false; // not a preset login: the caller reports the missing entry with its remedy
  }
  auto document = ConfigDocument::load(resolve_config_path(global));
  if (!document) {
    return false; // the caller loads the file again and reports the problem in full
  }
  if (const OrderedJson* existing = document->server(name); existing != nullptr) {
    std::string current = existing->is_object() ? existing->value("organizationID", std::string()) : std::string();
    if (!org.empty() && current != org) {
      std::string preset = name == "jumpcloud" ? "bridge add jumpcloud" : "bridge add jumpcloud --name " + name;
      return core::make_error(core::ErrorKind::invalid_input,
                              "servers." + name + " in " + document->path().string() + " has " +
                                  (current.empty() ? std::string("no organizationID") : "organizationID " + current) +
                                  "; to change it: " + preset + " --org " + org + " --replace");
    }
    return false;
  }
  auto made = preset_entry(PresetRequest{"jumpcloud", name == "jumpcloud" ? std::string() : name, org, ""});
  bool created = !document->existed();
  document->set_server(made->name, made->entry);
  if (auto saved = document->save(); !saved) {
    return saved.error();
  }
  std::fprintf(stderr, "No \"%s\" entry yet: added the JumpCloud preset to %s%s (url %s, prefix %s, auth oauth%s%s).\n",
               name.c_str(), document->path().string().c_str(), created ? " (new file)" : "",
               made->entry["url"].get<std::string>().c_str(), made->entry["prefix"].get<std::string>().c_str(),
               org.empty() ? "" : ", organizationID ", org.c_str());
  return true;
}

} // namespace bridge::cli
