# Every dependency comes from the system (Debian packages, Homebrew, vcpkg): no downloads at
# build time, so Homebrew's sandbox and offline CI both work.
find_package(CURL REQUIRED)
find_package(simdjson REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(Threads REQUIRED)
# OAuth: SHA-256 and randomness for PKCE/state, and private_key_jwt client assertions (ES256/RS256).
# libcrypto only (Debian: libssl-dev; Homebrew: openssl@3; it is what libcurl already links).
find_package(OpenSSL 1.1.1 REQUIRED COMPONENTS Crypto)
