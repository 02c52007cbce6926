// The OpenSSL (libcrypto) functions auth/crypto.cpp calls, forwarding to the library opened on
// first use (lazy_library.hpp says why).

#include "platform/linux/lazy_library.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

BRIDGE_LAZY_FORWARD(libcrypto, int, BIO_free, (BIO * bio), (bio))
BRIDGE_LAZY_FORWARD(libcrypto, BIO*, BIO_new_mem_buf, (const void* buffer, int length), (buffer, length))
BRIDGE_LAZY_FORWARD(libcrypto, int, BN_bn2binpad, (const BIGNUM* number, unsigned char* to, int length),
                    (number, to, length))
BRIDGE_LAZY_FORWARD(libcrypto, void, ECDSA_SIG_free, (ECDSA_SIG * signature), (signature))
BRIDGE_LAZY_FORWARD(libcrypto, const BIGNUM*, ECDSA_SIG_get0_r, (const ECDSA_SIG* signature), (signature))
BRIDGE_LAZY_FORWARD(libcrypto, const BIGNUM*, ECDSA_SIG_get0_s, (const ECDSA_SIG* signature), (signature))
BRIDGE_LAZY_FORWARD(libcrypto, ECDSA_SIG*, d2i_ECDSA_SIG, (ECDSA_SIG * *signature, const unsigned char** in, long length),
                    (signature, in, length))
BRIDGE_LAZY_FORWARD(libcrypto, int, EVP_DecodeBlock, (unsigned char* to, const unsigned char* from, int length),
                    (to, from, length))
BRIDGE_LAZY_FORWARD(libcrypto, int, EVP_Digest,
                    (const void* data, size_t count, unsigned char* digest, unsigned int* size, const EVP_MD* type,
                     ENGINE* engine),
                    (data, count, digest, size, type, engine))
BRIDGE_LAZY_FORWARD(libcrypto, int, EVP_DigestSign,
                    (EVP_MD_CTX * context, unsigned char* signature, size_t* signature_length, const unsigned char* data,
                     size_t length),
                    (context, signature, signature_length, data, length))
BRIDGE_LAZY_FORWARD(libcrypto, int, EVP_DigestSignInit,
                    (EVP_MD_CTX * context, EVP_PKEY_CTX** key_context, const EVP_MD* type, ENGINE* engine, EVP_PKEY* key),
                    (context, key_context, type, engine, key))
BRIDGE_LAZY_FORWARD(libcrypto, EVP_MD_CTX*, EVP_MD_CTX_new, (void), ())
BRIDGE_LAZY_FORWARD(libcrypto, void, EVP_MD_CTX_free, (EVP_MD_CTX * context), (context))
BRIDGE_LAZY_FORWARD(libcrypto, void, EVP_PKEY_free, (EVP_PKEY * key), (key))
BRIDGE_LAZY_FORWARD(libcrypto, int, EVP_PKEY_get_base_id, (const EVP_PKEY* key), (key))
BRIDGE_LAZY_FORWARD(libcrypto, const EVP_MD*, EVP_sha256, (void), ())
BRIDGE_LAZY_FORWARD(libcrypto, EVP_PKEY*, PEM_read_bio_PrivateKey,
                    (BIO * bio, EVP_PKEY** key, pem_password_cb* callback, void* user), (bio, key, callback, user))
BRIDGE_LAZY_FORWARD(libcrypto, int, RAND_bytes, (unsigned char* buffer, int count), (buffer, count))
