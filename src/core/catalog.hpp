#pragma once

// The merged index of what every upstream offers: tools and prompts under exposed (prefixed,
// sanitized) names with an exact reverse map; resources and templates with the upstream that
// serves them. Rebuilt from the per-upstream lists in config order, so the names (and any
// disambiguation) do not depend on which upstream happened to answer first.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bridge::core {

struct ToolFilter;

struct CatalogSource {
  std::string name;   // the upstream's config name
  std::string prefix;
  const ToolFilter* filter = nullptr; // tool allow/deny globs, may be null
  std::vector<nlohmann::json> tools;
  std::vector<nlohmann::json> prompts;
  std::vector<nlohmann::json> resources;
  std::vector<nlohmann::json> resource_templates;
};

struct Route {
  std::size_t upstream = 0;
  std::string original; // the name (or URI) the upstream knows
};

// Resource URIs pass through unchanged — tool results carry them too, and those are forwarded
// untouched. Only when two upstreams offer the same URI (or the same template start) are the
// later upstream's URIs (config order) rewritten, reversibly, to this form:
//   mcp-bridge://<upstream name>/<original URI>
inline constexpr std::string_view k_namespaced_uri_scheme = "mcp-bridge://";

class Catalog {
public:
  // Rebuilds everything from the sources (index = upstream index). Returns warnings (duplicate
  // names, duplicate resource URIs) for the log; each is reported once per catalog change.
  std::vector<std::string> rebuild(const std::vector<CatalogSource>& sources);

  [[nodiscard]] const std::vector<nlohmann::json>& tools() const { return m_tools; }
  [[nodiscard]] const std::vector<nlohmann::json>& prompts() const { return m_prompts; }
  [[nodiscard]] const std::vector<nlohmann::json>& resources() const { return m_resources; }
  [[nodiscard]] const std::vector<nlohmann::json>& resource_templates() const { return m_templates; }

  [[nodiscard]] std::optional<Route> find_tool(const std::string& exposed) const;
  [[nodiscard]] std::optional<Route> find_prompt(const std::string& exposed) const;
  // The upstream serving a resource URI and the URI it knows: a namespaced URI names its upstream;
  // otherwise listed URIs first, then the longest template whose literal start matches, then the
  // only upstream with resources at all.
  [[nodiscard]] std::optional<Route> route_resource(const std::string& uri) const;

  // True when upstream's URIs are shown namespaced (see k_namespaced_uri_scheme).
  [[nodiscard]] bool namespaced(std::size_t upstream) const;
  // The URI the client sees for upstream's `uri`.
  [[nodiscard]] std::string expose_uri(std::size_t upstream, const std::string& uri) const;

private:
  std::vector<nlohmann::json> m_tools;
  std::vector<nlohmann::json> m_prompts;
  std::vector<nlohmann::json> m_resources;
  std::vector<nlohmann::json> m_templates;
  std::map<std::string, Route> m_tool_routes;
  std::map<std::string, Route> m_prompt_routes;
  std::map<std::string, std::size_t> m_resource_routes;
  std::vector<std::pair<std::string, std::size_t>> m_template_prefixes; // literal start → upstream
  std::vector<std::size_t> m_resource_upstreams;
  std::vector<std::string> m_names;       // upstream names by index
  std::vector<bool> m_namespaced;
};

} // namespace bridge::core
