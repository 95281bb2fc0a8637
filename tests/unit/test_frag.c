// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Fragmentation, reassembly and "too big" ICMP (ctl/daemon/frag.h):
 * - a numbered case table of IPv4 fragment sequences (order, overlap,
 *   duplicate, inconsistent and out-of-bounds lengths);
 * - in order, reverse and seeded random permutations;
 * - the timeout with a fake clock, the memory and datagram-count bounds;
 * - IPv6 with Hop-by-Hop (and Routing, Destination Options) before the
 *   fragment header, atomic fragments;
 * - xs_frag -> xs_reasm_add round trips over sizes 68..65535 and MTUs
 *   576..9000 (IPv4, IPv4 with options, IPv6), each fragment checked;
 * - ICMP frag-needed / ICMPv6 packet-too-big parsed back, checksums
 *   verified with xs_csum (ICMPv6 with its pseudo-header).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../ctl/daemon/frag.h"
#include "../../ctl/daemon/pkt.h"

#define BIG 70000
#define MAXF 2048
#define NH_UDP 17
#define NH_HOP 0
#define NH_RT 43
#define NH_FRAG 44
#define NH_DST 60
#define NH_ICMP6 58

static const uint8_t src4[4] = { 192, 0, 2, 1 }, dst4[4] = { 198, 51, 100, 2 };
static const uint8_t src6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t dst6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 };

/* router alert (copied), record route (not copied), NOP, security
 * (copied) */
static const uint8_t opts[] = { 0x94, 4,  0, 0, 7, 7, 4, 0, 0, 0, 0, 1,
				0x82, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t opts_copied[] = { 0x94, 4, 0, 0, 0x82, 11, 0, 0,
				       0,    0, 0, 0, 0,    0,	0, 0 };

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t rnd_state;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* payload byte at offset i */
static uint8_t pat(size_t i, uint32_t seed)
{
	return (uint8_t)(i * 131 + seed * 7 + (i >> 8));
}

static void csum4(uint8_t *b)
{
	size_t hl = (size_t)(b[0] & 15) * 4;

	put16(b + 10, 0);
	put16(b + 10, (uint16_t)~xs_csum(b, hl, 0));
}

/* IPv4 datagram or fragment: header with opt, payload pat(off + i). */
static size_t mk4(uint8_t *b, size_t plen, const uint8_t *opt, size_t optlen,
		  uint16_t id, uint32_t off, int mf, int df, uint32_t seed)
{
	size_t hl = 20 + optlen, i;

	memset(b, 0, 20);
	b[0] = (uint8_t)(0x40 | hl / 4);
	put16(b + 2, (uint16_t)(hl + plen));
	put16(b + 4, id);
	put16(b + 6,
	      (uint16_t)(off / 8 | (mf ? 0x2000 : 0) | (df ? 0x4000 : 0)));
	b[8] = 64;
	b[9] = NH_UDP;
	memcpy(b + 12, src4, 4);
	memcpy(b + 16, dst4, 4);
	if (optlen)
		memcpy(b + 20, opt, optlen);
	for (i = 0; i < plen; i++)
		b[hl + i] = pat(off + i, seed);
	csum4(b);
	return hl + plen;
}

/* IPv6 extension header layouts before the upper layer */
enum { X_NONE, X_HOP, X_HOP_DST_RT_DST, X_MAX };

static size_t ext6(uint8_t *b, int kind)
{
	static const uint8_t chain[X_MAX][4] = {
		[X_NONE] = { 0 },
		[X_HOP] = { NH_HOP },
		[X_HOP_DST_RT_DST] = { NH_HOP, NH_DST, NH_RT, NH_DST },
	};
	static const int n[X_MAX] = { 0, 1, 4 };
	size_t off = 40;
	int i;

	b[6] = n[kind] ? chain[kind][0] : NH_UDP;
	for (i = 0; i < n[kind]; i++, off += 8) {
		memset(b + off, 0, 8);
		b[off] = i + 1 < n[kind] ? chain[kind][i + 1] : NH_UDP;
		if (chain[kind][i] == NH_RT) {
			b[off + 2] =
				253; /* experimental type, segments left 0 */
		} else {
			b[off + 2] = 1; /* PadN of 4 */
			b[off + 3] = 4;
		}
	}
	return off;
}

/* IPv6 datagram of total length tot; upper-layer bytes pat(i). */
static size_t mk6(uint8_t *b, size_t tot, int kind, uint32_t seed)
{
	size_t hl, i;

	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, (uint16_t)(tot - 40));
	b[7] = 64;
	memcpy(b + 8, src6, 16);
	memcpy(b + 24, dst6, 16);
	hl = ext6(b, kind);
	for (i = hl; i < tot; i++)
		b[i] = pat(i - hl, seed);
	return tot;
}

/* ------------------------------------------------------------ collect */

struct coll {
	uint8_t *arena;
	size_t used, cap;
	size_t off[MAXF], len[MAXF];
	int n, fail_at;
};

static int collect(void *arg, const uint8_t *f, size_t len)
{
	struct coll *c = arg;

	if (c->n == c->fail_at)
		return -EIO;
	if (c->n == MAXF || c->used + len > c->cap)
		return -ENOSPC;
	memcpy(c->arena + c->used, f, len);
	c->off[c->n] = c->used;
	c->len[c->n++] = len;
	c->used += len;
	return 0;
}

