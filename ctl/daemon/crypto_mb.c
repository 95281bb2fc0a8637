// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ESP AEAD through ipsec-mb's direct API.  See crypto_mb.h.
 *
 * AES-GCM: IMB_AES{128,192,256}_GCM_PRE expands the key and the GHASH
 * tables once per SA; per packet one IMB_AES*_GCM_ENC / _DEC call with a
 * 12-byte IV (salt | ESP IV) and the AAD.  ChaCha20-Poly1305: the raw key
 * is kept, per packet IMB_CHACHA20_POLY1305_INIT / _UPDATE / _FINALIZE.
 * Both _DEC paths compute the tag without checking it: open compares it
 * with CRYPTO_memcmp and cleanses the plaintext when it differs.  The
 * per-packet contexts live on the stack and are cleansed after use (the
 * ChaCha one holds the packet's Poly1305 key).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <intel-ipsec-mb.h>
#include <openssl/crypto.h>
#include "crypto_mb.h"

#define MB_NONCE 12 /* salt | IV: GCM's 96-bit IV, ChaCha20's nonce */
#define MB_TAG_MAX 16
#define MB_ALIGN 64 /* struct gcm_key_data */
#define CHACHA_KEY 32

enum mb_kind { MB_GCM128, MB_GCM192, MB_GCM256, MB_CHACHA };

struct xs_mb_sa {
	struct gcm_key_data gk; /* first: aligned as the allocation */
	uint8_t ck[CHACHA_KEY];
	enum mb_kind kind;
	uint8_t taglen;
};

_Static_assert(offsetof(struct xs_mb_sa, gk) == 0, "gk must be first");

union mb_op {
	struct gcm_context_data g;
	struct chacha20_poly1305_context_data c;
};

/* ---------------------------------------------------------------- manager */

static pthread_key_t mgr_key;
static pthread_once_t mgr_once = PTHREAD_ONCE_INIT;
static int mgr_key_err;
static __thread IMB_MGR *tls_mgr;
static __thread IMB_ARCH tls_arch;

static void mgr_free(void *p)
{
	free_mb_mgr(p);
}

static void mgr_key_make(void)
{
	mgr_key_err = pthread_key_create(&mgr_key, mgr_free);
}

/* The calling thread's manager, created on first use.  0, -ENOMEM or
 * -ENOTSUP (no code path for this CPU). */
static int mgr_get(IMB_MGR **out)
{
	IMB_ARCH arch = IMB_ARCH_NONE;
	IMB_MGR *m;

	if (tls_mgr) {
		*out = tls_mgr;
		return 0;
	}
	if (pthread_once(&mgr_once, mgr_key_make) || mgr_key_err)
		return -ENOMEM;
	m = alloc_mb_mgr(0);
	if (!m)
		return -ENOMEM;
	init_mb_mgr_auto(m, &arch);
	if (arch <= IMB_ARCH_NONE || arch >= IMB_ARCH_NUM || imb_get_errno(m)) {
		free_mb_mgr(m);
		return -ENOTSUP;
	}
	if (pthread_setspecific(mgr_key, m)) { /* freed at thread exit */
		free_mb_mgr(m);
		return -ENOMEM;
	}
	tls_mgr = m;
	tls_arch = arch;
	*out = m;
	return 0;
}

int xs_mb_probe(const char **arch)
{
	static const char *const names[IMB_ARCH_NUM] = {
		[IMB_ARCH_NOAESNI] = "no-aesni", [IMB_ARCH_SSE] = "sse",
		[IMB_ARCH_AVX] = "avx",		 [IMB_ARCH_AVX2] = "avx2",
		[IMB_ARCH_AVX512] = "avx512",
	};
	IMB_MGR *m;
	int err = mgr_get(&m);

	if (!err && arch)
		*arch = names[tls_arch] ? names[tls_arch] : "?";
	return err;
}

/* ---------------------------------------------------------------- SA */

/* The kind of row a with a klen-byte cipher key, or -1. */
static int kind_of(const struct xs_alg *a, size_t klen)
{
	if (!a->evp_name)
		return -1;
	if (!strcmp(a->evp_name, "AES-GCM")) {
		if (klen == 16)
			return MB_GCM128;
		if (klen == 24)
			return MB_GCM192;
		return klen == 32 ? MB_GCM256 : -1;
	}
	if (!strcmp(a->evp_name, "ChaCha20-Poly1305"))
		return klen == CHACHA_KEY ? MB_CHACHA : -1;
	return -1;
}

bool xs_mb_fits(const struct xs_sa_rt *rt)
{
	const struct xs_alg *a = rt->enc;

	if (rt->satype != SADB_SATYPE_ESP || !a || a->xform != XS_XF_AEAD ||
	    a->salt_len + a->iv_len != MB_NONCE || !a->icv_len ||
	    a->icv_len > MB_TAG_MAX || rt->enc_keylen <= a->salt_len)
		return false;
	return kind_of(a, rt->enc_keylen - a->salt_len) >= 0;
}

int xs_mb_init(struct xs_mb_sa **out, const struct xs_sa_rt *rt)
{
	const uint8_t *key = rt->enc_key;
	struct xs_mb_sa *m;
	IMB_MGR *mgr;
	void *p;
	int err;

	if (!xs_mb_fits(rt))
		return -EINVAL;
	err = mgr_get(&mgr);
	if (err)
		return err;
	if (posix_memalign(&p, MB_ALIGN, sizeof(*m)))
		return -ENOMEM;
	m = memset(p, 0, sizeof(*m));
	m->kind = kind_of(rt->enc, rt->enc_keylen - rt->enc->salt_len);
	m->taglen = rt->enc->icv_len;
	switch (m->kind) {
	case MB_GCM128:
		IMB_AES128_GCM_PRE(mgr, key, &m->gk);
		break;
	case MB_GCM192:
		IMB_AES192_GCM_PRE(mgr, key, &m->gk);
		break;
	case MB_GCM256:
		IMB_AES256_GCM_PRE(mgr, key, &m->gk);
		break;
	case MB_CHACHA:
		memcpy(m->ck, key, CHACHA_KEY);
		break;
	}
	*out = m;
	return 0;
}

void xs_mb_fini(struct xs_mb_sa *m)
{
	if (!m)
		return;
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
}

/* ---------------------------------------------------------------- packets */

int xs_mb_seal(const struct xs_mb_sa *m, const uint8_t *nonce,
	       const uint8_t *aad, size_t alen, uint8_t *p, size_t n,
	       uint8_t *tag)
{
	union mb_op x;
	IMB_MGR *mgr;

	if (mgr_get(&mgr))
		return -EIO;
	switch (m->kind) {
	case MB_GCM128:
		IMB_AES128_GCM_ENC(mgr, &m->gk, &x.g, p, p, n, nonce, aad, alen,
				   tag, m->taglen);
		break;
	case MB_GCM192:
		IMB_AES192_GCM_ENC(mgr, &m->gk, &x.g, p, p, n, nonce, aad, alen,
				   tag, m->taglen);
		break;
	case MB_GCM256:
		IMB_AES256_GCM_ENC(mgr, &m->gk, &x.g, p, p, n, nonce, aad, alen,
				   tag, m->taglen);
		break;
	case MB_CHACHA:
		IMB_CHACHA20_POLY1305_INIT(mgr, m->ck, &x.c, nonce, aad, alen);
		IMB_CHACHA20_POLY1305_ENC_UPDATE(mgr, m->ck, &x.c, p, p, n);
		IMB_CHACHA20_POLY1305_ENC_FINALIZE(mgr, &x.c, tag, m->taglen);
		break;
	}
	OPENSSL_cleanse(&x, sizeof(x));
	return 0;
}

int xs_mb_open(const struct xs_mb_sa *m, const uint8_t *nonce,
	       const uint8_t *aad, size_t alen, const uint8_t *ct, size_t n,
	       const uint8_t *tag, uint8_t *out)
{
	uint8_t calc[MB_TAG_MAX];
	union mb_op x;
	IMB_MGR *mgr;
	int err = 0;

	if (mgr_get(&mgr)) {
		OPENSSL_cleanse(out, n);
		return -EBADMSG;
	}
	switch (m->kind) {
	case MB_GCM128:
		IMB_AES128_GCM_DEC(mgr, &m->gk, &x.g, out, ct, n, nonce, aad,
				   alen, calc, m->taglen);
		break;
	case MB_GCM192:
		IMB_AES192_GCM_DEC(mgr, &m->gk, &x.g, out, ct, n, nonce, aad,
				   alen, calc, m->taglen);
		break;
	case MB_GCM256:
		IMB_AES256_GCM_DEC(mgr, &m->gk, &x.g, out, ct, n, nonce, aad,
				   alen, calc, m->taglen);
		break;
	case MB_CHACHA:
		IMB_CHACHA20_POLY1305_INIT(mgr, m->ck, &x.c, nonce, aad, alen);
		IMB_CHACHA20_POLY1305_DEC_UPDATE(mgr, m->ck, &x.c, out, ct, n);
		IMB_CHACHA20_POLY1305_DEC_FINALIZE(mgr, &x.c, calc, m->taglen);
		break;
	}
	OPENSSL_cleanse(&x, sizeof(x));
	if (CRYPTO_memcmp(calc, tag, m->taglen)) {
		OPENSSL_cleanse(out, n); /* unauthenticated plaintext */
		err = -EBADMSG;
	}
	OPENSSL_cleanse(calc, sizeof(calc));
	return err;
}
