#!/bin/sh
# Compiles the Windows platform sources (platform/windows/*.cpp) and the portable ones
# (platform/common/*.cpp) with Debian's mingw-w64 cross compiler, warnings as errors, and
# assembles the manifest resource. Objects only: the whole binary cannot be linked here because
# Debian has no mingw libcurl (nor simdjson/spdlog for mingw); the GitHub Actions Windows job
# (.github/workflows/ci.yml) links and tests it for real.
#
# Debian package: mingw-w64 (g++-mingw-w64-x86-64-posix: the -posix thread model for std::thread).
set -eu

here="$(cd "$(dirname "$0")/../.." && pwd)"
cxx="${MINGW_CXX:-x86_64-w64-mingw32-g++-posix}"
windres="${MINGW_WINDRES:-x86_64-w64-mingw32-windres}"
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "$0: installing mingw-w64" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mingw-w64 >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mingw-w64 >/dev/null; }
fi
command -v "$cxx" >/dev/null 2>&1 || { echo "$0: $cxx not found (apt-get install mingw-w64)" >&2; exit 2; }

out="$(mktemp -d "${TMPDIR:-/tmp}/bridge-mingw.XXXXXX")"
trap 'rm -rf "$out"' EXIT INT TERM

# The same warnings as cmake/StandardSettings.cmake's bridge_warnings, plus the Windows
# definitions platform/CMakeLists.txt sets. nlohmann/json is header-only: Debian's copy will do.
flags="-std=c++20 -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wformat=2 -Wimplicit-fallthrough -Werror
  -DUNICODE -D_UNICODE -DWIN32_LEAN_AND_MEAN -DNOMINMAX
  -I$here -I$here/src -isystem $out/include"
# Only nlohmann from /usr/include (adding /usr/include itself would pull in glibc headers).
mkdir -p "$out/include"
ln -s /usr/include/nlohmann "$out/include/nlohmann"

status=0
for source in "$here"/platform/windows/*.cpp "$here"/platform/common/*.cpp; do
  name="$(basename "$source" .cpp)"
  # shellcheck disable=SC2086
  if "$cxx" $flags -c "$source" -o "$out/$name.o"; then
    echo "ok   ${source#"$here"/}"
  else
    echo "FAIL ${source#"$here"/}" >&2
    status=1
  fi
done

if command -v "$windres" >/dev/null 2>&1; then
  if (cd "$here/platform/windows" && "$windres" bridge.rc -O coff -o "$out/bridge-rc.o"); then
    echo "ok   platform/windows/bridge.rc"
  else
    echo "FAIL platform/windows/bridge.rc" >&2
    status=1
  fi
fi

# The Windows objects must at least resolve against the Windows import libraries they name.
if [ "$status" -eq 0 ]; then
  cat > "$out/main.cpp" <<'CPP'
#include "platform/platform.hpp"
#include "platform/secret_store.hpp"
int main() {
  (void)bridge::platform::config_dir();
  (void)bridge::platform::data_dir();
  auto store = bridge::platform::open_secret_store(bridge::platform::StorePreference::automatic);
  return store.ok() ? 0 : 1;
}
CPP
  # shellcheck disable=SC2086
  if "$cxx" $flags -c "$out/main.cpp" -o "$out/main.o" &&
     "$cxx" -static -o "$out/platform-smoke.exe" "$out"/*.o -ladvapi32 -lshell32 -lole32 -luuid -lws2_32; then
    echo "ok   link: platform objects + manifest against the Windows import libraries"
  else
    echo "FAIL link of the platform objects" >&2
    status=1
  fi
fi
exit "$status"