static struct coll *coll_new(void)
{
	struct coll *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->cap = 4 * BIG;
	c->arena = malloc(c->cap);
	assert_non_null(c->arena);
	c->fail_at = -1;
	return c;
}

static void coll_free(struct coll *c)
{
	free(c->arena);
	free(c);
}

static void shuffle(int *o, int n)
{
	int i, j, t;

	for (i = n - 1; i > 0; i--) {
		j = (int)(rnd() % (uint32_t)(i + 1));
		t = o[i];
		o[i] = o[j];
		o[j] = t;
	}
}

/* Feed c's fragments to r in order o; all held but the last, which must
 * give back want. */
static void feed_expect(struct xs_reasm *r, const struct coll *c, const int *o,
			const uint8_t *want, size_t wlen)
{
	static uint8_t out[BIG];
	enum xs_counter why;
	uint32_t exp;
	int i, ret;

	for (i = 0; i < c->n; i++) {
		ret = xs_reasm_add(r, c->arena + c->off[o[i]], c->len[o[i]], 0,
				   out, sizeof(out), &why, &exp);
		assert_int_equal(exp, 0);
		if (i + 1 < c->n) {
			assert_int_equal(ret, 0);
		} else {
			assert_int_equal(ret, (int)wlen);
			assert_memory_equal(out, want, wlen);
		}
	}
	assert_int_equal(xs_reasm_bytes(r), 0);
}

/* ------------------------------------------------------------ case table */

enum res { HELD, DONE, DUP, KILL, BAD };

struct step {
	uint32_t off, len;
	int mf;
	enum res res;
};

struct tcase {
	const char *what;
	struct step s[6];
};

#define S(o, l, m, r)              \
	{                          \
		(o), (l), (m), (r) \
	}
static const struct tcase cases[] = {
	/* 1 */ {
		"in order",
		{ S(0, 16, 1, HELD), S(16, 16, 1, HELD), S(32, 5, 0, DONE) } },
	/* 2 */
	{ "reverse",
	  { S(32, 5, 0, HELD), S(16, 16, 1, HELD), S(0, 16, 1, DONE) } },
	/* 3 */
	{ "middle last",
	  { S(16, 16, 1, HELD), S(32, 8, 0, HELD), S(0, 16, 1, DONE) } },
	/* 4 */
	{ "partial overlap",
	  { S(0, 16, 1, HELD), S(8, 16, 1, KILL), S(16, 8, 0, HELD) } },
	/* 5 */ { "subset", { S(0, 32, 1, HELD), S(8, 8, 1, KILL) } },
	/* 6 */ { "superset", { S(8, 8, 1, HELD), S(0, 32, 1, KILL) } },
	/* 7 */
	{ "duplicate",
	  { S(0, 16, 1, HELD), S(0, 16, 1, DUP), S(16, 3, 0, DONE) } },
	/* 8 */
	{ "dup between",
	  { S(0, 16, 1, HELD), S(16, 16, 1, HELD), S(0, 16, 1, DUP),
	    S(16, 16, 1, DUP), S(32, 1, 0, DONE) } },
	/* 9 */
	{ "spans two",
	  { S(0, 16, 1, HELD), S(16, 16, 1, HELD), S(0, 32, 1, KILL) } },
	/* 10 */
	{ "dup last",
	  { S(16, 5, 0, HELD), S(16, 5, 0, DUP), S(0, 16, 1, DONE) } },
	/* 11 */ { "two lasts", { S(16, 5, 0, HELD), S(16, 7, 0, KILL) } },
	/* 12 */ { "two lasts 2", { S(16, 8, 0, HELD), S(24, 8, 0, KILL) } },
	/* 13 */ { "after last", { S(16, 8, 0, HELD), S(24, 8, 1, KILL) } },
	/* 14 */ { "last too short", { S(32, 8, 1, HELD), S(16, 8, 0, KILL) } },
	/* 15 */ { "odd non-last", { S(0, 12, 1, BAD), S(0, 16, 1, HELD) } },
	/* 16 */ { "empty", { S(8, 0, 1, BAD), S(0, 8, 1, HELD) } },
	/* 17 */ { "past 65535", { S(65528, 16, 0, BAD) } },
	/* 18 */ { "total > 65535", { S(65504, 16, 0, BAD) } },
	/* 19 */ { "max total", { S(65512, 3, 0, HELD), S(0, 65512, 1, DONE) } },
	/* 20 */
	{ "overlap then anew",
	  { S(0, 16, 1, HELD), S(0, 24, 1, KILL), S(8, 8, 0, HELD),
	    S(0, 8, 1, DONE) } },
	/* 21 */
	{ "last = mf end",
	  { S(0, 16, 1, HELD), S(16, 16, 1, HELD), S(16, 16, 0, KILL) } },
	/* 22 */
	{ "first twice",
	  { S(0, 8, 1, HELD), S(0, 8, 1, DUP), S(8, 8, 1, HELD),
	    S(16, 2, 0, DONE) } },
};

