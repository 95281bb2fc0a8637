// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * SPD: match semantics of the reference lookup (numbered case tables),
 * identity/update/delete/flush, validation errnos, and the tuple-space
 * compile checked against real BPF maps with a C re-implementation of the
 * datapath's lookup (map_lookup below) on a random SPD; the prune bitmaps
 * checked against a brute force over the rules (check_prune).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include "../../ctl/daemon/spd.h"

#define NOPORT 0
#define ANYP IPSEC_ULPROTO_ANY
#define IN IPSEC_DIR_INBOUND
#define OUT IPSEC_DIR_OUTBOUND
#define FWD IPSEC_DIR_FWD
#define TEST_MAXP 4096

static void addr(struct xs_addr *a, const char *s, int plen, int port)
{
	memset(a, 0, sizeof(*a));
	a->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(a->family, s, a->a), 1);
	a->plen = (uint8_t)plen;
	a->port = (uint16_t)port;
}

/* A policy "src/splen[sport] dst/dplen[dport] proto dir type prio". */
static struct xs_spolicy pol(const char *src, int splen, int sport,
			     const char *dst, int dplen, int dport, int proto,
			     int dir, int type, uint32_t prio)
{
	struct xs_spolicy sp;

	memset(&sp, 0, sizeof(sp));
	addr(&sp.sel.src, src, splen, sport);
	addr(&sp.sel.dst, dst, dplen, dport);
	sp.sel.proto = (uint8_t)proto;
	sp.dir = (uint8_t)dir;
	sp.type = (uint8_t)type;
	sp.priority = prio;
	if (type == IPSEC_POLICY_IPSEC) {
		sp.nreq = 1;
		sp.req[0].proto = IPPROTO_ESP;
		sp.req[0].mode = IPSEC_MODE_TRANSPORT;
		sp.req[0].level = IPSEC_LEVEL_REQUIRE;
	}
	return sp;
}

static struct xs_spolicy simple(const char *src, int splen, const char *dst,
				int dplen)
{
	return pol(src, splen, 0, dst, dplen, 0, ANYP, OUT,
		   IPSEC_POLICY_DISCARD, XS_PRIORITY_DEFAULT);
}

static struct xs_pktsel pkt(const char *src, const char *dst, int proto,
			    int sport, int dport, int dir)
{
	struct xs_pktsel p;
	struct xs_addr a;

	memset(&p, 0, sizeof(p));
	addr(&a, src, 0, 0);
	memcpy(p.src, a.a, 16);
	p.family = a.family;
	addr(&a, dst, 0, 0);
	memcpy(p.dst, a.a, 16);
	p.proto = (uint8_t)proto;
	p.sport = (uint16_t)sport;
	p.dport = (uint16_t)dport;
	p.dir = (uint8_t)dir;
	return p;
}

/* Policy ids of the added policies by table index; -1 = no match. */
static int match_index(struct xs_spd *spd, const uint32_t *ids, int n,
		       const struct xs_pktsel *p)
{
	const struct xs_spolicy *sp = xs_spd_lookup(spd, p);
	int i;

	if (!sp)
		return -1;
	for (i = 0; i < n; i++)
		if (ids[i] == sp->id)
			return i;
	return -2;
}

static struct xs_spd *spd_none(struct xs_dp *dp)
{
	struct xs_spd *spd;

	xs_dp_init_none(dp);
	spd = xs_spd_new(dp, TEST_MAXP);
	assert_non_null(spd);
	return spd;
}

/* ------------------------------------------------------------------ */

static void test_priority(void **state)
{
	struct xs_spolicy p[] = {
		/* 0 */ simple("10.0.0.0", 8, "0.0.0.0", 0),
		/* 1 */ simple("10.1.2.0", 24, "0.0.0.0", 0),
		/* 2 */ simple("10.1.0.0", 16, "0.0.0.0", 0),
		/* 3 */ simple("0.0.0.0", 0, "0.0.0.0", 0),
	};
	static const struct {
		const char *src;
		int want;
	} cases[] = {
		/* 0 */ { "10.1.2.3", 2 }, /* prio 0x40000000 beats default */
		/* 1 */ { "10.1.3.3", 2 },
		/* 2 */ { "10.2.0.1", 0 }, /* ties: first inserted */
		/* 3 */ { "11.0.0.1", 3 }, /* only the low-priority 0/0 */
		/* 4 */ { "10.9.9.9", 0 },
	};
	struct xs_dp dp;
	struct xs_spd *spd = spd_none(&dp);
	uint32_t ids[4];
	struct xs_pktsel pk;
	size_t i;

	p[2].priority = XS_PRIORITY_HIGH;
	p[3].priority = XS_PRIORITY_LOW;
	for (i = 0; i < 4; i++) {
		assert_int_equal(xs_spd_add(spd, &p[i], false), 0);
		ids[i] = p[i].id;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pk = pkt(cases[i].src, "192.0.2.1", 6, 1, 2, OUT);
		printf("priority case %zu\n", i);
		assert_int_equal(match_index(spd, ids, 4, &pk), cases[i].want);
	}
	/* lowest priority value wins even over the earlier, broader ones */
	p[3].priority = 0;
	assert_int_equal(xs_spd_add(spd, &p[3], true), 0);
	pk = pkt("10.1.2.3", "192.0.2.1", 6, 1, 2, OUT);
	assert_int_equal(match_index(spd, ids, 4, &pk), 3);
	xs_spd_free(spd);
}

/* For each prefix length: the base address matches, flipping the last
 * bit inside the prefix does not, flipping the first bit outside does. */
