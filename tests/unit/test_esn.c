// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Extended sequence numbers (RFC 4303 2.2.1 and appendix A, RFC 4302):
 * the receiver's estimate of the high half as a numbered table around the
 * 2^32 boundary at windows 32, 64, 1024, 4096; ESP (AEAD, GMAC, ChaCha20,
 * CBC + HMAC) and AH across the boundary, in order, reordered and
 * replayed; the high half really in the ICV (a receiver without ESN, or
 * one whose window puts the packet in another block, refuses it); and
 * sequence number exhaustion: without ESN the SA stops at 2^32 - 1, with
 * ESN it goes on.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "../../ctl/daemon/ah.h"
#include "../../ctl/lib/pfkey_msg.h"

#define BUF 2048
#define B32 0x100000000ull

static const struct xs_ah_knobs knobs = { true, 0 };

/* 1: the estimate.  Windows W; top and the received low half. */
static void test_guess(void **state)
{
	static const uint32_t ws[] = { 32, 64, 1024, 4096 };
	struct xs_replay r;
	uint64_t w, top;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
		w = ws[i];
		assert_int_equal(xs_replay_init(&r, ws[i]), 0);
		/* fresh: block 0 */
		assert_int_equal(xs_replay_esn_seq(&r, 1), 1);
		assert_int_equal(xs_replay_esn_seq(&r, 0xffffffffu),
				 0xffffffffull);
		/* case A: top = 2^32 - 2, the window inside block 0 */
		top = B32 - 2;
		assert_true(xs_replay_update(&r, top));
		assert_int_equal(xs_replay_esn_seq(&r, 0xffffffffu), B32 - 1);
		assert_int_equal(xs_replay_esn_seq(&r, 0), B32);
		assert_int_equal(xs_replay_esn_seq(&r, 5), B32 + 5);
		assert_int_equal(xs_replay_esn_seq(&r, (uint32_t)(top - w + 1)),
				 top - w + 1); /* the window's bottom */
		assert_int_equal(xs_replay_esn_seq(&r, (uint32_t)(top - w)),
				 B32 + (uint32_t)(top - w)); /* below: next */
		/* case B: top = 2^32 + 3, the window spans the boundary */
		top = B32 + 3;
		assert_true(xs_replay_update(&r, top));
		assert_int_equal(xs_replay_esn_seq(&r, 2), B32 + 2);
		assert_int_equal(xs_replay_esn_seq(&r, 9), B32 + 9);
		assert_int_equal(xs_replay_esn_seq(&r, 0xffffffffu), B32 - 1);
		assert_int_equal(xs_replay_esn_seq(&r, (uint32_t)(top - w + 1)),
				 top - w + 1);
		assert_int_equal(xs_replay_esn_seq(&r, (uint32_t)(top - w)),
				 B32 + (uint32_t)(top - w));
		/* the window across the boundary: old ones replayed */
		assert_false(xs_replay_check(&r, B32 + 3));
		assert_true(xs_replay_check(&r, B32 - 1));
		assert_false(xs_replay_check(&r, B32 - 2));
		assert_true(xs_replay_check(&r, top - w + 1));
		assert_false(xs_replay_check(&r, top - w));
		xs_replay_destroy(&r);
	}
}

struct alg_case {
	const char *enc, *auth; /* setkey names; enc NULL: AH */
	size_t eklen, aklen;
};

struct pair {
	struct xs_sa_rt *tx, *rx;
	struct xs_esp_ctx ctx, crx;
};

