// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tc_egress: the transmit side of a protected NIC (clsact egress).
 *
 *   ARP, ND (ICMPv6 133..137)   pass (built-in bypass, before the SPD)
 *   not IP                      pass
 *   IP (ESP/AH included)        SPD (outbound): none/bypass pass, discard
 *                               drops, ipsec: if one of the policy's
 *                               requests has an SA (or must have one and
 *                               has none: drop), redirect to the hand-off
 *                               device, whose worker protects it; the
 *                               source MAC then carries the egress NIC's
 *                               slot and the SA slot (XS_ETH_META_MARK);
 *                               with a tunnel-mode request the destination
 *                               MAC becomes the next hop towards the
 *                               outermost tunnel's endpoint (FIB lookup;
 *                               unresolved: drop, ask xdpsecd to resolve)
 *
 * With no hand-off device (state.handoff_ifindex 0) protected traffic is
 * dropped: fail closed.
 */
#include <linux/pkt_cls.h>
#include "lib/parse.h"
#include "lib/config.h"
#include "lib/spd.h"
#include "lib/sa_out.h"
#include "lib/trace.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Linear bytes wanted before parsing: any usual header chain. */
#define XS_TC_PULL 128

static __always_inline int shot(enum xs_counter reason)
{
	xs_count(reason);
	return TC_ACT_SHOT;
}

static __always_inline int ok(enum xs_counter c)
{
	xs_count(c);
	return TC_ACT_OK;
}

static __always_inline void buf_init(struct __sk_buff *skb, struct xs_buf *b)
{
	b->data = (void *)(long)skb->data;
	b->data_end = (void *)(long)skb->data_end;
	b->len = skb->len;
}

/*
 * Parse with direct access; pull the whole packet if a header lies beyond
 * the linear part.  Global: verified once, on its own (see xs_parse()).
 */
__attribute__((noinline)) int xs_parse_skb(struct __sk_buff *skb,
					   struct xs_pkt *p)
{
	enum xs_parse_res res;
	struct xs_buf b;
	__u32 want;

	if (!p)
		return XS_PARSE_DROP;
	want = skb->len < XS_TC_PULL ? skb->len : XS_TC_PULL;
	if (skb->data_end - skb->data < want)
		bpf_skb_pull_data(skb, want);
	buf_init(skb, &b);
	res = xs_parse(&b, p);
	if (res != XS_PARSE_DROP || p->reason != XS_CNT_drop_malformed ||
	    b.data_end - b.data >= skb->len)
		return res;
	if (bpf_skb_pull_data(skb, skb->len))
		return res;
	buf_init(skb, &b);
	return xs_parse(&b, p);
}

/*
 * Tunnel mode: point the frame at the next hop towards the tunnel
 * endpoint t->daddr (from t->saddr) instead of the packet's own next hop.
 * Returns TUN_*.  Global: verified on its own.
 */
enum { TUN_OK, TUN_NO_NEIGH, TUN_NO_ROUTE, TUN_ERROR };

__attribute__((noinline)) int xs_tun_nexthop(struct __sk_buff *skb,
					     const struct xs_tmpl *t)
{
	struct bpf_fib_lookup f;
	int rc;

	if (!skb || !t)
		return TUN_ERROR;
	xs_tun_fib_init(&f, t, skb->ifindex);
	rc = bpf_fib_lookup(skb, &f, sizeof(f), BPF_FIB_LOOKUP_OUTPUT);
	/* a host (forwarding off on the NIC): the helper refuses to look
	 * up at all; keep the next hop the kernel chose for the inner
	 * packet (README: route the inner prefix like the endpoint) */
	if (rc == BPF_FIB_LKUP_RET_FWD_DISABLED)
		return TUN_OK;
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
		xs_resolve(&f);
		return TUN_NO_NEIGH;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS || f.ifindex != skb->ifindex)
		return TUN_NO_ROUTE;
	if (bpf_skb_store_bytes(skb, 0, f.dmac, ETH_ALEN, 0))
		return TUN_ERROR;
	return TUN_OK;
}

/* Tell the worker the egress NIC and the SA in the source MAC (see
 * XS_ETH_META_MARK in xdpsec.h). */
static __always_inline int mark_src(struct __sk_buff *skb, __u32 sa_slot,
				    bool tunnel)
{
	__be32 be_slot = bpf_htonl(sa_slot);
	const struct xs_iface *ifc;
	__u32 ifindex = skb->ifindex;
	__u8 mac[ETH_ALEN];

	ifc = bpf_map_lookup_elem(&ifaces, &ifindex);
	if (!ifc)
		return -1;
	mac[0] = XS_ETH_META_MARK;
	mac[1] = (__u8)ifc->slot | (tunnel ? XS_ETH_META_TUNNEL : 0);
	__builtin_memcpy(mac + 2, &be_slot, 4);
	return bpf_skb_store_bytes(skb, ETH_ALEN, mac, ETH_ALEN, 0);
}