static void run_case(int ci, const struct tcase *c)
{
	static uint8_t f[BIG], out[BIG], want[BIG];
	struct xs_reasm *r = xs_reasm_new(1 << 20, 30000, 8);
	struct xs_reasm_stats st;
	enum xs_counter why;
	uint32_t exp;
	size_t n;
	int i, ret;

	assert_non_null(r);
	for (i = 0; i < 6 && (c->s[i].len || c->s[i].off || c->s[i].mf); i++) {
		const struct step *s = &c->s[i];

		n = mk4(f, s->len, NULL, 0, 0x1234, s->off, s->mf, 0, 9);
		why = XS_CNT_MAX;
		ret = xs_reasm_add(r, f, n, 0, out, sizeof(out), &why, &exp);
		xs_reasm_stats(r, &st);
		if ((s->res == HELD && ret != 0) ||
		    (s->res == DUP && ret != -EALREADY) ||
		    ((s->res == KILL || s->res == BAD) && ret != -EINVAL) ||
		    (s->res == DONE && ret <= 0))
			fail_msg("case %d (%s) step %d: ret %d", ci + 1,
				 c->what, i + 1, ret);
		if (s->res != HELD && s->res != DONE)
			assert_int_equal(why, XS_CNT_drop_reasm);
		if (s->res == KILL)
			assert_int_equal(st.in_progress, 0);
		if (s->res == KILL)
			assert_int_equal(st.failed, 1);
		if (s->res == DONE) {
			n = mk4(want, (size_t)ret - 20, NULL, 0, 0x1234, 0, 0,
				0, 9);
			assert_int_equal(ret, (int)n);
			assert_memory_equal(out, want, n);
			assert_int_equal(st.in_progress, 0);
			assert_int_equal(xs_reasm_bytes(r), 0);
		}
	}
	xs_reasm_free(r);
}

static void test_cases(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case((int)i, &cases[i]);
}

/* ------------------------------------------------------------ orders */

static void test_orders(void **state)
{
	static uint8_t orig[BIG];
	struct xs_reasm *r = xs_reasm_new(1 << 20, 1000, 4);
	struct coll *c = coll_new();
	int o[MAXF], i, k;
	size_t n = mk4(orig, 3000, NULL, 0, 77, 0, 0, 0, 1);

	assert_non_null(r);
	assert_int_equal(xs_frag(orig, n, 576, 0, collect, c), 6);
	for (i = 0; i < c->n; i++)
		o[i] = i;
	feed_expect(r, c, o, orig, n); /* in order */
	for (i = 0; i < c->n; i++)
		o[i] = c->n - 1 - i;
	feed_expect(r, c, o, orig, n); /* reverse */
	rnd_state = 0x5eed;
	for (k = 0; k < 200; k++) { /* permutations */
		shuffle(o, c->n);
		feed_expect(r, c, o, orig, n);
	}
	coll_free(c);
	xs_reasm_free(r);
}

/* two datagrams interleaved, distinct by id, by protocol, by address */
static void test_keys(void **state)
{
	static uint8_t a[BIG], b[BIG], out[BIG];
	struct xs_reasm *r = xs_reasm_new(1 << 20, 1000, 4);
	enum xs_counter why;
	size_t na, nb;
	int v;

	for (v = 0; v < 3; v++) {
		na = mk4(a, 16, NULL, 0, 5, 0, 1, 0, 3);
		nb = mk4(b, 16, NULL, 0, 5, 0, 1, 0, 4);
		if (v == 0)
			put16(b + 4, 6);
		else if (v == 1)
			b[9] = 6;
		else
			b[15] ^= 1;
		csum4(b);
		assert_int_equal(
			xs_reasm_add(r, a, na, 0, out, BIG, &why, NULL), 0);
		assert_int_equal(
			xs_reasm_add(r, b, nb, 0, out, BIG, &why, NULL), 0);
		na = mk4(a, 4, NULL, 0, 5, 16, 0, 0, 3);
		assert_int_equal(
			xs_reasm_add(r, a, na, 0, out, BIG, &why, NULL), 40);
		xs_reasm_expire(r, 1000);
		assert_int_equal(xs_reasm_bytes(r), 0);
	}
	xs_reasm_free(r);
}

/* not a fragment: as is; a bad header: drop_malformed */
static void test_whole_and_malformed(void **state)
{
	static uint8_t p[BIG], out[BIG];
	struct xs_reasm *r = xs_reasm_new(1 << 20, 1000, 4);
	enum xs_counter why = XS_CNT_MAX;
	size_t n = mk4(p, 100, NULL, 0, 1, 0, 0, 1, 2);

	assert_int_equal(xs_reasm_add(r, p, n, 0, out, BIG, &why, NULL), 120);
	assert_memory_equal(out, p, n);
	assert_int_equal(xs_reasm_add(r, p, n, 0, out, 50, &why, NULL),
			 -ENOSPC);
	n = mk4(p, 16, NULL, 0, 1, 0, 1, 0, 2);
	p[10] ^= 1; /* bad checksum */
	assert_int_equal(xs_reasm_add(r, p, n, 0, out, BIG, &why, NULL),
			 -EINVAL);
	assert_int_equal(why, XS_CNT_drop_malformed);
	p[10] ^= 1;
	assert_int_equal(xs_reasm_add(r, p, 30, 0, out, BIG, &why, NULL),
			 -EINVAL); /* truncated */
	assert_int_equal(why, XS_CNT_drop_malformed);
	assert_int_equal(xs_reasm_add(r, p, 0, 0, out, BIG, &why, NULL),
			 -EINVAL);
	assert_int_equal(xs_reasm_bytes(r), 0);
	/* too long with the first fragment's options, in either order */
	n = mk4(p, 16, opts, sizeof(opts), 2, 0, 1, 0, 2);
	assert_int_equal(xs_reasm_add(r, p, n, 0, out, BIG, &why, NULL), 0);
	n = mk4(p, 3, NULL, 0, 2, 65512, 0, 0, 2); /* 44 + 65515 */
	assert_int_equal(xs_reasm_add(r, p, n, 0, out, BIG, &why, NULL),
			 -EINVAL);
	assert_int_equal(xs_reasm_add(r, p, n, 0, out, BIG, &why, NULL), 0);
	n = mk4(p, 16, opts, sizeof(opts), 2, 0, 1, 0, 2);
	assert_int_equal(xs_reasm_add(r, p, n, 0, out, BIG, &why, NULL),
			 -EINVAL);
	assert_int_equal(why, XS_CNT_drop_reasm);
	assert_int_equal(xs_reasm_bytes(r), 0);
	xs_reasm_free(r);
}

