/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * SADB_ACQUIRE (RFC 2367 3.1.6, Linux af_key layout): what xdpsecd sends
 * to the key managers registered for the satype when tc_egress reports a
 * policy request without an SA (struct xs_acquire_ev, include/xdpsec):
 *
 *   <base, address(S), address(D), X_POLICY, proposal>
 *
 * S and D are the SA's endpoints (the tunnel endpoints, or the packet's
 * addresses in transport mode), X_POLICY is the policy with its id and
 * requests, the proposal lists one sadb_comb per algorithm combination
 * the datapath runs (ESP: each AEAD cipher alone, each other cipher with
 * each integrity algorithm; AH: each integrity algorithm), with the
 * lifetimes Linux proposes.  seq is the daemon's acquire sequence
 * number, pid 0.
 */
#ifndef XS_PFKEY_ACQUIRE_H
#define XS_PFKEY_ACQUIRE_H

#include <stdint.h>
#include "pfkey_msg.h"

/* Proposed lifetimes (seconds), as Linux dump_esp_combs(). */
#define XS_ACQ_HARD_ADDTIME (24 * 60 * 60)
#define XS_ACQ_SOFT_ADDTIME (20 * 60 * 60)
#define XS_ACQ_HARD_USETIME (8 * 60 * 60)
#define XS_ACQ_SOFT_USETIME (7 * 60 * 60)

/* The satype of the event's SA (AH or ESP), 0 if neither. */
uint8_t xs_acquire_satype(const struct xs_acquire_ev *ev);

/* Build the message for ev and its policy sp into b; returns its length
 * or a negative errno (-EINVAL for a bad event, -ENOBUFS). */
int xs_acquire_build(struct xs_msgbuf *b, const struct xs_acquire_ev *ev,
		     const struct xs_spolicy *sp, uint32_t seq);

#endif /* XS_PFKEY_ACQUIRE_H */
