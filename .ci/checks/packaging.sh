#!/usr/bin/env bash
# Packaging check (issue 7), given a build dir where `bridge` is already built (release flavour):
#   .ci/checks/packaging.sh BUILD_DIR
# 1. cpack -G DEB and -G TGZ; look inside both.
# 2. dpkg -i the .deb; /usr/bin/bridge --version; one real `bridge serve` session from the
#    installed path (temp HOME, one upstream on a loopback port nothing listens on, an initialize
#    request on stdin: the answer must name mcp-bridge and the exit code after EOF must be 0);
#    dpkg -r mcp-bridge; the binary must be gone.
#    The Homebrew formula's `test do` block also runs against the installed binary
#    (installers/homebrew/run-test-block.rb stands in for brew's helpers).
# 3. Homebrew formula: ruby -c, plus the audit rules we can check without Homebrew (desc), and
#    update-formula.sh filling url/sha256.
# 4. MSI: installers/msi/build-wixl.sh (wixl), then msiinfo/msiextract on the result.
# 5. .github/workflows/release.yml parses as YAML and has the jobs we expect.
# Installs what it needs when missing (apt-get, quietly): dpkg-dev ruby wixl msitools python3-yaml.
# Needs root (or sudo) for apt-get and dpkg.
set -eEuo pipefail
trap 'echo "packaging: FAIL: line $LINENO: \`$BASH_COMMAND\` exited $?" >&2' ERR
cd "$(dirname "$0")/../.."
root=$PWD
build=${1:?usage: .ci/checks/packaging.sh BUILD_DIR}
build=$(cd "$build" && pwd)

sudo=
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
step() { echo "--- packaging: $*"; }
fail() { echo "packaging: FAIL: $*" >&2; exit 1; }

# ---- tools -----------------------------------------------------------------------------------
missing=()
command -v dpkg-shlibdeps >/dev/null || missing+=(dpkg-dev)
command -v ruby >/dev/null || missing+=(ruby)
command -v wixl >/dev/null || missing+=(wixl)
command -v msiinfo >/dev/null || missing+=(msitools)
/usr/bin/python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt_opts=(-y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends)
  $sudo apt-get install "${apt_opts[@]}" "${missing[@]}" >/dev/null ||
    { $sudo apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null &&
      $sudo apt-get install "${apt_opts[@]}" "${missing[@]}" >/dev/null; }
fi

[ -x "$build/src/bridge" ] || fail "$build/src/bridge is not built"
work=$(mktemp -d /tmp/packaging-check.XXXXXX)
installed_by_us=0
cleanup() {
  if [ "$installed_by_us" = 1 ]; then $sudo dpkg -r mcp-bridge >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# ---- 1. cpack ----------------------------------------------------------------------------------
# Re-run configure so a build dir made before cmake/Packaging.cmake existed gets CPackConfig.cmake.
cmake "$build" >/dev/null
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
case $build_type in
  Release | RelWithDebInfo | MinSizeRel) ;;
  *) echo "packaging: warning: $build is a '$build_type' build; packages should come from a release build" >&2 ;;
esac
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:[A-Z]*=//p' "$build/CMakeCache.txt")
[ -n "$version" ] || fail "no CMAKE_PROJECT_VERSION in $build/CMakeCache.txt"