/* ------------------------------------------------------------ bounds */

static void test_timeout(void **state)
{
	static uint8_t p[BIG], out[BIG];
	struct xs_reasm *r = xs_reasm_new(1 << 20, 1000, 8);
	struct xs_reasm_stats st;
	enum xs_counter why;
	uint32_t exp = 99;
	size_t n;

	n = mk4(p, 16, NULL, 0, 1, 0, 1, 0, 2);
	assert_int_equal(xs_reasm_add(r, p, n, 100, out, BIG, &why, &exp), 0);
	assert_int_equal(exp, 0);
	n = mk4(p, 16, NULL, 0, 1, 32, 1, 0,
		2); /* same dgram, 16..32 missing */
	assert_int_equal(xs_reasm_add(r, p, n, 500, out, BIG, &why, &exp), 0);
	n = mk4(p, 16, NULL, 0, 2, 0, 1, 0, 2); /* another one */
	assert_int_equal(xs_reasm_add(r, p, n, 600, out, BIG, &why, &exp), 0);
	assert_int_equal(xs_reasm_expire(r, 1099), 0); /* age 999 */
	assert_int_equal(xs_reasm_bytes(r), 3 * 36);
	assert_int_equal(xs_reasm_expire(r, 1100), 2); /* age 1000: gone */
	assert_int_equal(xs_reasm_bytes(r), 36);
	/* the missing piece arrives late: a new datagram, held */
	n = mk4(p, 16, NULL, 0, 1, 16, 1, 0, 2);
	assert_int_equal(xs_reasm_add(r, p, n, 1200, out, BIG, &why, &exp), 0);
	assert_int_equal(exp, 0);
	/* expired on the way through xs_reasm_add */
	n = mk4(p, 16, NULL, 0, 3, 0, 1, 0, 2);
	assert_int_equal(xs_reasm_add(r, p, n, 2200, out, BIG, &why, &exp), 0);
	assert_int_equal(exp, 2);
	xs_reasm_stats(r, &st);
	assert_int_equal(st.timed_out, 3);
	assert_int_equal(st.frags_dropped, 4);
	assert_int_equal(st.in_progress, 1);
	xs_reasm_free(r);
}

static void test_memory(void **state)
{
	static uint8_t p[BIG], out[BIG];
	struct xs_reasm *r = xs_reasm_new(2988, 10000, 64);
	struct xs_reasm_stats st;
	enum xs_counter why;
	uint32_t exp;
	uint16_t id;
	size_t n;

	for (id = 1; id <= 3; id++) {
		n = mk4(p, 976, NULL, 0, id, 0, 1, 0, 2); /* 996 bytes */
		assert_int_equal(
			xs_reasm_add(r, p, n, id, out, BIG, &why, &exp), 0);
		assert_int_equal(exp, 0);
	}
	assert_int_equal(xs_reasm_bytes(r), 2988);
	n = mk4(p, 480, NULL, 0, 4, 0, 1, 0, 2); /* 500 bytes: evicts id 1 */
	assert_int_equal(xs_reasm_add(r, p, n, 4, out, BIG, &why, &exp), 0);
	assert_int_equal(exp, 1);
	assert_int_equal(xs_reasm_bytes(r), 2492);
	/* id 1's last piece now starts a new datagram (28 bytes: fits) */
	n = mk4(p, 8, NULL, 0, 1, 976, 0, 0, 2);
	assert_int_equal(xs_reasm_add(r, p, n, 5, out, BIG, &why, &exp), 0);
	assert_int_equal(exp, 0);
	/* id 3 grows: id 2 goes first (oldest), not id 3 itself */
	n = mk4(p, 960, NULL, 0, 3, 976, 1, 0, 2);
	assert_int_equal(xs_reasm_add(r, p, n, 6, out, BIG, &why, &exp), 0);
	assert_int_equal(exp, 1);
	assert_true(xs_reasm_bytes(r) <= 2988);
	xs_reasm_stats(r, &st);
	assert_int_equal(st.evicted, 2);
	/* one datagram alone over the bound: dropped, nothing left */
	n = mk4(p, 1480, NULL, 0, 3, 1936, 1, 0, 2);
	assert_int_equal(xs_reasm_add(r, p, n, 7, out, BIG, &why, &exp),
			 -ENOBUFS);
	assert_int_equal(exp, 1 + 1 + 2); /* ids 4 and 1, then 3 itself */
	assert_int_equal(xs_reasm_bytes(r), 0);
	assert_int_equal(why, XS_CNT_drop_reasm);
	assert_true(xs_reasm_bytes(r) <= 2988);
	/* a fragment bigger than the whole bound */
	n = mk4(p, 2984, NULL, 0, 9, 0, 1, 0, 2);
	assert_int_equal(xs_reasm_add(r, p, n, 8, out, BIG, &why, &exp),
			 -EINVAL);
	assert_true(xs_reasm_bytes(r) <= 2988);
	xs_reasm_free(r);
}

