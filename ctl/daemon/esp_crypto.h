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

/* Bytes of ICV (AEAD tag or truncated HMAC) on rt's packets. */
size_t xs_esp_icv_len(const struct xs_sa_rt *rt);
/* Padding unit of rt's payload: the cipher block, at least 4. */
size_t xs_esp_pad_unit(const struct xs_sa_rt *rt);

/* The IV of packet seq: the 64-bit sequence number for the counter and
 * AEAD modes, random bytes (RAND_bytes, the calling thread's DRBG) for
 * CBC.  0 or -EIO. */
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
