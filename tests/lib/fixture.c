// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Datapath fixtures (see fixture.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_ether.h>
#include "../../ctl/daemon/spd.h"
#include "../../ctl/lib/counter.h"
#include "fixture.h"
#include "xdpsec/xdpsec.h"

/* UDP with what s->natt asks for as its payload; the length set. */
static void build_udp(struct xt_pkt *p, const struct xt_spec *s)
{
	size_t off = p->len;
	static const uint8_t ka = 0xff;

	xt_udp(p, s->sport, s->dport);
	switch (s->natt) {
	case XT_NATT_ESP:
		xt_esp(p, s->spi, 1);
		break;
	case XT_NATT_KEEPALIVE:
		xt_bytes(p, &ka, 1);
		break;
	case XT_NATT_IKE:
		xt_bytes(p, (const uint8_t[4]){ 0 }, 4);
		break;
	default:
		break;
	}
	if (s->natt != XT_NATT_KEEPALIVE)
		xt_payload(p, s->payload);
	p->buf[off + 4] = (uint8_t)((p->len - off) >> 8);
	p->buf[off + 5] = (uint8_t)(p->len - off);
	if (s->natt == XT_NATT_KEEPALIVE) /* .payload: Ethernet padding */
		xt_payload(p, s->payload);
}

static void build_l4(struct xt_pkt *p, const struct xt_spec *s, uint8_t proto)
{
	if (s->frag) { /* non-initial fragment: payload only */
		xt_payload(p, s->payload + 8);
		return;
	}
	switch (proto) {
	case IPPROTO_UDP:
		build_udp(p, s);
		return;
	case IPPROTO_TCP:
		xt_tcp(p, s->sport, s->dport);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		xt_icmp(p, (uint8_t)s->sport, (uint8_t)s->dport);
		break;
	case IPPROTO_ESP:
		xt_esp(p, s->spi, 1);
		break;
	case IPPROTO_AH:
		xt_ah(p, IPPROTO_UDP, s->spi, 1);
		break;
	default:
		break;
	}
	xt_payload(p, s->payload);
}

static void build_ip6(struct xt_pkt *p, const struct xt_spec *s, uint8_t proto)
{
	bool frag = s->frag || s->mf;
	uint8_t first = s->next ? IPPROTO_DSTOPTS :
			frag	? IPPROTO_FRAGMENT :
				  proto;
	unsigned int i;

	xt_ipv6(p, s->src, s->dst, first);
	for (i = 0; i < s->next; i++)
		xt_ip6_ext(p,
			   i + 1 < s->next ? IPPROTO_DSTOPTS :
			   frag		   ? IPPROTO_FRAGMENT :
					     proto,
			   0);
	if (frag)
		xt_ip6_frag(p, proto, s->frag, s->mf);
}

void xt_build(struct xt_pkt *p, const struct xt_spec *s)
{
	static const uint16_t tpid[] = { ETH_P_8021AD, ETH_P_8021Q,
					 ETH_P_8021Q };
	bool v6 = s->src && strchr(s->src, ':');
	uint16_t type = s->arp	? ETH_P_ARP :
			!s->src ? s->ethertype :
			v6	? ETH_P_IPV6 :
				  ETH_P_IP;
	uint8_t proto = s->proto ? s->proto : IPPROTO_UDP;
	unsigned int i;

	xt_pkt_init(p);
	xt_eth(p, s->nvlan ? tpid[0] : type);
	if (s->marked)
		p->buf[ETH_ALEN] = XS_ETH_META_MARK;
	for (i = 0; i < s->nvlan && i < 3; i++)
		xt_vlan(p, (uint16_t)(10 + i),
			i + 1 < s->nvlan ? tpid[i + 1] : type);
	if (s->arp) {
		xt_arp(p);
	} else if (!s->src) {
		xt_payload(p, 46);
	} else if (v6) {
		build_ip6(p, s, proto);
	} else {
		xt_ipv4(p, s->src, s->dst, proto,
			(uint16_t)(s->frag | (s->mf ? 0x2000 : 0)), s->v4opt);
	}
	if (s->src)
		build_l4(p, s, proto);
	xt_finish(p);
	if (s->trunc)
		xt_truncate(p, s->trunc);
}