static void test_max_dgrams(void **state)
{
	static uint8_t p[BIG], out[BIG];
	struct xs_reasm *r = xs_reasm_new(1 << 20, 10000, 4);
	struct xs_reasm_stats st;
	enum xs_counter why;
	uint32_t exp, total = 0;
	uint16_t id;
	size_t n;

	for (id = 1; id <= 100; id++) {
		n = mk4(p, 16, NULL, 0, id, 0, 1, 0, 2);
		assert_int_equal(
			xs_reasm_add(r, p, n, id, out, BIG, &why, &exp), 0);
		total += exp;
		xs_reasm_stats(r, &st);
		assert_true(st.in_progress <= 4);
	}
	assert_int_equal(total, 96);
	assert_int_equal(st.evicted, 96);
	/* the newest four are still there: complete id 100 */
	n = mk4(p, 4, NULL, 0, 100, 16, 0, 0, 2);
	assert_int_equal(xs_reasm_add(r, p, n, 101, out, BIG, &why, &exp), 40);
	assert_null(xs_reasm_new(1000, 1000, 0));
	xs_reasm_free(r);
}

/* ------------------------------------------------------------ IPv6 */

/* IPv6 fragment: unfragmentable part of kind, fragment header, bytes
 * pat(off + i) of the fragmentable part (here the upper layer). */
static size_t mk6frag(uint8_t *b, int kind, uint32_t id, uint32_t off,
		      size_t plen, int mf, uint32_t seed)
{
	size_t hl, i, prev;

	memset(b, 0, 40);
	b[0] = 0x60;
	b[7] = 64;
	memcpy(b + 8, src6, 16);
	memcpy(b + 24, dst6, 16);
	hl = ext6(b, kind);
	prev = hl == 40 ? 6 : hl - 8;
	memset(b + hl, 0, 8);
	b[hl] = b[prev];
	b[prev] = NH_FRAG;
	put16(b + hl + 2, (uint16_t)(off | (mf ? 1 : 0)));
	b[hl + 4] = (uint8_t)(id >> 24);
	b[hl + 5] = (uint8_t)(id >> 16);
	b[hl + 6] = (uint8_t)(id >> 8);
	b[hl + 7] = (uint8_t)id;
	for (i = 0; i < plen; i++)
		b[hl + 8 + i] = pat(off + i, seed);
	put16(b + 4, (uint16_t)(hl + 8 + plen - 40));
	return hl + 8 + plen;
}

static void test_ipv6_hbh(void **state)
{
	static uint8_t f[BIG], out[BIG], want[BIG];
	struct xs_reasm *r = xs_reasm_new(1 << 20, 1000, 4);
	enum xs_counter why;
	size_t n, wn;
	int kind;

	for (kind = X_NONE; kind < X_MAX; kind++) {
		wn = mk6(want,
			 40 +
				 8 * (size_t)(kind == X_HOP ? 1 :
					      kind	    ? 4 :
							      0) +
				 1003,
			 kind, 5);
		n = mk6frag(f, kind, 0xdeadbeef, 1000, 3, 0, 5);
		assert_int_equal(xs_reasm_add(r, f, n, 0, out, BIG, &why, NULL),
				 0);
		n = mk6frag(f, kind, 0xdeadbeef, 0, 1000, 1, 5);
		assert_int_equal(xs_reasm_add(r, f, n, 0, out, BIG, &why, NULL),
				 (int)wn);
		assert_memory_equal(out, want, wn);
		/* atomic fragment (offset 0, M 0): its header removed */
		n = mk6frag(f, kind, 7, 0, 1003, 0, 5);
		assert_int_equal(xs_reasm_add(r, f, n, 0, out, BIG, &why, NULL),
				 (int)wn);
		assert_memory_equal(out, want, wn);
	}
	/* overlap: whole datagram dropped; another id is independent */
	n = mk6frag(f, X_HOP, 1, 0, 16, 1, 5);
	assert_int_equal(xs_reasm_add(r, f, n, 0, out, BIG, &why, NULL), 0);
	n = mk6frag(f, X_HOP, 2, 0, 16, 1, 5);
	assert_int_equal(xs_reasm_add(r, f, n, 0, out, BIG, &why, NULL), 0);
	n = mk6frag(f, X_HOP, 1, 8, 16, 1, 5);
	assert_int_equal(xs_reasm_add(r, f, n, 0, out, BIG, &why, NULL),
			 -EINVAL);
	assert_int_equal(why, XS_CNT_drop_reasm);
	n = mk6frag(f, X_HOP, 2, 16, 4, 0, 5);
	assert_int_equal(xs_reasm_add(r, f, n, 0, out, BIG, &why, NULL),
			 40 + 8 + 20);
	/* payload length over 65535 once the first fragment brings 8 bytes
	 * of Hop-by-Hop: the whole datagram goes */
	n = mk6frag(f, X_NONE, 3, 65520, 8, 0, 5);
	assert_int_equal(xs_reasm_add(r, f, n, 0, out, BIG, &why, NULL), 0);
	n = mk6frag(f, X_HOP, 3, 0, 16, 1, 5);
	assert_int_equal(xs_reasm_add(r, f, n, 0, out, BIG, &why, NULL),
			 -EINVAL);
	assert_int_equal(why, XS_CNT_drop_reasm);
	assert_int_equal(xs_reasm_bytes(r), 0);
	/* Hop-by-Hop not first: malformed */
	n = mk6frag(f, X_HOP_DST_RT_DST, 4, 0, 16, 1, 5);
	f[6] = NH_DST;
	f[40] = NH_HOP;
	assert_int_equal(xs_reasm_add(r, f, n, 0, out, BIG, &why, NULL),
			 -EINVAL);
	assert_int_equal(why, XS_CNT_drop_malformed);
	/* a header after the fragment header is payload: held */
	n = mk6frag(f, X_NONE, 5, 0, 16, 1, 5);
	f[48] = NH_HOP;
	assert_int_equal(xs_reasm_add(r, f, n, 0, out, BIG, &why, NULL), 0);
	assert_int_equal(xs_reasm_bytes(r), n);
	xs_reasm_free(r);
}

