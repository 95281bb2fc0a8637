// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tc_egress fixtures (bpf_prog_test_run_opts): outbound SPD decisions,
 * SA presence per request level, the hand-off redirect and fail-closed
 * behaviour.  The SPD is filled through ctl/daemon/spd.c, SAs through
 * ctl/daemon/dp.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>
#include <linux/pkt_cls.h>
#include "../../ctl/daemon/spd.h"
#include "../lib/fixture.h"

#define OUT IPSEC_DIR_OUTBOUND
#define ANY 255 /* prefix length 0 */
#define TRANS(p, lev, id)                              \
	{                                              \
		p, IPSEC_MODE_TRANSPORT, lev, id, 0, 0 \
	}
#define TUN(lev, s, d)                                       \
	{                                                    \
		IPPROTO_ESP, IPSEC_MODE_TUNNEL, lev, 0, s, d \
	}
#define P4(d, plen, ...)                                             \
	{                                                            \
		.dir = OUT, .src = "10.0.0.0", .dst = d, .splen = 8, \
		.dplen = plen, __VA_ARGS__                           \
	}
#define REQ1(r) .type = IPSEC_POLICY_IPSEC, .nreq = 1, .req = { r }

static const struct xt_pol policies[] = {
	P4("10.20.0.0", 16, REQ1(TRANS(IPPROTO_ESP, IPSEC_LEVEL_REQUIRE, 0))),
	P4("10.21.0.0", 16, REQ1(TRANS(IPPROTO_ESP, IPSEC_LEVEL_USE, 0))),
	P4("10.22.0.0", 16,
	   REQ1(TUN(IPSEC_LEVEL_REQUIRE, "192.0.2.1", "192.0.2.2"))),
	P4("10.23.0.0", 16,
	   REQ1(TUN(IPSEC_LEVEL_REQUIRE, "192.0.2.1", "192.0.2.3"))),
	P4("10.24.0.0", 16, REQ1(TRANS(IPPROTO_ESP, IPSEC_LEVEL_UNIQUE, 5))),
	P4("10.25.0.0", 16, .type = IPSEC_POLICY_DISCARD),
	P4("10.26.0.0", 16, .type = IPSEC_POLICY_NONE),
	P4("10.27.0.0", 16, .type = IPSEC_POLICY_IPSEC, .nreq = 2,
	   .req = { TRANS(IPPROTO_ESP, IPSEC_LEVEL_USE, 0),
		    TRANS(IPPROTO_AH, IPSEC_LEVEL_REQUIRE, 0) }),
	P4("10.28.0.0", 16, REQ1(TRANS(IPPROTO_ESP, IPSEC_LEVEL_DEFAULT, 0))),
	P4("10.29.0.0", 16, .type = IPSEC_POLICY_ENTRUST),
	/* a port policy: only tcp to port 80 is protected */
	P4("10.30.0.0", 16, .proto = IPPROTO_TCP, .dport = 80,
	   REQ1(TRANS(IPPROTO_ESP, IPSEC_LEVEL_REQUIRE, 0))),
	{ .dir = OUT,
	  .src = "::",
	  .dst = "::",
	  .splen = ANY,
	  .dplen = ANY,
	  REQ1(TRANS(IPPROTO_ESP, IPSEC_LEVEL_REQUIRE, 0)) },
};

static const struct {
	uint8_t proto, mode;
	uint32_t reqid;
	const char *src, *dst;
} sas[] = {
	{ IPPROTO_ESP, IPSEC_MODE_TRANSPORT, 0, "10.0.0.1", "10.20.0.5" },
	{ IPPROTO_ESP, IPSEC_MODE_TRANSPORT, 0, "10.0.0.1", "10.21.0.5" },
	{ IPPROTO_ESP, IPSEC_MODE_TUNNEL, 0, "192.0.2.1", "192.0.2.2" },
	{ IPPROTO_ESP, IPSEC_MODE_TRANSPORT, 5, "10.0.0.1", "10.24.0.5" },
	{ IPPROTO_ESP, IPSEC_MODE_TRANSPORT, 0, "10.0.0.1", "10.24.0.6" },
	{ IPPROTO_AH, IPSEC_MODE_TRANSPORT, 0, "10.0.0.1", "10.27.0.5" },
	{ IPPROTO_ESP, IPSEC_MODE_TRANSPORT, 0, "10.0.0.1", "10.30.0.5" },
	{ IPPROTO_ESP, IPSEC_MODE_TRANSPORT, 0, "2001:db8::1", "2001:db8::2" },
};

