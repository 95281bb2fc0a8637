/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Inside the ipsec-mb backend only: shared by crypto_mb.c (the threads'
 * managers, the SA set-up, the AEAD) and crypto_mb_cbc.c (AES-CBC with an
 * HMAC).  Nothing else includes it; crypto_mb.h is the backend's API.
 */
#ifndef XS_CRYPTO_MB_INT_H
#define XS_CRYPTO_MB_INT_H

#define NO_COMPAT_IMB_API_053 /* no bare SHA1, CBC, ... macros */
#include <stdbool.h>
#include <stdint.h>
#include <intel-ipsec-mb.h>
#include "crypto_mb.h"

#define MB_CHACHA_KEY 32
#define MB_AES_SCHED 60 /* 32-bit words: AES-256's 15 round keys */
#define MB_PAD_STATE 32 /* a digest state after one block: SHA-256's */

enum mb_kind { MB_NONE, MB_GCM128, MB_GCM192, MB_GCM256, MB_CHACHA, MB_CBC };

/* AES-CBC + HMAC: both key schedules (IMB_AES_KEYEXP_*) and the HMAC's
 * inner and outer digest states after K ^ ipad, K ^ opad (one block each,
 * IMB_SHA*_ONE_BLOCK), as the jobs take them. */
struct mb_etm {
	uint32_t enc_keys[MB_AES_SCHED] __attribute__((aligned(16)));
	uint32_t dec_keys[MB_AES_SCHED] __attribute__((aligned(16)));
	uint8_t ipad[MB_PAD_STATE] __attribute__((aligned(16)));
	uint8_t opad[MB_PAD_STATE] __attribute__((aligned(16)));
	IMB_HASH_ALG hash;
	uint8_t key_len; /* AES key: 16, 24 or 32 bytes */
	uint8_t icv_len; /* the truncated HMAC */
};

struct xs_mb_sa {
	union {
		struct gcm_key_data gk; /* AES-GCM: key schedule, GHASH */
		uint8_t ck[MB_CHACHA_KEY]; /* ChaCha20-Poly1305: the key */
		struct mb_etm etm; /* AES-CBC + HMAC */
	} k; /* first: aligned as the allocation */
	enum mb_kind kind;
	uint8_t taglen; /* AEAD tag */
};

/* The calling thread's manager, created on first use.  0, -ENOMEM or
 * -ENOTSUP (no code path for this CPU). */
int xs_mb_mgr(IMB_MGR **out);
/* The calling thread's manager for the AES-CBC + HMAC jobs: with SHA-NI
 * an SSE one of its own, else xs_mb_mgr's.  0 or -errno. */
int xs_mb_mgr_hmac(IMB_MGR **out);

/* Has ipsec-mb rt's AES-CBC (rt->enc's evp_name "AES-CBC") with its HMAC? */
bool xs_mb_etm_fits(const struct xs_sa_rt *rt);
/* rt's keys (xs_mb_etm_fits true) into e, on xs_mb_mgr_hmac's manager.
 * 0 or -errno. */
int xs_mb_etm_init(struct mb_etm *e, const struct xs_sa_rt *rt);

#endif /* XS_CRYPTO_MB_INT_H */
