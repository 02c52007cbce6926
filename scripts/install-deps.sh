#!/usr/bin/env bash
# Install what building and testing mcp-bridge needs on Debian/Ubuntu, idempotently.
#  - apt: build tools and libraries (skipped entirely when dpkg already has them all);
#  - npm ci in tests/ (skipped when tests/node_modules is newer than tests/package-lock.json).
# Uses sudo when not root. Says what it does on stderr.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf 'install-deps: %s\n' "$*" >&2; }

packages=(build-essential cmake ninja-build pkg-config git libcurl4-openssl-dev libsimdjson-dev
          nlohmann-json3-dev libcli11-dev catch2 libspdlog-dev clang libclang-rt-14-dev
          libsecret-1-dev gnome-keyring libsecret-tools dbus libssl-dev python3)
# Node: a node/npm already on PATH (e.g. NodeSource's nodejs, which bundles npm and conflicts with
# Debian's npm package) is kept; otherwise Debian's.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
else
  say "no dpkg here: install these yourself: ${packages[*]}"
fi

if ((${#missing[@]})); then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { say "need root (or sudo) to install: ${missing[*]}"; exit 1; }
    sudo=(sudo)
  fi
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >&2
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  say "apt packages: all present"
fi

# Node modules for the integration suite and the demo.
tests="$repo/tests"
if [ ! -d "$tests/node_modules" ] || [ "$tests/package-lock.json" -nt "$tests/node_modules" ]; then
  say "npm ci in tests/"
  (cd "$tests" && npm ci --no-audit --no-fund --loglevel=error >&2)
  touch "$tests/node_modules"
else
  say "tests/node_modules: up to date"
fi
