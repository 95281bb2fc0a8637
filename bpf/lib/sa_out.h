/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The outbound SAs of a policy (sa_out map), ACQUIRE and next-hop
 * resolution requests to xdpsecd (acquire ring buffer): shared by
 * tc_egress and xdp_ingress's fast forwarding.
 */
#ifndef XS_BPF_SA_OUT_H
#define XS_BPF_SA_OUT_H

#include "parse.h"
#include "config.h"

/* The sa_out key of request t for packet p.  A transport-mode request
 * after a tunnel-mode one (tun, else NULL) protects the outer header:
 * its addresses are that tunnel's endpoints ("esp/tunnel/a-b ah/
 * transport//"). */
static __always_inline void sa_out_key(struct xs_sa_out_key *k,
				       const struct xs_tmpl *t,
				       const struct xs_tmpl *tun,
				       const struct xs_pkt *p, __u8 level)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->proto = t->proto;
	k->mode = t->mode;
	if (level == IPSEC_LEVEL_UNIQUE)
		k->reqid = t->reqid;
	if (t->mode != IPSEC_MODE_TUNNEL && tun)
		t = tun;
	if (t->mode == IPSEC_MODE_TUNNEL) {
		k->family = t->family;
		__builtin_memcpy(k->saddr, t->saddr, 16);
		__builtin_memcpy(k->daddr, t->daddr, 16);
	} else {
		k->family = p->family;
		__builtin_memcpy(k->saddr, p->src, 16);
		__builtin_memcpy(k->daddr, p->dst, 16);
	}
}

/* At most one event per key (acquire_rl) per XS_ACQUIRE_INTERVAL_NS:
 * true if this one may go, and it is recorded. */
static __always_inline bool event_due(__u32 key)
{
	__u64 now = bpf_ktime_get_ns(), *last;

	last = bpf_map_lookup_elem(&acquire_rl, &key);
	if (last && now - *last < XS_ACQUIRE_INTERVAL_NS)
		return false;
	bpf_map_update_elem(&acquire_rl, &key, &now, BPF_ANY);
	return true;
}

/*
 * Ask xdpsecd for the SA k (ACQUIRE): one xs_acquire_ev record, at most
 * one per policy per XS_ACQUIRE_INTERVAL_NS.  Global: verified on its own.
 */
__attribute__((noinline)) int xs_acquire(__u32 policy_id, __u32 req,
					 __u32 level, __u32 ulproto,
					 const struct xs_sa_out_key *k)
{
	struct xs_acquire_ev ev;

	if (!k || !event_due(policy_id))
		return 0;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.policy_id = policy_id;
	ev.req = (__u8)req;
	ev.level = (__u8)level;
	ev.ulproto = (__u8)ulproto;
	__builtin_memcpy(&ev.sa, k, sizeof(ev.sa));
	return bpf_ringbuf_output(&acquire, &ev, sizeof(ev), 0);
}

/*
 * Ask xdpsecd to resolve the next hop that bpf_fib_lookup left in f
 * (BPF_FIB_LKUP_RET_NO_NEIGH).  Global: verified on its own.
 */
__attribute__((noinline)) int xs_resolve(const struct bpf_fib_lookup *f)
{
	struct xs_acquire_ev ev;
	__u32 a32;

	if (!f)
		return 0;
	a32 = f->family == XS_AF_INET ? f->ipv4_dst : f->ipv6_dst[3];
	if (!event_due(XS_EV_RESOLVE_KEY(a32)))
		return 0;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.kind = XS_EV_RESOLVE;
	ev.sa.family = f->family;
	ev.sa.reqid = f->ifindex;
	if (f->family == XS_AF_INET)
		__builtin_memcpy(ev.sa.daddr, &f->ipv4_dst, 4);
	else
		__builtin_memcpy(ev.sa.daddr, f->ipv6_dst, 16);
	return bpf_ringbuf_output(&acquire, &ev, sizeof(ev), 0);
}

/* What xs_sa_pick found. */
struct xs_pick {
	__u32 slot; /* SA of the first request that has one, or
		     * XS_SLOT_NONE: the packet goes in clear */
	__s32 outer; /* the last tunnel-mode request with an SA (the
		      * outermost header), -1 if none */
	__u32 first_tun; /* the first SA's request is tunnel mode */
};

/*
 * The SAs of policy pol for p: 0 with *r filled, or -1 if a request whose
 * level is require or unique has none.  A request without an SA asks for
 * one.  deflev: xs_deflev_pack() of the config.  Global, so verified once
 * whether pol is an SPD entry or a socket's own policy (sk storage).
 */
__attribute__((noinline)) int xs_sa_pick(const struct xs_policy *pol,
					 const struct xs_pkt *p, __u32 deflev,
					 struct xs_pick *r)
{
	const struct xs_tmpl *tun = NULL;
	const struct xs_sa_ref *sa;
	struct xs_sa_out_key k;
	__u32 i;
	__u8 lev;

	if (!pol || !p || !r)
		return -1;
	r->slot = XS_SLOT_NONE;
	r->first_tun = 0;
	r->outer = -1;
	for (i = 0; i < XS_MAX_TMPL; i++) {
		if (i >= pol->ntmpl)
			break;
		lev = xs_level_packed(deflev, &pol->tmpl[i]);
		sa_out_key(&k, &pol->tmpl[i], tun, p, lev);
		sa = bpf_map_lookup_elem(&sa_out, &k);
		if (!sa) {
			xs_acquire(pol->id, i, lev, p->proto, &k);
			if (lev != IPSEC_LEVEL_USE)
				return -1;
			continue;
		}
		if (pol->tmpl[i].mode == IPSEC_MODE_TUNNEL) {
			r->outer = (__s32)i;
			tun = &pol->tmpl[i];
		}
		if (r->slot == XS_SLOT_NONE) {
			r->slot = sa->slot;
			r->first_tun = pol->tmpl[i].mode == IPSEC_MODE_TUNNEL;
		}
	}
	return 0;
}

/* f for the next hop towards tunnel t's endpoint, out of ifindex. */
static __always_inline void xs_tun_fib_init(struct bpf_fib_lookup *f,
					    const struct xs_tmpl *t,
					    __u32 ifindex)
{
	__builtin_memset(f, 0, sizeof(*f));
	f->ifindex = ifindex;
	if (t->family == XS_AF_INET) {
		f->family = XS_AF_INET;
		__builtin_memcpy(&f->ipv4_src, t->saddr, 4);
		__builtin_memcpy(&f->ipv4_dst, t->daddr, 4);
	} else {
		f->family = XS_AF_INET6;
		__builtin_memcpy(f->ipv6_src, t->saddr, 16);
		__builtin_memcpy(f->ipv6_dst, t->daddr, 16);
	}
}

#endif /* XS_BPF_SA_OUT_H */
