/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Test packet builder: append headers to a frame, then xt_finish() fills
 * in the IP length fields (and the IPv4 checksum).  Addresses are strings
 * ("10.0.0.1", "2001:db8::1").  Appending past the buffer aborts the test
 * program: a fixture that does not fit is a bug in the fixture.
 */
#ifndef XT_PKT_H
#define XT_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XT_PKT_MAX 1024

struct xt_pkt {
	uint8_t buf[XT_PKT_MAX];
	size_t len;
	size_t l3_off; /* 0: no IP header yet */
	int family; /* 4 or 6 */
};

void xt_pkt_init(struct xt_pkt *p);
void xt_eth(struct xt_pkt *p, uint16_t type);
/* A VLAN tag: after an ethertype/TPID of 0x8100 or 0x88a8. */
void xt_vlan(struct xt_pkt *p, uint16_t vid, uint16_t type);
void xt_arp(struct xt_pkt *p);
/* frag: host-order flags/offset field (0x2000 MF, offset in 8 bytes). */
void xt_ipv4(struct xt_pkt *p, const char *src, const char *dst, uint8_t proto,
	     uint16_t frag, size_t optlen);
void xt_ipv6(struct xt_pkt *p, const char *src, const char *dst,
	     uint8_t nexthdr);
/* Hop-by-hop / routing / destination options of (len8 + 1) * 8 bytes. */
void xt_ip6_ext(struct xt_pkt *p, uint8_t nexthdr, uint8_t len8);
/* offset in 8-byte units. */
void xt_ip6_frag(struct xt_pkt *p, uint8_t nexthdr, uint16_t offset, bool more);
void xt_udp(struct xt_pkt *p, uint16_t sport, uint16_t dport);
void xt_tcp(struct xt_pkt *p, uint16_t sport, uint16_t dport);
void xt_icmp(struct xt_pkt *p, uint8_t type, uint8_t code);
void xt_esp(struct xt_pkt *p, uint32_t spi, uint32_t seq);
void xt_ah(struct xt_pkt *p, uint8_t nexthdr, uint32_t spi, uint32_t seq);
void xt_payload(struct xt_pkt *p, size_t n);
void xt_bytes(struct xt_pkt *p, const uint8_t *b, size_t n);
/* Set IPv4 tot_len/checksum or IPv6 payload_len to the current length. */
void xt_finish(struct xt_pkt *p);
/* Cut the frame to n bytes (after xt_finish: a truncated packet). */
void xt_truncate(struct xt_pkt *p, size_t n);

#endif /* XT_PKT_H */
