#!/bin/sh
# Runs CMD... against a real, unlocked gnome-keyring Secret Service on a private D-Bus session,
# headless (no X11, no prompts), in a throw-away HOME / XDG_DATA_HOME:
#
#   tests/keyring/run-with-keyring.sh build/ci/tests/unit_tests "[keyring]"
#
# Needs: dbus (dbus-run-session, dbus-send), gnome-keyring, libsecret-tools (secret-tool for the
# tests' cross-checks). The recipe is the one in ../shared/FACTS.md ("Keychains").
set -eu

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$0: $tool not found (install dbus, gnome-keyring)" >&2; exit 2; }
done

if [ "${BRIDGE_KEYRING_INNER:-}" != 1 ]; then
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/bridge-keyring.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT INT TERM
  mkdir -p "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/runtime"
  chmod 700 "$tmp/runtime"
  # A clean environment: no desktop bus, no display, so nothing reaches the real user's keyring.
  status=0
  env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY -u WAYLAND_DISPLAY -u GNOME_KEYRING_CONTROL \
    HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" \
    XDG_RUNTIME_DIR="$tmp/runtime" BRIDGE_KEYRING_INNER=1 \
    dbus-run-session -- "$0" "$@" || status=$?
  exit "$status"
fi

# Inside the private session bus. The password must be non-empty; --foreground keeps the daemon
# tied to us (without it, it outlives the bus).
printf %s 'bridge-test-password' |
  gnome-keyring-daemon --foreground --unlock --components=secrets >"$XDG_RUNTIME_DIR/keyring.log" 2>&1 &
daemon=$!

has_owner() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}

tries=0
until has_owner; do
  tries=$((tries + 1))
  if [ "$tries" -ge 100 ] || ! kill -0 "$daemon" 2>/dev/null; then
    echo "$0: gnome-keyring did not claim org.freedesktop.secrets within 10 s" >&2
    cat "$XDG_RUNTIME_DIR/keyring.log" >&2 || true
    kill "$daemon" 2>/dev/null || true
    exit 1
  fi
  sleep 0.1
done

status=0
"$@" || status=$?

kill "$daemon" 2>/dev/null || true
wait "$daemon" 2>/dev/null || true
exit "$status"