/* ------------------------------------------------------------ xs_frag */

/* Each fragment of orig in c: well formed and at most mtu. */
static void check_frags4(const struct coll *c, const uint8_t *orig, size_t n,
			 uint32_t mtu, int withopts)
{
	size_t hl0 = (size_t)(orig[0] & 15) * 4, off = 0, hl, fl;
	const uint8_t *f;
	int i;

	for (i = 0; i < c->n; i++) {
		f = c->arena + c->off[i];
		fl = c->len[i];
		hl = (size_t)(f[0] & 15) * 4;
		assert_true(fl <= mtu);
		assert_int_equal(get16(f + 2), fl);
		assert_int_equal(xs_csum(f, hl, 0), 0xffff);
		assert_int_equal((get16(f + 6) & 0x1fff) * 8, off);
		assert_int_equal(!!(get16(f + 6) & 0x2000), i + 1 < c->n);
		if (i + 1 < c->n)
			assert_int_equal((fl - hl) % 8, 0);
		if (i == 0) {
			assert_memory_equal(f, orig, 2);
			assert_int_equal(hl, hl0);
			assert_memory_equal(f + 20, orig + 20, hl0 - 20);
		} else if (withopts) {
			assert_int_equal(hl, 20 + sizeof(opts_copied));
			assert_memory_equal(f + 20, opts_copied,
					    sizeof(opts_copied));
		} else {
			assert_int_equal(hl, 20);
		}
		assert_memory_equal(f + hl, orig + hl0 + off, fl - hl);
		off += fl - hl;
	}
	assert_int_equal(off, n - hl0);
}

static void check_frags6(const struct coll *c, const uint8_t *orig, size_t n,
			 uint32_t mtu, size_t ulen, size_t nhoff, uint32_t id)
{
	size_t off = 0, fl;
	const uint8_t *f;
	int i;

	for (i = 0; i < c->n; i++) {
		f = c->arena + c->off[i];
		fl = c->len[i];
		assert_true(fl <= mtu);
		assert_int_equal(get16(f + 4) + 40, fl);
		assert_int_equal(f[nhoff], NH_FRAG);
		assert_int_equal(f[ulen], orig[nhoff]);
		assert_int_equal(get16(f + ulen + 2) & ~7u, off);
		assert_int_equal(f[ulen + 3] & 1, i + 1 < c->n);
		assert_int_equal((uint32_t)get16(f + ulen + 4) << 16 |
					 get16(f + ulen + 6),
				 id);
		if (i + 1 < c->n)
			assert_int_equal((fl - ulen - 8) % 8, 0);
		assert_memory_equal(f + ulen + 8, orig + ulen + off,
				    fl - ulen - 8);
		off += fl - ulen - 8;
	}
	assert_int_equal(off, n - ulen);
}

static const size_t sizes[] = { 68,   69,   100,  576,	577,  1279,  1280,
				1500, 1501, 4000, 9000, 9001, 32768, 65535 };
static const uint32_t mtus[] = { 576, 577, 1280, 1500, 4000, 9000 };

static void roundtrip(struct xs_reasm *r, int fam, int variant, size_t size,
		      uint32_t mtu)
{
	static uint8_t orig[BIG];
	struct coll *c = coll_new();
	int o[MAXF], i, ret;
	size_t n;
	const size_t ulen[X_MAX] = { 40, 48, 64 }, nhoff[X_MAX] = { 6, 40, 56 };

	if (fam == 4 && variant)
		n = mk4(orig, size - 20 - sizeof(opts), opts, sizeof(opts),
			(uint16_t)rnd(), 0, 0, 0, (uint32_t)size);
	else if (fam == 4)
		n = mk4(orig, size - 20, NULL, 0, (uint16_t)rnd(), 0, 0, 0,
			(uint32_t)size);
	else
		n = mk6(orig, size + 40 * (size == 65535), variant,
			(uint32_t)size);
	ret = xs_frag(orig, n, mtu, 0x1000000u + (uint32_t)size, collect, c);
	if (ret != c->n || ret <= 0)
		fail_msg("IPv%d/%d size %zu mtu %u: %d", fam, variant, size,
			 mtu, ret);
	if (n <= mtu) {
		assert_int_equal(ret, 1);
		assert_int_equal(c->len[0], n);
		assert_memory_equal(c->arena, orig, n);
	} else if (fam == 4) {
		check_frags4(c, orig, n, mtu, variant);
	} else {
		check_frags6(c, orig, n, mtu, ulen[variant], nhoff[variant],
			     0x1000000u + (uint32_t)size);
	}
	for (i = 0; i < c->n; i++)
		o[i] = i;
	shuffle(o, c->n);
	feed_expect(r, c, o, orig, n);
	coll_free(c);
}

