/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The second ESP crypto backend: Intel's multi-buffer library (ipsec-mb,
 * <intel-ipsec-mb.h>, -lIPSec_MB).  It runs the AEAD transform through
 * the direct (one call per packet) API: AES-GCM with 128, 192 or 256-bit
 * keys and any of the table's ICV lengths (RFC 4106), and
 * ChaCha20-Poly1305 (RFC 7634); and AES-CBC with 128, 192 or 256-bit keys
 * and HMAC-SHA1-96 or HMAC-SHA-256-128 (RFC 3602, 2404, 4868) through the
 * job API (crypto_mb_cbc.c).  Everything else (GMAC, CTR, NULL, CBC with
 * HMAC-MD5 or HMAC-SHA-384/512, AH) stays on OpenSSL whatever the
 * backend (xs_esp_backend_set in esp_crypto.h picks it process-wide).
 *
 * Per SA and worker: struct xs_mb_sa holds the AES key schedule and GHASH
 * tables (struct gcm_key_data, 64-byte aligned), the ChaCha20 key, or the
 * AES-CBC key schedules and HMAC ipad/opad digest states, set up once in
 * xs_esp_ctx_init and wiped with OPENSSL_cleanse on fini.  Per thread: one
 * IMB_MGR (the function table of the CPU's best code path), created on the
 * thread's first use and freed when the thread exits, and for the CBC +
 * HMAC jobs on a CPU with SHA-NI a second, SSE one (ipsec-mb 1.3 runs
 * SHA-1/256 on SHA-NI there only; crypto_mb.c has the figures).  All of a
 * process's managers of a kind pick the same code path (one CPU), so key
 * data set up on one thread is valid on another.  Nothing is allocated per
 * packet (a thread's first ESN CBC open allocates its scratch buffer);
 * tags are compared with CRYPTO_memcmp.
 */
#ifndef XS_CRYPTO_MB_H
#define XS_CRYPTO_MB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "esp.h"

struct xs_mb_sa;

/* Can ipsec-mb run rt's ESP transform (AEAD: AES-GCM, ChaCha20-Poly1305;
 * AES-CBC with HMAC-SHA1/256)? */
bool xs_mb_fits(const struct xs_sa_rt *rt);

/* 0 if this CPU has a code path ipsec-mb can use (creates the calling
 * thread's manager), else -ENOTSUP (-ENOMEM if it cannot allocate one).
 * *arch: the path's name ("avx2", "sse", ...), for the log. */
int xs_mb_probe(const char **arch);

/* The key data of rt (xs_mb_fits true) into *out.  0, -EINVAL, -ENOMEM or
 * -ENOTSUP (no usable code path). */
int xs_mb_init(struct xs_mb_sa **out, const struct xs_sa_rt *rt);
/* Wipes and frees; NULL is fine. */
void xs_mb_fini(struct xs_mb_sa *m);

/* AEAD seal: n bytes at p encrypted in place under nonce (12 bytes: salt |
 * IV) and aad/alen, the tag (taglen bytes, the SA's ICV) to tag.  0 or
 * -EIO (no manager on this thread). */
int xs_mb_seal(const struct xs_mb_sa *m, const uint8_t *nonce,
	       const uint8_t *aad, size_t alen, uint8_t *p, size_t n,
	       uint8_t *tag);
/* AEAD open: n bytes at ct decrypted to out (may be ct), the tag
 * recomputed and compared in constant time with tag.  0, or -EBADMSG with
 * out cleansed. */
int xs_mb_open(const struct xs_mb_sa *m, const uint8_t *nonce,
	       const uint8_t *aad, size_t alen, const uint8_t *ct, size_t n,
	       const uint8_t *tag, uint8_t *out);

/*
 * AES-CBC + HMAC, encrypt then MAC (RFC 4303 3.3.2.1).  esp: SPI | seq |
 * 16-byte IV | payload; hi: with ESN the sequence number's high half, 4
 * bytes big-endian, appended to the MAC input (RFC 4303 2.2.1), else NULL.
 *
 * Seal: ptlen bytes of padded payload (a multiple of 16) encrypted in
 * place, the ICV written after them (the bytes there are scratch until
 * then).  0 or -EIO.
 *
 * Open: esp/len a whole packet, ctlen bytes of ciphertext.  The ICV is
 * verified (constant time) before anything is decrypted; then the
 * plaintext goes to out (may be the ciphertext itself).  0, or -EBADMSG
 * with out not written.  esp is only read.
 */
int xs_mb_etm_seal(const struct xs_mb_sa *m, uint8_t *esp, size_t ptlen,
		   const uint8_t *hi);
int xs_mb_etm_open(const struct xs_mb_sa *m, const uint8_t *esp, size_t len,
		   size_t ctlen, const uint8_t *hi, uint8_t *out);

#endif /* XS_CRYPTO_MB_H */