static __always_inline int ipsec_out(struct __sk_buff *skb,
				     const struct xs_policy *pol,
				     const struct xs_pkt *p,
				     const struct xs_config *c,
				     const struct xs_state *st)
{
	struct xs_pick r;

	if (xs_sa_pick(pol, p, xs_deflev_pack(c, p->family), &r))
		return shot(XS_CNT_drop_no_sa_out);
	if (r.slot == XS_SLOT_NONE)
		return ok(XS_CNT_tx_pass);
	if (!st->handoff_ifindex)
		return shot(XS_CNT_drop_no_worker);
	if (r.outer >= 0 && r.outer < XS_MAX_TMPL) {
		switch (xs_tun_nexthop(skb, &pol->tmpl[r.outer])) {
		case TUN_OK:
			break;
		case TUN_NO_NEIGH:
			return shot(XS_CNT_drop_no_neigh);
		case TUN_NO_ROUTE:
			return shot(XS_CNT_drop_tun_route);
		default:
			return shot(XS_CNT_drop_internal);
		}
	}
	if (mark_src(skb, r.slot, r.first_tun))
		return shot(XS_CNT_drop_internal);
	xs_count(XS_CNT_tx_steer);
	return bpf_redirect(st->handoff_ifindex, 0);
}

/*
 * A SYN-ACK comes from a request socket, which has no storage: find its
 * listener as a packet of the flow coming in would (the lookup returns
 * the listener of a request socket).  NULL if none; else release it.
 */
static __always_inline struct bpf_sock *listener_of(struct __sk_buff *skb,
						    const struct xs_pkt *p)
{
	struct bpf_sock_tuple t;
	__u32 len;

	if (p->proto != IPPROTO_TCP || p->opaque)
		return NULL;
	__builtin_memset(&t, 0, sizeof(t));
	if (p->family == XS_AF_INET) {
		__builtin_memcpy(&t.ipv4.saddr, p->dst, 4);
		__builtin_memcpy(&t.ipv4.daddr, p->src, 4);
		t.ipv4.sport = p->dport;
		t.ipv4.dport = p->sport;
		len = sizeof(t.ipv4);
	} else {
		__builtin_memcpy(t.ipv6.saddr, p->dst, 16);
		__builtin_memcpy(t.ipv6.daddr, p->src, 16);
		t.ipv6.sport = p->dport;
		t.ipv6.dport = p->sport;
		len = sizeof(t.ipv6);
	}
	return bpf_sk_lookup_tcp(skb, &t, len, BPF_F_CURRENT_NETNS, 0);
}

/*
 * The socket's own outbound policy (bpf/cg_sockopt.bpf.c), or NULL: the
 * SPD decides.  A SYN-ACK goes by its listener's policy; a TIME-WAIT
 * reply by the SPD.
 */
static __always_inline const struct xs_policy *sock_out(struct __sk_buff *skb,
							const struct xs_pkt *p)
{
	const struct xs_sock_policy *sp;
	struct bpf_sock *sk = skb->sk, *full;

	if (!sk)
		return NULL;
	full = bpf_sk_fullsock(sk);
	if (full) {
		sp = bpf_sk_storage_get(&sock_policy, full, 0, 0);
	} else {
		full = listener_of(skb, p);
		if (!full)
			return NULL;
		sp = bpf_sk_storage_get(&sock_policy, full, 0, 0);
		bpf_sk_release(full); /* sp stays valid: RCU, this run */
	}
	if (!sp || !(sp->flags & XS_SOCK_F_OUT))
		return NULL;
	xs_count(XS_CNT_tx_sock_policy);
	return &sp->out;
}

static __always_inline int policy_out(struct __sk_buff *skb,
				      const struct xs_pkt *p,
				      const struct xs_config *c)
{
	const struct xs_policy *pol;
	const struct xs_state *st;

	st = xs_state_get();
	if (!st)
		return shot(XS_CNT_drop_internal);
	pol = sock_out(skb, p);
	if (!pol)
		pol = xs_spd_lookup(st, p, XS_DIR_OUT);
	if (!pol) {
		if (!xs_def_pass(c, p->family))
			return shot(XS_CNT_drop_default_discard);
		return ok(XS_CNT_tx_pass);
	}
	switch (pol->action) {
	case IPSEC_POLICY_NONE:
	case IPSEC_POLICY_BYPASS:
		return ok(XS_CNT_tx_pass);
	case IPSEC_POLICY_IPSEC:
		return ipsec_out(skb, pol, p, c, st);
	default:
		return shot(XS_CNT_drop_policy_discard);
	}
}

static __always_inline int classify(struct __sk_buff *skb, struct xs_pkt *p,
				    const struct xs_config *c)
{
	switch (xs_parse_skb(skb, p)) {
	case XS_PARSE_ARP:
		return ok(XS_CNT_tx_bypass_nd);
	case XS_PARSE_OTHER:
		return ok(XS_CNT_tx_pass);
	case XS_PARSE_IP:
		break;
	default:
		return shot(p->reason);
	}
	if (xs_pkt_is_nd(p))
		return ok(XS_CNT_tx_bypass_nd);
	return policy_out(skb, p, c);
}

SEC("tc")
int tc_egress(struct __sk_buff *skb)
{
	struct xs_pkt p = {};
	const struct xs_config *c = xs_config_get();
	int ret = classify(skb, &p, c);

	xs_trace(XS_HOOK_TC_EGRESS, skb->ifindex, &p, c);
	return ret;
}
