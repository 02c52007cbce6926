# Every dependency comes from the system (Debian packages, Homebrew, vcpkg): no downloads at
# build time, so Homebrew's sandbox and offline CI both work.
find_package(CURL REQUIRED)
find_package(simdjson REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(Threads REQUIRED)
