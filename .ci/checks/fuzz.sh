#!/usr/bin/env bash
# Every libFuzzer target (parsers of outside input) for a bounded time over its seed corpus.
set -euo pipefail
cd "$(dirname "$0")/../.."
FUZZ_SECONDS="${FUZZ_SECONDS:-30}" exec bash tests/fuzz/run.sh
