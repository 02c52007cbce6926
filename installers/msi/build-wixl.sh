#!/usr/bin/env bash
# Builds the per-user MSI on Linux with Debian's wixl (package wixl; msitools for msiinfo).
#   installers/msi/build-wixl.sh [OUT_DIR] [WINDOWS_BRIDGE_EXE]
# OUT_DIR             default build/msi; gets stage/, docs.wxi and the .msi
# WINDOWS_BRIDGE_EXE  a real Windows bridge.exe (e.g. from the release workflow's Windows job);
#                     also taken from $BRIDGE_WINDOWS_EXE
#
# This machine cannot link a Windows bridge.exe: Debian's mingw-w64 has no libcurl for Windows.
# Without a real one the MSI is built around a clearly named text placeholder and the file name
# says so (mcp-bridge-X.Y.Z-x64-PLACEHOLDER.msi): it proves the WiX source compiles, nothing more.
#
# wixl 0.101 rejects <Environment>, so this build defines NoPathEntry and the MSI has no PATH
# entry. Shipped MSIs come from build.ps1 (WiX on Windows), which keeps it. wixl also prints two
# harmless GLib warnings (InstallPrivileges, Platform): WiX attributes it does not model.
# Prints the path of the .msi on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(mkdir -p "${1:-$root/build/msi}" && cd "${1:-$root/build/msi}" && pwd)
exe=${2:-${BRIDGE_WINDOWS_EXE:-}}

command -v wixl >/dev/null || { echo "build-wixl.sh: wixl not found (apt-get install wixl)" >&2; exit 1; }

version=$(sed -n 's/^project(mcp-bridge VERSION \([0-9][0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
[ -n "$version" ] || { echo "build-wixl.sh: no version in CMakeLists.txt project()" >&2; exit 1; }

stage=$out/stage
rm -rf "$stage"
mkdir -p "$stage/docs"
suffix=
if [ -n "$exe" ]; then
  if [ "$(head -c 2 "$exe")" != "MZ" ]; then
    echo "build-wixl.sh: $exe is not a Windows executable" >&2
    exit 1
  fi
  cp "$exe" "$stage/bridge.exe"
  echo "build-wixl.sh: packaging the Windows binary $exe" >&2
else
  suffix=-PLACEHOLDER
  cat >"$stage/bridge.exe" <<TXT
PLACEHOLDER - NOT A PROGRAM. mcp-bridge $version MSI built by installers/msi/build-wixl.sh on
Linux to prove that installers/msi/mcp-bridge.wxs compiles with wixl. No Windows bridge.exe could be
linked on the build machine (no mingw-w64 libcurl). Real MSIs are built on Windows by build.ps1.
TXT
  echo "build-wixl.sh: no Windows bridge.exe given: packaging a PLACEHOLDER text file as bridge.exe" >&2
fi
cp "$root/LICENSE" "$stage/LICENSE.txt"
cp "$root/README.md" "$stage/README.md"

# docs.wxi: one <File> per guide (docs/*.md), included into the Guides component.
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<Include xmlns="http://schemas.microsoft.com/wix/2006/wi">'
  shopt -s nullglob
  for doc in "$root"/docs/*.md; do
    name=$(basename "$doc")
    case $name in *[\"\&\<\>\']*) echo "build-wixl.sh: skipping $name (XML metacharacters)" >&2; continue ;; esac
    cp "$doc" "$stage/docs/$name"
    id=doc_$(printf '%s' "$name" | tr -c 'A-Za-z0-9_.' '_')
    echo "  <File Id=\"${id:0:70}\" Name=\"$name\" Source=\"stage/docs/$name\" />"
  done
  echo '</Include>'
} >"$out/docs.wxi"

msi=$out/mcp-bridge-$version-x64$suffix.msi
rm -f "$msi"
# wixl cannot take absolute File/@Source paths: sources are relative to OUT_DIR.
cd "$out"
wixl -a x64 \
  -D Version="$version" -D StageDir=stage -D DocsInclude=docs.wxi -D NoPathEntry=1 \
  -o "$msi" "$here/mcp-bridge.wxs"
echo "$msi"
