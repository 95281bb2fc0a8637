/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Algorithms as data: one table row per algorithm, used everywhere
 * (setkey names, PF_KEY ids, key/salt/IV/ICV lengths, the EVP cipher or
 * digest, the ESP transform that runs it).  Nothing else in xdpsec
 * hard-codes an algorithm.
 */
#ifndef XS_ALG_H
#define XS_ALG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum xs_alg_kind {
	XS_ALG_ENC, /* ESP encryption (SADB_EXT_KEY_ENCRYPT), may be AEAD */
	XS_ALG_AUTH, /* ESP/AH authentication (SADB_EXT_KEY_AUTH) */
};

/* How the ESP datapath runs a row (ctl/daemon/esp_crypto.c). */
enum xs_alg_xform {
	XS_XF_NONE, /* not run: the row exists to be refused by name */
	XS_XF_AEAD, /* nonce salt|IV, AAD SPI|seq (RFC 4106, RFC 7634) */
	XS_XF_GMAC, /* GCM over SPI|seq|IV|payload, payload clear (RFC 4543) */
	XS_XF_CBC, /* random IV, block padding, + HMAC (RFC 3602) */
	XS_XF_CTR, /* counter block nonce|IV|1, + HMAC (RFC 3686) */
	XS_XF_NULL, /* payload clear, + HMAC (RFC 2410) */
	XS_XF_HMAC, /* authentication: HMAC truncated to icv_len */
};

/* Not in <linux/pfkeyv2.h>: see alg.c. */
#define XS_EALG_CHACHA20_POLY1305 28
#define XS_AALG_TCP_MD5 252

struct xs_alg {
	const char *name; /* setkey name (primary) */
	const char *alias; /* other setkey name, or NULL */
	enum xs_alg_kind kind;
	uint8_t id; /* SADB_[X_]EALG_* / SADB_[X_]AALG_* */
	uint16_t key_min; /* bytes, salt/nonce included */
	uint16_t key_max;
	uint8_t salt_len; /* trailing salt/nonce bytes of the key */
	uint8_t iv_len; /* bytes of IV on the wire */
	uint8_t icv_len; /* bytes: AEAD tag or truncated HMAC */
	uint8_t block_len; /* padding unit (4 for stream/AEAD) */
	bool aead; /* carries its own ICV: no separate -A */
	bool implemented; /* false: parsed, then refused with an error */
	bool weak; /* accepted for old peers; setkey may warn */
	enum xs_alg_xform xform;
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
