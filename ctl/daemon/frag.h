/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * IP fragmentation, reassembly and "too big" ICMP for the workers; packet
 * in, packets out, no I/O.
 *
 * Reassembly (RFC 791, RFC 8200 4.5): one table per worker (no locking),
 * bounded in memory (bytes held), in number of datagrams and in time;
 * overlapping fragments drop the whole datagram (RFC 5722), as do
 * inconsistent lengths.  Keys: (src, dst, id, protocol) for IPv4,
 * (src, dst, id) for IPv6.
 *
 * Fragmentation: IPv4 (DF clear) into pieces of at most mtu bytes with
 * offsets in 8-byte units; IPv6 with a fragment header after the
 * unfragmentable part (RFC 8200 4.5).
 */
#ifndef XS_FRAG_H
#define XS_FRAG_H

#include <stddef.h>
#include <stdint.h>
#include "xdpsec/counters.h"

#define XS_REASM_MAX_LEN 65535u

struct xs_reasm;

/* max_bytes: fragment bytes held in all; timeout_ms: age at which an
 * incomplete datagram is dropped; max_dgrams: datagrams in progress. */
struct xs_reasm *xs_reasm_new(size_t max_bytes, uint32_t timeout_ms,
			      size_t max_dgrams);
void xs_reasm_free(struct xs_reasm *r);

/*
 * Add one fragment (a whole IPv4 or IPv6 datagram with MF/offset or a
 * fragment header; no L2).  Returns 0 if held, the length of the complete
 * datagram written to out (header of the first fragment with length and
 * fragment fields fixed, IPv4 checksum recomputed; IPv6 fragment header
 * removed and the next header restored), or -errno with *why set
 * (XS_CNT_drop_reasm, drop_malformed).  Expired datagrams are dropped on
 * the way and their fragments counted in *expired (may be NULL).
 */
int xs_reasm_add(struct xs_reasm *r, const uint8_t *ip, size_t len,
		 uint64_t now_ms, uint8_t *out, size_t cap,
		 enum xs_counter *why, uint32_t *expired);
/* Drop what is older than the timeout; returns fragments dropped. */
uint32_t xs_reasm_expire(struct xs_reasm *r, uint64_t now_ms);
/* Bytes currently held (for tests and stats). */
size_t xs_reasm_bytes(const struct xs_reasm *r);

/*
 * Datagram-level statistics.  A fragment that xs_reasm_add() refuses is
 * counted by the caller under *why; the fragments already held of a
 * datagram dropped on the way (timed out, evicted to make room, or failed
 * by an overlap or inconsistent length) are added to *expired.  An exact
 * duplicate of a held fragment is -EALREADY (drop_reasm), the datagram
 * kept.  A datagram that is not a fragment (nor an IPv6 atomic fragment,
 * whose fragment header is removed) is copied to out as is.
 */
struct xs_reasm_stats {
	uint64_t done; /* datagrams reassembled */
	uint64_t timed_out; /* datagrams dropped at the timeout */
	uint64_t evicted; /* dropped to make room (max_bytes, max_dgrams) */
	uint64_t failed; /* dropped: overlap, inconsistent or too long */
	uint64_t frags_dropped; /* held fragments dropped with all those */
	uint64_t in_progress; /* datagrams held now */
};
void xs_reasm_stats(const struct xs_reasm *r, struct xs_reasm_stats *st);

/*
 * Split a whole datagram into fragments of at most mtu bytes, calling
 * emit(arg, frag, len) for each in order (the buffer is reused after
 * emit returns).  IPv4 with DF set: -EMSGSIZE.  IPv6: id is the
 * fragment identification.  A datagram that fits is emitted as is.
 * Returns the number of fragments or -errno (emit's error stops it).
 */
int xs_frag(const uint8_t *ip, size_t len, uint32_t mtu, uint32_t id,
	    int (*emit)(void *arg, const uint8_t *frag, size_t len), void *arg);

/*
 * Build an ICMP "fragmentation needed" (type 3 code 4, next-hop MTU) for
 * an IPv4 datagram, or an ICMPv6 "packet too big" (type 2) for an IPv6
 * one, about orig, sent from src (4 or 16 bytes, orig's family) to orig's
 * source; quotes as much of orig as RFC 792 / RFC 4443 allow (IPv4: the
 * header + 8 bytes at least, the whole reply <= 576; IPv6: <= 1280).
 * TTL/hop limit 64, checksums filled.  Returns the length or -errno:
 * -EPERM where RFC 1122 3.2.2 / RFC 4443 2.4(e) forbid an error about
 * orig (an ICMP error, a non-first IPv4 fragment, a source or IPv4
 * destination that is not unicast), -ENOSPC if cap is too small.
 */
int xs_icmp_too_big(const uint8_t *orig, size_t len, uint32_t mtu,
		    const uint8_t *src, uint8_t *out, size_t cap);

#endif /* XS_FRAG_H */
