// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * spd_prune: the bitmaps kept incrementally (and written to real LPM trie
 * maps) against a brute-force recomputation from the live (prefix, mask
 * bit) pairs, over a numbered case table and seeded random insert/delete
 * sequences.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include "../../ctl/daemon/spd_prune.h"

#define MAXPAIRS 4096
#define HALF 1

/* A live rule: what xs_spd_prune_add was given. */
struct pair {
	uint8_t dir, family, bit, splen, dplen;
	uint8_t src[16], dst[16];
};

struct ctx {
	struct xs_dp dp; /* the two prune maps, or none */
	struct xs_spd_prune *pr;
	struct pair live[MAXPAIRS];
	int n;
};

static void ctx_init(struct ctx *c)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);

	memset(c, 0, sizeof(*c));
	xs_dp_init_none(&c->dp);
	c->dp.spd_prune_src = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "t_psrc",
					     sizeof(struct xs_spd_pfx_key), 8,
					     MAXPAIRS, &o);
	c->dp.spd_prune_dst = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "t_pdst",
					     sizeof(struct xs_spd_pfx_key), 8,
					     MAXPAIRS, &o);
	if (c->dp.spd_prune_src < 0 || c->dp.spd_prune_dst < 0)
		xs_dp_close(&c->dp); /* no maps: check memory only */
	c->pr = xs_spd_prune_new();
	assert_non_null(c->pr);
	xs_spd_prune_bind(c->pr, &c->dp, HALF);
}

static void ctx_fini(struct ctx *c)
{
	xs_spd_prune_free(c->pr);
	xs_dp_close(&c->dp);
}

static void sel_of(const struct pair *p, struct xs_spd_prune_sel *s)
{
	s->dir = p->dir;
	s->family = p->family;
	s->bit = p->bit;
	s->src_plen = p->splen;
	s->dst_plen = p->dplen;
	s->src = p->src;
	s->dst = p->dst;
}

static void add(struct ctx *c, const struct pair *p)
{
	struct xs_spd_prune_sel s;

	assert_true(c->n < MAXPAIRS);
	c->live[c->n] = *p;
	xs_addr_mask(c->live[c->n].src, p->splen);
	xs_addr_mask(c->live[c->n].dst, p->dplen);
	sel_of(&c->live[c->n], &s);
	assert_int_equal(xs_spd_prune_add(c->pr, &s), 0);
	c->n++;
}

static void del(struct ctx *c, int i)
{
	struct xs_spd_prune_sel s;

	sel_of(&c->live[i], &s);
	assert_int_equal(xs_spd_prune_del(c->pr, &s), 0);
	c->live[i] = c->live[--c->n];
}

static bool covers(const uint8_t *pfx, uint8_t plen, const uint8_t a[16])
{
	uint8_t m[16];

	memcpy(m, a, 16);
	xs_addr_mask(m, plen);
	return !memcmp(m, pfx, 16);
}

/* Brute force: the bits of every live rule whose prefix covers addr. */
static uint64_t brute(const struct ctx *c, bool dst, uint8_t dir,
		      uint8_t family, const uint8_t a[16])
{
	uint64_t bits = 0;
	int i;

	for (i = 0; i < c->n; i++) {
		const struct pair *p = &c->live[i];

		if (p->dir != dir || p->family != family)
			continue;
		if (dst ? covers(p->dst, p->dplen, a) :
			  covers(p->src, p->splen, a))
			bits |= 1ULL << p->bit;
	}
	return bits;
}

/* What the datapath would read for addr: longest match in the map. */
static int map_bits(const struct ctx *c, bool dst, uint8_t dir, uint8_t family,
		    const uint8_t a[16], uint64_t *v)
{
	struct xs_spd_pfx_key k = {
		.prefixlen = XS_SPD_PFX_HDR_BITS + 128,
		.dir = dir,
		.family = family,
		.half = HALF,
	};

	memcpy(k.addr, a, 16);
	return bpf_map_lookup_elem(
		dst ? c->dp.spd_prune_dst : c->dp.spd_prune_src, &k, v);
}

static void check_addr(const struct ctx *c, bool dst, uint8_t dir,
		       uint8_t family, const uint8_t a[16])
{
	uint64_t want = brute(c, dst, dir, family, a), got;

	assert_int_equal(xs_spd_prune_bits(c->pr, dst, dir, family, a), want);
	if (c->dp.spd_prune_src < 0)
		return;
	if (map_bits(c, dst, dir, family, a, &got))
		got = 0; /* no entry covers a: no candidate */
	assert_int_equal(got, want);
}

static size_t map_count(int fd)
{
	struct xs_spd_pfx_key k, *prev = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(fd, prev, &k)) {
		prev = &k;
		n++;
	}
	return n;
}

