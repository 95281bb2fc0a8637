// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdp_ingress and xdp_handoff fixtures (bpf_prog_test_run_opts): each row
 * is a packet, the verdict the program must return and the one counter
 * that must move by one.  The SPD is filled through the controller's own
 * compiler (ctl/daemon/spd.c), SAs through ctl/daemon/dp.c.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <string.h>
#include <netinet/in.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include "../../ctl/daemon/spd.h"
#include "../lib/fixture.h"

#define IN IPSEC_DIR_INBOUND
#define ANY 255 /* prefix length 0 */
#define ESP_TRANS(lev)                                          \
	{                                                       \
		IPPROTO_ESP, IPSEC_MODE_TRANSPORT, lev, 0, 0, 0 \
	}
#define AH_TRANS(lev)                                          \
	{                                                      \
		IPPROTO_AH, IPSEC_MODE_TRANSPORT, lev, 0, 0, 0 \
	}

struct ctx {
	struct xt_env env;
	struct xs_spd *spd;
	struct xt_xsk xsk; /* one socket for the whole run: a closed
				 * one keeps its queue busy for a while */
	bool have_xsk;
};

/* The inbound SPD: one source prefix per behaviour. */
#define P4(s, plen, ...)                                              \
	{                                                             \
		.dir = IN, .src = s, .dst = "0.0.0.0", .splen = plen, \
		.dplen = ANY, __VA_ARGS__                             \
	}
#define REQ1(r) .type = IPSEC_POLICY_IPSEC, .nreq = 1, .req = { r }

/* The inbound SPD: one source prefix per behaviour. */
static const struct xt_pol policies[] = {
	P4("10.1.0.0", 16, REQ1(ESP_TRANS(IPSEC_LEVEL_REQUIRE))),
	P4("10.2.0.0", 16, REQ1(ESP_TRANS(IPSEC_LEVEL_USE))),
	P4("10.3.0.0", 16, .type = IPSEC_POLICY_DISCARD),
	P4("10.4.0.0", 16, .type = IPSEC_POLICY_NONE),
	/* port-specific: udp to port 53 */
	P4("10.5.0.0", 16, .proto = IPPROTO_UDP, .dport = 53,
	   .type = IPSEC_POLICY_DISCARD),
	/* priorities: the /24 wins with a better priority ... */
	P4("10.6.0.0", 16, .type = IPSEC_POLICY_DISCARD),
	P4("10.6.1.0", 24, .type = IPSEC_POLICY_NONE, .prio = XS_PRIORITY_HIGH),
	/* ... and loses with a worse one, however specific */
	P4("10.7.0.0", 16, .type = IPSEC_POLICY_DISCARD),
	P4("10.7.1.0", 24, .type = IPSEC_POLICY_NONE, .prio = XS_PRIORITY_LOW),
	/* a mask probed after a better match holds a worse one: keep the
	 * better (the /24 mask's best rank is 10.6.1.0/24's) */
	P4("10.13.1.0", 24, .type = IPSEC_POLICY_NONE),
	P4("10.13.0.0", 16, .type = IPSEC_POLICY_DISCARD,
	   .prio = XS_PRIORITY_LOW),
	/* icmp type 8 (echo request), any code */
	P4("10.8.0.0", 16, .proto = IPPROTO_ICMP, .sport = 8,
	   .type = IPSEC_POLICY_DISCARD),
	/* icmp type 3 code 3 (port unreachable) */
	P4("10.14.0.0", 16, .proto = IPPROTO_ICMP, .sport = 3, .dport = 3,
	   .type = IPSEC_POLICY_DISCARD),
	P4("10.9.0.0", 16, REQ1(ESP_TRANS(IPSEC_LEVEL_DEFAULT))),
	P4("10.10.0.0", 16, .type = IPSEC_POLICY_IPSEC, .nreq = 2,
	   .req = { ESP_TRANS(IPSEC_LEVEL_USE),
		    AH_TRANS(IPSEC_LEVEL_REQUIRE) }),
	P4("10.11.0.0", 16, .type = IPSEC_POLICY_ENTRUST),
	/* IPv6: everything must be protected (ND still works) */
	{ .dir = IN,
	  .src = "::",
	  .dst = "::",
	  .splen = ANY,
	  .dplen = ANY,
	  REQ1(ESP_TRANS(IPSEC_LEVEL_REQUIRE)) },
};

