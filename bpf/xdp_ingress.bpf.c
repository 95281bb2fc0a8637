// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdp_ingress: the receive side of a protected NIC.
 *
 *   ARP, ND (ICMPv6 133..137)   pass (built-in bypass, before the SPD)
 *   not IP                      pass
 *   ESP / AH                    known SPI: redirect to the queue's worker
 *                               socket, the SA slot in the XDP metadata
 *                               (struct xs_xdp_meta); fragments: to a
 *                               worker unchecked (it reassembles, slot
 *                               XS_SLOT_NONE); unknown SPI: drop
 *   UDP to XS_NATT_PORT         ESP in UDP (non-zero marker): as ESP, for
 *                               NAT-T SAs only; NAT keepalive: drop,
 *                               counted; marker 0 (IKE): the SPD
 *   other IP                    SPD (inbound): a cleartext packet passes
 *                               only if no policy, or its policy,
 *                               allows it in clear; with
 *                               net.inet.ipsec.fastforward, one this host
 *                               would forward out of an xdpsec NIC under
 *                               an IPSEC policy whose SAs exist goes to
 *                               the worker instead (fastfwd() below)
 *
 * Every packet is counted once in the stats map: its verdict counter or
 * exactly one drop reason.
 */
#include "lib/parse.h"
#include "lib/config.h"
#include "lib/spd.h"
#include "lib/sa_out.h"
#include "lib/trace.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __always_inline int drop(enum xs_counter reason)
{
	xs_count(reason);
	return XDP_DROP;
}

static __always_inline int pass(enum xs_counter c)
{
	xs_count(c);
	return XDP_PASS;
}

/* Tell the worker which SA the SPI lookup found (XS_SLOT_NONE for a
 * fragment), or (XS_META_MAGIC_FWD) that the frame is fast-forwarded
 * cleartext: struct xs_xdp_meta in the XDP metadata area. */
static __always_inline int put_meta(struct xdp_md *ctx, __u32 magic,
				    __u32 sa_slot)
{
	struct xs_xdp_meta *m;
	void *data;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return -1;
	m = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(m + 1) > data)
		return -1;
	m->magic = magic;
	m->sa_slot = sa_slot;
	return 0;
}

/* Hand a frame to worker socket xslot (xs_xsk_slot()). */
static __always_inline int steer_to(struct xdp_md *ctx, __u32 xslot,
				    __u32 magic, __u32 sa_slot,
				    enum xs_counter c)
{
	if (put_meta(ctx, magic, sa_slot))
		return drop(XS_CNT_drop_internal);
	if (bpf_redirect_map(&xsks, xslot, XDP_DROP) != XDP_REDIRECT)
		return drop(XS_CNT_drop_no_worker);
	xs_count(c);
	return XDP_REDIRECT;
}

/* Hand a frame to the worker socket of this NIC queue. */
static __always_inline int steer(struct xdp_md *ctx, __u32 magic, __u32 sa_slot,
				 enum xs_counter c)
{
	__u32 ifindex = ctx->ingress_ifindex, q = ctx->rx_queue_index;
	const struct xs_iface *ifc;

	ifc = bpf_map_lookup_elem(&ifaces, &ifindex);
	if (!ifc)
		return drop(XS_CNT_drop_internal);
	if (q >= XS_MAX_QUEUES)
		return drop(XS_CNT_drop_no_worker);
	return steer_to(ctx, xs_xsk_slot(ifc->slot, q), magic, sa_slot, c);
}

/*
 * The inbound SA of (proto, spi, p's destination) to the worker, if it
 * exists and takes this encapsulation (natt: it arrived in UDP; an SA
 * marked XS_SA_F_NATT takes only that, the others never); else a drop
 * (drop_unknown_spi).
 */
