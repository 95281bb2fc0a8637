// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The ipsec-mb backend's threads' managers and SA set-up, and the ESP AEAD
 * through ipsec-mb's direct API; AES-CBC with an HMAC is crypto_mb_cbc.c's
 * (job API).  See crypto_mb.h.
 *
 * Which SAs run here is data: the table ciphers[] below, by the row's
 * evp_name and the key length, then the transform's own checks (aead_fits
 * here, xs_mb_etm_fits for CBC and its HMAC table).
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
#include <openssl/crypto.h>
#include "crypto_mb_int.h"

#define MB_NONCE 12 /* salt | IV: GCM's 96-bit IV, ChaCha20's nonce */
#define MB_TAG_MAX 16
#define MB_ALIGN 64 /* struct gcm_key_data */

_Static_assert(offsetof(struct xs_mb_sa, k) == 0, "key data must be first");

union mb_op {
	struct gcm_context_data g;
	struct chacha20_poly1305_context_data c;
};

/* ---------------------------------------------------------------- manager */

static pthread_key_t mgr_key;
static pthread_once_t mgr_once = PTHREAD_ONCE_INIT;
static int mgr_key_err;
static pthread_key_t hmac_key;
static __thread IMB_MGR *tls_mgr, *tls_hmac;
static __thread IMB_ARCH tls_arch;

static void mgr_free(void *p)
{
	free_mb_mgr(p);
}

static void mgr_key_make(void)
{
	mgr_key_err = pthread_key_create(&mgr_key, mgr_free) ||
		      pthread_key_create(&hmac_key, mgr_free);
}

int xs_mb_mgr(IMB_MGR **out)
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

/*
 * The manager for the AES-CBC + HMAC jobs.  A job flushed at once runs one
 * lane of a multi-buffer SHA kernel, and ipsec-mb 1.3 has SHA-1 and
 * SHA-256 on the SHA extensions (SHA-NI: one buffer at a time, fast) in
 * its SSE manager only: there, on this project's AVX2 + SHA-NI test
 * machine, CBC + HMAC-SHA-256 took 0.27 / 2.2 us per 80 / 1408-byte job
 * against 1.24 / 9.2 us on the AVX2 manager's 8-lane kernel.  So with
 * SHA-NI a second per-thread manager, init_mb_mgr_sse; without, the
 * thread's own.  Keys and digest states
 * are set up on the manager the packets then use.
 */
int xs_mb_mgr_hmac(IMB_MGR **out)
{
	IMB_MGR *m;
	int err;

	if (tls_hmac) {
		*out = tls_hmac;
		return 0;
	}
	err = xs_mb_mgr(&m);
	if (err)
		return err;
	if (!(m->features & IMB_FEATURE_SHANI)) {
		*out = m;
		return 0;
	}
	m = alloc_mb_mgr(0);
	if (!m)
		return -ENOMEM;
	init_mb_mgr_sse(m);
	if (imb_get_errno(m) || pthread_setspecific(hmac_key, m)) {
		free_mb_mgr(m); /* else freed at thread exit */
		return -ENOMEM;
	}
	tls_hmac = m;
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
	int err = xs_mb_mgr(&m);

	if (!err && arch)
		*arch = names[tls_arch] ? names[tls_arch] : "?";
	return err;
}

/* ---------------------------------------------------------------- SA */

/* The ciphers ipsec-mb runs, by the table's evp_name: the kind for a
 * 16, 24 and 32-byte key (salt not counted). */
static const struct mb_cipher {
	const char *evp;
	enum mb_kind k16, k24, k32;
} ciphers[] = {
	{ "AES-GCM", MB_GCM128, MB_GCM192, MB_GCM256 },
	{ "ChaCha20-Poly1305", MB_NONE, MB_NONE, MB_CHACHA },
	{ "AES-CBC", MB_CBC, MB_CBC, MB_CBC },
};

/* The kind of row a with a klen-byte cipher key, or MB_NONE. */
static enum mb_kind kind_of(const struct xs_alg *a, size_t klen)
{
	const struct mb_cipher *c;
	size_t i;

	for (i = 0; a->evp_name && i < sizeof(ciphers) / sizeof(ciphers[0]);
	     i++) {
		c = &ciphers[i];
		if (strcmp(a->evp_name, c->evp))
			continue;
		if (klen == 16)
			return c->k16;
		if (klen == 24)
			return c->k24;
		return klen == 32 ? c->k32 : MB_NONE;
	}
	return MB_NONE;
}

/* The AEAD rows' nonce and tag as the direct API takes them (the GMAC rows
 * share AES-GCM's evp_name but not the transform). */
