/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Inside the SPD: what spd.c (the database and its tuple-space tables) and
 * spd_resync.c (taking the tables over from a previous run) share.
 */
#ifndef XS_SPD_INT_H
#define XS_SPD_INT_H

#include "hash.h"
#include "spd.h"
#include "spd_prune.h"

/* What makes two policies the same one. */
struct sel_id {
	uint8_t dir; /* IPSEC_DIR_* */
	uint8_t family;
	uint8_t src_plen, dst_plen;
	uint8_t proto;
	uint8_t _pad;
	uint16_t sport, dport;
	uint8_t src[16], dst[16]; /* masked */
};

struct pol {
	struct xs_spolicy sp;
	struct sel_id id;
	struct xs_spd_key key;
	uint64_t rank;
	uint32_t slot, seq;
	uint64_t born; /* add or update time: the hard lifetime counts from it */
	uint64_t packets; /* pol_stats packets when usetime was last set */
	uint16_t midx; /* index in spd->masks: the mask id's bit */
	bool pruned; /* its bits are in spd->prune */
	struct xs_hnode by_sel, by_id;
	struct pol *prev, *next; /* match order */
};

struct spd_mask {
	uint32_t refcnt; /* 0 = free id */
	struct xs_spd_mask m;
};

struct xs_spd {
	struct xs_dp *dp;
	size_t max;
	uint32_t *free_slots;
	size_t nfree;
	struct xs_hash by_sel, by_id;
	struct pol *head, *tail;
	size_t count;
	uint32_t seq, idgen, reqidgen;
	struct spd_mask masks[XS_SPD_MAX_MASKS];
	struct xs_spd_mask pub[XS_SPD_MAX_MASKS]; /* what spd_masks holds */
	struct xs_spd_prune *prune;
	uint16_t id_base; /* mask ids are id_base + index: 0 or XS_ID_HALF */
	xs_spd_clock_fn clock; /* NULL: time(NULL) */
	void *clock_arg;
};

/* Mask ids of one run live in one half of the id space, so that at a
 * restart the new rules never share an id with the live ones. */
#define XS_ID_HALF XS_SPD_ID_HALF

static inline uint8_t spd_half(const struct xs_spd *spd)
{
	return spd->id_base ? 1 : 0;
}

/* Write p's policy slot and rule into the datapath. */
int spd_rule_write(struct xs_spd *spd, struct pol *p);
/* Write the entries of spd_masks that changed; then (if bump) bump
 * spd_gen. */
int spd_masks_sync(struct xs_spd *spd, bool bump);
/* Add p's mask bit under its prefixes to spd->prune (sets p->pruned). */
int spd_prune_add(struct xs_spd *spd, struct pol *p);
/* Unlink p from memory and the datapath; frees it. */
int spd_pol_remove(struct xs_spd *spd, struct pol *p);
/* The SPD's clock, seconds since the epoch. */
uint64_t spd_now(const struct xs_spd *spd);

#endif /* XS_SPD_INT_H */
