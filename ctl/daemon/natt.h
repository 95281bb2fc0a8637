/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * NAT traversal, RFC 3948: ESP in UDP.  Between the IP header and ESP
 * sits a UDP header (ports from the SA, PF_KEY SADB_X_EXT_NAT_T_SPORT /
 * DPORT); xdp_ingress recognises it on XS_NATT_PORT by the non-ESP
 * marker.  IPv6 NAT-T packets carry no extension headers before UDP here
 * (refused, counted as unsupported).
 */
#ifndef XS_NATT_H
#define XS_NATT_H

#include <stddef.h>
#include <stdint.h>
#include "esp.h"

/*
 * ip/len: a datagram carrying UDP with ESP inside.  Removes the UDP
 * header in place: the IP header moves 8 bytes forward, its protocol
 * becomes ESP, lengths (and the IPv4 checksum) follow.  Returns the new
 * start (ip + 8) with *len updated, or NULL with *why set.
 */
uint8_t *xs_natt_strip(uint8_t *ip, size_t *len, enum xs_counter *why);

/*
 * out/len: an ESP datagram for rt (IP header, ESP).  Inserts the UDP
 * header with rt's ports: checksum 0 over IPv4 (RFC 3948 2.1), computed
 * over IPv6 (RFC 8200 8.1).  Returns the new length, or -errno with *why
 * set (-EMSGSIZE when cap is too small).
 */
int xs_natt_encap(const struct xs_sa_rt *rt, uint8_t *out, size_t len,
		  size_t cap, enum xs_counter *why);

/* Transport mode behind a NAT (RFC 3948 3.1.2, step 4): recompute the
 * TCP / UDP checksum of the decrypted datagram, whose sender computed it
 * with its own (pre-NAT) addresses.  An IPv4 UDP checksum of 0 stays 0;
 * fragments and other protocols are left alone. */
void xs_natt_fix_csum(uint8_t *ip, size_t len);

#endif /* XS_NATT_H */
