#!/usr/bin/env bash
# The newcomer's demo: install what is missing, build the bridge, run demo/demo.mjs.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
"$repo/scripts/install-deps.sh"
printf 'demo: building the bridge (cmake --preset default)\n' >&2
cmake --preset default >/dev/null
cmake --build --preset default -j2 --target bridge >/dev/null
export BRIDGE_BIN="${BRIDGE_BIN:-$repo/build/default/src/bridge}"
exec node "$repo/demo/demo.mjs"