static int set_addr(struct xs_addr *a, const char *s, uint8_t plen,
		    uint16_t port)
{
	uint8_t fam;

	if (xt_addr(s, a->a, &fam))
		return -EINVAL;
	a->family = fam;
	a->plen = plen ? plen : (fam == XS_AF_INET ? 32 : 128);
	a->port = port;
	return 0;
}

int xt_pol_add(struct xs_spd *spd, const struct xt_pol *p)
{
	struct xs_spolicy sp;
	int i;

	memset(&sp, 0, sizeof(sp));
	if (set_addr(&sp.sel.src, p->src, p->splen, p->sport) ||
	    set_addr(&sp.sel.dst, p->dst, p->dplen, p->dport))
		return -EINVAL;
	/* plen 0 is "any": a 0 in the table means a host, so allow 255 */
	if (p->splen == 255)
		sp.sel.src.plen = 0;
	if (p->dplen == 255)
		sp.sel.dst.plen = 0;
	sp.sel.proto = p->proto ? p->proto : IPSEC_ULPROTO_ANY;
	sp.dir = p->dir;
	sp.type = p->type;
	sp.priority = p->prio ? p->prio : XS_PRIORITY_DEFAULT;
	sp.nreq = p->nreq;
	for (i = 0; i < p->nreq && i < 2; i++) {
		struct xs_ipsecreq *r = &sp.req[i];

		r->proto = p->req[i].proto;
		r->mode = p->req[i].mode;
		r->level = p->req[i].level;
		r->reqid = p->req[i].reqid;
		if (p->req[i].tsrc &&
		    (set_addr(&r->src, p->req[i].tsrc, 0, 0) ||
		     set_addr(&r->dst, p->req[i].tdst, 0, 0)))
			return -EINVAL;
	}
	return xs_spd_add(spd, &sp, false);
}

int xt_stats(struct xt_env *e, struct xs_stats *s)
{
	return xs_dp_stats_get(&e->dp, s);
}

/* Exactly one verdict or drop counter moved, and by one. */
static int check_counters(const struct xt_case *c, const struct xs_stats *a,
			  const struct xs_stats *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;
	int i, bad = 0;

	for (i = 0; i < XS_CNT_MAX; i++) {
		__u64 want = i == (int)c->counter ? 1 : 0;

		if (i == XS_CNT_spd_cache_hit || i == XS_CNT_spd_cache_miss)
			continue;
		if (y[i] - x[i] != want) {
			fprintf(stderr,
				"%s: counter %s moved by %llu, want %llu\n",
				c->name, xs_counter_name(i),
				(unsigned long long)(y[i] - x[i]),
				(unsigned long long)want);
			bad = -1;
		}
	}
	return bad;
}

int xt_case_run(struct xt_env *e, const struct xt_case *c)
{
	struct xs_stats before, after;
	struct xt_pkt p;
	uint32_t ret;
	int err;

	xt_build(&p, &c->pkt);
	if (xt_stats(e, &before))
		return -1;
	err = xt_run(e, c->prog, p.buf, p.len, &ret);
	if (err) {
		fprintf(stderr, "%s: test run failed: %s\n", c->name,
			strerror(-err));
		return -1;
	}
	if (xt_stats(e, &after))
		return -1;
	if (ret != c->verdict) {
		fprintf(stderr, "%s: verdict %u, want %u\n", c->name, ret,
			c->verdict);
		check_counters(c, &before, &after);
		return -1;
	}
	return check_counters(c, &before, &after);
}

int xt_run_table(struct xt_env *e, const struct xt_case *t, size_t n)
{
	int fails = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (xt_case_run(e, &t[i])) {
			fprintf(stderr, "  case %zu failed: %s\n", i,
				t[i].name);
			fails++;
		}
	return fails;
}
