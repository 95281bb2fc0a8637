/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * AH (RFC 4302) transport mode for the crypto workers: packet in, packet
 * out, no I/O.  IPv4 and IPv6, with the HMAC rows of the algorithm table
 * (ctl/lib/alg.h).  The SA (struct xs_sa_rt) and the per-worker state
 * (struct xs_esp_ctx: only its precomputed HMAC states) are ESP's.
 */
#ifndef XS_AH_H
#define XS_AH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "esp.h"

#define XS_AH_HDR 12 /* next header, length, reserved, SPI, sequence */

/*
 * The KAME ipsec(4) knobs net.inet.ipsec.ah_cleartos and ah_offsetmask
 * (IPv4 only).  cleartos: zero the TOS byte in the ICV computation (RFC
 * 2402/4302; 0 keeps it, as RFC 1826 peers do).  offsetmask: ANDed into
 * the 16-bit flags + fragment offset field before it enters the ICV (0,
 * the default, zeroes it as RFC 2402/4302 say).
 */
struct xs_ah_knobs {
	bool cleartos;
	uint16_t offsetmask;
};

#define XS_AH_KNOBS_DEFAULT ((struct xs_ah_knobs){ true, 0 })

/*
 * Transport-mode output: ip/len a whole IPv4 or IPv6 datagram (no L2);
 * writes IP header [kept IPv6 extension headers] | AH | payload to out
 * (must not overlap ip).  Returns the length or -errno with *why set.
 */
int xs_ah_output(struct xs_esp_ctx *c, struct xs_sa_rt *rt,
		 const struct xs_ah_knobs *k, const uint8_t *ip, size_t len,
		 uint8_t *out, size_t cap, enum xs_counter *why);

/*
 * Transport-mode input: ip/len an AH datagram addressed to rt.  Checks the
 * AH length field, the SPI and the replay window, verifies the ICV, then
 * updates the window and writes the datagram without AH to out.  Returns
 * its length or -errno with *why set.
 */
int xs_ah_input(struct xs_esp_ctx *c, struct xs_sa_rt *rt,
		const struct xs_ah_knobs *k, const uint8_t *ip, size_t len,
		uint8_t *out, size_t cap, enum xs_counter *why);

/* AH header length of rt's packets: 12 + ICV, padded to 8 bytes for IPv6
 * and 4 for IPv4 (RFC 4302 2.2), for MTU checks. */
size_t xs_ah_len(const struct xs_sa_rt *rt, bool v6);
size_t xs_ah_overhead(const struct xs_sa_rt *rt);

/* The header bytes the ICV covers: h (a copy of the l->off bytes in front
 * of AH) with its mutable fields zeroed per RFC 4302 3.3.3.1 and appendix
 * A and the knobs; output (sender) also sets the IPv4 destination an
 * LSRR/SSRR option will deliver to.  0, or the counter that explains a
 * refusal (a malformed option, an IPv6 routing header with segments
 * left: drop_unsupported). */
int xs_ah_zero_mutable(uint8_t *h, const struct xs_l3 *l,
		       const struct xs_ah_knobs *k, bool output);

#endif /* XS_AH_H */
