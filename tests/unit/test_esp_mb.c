// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The two ESP crypto backends against each other (crypto_mb.c and
 * crypto_mb_cbc.c, ipsec-mb, and EVP plus the low-level HMAC in
 * esp_crypto.c): one SA, one context on each; for AES-GCM with
 * 128/192/256-bit keys and 16/12/8-byte ICVs, ChaCha20-Poly1305, and
 * AES-CBC with every key size and HMAC-SHA1/256, with and without
 * ESN, every payload length 0..300 (CBC: every block count up to 304
 * bytes) and a few large ones: both seal to the same bytes, seal writes
 * nothing past the ICV, and each opens the other's packet.  Then ipsec-mb
 * refuses a flipped tag, ciphertext, SPI, seq, ESN high half or IV byte
 * leaving no plaintext (AEAD: output cleansed; CBC: output not written);
 * RFC 4231 test case 7 for HMAC-SHA-256 (a key longer than the block,
 * hashed first) through the CBC open's HMAC; contexts used from other threads (each gets its own
 * manager, freed when it exits); the backend switch itself.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../ctl/daemon/esp_crypto.h"
#include "../../ctl/lib/pfkey_msg.h"

#define HDR_MAX 24 /* SPI, seq, IV (8 bytes, CBC 16) */
#define MAXP 65024
#define CAP (HDR_MAX + MAXP + 32 + 8)
#define NTHREADS 4

struct both {
	struct xs_sa_rt *rt;
	struct xs_esp_ctx o, m; /* OpenSSL, ipsec-mb */
};

