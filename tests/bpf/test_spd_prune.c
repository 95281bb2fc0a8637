// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Tuple-space pruning in the datapath (bpf_prog_test_run_opts on
 * xdp_ingress for inbound policies, tc_egress for outbound): the policy a
 * packet matches is read off pol_stats (the one slot whose packet counter
 * moved) and compared with a numbered table, then, on a larger SPD of
 * random overlapping prefixes, with the reference lookup xs_spd_lookup()
 * (the linear, match-order semantics the full tuple-space walk had).
 * Deleting policies clears their bits: the verdicts change accordingly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <netinet/in.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include "../../ctl/daemon/spd.h"
#include "../lib/fixture.h"

#define IN IPSEC_DIR_INBOUND
#define OUT IPSEC_DIR_OUTBOUND
#define HI XS_PRIORITY_HIGH
#define LO XS_PRIORITY_LOW
#define DEF XS_PRIORITY_DEFAULT
#define MAXPOL 512

struct ctx {
	struct xt_env env;
	struct xs_spd *spd;
	uint32_t id[MAXPOL]; /* policy id by index, 0: none (deleted) */
	uint32_t slot[MAXPOL]; /* its spd_policies slot */
	int n;
};

/* "src/splen[sport] dst/dplen[dport] proto -P dir prio type". */
struct fpol {
	const char *src;
	int splen, sport;
	const char *dst;
	int dplen, dport, proto, dir;
	uint32_t prio;
	int type;
};

static int addr(struct xs_addr *a, const char *s, int plen, int port)
{
	memset(a, 0, sizeof(*a));
	a->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(a->family, s, a->a) != 1)
		return -EINVAL;
	a->plen = (uint8_t)plen;
	a->port = (uint16_t)port;
	return 0;
}

static int pol_add(struct ctx *c, const struct fpol *f)
{
	struct xs_spolicy sp;
	int err;

	memset(&sp, 0, sizeof(sp));
	if (addr(&sp.sel.src, f->src, f->splen, f->sport) ||
	    addr(&sp.sel.dst, f->dst, f->dplen, f->dport))
		return -EINVAL;
	sp.sel.proto = f->proto ? (uint8_t)f->proto : IPSEC_ULPROTO_ANY;
	sp.dir = (uint8_t)f->dir;
	sp.type = (uint8_t)f->type;
	sp.priority = f->prio;
	err = xs_spd_add(c->spd, &sp, false);
	if (err)
		return err;
	assert_true(c->n < MAXPOL);
	c->id[c->n++] = sp.id;
	return 0;
}

/* slot[] from the maps: each rule's slot holds its policy's id. */
static void find_slots(struct ctx *c)
{
	struct xs_spd_key k, *prev = NULL;
	struct xs_spd_rule r;
	struct xs_policy pv;
	int i;

	for (i = 0; i < c->n; i++)
		c->slot[i] = XS_SLOT_NONE;
	while (!bpf_map_get_next_key(c->env.dp.spd_rules, prev, &k)) {
		prev = &k;
		assert_int_equal(
			bpf_map_lookup_elem(c->env.dp.spd_rules, &k, &r), 0);
		assert_int_equal(bpf_map_lookup_elem(c->env.dp.spd_policies,
						     &r.slot, &pv),
				 0);
		for (i = 0; i < c->n && c->id[i] != pv.id; i++)
			;
		assert_true(i < c->n);
		c->slot[i] = r.slot;
	}
}

static uint64_t pol_packets(struct ctx *c, uint32_t slot)
{
	struct xs_pol_stats s;

	assert_int_equal(xs_dp_pol_stats_get(&c->env.dp, slot, &s), 0);
	return s.packets;
}

/* A packet "dir src dst proto sport dport", frag: non-initial fragment. */
struct fpkt {
	int dir;
	const char *src, *dst;
	int proto, sport, dport;
	bool frag;
};

/* Run the packet through its direction's program; the index of the
 * policy whose counter moved, -1 for none (-2: more than one). */
static int bpf_match(struct ctx *c, const struct fpkt *f)
{
	static uint64_t before[MAXPOL];
	struct xt_spec s = {
		.src = f->src,
		.dst = f->dst,
		.proto = (uint8_t)f->proto,
		.sport = (uint16_t)f->sport,
		.dport = (uint16_t)f->dport,
		.frag = f->frag ? 20 : 0,
		.payload = 16,
	};
	struct xt_pkt p;
	uint32_t ret;
	int i, got = -1;

	for (i = 0; i < c->n; i++)
		if (c->id[i])
			before[i] = pol_packets(c, c->slot[i]);
	xt_build(&p, &s);
	assert_int_equal(xt_run(&c->env, f->dir == IN ? XT_INGRESS : XT_EGRESS,
				p.buf, p.len, &ret),
			 0);
	for (i = 0; i < c->n; i++) {
		if (!c->id[i] || pol_packets(c, c->slot[i]) == before[i])
			continue;
		got = got == -1 ? i : -2;
	}
	return got;
}

