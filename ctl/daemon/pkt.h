/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Parsing of whole IP datagrams in userspace (the workers): the fields a
 * policy selects on, and where the headers end.  Bounds-checked; a short
 * or inconsistent datagram is -EINVAL.
 */
#ifndef XS_PKT_H
#define XS_PKT_H

#include <stddef.h>
#include <stdint.h>
#include "spd.h"

struct xs_pkt {
	uint8_t family; /* AF_INET / AF_INET6 */
	uint8_t proto; /* upper-layer protocol (after IPv6 ext headers) */
	uint8_t frag; /* 1: a fragment (any) */
	uint8_t nonfirst; /* 1: a non-initial fragment (ports unknown) */
	uint16_t l3len; /* IP header (+ IPv6 ext headers before L4) */
	uint16_t totlen; /* datagram length from the header */
	uint16_t sport, dport; /* host order; ICMP: type, code */
	uint8_t src[16], dst[16];
};

int xs_pkt_parse(const uint8_t *ip, size_t len, struct xs_pkt *p);
/* The selector of p in direction dir (IPSEC_DIR_*). */
void xs_pkt_sel(const struct xs_pkt *p, uint8_t dir, struct xs_pktsel *s);
/* RFC 1071 checksum of a buffer, folded, not inverted when used as part */
uint16_t xs_csum(const void *data, size_t len, uint32_t sum);
/* Write the header checksum of the IPv4 header h (ihl bytes). */
void xs_ip4_csum(uint8_t *h, size_t ihl);
/* xs_csum() of the pseudo-header of a TCP/UDP/ICMPv6 segment of l4len
 * bytes (RFC 768, RFC 8200 8.1): src and dst are 4 or 16 bytes by family
 * (AF_INET / AF_INET6), proto the upper-layer protocol. */
uint16_t xs_csum_pseudo(uint8_t family, const uint8_t *src, const uint8_t *dst,
			uint8_t proto, size_t l4len);

#endif /* XS_PKT_H */