static __always_inline int steer_sa(struct xdp_md *ctx, const struct xs_pkt *p,
				    __u8 proto, __be32 spi, bool natt)
{
	struct xs_sa_in_key k = { .spi = spi,
				  .proto = proto,
				  .family = p->family };
	const struct xs_sa_ref *sa;
	int ret;

	__builtin_memcpy(k.daddr, p->dst, 16);
	sa = bpf_map_lookup_elem(&sa_in, &k);
	if (!sa || !!(sa->flags & XS_SA_F_NATT) != natt)
		return drop(XS_CNT_drop_unknown_spi);
	ret = steer(ctx, XS_META_MAGIC, sa->slot, XS_CNT_rx_steer);
	if (ret == XDP_REDIRECT)
		xs_sa_rx_count(sa->slot, p->l3_len);
	return ret;
}

static __always_inline int ipsec_in(struct xdp_md *ctx, struct xs_buf *b,
				    const struct xs_pkt *p,
				    const struct xs_config *c)
{
	__u32 off = p->l4_off & 0x7fff; /* < 32K: keeps the verifier's range */
	__be32 *spi;

	if (p->proto == IPPROTO_ESP && !c->esp_enable)
		return drop(XS_CNT_drop_esp_disabled);
	if (p->proto == IPPROTO_AH && !c->ah_enable)
		return drop(XS_CNT_drop_ah_disabled);
	if (p->frag)
		return steer(ctx, XS_META_MAGIC, XS_SLOT_NONE,
			     XS_CNT_rx_steer_frag);
	/* ESP: SPI, sequence; AH: next, len, reserved, SPI, sequence */
	if (p->proto == IPPROTO_AH)
		off += 4;
	spi = b->data + off;
	if ((void *)(spi + 2) > b->data_end)
		return drop(XS_CNT_drop_malformed);
	return steer_sa(ctx, p, p->proto, *spi, false);
}

/*
 * UDP to XS_NATT_PORT (RFC 3948 2.2): a 1-byte 0xff payload is a NAT
 * keepalive; at least 8 bytes not starting with 4 zero bytes are ESP
 * (SPI, sequence) for an SA marked XS_SA_F_NATT.  NOT_NATT: not ESP, the
 * caller goes on with the SPD.
 */
#define NOT_NATT (-1)

static __always_inline int natt_in(struct xdp_md *ctx, struct xs_buf *b,
				   const struct xs_pkt *p,
				   const struct xs_config *c)
{
	__u32 off = p->l4_off & 0x7fff;
	__be16 *udp = b->data + off;
	__u8 *pl = (void *)(udp + 4);
	__be32 *spi = (void *)pl;

	/* frames may be padded: the UDP length says what the payload is */
	if ((void *)(pl + 1) > b->data_end)
		return NOT_NATT;
	if (udp[2] == bpf_htons(9) && *pl == 0xff)
		return drop(XS_CNT_drop_natt_keepalive);
	if ((void *)(spi + 2) > b->data_end || *spi == 0)
		return NOT_NATT;
	if (!c->esp_enable)
		return drop(XS_CNT_drop_esp_disabled);
	return steer_sa(ctx, p, IPPROTO_ESP, *spi, true);
}

/* A cleartext packet under an IPSEC policy: allowed only if every
 * request is at level use. */
static __always_inline bool clear_allowed(const struct xs_policy *pol,
					  const struct xs_config *c,
					  __u8 family)
{
	__u32 i;

	for (i = 0; i < XS_MAX_TMPL; i++) {
		if (i >= pol->ntmpl)
			break;
		if (xs_level(c, &pol->tmpl[i], family) != IPSEC_LEVEL_USE)
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* fast forwarding (net.inet.ipsec.fastforward)                       */

#define FWD_NO (-1)

/* A source the kernel would not forward from (martian, RFC 1812 5.3.7;
 * IPv6: unspecified, loopback, multicast, link-local). */
static __always_inline bool fwd_bad_src(const struct xs_pkt *p)
{
	const __u8 *a = p->src;

	if (p->family == XS_AF_INET)
		return a[0] == 0 || a[0] == 127 || a[0] >= 224;
	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return true;
	/* :: and ::1 */
	return !(a[0] | a[1] | a[2] | a[3] | a[4] | a[5] | a[6] | a[7] | a[8] |
		 a[9] | a[10] | a[11] | a[12] | a[13] | a[14]) &&
	       a[15] <= 1;
}

static __always_inline bool same_mac(const __u8 *a, const __u8 *b)
{
	return !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) |
		 (a[4] ^ b[4]) | (a[5] ^ b[5]));
}