#define SA_SLOT(i) (100 + (uint32_t)(i)) /* sas[i]'s slot */

struct ctx {
	struct xt_env env;
	struct xs_spd *spd;
};

static int set_handoff(struct ctx *c, uint32_t ifindex)
{
	struct xs_state st;

	if (xs_dp_state_get(&c->env.dp, &st))
		return -1;
	st.handoff_ifindex = ifindex;
	return xs_dp_state_set(&c->env.dp, &st);
}

/* IPv4 forwarding on the loopback the test runs see (skb->dev): on, the
 * FIB lookup of a tunnel's next hop runs (and finds no route here); off,
 * bpf_fib_lookup refuses and tc_egress keeps the packet's own next hop. */
static int lo_forwarding(int on)
{
	FILE *f = fopen("/proc/sys/net/ipv4/conf/lo/forwarding", "w");
	int err;

	if (!f)
		return -1;
	err = fputs(on ? "1\n" : "0\n", f) < 0;
	return fclose(f) || err ? -1 : 0;
}

static int setup(void **state)
{
	static struct ctx c;
	size_t i;
	int err;

	/* a namespace of our own: forwarding is ours to set */
	if (unshare(CLONE_NEWNET) || lo_forwarding(1)) {
		perror("private network namespace");
		return -1;
	}
	err = xt_env_setup(&c.env);
	if (err) {
		fprintf(stderr, "env setup: %s\n", strerror(-err));
		return -1;
	}
	*state = &c;
	c.spd = xs_spd_new(&c.env.dp, 1024);
	if (!c.spd)
		return -1;
	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
		err = xt_pol_add(c.spd, &policies[i]);
		if (err) {
			fprintf(stderr, "policy %zu: %s\n", i, strerror(-err));
			return -1;
		}
	}
	for (i = 0; i < sizeof(sas) / sizeof(sas[0]); i++)
		if (xt_sa_out_add(&c.env, sas[i].proto, sas[i].mode,
				  sas[i].reqid, sas[i].src, sas[i].dst,
				  SA_SLOT(i)))
			return -1;
	return set_handoff(&c, c.env.ifindex);
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

#define V4(d) .src = "10.0.0.1", .dst = d
#define V6(d) .src = "2001:db8::1", .dst = d
#define EG XT_EGRESS
/* One fixture: name, verdict, counter (XS_CNT_ suffix), packet fields. */
#define E(n, v, cnt, ...)                               \
	{                                               \
		n, EG, { __VA_ARGS__ }, v, XS_CNT_##cnt \
	}

