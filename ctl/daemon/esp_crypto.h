/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The algorithm-specific half of ESP: one worker's cipher and HMAC state
 * for one SA (set up once, nothing allocated per packet) and the seal and
 * open of an ESP header onwards.  Which transform runs comes from the
 * table row's xform (ctl/lib/alg.h); esp.c does the IP and ESP framing.
 */
#ifndef XS_ESP_CRYPTO_H
#define XS_ESP_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include "esp.h"

#define XS_ESP_HDR 8 /* SPI + sequence number */
#define XS_ESP_ICV_MAX 32 /* HMAC-SHA-512-256 */
#define XS_ESP_IV_MAX 16 /* AES-CBC */

/*
 * The crypto backend, process-wide, chosen before any worker starts (a
 * context keeps the backend it was set up with).  XS_BACKEND_OPENSSL: EVP
 * for everything.  XS_BACKEND_IPSEC_MB: Intel's multi-buffer library
 * (crypto_mb.h) for the SAs whose transform it has: AES-GCM and
 * ChaCha20-Poly1305 (the AEAD xform), AES-CBC with HMAC-SHA1/256/384/512;
 * GMAC, CTR, NULL, CBC with HMAC-MD5, and AH keep OpenSSL.  XS_BACKEND_DEFAULT is the faster one for
 * AES-GCM in the worker's ESP calls at 64 and 1400 bytes (bench/README.md:
 * 3.6x and 1.7x fewer ns per packet than EVP on an AVX2 machine).
 */
enum xs_esp_backend {
	XS_BACKEND_OPENSSL,
	XS_BACKEND_IPSEC_MB,
};

#define XS_BACKEND_DEFAULT XS_BACKEND_IPSEC_MB

/* 0, or -ENOTSUP when ipsec-mb has no code path for this CPU (nothing
 * changed then); *arch (may be NULL): ipsec-mb's path, "" for OpenSSL. */
int xs_esp_backend_set(enum xs_esp_backend b, const char **arch);
enum xs_esp_backend xs_esp_backend_get(void);
/* "openssl" / "ipsec-mb" and back: 0 or -EINVAL. */
const char *xs_esp_backend_name(enum xs_esp_backend b);
int xs_esp_backend_parse(const char *name, enum xs_esp_backend *b);

/* Bytes of ICV (AEAD tag or truncated HMAC) on rt's packets. */
size_t xs_esp_icv_len(const struct xs_sa_rt *rt);
/* Padding unit of rt's payload: the cipher block, at least 4. */
size_t xs_esp_pad_unit(const struct xs_sa_rt *rt);

/* The IV of packet seq: the 64-bit sequence number for the counter and
 * AEAD modes, random bytes for CBC (the calling thread's DRBG, drawn 4 KiB
 * at a time, each byte used once; emptied in a forked child).  0 or
 * -EIO. */
int xs_esp_make_iv(const struct xs_sa_rt *rt, uint64_t seq, uint8_t *iv);

/* esp: SPI | seq | IV | ptlen bytes of padded plaintext, written.  Encrypts
 * the plaintext in place and appends the ICV.  0 or -EIO.  With ESN
 * (rt->esn) both directions take the high half of the sequence number from
 * c->seq_hi: AAD SPI | seq_hi | seq_lo (RFC 4106 5, RFC 7634 2.1, RFC 4543
 * 3.3.2), appended to the HMAC input (RFC 4303 2.2.1). */
int xs_esp_crypto_seal(struct xs_esp_ctx *c, uint8_t *esp, size_t ptlen);

/* esp/len: a whole ESP packet whose payload is ctlen bytes.  Verifies the
 * ICV first (constant time), then writes the plaintext to out.  0 or
 * -EBADMSG (out holds nothing useful then). */
int xs_esp_crypto_open(struct xs_esp_ctx *c, const uint8_t *esp, size_t len,
		       size_t ctlen, uint8_t *out);

/* The HMAC (untruncated, md holds EVP_MAX_MD_SIZE) of c's SA over the
 * concatenation of v[0..n), from the precomputed states (no allocation);
 * AH computes its ICV with it.  0, -EINVAL (no HMAC) or -EIO. */
int xs_esp_mac_v(const struct xs_esp_ctx *c, const struct iovec *v, int n,
		 uint8_t *md);

/* HMAC (untruncated, md holds EVP_MAX_MD_SIZE) of p/n with the digest of
 * auth row a, as the datapath computes it; for tests and tools (it
 * allocates).  0, -EOPNOTSUPP (not an HMAC row, key longer than a block)
 * or -ENOMEM. */
int xs_esp_hmac(const struct xs_alg *a, const uint8_t *key, size_t klen,
		const uint8_t *p, size_t n, uint8_t *md);

#endif /* XS_ESP_CRYPTO_H */
