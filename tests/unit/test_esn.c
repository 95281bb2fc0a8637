// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Extended sequence numbers (RFC 4303 2.2.1 and appendix A, RFC 4302):
 * the receiver's estimate of the high half as a numbered table around the
 * 2^32 boundary at windows 32, 64, 1024, 4096; ESP (AEAD, GMAC, ChaCha20,
 * CBC + HMAC) and AH across the boundary, in order, reordered and
 * replayed; the high half really in the ICV (a receiver without ESN, or
 * one whose window puts the packet in another block, refuses it); and
 * sequence number exhaustion: without ESN the SA stops at 2^32 - 1, with
 * ESN it goes on; and the resynchronisation after a loss of 2^32 packets
 * or more (RFC 4303 appendix A3) as a numbered case table.  The group runs
 * on the OpenSSL backend, then on ipsec-mb (AEAD and AES-CBC + HMAC-SHA*
 * contexts then crypto_mb.c's, checked in pair_open).
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
#include "../lib/backends.h"
#include "../../ctl/daemon/ah.h"
#include "../../ctl/daemon/esp_crypto.h"
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

static void check_backend(const struct xs_esp_ctx *c, const struct xs_sa_rt *rt)
{
	assert_int_equal(c->mb != NULL, xt_expect_mb(rt));
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
	check_backend(&p->ctx, p->tx);
	check_backend(&p->crx, p->rx);
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
	/* 7 */ { "aes-cbc", "hmac-sha1", 32, 20 },
	/* 8 */ { "aes-cbc", "hmac-sha384", 24, 48 },
	/* 9 */ { "aes-cbc", "hmac-sha512", 16, 64 },
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

/*
 * 5: RFC 4303 A3.  Each case: the receiver's window top (window 32), then
 * batches sent in order: the sender's last sequence number before the
 * batch (0: it goes on), how many packets, whether each is tampered (its
 * last ICV byte flipped), the first one delivered (-1: none; every one
 * after it is delivered too) and whether that one resynchronised (why ==
 * esn_resync); at the end the receiver's top and resynchronisations.
 * Sequence numbers are picked so that no estimate lands on one the window
 * has seen (that is a replay, dropped before any ICV).
 */
#define T XS_REPLAY_RESYNC_AFTER

struct batch {
	uint64_t at;
	int n;
	bool tamper;
	int first_ok;
	bool resync;
};

struct resync_case {
	uint64_t top;
	struct batch b[3];
	uint64_t end_top, resyncs;
};

static const struct resync_case resyncs[] = {
	/* 0: threshold not reached: T failures, nothing retried */
	{ 1000, { { B32 + 1000, T, false, -1, false } }, 1000, 0 },
	/* 1: 2^32 lost: T failures, then the next verifies with Th + 1;
	 * the ones after it need no retry */
	{ 1000,
	  { { B32 + 1000, T + 1, false, T, true }, { 0, 3, false, 0, false } },
	  B32 + 1004 + T,
	  1 },
	/* 2: window at the top of block 0, sender in block 1 crossing into
	 * block 2 during the failures (the estimate moves from 0 to 1, the
	 * truth from 1 to 2) */
	{ B32 - 10,
	  { { 2 * B32 - 5, T + 1, false, T, true } },
	  2 * B32 - 4 + T,
	  1 },
	/* 3: window across 2^32, sender in block 2: estimate 1, retry 2 */
	{ B32 + 3,
	  { { 2 * B32 + 4, T + 1, false, T, true } },
	  2 * B32 + 5 + T,
	  1 },
	/* 4: window across 2^32, threshold reached by tampered packets, then
	 * a low half above the window's bottom from block 1: estimate
	 * Th - 1 = 0, retry Th = 1 */
	{ B32 + 3,
	  { { 2 * B32 - 200, T, true, -1, false },
	    { 2 * B32 - 20, 1, false, 0, true } },
	  2 * B32 - 19,
	  1 },
	/* 5: 2^33 lost, low half below the window: estimate Th + 1, the
	 * retry Th + 2 */
	{ 1000,
	  { { 2 * B32 + 10, T + 1, false, T, true } },
	  2 * B32 + 11 + T,
	  1 },
	/* 6: tampered packets never resynchronise, past the threshold
	 * either; they count towards it, so the next genuine one does */
	{ 1000,
	  { { B32 + 1000, T + 5, true, -1, false }, { 0, 1, false, 0, true } },
	  B32 + 1006 + T,
	  1 },
	/* 7: a verified packet resets the count: T - 1 failures, one good
	 * packet in the window, then T failures are not enough again */
	{ 1000,
	  { { B32 + 1000, T - 1, false, -1, false },
	    { 1000, 1, false, 0, false },
	    { B32 + 1000 + T, T, false, -1, false } },
	  1001,
	  0 },
	/* 8: one retry only: 2^33 lost with the low half above the window,
	 * estimate Th, retry Th + 1, truth Th + 2: never */
	{ 1000, { { 2 * B32 + 1000, T + 5, false, -1, false } }, 1000, 0 },
};

static void send_batch(struct pair *p, const struct batch *b, size_t ci)
{
	uint8_t pkt[BUF];
	enum xs_counter why;
	int k, n, r;

	if (b->at)
		p->tx->seq_out = b->at;
	for (k = 0; k < b->n; k++) {
		n = seal(p, pkt, &why);
		assert_true(n > 0);
		if (b->tamper)
			pkt[n - 1] ^= 1;
		r = open_(p, pkt, n, &why);
		if (b->first_ok < 0 || k < b->first_ok) {
			if (r != -EBADMSG || why != XS_CNT_drop_bad_icv)
				fail_msg("case %zu packet %d: %d", ci, k, r);
			continue;
		}
		if (r <= 0)
			fail_msg("case %zu packet %d refused: %d", ci, k, r);
		assert_int_equal(why, k == b->first_ok && b->resync ?
					      XS_CNT_esn_resync :
					      XS_CNT_rx_decrypt);
	}
}

static void test_resync(void **state)
{
	/* AEAD, CBC + HMAC (SHA-256, SHA-384), GMAC, AH */
	static const size_t which[] = { 0, 1, 2, 5, 6, 8 };
	const struct resync_case *rc;
	struct pair p;
	size_t a, i, k, w;

	(void)state;
	for (w = 0; w < sizeof(which) / sizeof(which[0]); w++) {
		a = which[w];
		for (i = 0; i < sizeof(resyncs) / sizeof(resyncs[0]); i++) {
			rc = &resyncs[i];
			pair_open(&p, &algs[a], true, true);
			assert_true(xs_replay_update(&p.rx->replay, rc->top));
			for (k = 0; k < 3 && rc->b[k].n; k++)
				send_batch(&p, &rc->b[k], i);
			if (p.rx->replay.top != rc->end_top ||
			    p.rx->replay.resyncs != rc->resyncs)
				fail_msg("alg %zu case %zu: top %#llx, %llu "
					 "resyncs",
					 a, i,
					 (unsigned long long)p.rx->replay.top,
					 (unsigned long long)
						 p.rx->replay.resyncs);
			pair_close(&p);
		}
	}
}

/* 6: without ESN nothing is retried, however many failures. */
static void test_no_resync_without_esn(void **state)
{
	uint8_t pkt[BUF];
	enum xs_counter why;
	struct pair p;
	int k, n;

	(void)state;
	pair_open(&p, &algs[0], true, false); /* sender ESN, receiver not */
	for (k = 0; k < 2 * T; k++) {
		n = seal(&p, pkt, &why);
		assert_int_equal(open_(&p, pkt, n, &why), -EBADMSG);
	}
	assert_int_equal(p.rx->replay.resyncs, 0);
	assert_int_equal(p.rx->replay.top, 0);
	pair_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guess),
		cmocka_unit_test(test_across),
		cmocka_unit_test(test_hi_in_icv),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_no_resync_without_esn),
	};

	return xt_run_on_both_backends(tests);
}
