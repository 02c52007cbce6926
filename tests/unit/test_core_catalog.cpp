#include "catch.hpp"

#include "core/catalog.hpp"
#include "core/config.hpp"

using namespace bridge::core;
using nlohmann::json;

namespace {

CatalogSource source(const std::string& name, const std::string& prefix, std::vector<std::string> tools) {
  CatalogSource s;
  s.name = name;
  s.prefix = prefix;
  for (const auto& tool : tools) {
    s.tools.push_back({{"name", tool}, {"description", "d"}, {"inputSchema", {{"type", "object"}}}});
  }
  return s;
}

} // namespace

TEST_CASE("tools of several upstreams are merged under their prefixes with an exact reverse map", "[catalog]") {
  Catalog catalog;
  auto warnings = catalog.rebuild({source("jc", "jc_admin_", {"user_suspend", "users_list"}),
                                   source("jungle", "jungle_", {"github__search.repos"})});
  CHECK(warnings.empty());
  REQUIRE(catalog.tools().size() == 3);
  CHECK(catalog.tools()[0]["name"] == "jc_admin_user_suspend");
  CHECK(catalog.tools()[0]["description"] == "d"); // everything else is kept
  CHECK(catalog.tools()[2]["name"] == "jungle_github__search_repos");
  auto route = catalog.find_tool("jungle_github__search_repos");
  REQUIRE(route);
  CHECK(route->upstream == 1);
  CHECK(route->original == "github__search.repos");
  CHECK_FALSE(catalog.find_tool("github__search.repos"));
}

TEST_CASE("clashing exposed names are disambiguated and reported, never merged", "[catalog]") {
  Catalog catalog;
  auto warnings = catalog.rebuild({source("a", "a_", {"b_c", "b.c"}), source("ab", "a_b_", {"c"})});
  REQUIRE(catalog.tools().size() == 3);
  CHECK(warnings.size() == 2);
  std::set<std::string> names;
  for (const auto& tool : catalog.tools()) {
    names.insert(tool["name"].get<std::string>());
  }
  CHECK(names.size() == 3);
  CHECK(names.count("a_b_c") == 1);
  // Every exposed name routes back to exactly its original.
  for (const auto& tool : catalog.tools()) {
    CHECK(catalog.find_tool(tool["name"].get<std::string>()));
  }
  // Config order decides who keeps the plain name, whatever order upstreams answered in.
  CHECK(catalog.find_tool("a_b_c")->original == "b_c");
}

TEST_CASE("allow/deny filters hide tools from lists and routes", "[catalog]") {
  ToolFilter filter{{"user_*"}, {"user_resetmfa"}};
  auto s = source("jc", "jc_", {"user_get", "user_resetmfa", "device_erase"});
  s.filter = &filter;
  Catalog catalog;
  catalog.rebuild({s});
  REQUIRE(catalog.tools().size() == 1);
  CHECK(catalog.tools()[0]["name"] == "jc_user_get");
  CHECK_FALSE(catalog.find_tool("jc_device_erase"));
}

TEST_CASE("prompts are prefixed; resources route by URI and template", "[catalog]") {
  auto a = source("a", "a_", {});
  a.prompts.push_back({{"name", "greeting"}});
  a.resources.push_back({{"uri", "demo://readme"}, {"name", "readme"}});
  a.resource_templates.push_back({{"uriTemplate", "demo://items/{id}"}, {"name", "item"}});
  auto b = source("b", "b_", {});
  b.resources.push_back({{"uri", "demo://readme"}, {"name", "dup"}});
  b.resources.push_back({{"uri", "file:///x"}, {"name", "x"}});
  Catalog catalog;
  auto warnings = catalog.rebuild({a, b});
  CHECK(catalog.prompts().at(0)["name"] == "a_greeting");
  CHECK(catalog.find_prompt("a_greeting")->original == "greeting");
  CHECK(catalog.resources().size() == 2); // the duplicate URI is listed once
  CHECK(warnings.size() == 1);
  CHECK(catalog.route_resource("demo://readme") == std::optional<std::size_t>(0));
  CHECK(catalog.route_resource("file:///x") == std::optional<std::size_t>(1));
  CHECK(catalog.route_resource("demo://items/42") == std::optional<std::size_t>(0));
  CHECK_FALSE(catalog.route_resource("other://y"));
}

TEST_CASE("a lone resource server takes unknown URIs", "[catalog]") {
  auto a = source("a", "a_", {"t"});
  a.resources.push_back({{"uri", "demo://readme"}});
  Catalog catalog;
  catalog.rebuild({a, source("b", "b_", {"u"})});
  CHECK(catalog.route_resource("demo://elsewhere") == std::optional<std::size_t>(0));
}
