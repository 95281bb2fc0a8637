// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Test packet builder (see pkt.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pkt.h"

static uint8_t *put(struct xt_pkt *p, size_t n)
{
	uint8_t *h;

	if (n > sizeof(p->buf) - p->len) {
		fprintf(stderr, "xt_pkt: frame too long\n");
		abort();
	}
	h = p->buf + p->len;
	memset(h, 0, n);
	p->len += n;
	return h;
}

static void put16(uint8_t *h, uint16_t v)
{
	h[0] = v >> 8;
	h[1] = v & 0xff;
}

static void put32(uint8_t *h, uint32_t v)
{
	put16(h, v >> 16);
	put16(h + 2, v & 0xffff);
}

static void addr(int af, const char *s, uint8_t *out)
{
	if (inet_pton(af, s, out) != 1) {
		fprintf(stderr, "xt_pkt: bad address %s\n", s);
		abort();
	}
}

void xt_pkt_init(struct xt_pkt *p)
{
	memset(p, 0, sizeof(*p));
}

void xt_eth(struct xt_pkt *p, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	uint8_t *h = put(p, 14);

	memcpy(h, macs, sizeof(macs));
	put16(h + 12, type);
}

void xt_vlan(struct xt_pkt *p, uint16_t vid, uint16_t type)
{
	uint8_t *h = put(p, 4);

	put16(h, vid & 0x0fff);
	put16(h + 2, type);
}

void xt_arp(struct xt_pkt *p)
{
	uint8_t *h = put(p, 28);

	put16(h, 1); /* Ethernet */
	put16(h + 2, 0x0800);
	h[4] = 6;
	h[5] = 4;
	put16(h + 6, 1); /* request */
}

void xt_ipv4(struct xt_pkt *p, const char *src, const char *dst, uint8_t proto,
	     uint16_t frag, size_t optlen)
{
	uint8_t *h;

	p->l3_off = p->len;
	p->family = 4;
	h = put(p, 20 + optlen);
	h[0] = 0x40 | ((20 + optlen) / 4);
	put16(h + 6, frag);
	h[8] = 64;
	h[9] = proto;
	addr(AF_INET, src, h + 12);
	addr(AF_INET, dst, h + 16);
	if (optlen)
		memset(h + 20, 1, optlen); /* NOPs */
}

void xt_ipv6(struct xt_pkt *p, const char *src, const char *dst,
	     uint8_t nexthdr)
{
	uint8_t *h;

	p->l3_off = p->len;
	p->family = 6;
	h = put(p, 40);
	h[0] = 0x60;
	h[6] = nexthdr;
	h[7] = 64;
	addr(AF_INET6, src, h + 8);
	addr(AF_INET6, dst, h + 24);
}

void xt_ip6_ext(struct xt_pkt *p, uint8_t nexthdr, uint8_t len8)
{
	uint8_t *h = put(p, (len8 + 1) * 8);

	h[0] = nexthdr;
	h[1] = len8;
	h[2] = 1; /* PadN covering the rest */
	h[3] = (len8 + 1) * 8 - 4;
}

void xt_ip6_frag(struct xt_pkt *p, uint8_t nexthdr, uint16_t offset, bool more)
{
	uint8_t *h = put(p, 8);

	h[0] = nexthdr;
	put16(h + 2, (uint16_t)(offset << 3) | (more ? 1 : 0));
	put32(h + 4, 0x1234);
}

void xt_udp(struct xt_pkt *p, uint16_t sport, uint16_t dport)
{
	uint8_t *h = put(p, 8);

	put16(h, sport);
	put16(h + 2, dport);
}

void xt_tcp(struct xt_pkt *p, uint16_t sport, uint16_t dport)
{
	uint8_t *h = put(p, 20);

	put16(h, sport);
	put16(h + 2, dport);
	h[12] = 5 << 4;
	h[13] = 0x02; /* SYN */
}

void xt_icmp(struct xt_pkt *p, uint8_t type, uint8_t code)
{
	uint8_t *h = put(p, 8);

	h[0] = type;
	h[1] = code;
}

void xt_esp(struct xt_pkt *p, uint32_t spi, uint32_t seq)
{
	uint8_t *h = put(p, 8);

	put32(h, spi);
	put32(h + 4, seq);
}

void xt_ah(struct xt_pkt *p, uint8_t nexthdr, uint32_t spi, uint32_t seq)
{
	uint8_t *h = put(p, 24); /* 12 + 12-byte ICV */

	h[0] = nexthdr;
	h[1] = 24 / 4 - 2;
	put32(h + 4, spi);
	put32(h + 8, seq);
}

void xt_bytes(struct xt_pkt *p, const uint8_t *b, size_t n)
{
	memcpy(put(p, n), b, n);
}

void xt_payload(struct xt_pkt *p, size_t n)
{
	uint8_t *h = put(p, n);
	size_t i;

	for (i = 0; i < n; i++)
		h[i] = (uint8_t)i;
}

static uint16_t csum(const uint8_t *h, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

void xt_finish(struct xt_pkt *p)
{
	uint8_t *h = p->buf + p->l3_off;
	size_t l3 = p->len - p->l3_off;

	if (p->family == 4) {
		put16(h + 2, (uint16_t)l3);
		put16(h + 10, 0);
		put16(h + 10, csum(h, (h[0] & 0xf) * 4));
	} else if (p->family == 6) {
		put16(h + 4, (uint16_t)(l3 - 40));
	}
}

void xt_truncate(struct xt_pkt *p, size_t n)
{
	if (n < p->len)
		p->len = n;
}