static void test_roundtrip(void **state)
{
	struct xs_reasm *r = xs_reasm_new(1 << 20, 1000, 4);
	size_t s, m;

	rnd_state = 0xf4a9;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (m = 0; m < sizeof(mtus) / sizeof(mtus[0]); m++) {
			roundtrip(r, 4, 0, sizes[s], mtus[m]);
			if (sizes[s] >= 20 + sizeof(opts) + 8)
				roundtrip(r, 4, 1, sizes[s], mtus[m]);
			roundtrip(r, 6, X_NONE, sizes[s], mtus[m]);
			if (sizes[s] >= 80) {
				roundtrip(r, 6, X_HOP, sizes[s], mtus[m]);
				roundtrip(r, 6, X_HOP_DST_RT_DST, sizes[s],
					  mtus[m]);
			}
		}
	}
	/* the minimum IPv4 MTU and random sizes and MTUs */
	roundtrip(r, 4, 0, 65535, 68);
	for (s = 0; s < 200; s++)
		roundtrip(r, (rnd() & 1) ? 4 : 6, 0, 68 + rnd() % (65535 - 67),
			  576 + rnd() % (9000 - 575));
	xs_reasm_free(r);
}

static void test_frag_errors(void **state)
{
	static uint8_t p[BIG];
	struct coll *c = coll_new();
	size_t n;

	n = mk4(p, 2000, NULL, 0, 1, 0, 0, 1, 0);
	assert_int_equal(xs_frag(p, n, 1500, 0, collect, c), -EMSGSIZE);
	assert_int_equal(c->n, 0);
	assert_int_equal(xs_frag(p, n, 2020, 0, collect, c), 1); /* fits */
	assert_memory_equal(c->arena, p, n);
	c->n = 0;
	c->used = 0;
	c->fail_at = 1; /* emit's error stops it */
	n = mk4(p, 2000, NULL, 0, 1, 0, 0, 0, 0);
	assert_int_equal(xs_frag(p, n, 576, 0, collect, c), -EIO);
	assert_int_equal(c->n, 1);
	c->fail_at = -1;
	assert_int_equal(xs_frag(p, n, 27, 0, collect, c), -EINVAL);
	p[20] = 0x94; /* a broken option */
	p[21] = 0;
	p[0] = 0x46;
	csum4(p);
	assert_int_equal(xs_frag(p, n, 576, 0, collect, c), -EINVAL);
	assert_int_equal(xs_frag(p, 10, 576, 0, collect, c), -EINVAL);
	/* a fragment fragmented again keeps its offset and MF */
	c->n = 0;
	c->used = 0;
	n = mk4(p, 1600, NULL, 0, 1, 800, 1, 0, 0);
	assert_int_equal(xs_frag(p, n, 1000, 0, collect, c), 2);
	assert_int_equal(get16(c->arena + 6), 0x2000 | 100);
	assert_int_equal(get16(c->arena + c->off[1] + 6), 0x2000 | (100 + 122));
	/* IPv6: already a fragment, or a truncated header chain */
	n = mk6frag(p, X_HOP, 1, 0, 2000, 1, 0);
	assert_int_equal(xs_frag(p, n, 1280, 0, collect, c), -EINVAL);
	n = mk6(p, 2000, X_HOP, 0);
	p[41] = 250;
	assert_int_equal(xs_frag(p, n, 1280, 0, collect, c), -EINVAL);
	n = mk6(p, 2000, X_HOP, 0);
	assert_int_equal(xs_frag(p, n, 48 + 15, 0, collect, c), -EINVAL);
	coll_free(c);
}

/* ------------------------------------------------------------ ICMP */

static void test_icmp4(void **state)
{
	static uint8_t p[BIG], out[2000];
	static const uint8_t me[4] = { 10, 0, 0, 1 };
	struct xs_pkt pk;
	size_t n;
	int ret;

	n = mk4(p, 1480, NULL, 0, 1, 0, 0, 1, 0);
	ret = xs_icmp_too_big(p, n, 1400, me, out, sizeof(out));
	assert_int_equal(ret, 576);
	assert_int_equal(xs_pkt_parse(out, (size_t)ret, &pk), 0);
	assert_int_equal(pk.proto, 1);
	assert_int_equal(pk.sport, 3);
	assert_int_equal(pk.dport, 4);
	assert_int_equal(pk.totlen, 576);
	assert_memory_equal(pk.src, me, 4);
	assert_memory_equal(pk.dst, src4, 4);
	assert_int_equal(out[8], 64);
	assert_int_equal(xs_csum(out, 20, 0), 0xffff);
	assert_int_equal(xs_csum(out + 20, 556, 0), 0xffff);
	assert_int_equal(get16(out + 26), 1400);
	assert_int_equal(get16(out + 24), 0);
	assert_memory_equal(out + 28, p, 548);
	/* a small one is quoted whole */
	n = mk4(p, 40, opts, sizeof(opts), 1, 0, 0, 1, 0);
	ret = xs_icmp_too_big(p, n, 1280, me, out, sizeof(out));
	assert_int_equal(ret, 28 + (int)n);
	assert_memory_equal(out + 28, p, n);
	assert_int_equal(xs_csum(out + 20, (size_t)ret - 20, 0), 0xffff);
	/* cap: header + 8 quoted at least */
	n = mk4(p, 1480, opts, sizeof(opts), 1, 0, 0, 1, 0);
	assert_int_equal(xs_icmp_too_big(p, n, 1400, me, out, 28 + 44 + 7),
			 -ENOSPC);
	assert_int_equal(xs_icmp_too_big(p, n, 1400, me, out, 28 + 52), 80);
	assert_int_equal(xs_csum(out + 20, 60, 0), 0xffff);
	/* mtu clamped to 16 bits */
	assert_int_equal(xs_icmp_too_big(p, n, 70000, me, out, 600), 576);
	assert_int_equal(get16(out + 26), 0xffff);
}