static void test_prefixes(void **state)
{
	static const struct {
		const char *base;
		int plen;
		bool dst; /* prefix on the destination side */
	} cases[] = {
		/* 0 */ { "10.20.30.40", 0, false },
		/* 1 */ { "10.20.30.40", 1, false },
		/* 2 */ { "10.20.30.40", 7, false },
		/* 3 */ { "10.20.30.40", 8, true },
		/* 4 */ { "10.20.30.40", 9, false },
		/* 5 */ { "10.20.30.40", 15, true },
		/* 6 */ { "10.20.30.40", 16, false },
		/* 7 */ { "10.20.30.40", 17, false },
		/* 8 */ { "10.20.30.40", 23, true },
		/* 9 */ { "10.20.30.40", 24, false },
		/* 10 */ { "10.20.30.41", 25, false },
		/* 11 */ { "10.20.30.41", 31, true },
		/* 12 */ { "10.20.30.41", 32, false },
		/* 13 */ { "2001:db8:1:2:3:4:5:6", 0, false },
		/* 14 */ { "2001:db8:1:2:3:4:5:6", 1, true },
		/* 15 */ { "2001:db8:1:2:3:4:5:6", 32, false },
		/* 16 */ { "2001:db8:1:2:3:4:5:6", 48, false },
		/* 17 */ { "2001:db8:1:2:3:4:5:6", 63, true },
		/* 18 */ { "2001:db8:1:2:3:4:5:6", 64, false },
		/* 19 */ { "2001:db8:1:2:3:4:5:6", 65, false },
		/* 20 */ { "2001:db8:1:2:3:4:5:7", 127, true },
		/* 21 */ { "2001:db8:1:2:3:4:5:7", 128, false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *base = cases[i].base;
		bool v6 = strchr(base, ':') != NULL;
		const char *any = v6 ? "::" : "0.0.0.0";
		int plen = cases[i].plen, max = v6 ? 128 : 32;
		struct xs_dp dp;
		struct xs_spd *spd = spd_none(&dp);
		struct xs_spolicy sp;
		struct xs_pktsel pk;
		uint8_t *a;

		printf("prefix case %zu\n", i);
		sp = cases[i].dst ? simple(any, 0, base, plen) :
				    simple(base, plen, any, 0);
		assert_int_equal(xs_spd_add(spd, &sp, false), 0);
		pk = pkt(cases[i].dst ? any : base, cases[i].dst ? base : any,
			 17, 1, 1, OUT);
		a = cases[i].dst ? pk.dst : pk.src;
		assert_non_null(xs_spd_lookup(spd, &pk));
		if (plen > 0) {
			a[(plen - 1) / 8] ^= 0x80 >> ((plen - 1) % 8);
			assert_null(xs_spd_lookup(spd, &pk));
			a[(plen - 1) / 8] ^= 0x80 >> ((plen - 1) % 8);
		}
		if (plen < max) {
			a[plen / 8] ^= 0x80 >> (plen % 8);
			assert_non_null(xs_spd_lookup(spd, &pk));
		}
		/* the wrong family never matches */
		pk.family = v6 ? AF_INET : AF_INET6;
		assert_null(xs_spd_lookup(spd, &pk));
		xs_spd_free(spd);
	}
}

static void test_ports_proto(void **state)
{
	struct xs_spolicy p[] = {
		/* 0 */ pol("0.0.0.0", 0, 0, "0.0.0.0", 0, 22, IPPROTO_TCP, IN,
			    IPSEC_POLICY_IPSEC, XS_PRIORITY_HIGH),
		/* 1 */
		pol("0.0.0.0", 0, 500, "0.0.0.0", 0, 500, IPPROTO_UDP, IN,
		    IPSEC_POLICY_BYPASS, XS_PRIORITY_HIGH),
		/* 2: ICMP echo request, any code */
		pol("0.0.0.0", 0, 8, "0.0.0.0", 0, 0, IPPROTO_ICMP, IN,
		    IPSEC_POLICY_BYPASS, XS_PRIORITY_HIGH),
		/* 3: ICMP unreachable / frag needed (type 3 code 4) */
		pol("0.0.0.0", 0, 3, "0.0.0.0", 0, 4, IPPROTO_ICMP, IN,
		    IPSEC_POLICY_BYPASS, XS_PRIORITY_HIGH),
		/* 4: any TCP */
		pol("0.0.0.0", 0, 0, "0.0.0.0", 0, 0, IPPROTO_TCP, IN,
		    IPSEC_POLICY_DISCARD, XS_PRIORITY_DEFAULT),
		/* 5: anything */
		pol("0.0.0.0", 0, 0, "0.0.0.0", 0, 0, ANYP, IN,
		    IPSEC_POLICY_NONE, XS_PRIORITY_LOW),
		/* 6: IPv6 ICMP type 135 (NS) */
		pol("::", 0, 135, "::", 0, 0, IPPROTO_ICMPV6, IN,
		    IPSEC_POLICY_BYPASS, XS_PRIORITY_HIGH),
		/* 7: proto 0 exact (hop-by-hop) is not "any" */
		pol("::", 0, 0, "::", 0, 0, 0, IN, IPSEC_POLICY_DISCARD,
		    XS_PRIORITY_HIGH),
	};
	static const struct {
		const char *src, *dst;
		int proto, sport, dport, dir;
		int want;
	} cases[] = {
		/* 0 */ { "1.1.1.1", "2.2.2.2", IPPROTO_TCP, 40000, 22, IN, 0 },
		/* 1 */ { "1.1.1.1", "2.2.2.2", IPPROTO_TCP, 22, 40000, IN, 4 },
		/* 2 */ { "1.1.1.1", "2.2.2.2", IPPROTO_UDP, 500, 500, IN, 1 },
		/* 3 */ { "1.1.1.1", "2.2.2.2", IPPROTO_UDP, 500, 4500, IN, 5 },
		/* 4 */ { "1.1.1.1", "2.2.2.2", IPPROTO_UDP, 4500, 500, IN, 5 },
		/* 5 */ { "1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 8, 0, IN, 2 },
		/* 6 */ { "1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 8, 1, IN, 2 },
		/* 7 */ { "1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 3, 4, IN, 3 },
		/* 8 */ { "1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 3, 3, IN, 5 },
		/* 9 */ { "1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 0, 0, IN, 5 },
		/* 10 */ { "1.1.1.1", "2.2.2.2", IPPROTO_TCP, 1, 22, OUT, -1 },
		/* 11 */ { "1.1.1.1", "2.2.2.2", IPPROTO_ESP, 0, 0, IN, 5 },
		/* 12 */ { "1.1.1.1", "2.2.2.2", IPPROTO_UDP, 22, 22, IN, 5 },
		/* 13 */ { "fe80::1", "ff02::1", IPPROTO_ICMPV6, 135, 0, IN, 6 },
		/* 14 */ { "fe80::1", "ff02::1", IPPROTO_ICMPV6, 136, 0, IN, -1 },
		/* 15 */ { "fe80::1", "ff02::1", 0, 0, 0, IN, 7 },
		/* 16 */ { "fe80::1", "ff02::1", IPPROTO_TCP, 1, 22, IN, -1 },
	};
	struct xs_dp dp;
	struct xs_spd *spd = spd_none(&dp);
	uint32_t ids[8];
	size_t i, n = sizeof(p) / sizeof(p[0]);

	for (i = 0; i < n; i++) {
		assert_int_equal(xs_spd_add(spd, &p[i], false), 0);
		ids[i] = p[i].id;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xs_pktsel pk = pkt(cases[i].src, cases[i].dst,
					  cases[i].proto, cases[i].sport,
					  cases[i].dport, cases[i].dir);

		printf("ports case %zu\n", i);
		assert_int_equal(match_index(spd, ids, (int)n, &pk),
				 cases[i].want);
	}
	xs_spd_free(spd);
}

/* Non-initial fragments (RFC 4301 7): only selectors with both ports any. */
static void test_fragments(void **state)
{
	struct xs_spolicy p[] = {
		/* 0 */ pol("0.0.0.0", 0, 0, "10.0.0.0", 8, 80, IPPROTO_TCP,
			    OUT, IPSEC_POLICY_IPSEC, 1),
		/* 1 */
		pol("0.0.0.0", 0, 1234, "10.0.0.0", 8, 0, IPPROTO_TCP, OUT,
		    IPSEC_POLICY_IPSEC, 2),
		/* 2 */
		pol("0.0.0.0", 0, 0, "10.0.0.0", 8, 0, IPPROTO_TCP, OUT,
		    IPSEC_POLICY_DISCARD, 3),
		/* 3 */
		pol("0.0.0.0", 0, 0, "10.0.0.0", 8, 0, ANYP, OUT,
		    IPSEC_POLICY_NONE, 4),
	};
	static const struct {
		int proto, sport, dport;
		bool opaque;
		int want;
	} cases[] = {
		/* 0 */ { IPPROTO_TCP, 1234, 80, false, 0 },
		/* 1 */ { IPPROTO_TCP, 1234, 81, false, 1 },
		/* 2 */ { IPPROTO_TCP, 1, 81, false, 2 },
		/* 3 */ { IPPROTO_TCP, 1234, 80, true, 2 },
		/* 4 */ { IPPROTO_TCP, 0, 0, true, 2 },
		/* 5 */ { IPPROTO_UDP, 1234, 80, true, 3 },
	};
	struct xs_dp dp;
	struct xs_spd *spd = spd_none(&dp);
	uint32_t ids[4];
	size_t i;

	for (i = 0; i < 4; i++) {
		assert_int_equal(xs_spd_add(spd, &p[i], false), 0);
		ids[i] = p[i].id;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xs_pktsel pk = pkt("192.0.2.1", "10.1.1.1",
					  cases[i].proto, cases[i].sport,
					  cases[i].dport, OUT);

		pk.opaque_ports = cases[i].opaque;
		printf("fragment case %zu\n", i);
		assert_int_equal(match_index(spd, ids, 4, &pk), cases[i].want);
	}
	xs_spd_free(spd);
}

static int collect(const struct xs_spolicy *sp, void *arg)
{
	uint32_t *ids = arg;

	ids[++ids[0]] = sp->id;
	return 0;
}

static void test_identity(void **state)
{
	struct xs_spolicy a = simple("10.0.0.1", 24, "10.9.0.0", 16);
	struct xs_spolicy b = simple("10.0.0.2", 24, "10.9.0.0", 16);
	struct xs_spolicy c = simple("10.0.0.0", 24, "10.9.0.0", 16);
	struct xs_spolicy d = simple("10.0.0.0", 25, "10.9.0.0", 16);
	struct xs_spolicy got, del;
	uint32_t order[8] = { 0 };
	struct xs_dp dp;
	struct xs_spd *spd = spd_none(&dp);
	struct xs_pktsel pk = pkt("10.0.0.77", "10.9.1.1", 6, 1, 2, OUT);
	uint32_t id_a;

	assert_int_equal(xs_spd_add(spd, &a, false), 0);
	id_a = a.id;
	assert_int_not_equal(id_a, 0);
	assert_int_equal(id_a & 7, XS_DIR_OUT);
	assert_true(a.addtime != 0);
	/* same prefix after masking: the same policy */
	assert_int_equal(xs_spd_add(spd, &b, false), -EEXIST);
	c.dir = IN; /* other direction: another policy */
	assert_int_equal(xs_spd_add(spd, &c, false), 0);
	assert_int_equal(xs_spd_add(spd, &d, false), 0); /* other plen */
	assert_int_not_equal(c.id, d.id);
	assert_int_equal(xs_spd_count(spd), 3);

	/* update replaces in place: id and position kept, new contents */
	b.type = IPSEC_POLICY_NONE;
	assert_int_equal(xs_spd_add(spd, &b, true), 0);
	assert_int_equal(b.id, id_a);
	assert_int_equal(xs_spd_count(spd), 3);
	assert_int_equal(xs_spd_get_id(spd, id_a, &got), 0);
	assert_int_equal(got.type, IPSEC_POLICY_NONE);
	assert_int_equal(xs_spd_lookup(spd, &pk)->id, id_a);
	xs_spd_foreach(spd, collect, order);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], id_a);
	assert_int_equal(order[2], c.id);
	assert_int_equal(order[3], d.id);

	/* update of an absent policy creates it */
	c.dir = FWD;
	assert_int_equal(xs_spd_add(spd, &c, true), 0);
	assert_int_equal(c.id & 7, XS_DIR_FWD);
	assert_int_equal(xs_spd_count(spd), 4);

	/* delete by selector (any host address inside the prefix), by id */
	assert_int_equal(xs_spd_delete(spd, &d.sel, IN, NULL), -ENOENT);
	assert_int_equal(xs_spd_delete(spd, &a.sel, OUT, &del), 0);
	assert_int_equal(del.id, id_a);
	assert_int_equal(xs_spd_get_id(spd, id_a, &got), -ENOENT);
	assert_int_equal(xs_spd_delete_id(spd, id_a, NULL), -ENOENT);
	assert_int_equal(xs_spd_lookup(spd, &pk)->id, d.id);
	assert_int_equal(xs_spd_delete_id(spd, d.id, &del), 0);
	assert_int_equal(del.sel.src.plen, 25);
	assert_null(xs_spd_lookup(spd, &pk));
	assert_int_equal(xs_spd_count(spd), 2);
	assert_int_equal(xs_spd_flush(spd), 0);
	assert_int_equal(xs_spd_count(spd), 0);
	assert_int_equal(xs_spd_get_id(spd, c.id, &got), -ENOENT);
	assert_int_equal(xs_spd_add(spd, &a, false), 0); /* re-add works */
	xs_spd_free(spd);
}

static void test_unique_reqid(void **state)
{
	struct xs_spolicy a = pol("10.0.0.0", 8, 0, "10.1.0.0", 16, 0, ANYP,
				  OUT, IPSEC_POLICY_IPSEC, 0);
	struct xs_spolicy b = a;
	struct xs_dp dp;
	struct xs_spd *spd = spd_none(&dp);

	a.req[0].level = IPSEC_LEVEL_UNIQUE;
	assert_int_equal(xs_spd_add(spd, &a, false), 0);
	assert_true(a.req[0].reqid > IPSEC_MANUAL_REQID_MAX);
	b.dir = IN;
	b.req[0].level = IPSEC_LEVEL_UNIQUE;
	b.req[0].reqid = 7; /* explicit ones are kept */
	assert_int_equal(xs_spd_add(spd, &b, false), 0);
	assert_int_equal(b.req[0].reqid, 7);
	xs_spd_free(spd);
}

static void test_validation(void **state)
{
	static const struct {
		int what, err;
	} cases[] = {
		/* 0 */ { 0, 0 }, /* the valid base */
		/* 1 */ { 1, -EINVAL }, /* dir 0 */
		/* 2 */ { 2, -EINVAL }, /* dir 4 */
		/* 3 */ { 3, -EINVAL }, /* type 5 */
		/* 4 */ { 4, -EINVAL }, /* ipsec without requests */
		/* 5 */ { 5, -EINVAL }, /* discard with a request */
		/* 6 */ { 6, -EINVAL }, /* 5 requests */
		/* 7 */ { 7, -EINVAL }, /* v4 src, v6 dst */
		/* 8 */ { 8, -EINVAL }, /* plen 33 on v4 */
		/* 9 */ { 9, -EINVAL }, /* plen 129 on v6 */
		/* 10 */ { 10, -EOPNOTSUPP }, /* ipcomp */
		/* 11 */ { 11, -EINVAL }, /* request proto udp */
		/* 12 */ { 12, -EINVAL }, /* tunnel without endpoints */
		/* 13 */ { 13, -EINVAL }, /* tunnel endpoints of 2 families */
		/* 14 */ { 14, -EINVAL }, /* transport with endpoints */
		/* 15 */ { 15, -EINVAL }, /* level 4 */
		/* 16 */ { 16, -EINVAL }, /* family 0 */
		/* 17 */ { 17, 0 }, /* v6 /128, tunnel v4 endpoints */
		/* 18 */ { 18, -EINVAL }, /* request mode any */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xs_spolicy sp = pol("10.0.0.0", 8, 0, "10.1.0.0", 16, 0,
					   ANYP, OUT, IPSEC_POLICY_IPSEC, 0);
		struct xs_dp dp;
		struct xs_spd *spd = spd_none(&dp);

		switch (cases[i].what) {
		case 1:
			sp.dir = 0;
			break;
		case 2:
			sp.dir = 4;
			break;
		case 3:
			sp.type = 5;
			break;
		case 4:
			sp.nreq = 0;
			break;
		case 5:
			sp.type = IPSEC_POLICY_DISCARD;
			break;
		case 6:
			sp.nreq = 5;
			break;
		case 7:
			addr(&sp.sel.dst, "::1", 128, 0);
			break;
		case 8:
			sp.sel.src.plen = 33;
			break;
		case 9:
			addr(&sp.sel.src, "::", 129, 0);
			addr(&sp.sel.dst, "::", 0, 0);
			break;
		case 10:
			sp.req[0].proto = IPPROTO_COMP;
			break;
		case 11:
			sp.req[0].proto = IPPROTO_UDP;
			break;
		case 12:
			sp.req[0].mode = IPSEC_MODE_TUNNEL;
			break;
		case 13:
			sp.req[0].mode = IPSEC_MODE_TUNNEL;
			addr(&sp.req[0].src, "1.1.1.1", 32, 0);
			addr(&sp.req[0].dst, "::2", 128, 0);
			break;
		case 14:
			addr(&sp.req[0].src, "1.1.1.1", 32, 0);
			break;
		case 15:
			sp.req[0].level = 4;
			break;
		case 16:
			sp.sel.src.family = sp.sel.dst.family = 0;
			break;
		case 17:
			addr(&sp.sel.src, "2001:db8::1", 128, 0);
			addr(&sp.sel.dst, "2001:db8::2", 128, 0);
			sp.req[0].mode = IPSEC_MODE_TUNNEL;
			addr(&sp.req[0].src, "1.1.1.1", 32, 0);
			addr(&sp.req[0].dst, "2.2.2.2", 32, 0);
			break;
		case 18:
			sp.req[0].mode = IPSEC_MODE_ANY;
			break;
		}
		printf("validation case %zu\n", i);
		assert_int_equal(xs_spd_add(spd, &sp, false), cases[i].err);
		assert_int_equal(xs_spd_count(spd), cases[i].err ? 0 : 1);
		xs_spd_free(spd);
	}
}

/* ------------------------------------------------------------------ */
/* The compile, against real maps                                     */

static int maps_create(struct xs_dp *dp)
{
	LIBBPF_OPTS(bpf_map_create_opts, lpm_opts,
		    .map_flags = BPF_F_NO_PREALLOC);

	xs_dp_init_none(dp);
	dp->spd_masks = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_spd_masks", 4,
				       sizeof(struct xs_spd_mask),
				       2 * XS_SPD_MAX_MASKS, NULL);
	dp->spd_rules = bpf_map_create(BPF_MAP_TYPE_HASH, "t_spd_rules",
				       sizeof(struct xs_spd_key),
				       sizeof(struct xs_spd_rule), TEST_MAXP,
				       NULL);
	dp->spd_policies = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_spd_pol", 4,
					  sizeof(struct xs_policy), TEST_MAXP,
					  NULL);
	dp->state = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_state", 4,
				   sizeof(struct xs_state), 1, NULL);
	dp->spd_prune_src = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "t_prune_src",
					   sizeof(struct xs_spd_pfx_key), 8,
					   2 * TEST_MAXP, &lpm_opts);
	dp->spd_prune_dst = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "t_prune_dst",
					   sizeof(struct xs_spd_pfx_key), 8,
					   2 * TEST_MAXP, &lpm_opts);
	if (dp->spd_masks < 0 || dp->spd_rules < 0 || dp->spd_policies < 0 ||
	    dp->state < 0 || dp->spd_prune_src < 0 || dp->spd_prune_dst < 0) {
		xs_dp_close(dp);
		return -1;
	}
	return 0;
}

