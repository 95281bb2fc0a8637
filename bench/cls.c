// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Classification cost of `make bench`: ns per packet of xdp_ingress and
 * tc_egress (bpf_prog_test_run_opts with repeat) as the SPD grows.
 *
 *   cls REPEAT N[,N...]
 *
 * For each N, a fresh BPF environment (tests/lib/bpfenv.c, a private
 * bpffs) gets N policies through ctl/daemon/spd.c: N - 2 fillers of a mix
 * of shapes (IPv4 and IPv6 host pairs, prefixes of lengths 12 to 28, UDP
 * and TCP port selectors; inbound and outbound) and, inserted last so
 * every filler outranks them, the two bypass policies the measured
 * packet (UDP 192.168.1.1:4000 -> 192.168.2.1:5000) matches, one per
 * direction.  Two cases per program:
 *   hit:  the same flow every time, answered by the flow cache;
 *   miss: a non-initial fragment of that flow, which never uses the cache
 *         and runs the tuple-space search on every packet.
 * Prints "prog=P policies=N case=C ns=X" lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include "../ctl/daemon/spd.h"
#include "../tests/lib/fixture.h"

#define MAXRUNS 8

static void v4str(char *buf, uint32_t a)
{
	struct in_addr in = { .s_addr = htonl(a) };

	inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* Filler i: one of eight shapes. */
static int filler(struct xs_spd *spd, uint32_t i)
{
	static const uint8_t plens[] = { 12, 16, 20, 24, 28 };
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	struct xt_pol p = { .type = IPSEC_POLICY_DISCARD };
	uint32_t k = i / 8, plen;

	p.dir = i & 1 ? IPSEC_DIR_INBOUND : IPSEC_DIR_OUTBOUND;
	switch (i % 8) {
	case 0:
	case 1: /* IPv4 host pairs */
		v4str(s, 0x0a000000 | k);
		v4str(d, 0xac100001);
		break;
	case 2:
	case 3: /* IPv4 prefixes of several lengths inside 20.0.0.0/8 */
		plen = plens[k % 5];
		v4str(d, (0x14000000 | (k << (32 - plen))) &
				 (0xffffffffu << (32 - plen)) & 0x14ffffff);
		p.dplen = (uint8_t)plen;
		p.splen = 8;
		v4str(s, 0x0a000000);
		break;
	case 4: /* UDP port selectors */
		v4str(s, 0x0b000000 | (k & 0xffff) << 8);
		v4str(d, 0xac110001);
		p.splen = 24;
		p.proto = IPPROTO_UDP;
		p.dport = (uint16_t)(1 + k % 60000);
		break;
	case 5: /* TCP source port selectors, host pairs */
		v4str(s, 0x0c000000 | k);
		v4str(d, 0xac120001);
		p.proto = IPPROTO_TCP;
		p.sport = (uint16_t)(1 + k % 60000);
		break;
	default: /* IPv6 host pairs and /64s */
		snprintf(s, sizeof(s), "2001:db8:%x:%x::1", k >> 16,
			 k & 0xffff);
		snprintf(d, sizeof(d), "2001:db8:ffff::");
		p.dplen = i % 8 == 6 ? 128 : 64;
		break;
	}
	p.src = s;
	p.dst = d;
	return xt_pol_add(spd, &p);
}

static int fill(struct xs_spd *spd, unsigned long n)
{
	static const struct xt_pol bench[] = {
		{ .dir = IPSEC_DIR_OUTBOUND,
		  .src = "192.168.1.1",
		  .dst = "192.168.2.1",
		  .type = IPSEC_POLICY_NONE },
		{ .dir = IPSEC_DIR_INBOUND,
		  .src = "192.168.2.1",
		  .dst = "192.168.1.1",
		  .type = IPSEC_POLICY_NONE },
	};
	unsigned long added = 0;
	uint32_t i;
	int err;

	for (i = 0; added + 2 < n && i < 20 * n; i++) {
		err = filler(spd, i);
		if (err == -EEXIST)
			continue;
		if (err)
			return err;
		added++;
	}
	for (i = 0; i < 2 && added < n; i++, added++) {
		err = xt_pol_add(spd, &bench[i]);
		if (err)
			return err;
	}
	return 0;
}

static int measure(struct xt_env *e, enum xt_prog p, bool miss,
		   unsigned int repeat, double *ns)
{
	struct xt_spec s = { .src = "192.168.1.1",
			     .dst = "192.168.2.1",
			     .proto = IPPROTO_UDP,
			     .sport = 4000,
			     .dport = 5000,
			     .payload = 64 };
	struct xdp_md md = { .ingress_ifindex = e->ifindex };
	static uint8_t out[2048];
	struct xt_pkt pkt;

	if (p == XT_INGRESS) {
		s.src = "192.168.2.1";
		s.dst = "192.168.1.1";
	}
	if (miss)
		s.frag = 20;
	xt_build(&pkt, &s);
	md.data_end = (uint32_t)pkt.len;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt.buf,
		    .data_size_in = (uint32_t)pkt.len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = repeat);
	if (p == XT_INGRESS) {
		o.ctx_in = &md;
		o.ctx_size_in = sizeof(md);
	}
	if (bpf_prog_test_run_opts(xt_env_prog_fd(e, p), &o))
		return -errno;
	*ns = o.duration;
	return 0;
}

static int run(unsigned long n, unsigned int repeat)
{
	static const char *const names[] = { "xdp_ingress", "tc_egress" };
	static const enum xt_prog progs[] = { XT_INGRESS, XT_EGRESS };
	struct xs_spd *spd = NULL;
	struct xt_env e;
	double ns;
	int err, i, miss;

	memset(&e, 0, sizeof(e));
	err = xt_env_setup(&e);
	if (err)
		return err;
	spd = xs_spd_new(&e.dp, XS_MAX_POLICY);
	err = spd ? fill(spd, n) : -ENOMEM;
	for (i = 0; !err && i < 2; i++) {
		for (miss = 0; !err && miss < 2; miss++) {
			/* warm the cache and the branch predictors */
			err = measure(&e, progs[i], miss, 1000, &ns);
			if (!err)
				err = measure(&e, progs[i], miss, repeat, &ns);
			if (!err)
				printf("prog=%s policies=%lu case=%s ns=%.1f\n",
				       names[i],
				       (unsigned long)xs_spd_count(spd),
				       miss ? "miss" : "hit", ns);
		}
	}
	fflush(stdout);
	xs_spd_free(spd);
	xt_env_teardown(&e);
	return err;
}

int main(int argc, char **argv)
{
	unsigned long counts[MAXRUNS];
	unsigned int repeat, n = 0;
	char *s, *tok, *save = NULL;
	int err;

	if (argc != 3) {
		fprintf(stderr, "usage: cls REPEAT N[,N...]\n");
		return 64;
	}
	repeat = (unsigned int)strtoul(argv[1], NULL, 0);
	s = argv[2];
	for (tok = strtok_r(s, ",", &save); tok && n < MAXRUNS;
	     tok = strtok_r(NULL, ",", &save))
		counts[n++] = strtoul(tok, NULL, 0);
	if (!repeat || !n) {
		fprintf(stderr, "cls: bad arguments\n");
		return 64;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (counts[i] < 2 || counts[i] > XS_MAX_POLICY) {
			fprintf(stderr, "cls: N from 2 to %d\n", XS_MAX_POLICY);
			return 64;
		}
		err = run(counts[i], repeat);
		if (err) {
			fprintf(stderr, "cls: %lu policies: %s\n", counts[i],
				strerror(-err));
			return 1;
		}
	}
	return 0;
}
