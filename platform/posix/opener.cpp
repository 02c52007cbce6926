#include "platform/posix/opener.hpp"

#include "platform/common/browser_url.hpp"
#include "platform/platform.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace bridge::platform::posix {
namespace {

// How long an opener may run before we take "still running" as success (a browser started in
// the foreground); a failing opener (exit status != 0) lets the next one try.
constexpr auto k_grace = std::chrono::milliseconds(1500);

enum class Outcome { started, failed };

Outcome run(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0) {
    return Outcome::failed;
  }
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  // The browser gets the default signal mask, not the one `serve` blocks SIGTERM/SIGINT with
  // (platform/termination.hpp): a blocked mask survives exec.
  posix_spawnattr_t attributes;
  if (posix_spawnattr_init(&attributes) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return Outcome::failed;
  }
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Outcome::failed;
  }
  auto until = std::chrono::steady_clock::now() + k_grace;
  for (;;) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      // 127: the program was not found (some libcs report exec failure this way).
      return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? Outcome::started : Outcome::failed;
    }
    if (done < 0 && errno != EINTR) {
      return Outcome::started; // someone else reaped it; it did start
    }
    if (std::chrono::steady_clock::now() >= until) {
      // Still running: a browser in the foreground. Reap it whenever it ends.
      std::thread([pid] {
        int ignored = 0;
        while (::waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
        }
      }).detach();
      return Outcome::started;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

} // namespace

core::Status open_url(const std::string& url, const std::vector<std::string>& default_opener) {
  if (auto valid = validate_browser_url(url); !valid) {
    return valid;
  }
  std::vector<std::vector<std::string>> candidates;
  if (auto browser = env("BROWSER"); browser && !browser->empty()) {
    candidates = browser_commands(*browser, url, ':');
  }
  auto fallback = default_opener;
  fallback.push_back(url);
  candidates.push_back(std::move(fallback));
  for (const auto& argv : candidates) {
    if (run(argv) == Outcome::started) {
      return core::ok_status();
    }
  }
  std::fprintf(stderr, "mcp-bridge: could not start a browser; open this URL yourself:\n  %s\n", url.c_str());
  return core::ok_status();
}

} // namespace bridge::platform::posix
