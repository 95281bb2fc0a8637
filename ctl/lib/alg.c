// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The algorithm table.  Names follow KAME/FreeBSD setkey(8); ids are those
 * of <linux/pfkeyv2.h>.  Rows with implemented = false are known names that
 * the datapath does not run: setkey and PF_KEY refuse them with EOPNOTSUPP
 * instead of accepting an SA that could never carry traffic.
 *
 * Ids outside <linux/pfkeyv2.h> (Linux af_key has none for these):
 *  - chacha20-poly1305: XS_EALG_CHACHA20_POLY1305 = 28, the IANA IKEv2
 *    transform id (ENCR_CHACHA20_POLY1305), free among Linux's EALG ids.
 *  - tcp-md5: XS_AALG_TCP_MD5 = 252, FreeBSD's SADB_X_AALG_TCP_MD5; only
 *    so that the name is refused clearly (RFC 2385 is not IPsec).
 *
 * HMAC ICVs are truncated as RFC 2404 (SHA-1, 96 bits), RFC 2403 (MD5,
 * 96 bits) and RFC 4868 (SHA-2: half the digest) say, under every name:
 * "hmac-sha256" is HMAC-SHA-256-128 and does not follow Linux af_key's
 * historical 96-bit truncation for SADB_X_AALG_SHA2_256HMAC.  HMAC keys
 * are as long as the digest (RFC 4868 2.1.1).  HMAC-MD5 is marked weak.
 */
#include <errno.h>
#include <string.h>
#include <linux/pfkeyv2.h>
#include "alg.h"

#define ENC_ROW(nm, al, i, kmin, kmax, salt, iv, icv, blk, ae, impl, xf, evp) \
	{                                                                     \
		.name = nm, .alias = al, .kind = XS_ALG_ENC, .id = i,         \
		.key_min = kmin, .key_max = kmax, .salt_len = salt,           \
		.iv_len = iv, .icv_len = icv, .block_len = blk, .aead = ae,   \
		.implemented = impl, .xform = xf, .evp_name = evp             \
	}
#define AUTH_ROW(nm, al, i, klen, icv, impl, wk, evp)                      \
	{                                                                  \
		.name = nm, .alias = al, .kind = XS_ALG_AUTH, .id = i,     \
		.key_min = klen, .key_max = klen, .icv_len = icv,          \
		.implemented = impl, .weak = wk,                           \
		.xform = (impl) ? XS_XF_HMAC : XS_XF_NONE, .evp_name = evp \
	}

static const struct xs_alg algs[] = {
	/* name, alias, id, key min, max (salt included), salt, iv, icv,
	 * block, aead, implemented, transform, EVP cipher */
	ENC_ROW("aes-gcm-16", NULL, SADB_X_EALG_AES_GCM_ICV16, 20, 36, 4, 8, 16,
		4, true, true, XS_XF_AEAD, "AES-GCM"),
	ENC_ROW("aes-gcm-12", NULL, SADB_X_EALG_AES_GCM_ICV12, 20, 36, 4, 8, 12,
		4, true, true, XS_XF_AEAD, "AES-GCM"),
	ENC_ROW("aes-gcm-8", NULL, SADB_X_EALG_AES_GCM_ICV8, 20, 36, 4, 8, 8, 4,
		true, true, XS_XF_AEAD, "AES-GCM"),
	ENC_ROW("chacha20-poly1305", NULL, XS_EALG_CHACHA20_POLY1305, 36, 36, 4,
		8, 16, 4, true, true, XS_XF_AEAD, "ChaCha20-Poly1305"),
	ENC_ROW("aes-gmac", NULL, SADB_X_EALG_NULL_AES_GMAC, 20, 36, 4, 8, 16,
		4, true, true, XS_XF_GMAC, "AES-GCM"),
	ENC_ROW("rijndael-cbc", "aes-cbc", SADB_X_EALG_AESCBC, 16, 32, 0, 16, 0,
		16, false, true, XS_XF_CBC, "AES-CBC"),
	ENC_ROW("aes-ctr", NULL, SADB_X_EALG_AESCTR, 20, 36, 4, 8, 0, 4, false,
		true, XS_XF_CTR, "AES-CTR"),
	ENC_ROW("null", NULL, SADB_EALG_NULL, 0, 0, 0, 0, 0, 4, false, true,
		XS_XF_NULL, NULL),
	ENC_ROW("des-cbc", NULL, SADB_EALG_DESCBC, 8, 8, 0, 8, 0, 8, false,
		false, XS_XF_NONE, NULL),
	ENC_ROW("3des-cbc", NULL, SADB_EALG_3DESCBC, 24, 24, 0, 8, 0, 8, false,
		false, XS_XF_NONE, NULL),
	/* name, alias, id, key, icv, implemented, weak, EVP digest */
	AUTH_ROW("hmac-sha1", NULL, SADB_AALG_SHA1HMAC, 20, 12, true, false,
		 "SHA1"),
	AUTH_ROW("hmac-sha256", "hmac-sha2-256", SADB_X_AALG_SHA2_256HMAC, 32,
		 16, true, false, "SHA256"),
	AUTH_ROW("hmac-sha384", "hmac-sha2-384", SADB_X_AALG_SHA2_384HMAC, 48,
		 24, true, false, "SHA384"),
	AUTH_ROW("hmac-sha512", "hmac-sha2-512", SADB_X_AALG_SHA2_512HMAC, 64,
		 32, true, false, "SHA512"),
	AUTH_ROW("hmac-md5", NULL, SADB_AALG_MD5HMAC, 16, 12, true, true,
		 "MD5"),
	AUTH_ROW("aes-xcbc-mac", NULL, SADB_X_AALG_AES_XCBC_MAC, 16, 12, false,
		 false, NULL),
	AUTH_ROW("tcp-md5", NULL, XS_AALG_TCP_MD5, 16, 0, false, false, NULL),
	AUTH_ROW("null", NULL, SADB_X_AALG_NULL, 0, 0, false, false, NULL),
};

#define NALGS (sizeof(algs) / sizeof(algs[0]))

const struct xs_alg *xs_alg_at(size_t i)
{
	return i < NALGS ? &algs[i] : NULL;
}

const struct xs_alg *xs_alg_by_name(enum xs_alg_kind kind, const char *name)
{
	size_t i;

	for (i = 0; i < NALGS; i++) {
		if (algs[i].kind != kind)
			continue;
		if (!strcmp(algs[i].name, name) ||
		    (algs[i].alias && !strcmp(algs[i].alias, name)))
			return &algs[i];
	}
	return NULL;
}

const struct xs_alg *xs_alg_by_id(enum xs_alg_kind kind, uint8_t id)
{
	size_t i;

	for (i = 0; i < NALGS; i++)
		if (algs[i].kind == kind && algs[i].id == id)
			return &algs[i];
	return NULL;
}

int xs_alg_check_keylen(const struct xs_alg *alg, size_t keylen)
{
	if (keylen < alg->key_min || keylen > alg->key_max)
		return -EINVAL;
	/* AES keys come in 16/24/32 (plus salt) only */
	if (alg->evp_name && !strncmp(alg->evp_name, "AES", 3)) {
		size_t k = keylen - alg->salt_len;

		if (k != 16 && k != 24 && k != 32)
			return -EINVAL;
	}
	return 0;
}
