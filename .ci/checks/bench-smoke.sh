#!/usr/bin/env bash
# A short run of the benchmark (bench/run --quick): checks that the harness works end to end —
# the native driver builds, the SDK upstream, mcp-remote and the bridge all answer, every
# measurement is produced — not the timings (CI machines are too noisy for those). ~1 minute.
#   .ci/checks/bench-smoke.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir=${1:-build/ci}
bridge="$build_dir/src/bridge"
if [ ! -x "$bridge" ]; then
  echo "bench-smoke: no bridge binary at $bridge (build first)" >&2
  exit 1
fi
if [ ! -d bench/node_modules/mcp-remote ]; then
  (cd bench && npm ci --no-audit --no-fund >/dev/null)
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout 240 python3 bench/run --quick --bridge "$bridge" | tee "$out"
# Every row has a number for the bridge, and the targets table was produced.
for row in "spawn → initialize answered" "echo tools/call, median" "1 MB result, throughput" \
           "peak RSS (VmHWM) idle" "bridge, cold cache" "bridge, cached catalog"; do
  if ! grep -F "| $row" "$out" | grep -Eq '\| [0-9][0-9,.]* \|'; then
    echo "bench-smoke: no measurement for \"$row\"" >&2
    exit 1
  fi
done
grep -q '^| target | met | measured |' "$out"
# The echo ratio compares the bridge with a direct client paired in the same run.
grep -q '^Echo, paired:' "$out"
echo "bench-smoke: harness OK"