/*
 * What the kernel checks before it forwards, and the header shapes the
 * fast path handles: a unicast frame sent to this NIC (mac), plain
 * Ethernet, IPv4 without options and a valid header checksum, or IPv6
 * without hop-by-hop options; TTL / hop limit above 1 (else the kernel
 * sends the ICMP error); a forwardable source.  *tos: for the FIB query.
 * 0, or FWD_NO.
 */
static __always_inline int fwd_check(struct xdp_md *ctx, const struct xs_pkt *p,
				     const __u8 *mac, __u8 *tos)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6;
	struct iphdr *ip;
	__u32 sum;

	if (data + sizeof(*eth) + sizeof(*ip) > end || fwd_bad_src(p) ||
	    !same_mac(eth->h_dest, mac))
		return FWD_NO;
	ip = data + sizeof(*eth);
	if (p->family == XS_AF_INET) {
		if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
		    ip->ttl <= 1)
			return FWD_NO;
		sum = (__u32)bpf_csum_diff(NULL, 0, (__be32 *)ip, sizeof(*ip),
					   0);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		if (sum != 0xffff)
			return FWD_NO;
		*tos = ip->tos;
		return 0;
	}
	ip6 = data + sizeof(*eth);
	if ((void *)(ip6 + 1) > end || eth->h_proto != bpf_htons(ETH_P_IPV6) ||
	    ip6->nexthdr == IPPROTO_HOPOPTS || ip6->hop_limit <= 1)
		return FWD_NO;
	*tos = 0;
	return 0;
}

/* Where the kernel would forward p from this NIC: 0 with f filled (egress
 * ifindex, next hop's MAC), else FWD_NO (local, broadcast, no route,
 * forwarding off, neighbour unresolved, over the MTU: the kernel's path
 * deals with it). */
static __always_inline int fwd_route(struct xdp_md *ctx, const struct xs_pkt *p,
				     __u8 tos, struct bpf_fib_lookup *f)
{
	__builtin_memset(f, 0, sizeof(*f));
	f->ifindex = ctx->ingress_ifindex;
	f->l4_protocol = p->proto;
	f->sport = p->sport;
	f->dport = p->dport;
	f->tot_len = (__u16)p->l3_len;
	if (p->family == XS_AF_INET) {
		f->family = XS_AF_INET;
		f->tos = tos;
		__builtin_memcpy(&f->ipv4_src, p->src, 4);
		__builtin_memcpy(&f->ipv4_dst, p->dst, 4);
	} else {
		f->family = XS_AF_INET6;
		__builtin_memcpy(f->ipv6_src, p->src, 16);
		__builtin_memcpy(f->ipv6_dst, p->dst, 16);
	}
	if (bpf_fib_lookup(ctx, f, sizeof(*f), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		return FWD_NO;
	return 0;
}

/* The frame cut to its IP datagram: Ethernet padding and trailers would
 * otherwise be encapsulated in tunnel mode.  0, or FWD_NO. */
static __always_inline int fwd_trim(struct xdp_md *ctx, __u32 l3_len)
{
	int extra = (int)(ctx->data_end - ctx->data) -
		    (int)(sizeof(struct ethhdr) + l3_len);

	if (extra > 0 && bpf_xdp_adjust_tail(ctx, -extra))
		return FWD_NO;
	return 0;
}

/*
 * Forward the frame as the kernel and then tc_egress would: TTL / hop
 * limit decremented (RFC 1624 update of the IPv4 checksum, as the
 * kernel's ip_decrease_ttl), destination the next hop, source the mark of
 * XS_ETH_META_MARK.  fwd_check() passed.  0, or -1 (the frame may be
 * half written: drop it).
 */
static __always_inline int fwd_rewrite(struct xdp_md *ctx, __u8 family,
				       const __u8 *dmac, const __u8 *mark)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6;
	struct iphdr *ip;
	__u32 sum;

	if (data + sizeof(*eth) + sizeof(*ip) > end)
		return -1;
	ip = data + sizeof(*eth);
	ip6 = data + sizeof(*eth);
	if (family == XS_AF_INET) {
		sum = ip->check + bpf_htons(0x0100);
		ip->check = (__sum16)(sum + (sum >= 0xffff));
		ip->ttl--;
	} else {
		if ((void *)(ip6 + 1) > end)
			return -1;
		ip6->hop_limit--;
	}
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mark, ETH_ALEN);
	return 0;
}