static const struct xt_case egress_cases[] = {
	E("arp", TC_ACT_OK, tx_bypass_nd, .arp = true),
	E("not ip", TC_ACT_OK, tx_pass, .ethertype = 0x88cc),
	E("nd ns vs require any", TC_ACT_OK, tx_bypass_nd, V6("ff02::1:ff00:3"),
	  .proto = IPPROTO_ICMPV6, .sport = 135),
	E("nd na vs require any", TC_ACT_OK, tx_bypass_nd, V6("2001:db8::3"),
	  .proto = IPPROTO_ICMPV6, .sport = 136),
	E("nd rs in vlan", TC_ACT_OK, tx_bypass_nd, V6("ff02::2"),
	  .proto = IPPROTO_ICMPV6, .sport = 133, .nvlan = 1),
	E("require with sa", TC_ACT_REDIRECT, tx_steer, V4("10.20.0.5")),
	E("require with sa, tcp", TC_ACT_REDIRECT, tx_steer, V4("10.20.0.5"),
	  .proto = IPPROTO_TCP, .dport = 22),
	E("require with sa, 2 vlans", TC_ACT_REDIRECT, tx_steer,
	  V4("10.20.0.5"), .nvlan = 2),
	E("require without sa", TC_ACT_SHOT, drop_no_sa_out, V4("10.20.0.6")),
	E("use with sa", TC_ACT_REDIRECT, tx_steer, V4("10.21.0.5")),
	E("use without sa", TC_ACT_OK, tx_pass, V4("10.21.0.6")),
	/* the fixture's namespace (forwarding on) has no route to the
	 * tunnel endpoint 192.0.2.2; tests/e2e/80-tunnel.sh has one */
	E("tunnel with sa, no route to its endpoint", TC_ACT_SHOT,
	  drop_tun_route, V4("10.22.0.9")),
	E("tunnel without sa", TC_ACT_SHOT, drop_no_sa_out, V4("10.23.0.9")),
	E("unique with its reqid", TC_ACT_REDIRECT, tx_steer, V4("10.24.0.5")),
	E("unique, only a reqid 0 sa", TC_ACT_SHOT, drop_no_sa_out,
	  V4("10.24.0.6")),
	E("discard", TC_ACT_SHOT, drop_policy_discard, V4("10.25.0.1")),
	E("raw esp vs discard", TC_ACT_SHOT, drop_policy_discard,
	  V4("10.25.0.1"), .proto = IPPROTO_ESP, .spi = 0x100),
	E("raw esp vs require with sa", TC_ACT_REDIRECT, tx_steer,
	  V4("10.20.0.5"), .proto = IPPROTO_ESP, .spi = 0x100),
	E("none", TC_ACT_OK, tx_pass, V4("10.26.0.1")),
	E("bundle: use without, require with sa", TC_ACT_REDIRECT, tx_steer,
	  V4("10.27.0.5")),
	E("bundle: require without sa", TC_ACT_SHOT, drop_no_sa_out,
	  V4("10.27.0.6")),
	E("level default (use) without sa", TC_ACT_OK, tx_pass,
	  V4("10.28.0.1")),
	E("entrust is no match", TC_ACT_OK, tx_pass, V4("10.29.0.1")),
	E("no policy", TC_ACT_OK, tx_pass, V4("10.99.0.1")),
	E("port policy: tcp 80", TC_ACT_REDIRECT, tx_steer, V4("10.30.0.5"),
	  .proto = IPPROTO_TCP, .dport = 80),
	E("port policy: tcp 81", TC_ACT_OK, tx_pass, V4("10.30.0.5"),
	  .proto = IPPROTO_TCP, .dport = 81),
	E("port policy: non-initial fragment", TC_ACT_OK, tx_pass,
	  V4("10.30.0.5"), .proto = IPPROTO_TCP, .frag = 20),
	E("v6 require with sa", TC_ACT_REDIRECT, tx_steer, V6("2001:db8::2")),
	E("v6 require with sa, 3 ext headers", TC_ACT_REDIRECT, tx_steer,
	  V6("2001:db8::2"), .next = 3),
	E("v6 require without sa", TC_ACT_SHOT, drop_no_sa_out,
	  V6("2001:db8::3")),
	E("v6 ext chain of 9", TC_ACT_SHOT, drop_exthdr_chain,
	  V6("2001:db8::2"), .next = 9),
	/* (test_run refuses skbs shorter than their IP header) */
	E("ipv4 tot_len beyond frame", TC_ACT_SHOT, drop_malformed,
	  V4("10.26.0.1"), .payload = 20, .trunc = 14 + 20 + 8 + 10),
	E("truncated tcp", TC_ACT_SHOT, drop_malformed, V4("10.26.0.1"),
	  .proto = IPPROTO_TCP, .trunc = 14 + 20 + 10),
	E("truncated ipv6 ext header", TC_ACT_SHOT, drop_malformed,
	  V6("2001:db8::2"), .next = 2, .trunc = 14 + 40 + 4),
};

static void run_table(struct ctx *c, const struct xt_case *t, size_t n)
{
	assert_int_equal(xt_run_table(&c->env, t, n), 0);
}

static void test_egress_table(void **state)
{
	run_table(*state, egress_cases,
		  sizeof(egress_cases) / sizeof(egress_cases[0]));
}

/* No hand-off device: protected traffic is dropped, clear traffic not. */
static void test_no_handoff(void **state)
{
	static const struct xt_case t[] = {
		E("require with sa, no handoff", TC_ACT_SHOT, drop_no_worker,
		  V4("10.20.0.5")),
		E("use without sa, no handoff", TC_ACT_OK, tx_pass,
		  V4("10.21.0.6")),
		E("none, no handoff", TC_ACT_OK, tx_pass, V4("10.26.0.1")),
	};
	struct ctx *c = *state;

	assert_int_equal(set_handoff(c, 0), 0);
	run_table(c, t, sizeof(t) / sizeof(t[0]));
	assert_int_equal(set_handoff(c, c->env.ifindex), 0);
}

