#include "catch.hpp"

#include "auth/crypto.hpp"

#include <algorithm>
#include <set>
#include <string>

using namespace bridge::auth;

TEST_CASE("PKCE S256 matches RFC 7636 appendix B", "[auth][pkce]") {
  CHECK(s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST_CASE("PKCE verifiers: 43..128 unreserved characters, random, matching their challenge", "[auth][pkce]") {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto pkce = make_pkce();
    CHECK(pkce.verifier.size() >= 43);
    CHECK(pkce.verifier.size() <= 128);
    for (char c : pkce.verifier) {
      bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '.' || c == '_' || c == '~';
      CHECK(unreserved);
    }
    CHECK(pkce.challenge == s256_challenge(pkce.verifier));
    CHECK(pkce.challenge.size() == 43);
    seen.insert(pkce.verifier);
  }
  CHECK(seen.size() == 50);
}

TEST_CASE("base64 and base64url", "[auth][crypto]") {
  CHECK(base64url("") == "");
  CHECK(base64url("f") == "Zg");
  CHECK(base64url("fo") == "Zm8");
  CHECK(base64url("foo") == "Zm9v");
  CHECK(base64url("\xfb\xff") == "-_8");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("client:secret") == "Y2xpZW50OnNlY3JldA==");
  CHECK(hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("base64url decoding, and the claims of a JWT read without its signature", "[auth][crypto]") {
  for (std::string text : {"", "f", "fo", "foo", "foob", "\xfb\xff\x00\x01"}) {
    CHECK(base64url_decode(base64url(text)) == std::optional<std::string>(text));
  }
  CHECK(base64url_decode("-_8") == std::optional<std::string>("\xfb\xff"));
  CHECK_FALSE(base64url_decode("Zm8=").has_value()); // padding is not base64url
  CHECK_FALSE(base64url_decode("Z").has_value());    // no whole byte
  CHECK_FALSE(base64url_decode("Zm 8").has_value());
  nlohmann::json claims = {{"sub", "alice"}, {"exp", 1700000000}, {"nonce", "n-1"}};
  std::string jwt = base64url(R"({"alg":"HS256"})") + "." + base64url(claims.dump()) + ".c2ln";
  CHECK(unverified_jwt_claims(jwt) == claims);
  CHECK(unverified_jwt_claims("not a jwt") == nlohmann::json::object());
  CHECK(unverified_jwt_claims("a.b") == nlohmann::json::object());
  CHECK(unverified_jwt_claims("a." + base64url("[1]") + ".c") == nlohmann::json::object()); // claims must be an object
  CHECK(unverified_jwt_claims("a.!!.c") == nlohmann::json::object());
}

TEST_CASE("JWT client assertions: ES256 and RS256 keys, wrong pairings refused", "[auth][jwt]") {
  // Throwaway keys generated for this test only.
  const std::string ec_key =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwhwXnWcj2x2kUCM3\n"
    "ySeIhuPL+SqQlUAYlfIS/ajRA2GhRANCAASOsWcIsI59yNCoyN8zTUjgC6x0jQcZ\n"
    "IFYN9WSOOZZhgo9IXLHzc/V31L4i/Phns3iYs1uw/vCTazNosKnK/seS\n"
    "-----END PRIVATE KEY-----\n";
  const std::string rsa_key =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAMNcWrhG0YvldVDY\n"
    "Wr4yMTaJuGneclXVXJ6Bws/ervwPDj1sJ5mIQmk/t9N4PztRdiSY/iFFsh8WHdVR\n"
    "BVrLlsA1GBrFb1mvYYiH07j0/Gt0lYfIqZBpUpYwDFXB9jQbAOK/8EiORJ6sI65k\n"
    "ilyhm83OupH2uFu/jD2cF7zmPxUvAgMBAAECgYBn+X9PFGHyUu1dWcjx8UTAAgxk\n"
    "TEAN7sCcm/NTLvFytZCeoDFzRVITMhZkNltw9qoqUELw8mcapGq8XaK78B8Kve/L\n"
    "5b0wUhRCcVHqXRgSxCj7EFwQPXGGRNHmcEAfwupUgocaPqU+9GnT5zKm2oScj4ZB\n"
    "XuzWUkKIfvKhxfOCAQJBAPeQe1Jgvg5glib3FUJKm/B7oHMDkJqulkFVaNukPHtd\n"
    "eyL0UbN9WOnnpiTJEERE6ZGEoIwqQfK/6p0BKFXfS8UCQQDKBH9ZoA+J9B0VFjZg\n"
    "eY/lXYy5//J3uoTvegNuQeEN8xYFh7soSWdj/X9vJi+dX2l+PzapoPf8hxQK3fkj\n"
    "tihjAkEA6LYbBpvD7DXkz2nxxOfnYA6GC7dtJco5md6Ue+sNo5WDG594cXXBr9Y+\n"
    "OlP6g4IX4N9AH6HVbj/zZXTiGp6VVQJAGYK/4j2IOM+O7J7FdyFivoA1yTc9E0mG\n"
    "iAdMb5v6I5zS5xfg1pGOcN4OPacA1Eq8M6kf6gPdzRHxwf2N/KiAKQJALiAx/5VF\n"
    "IialZe2nfrbLco+F5Uq7pib8C89JMX9vkrpVr2DKq070/mvTC66r6HMuxAX0LqQh\n"
    "8WNYm4eUuo8Eaw==\n"
    "-----END PRIVATE KEY-----\n";
  nlohmann::json claims = {{"iss", "client"}, {"sub", "client"}, {"aud", "https://as"}};
  auto es = sign_jwt(claims, ec_key, "ES256");
  REQUIRE(es.ok());
  CHECK(std::count(es->begin(), es->end(), '.') == 2);
  CHECK(es->substr(es->rfind('.') + 1).size() == 86); // r || s: 64 bytes in base64url
  CHECK(es->substr(0, es->find('.')) == base64url(R"({"alg":"ES256","typ":"JWT"})"));
  CHECK(es->substr(es->find('.') + 1, es->rfind('.') - es->find('.') - 1) == base64url(claims.dump()));
  auto rs = sign_jwt(claims, rsa_key, "");
  REQUIRE(rs.ok());
  CHECK(rs->substr(0, rs->find('.')) == base64url(R"({"alg":"RS256","typ":"JWT"})"));
  CHECK(rs->substr(rs->rfind('.') + 1).size() == 171); // 128 bytes (RSA-1024) in base64url
  CHECK_FALSE(sign_jwt(claims, ec_key, "RS256").ok());
  CHECK_FALSE(sign_jwt(claims, rsa_key, "ES256").ok());
  CHECK_FALSE(sign_jwt(claims, "not a key", "ES256").ok());
  CHECK_FALSE(sign_jwt(claims, ec_key, "HS256").ok());
}