/* The in-use masks of the live half, in id order; each at its id's
 * index. */
static int live_masks(struct xs_dp *dp, struct xs_spd_mask *m)
{
	struct xs_state st;
	uint32_t i, k;
	int n = 0;

	assert_int_equal(xs_dp_state_get(dp, &st), 0);
	assert_true(st.spd_active <= 1);
	for (i = 0; i < XS_SPD_MAX_MASKS; i++) {
		k = st.spd_active * XS_SPD_MAX_MASKS + i;
		assert_int_equal(bpf_map_lookup_elem(dp->spd_masks, &k, &m[n]),
				 0);
		if (!m[n].in_use)
			continue;
		assert_int_equal(xs_spd_mask_idx(m[n].id), k);
		n++;
	}
	return n;
}

static uint32_t gen(struct xs_dp *dp)
{
	struct xs_state st;

	assert_int_equal(xs_dp_state_get(dp, &st), 0);
	return st.spd_gen;
}

/* The datapath's prune bitmaps for p: longest matches, ANDed. */
static uint64_t map_candidates(struct xs_dp *dp, const struct xs_pktsel *p,
			       uint8_t half)
{
	struct xs_spd_pfx_key k = {
		.prefixlen = XS_SPD_PFX_HDR_BITS + 128,
		.dir = (uint8_t)(p->dir - 1),
		.family = p->family,
		.half = half,
	};
	uint64_t s, d;

	memcpy(k.addr, p->src, 16);
	if (bpf_map_lookup_elem(dp->spd_prune_src, &k, &s))
		return 0;
	memcpy(k.addr, p->dst, 16);
	if (bpf_map_lookup_elem(dp->spd_prune_dst, &k, &d))
		return 0;
	return s & d;
}

