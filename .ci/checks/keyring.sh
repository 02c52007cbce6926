#!/bin/sh
# The Secret Service backend against a real gnome-keyring, headless, on a private D-Bus session.
#   .ci/checks/keyring.sh build/ci/tests/unit_tests
# Debian/Ubuntu packages: libsecret-1-dev (build) gnome-keyring dbus libsecret-tools
# (dbus-x11 is not needed: dbus-run-session comes with dbus / dbus-bin.)
set -eu
bin="${1:?usage: $0 path/to/unit_tests}"
here="$(cd "$(dirname "$0")/../.." && pwd)"
# --order decl: the locked-collection test runs last (it leaves the keyring locked).
exec "$here/tests/keyring/run-with-keyring.sh" "$bin" "[keyring]" --order decl