#define SPI_ESP4 0x100
#define SPI_ESP6 0x200
#define SPI_AH4 0x300
#define SPI_NATT4 0x400 /* an ESP-in-UDP SA (XS_SA_F_NATT) */
#define SA_SLOT 7

static int setup(void **state)
{
	static struct ctx c;
	size_t i;
	int err;

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
	if (xt_sa_in_add(&c.env, IPPROTO_ESP, "10.0.0.2", SPI_ESP4, SA_SLOT) ||
	    xt_sa_in_add(&c.env, IPPROTO_ESP, "2001:db8::2", SPI_ESP6, 8) ||
	    xt_sa_in_add(&c.env, IPPROTO_AH, "10.0.0.2", SPI_AH4, 9) ||
	    xt_sa_in_add_flags(&c.env, IPPROTO_ESP, "10.0.0.2", SPI_NATT4, 10,
			       XS_SA_F_NATT))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	if (!c)
		return 0;
	if (c->have_xsk)
		xt_xsk_close(&c->env, &c->xsk);
	xs_spd_free(c->spd);
	xt_env_teardown(&c->env);
	return 0;
}

#define V4(s) .src = s, .dst = "10.0.0.2"
#define V6(s) .src = s, .dst = "2001:db8::2"
#define ICMP6(t) V6("2001:db8::1"), .proto = IPPROTO_ICMPV6, .sport = t
#define ESP4(s) V4("10.0.0.1"), .proto = IPPROTO_ESP, .spi = s
/* from a source whose cleartext passes (10.4/16: policy none) */
#define NATT(kind)                                                          \
	V4("10.4.0.1"), .proto = IPPROTO_UDP, .sport = 4500, .dport = 4500, \
			.natt = kind
/* One fixture: name, verdict, counter (XS_CNT_ suffix), packet fields. */
#define T(n, v, cnt, ...)                                       \
	{                                                       \
		n, XT_INGRESS, { __VA_ARGS__ }, v, XS_CNT_##cnt \
	}
#define H(n, v, cnt, ...)                                       \
	{                                                       \
		n, XT_HANDOFF, { __VA_ARGS__ }, v, XS_CNT_##cnt \
	}