static void test_icmp6(void **state)
{
	static uint8_t p[BIG], out[2000];
	static const uint8_t me[16] = { 0xfe, 0x80, [15] = 9 };
	uint8_t ph[40] = { 0 };
	struct xs_pkt pk;
	uint32_t sum;
	size_t n;
	int ret;

	n = mk6(p, 2000, X_HOP, 1);
	ret = xs_icmp_too_big(p, n, 1400, me, out, sizeof(out));
	assert_int_equal(ret, 1280);
	assert_int_equal(xs_pkt_parse(out, (size_t)ret, &pk), 0);
	assert_int_equal(pk.proto, NH_ICMP6);
	assert_int_equal(pk.sport, 2);
	assert_int_equal(pk.dport, 0);
	assert_int_equal(out[7], 64);
	assert_memory_equal(out + 8, me, 16);
	assert_memory_equal(out + 24, src6, 16);
	assert_int_equal(get16(out + 4), 1240);
	assert_int_equal(get16(out + 44) << 16 | get16(out + 46), 1400);
	assert_memory_equal(out + 48, p, 1232);
	memcpy(ph, out + 8, 32);
	put16(ph + 34, 1240);
	ph[39] = NH_ICMP6;
	sum = xs_csum(ph, 40, 0);
	assert_int_equal(xs_csum(out + 40, 1240, sum), 0xffff);
	/* small: whole; odd length checksum */
	n = mk6(p, 101, X_NONE, 1);
	ret = xs_icmp_too_big(p, n, 1280, me, out, sizeof(out));
	assert_int_equal(ret, 48 + 101);
	assert_memory_equal(out + 48, p, 101);
	put16(ph + 34, 109);
	sum = xs_csum(ph, 40, 0);
	assert_int_equal(xs_csum(out + 40, 109, sum), 0xffff);
	assert_int_equal(xs_icmp_too_big(p, n, 1280, me, out, 95), -ENOSPC);
	/* the largest datagram (40 + 65535 bytes) */
	n = mk6(p, 40 + 65535, X_HOP_DST_RT_DST, 1);
	assert_int_equal(xs_icmp_too_big(p, n, 9000, me, out, sizeof(out)),
			 1280);
	assert_memory_equal(out + 48, p, 1232);
	assert_int_equal(xs_icmp_too_big(p, n - 1, 9000, me, out, sizeof(out)),
			 -EINVAL); /* truncated */
}

/* cases where no error may be sent */
static void test_icmp_forbidden(void **state)
{
	static uint8_t p[BIG], out[2000];
	static const uint8_t me[16] = { 10, 0, 0, 1 };
	size_t n;
	int i;

	for (i = 1; i <= 7; i++) {
		n = mk4(p, 100, NULL, 0, 1, 0, 0, 1, 0);
		switch (i) {
		case 1: /* an ICMP error */
			p[9] = 1;
			p[20] = 3;
			break;
		case 2: /* multicast source */
			p[12] = 224;
			break;
		case 3: /* zero source */
			p[12] = 0;
			break;
		case 4: /* broadcast destination */
			memset(p + 16, 255, 4);
			break;
		case 5: /* non-first fragment */
			put16(p + 6, 10);
			break;
		case 6: /* IPv6 multicast source */
			n = mk6(p, 200, X_HOP, 0);
			p[8] = 0xff;
			break;
		case 7: /* ICMPv6 error */
			n = mk6(p, 200, X_NONE, 0);
			p[6] = NH_ICMP6;
			p[40] = 1;
			break;
		}
		if (p[0] >> 4 == 4)
			csum4(p);
		if (xs_icmp_too_big(p, n, 1280, me, out, sizeof(out)) != -EPERM)
			fail_msg("forbidden case %d", i);
	}
	/* an ICMP echo may get one */
	n = mk4(p, 100, NULL, 0, 1, 0, 0, 1, 0);
	p[9] = 1;
	p[20] = 8;
	csum4(p);
	assert_int_equal(xs_icmp_too_big(p, n, 68, me, out, sizeof(out)), 148);
	assert_int_equal(xs_icmp_too_big(p, 10, 68, me, out, sizeof(out)),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_orders),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_whole_and_malformed),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_max_dgrams),
		cmocka_unit_test(test_ipv6_hbh),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_frag_errors),
		cmocka_unit_test(test_icmp4),
		cmocka_unit_test(test_icmp6),
		cmocka_unit_test(test_icmp_forbidden),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
