// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The two ESP crypto backends against each other (crypto_mb.c, ipsec-mb,
 * and EVP in esp_crypto.c): one SA, one context on each; for AES-GCM with
 * 128/192/256-bit keys and 16/12/8-byte ICVs and ChaCha20-Poly1305, with
 * and without ESN, every payload length 0..300 and a few large ones: both
 * seal to the same bytes and each opens the other's packet.  Then ipsec-mb
 * refuses a flipped tag, ciphertext, AAD (SPI, seq, ESN high half) or IV
 * byte with the output cleansed; contexts used from other threads (each
 * gets its own manager, freed when it exits); the backend switch itself.
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

#define HDR 16 /* SPI, seq, 8-byte IV */
#define MAXP 65000
#define CAP (HDR + MAXP + 16)
#define NTHREADS 4

struct both {
	struct xs_sa_rt *rt;
	struct xs_esp_ctx o, m; /* OpenSSL, ipsec-mb */
};

static const struct mbcase {
	const char *enc;
	size_t klen; /* key | salt */
	bool esn;
} cases[] = {
	{ "aes-gcm-16", 20, false },	    { "aes-gcm-16", 36, false },
	{ "aes-gcm-16", 28, true },	    { "aes-gcm-12", 20, true },
	{ "aes-gcm-8", 36, false },	    { "aes-gcm-8", 28, false },
	{ "chacha20-poly1305", 36, false }, { "chacha20-poly1305", 36, true },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static const size_t large[] = { 1400, 1500, 4096, 9000, MAXP };

static uint8_t pa[CAP], pb[CAP], out[CAP];

static void both_open(struct both *b, size_t ci)
{
	const struct mbcase *k = &cases[ci];
	const struct xs_alg *e = xs_alg_by_name(XS_ALG_ENC, k->enc);
	struct xs_sa sa;
	size_t i;

	assert_non_null(e);
	memset(&sa, 0, sizeof(sa));
	sa.satype = SADB_SATYPE_ESP;
	sa.mode = IPSEC_MODE_TRANSPORT;
	sa.state = SADB_SASTATE_MATURE;
	sa.replay = 32;
	sa.spi = 0x5000 + (uint32_t)ci;
	sa.flags = k->esn ? SADB_X_SAFLAGS_ESN : 0;
	sa.enc_alg = e->id;
	sa.enc_keylen = (uint16_t)k->klen;
	for (i = 0; i < k->klen; i++)
		sa.enc_key[i] = (uint8_t)(i * 29 + ci * 5 + 1);
	b->rt = xs_sa_rt_new(&sa, 1);
	xs_sa_wipe(&sa);
	assert_non_null(b->rt);
	assert_int_equal(xs_esp_backend_set(XS_BACKEND_OPENSSL, NULL), 0);
	assert_int_equal(xs_esp_ctx_init(&b->o, b->rt), 0);
	assert_int_equal(xs_esp_backend_set(XS_BACKEND_IPSEC_MB, NULL), 0);
	assert_int_equal(xs_esp_ctx_init(&b->m, b->rt), 0);
	assert_int_equal(xs_esp_backend_set(XS_BACKEND_OPENSSL, NULL), 0);
	/* really two backends */
	assert_true(b->o.mb == NULL && b->o.enc && b->o.dec);
	assert_true(b->m.mb != NULL && !b->m.enc && !b->m.dec);
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
	size_t i;

	p[0] = (uint8_t)(b->rt->spi >> 24);
	p[1] = (uint8_t)(b->rt->spi >> 16);
	p[2] = (uint8_t)(b->rt->spi >> 8);
	p[3] = (uint8_t)b->rt->spi;
	p[4] = 0;
	p[5] = 0;
	p[6] = (uint8_t)(n >> 8);
	p[7] = (uint8_t)(n + 1);
	for (i = 0; i < 8; i++)
		p[8 + i] = (uint8_t)(n * 13 + i);
	for (i = 0; i < n; i++)
		p[HDR + i] = (uint8_t)(i * 7 + n);
}

static void set_hi(struct both *b, uint32_t hi)
{
	b->o.seq_hi = hi;
	b->m.seq_hi = hi;
}

/* Seal n bytes on both backends: same bytes; each opens the other's. */
static void cross_one(struct both *b, size_t ci, size_t n)
{
	size_t icv = xs_esp_icv_len(b->rt), len = HDR + n + icv;

	set_hi(b, 0x01020300u + (uint32_t)n);
	packet(b, pa, n);
	packet(b, pb, n);
	assert_int_equal(xs_esp_crypto_seal(&b->o, pa, n), 0);
	assert_int_equal(xs_esp_crypto_seal(&b->m, pb, n), 0);
	if (memcmp(pa, pb, len))
		fail_msg("%s/%zu esn %d n %zu: the backends' packets differ",
			 cases[ci].enc, cases[ci].klen, cases[ci].esn, n);
	packet(b, pb, n); /* the plaintext again */
	assert_int_equal(xs_esp_crypto_open(&b->m, pa, len, n, out), 0);
	if (memcmp(out, pb + HDR, n))
		fail_msg("%s n %zu: ipsec-mb opens OpenSSL's wrongly",
			 cases[ci].enc, n);
	memset(out, 0, n);
	assert_int_equal(xs_esp_crypto_seal(&b->m, pb, n), 0);
	packet(b, pa, n);
	assert_int_equal(xs_esp_crypto_open(&b->o, pb, len, n, out), 0);
	if (memcmp(out, pa + HDR, n))
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

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* pa: a good packet of n bytes; byte at (or seq_hi ^ 1 when at is
 * SIZE_MAX) changed: ipsec-mb refuses it and leaves zeros in out. */
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
	if (r != -EBADMSG || !all_zero(out, n))
		fail_msg("%s n %zu: %s at %zu: %d, output %scleansed",
			 b->rt->enc->name, n, what, at, r,
			 all_zero(out, n) ? "" : "not ");
}

static void tamper_one(struct both *b, size_t n)
{
	size_t icv = xs_esp_icv_len(b->rt), len = HDR + n + icv, i;

	set_hi(b, 7);
	packet(b, pa, n);
	assert_int_equal(xs_esp_crypto_seal(&b->o, pa, n), 0);
	for (i = 0; i < icv; i++)
		refuse(b, n, len, HDR + n + i, "tag");
	for (i = 0; i<n; i += n> 40 ? n / 7 : 1)
		refuse(b, n, len, HDR + i, "ciphertext");
	if (n)
		refuse(b, n, len, HDR + n - 1, "ciphertext");
	for (i = 0; i < 8; i++)
		refuse(b, n, len, i, "AAD (SPI | seq)");
	for (i = 8; i < HDR; i++)
		refuse(b, n, len, i, "IV");
	if (b->rt->esn)
		refuse(b, n, len, SIZE_MAX, "AAD (seq_hi)");
	/* and the untouched packet still opens */
	memset(out, 0xa5, n);
	assert_int_equal(xs_esp_crypto_open(&b->m, pa, len, n, out), 0);
	packet(b, pb, n);
	assert_memory_equal(out, pb + HDR, n);
}

static void test_mb_tamper(void **state)
{
	static const size_t ns[] = { 0, 1, 15, 16, 17, 64, 300, 1400 };
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
	uint8_t p[HDR + 1500 + 16], d[1500];
	int seal, open;
};

static void *job_run(void *arg)
{
	struct job *j = arg;
	size_t len = HDR + j->n + xs_esp_icv_len(j->b->rt);
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
			jobs[i].n = 100 + i * 400;
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
			len = HDR + j->n + xs_esp_icv_len(b.rt);
			packet(&b, pa, j->n);
			assert_int_equal(xs_esp_crypto_seal(&b.o, pa, j->n), 0);
			assert_memory_equal(j->p, pa, len);
			packet(&b, pb, j->n);
			assert_memory_equal(j->d, pb + HDR, j->n);
		}
		both_close(&b);
	}
}

