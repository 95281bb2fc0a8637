// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Userspace datagram parsing.  See pkt.h.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include "pkt.h"
#include "../lib/bytes.h"

#define MAX_EXTHDRS 8
#define IP4_MF 0x2000
#define IP4_OFFSET 0x1fff

static int l4_ports(const uint8_t *l4, size_t left, struct xs_pkt *p)
{
	switch (p->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
		if (left < 4)
			return -EINVAL;
		p->sport = (uint16_t)(l4[0] << 8 | l4[1]);
		p->dport = (uint16_t)(l4[2] << 8 | l4[3]);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (left < 2)
			return -EINVAL;
		p->sport = l4[0];
		p->dport = l4[1];
		break;
	}
	return 0;
}

static int parse4(const uint8_t *ip, size_t len, struct xs_pkt *p)
{
	struct iphdr h; /* a copy: ip need not be aligned (after L2) */
	uint16_t off;

	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, ip, sizeof(h));
	if (h.version != 4 || h.ihl < 5)
		return -EINVAL;
	p->l3len = h.ihl * 4;
	p->totlen = ntohs(h.tot_len);
	if (p->l3len > p->totlen || p->totlen > len)
		return -EINVAL;
	p->family = AF_INET;
	p->proto = h.protocol;
	memcpy(p->src, &h.saddr, 4);
	memcpy(p->dst, &h.daddr, 4);
	off = ntohs(h.frag_off);
	p->frag = (off & (IP4_MF | IP4_OFFSET)) != 0;
	p->nonfirst = (off & IP4_OFFSET) != 0;
	if (p->nonfirst)
		return 0;
	return l4_ports(ip + p->l3len, p->totlen - p->l3len, p);
}

static int parse6(const uint8_t *ip, size_t len, struct xs_pkt *p)
{
	struct ipv6hdr h; /* a copy: ip need not be aligned (after L2) */
	size_t off = sizeof(h), tot;
	uint8_t nh;
	int i;

	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, ip, sizeof(h));
	if (h.version != 6)
		return -EINVAL;
	tot = sizeof(h) + ntohs(h.payload_len);
	if (tot > len || tot > UINT16_MAX) /* totlen is 16 bits */
		return -EINVAL;
	p->totlen = (uint16_t)tot;
	p->family = AF_INET6;
	memcpy(p->src, &h.saddr, 16);
	memcpy(p->dst, &h.daddr, 16);
	nh = h.nexthdr;
	for (i = 0; i < MAX_EXTHDRS; i++) {
		if (nh == IPPROTO_FRAGMENT) {
			if (off + 8 > p->totlen)
				return -EINVAL;
			p->frag = 1;
			p->nonfirst =
				(ip[off + 2] << 8 | ip[off + 3]) & ~7u ? 1 : 0;
			nh = ip[off];
			off += 8;
		} else if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
			   nh == IPPROTO_DSTOPTS) {
			if (off + 8 > p->totlen)
				return -EINVAL;
			nh = ip[off];
			off += (size_t)(ip[off + 1] + 1) * 8;
			if (off > p->totlen)
				return -EINVAL;
		} else {
			break;
		}
	}
	if (i == MAX_EXTHDRS)
		return -EINVAL;
	p->proto = nh;
	p->l3len = (uint16_t)off;
	if (p->nonfirst)
		return 0;
	return l4_ports(ip + off, p->totlen - off, p);
}

int xs_pkt_parse(const uint8_t *ip, size_t len, struct xs_pkt *p)
{
	memset(p, 0, sizeof(*p));
	if (len < 1)
		return -EINVAL;
	switch (ip[0] >> 4) {
	case 4:
		return parse4(ip, len, p);
	case 6:
		return parse6(ip, len, p);
	}
	return -EINVAL;
}

void xs_pkt_sel(const struct xs_pkt *p, uint8_t dir, struct xs_pktsel *s)
{
	memset(s, 0, sizeof(*s));
	s->dir = dir;
	s->family = p->family;
	s->proto = p->proto;
	s->opaque_ports = p->nonfirst;
	s->sport = p->sport;
	s->dport = p->dport;
	memcpy(s->src, p->src, 16);
	memcpy(s->dst, p->dst, 16);
}

uint16_t xs_csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *b = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

void xs_ip4_csum(uint8_t *h, size_t ihl)
{
	h[10] = h[11] = 0;
	xs_put_be16(h + 10, (uint16_t)~xs_csum(h, ihl, 0));
}

/* Summed as 16-bit words, IPv6's 32-bit length and zero-padded next
 * header come to the same as IPv4's zero, protocol, 16-bit length. */
uint16_t xs_csum_pseudo(uint8_t family, const uint8_t *src, const uint8_t *dst,
			uint8_t proto, size_t l4len)
{
	size_t alen = family == AF_INET ? 4 : 16;
	uint8_t ph[36];

	memcpy(ph, src, alen);
	memcpy(ph + alen, dst, alen);
	ph[2 * alen] = 0;
	ph[2 * alen + 1] = proto;
	xs_put_be16(ph + 2 * alen + 2, (uint16_t)l4len);
	return xs_csum(ph, 2 * alen + 4, 0);
}