static const struct xt_case ingress_cases[] = {
	T("arp", XDP_PASS, rx_bypass_nd, .arp = true),
	T("arp in vlan", XDP_PASS, rx_bypass_nd, .arp = true, .nvlan = 1),
	T("not ip", XDP_PASS, rx_pass, .ethertype = 0x88cc),
	T("nd rs", XDP_PASS, rx_bypass_nd, ICMP6(133)),
	T("nd ra", XDP_PASS, rx_bypass_nd, ICMP6(134)),
	T("nd ns", XDP_PASS, rx_bypass_nd, ICMP6(135)),
	T("nd na", XDP_PASS, rx_bypass_nd, ICMP6(136)),
	T("nd redirect", XDP_PASS, rx_bypass_nd, ICMP6(137)),
	T("icmp6 echo vs require", XDP_DROP, drop_in_clear, ICMP6(128)),
	T("udp6 vs require", XDP_DROP, drop_in_clear, V6("2001:db8::1")),
	T("udp4 vs require", XDP_DROP, drop_in_clear, V4("10.1.0.1")),
	T("udp4 vs use", XDP_PASS, rx_pass, V4("10.2.0.1")),
	T("udp4 vs discard", XDP_DROP, drop_policy_discard, V4("10.3.0.1")),
	T("udp4 vs none", XDP_PASS, rx_pass, V4("10.4.0.1")),
	T("no policy, def_policy 1", XDP_PASS, rx_pass, V4("10.99.0.1")),
	T("entrust is no match", XDP_PASS, rx_pass, V4("10.11.0.1")),
	T("udp4 vs require, 2 vlans", XDP_DROP, drop_in_clear, V4("10.1.0.1"),
	  .nvlan = 2),
	T("3 vlans: not ip", XDP_PASS, rx_pass, V4("10.1.0.1"), .nvlan = 3),
	T("ipv4 options vs require", XDP_DROP, drop_in_clear, V4("10.1.0.1"),
	  .v4opt = 12),
	T("port policy: dport 53", XDP_DROP, drop_policy_discard,
	  V4("10.5.0.1"), .sport = 1000, .dport = 53),
	T("port policy: dport 54", XDP_PASS, rx_pass, V4("10.5.0.1"),
	  .sport = 1000, .dport = 54),
	T("port policy: tcp 53", XDP_PASS, rx_pass, V4("10.5.0.1"),
	  .proto = IPPROTO_TCP, .dport = 53),
	T("port policy: first fragment", XDP_DROP, drop_policy_discard,
	  V4("10.5.0.1"), .dport = 53, .mf = true),
	T("port policy: non-initial fragment", XDP_PASS, rx_pass,
	  V4("10.5.0.1"), .frag = 10),
	T("non-initial fragment vs any-port policy", XDP_DROP,
	  drop_policy_discard, V4("10.3.0.1"), .frag = 10),
	T("prio high /24 beats /16", XDP_PASS, rx_pass, V4("10.6.1.5")),
	T("prio: /16 outside the /24", XDP_DROP, drop_policy_discard,
	  V4("10.6.2.5")),
	T("prio low /24 loses to /16", XDP_DROP, drop_policy_discard,
	  V4("10.7.1.5")),
	T("prio: better match found first is kept", XDP_PASS, rx_pass,
	  V4("10.13.1.5")),
	T("prio: /16 low outside the /24", XDP_DROP, drop_policy_discard,
	  V4("10.13.2.5")),
	T("icmp echo request vs type 8", XDP_DROP, drop_policy_discard,
	  V4("10.8.0.1"), .proto = IPPROTO_ICMP, .sport = 8),
	T("icmp unreachable vs type 8", XDP_PASS, rx_pass, V4("10.8.0.1"),
	  .proto = IPPROTO_ICMP, .sport = 3, .dport = 1),
	T("icmp 3/3 vs type 3 code 3", XDP_DROP, drop_policy_discard,
	  V4("10.14.0.1"), .proto = IPPROTO_ICMP, .sport = 3, .dport = 3),
	T("icmp 3/1 vs type 3 code 3", XDP_PASS, rx_pass, V4("10.14.0.1"),
	  .proto = IPPROTO_ICMP, .sport = 3, .dport = 1),
	T("udp 3->3 vs icmp type 3 code 3", XDP_PASS, rx_pass, V4("10.14.0.1"),
	  .sport = 3, .dport = 3),
	T("level default (esp_trans_deflev 1)", XDP_PASS, rx_pass,
	  V4("10.9.0.1")),
	T("use + require bundle", XDP_DROP, drop_in_clear, V4("10.10.0.1")),
	/* ESP / AH, no worker socket bound */
	T("esp4 known spi, no worker", XDP_DROP, drop_no_worker,
	  ESP4(SPI_ESP4)),
	T("esp6 known spi, no worker", XDP_DROP, drop_no_worker,
	  V6("2001:db8::1"), .proto = IPPROTO_ESP, .spi = SPI_ESP6),
	T("ah4 known spi, no worker", XDP_DROP, drop_no_worker, V4("10.0.0.1"),
	  .proto = IPPROTO_AH, .spi = SPI_AH4),
	T("esp4 unknown spi", XDP_DROP, drop_unknown_spi, ESP4(0x999)),
	/* ESP in UDP (RFC 3948) to port 4500 */
	T("natt esp, natt sa, no worker", XDP_DROP, drop_no_worker,
	  NATT(XT_NATT_ESP), .spi = SPI_NATT4),
	T("natt esp, plain sa", XDP_DROP, drop_unknown_spi, NATT(XT_NATT_ESP),
	  .spi = SPI_ESP4),
	T("natt esp, unknown spi", XDP_DROP, drop_unknown_spi,
	  NATT(XT_NATT_ESP), .spi = 0x999),
	T("plain esp, natt sa", XDP_DROP, drop_unknown_spi, ESP4(SPI_NATT4)),
	T("natt keepalive", XDP_DROP, drop_natt_keepalive,
	  NATT(XT_NATT_KEEPALIVE)),
	T("natt keepalive, padded frame", XDP_DROP, drop_natt_keepalive,
	  NATT(XT_NATT_KEEPALIVE), .payload = 17),
	T("ike (non-esp marker): the spd", XDP_PASS, rx_pass, NATT(XT_NATT_IKE),
	  .payload = 20),
	T("udp 4500 too short for esp: the spd", XDP_PASS, rx_pass,
	  V4("10.4.0.1"), .proto = IPPROTO_UDP, .dport = 4500, .payload = 3),
	T("esp-like udp to another port: the spd", XDP_PASS, rx_pass,
	  V4("10.4.0.1"), .proto = IPPROTO_UDP, .dport = 4501,
	  .natt = XT_NATT_ESP, .spi = SPI_NATT4),
	T("esp4 spi of another daddr", XDP_DROP, drop_unknown_spi,
	  .src = "10.0.0.1", .dst = "10.0.0.3", .proto = IPPROTO_ESP,
	  .spi = SPI_ESP4),
	T("ah spi as esp", XDP_DROP, drop_unknown_spi, ESP4(SPI_AH4)),
	T("esp6 unknown spi", XDP_DROP, drop_unknown_spi, V6("2001:db8::1"),
	  .proto = IPPROTO_ESP, .spi = 0x999),
	T("esp6 after 8 ext headers", XDP_DROP, drop_unknown_spi,
	  V6("2001:db8::1"), .proto = IPPROTO_ESP, .spi = 0x999, .next = 8),
	T("esp4 in 2 vlans", XDP_DROP, drop_unknown_spi, V4("10.0.0.1"),
	  .proto = IPPROTO_ESP, .spi = 0x999, .nvlan = 2),
	/* malformed */
	T("ipv6 ext chain of 9", XDP_DROP, drop_exthdr_chain, V6("2001:db8::1"),
	  .next = 9),
	T("truncated ipv4 header", XDP_DROP, drop_malformed, V4("10.4.0.1"),
	  .trunc = 14 + 12),
	T("ipv4 tot_len beyond frame", XDP_DROP, drop_malformed, V4("10.4.0.1"),
	  .payload = 20, .trunc = 14 + 20 + 8 + 10),
	T("truncated ipv6 header", XDP_DROP, drop_malformed, V6("2001:db8::1"),
	  .trunc = 14 + 30),
	T("truncated ipv6 ext header", XDP_DROP, drop_malformed,
	  V6("2001:db8::1"), .next = 2, .trunc = 14 + 40 + 4),
	T("truncated esp header", XDP_DROP, drop_malformed, V4("10.0.0.1"),
	  .proto = IPPROTO_ESP, .spi = SPI_ESP4, .trunc = 14 + 20 + 6),
	T("truncated udp header", XDP_DROP, drop_malformed, V4("10.4.0.1"),
	  .trunc = 14 + 20 + 4),
	T("truncated vlan tag", XDP_DROP, drop_malformed, V4("10.4.0.1"),
	  .nvlan = 1, .trunc = 16),
	/* the hand-off program, no worker */
	H("handoff, no worker", XDP_DROP, drop_no_worker, V4("10.4.0.1"),
	  .marked = true),
	H("handoff, the kernel's own frame", XDP_PASS, handoff_foreign,
	  V4("10.4.0.1")),
};