/* The datapath's pruned tuple-space search, over the maps only.  Returns
 * the policy slot or XS_SLOT_NONE. */
static uint32_t map_lookup(struct xs_dp *dp, const struct xs_pktsel *p)
{
	struct xs_spd_mask m;
	struct xs_spd_rule r;
	struct xs_spd_key k;
	struct xs_state st;
	uint64_t best = UINT64_MAX, cand;
	uint32_t slot = XS_SLOT_NONE, i, idx;

	assert_int_equal(xs_dp_state_get(dp, &st), 0);
	cand = map_candidates(dp, p, (uint8_t)st.spd_active);
	for (i = 0; i < XS_SPD_MAX_MASKS; i++) {
		if (!(cand >> i & 1))
			continue;
		idx = st.spd_active * XS_SPD_MAX_MASKS + i;
		assert_int_equal(bpf_map_lookup_elem(dp->spd_masks, &idx, &m),
				 0);
		assert_true(m.in_use); /* no bit of a free mask */
		if (m.best_rank >= best)
			continue;
		if (m.dir != p->dir - 1 || m.family != p->family)
			continue;
		memset(&k, 0, sizeof(k));
		k.mask = m.id;
		k.dir = m.dir;
		k.family = m.family;
		k.proto = m.proto_exact ? p->proto : 0;
		if (!p->opaque_ports) { /* opaque: 0 never equals an exact port */
			k.sport = m.sport_exact ? htons(p->sport) : 0;
			k.dport = m.dport_exact ? htons(p->dport) : 0;
		}
		memcpy(k.src, p->src, 16);
		memcpy(k.dst, p->dst, 16);
		xs_addr_mask(k.src, m.src_plen);
		xs_addr_mask(k.dst, m.dst_plen);
		if (!bpf_map_lookup_elem(dp->spd_rules, &k, &r) &&
		    r.rank < best) {
			best = r.rank;
			slot = r.slot;
		}
	}
	return slot;
}

/* One prefix of the prune maps against a brute force over the rules: its
 * bitmap must be the bits of every rule whose prefix on that side covers
 * it.  Returns how many rules have exactly this prefix. */
static int check_pfx(struct xs_dp *dp, const struct xs_spd_mask *m, int n,
		     bool dst, const struct xs_spd_pfx_key *pk, uint64_t val)
{
	struct xs_spd_key k, *prev = NULL;
	uint64_t want = 0;
	uint32_t plen = pk->prefixlen - XS_SPD_PFX_HDR_BITS;
	uint32_t rplen;
	uint8_t a[16];
	int i, exact = 0;

	while (!bpf_map_get_next_key(dp->spd_rules, prev, &k)) {
		prev = &k;
		for (i = 0; i < n && m[i].id != k.mask; i++)
			;
		assert_true(i < n);
		if (k.dir != pk->dir || k.family != pk->family)
			continue;
		rplen = dst ? m[i].dst_plen : m[i].src_plen;
		if (rplen > plen)
			continue;
		memcpy(a, pk->addr, 16);
		xs_addr_mask(a, rplen);
		if (memcmp(a, dst ? k.dst : k.src, 16))
			continue;
		want |= 1ULL << (k.mask & (XS_SPD_MAX_MASKS - 1));
		exact += rplen == plen;
	}
	assert_int_equal(val, want);
	return exact;
}

