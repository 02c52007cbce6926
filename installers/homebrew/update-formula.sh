#!/usr/bin/env bash
# Fills in the release url and sha256 of the Homebrew formula.
#   update-formula.sh VERSION [TARBALL] [OUT]
# VERSION   e.g. 0.2.0 (a leading "v" is dropped); the url becomes
#           https://github.com/$REPO/archive/refs/tags/vVERSION.tar.gz (REPO defaults to the
#           formula's homepage owner/name; the release workflow sets it to github.repository)
# TARBALL   a local copy of exactly that archive; without it the script downloads the url
# OUT       where to write the filled formula (default: stdout); the template is not modified
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
template="$here/mcp-bridge.rb"
version=${1:?usage: update-formula.sh VERSION [TARBALL] [OUT]}
version=${version#v}
tarball=${2:-}
out=${3:-/dev/stdout}

if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "update-formula.sh: version '$version' is not X.Y.Z" >&2
  exit 2
fi
repo=${REPO:-$(sed -n 's|^  homepage "https://github.com/\([^"]*\)"|\1|p' "$template")}
url="https://github.com/$repo/archive/refs/tags/v$version.tar.gz"

tmp=
if [ -z "$tarball" ]; then
  tmp=$(mktemp)
  trap 'rm -f "$tmp"' EXIT
  curl -fsSL --retry 3 -o "$tmp" "$url"
  tarball=$tmp
fi
sha=$(sha256sum "$tarball" | cut -d' ' -f1)

sed -e "s|^  homepage \".*\"|  homepage \"https://github.com/$repo\"|" \
    -e "s|^  url \".*\"|  url \"$url\"|" \
    -e "s|^  sha256 \".*\"|  sha256 \"$sha\"|" \
    -e "s|^  head \"[^\"]*\"|  head \"https://github.com/$repo.git\"|" \
    "$template" >"$out"
echo "update-formula.sh: $url sha256 $sha" >&2