static void run_table(struct ctx *c, const struct xt_case *t, size_t n)
{
	assert_int_equal(xt_run_table(&c->env, t, n), 0);
}

static void test_ingress_table(void **state)
{
	struct ctx *c = *state;

	run_table(c, ingress_cases,
		  sizeof(ingress_cases) / sizeof(ingress_cases[0]));
}

static void set_config(struct ctx *c, const struct xs_config *cfg)
{
	assert_int_equal(xs_dp_config_set(&c->env.dp, cfg), 0);
}

static void test_esp_ah_disabled(void **state)
{
	static const struct xt_case t[] = {
		T("esp disabled", XDP_DROP, drop_esp_disabled, ESP4(SPI_ESP4)),
		T("esp fragment disabled", XDP_DROP, drop_esp_disabled,
		  V4("10.0.0.1"), .proto = IPPROTO_ESP, .mf = true),
		T("ah disabled", XDP_DROP, drop_ah_disabled, V4("10.0.0.1"),
		  .proto = IPPROTO_AH, .spi = SPI_AH4),
	};
	struct ctx *c = *state;
	struct xs_config cfg;

	xt_config_defaults(&cfg);
	cfg.esp_enable = 0;
	cfg.ah_enable = 0;
	set_config(c, &cfg);
	run_table(c, t, 3);
	xt_config_defaults(&cfg);
	set_config(c, &cfg);
}

