#pragma once

// The few cryptographic primitives OAuth needs: randomness, SHA-256, base64url, PKCE (RFC 7636)
// and JWT client assertions (RFC 7523, private_key_jwt) signed ES256 or RS256. crypto.cpp is the
// only file that includes OpenSSL.

#include "core/result.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace bridge::auth {

// Cryptographically secure random bytes (OpenSSL's RAND_bytes).
std::string random_bytes(std::size_t count);
std::string sha256(std::string_view data);
std::string base64url(std::string_view data); // no padding
std::string base64(std::string_view data);    // standard alphabet, padded (HTTP Basic)
std::optional<std::string> base64url_decode(std::string_view text); // nullopt when not base64url
std::string hex(std::string_view data);

struct Pkce {
  std::string verifier;  // 64 characters of [A-Za-z0-9-_] (RFC 7636 §4.1: 43..128 unreserved)
  std::string challenge; // base64url(SHA-256(verifier)), method S256
};
Pkce make_pkce();
std::string s256_challenge(std::string_view verifier);

// A random opaque value for `state` and JWT ids.
std::string random_token();

// The claims of a JWT, read without checking its signature: for decisions about our own copy
// (is the stored ID token still fresh? does its nonce match?), never for trusting a stranger's.
// An empty object when the token is not a JWT.
nlohmann::json unverified_jwt_claims(std::string_view token);

// Signs header.claims with the PEM private key. `algorithm` is "ES256" (a P-256 EC key) or
// "RS256" (an RSA key); an empty algorithm picks by the key type.
core::Result<std::string> sign_jwt(const nlohmann::json& claims, std::string_view private_key_pem, std::string algorithm);

} // namespace bridge::auth