/* The switch: names, bad values, non-AEAD SAs stay on OpenSSL. */
static void test_backend(void **state)
{
	enum xs_esp_backend be = XS_BACKEND_IPSEC_MB;
	const char *arch = NULL;
	struct xs_esp_ctx c;
	struct xs_sa_rt *rt;
	struct xs_sa sa;
	size_t i;

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
	/* AES-CBC + HMAC under ipsec-mb: OpenSSL */
	memset(&sa, 0, sizeof(sa));
	sa.satype = SADB_SATYPE_ESP;
	sa.mode = IPSEC_MODE_TRANSPORT;
	sa.state = SADB_SASTATE_MATURE;
	sa.spi = 0x99;
	sa.enc_alg = SADB_X_EALG_AESCBC;
	sa.enc_keylen = 16;
	sa.auth_alg = SADB_AALG_SHA1HMAC;
	sa.auth_keylen = 20;
	for (i = 0; i < 20; i++)
		sa.enc_key[i] = sa.auth_key[i] = (uint8_t)i;
	rt = xs_sa_rt_new(&sa, 1);
	xs_sa_wipe(&sa);
	assert_non_null(rt);
	assert_int_equal(xs_esp_ctx_init(&c, rt), 0);
	assert_null(c.mb);
	assert_non_null(c.enc);
	xs_esp_ctx_fini(&c);
	xs_sa_rt_free(rt);
	assert_int_equal(xs_esp_backend_set(XS_BACKEND_OPENSSL, &arch), 0);
	assert_string_equal(arch, "");
	assert_int_equal(xs_esp_backend_get(), XS_BACKEND_OPENSSL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend),
		cmocka_unit_test(test_cross_sizes),
		cmocka_unit_test(test_mb_tamper),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
