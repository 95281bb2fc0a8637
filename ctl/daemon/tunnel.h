/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Tunnel mode (RFC 4301 5.1.2): the outer IP header in front of a whole
 * inner datagram, and its removal.  ESP and AH then work on the outer
 * datagram as they do in transport mode, with protocol IPPROTO_IPIP (4)
 * or IPPROTO_IPV6 (41): the ESP trailer's next header, AH's ICV over the
 * outer header.  IPv4 and IPv6 inside either.
 *
 * Encapsulation (KAME ipsec4_encapsulate / ipsec6_encapsulate): outer
 * addresses are the SA's endpoints; TTL / hop limit 64; DSCP copied from
 * the inner header; ECN by the ecn knob; IPv4 DF by the dfbit knob (an
 * IPv6 inner counts as DF); IPv6 flow label 0.  The inner TTL is left
 * alone: the kernel that forwarded the packet has decremented it.
 * Decapsulation: ECN by the ecn knob of the outer family; the inner
 * datagram must be whole and of the version the protocol names.
 */
#ifndef XS_TUNNEL_H
#define XS_TUNNEL_H

#include <stddef.h>
#include <stdint.h>
#include "esp.h"

enum {
	XS_ECN_FORBIDDEN = 0, /* KAME ECN_FORBIDDEN, RFC 3168 limited */
	XS_ECN_ALLOWED = 1, /* KAME ECN_ALLOWED, RFC 3168 full */
	XS_ECN_NOCARE = 2, /* KAME ECN_NOCARE (-1 there) */
};

struct xs_tun_knobs {
	uint8_t dfbit; /* net.inet.ipsec.dfbit: 0 clear, 1 set, 2 copy */
	uint8_t ecn4; /* net.inet.ipsec.ecn: XS_ECN_* for an IPv4 outer */
	uint8_t ecn6; /* net.inet6.ipsec6.ecn: for an IPv6 outer */
};

/* Outer header length for rt's endpoints: 20 or 40. */
size_t xs_tun_hdrlen(const struct xs_sa_rt *rt);

/*
 * Writes the outer header for rt followed by the inner datagram
 * inner/len to out.  id: the outer IPv4 identification.  Returns the
 * total length, or -errno with *why set (inner not IPv4/IPv6 or
 * truncated, cap too small).
 */
int xs_tun_encap(const struct xs_sa_rt *rt, const struct xs_tun_knobs *k,
		 const uint8_t *inner, size_t len, uint16_t id, uint8_t *out,
		 size_t cap, enum xs_counter *why);

/*
 * pkt/len: a datagram whose IPsec header was just removed (outer header,
 * kept extension headers, then the payload).  If the payload is an
 * IPv4/IPv6 datagram (protocol 4/41) and rt may be a tunnel (mode tunnel
 * or any), applies ECN and moves the inner datagram to the front of pkt.
 * Returns the new length (len itself when nothing was decapsulated:
 * *tunnel false), or -errno with *why set: a tunnel-mode SA whose payload
 * is not IP (drop_selector), an inner datagram that is truncated or of
 * the wrong version (drop_malformed), CE over not-ECT (drop_ecn).
 */
int xs_tun_decap(const struct xs_sa_rt *rt, const struct xs_tun_knobs *k,
		 uint8_t *pkt, size_t len, bool *tunnel, enum xs_counter *why);

#endif /* XS_TUNNEL_H */
