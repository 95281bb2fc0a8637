/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Algorithms as data: one table row per algorithm, used everywhere
 * (setkey names, PF_KEY ids, key/salt/IV/ICV lengths, the EVP cipher or
 * digest).  Nothing else in xdpsec hard-codes an algorithm.
 */
#ifndef XS_ALG_H
#define XS_ALG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum xs_alg_kind {
	XS_ALG_ENC,  /* ESP encryption (SADB_EXT_KEY_ENCRYPT), may be AEAD */
	XS_ALG_AUTH, /* ESP/AH authentication (SADB_EXT_KEY_AUTH) */
};

struct xs_alg {
	const char *name;     /* setkey name (primary) */
	const char *alias;    /* other setkey name, or NULL */
	enum xs_alg_kind kind;
	uint8_t id;	      /* SADB_[X_]EALG_* / SADB_[X_]AALG_* */
	uint16_t key_min;     /* bytes, salt/nonce included */
	uint16_t key_max;
	uint8_t salt_len;     /* trailing salt/nonce bytes of the key */
	uint8_t iv_len;	      /* bytes of IV on the wire */
	uint8_t icv_len;      /* bytes: AEAD tag or truncated HMAC */
	uint8_t block_len;    /* padding unit (4 for stream/AEAD) */
	bool aead;
	bool implemented;     /* false: parsed, then refused with an error */
	const char *evp_name; /* EVP cipher/digest name, NULL for null */
};

/* Look-ups return NULL when unknown. */
const struct xs_alg *xs_alg_by_name(enum xs_alg_kind kind, const char *name);
const struct xs_alg *xs_alg_by_id(enum xs_alg_kind kind, uint8_t id);
/* Iterate: i from 0 until NULL. */
const struct xs_alg *xs_alg_at(size_t i);

/* 0 if keylen (bytes) fits alg, else -EINVAL. */
int xs_alg_check_keylen(const struct xs_alg *alg, size_t keylen);

#endif /* XS_ALG_H */