static void make_sa(struct xs_sa *sa, const struct alg_case *a, bool esn)
{
	const struct xs_alg *e = a->enc ? xs_alg_by_name(XS_ALG_ENC, a->enc) :
					  NULL;
	const struct xs_alg *h =
		a->auth ? xs_alg_by_name(XS_ALG_AUTH, a->auth) : NULL;
	size_t i;

	memset(sa, 0, sizeof(*sa));
	sa->satype = e ? SADB_SATYPE_ESP : SADB_SATYPE_AH;
	sa->mode = IPSEC_MODE_TRANSPORT;
	sa->state = SADB_SASTATE_MATURE;
	sa->replay = 4;
	sa->spi = 0x777;
	sa->flags = esn ? SADB_X_SAFLAGS_ESN : 0;
	if (e) {
		sa->enc_alg = e->id;
		sa->enc_keylen = (uint16_t)a->eklen;
	}
	if (h) {
		sa->auth_alg = h->id;
		sa->auth_keylen = (uint16_t)a->aklen;
	}
	for (i = 0; i < XS_KEY_MAX; i++) {
		sa->enc_key[i] = (uint8_t)(i * 7 + 1);
		sa->auth_key[i] = (uint8_t)(i * 3 + 2);
	}
}

static void pair_open(struct pair *p, const struct alg_case *a, bool tx_esn,
		      bool rx_esn)
{
	struct xs_sa sa;

	make_sa(&sa, a, tx_esn);
	p->tx = xs_sa_rt_new(&sa, 1);
	make_sa(&sa, a, rx_esn);
	p->rx = xs_sa_rt_new(&sa, 2);
	xs_sa_wipe(&sa);
	assert_non_null(p->tx);
	assert_non_null(p->rx);
	assert_int_equal(xs_esp_ctx_init(&p->ctx, p->tx), 0);
	assert_int_equal(xs_esp_ctx_init(&p->crx, p->rx), 0);
}

static void pair_close(struct pair *p)
{
	xs_esp_ctx_fini(&p->ctx);
	xs_esp_ctx_fini(&p->crx);
	xs_sa_rt_free(p->tx);
	xs_sa_rt_free(p->rx);
}

static size_t ip4(uint8_t *p)
{
	memset(p, 0, 48);
	p[0] = 0x45;
	p[3] = 48;
	p[8] = 64;
	p[9] = IPPROTO_UDP;
	memcpy(p + 12, "\x0a\0\0\x01\x0a\0\0\x02", 8);
	p[25] = 28;
	memset(p + 28, 0xab, 20);
	return 48;
}

static int seal(struct pair *p, uint8_t *out, enum xs_counter *why)
{
	uint8_t in[64];
	size_t len = ip4(in);

	if (p->tx->satype == SADB_SATYPE_AH)
		return xs_ah_output(&p->ctx, p->tx, &knobs, in, len, out, BUF,
				    why);
	return xs_esp_output(&p->ctx, p->tx, in, len, out, BUF, why);
}

static int open_(struct pair *p, const uint8_t *pkt, int n,
		 enum xs_counter *why)
{
	uint8_t out[BUF];

	if (p->rx->satype == SADB_SATYPE_AH)
		return xs_ah_input(&p->crx, p->rx, &knobs, pkt, (size_t)n, out,
				   sizeof(out), why);
	return xs_esp_input(&p->crx, p->rx, pkt, (size_t)n, out, sizeof(out),
			    why);
}