static void with_config(struct ctx *c, const struct xs_config *cfg,
			const struct xt_case *t, size_t n)
{
	struct xs_config def;

	xt_config_defaults(&def);
	assert_int_equal(xs_dp_config_set(&c->env.dp, cfg), 0);
	run_table(c, t, n);
	assert_int_equal(xs_dp_config_set(&c->env.dp, &def), 0);
}

static void test_def_policy(void **state)
{
	static const struct xt_case t[] = {
		E("no policy, def_policy 0", TC_ACT_SHOT, drop_default_discard,
		  V4("10.99.0.1")),
		E("entrust, def_policy 0", TC_ACT_SHOT, drop_default_discard,
		  V4("10.29.0.1")),
		E("arp, def_policy 0", TC_ACT_OK, tx_bypass_nd, .arp = true),
		E("none, def_policy 0", TC_ACT_OK, tx_pass, V4("10.26.0.1")),
	};
	struct xs_config cfg;

	xt_config_defaults(&cfg);
	cfg.ip4_def_policy = 0;
	with_config(*state, &cfg, t, sizeof(t) / sizeof(t[0]));
}

static void test_deflev_require(void **state)
{
	static const struct xt_case t[] = {
		E("level default (require) without sa", TC_ACT_SHOT,
		  drop_no_sa_out, V4("10.28.0.1")),
	};
	struct xs_config cfg;

	xt_config_defaults(&cfg);
	cfg.ip4_esp_trans_deflev = IPSEC_LEVEL_REQUIRE;
	with_config(*state, &cfg, t, 1);
}

/* A steered frame's source MAC says which NIC and which SA (the first
 * request that has one); the rest of the frame is unchanged. */
static void expect_mark(struct ctx *c, const char *dst, uint32_t sa_slot)
{
	const struct xt_spec spec = { V4(dst) };
	static struct xt_out out;
	uint8_t want[6] = { XS_ETH_META_MARK, 0 /* lo is slot 0 */ };
	uint32_t be = htonl(sa_slot);
	struct xt_pkt p;

	memcpy(want + 2, &be, 4);
	xt_build(&p, &spec);
	assert_int_equal(xt_run_out(&c->env, EG, p.buf, p.len, &out), 0);
	assert_int_equal(out.ret, TC_ACT_REDIRECT);
	assert_int_equal(out.len, p.len);
	assert_memory_equal(out.data, p.buf, 6);
	assert_memory_equal(out.data + 6, want, 6);
	assert_memory_equal(out.data + 12, p.buf + 12, p.len - 12);
}

static void test_steer_mark(void **state)
{
	struct ctx *c = *state;

	expect_mark(c, "10.20.0.5", SA_SLOT(0));
	expect_mark(c, "10.24.0.5", SA_SLOT(3));
	expect_mark(c, "10.27.0.5", SA_SLOT(5));
}

/* A host (forwarding off): the tunnel frame is steered with the tunnel
 * bit in its mark and its destination MAC left as the kernel set it. */
static void test_tunnel_on_host(void **state)
{
	struct ctx *c = *state;
	const struct xt_spec spec = { V4("10.22.0.9") };
	static struct xt_out out;
	struct xt_pkt p;

	assert_int_equal(lo_forwarding(0), 0);
	xt_build(&p, &spec);
	assert_int_equal(xt_run_out(&c->env, EG, p.buf, p.len, &out), 0);
	assert_int_equal(lo_forwarding(1), 0);
	assert_int_equal(out.ret, TC_ACT_REDIRECT);
	assert_memory_equal(out.data, p.buf, 6);
	assert_int_equal(out.data[6], XS_ETH_META_MARK);
	assert_int_equal(out.data[7], XS_ETH_META_TUNNEL); /* lo: slot 0 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_egress_table),
		cmocka_unit_test(test_steer_mark),
		cmocka_unit_test(test_tunnel_on_host),
		cmocka_unit_test(test_no_handoff),
		cmocka_unit_test(test_def_policy),
		cmocka_unit_test(test_deflev_require),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