/* Every prune entry of the live half right (and none of the other); every
 * rule's prefixes present.  Returns the entries checked. */
static int check_prune(struct xs_dp *dp, const struct xs_spd_mask *m, int n)
{
	struct xs_spd_pfx_key k, *prev;
	struct xs_state st;
	uint64_t val;
	int side, fd, exact, entries = 0;
	size_t rules[2] = { 0, 0 };

	assert_int_equal(xs_dp_state_get(dp, &st), 0);
	for (side = 0; side < 2; side++) {
		fd = side ? dp->spd_prune_dst : dp->spd_prune_src;
		prev = NULL;
		while (!bpf_map_get_next_key(fd, prev, &k)) {
			prev = &k;
			assert_int_equal(k.half, st.spd_active);
			assert_int_equal(bpf_map_lookup_elem(fd, &k, &val), 0);
			exact = check_pfx(dp, m, n, side, &k, val);
			assert_true(exact > 0); /* no entry without a rule */
			rules[side] += (size_t)exact;
			entries++;
		}
	}
	/* each rule counted once per side: every prefix has its entry */
	{
		struct xs_spd_key rk, *rp = NULL;
		size_t nrules = 0;

		while (!bpf_map_get_next_key(dp->spd_rules, rp, &rk)) {
			rp = &rk;
			nrules++;
		}
		assert_int_equal(rules[0], nrules);
		assert_int_equal(rules[1], nrules);
	}
	return entries;
}

/* Masks at their ids' indexes; every rule under a live mask whose
 * best_rank is the minimum of its rules; rule count == policy count; the
 * prune bitmaps exact. */
static void check_consistent(struct xs_dp *dp, struct xs_spd *spd)
{
	struct xs_spd_mask m[XS_SPD_MAX_MASKS];
	uint64_t best[XS_SPD_MAX_MASKS];
	int n = live_masks(dp, m), i, j;
	struct xs_spd_key k, *prev = NULL;
	struct xs_spd_rule r;
	struct xs_policy pv;
	struct xs_spolicy sp;
	size_t nrules = 0;

	for (i = 0; i < n; i++) {
		best[i] = UINT64_MAX;
		for (j = 0; j < i; j++)
			assert_int_not_equal(m[i].id, m[j].id);
	}
	while (!bpf_map_get_next_key(dp->spd_rules, prev, &k)) {
		prev = &k;
		nrules++;
		assert_int_equal(bpf_map_lookup_elem(dp->spd_rules, &k, &r), 0);
		for (i = 0; i < n && m[i].id != k.mask; i++)
			;
		assert_true(i < n); /* rule of a live mask */
		assert_int_equal(k.dir, m[i].dir);
		assert_int_equal(k.family, m[i].family);
		if (r.rank < best[i])
			best[i] = r.rank;
		assert_int_equal(
			bpf_map_lookup_elem(dp->spd_policies, &r.slot, &pv), 0);
		assert_int_equal(xs_spd_get_id(spd, pv.id, &sp), 0);
		assert_int_equal(pv.dir, sp.dir - 1);
		assert_int_equal(pv.action, sp.type);
		assert_int_equal(r.rank >> 32, sp.priority);
	}
	assert_int_equal(nrules, xs_spd_count(spd));
	for (i = 0; i < n; i++)
		assert_true(best[i] == m[i].best_rank);
	check_prune(dp, m, n);
}

static void test_compile_basic(void **state)
{
	struct xs_spolicy a = simple("10.0.0.0", 8, "0.0.0.0", 0);
	struct xs_spolicy b = simple("10.1.0.0", 16, "0.0.0.0", 0);
	struct xs_spolicy c = simple("10.2.0.0", 16, "0.0.0.0", 0);
	struct xs_spd_mask m[XS_SPD_MAX_MASKS];
	struct xs_policy pv;
	struct xs_dp dp;
	struct xs_spd *spd;
	uint32_t g;

	if (maps_create(&dp))
		skip();
	spd = xs_spd_new(&dp, TEST_MAXP);
	assert_non_null(spd);
	assert_int_equal(live_masks(&dp, m), 0);
	g = gen(&dp);
	a.type = IPSEC_POLICY_IPSEC;
	a.nreq = 1;
	a.req[0].proto = IPPROTO_AH;
	a.req[0].mode = IPSEC_MODE_TUNNEL;
	a.req[0].level = IPSEC_LEVEL_UNIQUE;
	a.req[0].reqid = 9;
	addr(&a.req[0].src, "192.0.2.1", 32, 0);
	addr(&a.req[0].dst, "192.0.2.2", 32, 0);
	assert_int_equal(xs_spd_add(spd, &a, false), 0);
	assert_int_not_equal(gen(&dp), g);
	assert_int_equal(live_masks(&dp, m), 1);
	assert_int_equal(m[0].src_plen, 8);
	assert_int_equal(m[0].dir, XS_DIR_OUT);
	assert_false(m[0].proto_exact);
	check_consistent(&dp, spd);
	/* the policy record */
	{
		struct xs_pktsel pk = pkt("10.3.3.3", "1.1.1.1", 6, 1, 2, OUT);
		uint32_t slot = map_lookup(&dp, &pk);

		assert_int_not_equal(slot, XS_SLOT_NONE);
		assert_int_equal(
			bpf_map_lookup_elem(dp.spd_policies, &slot, &pv), 0);
		assert_int_equal(pv.id, a.id);
		assert_int_equal(pv.ntmpl, 1);
		assert_int_equal(pv.tmpl[0].proto, IPPROTO_AH);
		assert_int_equal(pv.tmpl[0].mode, IPSEC_MODE_TUNNEL);
		assert_int_equal(pv.tmpl[0].reqid, 9);
		assert_int_equal(pv.tmpl[0].family, AF_INET);
		assert_memory_equal(pv.tmpl[0].daddr, a.req[0].dst.a, 16);
	}
	/* same mask: no new mask, gen still bumps */
	g = gen(&dp);
	assert_int_equal(xs_spd_add(spd, &b, false), 0);
	assert_int_equal(live_masks(&dp, m), 2);
	assert_int_equal(xs_spd_add(spd, &c, false), 0);
	assert_int_equal(live_masks(&dp, m), 2);
	assert_true(gen(&dp) != g);
	check_consistent(&dp, spd);
	/* raise c above a: its mask's best rank follows */
	c.priority = XS_PRIORITY_HIGH;
	assert_int_equal(xs_spd_add(spd, &c, true), 0);
	assert_int_equal(live_masks(&dp, m), 2);
	assert_int_equal(m[1].src_plen, 16);
	assert_int_equal(m[1].best_rank >> 32, XS_PRIORITY_HIGH);
	check_consistent(&dp, spd);
	/* deleting the only /8 removes its mask */
	g = gen(&dp);
	assert_int_equal(xs_spd_delete_id(spd, a.id, NULL), 0);
	assert_int_equal(live_masks(&dp, m), 1);
	assert_true(gen(&dp) != g);
	check_consistent(&dp, spd);
	assert_int_equal(xs_spd_flush(spd), 0);
	assert_int_equal(live_masks(&dp, m), 0);
	check_consistent(&dp, spd);
	xs_spd_free(spd);
	xs_dp_close(&dp);
}

