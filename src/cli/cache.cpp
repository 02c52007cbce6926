// `bridge cache` / `bridge cache clear`: where the cached catalog lives and how to drop it (after
// an upstream changed its tools while no bridge was running, or to rule the cache out).

#include "cli/commands.hpp"
#include "cli/support.hpp"
#include "platform/platform.hpp"

#include <cstdio>
#include <filesystem>

namespace bridge::cli {
namespace {

namespace fs = std::filesystem;

fs::path cache_dir() { return platform::data_dir() / "cache"; }

int run_show() {
  std::error_code ec;
  std::uintmax_t bytes = 0;
  int files = 0;
  for (const auto& item : fs::directory_iterator(cache_dir(), ec)) {
    if (item.is_regular_file(ec)) {
      ++files;
      bytes += item.file_size(ec);
    }
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    std::fprintf(stderr, "bridge cache: %s: %s\n", cache_dir().string().c_str(), ec.message().c_str());
    return k_exit_failed;
  }
  std::printf("%s: %d file%s, %ju bytes\n", cache_dir().string().c_str(), files, files == 1 ? "" : "s", bytes);
  std::printf("Each file holds the tools, prompts and resources the upstreams of one config listed last time\n"
              "(no secrets); it is refreshed whenever `bridge serve` sees the live lists. Drop it: bridge cache clear\n");
  return k_exit_ok;
}

int run_clear() {
  std::error_code ec;
  int removed = 0;
  int failed = 0;
  for (const auto& item : fs::directory_iterator(cache_dir(), ec)) {
    std::error_code removing; // per file: a later success must not hide an earlier failure
    if (!item.is_regular_file(removing)) {
      continue;
    }
    if (fs::remove(item.path(), removing)) {
      ++removed;
    } else if (removing) {
      ++failed;
      std::fprintf(stderr, "bridge cache clear: %s: %s\n", item.path().string().c_str(), removing.message().c_str());
    }
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    std::fprintf(stderr, "bridge cache clear: %s: %s\n", cache_dir().string().c_str(), ec.message().c_str());
    return k_exit_failed;
  }
  if (failed > 0) {
    return k_exit_failed;
  }
  std::printf("Removed %d cached catalog file%s from %s; the next start lists the upstreams afresh.\n", removed,
              removed == 1 ? "" : "s", cache_dir().string().c_str());
  return k_exit_ok;
}

} // namespace

void register_cache(CLI::App& app, GlobalOptions& global) {
  auto* cache = app.add_subcommand("cache", "Show or clear the cached catalog (what the upstreams listed last time)");
  auto* clear = cache->add_subcommand("clear", "Delete the cached catalog files");
  cache->footer("Examples:\n  bridge cache\n  bridge cache clear\n\n"
                "The cache (under the data dir, e.g. ~/.local/share/mcp-bridge/cache) lets `bridge serve` answer\n"
                "tools/list at once while the upstreams connect; it holds no secrets and is refreshed in the background.\n"
                "Exit codes: 0 shown or cleared; 1 the folder could not be read.");
  clear->callback([&global] { global.exit_code = run_clear(); });
  cache->callback([&global, clear] {
    if (clear->parsed()) {
      return;
    }
    global.exit_code = run_show();
  });
}

} // namespace bridge::cli
