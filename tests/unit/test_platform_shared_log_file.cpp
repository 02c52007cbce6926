// The log and audit files several bridges share: owner-only, rotated once by whoever finds them
// too big, no line lost or cut when processes append and rotate at the same time.

#include "catch.hpp"
#include "test_platform_support.hpp"

#include "platform/shared_log_file.hpp"

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#ifndef _WIN32
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

using bridge::platform::SharedLogFile;
using bridge::test::ScopedEnv;
using bridge::test::TempDir;
using bridge::test::read_all;

TEST_CASE("shared log file: rotated names follow spdlog's (bridge.1.log)", "[platform][log]") {
  CHECK(SharedLogFile::rotated_name("/d/bridge.log", 1) == std::filesystem::path("/d/bridge.1.log"));
  CHECK(SharedLogFile::rotated_name("/d/audit.log", 5) == std::filesystem::path("/d/audit.5.log"));
}

TEST_CASE("shared log file: rotates past max_bytes, keeps max_files, drops the oldest", "[platform][log]") {
  TempDir dir;
  ScopedEnv data("XDG_DATA_HOME", dir.path().string()); // the rotation lock lives under the data dir
  ScopedEnv home("HOME", dir.path().string());
  auto path = dir.path() / "logs" / "bridge.log";
  SharedLogFile file(path, 100, 2);
  for (int i = 0; i < 12; ++i) {
    REQUIRE(file.append("line " + std::to_string(i) + " " + std::string(40, 'x') + "\n").ok());
  }
  CHECK(std::filesystem::exists(SharedLogFile::rotated_name(path, 1)));
  CHECK(std::filesystem::exists(SharedLogFile::rotated_name(path, 2)));
  CHECK_FALSE(std::filesystem::exists(SharedLogFile::rotated_name(path, 3)));
  CHECK(read_all(path).find("line 11 ") == std::string::npos); // line 11 made it too big: rotated away
  CHECK(read_all(SharedLogFile::rotated_name(path, 1)).find("line 11 ") != std::string::npos);
}

#ifndef _WIN32
TEST_CASE("shared log file: created 0600 whatever the umask; a 0644 one is tightened", "[platform][log]") {
  TempDir dir;
  auto path = dir.path() / "audit.log";
  mode_t old = ::umask(022);
  REQUIRE(SharedLogFile(path, 1 << 20, 3).append("a\n").ok());
  ::umask(old);
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  REQUIRE(SharedLogFile(path, 1 << 20, 3).append("b\n").ok());
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK(read_all(path) == "a\nb\n");
}

TEST_CASE("shared log file: processes appending and rotating together lose and cut no line", "[platform][log]") {
  TempDir dir;
  ScopedEnv data("XDG_DATA_HOME", dir.path().string());
  ScopedEnv home("HOME", dir.path().string());
  auto path = dir.path() / "logs" / "bridge.log";
  constexpr int k_children = 4;
  constexpr int k_lines = 400;
  constexpr int k_files = 1000; // enough that rotation drops nothing: every line must be found
  CHECK(bridge::test::run_in_children(k_children, [&](int c) {
          SharedLogFile file(path, 4096, k_files);
          int failures = 0;
          for (int i = 0; i < k_lines; ++i) {
            failures += file.append("p" + std::to_string(c) + " " + std::to_string(i) + " " +
                                    std::string(60, static_cast<char>('a' + c)) + "\n")
                                .ok()
                            ? 0
                            : 1;
          }
          return failures;
        }) == 0);
  std::map<std::string, int> seen;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(path.parent_path())) {
    ++files;
    std::istringstream lines(read_all(entry.path()));
    for (std::string line; std::getline(lines, line);) {
      REQUIRE(line.size() > 60); // whole: never two lines run together or one cut short
      auto c = line[1] - '0';
      CHECK(line.substr(line.size() - 60) == std::string(60, static_cast<char>('a' + c)));
      ++seen[line.substr(0, line.find(' ', 3))];
    }
  }
  CHECK(files > 10); // it did rotate, many times
  CHECK(seen.size() == static_cast<std::size_t>(k_children * k_lines));
  for (const auto& [key, count] : seen) {
    CHECK(count == 1);
  }
}
#endif
