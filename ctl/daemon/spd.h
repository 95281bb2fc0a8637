/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Security policy database (the controller's copy) and its compilation
 * into the datapath's tuple-space tables (include/xdpsec/xdpsec.h):
 * each policy becomes one spd_rules entry under the mask of its selector
 * (family, dir, prefix lengths, protocol/ports exact or any), one
 * spd_policies slot; a mask's spd_masks entry (by id) is rewritten when
 * it appears, disappears or changes best rank, and the prune bitmaps
 * (spd_prune.c) follow each rule's prefixes.
 *
 * A policy is identified by (selector, dir) as in KAME: SPDADD of an
 * existing one is -EEXIST, SPDUPDATE replaces or creates.  Order: lower
 * priority value first, then insertion order.
 */
#ifndef XS_SPD_H
#define XS_SPD_H

#include <stdbool.h>
#include <stddef.h>
#include "dp.h"
#include "../lib/types.h"

struct xs_spd;

struct xs_spd *xs_spd_new(struct xs_dp *dp, size_t max_policy);
void xs_spd_free(struct xs_spd *spd);

/* Assigns sp->id (and sp->addtime if 0).  -EEXIST (add of an existing
 * policy), -EINVAL (bad selector/requests), -ENOSPC (no slot or more than
 * XS_SPD_MAX_MASKS masks). */
int xs_spd_add(struct xs_spd *spd, struct xs_spolicy *sp, bool update);
/* By (selector, dir); the removed policy is copied to out if non-NULL. */
int xs_spd_delete(struct xs_spd *spd, const struct xs_selector *sel,
		  uint8_t dir, struct xs_spolicy *out);
int xs_spd_delete_id(struct xs_spd *spd, uint32_t id, struct xs_spolicy *out);
int xs_spd_get_id(struct xs_spd *spd, uint32_t id, struct xs_spolicy *out);
int xs_spd_flush(struct xs_spd *spd);
size_t xs_spd_count(const struct xs_spd *spd);
/* Visit in match order (priority, then insertion). */
int xs_spd_foreach(struct xs_spd *spd,
		   int (*cb)(const struct xs_spolicy *sp, void *arg),
		   void *arg);

/*
 * Take over the datapath tables of a previous run.  spd was created on a
 * dp with no maps (xs_dp_init_none) and filled in memory; the tables still
 * hold the previous run's rules, which keep being enforced meanwhile.
 * Writes every policy (on slots no live rule points at, with mask ids in
 * the other half of the id space), its masks and prune bitmaps in that
 * half, makes the half live in one flip (state.spd_active), then deletes
 * the previous rules, masks and bitmaps.  spd uses dp from then on.
 */
int xs_spd_resync(struct xs_spd *spd, struct xs_dp *dp);

/*
 * Policy lifetimes (spd_life.c), KAME's: sp->lifetime seconds after the
 * add (or the SPDUPDATE that last replaced the policy), or sp->validtime
 * seconds without use (the last use is when the policy's pol_stats
 * packet counter last moved, sampled at each check; never used: from the
 * add), the policy expires: fn is called with it (usetime set) and it is
 * removed from the SPD and the datapath.  Returns the policies removed.
 * The clock defaults to time(NULL); tests set their own.
 */
typedef uint64_t (*xs_spd_clock_fn)(void *arg);
void xs_spd_set_clock(struct xs_spd *spd, xs_spd_clock_fn fn, void *arg);
typedef void (*xs_spd_expire_fn)(void *arg, const struct xs_spolicy *sp);
int xs_spd_expire(struct xs_spd *spd, xs_spd_expire_fn fn, void *arg);

/* A packet's selector fields, as the datapath sees them. */
struct xs_pktsel {
	uint8_t dir; /* IPSEC_DIR_INBOUND / OUTBOUND / FWD */
	uint8_t family;
	uint8_t proto; /* upper-layer protocol */
	bool opaque_ports; /* non-initial fragment: ports unknown */
	uint16_t sport, dport; /* host order; ICMP: type, code */
	uint8_t src[16], dst[16];
};

/* Reference lookup (linear, in match order) with the datapath's semantics:
 * the best-ranked policy whose selector matches, or NULL.  An opaque-ports
 * packet matches only selectors whose ports are both any. */
const struct xs_spolicy *xs_spd_lookup(struct xs_spd *spd,
				       const struct xs_pktsel *pkt);

#endif /* XS_SPD_H */
