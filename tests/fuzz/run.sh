#!/usr/bin/env bash
# Builds the libFuzzer targets (the "fuzz" preset: clang, ASan + UBSan) and runs each for a bounded
# time over its seed corpus (tests/fuzz/corpus/<target>/). Exits non-zero when a target crashes or
# an invariant check aborts; the reproducer is left in the work directory printed at the end.
#
#   FUZZ_SECONDS=60 tests/fuzz/run.sh              # default 30 s per target
#   FUZZ_TARGETS="fuzz_envelope" tests/fuzz/run.sh # a subset
#   FUZZ_BUILD_DIR=build/my-fuzz tests/fuzz/run.sh # a private build dir instead of the preset's
#
# New corpus entries go to the work directory, never into the committed seed corpus.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${FUZZ_SECONDS:-30}"
targets="${FUZZ_TARGETS:-fuzz_sse_parser fuzz_envelope fuzz_config fuzz_www_authenticate fuzz_streamed_response fuzz_client_output}"
work="${FUZZ_WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/bridge-fuzz.XXXXXX")}"

cd "$root"
if [[ -n "${FUZZ_BUILD_DIR:-}" ]]; then
  # Same settings as the preset, but with BUILD_TESTING on, which also reaches tests/fuzz.
  build="$FUZZ_BUILD_DIR"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DBRIDGE_FUZZ=ON
  # shellcheck disable=SC2086 # word splitting of the target list is intended
  cmake --build "$build" -j2 --target $targets
else
  build="$root/build/fuzz"
  cmake --preset fuzz
  cmake --build --preset fuzz -j2
fi

status=0
for target in $targets; do
  binary="$(find "$build" -type f -name "$target" -perm -u+x | head -n 1)"
  if [[ -z "$binary" ]]; then
    echo "run.sh: $target was not built (does the configure reach tests/fuzz?)" >&2
    exit 2
  fi
  mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
  echo "== $target: ${seconds}s"
  if ! "$binary" "$work/$target/corpus" "$root/tests/fuzz/corpus/$target" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$work/$target/artifacts/" \
      2>"$work/$target/log"; then
    status=1
    echo "== $target FAILED; log and reproducer in $work/$target" >&2
    tail -n 40 "$work/$target/log" >&2
    continue
  fi
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$work/$target/log" || true
  grep -E '^(#[0-9]+\s+(DONE|INITED))' "$work/$target/log" | tail -n 1 || true
done
echo "work dir: $work"
exit "$status"