step "cpack -G DEB, -G TGZ (version $version)"
(cd "$build" && cpack -G DEB -B "$work/pkg" >"$work/cpack-deb.log" 2>&1) || { cat "$work/cpack-deb.log"; fail "cpack -G DEB"; }
(cd "$build" && cpack -G TGZ -B "$work/pkg" >"$work/cpack-tgz.log" 2>&1) || { cat "$work/cpack-tgz.log"; fail "cpack -G TGZ"; }
shopt -s nullglob
debs=("$work"/pkg/mcp-bridge_"$version"_*.deb)
tgzs=("$work"/pkg/mcp-bridge-"$version"-linux-*.tar.gz)
shopt -u nullglob
[ ${#debs[@]} -eq 1 ] || { ls -l "$work/pkg"; fail "want one .deb in $work/pkg"; }
[ ${#tgzs[@]} -eq 1 ] || { ls -l "$work/pkg"; fail "want one .tar.gz in $work/pkg"; }
deb=${debs[0]}
tgz=${tgzs[0]}

field() { dpkg-deb -f "$deb" "$1"; }
depends=$(field Depends)
[ "$(field Package)" = mcp-bridge ] || fail "Package is '$(field Package)'"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)'"
[ "$(field Section)" = utils ] || fail "Section is '$(field Section)'"
synopsis=$(field Description)
synopsis=${synopsis%%$'\n'*}
[ ${#synopsis} -le 80 ] || fail "Description synopsis is ${#synopsis} characters"
grep -q 'libc6' <<<"$depends" || fail "Depends lacks shlibdeps output: '$depends'"
grep -q 'libcurl' <<<"$depends" || fail "Depends does not name libcurl: '$depends'"
dpkg-deb -c "$deb" >"$work/deb-contents"
for f in ./usr/bin/bridge ./usr/share/doc/mcp-bridge/LICENSE ./usr/share/doc/mcp-bridge/README.md; do
  grep -q " $f\$" "$work/deb-contents" || fail "$f not in $(basename "$deb")"
done
tar tzf "$tgz" >"$work/tgz-contents"
top=$(basename "$tgz" .tar.gz)
for f in "$top/bin/bridge" "$top/share/doc/mcp-bridge/LICENSE"; do
  grep -qx "$f" "$work/tgz-contents" || fail "$f not in $(basename "$tgz")"
done
echo "    $(basename "$deb"): Depends: $depends"
echo "    $(basename "$tgz"): $(wc -l <"$work/tgz-contents") entries"

# ---- 2. install, run, remove -------------------------------------------------------------------
step "dpkg -i $(basename "$deb")"
# One install/run/remove at a time on a shared machine (two checks would remove each other's).
exec 9>/tmp/mcp-bridge-packaging-check.lock
flock -w 900 9 || fail "another packaging check holds /tmp/mcp-bridge-packaging-check.lock"
# dpkg has no lock timeout of its own: wait while another apt/dpkg (a shared CI machine) holds it.
dpkg_locked() {
  local n
  for n in $(seq 1 120); do
    if "$@" >"$work/dpkg.log" 2>&1; then return 0; fi
    grep -qi 'lock' "$work/dpkg.log" || return 1
    sleep 5
  done
  return 1
}
pkg_installed() { [ "$(dpkg-query -W -f='${Status}' mcp-bridge 2>/dev/null)" = "install ok installed" ]; }
if pkg_installed; then
  echo "packaging: warning: mcp-bridge $(dpkg-query -W -f='${Version}' mcp-bridge) is installed (left over?); replacing it, and removing it at the end" >&2
fi
installed_by_us=1
if ! dpkg_locked $sudo dpkg -i "$deb"; then
  # A clean machine may lack a library the package depends on: let apt bring it.
  grep -q 'dependency problems' "$work/dpkg.log" || { cat "$work/dpkg.log"; fail "dpkg -i"; }
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq -o DPkg::Lock::Timeout=600 >>"$work/dpkg.log" 2>&1 ||
    { cat "$work/dpkg.log"; fail "dpkg -i (and apt-get install -f)"; }
fi
[ -x /usr/bin/bridge ] || fail "/usr/bin/bridge not installed"

out=$(/usr/bin/bridge --version) || fail "bridge --version exited $?"
echo "    /usr/bin/bridge --version: $out"
case $out in *"$version"*) ;; *) fail "--version does not print $version" ;; esac

step "one bridge serve session from /usr/bin/bridge"
# A loopback port nothing listens on: connecting is refused.
port=
for candidate in $(seq 39170 39270); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ -n "$port" ] || fail "no free loopback port found"
mkdir -p "$work/home" "$work/config" "$work/data"
cat >"$work/config.json" <<JSON
{ "servers": { "down": { "url": "http://127.0.0.1:$port/mcp", "auth": "none" } } }
JSON
request='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"ci","version":"0"}}}'
set +e
printf '%s\n' "$request" |
  env -i PATH=/usr/bin:/bin HOME="$work/home" XDG_CONFIG_HOME="$work/config" \
    XDG_DATA_HOME="$work/data" BRIDGE_CONFIG="$work/config.json" \
    timeout 30 /usr/bin/bridge serve >"$work/serve.out" 2>"$work/serve.err"
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  echo "stdout:"; cat "$work/serve.out"; echo "stderr:"; cat "$work/serve.err"
  [ "$rc" -eq 124 ] && fail "bridge serve did not exit within 30 s of stdin EOF"
  fail "bridge serve exited $rc after stdin EOF (want 0)"
fi
/usr/bin/python3 - "$work/serve.out" <<'PY' || { echo "stderr:"; cat "$work/serve.err"; fail "initialize answer"; }
import json, sys
answer = None
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if not line:
        continue
    message = json.loads(line)  # every stdout line must be one JSON-RPC message
    if message.get("id") == 1:
        answer = message
if answer is None:
    sys.exit("no answer with id 1 on stdout")
name = answer.get("result", {}).get("serverInfo", {}).get("name")
if name != "mcp-bridge":
    sys.exit(f"serverInfo.name is {name!r}: {json.dumps(answer)[:300]}")
print(f"    initialize answered: serverInfo {json.dumps(answer['result']['serverInfo'])}, exit 0 after EOF")
PY

step "the Homebrew formula's test block, run against /usr/bin/bridge"
ruby installers/homebrew/run-test-block.rb /usr/bin "$version" | sed 's/^/    /'

step "dpkg -r mcp-bridge"
dpkg_locked $sudo dpkg -r mcp-bridge || { cat "$work/dpkg.log"; fail "dpkg -r"; }
installed_by_us=0
[ ! -e /usr/bin/bridge ] || fail "/usr/bin/bridge still there after dpkg -r"
! pkg_installed || fail "mcp-bridge still installed"

# ---- 3. Homebrew formula -----------------------------------------------------------------------
formula=installers/homebrew/mcp-bridge.rb
step "ruby -c $formula"
ruby -c "$formula" >/dev/null
desc=$(sed -n 's/^  desc "\(.*\)"$/\1/p' "$formula")
[ -n "$desc" ] || fail "formula has no desc"
[ ${#desc} -le 80 ] || fail "formula desc is ${#desc} characters (brew audit: at most 80)"
case ${desc,,} in a\ * | an\ * | the\ * | mcp-bridge* | mcp\ bridge*) fail "formula desc starts with an article or the name" ;; esac
case $desc in *.) fail "formula desc ends with a period" ;; esac
grep -q '^  depends_on "cmake" => :build$' "$formula" || fail 'formula: no depends_on "cmake" => :build'
grep -q 'std_cmake_args' "$formula" || fail "formula does not use std_cmake_args"
grep -q '^  test do$' "$formula" || fail "formula has no test block"
(cd "$work" && bash "$root/installers/homebrew/update-formula.sh" "$version" "$tgz" filled.rb 2>/dev/null)
ruby -c "$work/filled.rb" >/dev/null || fail "update-formula.sh output does not parse"
grep -q "sha256 \"$(sha256sum "$tgz" | cut -d' ' -f1)\"" "$work/filled.rb" || fail "update-formula.sh did not fill sha256"

# ---- 4. MSI with wixl --------------------------------------------------------------------------
step "installers/msi/build-wixl.sh"
# A Windows bridge.exe if one exists ($BRIDGE_WINDOWS_EXE, or a cross build under build/*/);
# else build-wixl.sh packages a named placeholder (no mingw libcurl on Debian to link one).
win_exe=${BRIDGE_WINDOWS_EXE:-}
if [ -z "$win_exe" ]; then
  for candidate in "$root"/build/*/src/bridge.exe; do
    if [ -f "$candidate" ] && [ "$(head -c 2 "$candidate")" = MZ ]; then win_exe=$candidate; break; fi
  done
fi
msi=$(bash installers/msi/build-wixl.sh "$work/msi" "$win_exe" 2>"$work/wixl.log" | tail -n 1) ||
  { cat "$work/wixl.log"; fail "build-wixl.sh"; }
[ -f "$msi" ] || { cat "$work/wixl.log"; fail "no .msi"; }
grep -E '^build-wixl.sh: (no Windows|packaging)' "$work/wixl.log" | sed 's/^/    /'
tables=$(msiinfo tables "$msi" | tr -d '\r')
for t in File Component Directory Feature Upgrade Registry RemoveFile Property; do
  grep -qx "$t" <<<"$tables" || fail "MSI has no $t table"
done
# msiinfo writes CRLF line ends.
msi_table() { msiinfo export "$msi" "$1" | tr -d '\r'; }
files=$(msi_table File)
for f in bridge.exe LICENSE.txt README.md; do
  grep -q "	$f	" <<<"$files" || fail "MSI File table lacks $f"
done
props=$(msi_table Property)
grep -q '^UpgradeCode	{05100CAB-9206-46C2-B36C-B373251E4AE1}$' <<<"$props" || fail "UpgradeCode changed"
grep -q "^ProductVersion	$version\$" <<<"$props" || fail "ProductVersion is not $version"
! grep -q '^ALLUSERS' <<<"$props" || fail "ALLUSERS set: the MSI must be per-user"
grep -q 'WIX_UPGRADE_DETECTED' <<<"$(msi_table Upgrade)" || fail "no MajorUpgrade row"
grep -q '^UserProgramsDir	LocalAppDataFolder	Programs$' <<<"$(msi_table Directory)" ||
  fail "not installed under %LOCALAPPDATA%\\Programs"
# The PATH entry is left out only where NoPathEntry is defined (the wixl build): the source WiX
# compiles on Windows must still carry it.
wxs=$root/installers/msi/mcp-bridge.wxs
with_path=$(cd "$work/msi" && wixl -E -D Version="$version" -D StageDir=stage -D DocsInclude=docs.wxi "$wxs" 2>/dev/null)
without_path=$(cd "$work/msi" && wixl -E -D Version="$version" -D StageDir=stage -D DocsInclude=docs.wxi -D NoPathEntry=1 "$wxs" 2>/dev/null)
grep -q '<Environment Id="UserPath" Name="PATH"' <<<"$with_path" || fail "mcp-bridge.wxs lost its PATH <Environment>"
! grep -q '<Environment' <<<"$without_path" || fail "NoPathEntry does not leave out <Environment>"
mkdir -p "$work/msi-x"
msiextract -C "$work/msi-x" "$msi" >/dev/null
[ -f "$work/msi-x/Programs/mcp-bridge/bridge.exe" ] || fail "msiextract: no bridge.exe"
echo "    $(basename "$msi"): $(tail -n +4 <<<"$files" | cut -f3 | tr '\n' ' ')"

# ---- 5. release workflow -----------------------------------------------------------------------
step "release.yml parses"
/usr/bin/python3 - .github/workflows/release.yml <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
on = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` key as true
assert on and "v*" in on["push"]["tags"], "not triggered on v* tags"
jobs = doc["jobs"]
for job in ("linux", "macos", "windows", "release"):
    assert job in jobs, f"no {job} job"
    assert jobs[job].get("steps"), f"{job} has no steps"
runners = {str(x) for j in jobs.values() for x in (j.get("strategy", {}).get("matrix", {}).get("os") or [j.get("runs-on")])}
for r in ("macos-14", "macos-13"):
    assert r in runners, f"no {r} runner"
print(f"    {len(jobs)} jobs: {', '.join(jobs)}")
PY

echo "packaging: OK"