static const struct mbcase {
	const char *enc;
	size_t klen; /* key | salt */
	bool esn;
	const char *auth; /* CBC's HMAC, key as long as the digest */
	size_t alen;
} cases[] = {
	{ "aes-gcm-16", 20, false, NULL, 0 },
	{ "aes-gcm-16", 36, false, NULL, 0 },
	{ "aes-gcm-16", 28, true, NULL, 0 },
	{ "aes-gcm-12", 20, true, NULL, 0 },
	{ "aes-gcm-8", 36, false, NULL, 0 },
	{ "aes-gcm-8", 28, false, NULL, 0 },
	{ "chacha20-poly1305", 36, false, NULL, 0 },
	{ "chacha20-poly1305", 36, true, NULL, 0 },
	{ "aes-cbc", 16, false, "hmac-sha1", 20 },
	{ "aes-cbc", 24, true, "hmac-sha1", 20 },
	{ "aes-cbc", 32, false, "hmac-sha1", 20 },
	{ "aes-cbc", 16, true, "hmac-sha256", 32 },
	{ "aes-cbc", 24, false, "hmac-sha256", 32 },
	{ "aes-cbc", 32, true, "hmac-sha256", 32 },
	{ "rijndael-cbc", 16, true, "hmac-sha1", 20 },
	{ "aes-cbc", 32, false, "hmac-sha2-256", 32 },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static const size_t large[] = { 1400, 1504, 4096, 9008, MAXP };

static uint8_t pa[CAP], pb[CAP], out[CAP];

/* An SA's rt for enc/auth (auth NULL: an AEAD), its keys and SPI derived
 * from seed (sa.c refuses nothing here). */
static struct xs_sa_rt *rt_of(const char *enc, size_t elen, const char *auth,
			      size_t alen, bool esn, uint32_t seed)
{
	const struct xs_alg *e = xs_alg_by_name(XS_ALG_ENC, enc);
	struct xs_sa_rt *rt;
	struct xs_sa sa;
	size_t i;

	assert_non_null(e);
	memset(&sa, 0, sizeof(sa));
	sa.satype = SADB_SATYPE_ESP;
	sa.mode = IPSEC_MODE_TRANSPORT;
	sa.state = SADB_SASTATE_MATURE;
	sa.replay = 32;
	sa.spi = 0x5000 + seed;
	sa.flags = esn ? SADB_X_SAFLAGS_ESN : 0;
	sa.enc_alg = e->id;
	sa.enc_keylen = (uint16_t)elen;
	for (i = 0; i < elen; i++)
		sa.enc_key[i] = (uint8_t)(i * 29 + seed * 5 + 1);
	if (auth) {
		sa.auth_alg = xs_alg_by_name(XS_ALG_AUTH, auth)->id;
		sa.auth_keylen = (uint16_t)alen;
		for (i = 0; i < alen; i++)
			sa.auth_key[i] = (uint8_t)(i * 11 + seed * 3 + 2);
	}
	rt = xs_sa_rt_new(&sa, 1);
	xs_sa_wipe(&sa);
	assert_non_null(rt);
	return rt;
}

static void both_open(struct both *b, size_t ci)
{
	const struct mbcase *k = &cases[ci];

	b->rt = rt_of(k->enc, k->klen, k->auth, k->alen, k->esn, (uint32_t)ci);
	assert_int_equal(xs_esp_backend_set(XS_BACKEND_OPENSSL, NULL), 0);
	assert_int_equal(xs_esp_ctx_init(&b->o, b->rt), 0);
	assert_int_equal(xs_esp_backend_set(XS_BACKEND_IPSEC_MB, NULL), 0);
	assert_int_equal(xs_esp_ctx_init(&b->m, b->rt), 0);
	assert_int_equal(xs_esp_backend_set(XS_BACKEND_OPENSSL, NULL), 0);
	/* really two backends */
	assert_true(b->o.mb == NULL && b->o.enc && b->o.dec);
	assert_true(b->m.mb != NULL && !b->m.enc && !b->m.dec && !b->m.mac);
	assert_true(!k->auth || b->o.mac);
}

/* SPI | seq | IV: the offset of the payload. */
static size_t hdr(const struct both *b)
{
	return 8 + b->rt->enc->iv_len;
}

/* Is n a payload length the SA can carry (CBC: one block or more)? */
static bool fits(const struct both *b, size_t n)
{
	return b->rt->enc->aead || (n && !(n % xs_esp_pad_unit(b->rt)));
}

static void both_close(struct both *b)
{
	xs_esp_ctx_fini(&b->o);
	xs_esp_ctx_fini(&b->m);
	xs_sa_rt_free(b->rt);
}

/* SPI | seq | IV | n bytes of payload, all depending on n. */
static void packet(const struct both *b, uint8_t *p, size_t n)
{
	size_t i, h = hdr(b);

	p[0] = (uint8_t)(b->rt->spi >> 24);
	p[1] = (uint8_t)(b->rt->spi >> 16);
	p[2] = (uint8_t)(b->rt->spi >> 8);
	p[3] = (uint8_t)b->rt->spi;
	p[4] = 0;
	p[5] = 0;
	p[6] = (uint8_t)(n >> 8);
	p[7] = (uint8_t)(n + 1);
	for (i = 8; i < h; i++)
		p[i] = (uint8_t)(n * 13 + i);
	for (i = 0; i < n; i++)
		p[h + i] = (uint8_t)(i * 7 + n);
}

static void set_hi(struct both *b, uint32_t hi)
{
	b->o.seq_hi = hi;
	b->m.seq_hi = hi;
}

/* Seal n bytes on both backends: same bytes, nothing written past the
 * ICV; each opens the other's. */
static void cross_one(struct both *b, size_t ci, size_t n)
{
	size_t h = hdr(b), len = h + n + xs_esp_icv_len(b->rt);
	static const uint8_t tail[8] = { 0x5a, 0x5a, 0x5a, 0x5a,
					 0x5a, 0x5a, 0x5a, 0x5a };

	if (!fits(b, n))
		return;
	set_hi(b, 0x01020300u + (uint32_t)n);
	packet(b, pa, n);
	packet(b, pb, n);
	memcpy(pb + len, tail, sizeof(tail));
	assert_int_equal(xs_esp_crypto_seal(&b->o, pa, n), 0);
	assert_int_equal(xs_esp_crypto_seal(&b->m, pb, n), 0);
	if (memcmp(pa, pb, len))
		fail_msg("%s/%zu %s esn %d n %zu: the backends' packets differ",
			 cases[ci].enc, cases[ci].klen, cases[ci].auth ?: "-",
			 cases[ci].esn, n);
	assert_memory_equal(pb + len, tail, sizeof(tail));
	packet(b, pb, n); /* the plaintext again */
	assert_int_equal(xs_esp_crypto_open(&b->m, pa, len, n, out), 0);
	if (memcmp(out, pb + h, n))
		fail_msg("%s n %zu: ipsec-mb opens OpenSSL's wrongly",
			 cases[ci].enc, n);
	memset(out, 0, n);
	assert_int_equal(xs_esp_crypto_seal(&b->m, pb, n), 0);
	packet(b, pa, n);
	assert_int_equal(xs_esp_crypto_open(&b->o, pb, len, n, out), 0);
	if (memcmp(out, pa + h, n))
		fail_msg("%s n %zu: OpenSSL opens ipsec-mb's wrongly",
			 cases[ci].enc, n);
}

static void test_cross_sizes(void **state)
{
	struct both b;
	size_t ci, n, i;

	(void)state;
	for (ci = 0; ci < NCASES; ci++) {
		both_open(&b, ci);
		for (n = 0; n <= 300; n++)
			cross_one(&b, ci, n);
		for (i = 0; i < sizeof(large) / sizeof(large[0]); i++)
			cross_one(&b, ci, large[i]);
		both_close(&b);
	}
}

static bool all_are(const uint8_t *p, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* No plaintext in out (0xa5 before the open): the AEAD cleanses it, CBC
 * verifies before it decrypts and leaves it alone. */
static bool no_plain(const struct both *b, const uint8_t *p, size_t n)
{
	return b->rt->enc->aead ? all_are(p, n, 0) : all_are(p, n, 0xa5);
}

/* pa: a good packet of n bytes; byte at (or seq_hi ^ 1 when at is
 * SIZE_MAX) changed: ipsec-mb refuses it and leaves no plaintext in out. */
static void refuse(struct both *b, size_t n, size_t len, size_t at,
		   const char *what)
{
	int r;

	memcpy(pb, pa, len);
	if (at == SIZE_MAX)
		b->m.seq_hi ^= 1;
	else
		pb[at] ^= 0x10;
	memset(out, 0xa5, n);
	r = xs_esp_crypto_open(&b->m, pb, len, n, out);
	if (at == SIZE_MAX)
		b->m.seq_hi ^= 1;
	if (r != -EBADMSG || !no_plain(b, out, n))
		fail_msg("%s/%s n %zu: %s at %zu: %d, output %s",
			 b->rt->enc->name,
			 b->rt->auth ? b->rt->auth->name : "-", n, what, at, r,
			 no_plain(b, out, n) ? "clean" : "has plaintext");
}

static void tamper_one(struct both *b, size_t n)
{
	size_t icv = xs_esp_icv_len(b->rt), h = hdr(b), len = h + n + icv, i;

	if (!fits(b, n))
		return;
	set_hi(b, 7);
	packet(b, pa, n);
	assert_int_equal(xs_esp_crypto_seal(&b->o, pa, n), 0);
	for (i = 0; i < icv; i++)
		refuse(b, n, len, h + n + i, "tag");
	for (i = 0; i<n; i += n> 40 ? n / 7 : 1)
		refuse(b, n, len, h + i, "ciphertext");
	if (n)
		refuse(b, n, len, h + n - 1, "ciphertext");
	for (i = 0; i < 8; i++)
		refuse(b, n, len, i, "SPI | seq");
	for (i = 8; i < h; i++)
		refuse(b, n, len, i, "IV");
	if (b->rt->esn)
		refuse(b, n, len, SIZE_MAX, "AAD (seq_hi)");
	/* and the untouched packet still opens */
	memset(out, 0xa5, n);
	assert_int_equal(xs_esp_crypto_open(&b->m, pa, len, n, out), 0);
	packet(b, pb, n);
	assert_memory_equal(out, pb + h, n);
}

static void test_mb_tamper(void **state)
{
	static const size_t ns[] = { 0, 1, 15, 16, 17, 32, 64, 300, 1408 };
	struct both b;
	size_t ci, i;

	(void)state;
	for (ci = 0; ci < NCASES; ci++) {
		both_open(&b, ci);
		for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
			tamper_one(&b, ns[i]);
		both_close(&b);
	}
}

/* Another thread seals with a context set up on this one (its own
 * manager, created on first use, freed when it exits) and opens. */
struct job {
	struct both *b;
	size_t n;
	uint8_t p[HDR_MAX + 1500 + 32], d[1500];
	int seal, open;
};

static void *job_run(void *arg)
{
	struct job *j = arg;
	size_t len = hdr(j->b) + j->n + xs_esp_icv_len(j->b->rt);
	int k;

	for (k = 0; k < 100; k++) {
		packet(j->b, j->p, j->n);
		j->seal = xs_esp_crypto_seal(&j->b->m, j->p, j->n);
		j->open = xs_esp_crypto_open(&j->b->m, j->p, len, j->n, j->d);
		if (j->seal || j->open)
			break;
	}
	return NULL;
}

static void test_threads(void **state)
{
	static struct job jobs[NTHREADS];
	pthread_t t[NTHREADS];
	struct both b;
	size_t ci, i, len;

	(void)state;
	for (ci = 0; ci < NCASES; ci += 3) {
		both_open(&b, ci);
		set_hi(&b, 0);
		for (i = 0; i < NTHREADS; i++) {
			jobs[i].b = &b;
			jobs[i].n = 112 + i * 400; /* whole AES blocks */
			assert_int_equal(pthread_create(&t[i], NULL, job_run,
							&jobs[i]),
					 0);
		}
		for (i = 0; i < NTHREADS; i++) {
			struct job *j = &jobs[i];

			assert_int_equal(pthread_join(t[i], NULL), 0);
			assert_int_equal(j->seal, 0);
			assert_int_equal(j->open, 0);
			/* the same packet as OpenSSL seals here */
			len = hdr(&b) + j->n + xs_esp_icv_len(b.rt);
			packet(&b, pa, j->n);
			assert_int_equal(xs_esp_crypto_seal(&b.o, pa, j->n), 0);
			assert_memory_equal(j->p, pa, len);
			packet(&b, pb, j->n);
			assert_memory_equal(j->d, pb + hdr(&b), j->n);
		}
		both_close(&b);
	}
}

/* Which SAs ipsec-mb takes: the AEADs and AES-CBC with HMAC-SHA1/256;
 * the rest (GMAC, CTR, NULL, CBC with MD5 or SHA-384/512) stays on
 * OpenSSL. */
static void test_dispatch(void **state)
{
	static const struct {
		const char *enc;
		size_t elen;
		const char *auth;
		size_t alen;
		bool mb;
	} rows[] = {
		{ "aes-gcm-16", 20, NULL, 0, true },
		{ "chacha20-poly1305", 36, NULL, 0, true },
		{ "aes-gmac", 20, NULL, 0, false },
		{ "aes-cbc", 16, "hmac-sha1", 20, true },
		{ "aes-cbc", 24, "hmac-sha256", 32, true },
		{ "rijndael-cbc", 32, "hmac-sha2-256", 32, true },
		{ "aes-cbc", 32, "hmac-sha384", 48, false },
		{ "rijndael-cbc", 32, "hmac-sha512", 64, false },
		{ "aes-cbc", 16, "hmac-md5", 16, false },
		{ "aes-ctr", 20, "hmac-sha1", 20, false },
		{ "aes-ctr", 36, "hmac-sha256", 32, false },
		{ "null", 0, "hmac-sha256", 32, false },
	};
	struct xs_esp_ctx c;
	struct xs_sa_rt *rt;
	size_t i;

	(void)state;
	assert_int_equal(xs_esp_backend_set(XS_BACKEND_IPSEC_MB, NULL), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rt = rt_of(rows[i].enc, rows[i].elen, rows[i].auth,
			   rows[i].alen, false, 0);
		assert_int_equal(xs_esp_ctx_init(&c, rt), 0);
		if ((c.mb != NULL) != rows[i].mb)
			fail_msg("row %zu (%s/%s): ipsec-mb %d", i, rows[i].enc,
				 rows[i].auth ?: "-", c.mb != NULL);
		/* no silent half: either all ipsec-mb or all OpenSSL */
		if (c.mb)
			assert_true(!c.enc && !c.dec && !c.mac);
		else
			assert_true(rows[i].auth ? c.mac != NULL :
						   c.enc != NULL);
		xs_esp_ctx_fini(&c);
		xs_sa_rt_free(rt);
	}
	assert_int_equal(xs_esp_backend_set(XS_BACKEND_OPENSSL, NULL), 0);
}

/*
 * RFC 4231 test case 7: a 131-byte key (longer than the block: hashed
 * first, RFC 2104 2) and 152 bytes of data, which as SPI | seq | IV |
 * 128 bytes of ciphertext is an AES-CBC ESP packet: the published HMAC,
 * truncated, must verify on ipsec-mb's CBC open and a flipped bit must
 * not.  sadb.c allows no such key, so the rt is built here; OpenSSL's
 * HMAC states refuse keys longer than the block (esp_crypto.h).
 */
static const struct {
	const char *auth, *md;
} rfc4231_7[] = {
	{ "hmac-sha256", "9b09ffa71b942fcb27635fbcd5b0e944" },
};

static void unhex(const char *s, uint8_t *to)
{
	unsigned int v;

	for (; *s; s += 2) {
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		*to++ = (uint8_t)v;
	}
}

static void kat_one(const char *auth, const char *md)
{
	static const char data[] =
		"This is a test using a larger than block-size key and a "
		"larger than block-size data. The key needs to be hashed "
		"before being used by the HMAC algorithm.";
	uint8_t key[131], ekey[16] = { 1 }, p[152 + 32];
	struct xs_sa_rt rt;
	struct xs_esp_ctx c;
	size_t icv = strlen(md) / 2;

	assert_int_equal(sizeof(data) - 1, 152);
	memset(key, 0xaa, sizeof(key));
	memset(&rt, 0, sizeof(rt));
	rt.satype = SADB_SATYPE_ESP;
	rt.enc = xs_alg_by_name(XS_ALG_ENC, "aes-cbc");
	rt.auth = xs_alg_by_name(XS_ALG_AUTH, auth);
	rt.enc_key = ekey;
	rt.enc_keylen = sizeof(ekey);
	rt.auth_key = key;
	rt.auth_keylen = sizeof(key);
	assert_int_equal(rt.auth->icv_len, icv);
	memcpy(p, data, 152);
	unhex(md, p + 152);
	assert_int_equal(xs_esp_backend_set(XS_BACKEND_OPENSSL, NULL), 0);
	assert_int_equal(xs_esp_ctx_init(&c, &rt), -EOPNOTSUPP);
	assert_int_equal(xs_esp_backend_set(XS_BACKEND_IPSEC_MB, NULL), 0);
	assert_int_equal(xs_esp_ctx_init(&c, &rt), 0);
	assert_non_null(c.mb);
	if (xs_esp_crypto_open(&c, p, 152 + icv, 128, out))
		fail_msg("RFC 4231 case 7 %s: the ICV does not verify", auth);
	p[152 + icv - 1] ^= 1;
	assert_int_equal(xs_esp_crypto_open(&c, p, 152 + icv, 128, out),
			 -EBADMSG);
	xs_esp_ctx_fini(&c);
	assert_int_equal(xs_esp_backend_set(XS_BACKEND_OPENSSL, NULL), 0);
}

static void test_rfc4231_long_key(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rfc4231_7) / sizeof(rfc4231_7[0]); i++)
		kat_one(rfc4231_7[i].auth, rfc4231_7[i].md);
}

