#include "core/catalog.hpp"

#include "core/config.hpp"
#include "core/names.hpp"

#include <algorithm>
#include <set>

namespace bridge::core {
namespace {

// The upstream with a longer prefix than `upstream`'s under which `exposed` also falls, if any.
// With overlapping prefixes ("jc_" and "jc_admin_") a name such as "jc_admin_x" could be either
// one's: such names belong to the longest prefix, as when routing a name not listed yet, so which
// upstream a call reaches never depends on which lists happen to be in.
const CatalogSource* longer_prefix_owner(const std::vector<CatalogSource>& sources, std::size_t upstream,
                                         const std::string& exposed) {
  const CatalogSource* owner = nullptr;
  for (std::size_t other = 0; other < sources.size(); ++other) {
    const auto& prefix = sources[other].prefix;
    if (other != upstream && prefix.size() > sources[upstream].prefix.size() && exposed.rfind(prefix, 0) == 0 &&
        (owner == nullptr || prefix.size() > owner->prefix.size())) {
      owner = &sources[other];
    }
  }
  return owner;
}

// Exposes one upstream's named items (tools or prompts) under prefixed names, resolving clashes
// with a hash suffix rather than merging or dropping; a name that falls under another upstream's
// longer prefix is withheld, with a warning, rather than routed ambiguously.
void expose_named(const std::vector<CatalogSource>& sources, std::size_t upstream,
                  const std::vector<nlohmann::json>& items, const char* kind, bool apply_filter,
                  std::vector<nlohmann::json>& out, std::map<std::string, Route>& routes,
                  std::vector<std::string>& warnings) {
  const CatalogSource& source = sources[upstream];
  for (const auto& item : items) {
    auto name_it = item.find("name");
    if (name_it == item.end() || !name_it->is_string()) {
      warnings.push_back(source.name + ": skipped a " + kind + " without a string name");
      continue;
    }
    std::string original = name_it->get<std::string>();
    if (apply_filter && source.filter != nullptr && !tool_allowed(*source.filter, original)) {
      continue;
    }
    std::string exposed = exposed_name(source.prefix, original);
    if (const CatalogSource* owner = longer_prefix_owner(sources, upstream, exposed); owner != nullptr) {
      warnings.push_back(source.name + ": " + kind + " \"" + original + "\" is not exposed: its name \"" + exposed +
                         "\" falls under the prefix \"" + owner->prefix + "\" of server \"" + owner->name +
                         "\", so a call to it could reach the wrong server; give the two servers prefixes where "
                         "neither starts with the other");
      continue;
    }
    if (routes.count(exposed) != 0) {
      std::string other = exposed;
      exposed = disambiguated_name(source.prefix, original, source.name);
      if (longer_prefix_owner(sources, upstream, exposed) != nullptr) {
        warnings.push_back(source.name + ": " + kind + " \"" + original + "\" is not exposed: \"" + other +
                           "\" is taken and its variant \"" + exposed + "\" falls under another server's prefix");
        continue;
      }
      warnings.push_back(source.name + ": " + kind + " \"" + original + "\" would be exposed as \"" + other +
                         "\", which is taken; it is exposed as \"" + exposed + "\"");
      if (routes.count(exposed) != 0) {
        warnings.push_back(source.name + ": " + kind + " \"" + original + "\" is listed twice; the second is skipped");
        continue;
      }
    }
    routes.emplace(exposed, Route{upstream, original});
    nlohmann::json copy = item;
    copy["name"] = exposed;
    out.push_back(std::move(copy));
  }
}

std::string template_literal_start(const std::string& uri_template) {
  return uri_template.substr(0, uri_template.find('{'));
}

} // namespace

std::vector<std::string> Catalog::rebuild(const std::vector<CatalogSource>& sources) {
  std::vector<std::string> warnings;
  m_tools.clear();
  m_prompts.clear();
  m_resources.clear();
  m_templates.clear();
  m_tool_routes.clear();
  m_prompt_routes.clear();
  m_resource_routes.clear();
  m_template_prefixes.clear();
  m_resource_upstreams.clear();
  m_names.clear();
  m_namespaced.assign(sources.size(), false);

  // Which upstreams must have their URIs namespaced: those that share a URI or a template start
  // with an earlier one (config order, so the choice does not depend on arrival order).
  std::set<std::string> claimed;
  for (std::size_t upstream = 0; upstream < sources.size(); ++upstream) {
    const auto& source = sources[upstream];
    m_names.push_back(source.name);
    std::vector<std::string> keys;
    for (const auto& resource : source.resources) {
      if (resource.contains("uri") && resource["uri"].is_string()) {
        keys.push_back("uri:" + resource["uri"].get<std::string>());
      }
    }
    for (const auto& resource_template : source.resource_templates) {
      if (resource_template.contains("uriTemplate") && resource_template["uriTemplate"].is_string()) {
        keys.push_back("template:" + template_literal_start(resource_template["uriTemplate"].get<std::string>()));
      }
    }
    for (const auto& key : keys) {
      if (claimed.count(key) != 0) {
        m_namespaced[upstream] = true;
      }
    }
    if (!m_namespaced[upstream]) {
      claimed.insert(keys.begin(), keys.end());
    } else {
      warnings.push_back(source.name + ": offers resource URIs another server offers too; its resources are shown as " +
                         std::string(k_namespaced_uri_scheme) + source.name + "/<uri>");
    }
  }

  for (std::size_t upstream = 0; upstream < sources.size(); ++upstream) {
    const auto& source = sources[upstream];
    expose_named(sources, upstream, source.tools, "tool", true, m_tools, m_tool_routes, warnings);
    expose_named(sources, upstream, source.prompts, "prompt", false, m_prompts, m_prompt_routes, warnings);
    for (const auto& resource : source.resources) {
      auto uri = resource.find("uri");
      if (uri == resource.end() || !uri->is_string()) {
        warnings.push_back(source.name + ": skipped a resource without a string uri");
        continue;
      }
      std::string exposed = expose_uri(upstream, uri->get<std::string>());
      if (!m_resource_routes.emplace(exposed, upstream).second) {
        warnings.push_back(source.name + ": resource " + exposed + " is listed twice; the second is skipped");
        continue;
      }
      nlohmann::json copy = resource;
      copy["uri"] = exposed;
      m_resources.push_back(std::move(copy));
    }
    for (const auto& resource_template : source.resource_templates) {
      auto uri_template = resource_template.find("uriTemplate");
      if (uri_template == resource_template.end() || !uri_template->is_string()) {
        warnings.push_back(source.name + ": skipped a resource template without a string uriTemplate");
        continue;
      }
      std::string exposed = expose_uri(upstream, uri_template->get<std::string>());
      m_template_prefixes.emplace_back(template_literal_start(exposed), upstream);
      nlohmann::json copy = resource_template;
      copy["uriTemplate"] = exposed;
      m_templates.push_back(std::move(copy));
    }
    if (!source.resources.empty() || !source.resource_templates.empty()) {
      m_resource_upstreams.push_back(upstream);
    }
  }
  return warnings;
}

std::optional<Route> Catalog::find_tool(const std::string& exposed) const {
  auto it = m_tool_routes.find(exposed);
  return it == m_tool_routes.end() ? std::nullopt : std::optional<Route>(it->second);
}

std::optional<Route> Catalog::find_prompt(const std::string& exposed) const {
  auto it = m_prompt_routes.find(exposed);
  return it == m_prompt_routes.end() ? std::nullopt : std::optional<Route>(it->second);
}

bool Catalog::namespaced(std::size_t upstream) const { return upstream < m_namespaced.size() && m_namespaced[upstream]; }

std::string Catalog::expose_uri(std::size_t upstream, const std::string& uri) const {
  if (!namespaced(upstream)) {
    return uri;
  }
  return std::string(k_namespaced_uri_scheme) + m_names[upstream] + "/" + uri;
}

std::optional<Route> Catalog::route_resource(const std::string& uri) const {
  if (uri.rfind(k_namespaced_uri_scheme, 0) == 0) {
    for (std::size_t upstream = 0; upstream < m_names.size(); ++upstream) {
      std::string start = std::string(k_namespaced_uri_scheme) + m_names[upstream] + "/";
      if (m_namespaced[upstream] && uri.rfind(start, 0) == 0) {
        return Route{upstream, uri.substr(start.size())};
      }
    }
  }
  if (auto it = m_resource_routes.find(uri); it != m_resource_routes.end()) {
    return Route{it->second, uri};
  }
  std::optional<std::size_t> best;
  std::size_t best_length = 0;
  for (const auto& [literal, upstream] : m_template_prefixes) {
    if (!literal.empty() && uri.rfind(literal, 0) == 0 && literal.size() > best_length) {
      best = upstream;
      best_length = literal.size();
    }
  }
  if (!best && m_resource_upstreams.size() == 1) {
    best = m_resource_upstreams.front();
  }
  if (!best) {
    return std::nullopt;
  }
  return Route{*best, uri};
}

} // namespace bridge::core