static void test_mask_limit(void **state)
{
	struct xs_dp dp;
	struct xs_spd *spd = spd_none(&dp);
	struct xs_spolicy sp;
	int i;

	/* 33 src plens x 2 dirs = 66 masks */
	for (i = 0; i < 66; i++) {
		sp = simple("10.0.0.0", i % 33, "0.0.0.0", 0);
		sp.dir = i < 33 ? OUT : IN;
		assert_int_equal(xs_spd_add(spd, &sp, false),
				 i < XS_SPD_MAX_MASKS ? 0 : -ENOSPC);
	}
	assert_int_equal(xs_spd_count(spd), XS_SPD_MAX_MASKS);
	/* an existing mask still takes policies; a freed id is reused */
	sp = simple("11.0.0.0", 8, "0.0.0.0", 0);
	assert_int_equal(xs_spd_add(spd, &sp, false), 0);
	sp = simple("10.0.0.0", 5, "0.0.0.0", 0);
	assert_int_equal(xs_spd_delete(spd, &sp.sel, OUT, NULL), 0);
	sp = simple("10.0.0.0", 31, "0.0.0.0", 0);
	sp.dir = IN;
	assert_int_equal(xs_spd_add(spd, &sp, false), 0);
	xs_spd_free(spd);
}

/* A full spd_rules map makes the add fail: the add is undone. */
static void test_compile_rollback(void **state)
{
	struct xs_spd_mask m[XS_SPD_MAX_MASKS];
	struct xs_spolicy a = simple("10.0.0.0", 8, "0.0.0.0", 0);
	struct xs_spolicy b = simple("10.1.0.0", 16, "0.0.0.0", 0);
	struct xs_spolicy got;
	struct xs_dp dp;
	struct xs_spd *spd;

	if (maps_create(&dp))
		skip();
	close(dp.spd_rules);
	dp.spd_rules = bpf_map_create(BPF_MAP_TYPE_HASH, "t_spd_rules1",
				      sizeof(struct xs_spd_key),
				      sizeof(struct xs_spd_rule), 1, NULL);
	assert_true(dp.spd_rules >= 0);
	spd = xs_spd_new(&dp, TEST_MAXP);
	assert_non_null(spd);
	assert_int_equal(xs_spd_add(spd, &a, false), 0);
	assert_int_equal(xs_spd_add(spd, &b, false), -E2BIG);
	assert_int_equal(xs_spd_count(spd), 1);
	assert_int_equal(xs_spd_get_id(spd, b.id, &got), -ENOENT);
	assert_int_equal(live_masks(&dp, m), 1);
	check_consistent(&dp, spd);
	xs_spd_free(spd);
	xs_dp_close(&dp);
}

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)((rng_state >> 11) % n);
}

static void rnd_addr(uint8_t family, uint8_t a[16])
{
	memset(a, 0, 16);
	if (family == AF_INET) {
		a[0] = 10;
		a[1] = (uint8_t)rnd(2);
		a[2] = (uint8_t)(rnd(4) << 6);
		a[3] = (uint8_t)rnd(4);
	} else {
		a[0] = 0x20;
		a[1] = 0x01;
		a[5] = (uint8_t)rnd(2);
		a[8] = (uint8_t)(rnd(4) << 6);
		a[15] = (uint8_t)rnd(4);
	}
}

static void rnd_policy(struct xs_spolicy *sp)
{
	static const uint8_t p4[] = { 0, 8, 16, 32 }, p6[] = { 0, 48, 128 };
	static const uint8_t protos[] = { ANYP, ANYP, 6, 17, 1 };
	static const uint16_t ports[] = { 0, 0, 0, 22, 500 };
	static const uint32_t prios[] = { XS_PRIORITY_HIGH, XS_PRIORITY_DEFAULT,
					  XS_PRIORITY_DEFAULT,
					  XS_PRIORITY_LOW };
	uint8_t fam = rnd(4) ? AF_INET : AF_INET6;
	const uint8_t *pl = fam == AF_INET ? p4 : p6;
	uint32_t npl = fam == AF_INET ? 4 : 3;

	memset(sp, 0, sizeof(*sp));
	sp->sel.src.family = sp->sel.dst.family = fam;
	rnd_addr(fam, sp->sel.src.a);
	rnd_addr(fam, sp->sel.dst.a);
	sp->sel.src.plen = pl[rnd(npl)];
	sp->sel.dst.plen = pl[rnd(npl)];
	sp->sel.proto = protos[rnd(5)];
	sp->sel.src.port = ports[rnd(5)];
	sp->sel.dst.port = ports[rnd(5)];
	sp->dir = rnd(2) ? OUT : IN;
	sp->type = (uint8_t)(rnd(2) ? IPSEC_POLICY_DISCARD : IPSEC_POLICY_NONE);
	sp->priority = prios[rnd(4)];
}

static void rnd_packet(struct xs_pktsel *p)
{
	static const uint8_t protos[] = { 6, 17, 1, 50 };
	static const uint16_t ports[] = { 0, 22, 500, 1000 };

	memset(p, 0, sizeof(*p));
	p->family = rnd(4) ? AF_INET : AF_INET6;
	rnd_addr(p->family, p->src);
	rnd_addr(p->family, p->dst);
	p->proto = protos[rnd(4)];
	p->sport = ports[rnd(4)];
	p->dport = ports[rnd(4)];
	p->opaque_ports = rnd(8) == 0;
	p->dir = rnd(2) ? OUT : IN;
}

/* Oracle (xs_spd_lookup) and maps agree on npkt random packets. */
static int compare_lookups(struct xs_dp *dp, struct xs_spd *spd, int npkt)
{
	struct xs_pktsel p;
	struct xs_policy pv;
	int i, hits = 0;

	for (i = 0; i < npkt; i++) {
		const struct xs_spolicy *sp;
		uint32_t slot;

		rnd_packet(&p);
		sp = xs_spd_lookup(spd, &p);
		slot = map_lookup(dp, &p);
		if (!sp) {
			assert_int_equal(slot, XS_SLOT_NONE);
			continue;
		}
		hits++;
		assert_int_not_equal(slot, XS_SLOT_NONE);
		assert_int_equal(
			bpf_map_lookup_elem(dp->spd_policies, &slot, &pv), 0);
		assert_int_equal(pv.id, sp->id);
	}
	return hits;
}

static void test_compile_random(void **state)
{
	struct xs_spolicy sp;
	struct xs_dp dp;
	struct xs_spd *spd;
	uint32_t ids[600];
	int round, i, n = 0, err, hits, nospc = 0;

	if (maps_create(&dp))
		skip();
	spd = xs_spd_new(&dp, TEST_MAXP);
	assert_non_null(spd);
	rng_state = 0x9e3779b97f4a7c15ull;
	for (round = 0; round < 4; round++) {
		while (n < 150 * (round + 1)) {
			rnd_policy(&sp);
			err = xs_spd_add(spd, &sp, rnd(4) == 0);
			if (err == -EEXIST || err == -ENOSPC) {
				nospc += err == -ENOSPC;
				continue;
			}
			assert_int_equal(err, 0);
			for (i = 0; i < n && ids[i] != sp.id; i++)
				;
			if (i == n) /* else an update: it kept its id */
				ids[n++] = sp.id;
		}
		check_consistent(&dp, spd);
		hits = compare_lookups(&dp, spd, 3000);
		printf("round %d: %zu policies, %d/3000 matched, %d ENOSPC\n",
		       round, xs_spd_count(spd), hits, nospc);
		assert_true(hits > 100);
		/* delete about a third */
		for (i = 0; i < n; i++) {
			if (rnd(3))
				continue;
			assert_int_equal(xs_spd_delete_id(spd, ids[i], NULL),
					 0);
			ids[i--] = ids[--n];
		}
		check_consistent(&dp, spd);
		compare_lookups(&dp, spd, 2000);
	}
	xs_spd_free(spd);
	xs_dp_close(&dp);
}