/*
 * net.inet.ipsec.fastforward: a cleartext packet that this host forwards
 * out of another xdpsec NIC, under an outbound IPSEC policy whose SAs all
 * exist, goes straight to this queue's worker, which protects it and
 * sends it out of that NIC: the verdict then (counted), else FWD_NO: the
 * kernel's path (forwarding, tc_egress), which also asks for missing SAs
 * and resolves next hops.  Fragments take the kernel's path.  deflev:
 * xs_deflev_pack() of the config.  Global: verified on its own, its stack
 * apart from the inbound path's.
 */
__attribute__((noinline)) int xs_fastfwd(struct xdp_md *ctx,
					 const struct xs_pkt *p, __u32 deflev)
{
	const struct xs_iface *in, *out;
	const struct xs_policy *pol;
	const struct xs_state *st;
	struct bpf_fib_lookup f;
	__u32 ifindex, q, xslot;
	struct xs_pick r;
	__be32 be_slot;
	__u8 mark[ETH_ALEN], tos;

	if (!ctx || !p || p->frag)
		return FWD_NO;
	ifindex = ctx->ingress_ifindex;
	q = ctx->rx_queue_index;
	in = bpf_map_lookup_elem(&ifaces, &ifindex);
	if (!in || q >= XS_MAX_QUEUES || fwd_check(ctx, p, in->mac, &tos))
		return FWD_NO;
	/* no socket on this queue (yet): the kernel's path still works */
	xslot = xs_xsk_slot(in->slot, q);
	if (!bpf_map_lookup_elem(&xsks, &xslot))
		return FWD_NO;
	if (fwd_route(ctx, p, tos, &f) || f.ifindex == ifindex)
		return FWD_NO; /* hairpin: the kernel's reverse-path checks */
	ifindex = f.ifindex;
	out = bpf_map_lookup_elem(&ifaces, &ifindex);
	st = xs_state_get();
	if (!out || !(out->flags & XS_IFACE_NIC) || !st)
		return FWD_NO;
	pol = xs_spd_lookup(st, p, XS_DIR_OUT);
	if (!pol || pol->action != IPSEC_POLICY_IPSEC ||
	    xs_sa_pick(pol, p, deflev, &r) || r.slot == XS_SLOT_NONE)
		return FWD_NO;
	/* tunnel mode: the next hop towards the outermost endpoint instead,
	 * out of the same NIC (as tc_egress's xs_tun_nexthop) */
	if (r.outer >= 0 && r.outer < XS_MAX_TMPL) {
		xs_tun_fib_init(&f, &pol->tmpl[r.outer], ifindex);
		if (bpf_fib_lookup(ctx, &f, sizeof(f), BPF_FIB_LOOKUP_OUTPUT) !=
			    BPF_FIB_LKUP_RET_SUCCESS ||
		    f.ifindex != ifindex)
			return FWD_NO;
	}
	be_slot = bpf_htonl(r.slot);
	mark[0] = XS_ETH_META_MARK;
	mark[1] = (__u8)out->slot | (r.first_tun ? XS_ETH_META_TUNNEL : 0);
	__builtin_memcpy(mark + 2, &be_slot, 4);
	if (fwd_trim(ctx, p->l3_len))
		return FWD_NO;
	/* from here the frame is changed: it cannot go the kernel's way */
	if (fwd_rewrite(ctx, p->family, f.dmac, mark))
		return drop(XS_CNT_drop_internal);
	return steer_to(ctx, xslot, XS_META_MAGIC_FWD, r.slot,
			XS_CNT_fwd_steer);
}

