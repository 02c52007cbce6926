// Secret Service tests. The [.keyring] ones need a real, unlocked Secret Service: run them with
//   tests/keyring/run-with-keyring.sh build/…/unit_tests "[keyring]" --order decl
// (.ci/checks/keyring.sh does). The fallback test needs no keyring and runs everywhere on Linux.

#include "catch.hpp"
#include "test_platform_support.hpp"

#include "platform/secret_store.hpp"

#ifdef __linux__

#include "platform/linux/libsecret_store.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <random>

using namespace bridge::platform;
using bridge::test::ScopedEnv;
using bridge::test::TempDir;

namespace {

// Runs argv-free shell commands built only from test constants; returns stdout.
std::string capture(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return output;
  }
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    output.append(buffer.data(), n);
  }
  ::pclose(pipe);
  return output;
}

std::string unique_key(const std::string& stem) {
  std::random_device random;
  return "test:" + stem + ":" + std::to_string(random());
}

std::unique_ptr<SecretStore> keychain() {
  ScopedEnv no_override("BRIDGE_TOKEN_STORE", std::nullopt);
  auto store = open_secret_store(StorePreference::keychain, std::chrono::milliseconds(5000));
  if (!store.ok()) {
    FAIL("no Secret Service: " << store.error().message);
  }
  REQUIRE((*store)->is_keychain());
  return std::move(store).value();
}

} // namespace

TEST_CASE("keyring: set, get, overwrite, erase", "[.keyring][keyring]") {
  auto store = keychain();
  auto key = unique_key("basic");
  auto missing = store->get(key);
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
  CHECK(store->erase(key).ok());

  REQUIRE(store->set(key, "jca_0123456789abcdef").ok());
  auto got = store->get(key);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(**got == "jca_0123456789abcdef");

  REQUIRE(store->set(key, "jca_rotated").ok());
  CHECK(store->get(key)->value() == "jca_rotated");

  REQUIRE(store->erase(key).ok());
  CHECK_FALSE(store->get(key)->has_value());
  CHECK(store->erase(key).ok());
}

TEST_CASE("keyring: a 4 KB token bundle and non-ASCII survive", "[.keyring][keyring]") {
  auto store = keychain();
  auto key = unique_key("bundle");
  std::string bundle = R"({"access_token":")" + std::string(4000, 'A') + R"(","refresh_token":"r\u00e9"})";
  REQUIRE(bundle.size() > 4000);
  REQUIRE(store->set(key, bundle).ok());
  CHECK(store->get(key)->value() == bundle);
  REQUIRE(store->set(key, "p\xc3\xa4ss\xe2\x82\xac").ok());
  CHECK(store->get(key)->value() == "p\xc3\xa4ss\xe2\x82\xac");
  CHECK(store->erase(key).ok());
}

TEST_CASE("keyring: secret-tool sees the item under attribute key", "[.keyring][keyring]") {
  auto store = keychain();
  auto key = unique_key("visible");
  REQUIRE(store->set(key, "jca_visible_to_secret_tool").ok());
  CHECK(capture("secret-tool lookup key '" + key + "'") == "jca_visible_to_secret_tool");
  CHECK(capture("secret-tool search --all key '" + key + "' 2>&1").find("dev.mcp-bridge.Secret") !=
        std::string::npos);
  REQUIRE(store->erase(key).ok());
  CHECK(capture("secret-tool lookup key '" + key + "'").empty());
}

TEST_CASE("keyring: automatic picks the keychain when it is reachable", "[.keyring][keyring]") {
  ScopedEnv no_override("BRIDGE_TOKEN_STORE", std::nullopt);
  auto store = open_secret_store(StorePreference::automatic);
  REQUIRE(store.ok());
  CHECK((*store)->is_keychain());
  CHECK((*store)->describe() == "keychain (Secret Service)");
}