/* ------------------------------------------------------------------ */
/* Taking over the tables of a previous run (xs_spd_resync)           */

/* What the spd_rules map holds: its keys and the slots they point at. */
struct rules_snap {
	struct xs_spd_key keys[TEST_MAXP];
	uint8_t slots[TEST_MAXP];
	size_t n;
};

static void rules_snapshot(struct xs_dp *dp, struct rules_snap *s)
{
	struct xs_spd_key k, *prev = NULL;
	struct xs_spd_rule r;

	memset(s->slots, 0, sizeof(s->slots));
	s->n = 0;
	while (!bpf_map_get_next_key(dp->spd_rules, prev, &k)) {
		assert_true(s->n < TEST_MAXP);
		assert_int_equal(bpf_map_lookup_elem(dp->spd_rules, &k, &r), 0);
		assert_true(r.slot < TEST_MAXP);
		s->slots[r.slot] = 1;
		s->keys[s->n++] = k;
		prev = &s->keys[s->n - 1];
	}
}

/* An ipsec policy whose unique reqid tags it (run * 1000 + index), so
 * that a policy slot's contents tell which run and policy wrote it. */
static void tagged_policy(struct xs_spolicy *sp, uint32_t tag)
{
	rnd_policy(sp);
	sp->type = IPSEC_POLICY_IPSEC;
	sp->nreq = 1;
	sp->req[0].proto = rnd(2) ? IPPROTO_ESP : IPPROTO_AH;
	sp->req[0].mode = IPSEC_MODE_TRANSPORT;
	sp->req[0].level = IPSEC_LEVEL_UNIQUE;
	sp->req[0].reqid = tag;
}

/* Add n random tagged policies (plus the given shared ones first). */
static int fill(struct xs_spd *spd, const struct xs_spolicy *shared,
		int nshared, int n, uint32_t run, struct xs_spolicy *out)
{
	struct xs_spolicy sp;
	int i, got = 0, err;

	for (i = 0; i < nshared; i++) {
		sp = shared[i];
		sp.id = 0;
		sp.req[0].reqid = run * 1000 + (uint32_t)got;
		if (i % 3 == 0) /* same selector, another priority */
			sp.priority = sp.priority == XS_PRIORITY_HIGH ?
					      XS_PRIORITY_LOW :
					      XS_PRIORITY_HIGH;
		assert_int_equal(xs_spd_add(spd, &sp, false), 0);
		out[got++] = sp;
	}
	while (got < nshared + n) {
		tagged_policy(&sp, run * 1000 + (uint32_t)got);
		err = xs_spd_add(spd, &sp, false);
		if (err == -EEXIST || err == -ENOSPC)
			continue;
		assert_int_equal(err, 0);
		out[got++] = sp;
	}
	return got;
}

/* Every rule's policy slot holds spd's policy of that id, with the same
 * contents (tag included); the rule's rank has its priority. */
static void check_slots(struct xs_dp *dp, struct xs_spd *spd,
			const struct rules_snap *s)
{
	struct xs_spd_rule r;
	struct xs_policy pv;
	struct xs_spolicy sp;
	size_t i;

	for (i = 0; i < s->n; i++) {
		assert_int_equal(
			bpf_map_lookup_elem(dp->spd_rules, &s->keys[i], &r), 0);
		assert_int_equal(
			bpf_map_lookup_elem(dp->spd_policies, &r.slot, &pv), 0);
		assert_int_equal(xs_spd_get_id(spd, pv.id, &sp), 0);
		assert_int_equal(pv.action, sp.type);
		assert_int_equal(pv.dir, sp.dir - 1);
		assert_int_equal(pv.ntmpl, sp.nreq);
		assert_int_equal(pv.tmpl[0].proto, sp.req[0].proto);
		assert_int_equal(pv.tmpl[0].reqid, sp.req[0].reqid);
		assert_int_equal(r.rank >> 32, sp.priority);
	}
}

/* Like compare_lookups, also checking the slot's tag. */
static int compare_tagged(struct xs_dp *dp, struct xs_spd *spd, int npkt)
{
	struct xs_pktsel p;
	struct xs_policy pv;
	int i, hits = 0;

	for (i = 0; i < npkt; i++) {
		const struct xs_spolicy *sp;
		uint32_t slot;

		rnd_packet(&p);
		sp = xs_spd_lookup(spd, &p);
		slot = map_lookup(dp, &p);
		if (!sp) {
			assert_int_equal(slot, XS_SLOT_NONE);
			continue;
		}
		hits++;
		assert_int_not_equal(slot, XS_SLOT_NONE);
		assert_int_equal(
			bpf_map_lookup_elem(dp->spd_policies, &slot, &pv), 0);
		assert_int_equal(pv.id, sp->id);
		assert_int_equal(pv.tmpl[0].reqid, sp->req[0].reqid);
	}
	return hits;
}

/* Every live mask id and every rule key in the half "high". */
static void check_half(struct xs_dp *dp, const struct rules_snap *s, bool high)
{
	struct xs_spd_mask m[XS_SPD_MAX_MASKS];
	int n = live_masks(dp, m), i;
	size_t j;

	assert_true(n > 0);
	for (i = 0; i < n; i++)
		assert_int_equal(!!(m[i].id & 0x8000), high);
	for (j = 0; j < s->n; j++)
		assert_int_equal(!!(s->keys[j].mask & 0x8000), high);
}

static bool slots_disjoint(const struct rules_snap *a,
			   const struct rules_snap *b)
{
	size_t i;

	for (i = 0; i < TEST_MAXP; i++)
		if (a->slots[i] && b->slots[i])
			return false;
	return true;
}

/* "Forget" an SPD without touching the maps, as a daemon that exits. */
static void spd_abandon(struct xs_spd *spd, struct xs_dp *its_dp)
{
	xs_dp_init_none(its_dp);
	xs_spd_free(spd);
}

/* One restart: next (filled on no maps) takes over from what dp holds
 * (written by prev); returns the snapshot after the take-over. */
static void restart(struct xs_dp *dp, struct xs_spd *next, struct xs_dp *ndp,
		    bool high, struct rules_snap *before,
		    struct rules_snap *after)
{
	uint32_t g = gen(dp);
	size_t i;

	rules_snapshot(dp, before);
	*ndp = *dp;
	assert_int_equal(xs_spd_resync(next, ndp), 0);
	assert_int_not_equal(gen(dp), g);
	rules_snapshot(dp, after);
	assert_int_equal(after->n, xs_spd_count(next));
	check_half(dp, after, high);
	/* no rule of the previous run left */
	for (i = 0; i < before->n; i++) {
		struct xs_spd_rule r;

		assert_int_not_equal(bpf_map_lookup_elem(dp->spd_rules,
							 &before->keys[i], &r),
				     0);
	}
	/* the previous run's rules stayed valid until the flip: none of
	 * the slots they pointed at was reused */
	assert_true(slots_disjoint(before, after));
	check_consistent(dp, next);
	check_slots(dp, next, after);
	assert_true(compare_tagged(dp, next, 4000) > 100);
}

