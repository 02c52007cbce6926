#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: installs what is missing (apt packages and
# the Node test peers), builds with warnings as errors, runs the unit tests and the integration
# suite (the real binary against real MCP servers on 127.0.0.1), then does it all again in the
# AddressSanitizer + UndefinedBehaviorSanitizer build.
#   BRIDGE_SKIP_ASAN=1 scripts/test.sh   skips the sanitizer pass (quicker local runs)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

cmake --preset ci >/dev/null
cmake --build --preset ci -j2
ctest --preset ci
# The Secret Service backend against a real gnome-keyring on a private D-Bus session.
tests/keyring/run-with-keyring.sh build/ci/tests/unit_tests "[keyring]" --order decl
# A whole session through the binary with that keyring: no secret may land outside it.
tests/keyring/run-with-keyring.sh env BRIDGE_BIN="$PWD/build/ci/src/bridge" node --test tests/keyring/

if [ "${BRIDGE_SKIP_ASAN:-0}" != 1 ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j2
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --preset asan
fi