/* Distinct (side, dir, family, prefix) of the live rules. */
static size_t distinct(const struct ctx *c)
{
	size_t n = 0;
	int i, j, side;

	for (side = 0; side < 2; side++) {
		for (i = 0; i < c->n; i++) {
			const struct pair *p = &c->live[i];

			for (j = 0; j < i; j++) {
				const struct pair *q = &c->live[j];

				if (q->dir != p->dir || q->family != p->family)
					continue;
				if (side ? (q->dplen == p->dplen &&
					    !memcmp(q->dst, p->dst, 16)) :
					   (q->splen == p->splen &&
					    !memcmp(q->src, p->src, 16)))
					break;
			}
			n += j == i;
		}
	}
	return n;
}

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

/* Addresses that share prefixes a lot: few random bits, spread out. */
static void rnd_addr(uint8_t family, uint8_t a[16])
{
	static const uint8_t b1[] = { 0, 1, 0x80, 0x81 };
	static const uint8_t b2[] = { 0, 0xff, 0x80, 0x40 };

	memset(a, 0, 16);
	a[0] = family == AF_INET ? 10 : 0x20;
	a[1] = b1[rnd(4)];
	a[2] = b2[rnd(4)];
	a[3] = (uint8_t)rnd(4);
	if (family == AF_INET6) {
		a[8] = b1[rnd(4)];
		a[15] = (uint8_t)rnd(4);
	}
}

static uint8_t rnd_plen(uint8_t family)
{
	static const uint8_t p4[] = { 0,  1,  7,  8,  9,  15, 16,
				      17, 23, 24, 30, 31, 32 };
	static const uint8_t p6[] = { 0, 8, 9, 16, 17, 64, 65, 120, 127, 128 };

	return family == AF_INET ? p4[rnd(sizeof(p4))] : p6[rnd(sizeof(p6))];
}

static void rnd_pair(struct pair *p)
{
	memset(p, 0, sizeof(*p));
	p->family = rnd(3) ? AF_INET : AF_INET6;
	p->dir = (uint8_t)rnd(2);
	p->bit = (uint8_t)rnd(rnd(2) ? 6 : 64); /* a few bits often */
	rnd_addr(p->family, p->src);
	rnd_addr(p->family, p->dst);
	p->splen = rnd_plen(p->family);
	p->dplen = rnd_plen(p->family);
}

/* Every live prefix (and a random address under it) and random
 * addresses, both sides; entry counts in memory and in the maps. */
static void check_all(const struct ctx *c, int nrand)
{
	uint8_t a[16];
	int i, side;

	for (i = 0; i < c->n; i++) {
		const struct pair *p = &c->live[i];

		for (side = 0; side < 2; side++) {
			check_addr(c, side, p->dir, p->family,
				   side ? p->dst : p->src);
			rnd_addr(p->family, a);
			check_addr(c, side, p->dir, p->family, a);
		}
	}
	for (i = 0; i < nrand; i++) {
		uint8_t fam = rnd(2) ? AF_INET : AF_INET6;

		rnd_addr(fam, a);
		check_addr(c, rnd(2), (uint8_t)rnd(2), fam, a);
	}
	assert_int_equal(xs_spd_prune_count(c->pr), distinct(c));
	if (c->dp.spd_prune_src >= 0)
		assert_int_equal(map_count(c->dp.spd_prune_src) +
					 map_count(c->dp.spd_prune_dst),
				 distinct(c));
}

/* ------------------------------------------------------------------ */

static struct pair v4(const char *s, int sp, const char *d, int dp, int bit)
{
	struct pair p;

	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	p.dir = XS_DIR_OUT;
	p.bit = (uint8_t)bit;
	assert_int_equal(inet_pton(AF_INET, s, p.src), 1);
	assert_int_equal(inet_pton(AF_INET, d, p.dst), 1);
	p.splen = (uint8_t)sp;
	p.dplen = (uint8_t)dp;
	return p;
}

/* Numbered steps: an add (bit >= 0) or the delete of live rule "del";
 * then the source bitmaps of three probe addresses. */
