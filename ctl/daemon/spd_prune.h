/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Tuple-space pruning tables (spd_prune_src / spd_prune_dst, see
 * include/xdpsec/xdpsec.h), kept incrementally for the SPD.
 *
 * Per (side, dir, family) the present prefixes P, each with a reference
 * count of rules per mask bit ("own" bits: the masks of the rules whose
 * prefix on that side is exactly P).  The bitmap published at P is own(P)
 * OR the bitmap of P's nearest present ancestor, i.e. the masks of every
 * rule whose prefix covers P: one longest match gives the whole set.
 *
 * A (prefix, bit) pair that appears sets the bit at P and at every present
 * descendant that lacks it; one that disappears recomputes them.  Only
 * entries whose bitmap changes are written.  Descendants are found per
 * prefix length, either by probing every extension of P (when that is
 * fewer than the prefixes of that length) or by scanning the prefixes of
 * that length: cheap for the usual SPD of many host prefixes and few
 * short ones.  Map errors are returned (the first one) but never leave the
 * memory state half-updated; -ENOMEM from an add means nothing changed.
 */
#ifndef XS_SPD_PRUNE_H
#define XS_SPD_PRUNE_H

#include <stdbool.h>
#include <stdint.h>
#include "dp.h"

struct xs_spd_prune;

/* What a rule contributes: its mask bit under both of its prefixes. */
struct xs_spd_prune_sel {
	uint8_t dir; /* enum xs_dir */
	uint8_t family; /* AF_INET, AF_INET6 */
	uint8_t bit; /* mask id & (XS_SPD_MAX_MASKS - 1) */
	uint8_t src_plen, dst_plen;
	const uint8_t *src, *dst; /* 16 bytes, masked to their plen */
};

struct xs_spd_prune *xs_spd_prune_new(void);
void xs_spd_prune_free(struct xs_spd_prune *pr);
/* Write to dp's maps, keys in half (0 or 1); dp may have no maps. */
void xs_spd_prune_bind(struct xs_spd_prune *pr, struct xs_dp *dp, uint8_t half);
/* One more (or one less) rule of sel's mask under sel's prefixes. */
int xs_spd_prune_add(struct xs_spd_prune *pr,
		     const struct xs_spd_prune_sel *sel);
int xs_spd_prune_del(struct xs_spd_prune *pr,
		     const struct xs_spd_prune_sel *sel);
/* Forget every prefix, deleting their entries from the maps. */
int xs_spd_prune_flush(struct xs_spd_prune *pr);
/* Write every prefix's bitmap (after xs_spd_prune_bind to a new dp). */
int xs_spd_prune_write_all(struct xs_spd_prune *pr);
/* Delete every entry of half from dp's maps, whoever wrote it. */
int xs_spd_prune_sweep(struct xs_dp *dp, uint8_t half);
/* The bitmap the datapath would get for addr (longest match), from memory;
 * dst: destination side.  For tests. */
uint64_t xs_spd_prune_bits(const struct xs_spd_prune *pr, bool dst, uint8_t dir,
			   uint8_t family, const uint8_t addr[16]);
/* Present prefixes, both sides. */
size_t xs_spd_prune_count(const struct xs_spd_prune *pr);

#endif /* XS_SPD_PRUNE_H */