/* A cleartext packet the inbound policy lets in: fast-forwarded, or
 * passed. */
static __always_inline int clear_in(struct xdp_md *ctx, const struct xs_pkt *p,
				    const struct xs_config *c)
{
	int ret = FWD_NO;

	if (c->fastforward)
		ret = xs_fastfwd(ctx, p, xs_deflev_pack(c, p->family));
	return ret == FWD_NO ? pass(XS_CNT_rx_pass) : ret;
}

static __always_inline int policy_in(struct xdp_md *ctx, const struct xs_pkt *p,
				     const struct xs_config *c)
{
	const struct xs_policy *pol;
	const struct xs_state *st;

	st = xs_state_get();
	if (!st)
		return drop(XS_CNT_drop_internal);
	pol = xs_spd_lookup(st, p, XS_DIR_IN);
	if (!pol) {
		if (!xs_def_pass(c, p->family))
			return drop(XS_CNT_drop_default_discard);
		return clear_in(ctx, p, c);
	}
	switch (pol->action) {
	case IPSEC_POLICY_NONE:
	case IPSEC_POLICY_BYPASS:
		return clear_in(ctx, p, c);
	case IPSEC_POLICY_IPSEC:
		if (clear_allowed(pol, c, p->family))
			return clear_in(ctx, p, c);
		return drop(XS_CNT_drop_in_clear);
	default:
		return drop(XS_CNT_drop_policy_discard);
	}
}

/* Global: verified once, on its own (see xs_parse()). */
__attribute__((noinline)) int xs_parse_xdp(struct xdp_md *ctx, struct xs_pkt *p)
{
	struct xs_buf b = {
		.data = (void *)(long)ctx->data,
		.data_end = (void *)(long)ctx->data_end,
	};

	if (!p)
		return XS_PARSE_DROP;
	b.len = b.data_end - b.data;
	return xs_parse(&b, p);
}

static __always_inline int classify(struct xdp_md *ctx, struct xs_pkt *p,
				    const struct xs_config *c)
{
	struct xs_buf b;

	switch (xs_parse_xdp(ctx, p)) {
	case XS_PARSE_ARP:
		return pass(XS_CNT_rx_bypass_nd);
	case XS_PARSE_OTHER:
		return pass(XS_CNT_rx_pass);
	case XS_PARSE_IP:
		break;
	default:
		return drop(p->reason);
	}
	b.data = (void *)(long)ctx->data;
	b.data_end = (void *)(long)ctx->data_end;
	b.len = b.data_end - b.data;
	if (p->proto == IPPROTO_ESP || p->proto == IPPROTO_AH)
		return ipsec_in(ctx, &b, p, c);
	if (xs_pkt_is_nd(p))
		return pass(XS_CNT_rx_bypass_nd);
	if (p->proto == IPPROTO_UDP && !p->frag &&
	    p->dport == bpf_htons(XS_NATT_PORT)) {
		int ret = natt_in(ctx, &b, p, c);

		if (ret != NOT_NATT)
			return ret;
	}
	return policy_in(ctx, p, c);
}

SEC("xdp")
int xdp_ingress(struct xdp_md *ctx)
{
	struct xs_pkt p = {};
	const struct xs_config *c = xs_config_get();
	int ret = classify(ctx, &p, c);

	xs_trace(XS_HOOK_XDP_INGRESS, ctx->ingress_ifindex, &p, c);
	return ret;
}
