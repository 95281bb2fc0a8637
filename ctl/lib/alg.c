// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The algorithm table.  Names follow KAME/FreeBSD setkey(8); ids are those
 * of <linux/pfkeyv2.h>.  Rows with implemented = false are known names that
 * the datapath does not (yet) run: setkey and PF_KEY refuse them with
 * EOPNOTSUPP instead of accepting an SA that could never carry traffic.
 */
#include <errno.h>
#include <string.h>
#include <linux/pfkeyv2.h>
#include "alg.h"

#define ENC XS_ALG_ENC
#define AUTH XS_ALG_AUTH

static const struct xs_alg algs[] = {
	/* name, alias, kind, id, key_min, key_max, salt, iv, icv, block,
	 * aead, implemented, evp */
	{ "aes-gcm-16", NULL, ENC, SADB_X_EALG_AES_GCM_ICV16, 20, 36, 4, 8, 16,
	  4, true, true, "AES-GCM" },
	{ "aes-gcm-12", NULL, ENC, SADB_X_EALG_AES_GCM_ICV12, 20, 36, 4, 8, 12,
	  4, true, false, "AES-GCM" },
	{ "aes-gcm-8", NULL, ENC, SADB_X_EALG_AES_GCM_ICV8, 20, 36, 4, 8, 8, 4,
	  true, false, "AES-GCM" },
	{ "aes-gmac", NULL, ENC, SADB_X_EALG_NULL_AES_GMAC, 20, 36, 4, 8, 16, 4,
	  true, false, "AES-GCM" },
	{ "rijndael-cbc", "aes-cbc", ENC, SADB_X_EALG_AESCBC, 16, 32, 0, 16, 0,
	  16, false, false, "AES-CBC" },
	{ "aes-ctr", NULL, ENC, SADB_X_EALG_AESCTR, 20, 36, 4, 8, 0, 4, false,
	  false, "AES-CTR" },
	{ "null", NULL, ENC, SADB_EALG_NULL, 0, 0, 0, 0, 0, 4, false, false,
	  NULL },
	{ "des-cbc", NULL, ENC, SADB_EALG_DESCBC, 8, 8, 0, 8, 0, 8, false,
	  false, NULL },
	{ "3des-cbc", NULL, ENC, SADB_EALG_3DESCBC, 24, 24, 0, 8, 0, 8, false,
	  false, NULL },
	{ "hmac-sha1", NULL, AUTH, SADB_AALG_SHA1HMAC, 20, 20, 0, 0, 12, 0,
	  false, false, "SHA1" },
	{ "hmac-sha256", "hmac-sha2-256", AUTH, SADB_X_AALG_SHA2_256HMAC, 32,
	  32, 0, 0, 16, 0, false, false, "SHA256" },
	{ "hmac-sha384", "hmac-sha2-384", AUTH, SADB_X_AALG_SHA2_384HMAC, 48,
	  48, 0, 0, 24, 0, false, false, "SHA384" },
	{ "hmac-sha512", "hmac-sha2-512", AUTH, SADB_X_AALG_SHA2_512HMAC, 64,
	  64, 0, 0, 32, 0, false, false, "SHA512" },
	{ "hmac-md5", NULL, AUTH, SADB_AALG_MD5HMAC, 16, 16, 0, 0, 12, 0, false,
	  false, "MD5" },
	{ "aes-xcbc-mac", NULL, AUTH, SADB_X_AALG_AES_XCBC_MAC, 16, 16, 0, 0,
	  12, 0, false, false, NULL },
	{ "null", NULL, AUTH, SADB_X_AALG_NULL, 0, 0, 0, 0, 0, 0, false, false,
	  NULL },
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