static void test_def_policy(void **state)
{
	static const struct xt_case t[] = {
		T("no policy, def_policy 0", XDP_DROP, drop_default_discard,
		  V4("10.99.0.1")),
		T("entrust, def_policy 0", XDP_DROP, drop_default_discard,
		  V4("10.11.0.1")),
		T("arp, def_policy 0", XDP_PASS, rx_bypass_nd, .arp = true),
		T("policy none, def_policy 0", XDP_PASS, rx_pass,
		  V4("10.4.0.1")),
	};
	struct ctx *c = *state;
	struct xs_config cfg;

	xt_config_defaults(&cfg);
	cfg.ip4_def_policy = 0;
	set_config(c, &cfg);
	run_table(c, t, 4);
	xt_config_defaults(&cfg);
	set_config(c, &cfg);
}

/* net.inet.ipsec.fastforward on: what the kernel would not forward out of
 * an xdpsec NIC (here nothing: no such route from the test's ifindex) is
 * passed and counted once, as with the knob off; ESP is handled as
 * before. */
static void test_fastforward_pass(void **state)
{
	static const struct xt_case t[] = {
		T("fastforward, no policy", XDP_PASS, rx_pass, V4("10.99.0.1")),
		T("fastforward, policy none", XDP_PASS, rx_pass,
		  V4("10.4.0.1")),
		T("fastforward, esp, no worker", XDP_DROP, drop_no_worker,
		  ESP4(SPI_ESP4)),
	};
	struct ctx *c = *state;
	struct xs_config cfg;

	xt_config_defaults(&cfg);
	cfg.fastforward = 1;
	set_config(c, &cfg);
	run_table(c, t, 3);
	xt_config_defaults(&cfg);
	set_config(c, &cfg);
}

/* An unwritten (all-zero) config map means the sysctl defaults. */
static void test_zero_config(void **state)
{
	static const struct xt_case t[] = {
		T("zero config: no policy passes", XDP_PASS, rx_pass,
		  V4("10.99.0.1")),
		T("zero config: esp enabled", XDP_DROP, drop_no_worker,
		  ESP4(SPI_ESP4)),
		T("zero config: level default is use", XDP_PASS, rx_pass,
		  V4("10.9.0.1")),
	};
	struct ctx *c = *state;
	struct xs_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	set_config(c, &cfg);
	run_table(c, t, 3);
	xt_config_defaults(&cfg);
	set_config(c, &cfg);
}

static void test_deflev_require(void **state)
{
	static const struct xt_case t[] = {
		T("level default, esp_trans_deflev 2", XDP_DROP, drop_in_clear,
		  V4("10.9.0.1")),
	};
	struct ctx *c = *state;
	struct xs_config cfg;

	xt_config_defaults(&cfg);
	cfg.ip4_esp_trans_deflev = IPSEC_LEVEL_REQUIRE;
	set_config(c, &cfg);
	run_table(c, t, 1);
	xt_config_defaults(&cfg);
	set_config(c, &cfg);
}

