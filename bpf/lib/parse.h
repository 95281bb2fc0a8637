/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Packet parsing shared by the XDP and TC programs (direct packet access).
 *
 * Ethernet with up to two VLAN tags (802.1Q / 802.1ad), IPv4 with options
 * (skipped by ihl), IPv6 with up to XS_MAX_EXTHDR extension headers
 * (hop-by-hop, routing, destination options, fragment).  The result is the
 * packet's selector (struct xs_pkt) or a reason to drop it.
 *
 * Lengths are checked against the frame length the caller passes (the XDP
 * frame, or skb->len for TC, whose linear part may be shorter): reading a
 * header past data_end is "truncated" and reported as drop_malformed, so a
 * TC caller that sees drop_malformed with a non-linear skb pulls the whole
 * packet and parses again.
 */
#ifndef XS_BPF_PARSE_H
#define XS_BPF_PARSE_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdpsec/xdpsec.h"

#define XS_MAX_EXTHDR 8

enum {
	XS_IP_MF = 0x2000,
	XS_IP_OFFSET = 0x1fff,
	XS_IP6_OFFSET = 0xfff8,
	XS_ND_FIRST = 133, /* router solicitation */
	XS_ND_LAST = 137, /* redirect */
};

struct xs_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct xs_frag6_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 id;
};

/* The frame as seen by a program. */
struct xs_buf {
	void *data;
	void *data_end;
	__u32 len; /* whole frame, >= data_end - data */
};

/* A parsed IP packet: its selector and where its upper layer starts. */
struct xs_pkt {
	__u8 family; /* XS_AF_INET / XS_AF_INET6 */
	__u8 proto; /* upper-layer protocol */
	__u8 frag; /* a fragment, first or not */
	__u8 opaque; /* non-initial fragment: ports unknown */
	__u32 l4_off; /* upper-layer header, from the frame start */
	__u32 l3_len; /* IP packet length, for byte counters */
	__be16 sport; /* ports; ICMP/ICMPv6: htons(type), htons(code) */
	__be16 dport; /* 0 when opaque or the protocol has none */
	__u16 reason; /* XS_PARSE_DROP: enum xs_counter, why */
	__u16 _pad;
	__u8 src[16];
	__u8 dst[16];
};

enum xs_parse_res {
	XS_PARSE_IP, /* an IPv4/IPv6 packet, struct xs_pkt is filled */
	XS_PARSE_ARP, /* ARP: built-in bypass */
	XS_PARSE_OTHER, /* neither IP nor ARP: not ours, pass */
	XS_PARSE_DROP, /* malformed; *reason is the counter */
};

/* Ethernet and up to two VLAN tags: the L3 offset and ethertype. */
static __always_inline int parse_eth(struct xs_buf *b, __u32 *off,
				     __be16 *proto)
{
	struct ethhdr *eth = b->data;
	struct xs_vlan_hdr *vh;
	__be16 p;
	int i;

	if ((void *)(eth + 1) > b->data_end)
		return -1;
	p = eth->h_proto;
	*off = sizeof(*eth);
#pragma unroll
	for (i = 0; i < 2; i++) {
		if (p != bpf_htons(ETH_P_8021Q) && p != bpf_htons(ETH_P_8021AD))
			break;
		vh = b->data + *off;
		if ((void *)(vh + 1) > b->data_end)
			return -1;
		p = vh->proto;
		*off += sizeof(*vh);
	}
	*proto = p;
	return 0;
}

static __always_inline int parse_ipv4(struct xs_buf *b, __u32 off,
				      struct xs_pkt *p)
{
	struct iphdr *ip = b->data + off;
	__u32 hlen, tot, frag;

	if ((void *)(ip + 1) > b->data_end)
		return -1;
	if (ip->version != 4 || ip->ihl < 5)
		return -1;
	hlen = ip->ihl * 4;
	tot = bpf_ntohs(ip->tot_len);
	if (tot < hlen || off + tot > b->len)
		return -1;
	frag = bpf_ntohs(ip->frag_off);
	p->family = XS_AF_INET;
	p->proto = ip->protocol;
	p->frag = (frag & (XS_IP_MF | XS_IP_OFFSET)) != 0;
	p->opaque = (frag & XS_IP_OFFSET) != 0;
	p->l4_off = off + hlen;
	p->l3_len = tot;
	__builtin_memset(p->src, 0, sizeof(p->src));
	__builtin_memset(p->dst, 0, sizeof(p->dst));
	__builtin_memcpy(p->src, &ip->saddr, 4);
	__builtin_memcpy(p->dst, &ip->daddr, 4);
	return 0;
}

static __always_inline bool ipv6_is_ext(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_DSTOPTS || nh == IPPROTO_FRAGMENT;
}

/*
 * Walk the extension headers from *off; on return *nh is the upper-layer
 * protocol and *off its header.  A non-initial fragment ends the walk
 * (what follows is payload).  Returns 0, -1 (truncated) or -2 (chain
 * longer than XS_MAX_EXTHDR).
 */
