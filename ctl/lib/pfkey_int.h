/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Inside the PF_KEY codec: what pfkey_msg.c (framing, SAs, encoding),
 * pfkey_policy.c (X_POLICY and selectors) and pfkey_natt.c (the NAT-T
 * extensions) share.  Not for callers of the codec: they use pfkey_msg.h.
 */
#ifndef XS_PFKEY_INT_H
#define XS_PFKEY_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "pfkey_msg.h"

static inline size_t xs_pfkey_align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static inline size_t xs_pfkey_ext_bytes(const struct sadb_ext *e)
{
	return (size_t)e->sadb_ext_len * 8;
}

/* The prefix length of a host of family. */
static inline uint8_t xs_pfkey_full_plen(uint8_t family)
{
	return family == AF_INET6 ? 128 : 32;
}

/* A sockaddr_in/_in6 at p (room bytes) into a (prefix full, port kept):
 * its length, or -EINVAL. */
int xs_pfkey_sockaddr_get(const uint8_t *p, size_t room, struct xs_addr *a);
/* Bytes of a's sockaddr (0 for family 0), and writing it at p. */
size_t xs_pfkey_sockaddr_len(uint8_t family);
void xs_pfkey_sockaddr_put(uint8_t *p, const struct xs_addr *a);

#endif /* XS_PFKEY_INT_H */
