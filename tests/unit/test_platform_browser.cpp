#include "catch.hpp"
#include "test_platform_support.hpp"

#include "platform/common/browser_url.hpp"
#include "platform/platform.hpp"

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#ifndef _WIN32
#include <sys/stat.h>
#endif

using namespace bridge::platform;

TEST_CASE("browser URLs: https anywhere, http only to loopback", "[platform][browser]") {
  for (const char* url : {"https://example.com", "https://example.com/authorize?client_id=a&state=b%20c#frag",
                          "HTTPS://Login.Example.COM:8443/x", "https://[2001:db8::1]/x", "http://127.0.0.1:53682/callback",
                          "http://localhost:8080/", "http://[::1]:9/cb", "http://127.1.2.3/",
                          "https://auth.example.com/a?x=$(id);y=1&z=(2)"}) {
    INFO(url);
    CHECK(validate_browser_url(url).ok());
  }
  for (const char* url : {"", "javascript:alert(1)", "file:///etc/passwd", "http://example.com/",
                          "http://127.0.0.1.evil.com/", "http://localhost.evil.com/", "ftp://example.com/",
                          "https://example.com/a b", "https://example.com/\n", "https://example.com/\r\nx",
                          "https://example.com/\"onload", "https://example.com/'x'", "https://example.com/`id`",
                          "https://example.com/<x>", "https://user:pass@example.com/", "https://", "https:///path",
                          "https://example.com:99999/", "https://example.com:/", "-https://example.com",
                          " https://example.com", "https://ex\xc3\xa4mple.com/", "data:text/html,<script>",
                          "http://0x7f.0.0.1/", "http://256.0.0.1/", "http://127.0.0/", "\thttps://example.com"}) {
    INFO(url);
    auto status = validate_browser_url(url);
    CHECK_FALSE(status.ok());
    if (!status.ok()) {
      CHECK(status.error().kind == bridge::core::ErrorKind::invalid_input);
    }
  }
}

TEST_CASE("open_browser refuses unsafe URLs before running anything", "[platform][browser]") {
  bridge::test::ScopedEnv browser("BROWSER", std::string("/nonexistent/should-not-run"));
  CHECK_FALSE(open_browser("javascript:alert(1)").ok());
  CHECK_FALSE(open_browser("http://example.com/").ok());
  CHECK_FALSE(open_browser("file:///etc/passwd").ok());
}

TEST_CASE("BROWSER lists are split into argv without a shell", "[platform][browser]") {
  auto commands = browser_commands("::firefox --new-window: chrome %s --x:", "https://a/", ':');
  REQUIRE(commands.size() == 2);
  CHECK(commands[0] == std::vector<std::string>{"firefox", "--new-window", "https://a/"});
  CHECK(commands[1] == std::vector<std::string>{"chrome", "https://a/", "--x"});
  CHECK(browser_commands("", "https://a/", ':').empty());
}

#ifndef _WIN32

namespace {

// A fake browser: records its argument count, each argument on its own line, and where its
// stdout points; prints to stdout (which must go to /dev/null, not to our protocol pipe).
std::filesystem::path write_fake_browser(const std::filesystem::path& dir) {
  auto script = dir / "fake-browser";
  std::ofstream out(script);
  out << "#!/bin/sh\n"
         "d=\"$(dirname \"$0\")\"\n"
         "printf '%s' \"$#\" > \"$d/argc\"\n"
         "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$d/argv\"\n"
         "o=\"$(readlink /proc/$$/fd/1 2>/dev/null)\"\n"
         "printf '%s\\n' \"$o\" > \"$d/stdout\"\n"
         "echo 'browser noise on stdout'\n";
  out.close();
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  return script;
}

} // namespace

TEST_CASE("$BROWSER gets the URL as exactly one argument", "[platform][browser]") {
  bridge::test::TempDir dir;
  auto script = write_fake_browser(dir.path());
  // Characters a shell would act on must reach the browser untouched.
  const std::string url = "https://auth.example.com/authorize?a=1&b=$(touch$IFS-pwned);c=*#x";
  SECTION("single entry") {
    bridge::test::ScopedEnv browser("BROWSER", script.string());
    REQUIRE(open_browser(url).ok());
  }
  SECTION("list whose first entry does not exist") {
    bridge::test::ScopedEnv browser("BROWSER", "/nonexistent/browser:" + script.string());
    REQUIRE(open_browser(url).ok());
  }
  CHECK(bridge::test::read_all(dir.path() / "argc") == "1");
  CHECK(bridge::test::read_all(dir.path() / "argv") == url + "\n");
#ifdef __linux__
  CHECK(bridge::test::read_all(dir.path() / "stdout") == "/dev/null\n");
#endif
}

TEST_CASE("open_browser prints the URL when no opener works", "[platform][browser]") {
  bridge::test::TempDir dir;
  auto failing = dir.path() / "failing-browser";
  {
    std::ofstream out(failing);
    out << "#!/bin/sh\nexit 3\n";
  }
  std::filesystem::permissions(failing, std::filesystem::perms::owner_all);
  bridge::test::ScopedEnv browser("BROWSER", failing.string());
  bridge::test::ScopedEnv path("PATH", dir.path().string()); // no xdg-open / open either
  CHECK(open_browser("https://example.com/login").ok());
}

#endif