TEST_CASE("no reachable Secret Service: automatic falls back to the file, keychain errs",
          "[platform][keyring][fallback]") {
  TempDir dir;
  ScopedEnv no_override("BRIDGE_TOKEN_STORE", std::nullopt);
  ScopedEnv data("XDG_DATA_HOME", dir.path().string());
  ScopedEnv bus("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + (dir.path() / "no-such-bus").string());

  auto strict = open_secret_store(StorePreference::keychain, std::chrono::milliseconds(2000));
  REQUIRE_FALSE(strict.ok());
  CHECK(strict.error().kind == bridge::core::ErrorKind::unavailable);
  CHECK(strict.error().message.find("no D-Bus session bus") != std::string::npos);
  CHECK(strict.error().message.find("token_store") != std::string::npos);

  auto automatic = open_secret_store(StorePreference::automatic, std::chrono::milliseconds(2000));
  REQUIRE(automatic.ok());
  CHECK_FALSE((*automatic)->is_keychain());
  CHECK((*automatic)->describe().find((dir.path() / "mcp-bridge" / "secrets.json").string()) != std::string::npos);
  // The reason is announced once on stderr; every message that names the store does not repeat it.
  CHECK((*automatic)->describe().find("no OS keychain reachable") != std::string::npos);
  CHECK((*automatic)->describe().find("no D-Bus session bus") == std::string::npos);
  REQUIRE((*automatic)->set("token:x", "y").ok());
  CHECK((*automatic)->get("token:x")->value() == "y");
}

TEST_CASE("keyring: a bus without a Secret Service is 'no provider'", "[.keyring][keyring]") {
  TempDir dir;
  auto config = dir.path() / "bus.conf";
  {
    // A session bus with no service directories: nothing can be activated on it.
    std::ofstream out(config);
    out << "<busconfig><type>session</type><listen>unix:dir=" << dir.path().string()
        << "</listen><auth>EXTERNAL</auth><policy context=\"default\">"
           "<allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/><allow own=\"*\"/>"
           "</policy></busconfig>\n";
  }
  auto started = capture("dbus-daemon --fork --print-address=1 --print-pid=1 --config-file='" + config.string() +
                         "' 2>/dev/null");
  auto newline = started.find('\n');
  REQUIRE(newline != std::string::npos);
  std::string address = started.substr(0, newline);
  std::string pid = started.substr(newline + 1);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) {
    pid.pop_back();
  }
  {
    ScopedEnv no_override("BRIDGE_TOKEN_STORE", std::nullopt);
    ScopedEnv bus("DBUS_SESSION_BUS_ADDRESS", address);
    auto store = open_secret_store(StorePreference::keychain, std::chrono::milliseconds(3000));
    REQUIRE_FALSE(store.ok());
    INFO(store.error().message);
    CHECK(store.error().kind == bridge::core::ErrorKind::unavailable);
    CHECK(store.error().message.find("no Secret Service provider") != std::string::npos);
  }
  capture("kill " + pid);
}

// Last in this file (run with --order decl): it leaves the login collection locked.
TEST_CASE("keyring: a locked collection is an error, not 'not found'", "[.keyring][keyring]") {
  auto store = keychain();
  auto key = unique_key("locked");
  REQUIRE(store->set(key, "jca_locked").ok());
  auto reply = capture("dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets "
                       "org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login "
                       "2>&1");
  INFO(reply);
  auto got = store->get(key);
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == bridge::core::ErrorKind::unavailable);
  CHECK(got.error().message.find("locked") != std::string::npos);
  // Fresh store, fresh proxies: the same answer.
  auto again = keychain()->get(key);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().message.find("locked") != std::string::npos);
  // A key that is not there cannot be told apart from a hidden one: still "locked".
  auto absent = keychain()->get(unique_key("absent"));
  REQUIRE_FALSE(absent.ok());
  CHECK(absent.error().message.find("locked") != std::string::npos);
  // Erasing must not pretend to succeed either.
  CHECK_FALSE(store->erase(key).ok());
}

#endif