static __always_inline int ipv6_walk(struct xs_buf *b, __u32 *off, __u8 *nh,
				     struct xs_pkt *p)
{
	struct xs_frag6_hdr *fh;
	__u32 o = *off, len;
	__u8 n = *nh;
	int i;

	for (i = 0; i < XS_MAX_EXTHDR; i++) {
		if (!ipv6_is_ext(n))
			break;
		/* every extension header is at least 8 bytes long */
		fh = b->data + o;
		if ((void *)(fh + 1) > b->data_end)
			return -1;
		if (n == IPPROTO_FRAGMENT) {
			p->frag = 1;
			len = sizeof(*fh);
			if (fh->frag_off & bpf_htons(XS_IP6_OFFSET))
				p->opaque = 1;
		} else {
			len = (((struct ipv6_opt_hdr *)fh)->hdrlen + 1) * 8;
		}
		n = fh->nexthdr;
		o += len;
		if (p->opaque)
			goto out;
	}
	if (ipv6_is_ext(n))
		return -2;
out:
	*off = o;
	*nh = n;
	return 0;
}

static __always_inline int parse_ipv6(struct xs_buf *b, __u32 off,
				      struct xs_pkt *p)
{
	struct ipv6hdr *ip6 = b->data + off;
	__u32 plen;
	__u8 nh;
	int err;

	if ((void *)(ip6 + 1) > b->data_end)
		return -1;
	if (ip6->version != 6)
		return -1;
	plen = bpf_ntohs(ip6->payload_len);
	if (off + sizeof(*ip6) + plen > b->len)
		return -1;
	p->family = XS_AF_INET6;
	p->frag = 0;
	p->opaque = 0;
	p->l3_len = sizeof(*ip6) + plen;
	__builtin_memcpy(p->src, &ip6->saddr, 16);
	__builtin_memcpy(p->dst, &ip6->daddr, 16);
	nh = ip6->nexthdr;
	off += sizeof(*ip6);
	err = ipv6_walk(b, &off, &nh, p);
	if (err)
		return err;
	if (off > b->len)
		return -1;
	p->proto = nh;
	p->l4_off = off;
	return 0;
}

/* Upper-layer selector fields: ports, or ICMP type and code. */
static __always_inline int parse_l4(struct xs_buf *b, struct xs_pkt *p)
{
	__u8 *h;
	__u32 need;

	if (p->l4_off > 0x7fff) /* no 32K header chain in a frame we parse */
		return -1;
	h = b->data + p->l4_off;

	p->sport = 0;
	p->dport = 0;
	if (p->opaque)
		return 0;
	switch (p->proto) {
	case IPPROTO_TCP:
		need = 20;
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		need = 8;
		break;
	case IPPROTO_SCTP:
		need = 12;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if ((void *)(h + 4) > b->data_end)
			return -1;
		p->sport = bpf_htons(h[0]);
		p->dport = bpf_htons(h[1]);
		return 0;
	default:
		return 0;
	}
	if ((void *)(h + need) > b->data_end)
		return -1;
	__builtin_memcpy(&p->sport, h, 2);
	__builtin_memcpy(&p->dport, h + 2, 2);
	return 0;
}

/*
 * Parse a frame.  XS_PARSE_IP fills *p; XS_PARSE_DROP sets p->reason to
 * drop_malformed or drop_exthdr_chain.
 *
 * The programs call this from a global (noinline) function of their own:
 * the verifier then checks the parser once, and the rest of the program
 * once, instead of the rest once per way through the header walk.
 */
static __always_inline enum xs_parse_res xs_parse(struct xs_buf *b,
						  struct xs_pkt *p)
{
	__be16 proto;
	__u32 off;
	int err;

	p->reason = XS_CNT_drop_malformed;
	if (parse_eth(b, &off, &proto))
		return XS_PARSE_DROP;
	if (proto == bpf_htons(ETH_P_ARP))
		return XS_PARSE_ARP;
	if (proto == bpf_htons(ETH_P_IP))
		err = parse_ipv4(b, off, p);
	else if (proto == bpf_htons(ETH_P_IPV6))
		err = parse_ipv6(b, off, p);
	else
		return XS_PARSE_OTHER;
	if (err == -2)
		p->reason = XS_CNT_drop_exthdr_chain;
	if (err || parse_l4(b, p))
		return XS_PARSE_DROP;
	return XS_PARSE_IP;
}

/* ND (ICMPv6 133..137): never subject to the SPD (built-in bypass). */
static __always_inline bool xs_pkt_is_nd(const struct xs_pkt *p)
{
	__u16 type = bpf_ntohs(p->sport);

	return p->family == XS_AF_INET6 && p->proto == IPPROTO_ICMPV6 &&
	       !p->opaque && type >= XS_ND_FIRST && type <= XS_ND_LAST;
}

#endif /* XS_BPF_PARSE_H */