static void test_cases(void **state)
{
	static const struct {
		const char *src;
		int plen, bit, del; /* del >= 0: delete live[del] instead */
		uint64_t host, net, other; /* 10.1.1.1, 10.1.2.2, 11.0.0.1 */
	} steps[] = {
		/* 0 */ { "10.1.1.1", 32, 3, -1, 1 << 3, 0, 0 },
		/* 1: a shorter prefix reaches the host below it */
		{ "10.0.0.0", 8, 5, -1, 1 << 3 | 1 << 5, 1 << 5, 0 },
		/* 2: the same pair again: only a count */
		{ "10.0.0.0", 8, 5, -1, 1 << 3 | 1 << 5, 1 << 5, 0 },
		/* 3: an in-between /16 inherits the /8's bit */
		{ "10.1.0.0", 16, 7, -1, 1 << 3 | 1 << 5 | 1 << 7,
		  1 << 5 | 1 << 7, 0 },
		/* 4: catch-all */
		{ "0.0.0.0", 0, 63, -1, 1ULL << 63 | 1 << 3 | 1 << 5 | 1 << 7,
		  1ULL << 63 | 1 << 5 | 1 << 7, 1ULL << 63 },
		/* 5: delete one /8 of two: nothing changes */
		{ NULL, 0, 0, 1, 1ULL << 63 | 1 << 3 | 1 << 5 | 1 << 7,
		  1ULL << 63 | 1 << 5 | 1 << 7, 1ULL << 63 },
		/* 6: delete the other: bit 5 gone below (deletes swap the
		 * last rule in: live is A, /0, /8, /16 here) */
		{ NULL, 0, 0, 2, 1ULL << 63 | 1 << 3 | 1 << 7,
		  1ULL << 63 | 1 << 7, 1ULL << 63 },
		/* 7: the /16 deleted (live: A, /0, /16): its
		 * descendants keep the /0's bit only */
		{ NULL, 0, 0, 2, 1ULL << 63 | 1 << 3, 1ULL << 63, 1ULL << 63 },
		/* 8: the /0 deleted (live: A, /0) */
		{ NULL, 0, 0, 1, 1 << 3, 0, 0 },
	};
	static const char *const probe[] = { "10.1.1.1", "10.1.2.2",
					     "11.0.0.1" };
	struct ctx *c = malloc(sizeof(*c));
	struct pair p;
	uint8_t a[16];
	size_t i, j;

	(void)state;
	assert_non_null(c);
	ctx_init(c);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		uint64_t want[3] = { steps[i].host, steps[i].net,
				     steps[i].other };

		printf("case %zu\n", i);
		if (steps[i].src) {
			p = v4(steps[i].src, steps[i].plen, "192.0.2.1", 32,
			       steps[i].bit);
			add(c, &p);
		} else {
			del(c, steps[i].del);
		}
		for (j = 0; j < 3; j++) {
			memset(a, 0, 16);
			assert_int_equal(inet_pton(AF_INET, probe[j], a), 1);
			assert_int_equal(xs_spd_prune_bits(c->pr, false,
							   XS_DIR_OUT, AF_INET,
							   a),
					 want[j]);
		}
		check_all(c, 50);
	}
	ctx_fini(c);
	free(c);
}

/* Seeded random insert/delete sequences against the brute force. */
static void test_random(void **state)
{
	static const uint64_t seeds[] = { 0x9e3779b97f4a7c15ull,
					  0x243f6a8885a308d3ull,
					  0x13198a2e03707344ull };
	struct ctx *c = malloc(sizeof(*c));
	struct pair p;
	size_t s;
	int round, ops;

	(void)state;
	assert_non_null(c);
	for (s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		ctx_init(c);
		rng = seeds[s];
		for (round = 0; round < 12; round++) {
			for (ops = 0; ops < 120; ops++) {
				if (c->n && rnd(5) < 2) {
					del(c, (int)rnd((uint32_t)c->n));
					continue;
				}
				if (c->n && rnd(6) == 0) { /* a duplicate */
					p = c->live[rnd((uint32_t)c->n)];
					add(c, &p);
					continue;
				}
				rnd_pair(&p);
				add(c, &p);
			}
			check_all(c, 300);
		}
		printf("seed %zu: %d rules, %zu prefixes\n", s, c->n,
		       xs_spd_prune_count(c->pr));
		while (c->n) { /* delete everything, checking on the way */
			del(c, (int)rnd((uint32_t)c->n));
			if (c->n % 64 == 0)
				check_all(c, 100);
		}
		assert_int_equal(xs_spd_prune_count(c->pr), 0);
		ctx_fini(c);
	}
	free(c);
}

/* Flush empties the maps; sweep removes one half only. */
static void test_flush_sweep(void **state)
{
	struct ctx *c = malloc(sizeof(*c));
	struct pair p;
	int i;

	(void)state;
	assert_non_null(c);
	ctx_init(c);
	if (c->dp.spd_prune_src < 0) {
		ctx_fini(c);
		free(c);
		skip();
	}
	rng = 0x452821e638d01377ull;
	for (i = 0; i < 200; i++) {
		rnd_pair(&p);
		add(c, &p);
	}
	check_all(c, 100);
	assert_int_equal(xs_spd_prune_sweep(&c->dp, !HALF), 0);
	check_all(c, 100); /* nothing of ours went */
	assert_int_equal(xs_spd_prune_flush(c->pr), 0);
	assert_int_equal(map_count(c->dp.spd_prune_src), 0);
	assert_int_equal(map_count(c->dp.spd_prune_dst), 0);
	assert_int_equal(xs_spd_prune_write_all(c->pr), 0); /* empty */
	c->n = 0;
	for (i = 0; i < 50; i++) {
		rnd_pair(&p);
		add(c, &p);
	}
	assert_int_equal(xs_spd_prune_sweep(&c->dp, HALF), 0);
	assert_int_equal(map_count(c->dp.spd_prune_src), 0);
	assert_int_equal(xs_spd_prune_write_all(c->pr), 0); /* rebuilt */
	check_all(c, 200);
	/* a pair not present */
	{
		struct xs_spd_prune_sel s;

		p = v4("10.9.9.9", 32, "10.9.9.9", 32, 1);
		sel_of(&p, &s);
		assert_int_equal(xs_spd_prune_del(c->pr, &s), -ENOENT);
		s.bit = 64;
		assert_int_equal(xs_spd_prune_add(c->pr, &s), -EINVAL);
	}
	ctx_fini(c);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_flush_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
