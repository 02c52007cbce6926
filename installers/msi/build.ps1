<#
.SYNOPSIS
  Builds the per-user mcp-bridge MSI on Windows from a CMake build directory.

.DESCRIPTION
  1. `cmake --install` the build into <OutDir>\install (bridge.exe, README, LICENSE, docs).
  2. Stages what the MSI holds into <OutDir>\stage and writes docs.wxi (one <File> per guide).
  3. Compiles installers\msi\mcp-bridge.wxs with the WiX toolset found on the machine:
       - WiX v4/v5 (`wix`, e.g. `dotnet tool install --global wix --version 5.0.2`): the v3 source
         is converted with `wix convert` in a scratch copy, then `wix build`;
       - WiX v3 (candle.exe/light.exe on PATH or under $env:WIX\bin): built as is.
     WiX 6 or newer is refused: its licence terms differ (see docs/install.md).
  The result is <OutDir>\mcp-bridge-<version>-x64.msi, with the PATH entry (NoPathEntry is never
  defined here; only the Linux wixl check build leaves it out).

.EXAMPLE
  cmake -S . -B build -G "Visual Studio 17 2022" -A x64 -DCMAKE_TOOLCHAIN_FILE=...vcpkg.cmake
  cmake --build build --config Release
  pwsh installers\msi\build.ps1 -BuildDir build -Config Release
#>
[CmdletBinding()]
param(
  [Parameter(Mandatory = $true)][string]$BuildDir,
  [string]$Config = "Release",
  [string]$OutDir = "",
  [string]$Homepage = ""
)

$ErrorActionPreference = "Stop"
$PSNativeCommandUseErrorActionPreference = $false  # native exit codes are checked by hand
Set-StrictMode -Version Latest

$Root = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
$BuildDir = (Resolve-Path $BuildDir).Path
if (-not $OutDir) { $OutDir = Join-Path $BuildDir "msi" }
New-Item -ItemType Directory -Force -Path $OutDir | Out-Null
$OutDir = (Resolve-Path $OutDir).Path

function Invoke-Checked {
  param([string]$Exe, [string[]]$Arguments)
  Write-Host "> $Exe $($Arguments -join ' ')"
  & $Exe @Arguments
  if ($LASTEXITCODE -ne 0) { throw "$Exe failed with exit code $LASTEXITCODE" }
}

# Version: project(mcp-bridge VERSION X.Y.Z) in CMakeLists.txt.
$match = Select-String -Path (Join-Path $Root "CMakeLists.txt") -Pattern 'project\(mcp-bridge VERSION ([0-9]+\.[0-9]+\.[0-9]+)'
if (-not $match) { throw "no version in CMakeLists.txt project()" }
$Version = $match.Matches[0].Groups[1].Value

# 1. Install tree.
$Install = Join-Path $OutDir "install"
if (Test-Path $Install) { Remove-Item -Recurse -Force $Install }
Invoke-Checked "cmake" @("--install", $BuildDir, "--config", $Config, "--prefix", $Install)
$Exe = Join-Path $Install "bin\bridge.exe"
if (-not (Test-Path $Exe)) { throw "bridge.exe not found in $Install\bin (is $BuildDir a Windows build?)" }

# 2. Stage: bridge.exe, LICENSE.txt, README.md, docs\*.md; docs.wxi lists the guides.
$Stage = Join-Path $OutDir "stage"
if (Test-Path $Stage) { Remove-Item -Recurse -Force $Stage }
New-Item -ItemType Directory -Force -Path (Join-Path $Stage "docs") | Out-Null
Copy-Item $Exe (Join-Path $Stage "bridge.exe")
Copy-Item (Join-Path $Root "LICENSE") (Join-Path $Stage "LICENSE.txt")
Copy-Item (Join-Path $Root "README.md") (Join-Path $Stage "README.md")
$lines = @('<?xml version="1.0" encoding="utf-8"?>',
           '<Include xmlns="http://schemas.microsoft.com/wix/2006/wi">')
foreach ($doc in Get-ChildItem -Path (Join-Path $Root "docs") -Filter "*.md" -File | Sort-Object Name) {
  if ($doc.Name -match '["&<>'']') { Write-Warning "skipping $($doc.Name) (XML metacharacters)"; continue }
  Copy-Item $doc.FullName (Join-Path $Stage "docs\$($doc.Name)")
  $id = "doc_" + ($doc.Name -replace '[^A-Za-z0-9_.]', '_')
  if ($id.Length -gt 70) { $id = $id.Substring(0, 70) }
  $lines += "  <File Id=""$id"" Name=""$($doc.Name)"" Source=""`$(var.StageDir)\docs\$($doc.Name)"" />"
}
$lines += '</Include>'

# 3. Compile.
$Work = Join-Path $OutDir "wix"
if (Test-Path $Work) { Remove-Item -Recurse -Force $Work }
New-Item -ItemType Directory -Force -Path $Work | Out-Null
$Wxs = Join-Path $Work "mcp-bridge.wxs"
$Wxi = Join-Path $Work "docs.wxi"
Copy-Item (Join-Path $PSScriptRoot "mcp-bridge.wxs") $Wxs
Set-Content -Path $Wxi -Value $lines -Encoding UTF8
$Msi = Join-Path $OutDir "mcp-bridge-$Version-x64.msi"
if (Test-Path $Msi) { Remove-Item -Force $Msi }

$defines = @{ "Version" = $Version; "StageDir" = $Stage; "DocsInclude" = $Wxi }
if ($Homepage) { $defines["Homepage"] = $Homepage }

$wix = Get-Command "wix" -ErrorAction SilentlyContinue
$candle = Get-Command "candle.exe" -ErrorAction SilentlyContinue
if (-not $candle -and $env:WIX -and (Test-Path (Join-Path $env:WIX "bin\candle.exe"))) {
  $candle = Get-Command (Join-Path $env:WIX "bin\candle.exe")
}

if ($wix) {
  $wixVersion = (& $wix.Source --version | Select-Object -First 1).Trim()
  $major = [int]($wixVersion -replace '^(\d+).*', '$1')
  if ($major -ge 6) { throw "WiX $wixVersion found; use WiX 4 or 5 (dotnet tool install --global wix --version 5.0.2)" }
  Write-Host "WiX $wixVersion (v4+ toolset): converting the v3 source, then building"
  # `wix convert` rewrites the files in place and exits non-zero when it changed something.
  & $wix.Source convert $Wxs $Wxi
  $wargs = @("build", "-arch", "x64", "-o", $Msi)
  foreach ($k in $defines.Keys) { $wargs += @("-d", "$k=$($defines[$k])") }
  $wargs += $Wxs
  Invoke-Checked $wix.Source $wargs
} elseif ($candle) {
  $light = Join-Path (Split-Path $candle.Source) "light.exe"
  Write-Host "WiX v3 toolset: $($candle.Source)"
  $cargs = @("-nologo", "-arch", "x64", "-out", (Join-Path $Work "mcp-bridge.wixobj"))
  foreach ($k in $defines.Keys) { $cargs += "-d$k=$($defines[$k])" }
  $cargs += $Wxs
  Invoke-Checked $candle.Source $cargs
  Invoke-Checked $light @("-nologo", "-out", $Msi, (Join-Path $Work "mcp-bridge.wixobj"))
} else {
  throw "no WiX toolset found: dotnet tool install --global wix --version 5.0.2 (or install WiX v3)"
}

Write-Host "built $Msi"
Write-Output $Msi
