#include "catch.hpp"
#include "test_platform_support.hpp"

#include "platform/common/file_secret_store.hpp"
#include "platform/secret_store.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#ifndef _WIN32
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

using namespace bridge::platform;
using bridge::test::ScopedEnv;
using bridge::test::TempDir;
using bridge::test::read_all;

TEST_CASE("file store round trip, overwrite, erase and missing keys", "[platform][file_store]") {
  TempDir dir;
  auto path = dir.path() / "nested" / "secrets.json";
  FileSecretStore store(path, "test");
  CHECK_FALSE(store.is_keychain());
  CHECK(store.describe().find(path.string()) != std::string::npos);

  auto missing = store.get("token:nothing");
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
  CHECK(store.erase("token:nothing").ok()); // erasing a missing key is fine, even without a file

  std::string big(4096, 'z');
  REQUIRE(store.set("token:jumpcloud", "jca_secret").ok());
  REQUIRE(store.set("oauth:x", big).ok());
  REQUIRE(store.set("unicode", "p\xc3\xa4ss\xe2\x82\xac").ok());
  CHECK(store.get("token:jumpcloud")->value() == "jca_secret");
  CHECK(store.get("oauth:x")->value() == big);
  CHECK(store.get("unicode")->value() == "p\xc3\xa4ss\xe2\x82\xac");

  REQUIRE(store.set("token:jumpcloud", "jca_rotated").ok());
  CHECK(store.get("token:jumpcloud")->value() == "jca_rotated");

  // A second instance (another process, say) sees the same data.
  FileSecretStore other(path, "test");
  CHECK(other.get("token:jumpcloud")->value() == "jca_rotated");

  REQUIRE(store.erase("token:jumpcloud").ok());
  CHECK_FALSE(store.get("token:jumpcloud")->has_value());
  CHECK(store.get("oauth:x")->value() == big);

  auto document = nlohmann::json::parse(read_all(path));
  CHECK(document.is_object());
  CHECK(document.size() == 2);
  // No temp files are left behind.
  std::size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(path.parent_path())) {
    CHECK(entry.path().filename().string().find(".tmp.") == std::string::npos);
    ++entries;
  }
  CHECK(entries == 2); // secrets.json and secrets.json.lock
}

TEST_CASE("file store refuses to clobber a corrupt file", "[platform][file_store]") {
  TempDir dir;
  auto path = dir.path() / "secrets.json";
  {
    std::ofstream out(path);
    out << "{not json";
  }
  FileSecretStore store(path, "test");
  auto got = store.get("k");
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().message.find("not a JSON object") != std::string::npos);
  CHECK_FALSE(store.set("k", "v").ok());
  CHECK(read_all(path) == "{not json");
}

TEST_CASE("file store rejects values that are not UTF-8", "[platform][file_store]") {
  TempDir dir;
  FileSecretStore store(dir.path() / "secrets.json", "test");
  auto status = store.set("k", std::string("\xff\xfe", 2));
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().kind == bridge::core::ErrorKind::invalid_input);
}

TEST_CASE("file store survives concurrent writers (threads)", "[platform][file_store]") {
  TempDir dir;
  auto path = dir.path() / "secrets.json";
  constexpr int k_threads = 4;
  constexpr int k_keys = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0}; // Catch2 assertions are not thread-safe: count, check after
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&path, &failures, t] {
      FileSecretStore store(path, "test", std::chrono::milliseconds(20000));
      for (int i = 0; i < k_keys; ++i) {
        auto key = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!store.set(key, "value-" + key).ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  CHECK(failures.load() == 0);
  FileSecretStore store(path, "test");
  for (int t = 0; t < k_threads; ++t) {
    for (int i = 0; i < k_keys; ++i) {
      auto key = "t" + std::to_string(t) + "-" + std::to_string(i);
      auto got = store.get(key);
      REQUIRE(got.ok());
      REQUIRE(got->has_value());
      CHECK(**got == "value-" + key);
    }
  }
}

#ifndef _WIN32

TEST_CASE("file store is created 0600 whatever the umask", "[platform][file_store]") {
  TempDir dir;
  auto path = dir.path() / "data" / "secrets.json";
  mode_t old_mask = ::umask(0);
  FileSecretStore store(path, "test");
  auto status = store.set("k", "v");
  ::umask(old_mask);
  REQUIRE(status.ok());
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  REQUIRE(::stat(path.parent_path().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0700);
}

TEST_CASE("file store tightens a group/other-readable file", "[platform][file_store]") {
  TempDir dir;
  auto path = dir.path() / "secrets.json";
  {
    std::ofstream out(path);
    out << R"({"k":"v"})";
  }
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  FileSecretStore store(path, "test");
  auto got = store.get("k");
  REQUIRE(got.ok());
  CHECK(got->value() == "v");
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("file store survives concurrent writers (processes)", "[platform][file_store]") {
  TempDir dir;
  auto path = dir.path() / "secrets.json";
  constexpr int k_children = 3;
  constexpr int k_keys = 30;
  CHECK(bridge::test::run_in_children(k_children, [&](int c) {
          FileSecretStore store(path, "test", std::chrono::milliseconds(20000));
          int failures = 0;
          for (int i = 0; i < k_keys; ++i) {
            auto key = "p" + std::to_string(c) + "-" + std::to_string(i);
            failures += store.set(key, std::string(300, static_cast<char>('a' + c))).ok() ? 0 : 1;
          }
          return failures;
        }) == 0);
  auto document = nlohmann::json::parse(read_all(path));
  CHECK(document.size() == static_cast<std::size_t>(k_children * k_keys));
}

#endif

TEST_CASE("BRIDGE_TOKEN_STORE=file selects the file store under the data dir", "[platform][file_store]") {
  TempDir dir;
  ScopedEnv data("XDG_DATA_HOME", dir.path().string());
  ScopedEnv home("HOME", dir.path().string()); // macOS: ~/Library/Application Support
  ScopedEnv forced("BRIDGE_TOKEN_STORE", std::string("file"));
  auto store = open_secret_store(StorePreference::keychain);
  REQUIRE(store.ok());
  CHECK_FALSE((*store)->is_keychain());
  REQUIRE((*store)->set("token:a", "b").ok());
  CHECK((*store)->get("token:a")->value() == "b");
  CHECK((*store)->erase("token:a").ok()); // Windows: the real %LOCALAPPDATA%
#ifdef __linux__
  CHECK(std::filesystem::exists(dir.path() / "mcp-bridge" / "secrets.json"));
#endif
}

TEST_CASE("BRIDGE_TOKEN_STORE with a bad value is an error", "[platform][file_store]") {
  ScopedEnv forced("BRIDGE_TOKEN_STORE", std::string("floppy"));
  auto store = open_secret_store(StorePreference::automatic);
  REQUIRE_FALSE(store.ok());
  CHECK(store.error().message.find("BRIDGE_TOKEN_STORE") != std::string::npos);
}
