#include "core/catalog_cache.hpp"

#ifdef BRIDGE_CATCH3
#include <catch2/catch_test_macros.hpp>
#else
#include <catch2/catch.hpp>
#endif

#include <filesystem>
#include <fstream>
#include <random>

using bridge::core::CachedUpstream;
using bridge::core::CatalogCache;
using bridge::core::CatalogSnapshot;
using bridge::core::ServerConfig;
using nlohmann::json;

namespace {

ServerConfig server(const std::string& name, const std::string& url) {
  ServerConfig s;
  s.name = name;
  s.url = url;
  s.prefix = name + "_";
  return s;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("bridge-cache-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

CatalogSnapshot sample() {
  CachedUpstream a;
  a.name = "a";
  a.capabilities = {{"tools", {{"listChanged", true}}}};
  a.tools = {json{{"name", "echo"}, {"inputSchema", {{"type", "object"}}}}};
  a.prompts = {json{{"name", "greeting"}}};
  a.resources = {json{{"uri", "demo://readme"}, {"name", "readme"}}};
  a.resource_templates = {json{{"uriTemplate", "demo://items/{id}"}, {"name", "item"}}};
  CachedUpstream b;
  b.name = "b";
  return CatalogSnapshot{{a, b}};
}

} // namespace

TEST_CASE("servers_key is stable and depends on what decides the lists", "[catalog_cache]") {
  std::vector<ServerConfig> one = {server("a", "https://a.example/mcp")};
  auto key = bridge::core::servers_key(one);
  CHECK(key.size() == 16);
  CHECK(key == bridge::core::servers_key(one));

  auto other_url = one;
  other_url[0].url = "https://b.example/mcp";
  CHECK(key != bridge::core::servers_key(other_url));

  auto org = one;
  org[0].organization_id = "5f1e";
  CHECK(key != bridge::core::servers_key(org));

  auto prefix = one;
  prefix[0].prefix = "x_";
  CHECK(key != bridge::core::servers_key(prefix));

  auto more = one;
  more.push_back(server("b", "https://b.example/mcp"));
  CHECK(key != bridge::core::servers_key(more));

  auto timeout = one;
  timeout[0].timeout_s = 5; // does not change what is listed
  CHECK(key == bridge::core::servers_key(timeout));
}

TEST_CASE("a snapshot survives the JSON round trip", "[catalog_cache]") {
  auto snapshot = sample();
  auto back = bridge::core::snapshot_from_json(bridge::core::to_json(snapshot));
  REQUIRE(back);
  CHECK(*back == snapshot);
  REQUIRE(back->find("a") != nullptr);
  CHECK(back->find("a")->tools.at(0)["name"] == "echo");
  CHECK(back->find("missing") == nullptr);
}

TEST_CASE("malformed snapshots are refused", "[catalog_cache]") {
  CHECK_FALSE(bridge::core::snapshot_from_json(json::array()));
  CHECK_FALSE(bridge::core::snapshot_from_json(json{{"format", 99}, {"upstreams", json::array()}}));
  CHECK_FALSE(bridge::core::snapshot_from_json(json{{"format", 1}}));
  CHECK_FALSE(bridge::core::snapshot_from_json(json{{"format", 1}, {"upstreams", {json{{"tools", json::array()}}}}}));
  CHECK_FALSE(bridge::core::snapshot_from_json(
      json{{"format", 1}, {"upstreams", {json{{"name", "a"}, {"tools", "not a list"}}}}}));
}

TEST_CASE("the cache file is saved, loaded and replaced", "[catalog_cache]") {
  TempDir dir;
  std::vector<ServerConfig> servers = {server("a", "https://a.example/mcp")};
  CatalogCache cache(dir.path / "cache", servers);
  CHECK(cache.file().parent_path() == dir.path / "cache");
  CHECK_FALSE(cache.load()); // nothing saved yet

  auto snapshot = sample();
  REQUIRE(cache.save(snapshot));
  auto loaded = cache.load();
  REQUIRE(loaded);
  CHECK(*loaded == snapshot);

  snapshot.upstreams.pop_back();
  REQUIRE(cache.save(snapshot));
  REQUIRE(cache.load());
  CHECK(cache.load()->upstreams.size() == 1);
  // No temporary files left behind.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path / "cache")) {
    ++files;
  }
  CHECK(files == 1);

  // Another set of servers has a file of its own.
  CatalogCache other(dir.path / "cache", {server("b", "https://b.example/mcp")});
  CHECK(other.file() != cache.file());
  CHECK_FALSE(other.load());
}

TEST_CASE("a damaged cache file loads as nothing", "[catalog_cache]") {
  TempDir dir;
  CatalogCache cache(dir.path, {server("a", "https://a.example/mcp")});
  {
    std::ofstream out(cache.file());
    out << "{ truncated";
  }
  CHECK_FALSE(cache.load());
}
