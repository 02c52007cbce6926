# Install layout for docs and the CPack packages (.deb and .tar.gz). Included from the top-level
# CMakeLists.txt. The MSI is not made by CPack (its WiX generator is per-machine by default):
# installers/msi/ builds a per-user one from the `cmake --install` tree. Homebrew builds from the
# release tarball with installers/homebrew/mcp-bridge.rb.
#
#   cmake --build build -j2 && cd build && cpack -G DEB && cpack -G TGZ
#
# Release pipelines may override the two placeholders below (-DMCP_BRIDGE_HOMEPAGE=...).

include(GNUInstallDirs)

set(MCP_BRIDGE_HOMEPAGE "https://github.com/mcp-bridge/mcp-bridge"
    CACHE STRING "Project home page written into packages (placeholder until the public repo exists)")
set(MCP_BRIDGE_MAINTAINER "mcp-bridge contributors <mcp-bridge@users.noreply.github.com>"
    CACHE STRING "Package maintainer, 'Name <email>' (placeholder address)")

# ---- docs: README, LICENSE and the user guides under share/doc/mcp-bridge ------------------------
set(MCP_BRIDGE_DOCDIR "${CMAKE_INSTALL_DATAROOTDIR}/doc/mcp-bridge")
foreach(doc README.md LICENSE)
  if(EXISTS "${PROJECT_SOURCE_DIR}/${doc}")
    install(FILES "${PROJECT_SOURCE_DIR}/${doc}" DESTINATION "${MCP_BRIDGE_DOCDIR}")
  endif()
endforeach()
# Debian policy wants the licence as share/doc/<package>/copyright (machine-readable format).
if(UNIX AND NOT APPLE AND EXISTS "${PROJECT_SOURCE_DIR}/LICENSE")
  file(READ "${PROJECT_SOURCE_DIR}/LICENSE" _bridge_license)
  set(_bridge_holders "mcp-bridge contributors")
  if(_bridge_license MATCHES "Copyright \\(c\\) ([^\n]+)")
    set(_bridge_holders "${CMAKE_MATCH_1}")
  endif()
  string(REGEX REPLACE "^[^\n]*\n\n" "" _bridge_license "${_bridge_license}")  # drop the title
  string(REGEX REPLACE "\n\n" "\n.\n" _bridge_license "${_bridge_license}")
  string(REGEX REPLACE "\n$" "" _bridge_license "${_bridge_license}")
  string(REPLACE "\n" "\n " _bridge_license "${_bridge_license}")
  file(WRITE "${PROJECT_BINARY_DIR}/packaging/copyright"
"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: mcp-bridge
Source: ${MCP_BRIDGE_HOMEPAGE}

Files: *
Copyright: ${_bridge_holders}
License: MIT
 ${_bridge_license}
")
  install(FILES "${PROJECT_BINARY_DIR}/packaging/copyright" DESTINATION "${MCP_BRIDGE_DOCDIR}")
endif()
file(GLOB MCP_BRIDGE_GUIDES CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/docs/*.md")
if(MCP_BRIDGE_GUIDES)
  install(FILES ${MCP_BRIDGE_GUIDES} DESTINATION "${MCP_BRIDGE_DOCDIR}/docs")
endif()

# ---- CPack ---------------------------------------------------------------------------------------
if(NOT PROJECT_IS_TOP_LEVEL)
  return()
endif()

set(CPACK_PACKAGE_NAME "mcp-bridge")
set(CPACK_PACKAGE_VENDOR "mcp-bridge contributors")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${MCP_BRIDGE_MAINTAINER}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${MCP_BRIDGE_HOMEPAGE}")
# One line, at most 80 characters (Debian synopsis, Homebrew desc and MSI share the wording).
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Serve many remote MCP servers to AI clients as one local stdio server")
# The long description (the .deb's body; Debian wants lines well under 80 columns).
set(CPACK_PACKAGE_DESCRIPTION
    "bridge is launched by AI clients (Claude Desktop, Cursor, VS Code, Claude
Code) as a stdio MCP server. It connects to several remote MCP servers over
Streamable HTTP (JumpCloud, an MCPJungle gateway, any other), authenticates
to each, and presents their tools, prompts and resources as one server under
per-upstream prefixes. Secrets stay in the OS keychain.")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CHECKSUM SHA256)
set(CPACK_VERBATIM_VARIABLES ON)

if(NOT CPACK_GENERATOR)
  if(WIN32)
    set(CPACK_GENERATOR ZIP)
  elseif(APPLE)
    set(CPACK_GENERATOR TGZ)
  else()
    set(CPACK_GENERATOR DEB TGZ)
  endif()
endif()

# mcp-bridge-0.1.0-linux-x86_64.tar.gz, mcp-bridge-0.1.0-macos-arm64.tar.gz, ...
if(APPLE)
  set(_bridge_os macos)
elseif(WIN32)
  set(_bridge_os windows)
else()
  string(TOLOWER "${CMAKE_SYSTEM_NAME}" _bridge_os)
endif()
string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" _bridge_arch)
if(_bridge_arch STREQUAL "amd64")
  set(_bridge_arch x86_64)
elseif(_bridge_arch STREQUAL "aarch64")
  set(_bridge_arch arm64)
endif()
set(CPACK_PACKAGE_FILE_NAME "mcp-bridge-${PROJECT_VERSION}-${_bridge_os}-${_bridge_arch}")

# .deb: mcp-bridge_0.1.0_amd64.deb, installed under /usr, library dependencies computed by
# dpkg-shlibdeps (package dpkg-dev) from what the binary really links.
set(CPACK_DEBIAN_PACKAGE_NAME "mcp-bridge")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "utils")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MCP_BRIDGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${MCP_BRIDGE_HOMEPAGE}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libcurl, libcrypto and libsecret are opened with dlopen on first use (platform/linux/
# lazy_library.hpp), which dpkg-shlibdeps cannot see: named here, and CPack adds what it finds.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4 (>= 7.85), libssl3, libsecret-1-0") # 7.85: CURLOPT_PROTOCOLS_STR
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "gnome-keyring")

# `make package_source`: the same tree as a git archive of the tag, without build output.
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_PACKAGE_FILE_NAME "mcp-bridge-${PROJECT_VERSION}")
set(CPACK_SOURCE_IGNORE_FILES
    "/\\.git/" "/build/" "/node_modules/" "/bench/results/" "\\.swp$" "/CMakeUserPresets\\.json$")

include(CPack)