/* The three objects share one instance of every map (pinned by name). */
static void test_maps_shared(void **state)
{
	static const char *const names[] = {
		"config",    "state",	      "stats",	       "ifaces",
		"xsks",	     "spd_masks",     "spd_rules",     "spd_policies",
		"spd_cache", "pol_stats",     "sa_in",	       "sa_out",
		"sa_stats",  "spd_prune_src", "spd_prune_dst",
	};
	struct ctx *c = *state;
	uint32_t a, b, h;
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(
			xt_env_map_id(&c->env, XT_INGRESS, names[i], &a), 0);
		assert_int_equal(
			xt_env_map_id(&c->env, XT_EGRESS, names[i], &b), 0);
		assert_int_equal(
			xt_env_map_id(&c->env, XT_HANDOFF, names[i], &h), 0);
		assert_int_equal(a, b);
		assert_int_equal(a, h);
		snprintf(path, sizeof(path), "%s/%s", c->env.dir, names[i]);
		assert_int_equal(access(path, F_OK), 0);
	}
}

/* Verifier cost: far from the 1M limit, so the programs can grow. */
static void test_verifier_budget(void **state)
{
	static const char *const names[] = { "xdp_ingress", "tc_egress",
					     "xdp_handoff" };
	struct ctx *c = *state;
	uint32_t n;
	int p;

	for (p = 0; p < XT_NPROG; p++) {
		assert_int_equal(xt_env_verified_insns(&c->env, p, &n), 0);
		printf("  %s: %u instructions verified\n", names[p], n);
		assert_true(n < 100000);
	}
}

/* Bind the worker socket (once) and put it at xsks slot; skip the test
 * if AF_XDP is not available. */
static void worker_on(struct ctx *c, uint32_t slot)
{
	int err, fd;

	if (!c->have_xsk) {
		err = xt_xsk_open(&c->env, slot, &c->xsk);
		if (err == -EOPNOTSUPP || err == -EAFNOSUPPORT)
			skip();
		assert_int_equal(err, 0);
		c->have_xsk = true;
	}
	fd = xsk_socket__fd(c->xsk.xsk);
	assert_int_equal(bpf_map_update_elem(c->env.dp.xsks, &slot, &fd, 0), 0);
}

static void worker_off(struct ctx *c, uint32_t slot)
{
	bpf_map_delete_elem(c->env.dp.xsks, &slot);
}

/* With a worker socket bound, known SAs and fragments are redirected and
 * counted per SA; the hand-off device's frames too. */
static void test_worker_steer(void **state)
{
	static const struct xt_case t[] = {
		T("esp4 known spi", XDP_REDIRECT, rx_steer, ESP4(SPI_ESP4)),
		T("esp4 fragment", XDP_REDIRECT, rx_steer_frag, V4("10.0.0.1"),
		  .proto = IPPROTO_ESP, .mf = true),
		T("esp4 last fragment", XDP_REDIRECT, rx_steer_frag,
		  V4("10.0.0.1"), .proto = IPPROTO_ESP, .frag = 100),
		T("esp6 fragment header", XDP_REDIRECT, rx_steer_frag,
		  V6("2001:db8::1"), .proto = IPPROTO_ESP, .frag = 100),
		T("esp6 known spi", XDP_REDIRECT, rx_steer, V6("2001:db8::1"),
		  .proto = IPPROTO_ESP, .spi = SPI_ESP6),
		T("ah4 known spi", XDP_REDIRECT, rx_steer, V4("10.0.0.1"),
		  .proto = IPPROTO_AH, .spi = SPI_AH4),
		T("unknown spi still dropped", XDP_DROP, drop_unknown_spi,
		  ESP4(0x999)),
		H("handoff", XDP_REDIRECT, handoff_steer, V4("10.4.0.1"),
		  .marked = true),
	};
	struct ctx *c = *state;
	struct xs_sa_stats before, after;
	uint32_t hslot = xs_xsk_slot(1, 0);

	worker_on(c, xs_xsk_slot(0, 0));
	worker_on(c, hslot);
	assert_int_equal(xs_dp_sa_stats_get(&c->env.dp, SA_SLOT, &before), 0);
	run_table(c, t, sizeof(t) / sizeof(t[0]));
	assert_int_equal(xs_dp_sa_stats_get(&c->env.dp, SA_SLOT, &after), 0);
	assert_int_equal(after.rx_packets - before.rx_packets, 1);
	assert_int_equal(after.rx_bytes - before.rx_bytes, 20 + 8);
	worker_off(c, hslot);
	worker_off(c, xs_xsk_slot(0, 0));
}