/* The reference lookup's answer, as a policy index (-1: none). */
static int ref_match(struct ctx *c, const struct fpkt *f)
{
	const struct xs_spolicy *sp;
	struct xs_pktsel p;
	int i;

	memset(&p, 0, sizeof(p));
	p.family = strchr(f->src, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(p.family, f->src, p.src), 1);
	assert_int_equal(inet_pton(p.family, f->dst, p.dst), 1);
	p.dir = (uint8_t)f->dir;
	p.proto = f->proto ? (uint8_t)f->proto : IPPROTO_UDP;
	p.sport = (uint16_t)f->sport;
	p.dport = (uint16_t)f->dport;
	p.opaque_ports = f->frag;
	sp = xs_spd_lookup(c->spd, &p);
	if (!sp)
		return -1;
	for (i = 0; i < c->n && c->id[i] != sp->id; i++)
		;
	assert_true(i < c->n);
	return i;
}

static int setup(void **state)
{
	static struct ctx c;
	int err;

	memset(&c, 0, sizeof(c));
	err = xt_env_setup(&c.env);
	if (err) {
		fprintf(stderr, "env setup: %s\n", strerror(-err));
		return -1;
	}
	c.spd = xs_spd_new(&c.env.dp, MAXPOL);
	*state = &c;
	return c.spd ? 0 : -1;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	if (!c)
		return 0;
	xs_spd_free(c->spd);
	xt_env_teardown(&c->env);
	return 0;
}

/* ------------------------------------------------------------------ */

#define NONE IPSEC_POLICY_NONE
#define DROP IPSEC_POLICY_DISCARD
#define TCP IPPROTO_TCP
#define UDP IPPROTO_UDP
#define ICMP IPPROTO_ICMP

/* Match order is priority, then insertion: a more specific prefix does
 * not win by itself. */
static const struct fpol fixed[] = {
	/* 0 */ { "10.1.2.3", 32, 0, "0.0.0.0", 0, 0, 0, IN, DEF, NONE },
	/* 1 */ { "10.1.2.0", 24, 0, "0.0.0.0", 0, 0, 0, IN, DEF, DROP },
	/* 2 */ { "10.0.0.0", 8, 0, "0.0.0.0", 0, 0, 0, IN, DEF, NONE },
	/* 3 */
	{ "10.1.0.0", 16, 1000, "192.168.0.0", 16, 0, TCP, IN, HI, DROP },
	/* 4 */ { "10.1.2.128", 25, 0, "0.0.0.0", 0, 53, UDP, IN, HI, DROP },
	/* 5 */ { "10.9.0.0", 16, 0, "0.0.0.0", 0, 0, 0, IN, LO, NONE },
	/* 6 */ { "10.9.1.0", 24, 0, "0.0.0.0", 0, 0, 0, IN, HI, DROP },
	/* 7 */ { "10.9.1.1", 32, 0, "0.0.0.0", 0, 0, 0, IN, LO, NONE },
	/* 8: icmp echo request */
	{ "0.0.0.0", 0, 8, "192.168.7.0", 24, 0, ICMP, IN, HI, DROP },
	/* 9 */ { "2001:db8::", 32, 0, "::", 0, 0, 0, IN, DEF, NONE },
	/* 10 */
	{ "2001:db8:1::5", 128, 0, "::", 0, 22, TCP, IN, HI, DROP },
	/* 11 */ { "2001:db8:1::", 48, 0, "::", 0, 0, 0, IN, HI, DROP },
	/* 12 */ { "10.0.0.0", 8, 0, "10.50.0.0", 16, 0, 0, OUT, DEF, DROP },
	/* 13 */ { "10.0.0.0", 8, 0, "10.50.1.0", 24, 0, 0, OUT, HI, NONE },
	/* 14 */ { "2001:db8::", 32, 0, "2001:db8:50::", 48, 0, 0, OUT, DEF, DROP },
};

