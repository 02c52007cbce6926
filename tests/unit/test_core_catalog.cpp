#include "catch.hpp"

#include "core/catalog.hpp"
#include "core/config.hpp"

#include <set>

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
  auto warnings = catalog.rebuild({source("a", "a_", {"b_c", "b.c", "x"}), source("z", "z_", {"b_c"})});
  // "b.c" sanitizes to "b_c": the same exposed name as the first.
  REQUIRE(catalog.tools().size() == 4);
  CHECK(warnings.size() == 1);
  std::set<std::string> names;
  for (const auto& tool : catalog.tools()) {
    names.insert(tool["name"].get<std::string>());
  }
  CHECK(names.size() == 4);
  CHECK(names.count("a_b_c") == 1);
  // Every exposed name routes back to exactly its original.
  for (const auto& tool : catalog.tools()) {
    CHECK(catalog.find_tool(tool["name"].get<std::string>()));
  }
  // Config order decides who keeps the plain name, whatever order upstreams answered in.
  CHECK(catalog.find_tool("a_b_c")->original == "b_c");
}

TEST_CASE("overlapping prefixes: a name under the longer prefix is that upstream's alone", "[catalog]") {
  // "jc_" is a prefix of "jc_admin_": jc's "admin_users_list" and admin's "users_list" would both
  // be "jc_admin_users_list". Whatever the config order, it routes to the longer prefix, and the
  // shorter one's tool is withheld with a warning naming both servers.
  for (bool short_first : {true, false}) {
    auto jc = source("jc", "jc_", {"admin_users_list", "admin_only_here", "echo"});
    auto admin = source("admin", "jc_admin_", {"users_list", "echo"});
    Catalog catalog;
    auto warnings = short_first ? catalog.rebuild({jc, admin}) : catalog.rebuild({admin, jc});
    std::size_t jc_index = short_first ? 0 : 1;
    std::size_t admin_index = short_first ? 1 : 0;
    REQUIRE(warnings.size() == 2);
    CHECK(warnings[0].find("\"jc_admin_\" of server \"admin\"") != std::string::npos);
    auto route = catalog.find_tool("jc_admin_users_list");
    REQUIRE(route);
    CHECK(route->upstream == admin_index);
    CHECK(route->original == "users_list");
    // Even with no rival in the other list: the name is the longer prefix's to claim.
    CHECK_FALSE(catalog.find_tool("jc_admin_only_here"));
    CHECK(catalog.find_tool("jc_echo")->upstream == jc_index);
    CHECK(catalog.find_tool("jc_admin_echo")->upstream == admin_index);
    CHECK(catalog.tools().size() == 3);
  }
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
  // b shares demo://readme with a: b's URIs are namespaced (all of them), a's stay as they are.
  REQUIRE(catalog.resources().size() == 3);
  CHECK(warnings.size() == 1);
  CHECK(catalog.resources()[0]["uri"] == "demo://readme");
  CHECK(catalog.resources()[1]["uri"] == "mcp-bridge://b/demo://readme");
  CHECK(catalog.resources()[2]["uri"] == "mcp-bridge://b/file:///x");
  CHECK_FALSE(catalog.namespaced(0));
  CHECK(catalog.namespaced(1));
  CHECK(catalog.route_resource("demo://readme")->upstream == 0);
  auto namespaced = catalog.route_resource("mcp-bridge://b/demo://readme");
  REQUIRE(namespaced);
  CHECK(namespaced->upstream == 1);
  CHECK(namespaced->original == "demo://readme");
  CHECK(catalog.route_resource("mcp-bridge://b/file:///x")->original == "file:///x");
  CHECK(catalog.route_resource("demo://items/42")->upstream == 0);
  CHECK(catalog.route_resource("demo://items/42")->original == "demo://items/42");
  CHECK_FALSE(catalog.route_resource("other://y"));
}

TEST_CASE("identical templates on two upstreams are told apart", "[catalog]") {
  auto a = source("a", "a_", {});
  a.resource_templates.push_back({{"uriTemplate", "demo://items/{id}"}});
  auto b = source("b", "b_", {});
  b.resource_templates.push_back({{"uriTemplate", "demo://items/{id}"}});
  Catalog catalog;
  catalog.rebuild({a, b});
  REQUIRE(catalog.resource_templates().size() == 2);
  CHECK(catalog.resource_templates()[1]["uriTemplate"] == "mcp-bridge://b/demo://items/{id}");
  CHECK(catalog.route_resource("demo://items/7")->upstream == 0);
  auto route = catalog.route_resource("mcp-bridge://b/demo://items/7");
  CHECK(route->upstream == 1);
  CHECK(route->original == "demo://items/7");
}

TEST_CASE("a lone resource server takes unknown URIs", "[catalog]") {
  auto a = source("a", "a_", {"t"});
  a.resources.push_back({{"uri", "demo://readme"}});
  Catalog catalog;
  catalog.rebuild({a, source("b", "b_", {"u"})});
  CHECK(catalog.route_resource("demo://elsewhere")->upstream == 0);
}
