// BoringSSL's one-shot AEAD interface (include/openssl/aead.h), as swift-crypto compiles and
// links it with every symbol prefixed `CCryptoBoringSSL_`. swift-crypto's Swift API copies a
// sealed frame twice and an opened one once (README "Transport throughput"); these six calls
// let the transport seal straight into its socket buffer and open in place. swift-crypto does
// not export its C module as a product, so the declarations are restated here, for the version
// Package.swift pins; a change of name or signature fails the link, not a run.
#include <stddef.h>
#include <stdint.h>

typedef struct evp_aead_st EVP_AEAD;
typedef struct evp_aead_ctx_st EVP_AEAD_CTX;

const EVP_AEAD *CCryptoBoringSSL_EVP_aead_aes_256_gcm(void);
const EVP_AEAD *CCryptoBoringSSL_EVP_aead_chacha20_poly1305(void);

EVP_AEAD_CTX *CCryptoBoringSSL_EVP_AEAD_CTX_new(const EVP_AEAD *aead, const uint8_t *key, size_t key_len, size_t tag_len);
void CCryptoBoringSSL_EVP_AEAD_CTX_free(EVP_AEAD_CTX *ctx);

int CCryptoBoringSSL_EVP_AEAD_CTX_seal(const EVP_AEAD_CTX *ctx, uint8_t *out, size_t *out_len, size_t max_out_len,
                                       const uint8_t *nonce, size_t nonce_len, const uint8_t *in, size_t in_len,
                                       const uint8_t *ad, size_t ad_len);
int CCryptoBoringSSL_EVP_AEAD_CTX_open(const EVP_AEAD_CTX *ctx, uint8_t *out, size_t *out_len, size_t max_out_len,
                                       const uint8_t *nonce, size_t nonce_len, const uint8_t *in, size_t in_len,
                                       const uint8_t *ad, size_t ad_len);