static const struct {
	struct fpkt pkt;
	int want; /* policy index, -1: none */
	int after; /* the same once 0, 1, 4 and 6 are deleted */
} cases[] = {
	/* 0: /32, /24, /8 of equal priority: the first inserted */
	{ { IN, "10.1.2.3", "192.0.2.1", UDP, 1000, 99, false }, 0, 2 },
	/* 1 */ { { IN, "10.1.2.4", "192.0.2.1", UDP, 1000, 99, false }, 1, 2 },
	/* 2 */ { { IN, "10.1.3.4", "192.0.2.1", UDP, 1000, 99, false }, 2, 2 },
	/* 3: port and prefix pair, high priority */
	{ { IN, "10.1.3.4", "192.168.1.1", TCP, 1000, 80, false }, 3, 3 },
	/* 4 */ { { IN, "10.1.3.4", "192.168.1.1", TCP, 1001, 80, false }, 2, 2 },
	/* 5: a non-initial fragment never matches a port selector */
	{ { IN, "10.1.3.4", "192.168.1.1", TCP, 0, 0, true }, 2, 2 },
	/* 6 */ { { IN, "10.1.2.200", "192.0.2.1", UDP, 5, 53, false }, 4, 2 },
	/* 7 */ { { IN, "10.1.2.200", "192.0.2.1", UDP, 0, 0, true }, 1, 2 },
	/* 8: outside the /25 */
	{ { IN, "10.1.2.3", "192.0.2.1", UDP, 5, 53, false }, 0, 2 },
	/* 9: priority beats specificity both ways */
	{ { IN, "10.9.1.1", "192.0.2.1", UDP, 1, 2, false }, 6, 2 },
	/* 10 */ { { IN, "10.9.2.1", "192.0.2.1", UDP, 1, 2, false }, 2, 2 },
	/* 11: icmp type 8 */
	{ { IN, "11.0.0.1", "192.168.7.1", ICMP, 8, 0, false }, 8, 8 },
	/* 12 */ { { IN, "11.0.0.1", "192.168.7.1", ICMP, 0, 0, false }, -1, -1 },
	/* 13 */ { { IN, "11.0.0.1", "192.0.2.1", UDP, 1, 2, false }, -1, -1 },
	/* 14 */
	{ { IN, "2001:db8:2::1", "2001:db8::99", UDP, 1, 2, false }, 9, 9 },
	/* 15 */
	{ { IN, "2001:db8:1::7", "2001:db8::99", UDP, 1, 2, false }, 11, 11 },
	/* 16 */
	{ { IN, "2001:db8:1::5", "2001:db8::99", TCP, 4, 22, false }, 10, 10 },
	/* 17 */
	{ { IN, "2001:db8:1::5", "2001:db8::99", TCP, 0, 0, true }, 11, 11 },
	/* 18 */
	{ { IN, "2001:db9::1", "2001:db8::99", UDP, 1, 2, false }, -1, -1 },
	/* 19: outbound */
	{ { OUT, "10.1.2.3", "10.50.1.1", UDP, 1, 2, false }, 13, 13 },
	/* 20 */ { { OUT, "10.1.2.3", "10.50.2.1", UDP, 1, 2, false }, 12, 12 },
	/* 21: inbound policies do not apply outbound, nor the reverse */
	{ { OUT, "10.1.2.3", "192.0.2.1", UDP, 1, 2, false }, -1, -1 },
	/* 22 */ { { IN, "10.1.2.3", "10.50.1.1", UDP, 1, 2, false }, 0, 2 },
	/* 23 */
	{ { OUT, "2001:db8::1", "2001:db8:50::1", UDP, 1, 2, false }, 14, 14 },
	/* 24 */
	{ { OUT, "2001:db8::1", "2001:db8:51::1", UDP, 1, 2, false }, -1, -1 },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void del(struct ctx *c, int i)
{
	assert_int_equal(xs_spd_delete_id(c->spd, c->id[i], NULL), 0);
	c->id[i] = 0;
}

static void test_fixed(void **state)
{
	struct ctx *c = *state;
	size_t i;
	int got;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		assert_int_equal(pol_add(c, &fixed[i]), 0);
	find_slots(c);
	for (i = 0; i < NCASES; i++) {
		got = bpf_match(c, &cases[i].pkt);
		printf("case %zu: policy %d (want %d)\n", i, got,
		       cases[i].want);
		assert_int_equal(ref_match(c, &cases[i].pkt), cases[i].want);
		assert_int_equal(got, cases[i].want);
	}
	{
		struct xt_case t = { "10.1.2.200 udp 53",
				     XT_INGRESS,
				     { .src = "10.1.2.200",
				       .dst = "192.0.2.1",
				       .dport = 53 },
				     XDP_DROP,
				     XS_CNT_drop_policy_discard };

		assert_int_equal(xt_case_run(&c->env, &t), 0);
	}
	/* deleted: their bits leave the bitmaps, the verdicts move */
	del(c, 0);
	del(c, 1);
	del(c, 4);
	del(c, 6);
	for (i = 0; i < NCASES; i++) {
		got = bpf_match(c, &cases[i].pkt);
		printf("after delete, case %zu: policy %d (want %d)\n", i, got,
		       cases[i].after);
		assert_int_equal(ref_match(c, &cases[i].pkt), cases[i].after);
		assert_int_equal(got, cases[i].after);
	}
	/* and the verdict itself: 10.1.2.200 udp 53 went from the /25
	 * discard to the /8 none */
	{
		struct xt_case t = { "10.1.2.200 after delete",
				     XT_INGRESS,
				     { .src = "10.1.2.200",
				       .dst = "192.0.2.1",
				       .dport = 53 },
				     XDP_PASS,
				     XS_CNT_rx_pass };

		assert_int_equal(xt_case_run(&c->env, &t), 0);
	}
	assert_int_equal(xs_spd_flush(c->spd), 0);
	c->n = 0;
}

/* ------------------------------------------------------------------ */
/* Random overlapping SPD against the reference lookup                 */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

static void rnd_addr4(char *buf)
{
	static const char *const b2[] = { "0", "1", "128", "255" };

	sprintf(buf, "10.%u.%s.%u", rnd(2), b2[rnd(4)], rnd(4) * 64 + rnd(2));
}

static void rnd_addr6(char *buf)
{
	sprintf(buf, "2001:db8:%x::%x:%x", rnd(2), rnd(4) * 0x4000, rnd(3));
}

static void rnd_policy(struct fpol *f, char *s, char *d)
{
	static const int p4[] = { 0, 7, 8, 9, 16, 17, 24, 25, 30, 31, 32 };
	static const int p6[] = { 0, 32, 48, 64, 100, 112, 127, 128 };
	static const int protos[] = { 0, 0, TCP, UDP };
	static const int ports[] = { 0, 0, 0, 22, 53 };
	static const uint32_t prios[] = { HI, DEF, DEF, LO };
	bool v6 = rnd(3) == 0;

	memset(f, 0, sizeof(*f));
	if (v6) {
		rnd_addr6(s);
		rnd_addr6(d);
		f->splen = p6[rnd(8)];
		f->dplen = p6[rnd(8)];
	} else {
		rnd_addr4(s);
		rnd_addr4(d);
		f->splen = p4[rnd(11)];
		f->dplen = p4[rnd(11)];
	}
	f->src = s;
	f->dst = d;
	f->proto = protos[rnd(4)];
	if (f->proto) {
		f->sport = ports[rnd(5)];
		f->dport = ports[rnd(5)];
	}
	f->dir = rnd(2) ? IN : OUT;
	f->prio = prios[rnd(4)];
	f->type = rnd(2) ? NONE : DROP;
}

static void rnd_packet(struct fpkt *f, char *s, char *d)
{
	static const int protos[] = { TCP, UDP };
	static const int ports[] = { 22, 53, 1000 };

	memset(f, 0, sizeof(*f));
	if (rnd(3) == 0) {
		rnd_addr6(s);
		rnd_addr6(d);
	} else {
		rnd_addr4(s);
		rnd_addr4(d);
	}
	f->src = s;
	f->dst = d;
	f->dir = rnd(2) ? IN : OUT;
	f->proto = protos[rnd(2)];
	f->sport = ports[rnd(3)];
	f->dport = ports[rnd(3)];
	f->frag = rnd(6) == 0;
}

/* npkt random packets: BPF and the reference agree; returns the hits. */
static int compare(struct ctx *c, int npkt)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	struct fpkt f;
	int i, want, got, hits = 0;

	for (i = 0; i < npkt; i++) {
		rnd_packet(&f, s, d);
		want = ref_match(c, &f);
		got = bpf_match(c, &f);
		if (got != want)
			printf("packet %d: %s %s -> %s %d %d>%d%s: bpf %d, ref %d\n",
			       i, f.dir == IN ? "in" : "out", s, d, f.proto,
			       f.sport, f.dport, f.frag ? " frag" : "", got,
			       want);
		assert_int_equal(got, want);
		hits += want >= 0;
	}
	return hits;
}

static void test_random(void **state)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	struct ctx *c = *state;
	struct fpol f;
	int i, err, hits, masks = 0;

	c->n = 0;
	while (c->n < 250) {
		rnd_policy(&f, s, d);
		err = pol_add(c, &f);
		if (err == -EEXIST || err == -ENOSPC) {
			masks += err == -ENOSPC;
			continue;
		}
		assert_int_equal(err, 0);
	}
	find_slots(c);
	hits = compare(c, 600);
	printf("%d policies (%d refused: no free mask), %d/600 matched\n", c->n,
	       masks, hits);
	assert_true(hits > 200);
	/* delete half, compare again */
	for (i = 0; i < c->n; i++)
		if (rnd(2))
			del(c, i);
	hits = compare(c, 600);
	printf("after deleting about half: %d/600 matched\n", hits);
	assert_true(hits > 100);
	assert_int_equal(xs_spd_flush(c->spd), 0);
	c->n = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