/* The switch: names, bad values. */
static void test_backend(void **state)
{
	enum xs_esp_backend be = XS_BACKEND_IPSEC_MB;
	const char *arch = NULL;

	(void)state;
	assert_int_equal(xs_esp_backend_parse("openssl", &be), 0);
	assert_int_equal(be, XS_BACKEND_OPENSSL);
	assert_int_equal(xs_esp_backend_parse("ipsec-mb", &be), 0);
	assert_int_equal(be, XS_BACKEND_IPSEC_MB);
	assert_int_equal(xs_esp_backend_parse("ipsec_mb", &be), -EINVAL);
	assert_int_equal(xs_esp_backend_parse("", &be), -EINVAL);
	assert_string_equal(xs_esp_backend_name(XS_BACKEND_IPSEC_MB),
			    "ipsec-mb");
	assert_string_equal(xs_esp_backend_name(XS_BACKEND_OPENSSL), "openssl");
	assert_int_equal(xs_esp_backend_set(XS_BACKEND_IPSEC_MB, &arch), 0);
	assert_non_null(arch);
	assert_true(*arch != '\0');
	assert_int_equal(xs_esp_backend_set((enum xs_esp_backend)7, &arch),
			 -EINVAL);
	assert_int_equal(xs_esp_backend_get(), XS_BACKEND_IPSEC_MB);
	assert_int_equal(xs_esp_backend_set(XS_BACKEND_OPENSSL, &arch), 0);
	assert_string_equal(arch, "");
	assert_int_equal(xs_esp_backend_get(), XS_BACKEND_OPENSSL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_rfc4231_long_key),
		cmocka_unit_test(test_cross_sizes),
		cmocka_unit_test(test_mb_tamper),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