static void test_resync(void **state)
{
	static struct rules_snap before, after;
	static struct xs_spolicy pa[300], pb[300], pc[300];
	struct xs_dp dp, dpa, dpb, dpc, none;
	struct xs_spd *a, *b, *c;
	struct xs_spolicy sp;
	int na, nb, nc, i, err;

	if (maps_create(&dp))
		skip();
	rng_state = 0x243f6a8885a308d3ull;
	/* the previous run: A on the maps */
	dpa = dp;
	a = xs_spd_new(&dpa, TEST_MAXP);
	assert_non_null(a);
	na = fill(a, NULL, 0, 200, 1, pa);
	check_consistent(&dp, a);
	rules_snapshot(&dp, &before);
	check_half(&dp, &before, false);

	/* this run: B built in memory: 80 of A's (a third re-prioritised),
	 * 120 gone, 100 new */
	b = spd_none(&none);
	nb = fill(b, pa, 80, 100, 2, pb);
	assert_int_equal(nb, 180);
	/* A's rules still answer until B takes over */
	assert_true(compare_tagged(&dp, a, 1000) > 50);
	restart(&dp, b, &dpb, true, &before, &after);
	spd_abandon(a, &dpa);
	assert_int_equal(na, 200);

	/* B runs as usual on the maps */
	for (i = 0; i < 60; i++) {
		tagged_policy(&sp, 2500 + (uint32_t)i);
		err = xs_spd_add(b, &sp, rnd(4) == 0);
		if (err != -EEXIST && err != -ENOSPC)
			assert_int_equal(err, 0);
	}
	for (i = 0; i < nb; i += 3)
		assert_int_equal(xs_spd_delete_id(b, pb[i].id, NULL), 0);
	check_consistent(&dp, b);
	rules_snapshot(&dp, &after);
	check_half(&dp, &after, true);
	check_slots(&dp, b, &after);
	assert_true(compare_tagged(&dp, b, 3000) > 100);

	/* a second restart flips back to the low half */
	c = spd_none(&none);
	nc = fill(c, pb + 1, 50, 50, 3, pc);
	assert_int_equal(nc, 100);
	restart(&dp, c, &dpc, false, &before, &after);
	spd_abandon(b, &dpb);
	assert_int_equal(xs_spd_flush(c), 0);
	check_consistent(&dp, c);
	xs_spd_free(c);
	xs_dp_close(&dp);
}

/* A take-over that fails half-way (spd_rules full) leaves the previous
 * run's tables enforcing exactly what they did. */
static void test_resync_fail(void **state)
{
	struct xs_spd_mask m0[XS_SPD_MAX_MASKS], m1[XS_SPD_MAX_MASKS];
	static struct rules_snap before, after;
	static struct xs_spolicy pa[100], pb[100];
	struct xs_dp dp, dpa, dpb, none;
	struct xs_spd *a, *b;
	uint32_t g;
	int n0, err;

	if (maps_create(&dp))
		skip();
	close(dp.spd_rules);
	dp.spd_rules = bpf_map_create(BPF_MAP_TYPE_HASH, "t_spd_rules2",
				      sizeof(struct xs_spd_key),
				      sizeof(struct xs_spd_rule), 120, NULL);
	assert_true(dp.spd_rules >= 0);
	rng_state = 0x13198a2e03707344ull;
	dpa = dp;
	a = xs_spd_new(&dpa, TEST_MAXP);
	assert_non_null(a);
	fill(a, NULL, 0, 80, 1, pa);
	rules_snapshot(&dp, &before);
	n0 = live_masks(&dp, m0);
	g = gen(&dp);

	b = spd_none(&none);
	fill(b, NULL, 0, 80, 2, pb); /* 80 + 80 > 120 */
	dpb = dp;
	err = xs_spd_resync(b, &dpb);
	assert_int_equal(err, -E2BIG);
	/* nothing flipped: the same live masks, A's rules and slots */
	assert_int_equal(gen(&dp), g);
	assert_int_equal(live_masks(&dp, m1), n0);
	assert_memory_equal(m0, m1, (size_t)n0 * sizeof(m0[0]));
	check_slots(&dp, a, &before);
	assert_true(compare_tagged(&dp, a, 4000) > 100);
	rules_snapshot(&dp, &after);
	assert_true(after.n > before.n); /* B's partial rules: not live */
	spd_abandon(b, &dpb);
	spd_abandon(a, &dpa);
	xs_dp_close(&dp);
}

/* A take-over that died half-way leaves rules in the half the next run
 * takes: they must not survive its take-over (they are keyed by mask ids
 * that run reuses). */
static void test_resync_stale_half(void **state)
{
	static struct rules_snap snap;
	static struct xs_spolicy pa[100];
	struct xs_spd_pfx_key pk6;
	uint64_t nobits = 0;
	struct xs_spd_key k;
	struct xs_spd_rule r;
	struct xs_policy pv;
	struct xs_dp dp, dpa, dpc, none;
	struct xs_spd *a, *c;
	struct xs_spolicy sp;
	struct xs_pktsel pk;
	uint32_t slot;

	if (maps_create(&dp))
		skip();
	rng_state = 0x452821e638d01377ull;
	dpa = dp;
	a = xs_spd_new(&dpa, TEST_MAXP);
	assert_non_null(a);
	fill(a, NULL, 0, 20, 1, pa);
	/* a dead run's rule: 11/8 -> any out under mask id 0x8000, which
	 * the next run gives its 10/8 -> any out policy */
	memset(&k, 0, sizeof(k));
	k.mask = 0x8000;
	k.dir = XS_DIR_OUT;
	k.family = AF_INET;
	k.src[0] = 11;
	memset(&r, 0, sizeof(r));
	r.rank = 0;
	r.slot = TEST_MAXP - 1;
	memset(&pv, 0, sizeof(pv));
	pv.id = 0xdead;
	pv.action = IPSEC_POLICY_BYPASS;
	assert_int_equal(bpf_map_update_elem(dp.spd_policies, &r.slot, &pv, 0),
			 0);
	assert_int_equal(bpf_map_update_elem(dp.spd_rules, &k, &r, 0), 0);
	/* and its bitmap at 10.1/16, empty: left there, it would hide the
	 * next run's 10/8 from 10.1.x.x */
	memset(&pk6, 0, sizeof(pk6));
	pk6.prefixlen = XS_SPD_PFX_HDR_BITS + 16;
	pk6.dir = XS_DIR_OUT;
	pk6.family = AF_INET;
	pk6.half = 1;
	pk6.addr[0] = 10;
	pk6.addr[1] = 1;
	assert_int_equal(
		bpf_map_update_elem(dp.spd_prune_src, &pk6, &nobits, 0), 0);
	/* this run: one policy whose mask is 10/8 -> any out too */
	c = spd_none(&none);
	sp = simple("10.0.0.0", 8, "0.0.0.0", 0);
	sp.priority = XS_PRIORITY_LOW;
	assert_int_equal(xs_spd_add(c, &sp, false), 0);
	dpc = dp;
	assert_int_equal(xs_spd_resync(c, &dpc), 0);
	rules_snapshot(&dp, &snap);
	pk = pkt("11.1.1.1", "192.0.2.1", 6, 1, 2, OUT);
	slot = map_lookup(&dp, &pk);
	assert_int_equal(snap.n, xs_spd_count(c));
	assert_int_not_equal(slot, TEST_MAXP - 1);
	pk = pkt("10.1.1.1", "192.0.2.1", 6, 1, 2, OUT);
	slot = map_lookup(&dp, &pk);
	assert_int_not_equal(slot, XS_SLOT_NONE);
	assert_int_equal(bpf_map_lookup_elem(dp.spd_policies, &slot, &pv), 0);
	assert_int_equal(pv.id, sp.id);
	check_consistent(&dp, c);
	spd_abandon(a, &dpa);
	spd_abandon(c, &dpc);
	xs_dp_close(&dp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_ports_proto),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_unique_reqid),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_mask_limit),
		cmocka_unit_test(test_compile_basic),
		cmocka_unit_test(test_compile_rollback),
		cmocka_unit_test(test_compile_random),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_resync_fail),
		cmocka_unit_test(test_resync_stale_half),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
