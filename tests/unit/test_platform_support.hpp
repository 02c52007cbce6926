#pragma once

// Helpers shared by the test_platform_*.cpp files: environment overrides and temp dirs.

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#ifndef _WIN32
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace bridge::test {

inline void set_env(const std::string& name, const std::optional<std::string>& value) {
#ifdef _WIN32
  _putenv_s(name.c_str(), value ? value->c_str() : "");
#else
  if (value) {
    ::setenv(name.c_str(), value->c_str(), 1);
  } else {
    ::unsetenv(name.c_str());
  }
#endif
}

// Sets (or unsets) a variable for the life of the object.
class ScopedEnv {
public:
  ScopedEnv(std::string name, const std::optional<std::string>& value) : m_name(std::move(name)) {
    if (const char* old = std::getenv(m_name.c_str())) {
      m_old = old;
    }
    set_env(m_name, value);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() { set_env(m_name, m_old); }

private:
  std::string m_name;
  std::optional<std::string> m_old;
};

// A fresh directory, removed with its contents at the end.
class TempDir {
public:
  TempDir() {
    std::random_device random;
    m_path = std::filesystem::temp_directory_path() / ("bridge-test-" + std::to_string(random()) + "-" +
                                                       std::to_string(random()));
    std::filesystem::create_directories(m_path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
};

// A whole file's bytes ("" when it cannot be read).
inline std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

#ifndef _WIN32
// Runs `body(c)` in `count` forked processes at once (c = 0 … count-1), each returning how many of
// its operations failed; returns how many children did not exit 0 after a clean run.
inline int run_in_children(int count, const std::function<int(int)>& body) {
  std::vector<pid_t> children;
  int bad = 0;
  for (int c = 0; c < count; ++c) {
    pid_t pid = ::fork();
    if (pid < 0) {
      ++bad;
      continue;
    }
    if (pid == 0) {
      ::_exit(body(c) == 0 ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      ++bad;
    }
  }
  return bad;
}
#endif

} // namespace bridge::test