static uint32_t wire_seq(const struct pair *p, const uint8_t *pkt)
{
	const uint8_t *s = pkt + 20 + (p->tx->satype == SADB_SATYPE_AH ? 8 : 4);

	return (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 |
	       (uint32_t)s[2] << 8 | s[3];
}

static const struct alg_case algs[] = {
	/* 0 */ { "aes-gcm-16", NULL, 20, 0 },
	/* 1 */ { "aes-cbc", "hmac-sha256", 16, 32 },
	/* 2 */ { "aes-gmac", NULL, 20, 0 },
	/* 3 */ { "chacha20-poly1305", NULL, 36, 0 },
	/* 4 */ { "null", "hmac-sha1", 0, 20 },
	/* 5 */ { NULL, "hmac-sha1", 0, 20 }, /* AH */
	/* 6 */ { NULL, "hmac-sha2-512", 0, 64 }, /* AH */
};

/* 2: across 2^32: in order, reordered, replayed; wire carries the low
 * half; the receiver's window top is 64-bit. */
static void test_across(void **state)
{
	uint8_t pkt[8][BUF];
	enum xs_counter why;
	struct pair p;
	size_t i, k;
	int n[8];

	(void)state;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		printf("alg case %zu\n", i);
		pair_open(&p, &algs[i], true, true);
		p.tx->seq_out = B32 - 4;
		assert_true(xs_replay_update(&p.rx->replay, B32 - 5));
		for (k = 0; k < 8; k++) {
			n[k] = seal(&p, pkt[k], &why);
			assert_true(n[k] > 0);
			assert_int_equal(wire_seq(&p, pkt[k]),
					 (uint32_t)(B32 - 3 + k));
		}
		/* 0, 1, 2 (2^32 - 1), then 4 before 3 (2^32 + 1, 2^32) */
		for (k = 0; k < 3; k++)
			assert_true(open_(&p, pkt[k], n[k], &why) > 0);
		assert_true(open_(&p, pkt[4], n[4], &why) > 0);
		assert_true(open_(&p, pkt[3], n[3], &why) > 0);
		assert_int_equal(p.rx->replay.top, B32 + 1);
		assert_int_equal(open_(&p, pkt[3], n[3], &why), -EEXIST);
		assert_int_equal(why, XS_CNT_drop_replay);
		assert_int_equal(open_(&p, pkt[1], n[1], &why), -EEXIST);
		for (k = 5; k < 8; k++)
			assert_true(open_(&p, pkt[k], n[k], &why) > 0);
		assert_int_equal(p.rx->replay.top, B32 + 4);
		pair_close(&p);
	}
}

/* 3: the high half is authenticated: a receiver without ESN refuses even
 * block 0 packets (the ICV input differs); one whose window puts the
 * packet in the next block refuses it; a wrong guess costs nothing. */
static void test_hi_in_icv(void **state)
{
	uint8_t pkt[BUF];
	enum xs_counter why;
	struct pair p;
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		printf("alg case %zu\n", i);
		pair_open(&p, &algs[i], true, false);
		n = seal(&p, pkt, &why);
		assert_int_equal(open_(&p, pkt, n, &why), -EBADMSG);
		assert_int_equal(why, XS_CNT_drop_bad_icv);
		pair_close(&p);

		pair_open(&p, &algs[i], true, true);
		p.tx->seq_out = 100;
		n = seal(&p, pkt, &why); /* 101 in block 0 */
		/* receiver at 2^32 + 4096: 101 is the next block's */
		assert_true(xs_replay_update(&p.rx->replay, B32 + 4096));
		assert_int_equal(open_(&p, pkt, n, &why), -EBADMSG);
		assert_int_equal(why, XS_CNT_drop_bad_icv);
		assert_int_equal(p.rx->replay.top, B32 + 4096);
		pair_close(&p);
	}
}

/* 4: exhaustion: without ESN 2^32 - 1 is the last; with ESN it goes on. */
static void test_exhaustion(void **state)
{
	uint8_t pkt[BUF];
	enum xs_counter why;
	struct pair p;
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		pair_open(&p, &algs[i], false, false);
		p.tx->seq_out = B32 - 2;
		n = seal(&p, pkt, &why);
		assert_true(n > 0);
		assert_int_equal(wire_seq(&p, pkt), 0xffffffffu);
		assert_int_equal(seal(&p, pkt, &why), -EOVERFLOW);
		assert_int_equal(why, XS_CNT_drop_seq_wrap);
		pair_close(&p);

		pair_open(&p, &algs[i], true, true);
		p.tx->seq_out = B32 - 1;
		assert_true(xs_replay_update(&p.rx->replay, B32 - 1));
		n = seal(&p, pkt, &why);
		assert_true(n > 0);
		assert_int_equal(wire_seq(&p, pkt), 0);
		assert_true(open_(&p, pkt, n, &why) > 0);
		assert_int_equal(p.rx->replay.top, B32);
		pair_close(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guess),
		cmocka_unit_test(test_across),
		cmocka_unit_test(test_hi_in_icv),
		cmocka_unit_test(test_exhaustion),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