static bool aead_fits(const struct xs_alg *a)
{
	return a->xform == XS_XF_AEAD && a->salt_len + a->iv_len == MB_NONCE &&
	       a->icv_len && a->icv_len <= MB_TAG_MAX;
}

bool xs_mb_fits(const struct xs_sa_rt *rt)
{
	const struct xs_alg *a = rt->enc;
	enum mb_kind k;

	if (rt->satype != SADB_SATYPE_ESP || !a ||
	    rt->enc_keylen <= a->salt_len)
		return false;
	k = kind_of(a, rt->enc_keylen - a->salt_len);
	if (k == MB_CBC)
		return xs_mb_etm_fits(rt);
	return k != MB_NONE && aead_fits(a);
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
	err = xs_mb_mgr(&mgr);
	if (err)
		return err;
	if (posix_memalign(&p, MB_ALIGN, sizeof(*m)))
		return -ENOMEM;
	m = memset(p, 0, sizeof(*m));
	m->kind = kind_of(rt->enc, rt->enc_keylen - rt->enc->salt_len);
	m->taglen = rt->enc->icv_len;
	switch (m->kind) {
	case MB_NONE:
		break; /* not reached: xs_mb_fits */
	case MB_GCM128:
		IMB_AES128_GCM_PRE(mgr, key, &m->k.gk);
		break;
	case MB_GCM192:
		IMB_AES192_GCM_PRE(mgr, key, &m->k.gk);
		break;
	case MB_GCM256:
		IMB_AES256_GCM_PRE(mgr, key, &m->k.gk);
		break;
	case MB_CHACHA:
		memcpy(m->k.ck, key, MB_CHACHA_KEY);
		break;
	case MB_CBC:
		err = xs_mb_etm_init(&m->k.etm, rt);
		break;
	}
	if (err) {
		xs_mb_fini(m);
		return err;
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

static bool is_aead(const struct xs_mb_sa *m)
{
	return m->kind >= MB_GCM128 && m->kind <= MB_CHACHA;
}

int xs_mb_seal(const struct xs_mb_sa *m, const uint8_t *nonce,
	       const uint8_t *aad, size_t alen, uint8_t *p, size_t n,
	       uint8_t *tag)
{
	union mb_op x;
	IMB_MGR *mgr;

	if (!is_aead(m) || xs_mb_mgr(&mgr))
		return -EIO;
	switch (m->kind) {
	case MB_GCM128:
		IMB_AES128_GCM_ENC(mgr, &m->k.gk, &x.g, p, p, n, nonce, aad,
				   alen, tag, m->taglen);
		break;
	case MB_GCM192:
		IMB_AES192_GCM_ENC(mgr, &m->k.gk, &x.g, p, p, n, nonce, aad,
				   alen, tag, m->taglen);
		break;
	case MB_GCM256:
		IMB_AES256_GCM_ENC(mgr, &m->k.gk, &x.g, p, p, n, nonce, aad,
				   alen, tag, m->taglen);
		break;
	case MB_CHACHA:
		IMB_CHACHA20_POLY1305_INIT(mgr, m->k.ck, &x.c, nonce, aad,
					   alen);
		IMB_CHACHA20_POLY1305_ENC_UPDATE(mgr, m->k.ck, &x.c, p, p, n);
		IMB_CHACHA20_POLY1305_ENC_FINALIZE(mgr, &x.c, tag, m->taglen);
		break;
	default: /* not reached: is_aead */
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

	if (!is_aead(m) || xs_mb_mgr(&mgr)) {
		OPENSSL_cleanse(out, n);
		return -EBADMSG;
	}
	switch (m->kind) {
	case MB_GCM128:
		IMB_AES128_GCM_DEC(mgr, &m->k.gk, &x.g, out, ct, n, nonce, aad,
				   alen, calc, m->taglen);
		break;
	case MB_GCM192:
		IMB_AES192_GCM_DEC(mgr, &m->k.gk, &x.g, out, ct, n, nonce, aad,
				   alen, calc, m->taglen);
		break;
	case MB_GCM256:
		IMB_AES256_GCM_DEC(mgr, &m->k.gk, &x.g, out, ct, n, nonce, aad,
				   alen, calc, m->taglen);
		break;
	case MB_CHACHA:
		IMB_CHACHA20_POLY1305_INIT(mgr, m->k.ck, &x.c, nonce, aad,
					   alen);
		IMB_CHACHA20_POLY1305_DEC_UPDATE(mgr, m->k.ck, &x.c, out, ct,
						 n);
		IMB_CHACHA20_POLY1305_DEC_FINALIZE(mgr, &x.c, calc, m->taglen);
		break;
	default: /* not reached: is_aead */
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