/* A steered frame carries struct xs_xdp_meta: the SA the SPI lookup
 * found, or XS_SLOT_NONE for a fragment; the frame itself is unchanged. */
static void expect_meta(struct ctx *c, const struct xt_spec *spec,
			uint32_t sa_slot)
{
	static struct xt_out out;
	struct xs_xdp_meta m;
	struct xt_pkt p;

	xt_build(&p, spec);
	assert_int_equal(xt_run_out(&c->env, XT_INGRESS, p.buf, p.len, &out),
			 0);
	assert_int_equal(out.ret, XDP_REDIRECT);
	assert_int_equal(out.meta, sizeof(m));
	assert_int_equal(out.len, sizeof(m) + p.len);
	memcpy(&m, out.data, sizeof(m));
	assert_int_equal(m.magic, XS_META_MAGIC);
	assert_int_equal(m.sa_slot, sa_slot);
	assert_memory_equal(out.data + sizeof(m), p.buf, p.len);
}

static void test_worker_meta(void **state)
{
	static const struct xt_spec esp = { ESP4(SPI_ESP4) };
	static const struct xt_spec frag = { V4("10.0.0.1"),
					     .proto = IPPROTO_ESP, .mf = true };
	static const struct xt_spec ah = { V4("10.0.0.1"), .proto = IPPROTO_AH,
					   .spi = SPI_AH4 };
	struct ctx *c = *state;

	worker_on(c, xs_xsk_slot(0, 0));
	expect_meta(c, &esp, SA_SLOT);
	expect_meta(c, &ah, 9);
	expect_meta(c, &frag, XS_SLOT_NONE);
	worker_off(c, xs_xsk_slot(0, 0));
}

static void expect_cache(struct ctx *c, const struct xt_case *t, int hit,
			 int miss)
{
	struct xs_stats a, b;

	assert_int_equal(xt_stats(&c->env, &a), 0);
	assert_int_equal(xt_case_run(&c->env, t), 0);
	assert_int_equal(xt_stats(&c->env, &b), 0);
	assert_int_equal(b.spd_cache_hit - a.spd_cache_hit, hit);
	assert_int_equal(b.spd_cache_miss - a.spd_cache_miss, miss);
}

/* Second packet of a flow hits the cache; an SPD change (spd_gen bump)
 * invalidates it; non-initial fragments never use it. */
static void test_flow_cache(void **state)
{
	static const struct xt_case pass = { "flow",
					     XT_INGRESS,
					     { V4("10.12.0.1"), .sport = 7,
					       .dport = 9 },
					     XDP_PASS,
					     XS_CNT_rx_pass };
	static const struct xt_case drop = { "flow after spdadd",
					     XT_INGRESS,
					     { V4("10.12.0.1"), .sport = 7,
					       .dport = 9 },
					     XDP_DROP,
					     XS_CNT_drop_policy_discard };
	static const struct xt_case frag = { "fragment",
					     XT_INGRESS,
					     { V4("10.4.0.1"), .frag = 3 },
					     XDP_PASS,
					     XS_CNT_rx_pass };
	static const struct xt_pol discard =
		P4("10.12.0.0", 16, .type = IPSEC_POLICY_DISCARD);
	struct ctx *c = *state;
	struct xs_selector sel;

	expect_cache(c, &pass, 0, 1);
	expect_cache(c, &pass, 1, 0);
	expect_cache(c, &pass, 1, 0);
	assert_int_equal(xt_pol_add(c->spd, &discard), 0);
	expect_cache(c, &drop, 0, 1);
	expect_cache(c, &drop, 1, 0);
	expect_cache(c, &frag, 0, 1);
	expect_cache(c, &frag, 0, 1);
	/* and back */
	memset(&sel, 0, sizeof(sel));
	sel.src.family = sel.dst.family = XS_AF_INET;
	sel.src.plen = 16;
	xt_addr("10.12.0.0", sel.src.a, &sel.src.family);
	sel.proto = IPSEC_ULPROTO_ANY;
	assert_int_equal(xs_spd_delete(c->spd, &sel, IN, NULL), 0);
	expect_cache(c, &pass, 0, 1);
}

