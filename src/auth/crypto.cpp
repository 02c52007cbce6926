// The only file that includes OpenSSL.

#include "auth/crypto.hpp"

#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace bridge::auth {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct SigFree {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};

const unsigned char* bytes_of(std::string_view data) { return reinterpret_cast<const unsigned char*>(data.data()); }

} // namespace

std::string random_bytes(std::size_t count) {
  std::string out(count, '\0');
  if (count > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    throw std::runtime_error("OpenSSL: RAND_bytes failed (no entropy source?)");
  }
  return out;
}

std::string sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &size, EVP_sha256(), nullptr);
  out.resize(size);
  return out;
}

std::string base64url(std::string_view data) {
  static constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&data](std::size_t index) { return static_cast<unsigned int>(static_cast<unsigned char>(data[index])); };
  for (; i + 2 < data.size(); i += 3) {
    unsigned int n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += k_alphabet[(n >> 6) & 63];
    out += k_alphabet[n & 63];
  }
  if (data.size() - i == 1) {
    unsigned int n = byte(i) << 16;
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
  } else if (data.size() - i == 2) {
    unsigned int n = (byte(i) << 16) | (byte(i + 1) << 8);
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += k_alphabet[(n >> 6) & 63];
  }
  return out;
}

std::string base64(std::string_view data) {
  std::string out = base64url(data);
  for (char& c : out) {
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    }
  }
  while (out.size() % 4 != 0) {
    out += '=';
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string standard;
  standard.reserve(text.size() + 3);
  for (char c : text) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (plain) {
      standard += c;
    } else if (c == '-' || c == '+') {
      standard += '+';
    } else if (c == '_' || c == '/') {
      standard += '/';
    } else {
      return std::nullopt; // padding is not part of base64url, nor anything else
    }
  }
  if (standard.size() % 4 == 1) {
    return std::nullopt;
  }
  std::size_t padding = (4 - standard.size() % 4) % 4;
  standard.append(padding, '=');
  std::string out(standard.size() / 4 * 3, '\0');
  int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                             reinterpret_cast<const unsigned char*>(standard.data()), static_cast<int>(standard.size()));
  if (size < 0) {
    return std::nullopt;
  }
  out.resize(static_cast<std::size_t>(size) - padding); // EVP_DecodeBlock counts the padding as zero bytes
  return out;
}

nlohmann::json unverified_jwt_claims(std::string_view token) {
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos) {
    return nlohmann::json::object();
  }
  auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
  if (!payload) {
    return nlohmann::json::object();
  }
  auto claims = nlohmann::json::parse(*payload, nullptr, false);
  return claims.is_object() ? claims : nlohmann::json::object();
}

std::string hex(std::string_view data) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (char c : data) {
    auto u = static_cast<unsigned char>(c);
    out += k_digits[u >> 4];
    out += k_digits[u & 15];
  }
  return out;
}

std::string s256_challenge(std::string_view verifier) { return base64url(sha256(verifier)); }

Pkce make_pkce() {
  Pkce pkce;
  pkce.verifier = base64url(random_bytes(48)); // 64 characters
  pkce.challenge = s256_challenge(pkce.verifier);
  return pkce;
}

std::string random_token() { return base64url(random_bytes(32)); }

core::Result<std::string> sign_jwt(const nlohmann::json& claims, std::string_view private_key_pem, std::string algorithm) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())));
  if (!bio) {
    return core::make_error(core::ErrorKind::io, "OpenSSL: cannot allocate a buffer");
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return core::make_error(core::ErrorKind::invalid_input,
                            "oauth.private_key_pem: not a PEM private key (PKCS#8 \"BEGIN PRIVATE KEY\", or EC/RSA)");
  }
  int type = EVP_PKEY_base_id(key.get());
  if (algorithm.empty()) {
    algorithm = type == EVP_PKEY_EC ? "ES256" : "RS256";
  }
  if (algorithm == "ES256" && type != EVP_PKEY_EC) {
    return core::make_error(core::ErrorKind::invalid_input, "oauth.signing_algorithm ES256 needs an EC (P-256) key");
  }
  if (algorithm == "RS256" && type != EVP_PKEY_RSA) {
    return core::make_error(core::ErrorKind::invalid_input, "oauth.signing_algorithm RS256 needs an RSA key");
  }
  if (algorithm != "ES256" && algorithm != "RS256") {
    return core::make_error(core::ErrorKind::invalid_input,
                            "oauth.signing_algorithm: \"" + algorithm + "\" is not supported (use ES256 or RS256)");
  }
  nlohmann::json header = {{"alg", algorithm}, {"typ", "JWT"}};
  std::string input = base64url(header.dump()) + "." + base64url(claims.dump());

  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    return core::make_error(core::ErrorKind::invalid_input, "OpenSSL: cannot initialise signing");
  }
  std::size_t size = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &size, bytes_of(input), input.size()) != 1) {
    return core::make_error(core::ErrorKind::invalid_input, "OpenSSL: signing failed");
  }
  std::vector<unsigned char> signature(size);
  if (EVP_DigestSign(ctx.get(), signature.data(), &size, bytes_of(input), input.size()) != 1) {
    return core::make_error(core::ErrorKind::invalid_input, "OpenSSL: signing failed");
  }
  signature.resize(size);
  std::string raw;
  if (algorithm == "ES256") {
    // JWS wants r || s, 32 bytes each; OpenSSL gives DER.
    const unsigned char* cursor = signature.data();
    std::unique_ptr<ECDSA_SIG, SigFree> sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(signature.size())));
    if (!sig) {
      return core::make_error(core::ErrorKind::invalid_input, "OpenSSL: malformed ECDSA signature");
    }
    raw.assign(64, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 32) != 32 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 32, 32) != 32) {
      return core::make_error(core::ErrorKind::invalid_input, "ES256 needs a P-256 key");
    }
  } else {
    raw.assign(reinterpret_cast<const char*>(signature.data()), signature.size());
  }
  return input + "." + base64url(raw);
}

} // namespace bridge::auth