/* The policy slot of the (only) inbound rule whose source is addr. */
static int rule_slot(struct ctx *c, const char *addr, uint32_t *slot)
{
	struct xs_spd_key k, next, *prev = NULL;
	struct xs_spd_rule r;
	uint8_t a[16], fam;

	if (xt_addr(addr, a, &fam))
		return -1;
	while (!bpf_map_get_next_key(c->env.dp.spd_rules, prev, &next)) {
		k = next;
		prev = &k;
		if (k.dir != XS_DIR_IN || k.family != fam ||
		    memcmp(k.src, a, 16))
			continue;
		if (bpf_map_lookup_elem(c->env.dp.spd_rules, &k, &r))
			return -1;
		*slot = r.slot;
		return 0;
	}
	return -1;
}

/* Point the 10.4.0.0/16 rule (none) at slot; bump spd_gen. */
static void rule_point(struct ctx *c, uint32_t slot)
{
	struct xs_spd_key k, next, *prev = NULL;
	struct xs_spd_rule r;
	uint8_t a[16], fam;

	assert_int_equal(xt_addr("10.4.0.0", a, &fam), 0);
	while (!bpf_map_get_next_key(c->env.dp.spd_rules, prev, &next)) {
		k = next;
		prev = &k;
		if (k.dir != XS_DIR_IN || k.family != fam ||
		    memcmp(k.src, a, 16))
			continue;
		assert_int_equal(
			bpf_map_lookup_elem(c->env.dp.spd_rules, &k, &r), 0);
		r.slot = slot;
		assert_int_equal(xs_dp_spd_rule_set(&c->env.dp, &k, &r), 0);
		assert_int_equal(xs_dp_spd_gen_bump(&c->env.dp), 0);
		return;
	}
	fail_msg("no rule for 10.4.0.0/16");
}

/* A rule whose slot is outside spd_policies fails closed. */
static void test_broken_slot(void **state)
{
	static const struct xt_case t[] = {
		T("rule with a bad slot", XDP_DROP, drop_policy_discard,
		  V4("10.4.0.1")),
	};
	struct ctx *c = *state;
	uint32_t slot = XS_SLOT_NONE;

	assert_int_equal(rule_slot(c, "10.4.0.0", &slot), 0);
	rule_point(c, XS_MAX_POLICY);
	run_table(c, t, 1);
	rule_point(c, slot);
}

/* A match is counted in pol_stats[slot]: packets and IP bytes. */
static void test_pol_stats(void **state)
{
	static const struct xt_case t = { "discard",
					  XT_INGRESS,
					  { V4("10.3.0.1"), .payload = 100 },
					  XDP_DROP,
					  XS_CNT_drop_policy_discard };
	struct xs_pol_stats a, b;
	struct ctx *c = *state;
	uint32_t slot = XS_SLOT_NONE;

	assert_int_equal(rule_slot(c, "10.3.0.0", &slot), 0);
	assert_int_equal(xs_dp_pol_stats_get(&c->env.dp, slot, &a), 0);
	assert_int_equal(xt_case_run(&c->env, &t), 0);
	assert_int_equal(xt_case_run(&c->env, &t), 0);
	assert_int_equal(xs_dp_pol_stats_get(&c->env.dp, slot, &b), 0);
	assert_int_equal(b.packets - a.packets, 2);
	assert_int_equal(b.bytes - a.bytes, 2 * (20 + 8 + 100));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ingress_table),
		cmocka_unit_test(test_esp_ah_disabled),
		cmocka_unit_test(test_def_policy),
		cmocka_unit_test(test_fastforward_pass),
		cmocka_unit_test(test_zero_config),
		cmocka_unit_test(test_deflev_require),
		cmocka_unit_test(test_maps_shared),
		cmocka_unit_test(test_verifier_budget),
		cmocka_unit_test(test_worker_steer),
		cmocka_unit_test(test_worker_meta),
		cmocka_unit_test(test_flow_cache),
		cmocka_unit_test(test_pol_stats),
		cmocka_unit_test(test_broken_slot),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
