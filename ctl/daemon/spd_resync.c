// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * SPD: taking the datapath tables over from a previous run without a
 * window where the old rules are gone and the new ones not yet live.
 * See xs_spd_resync() in spd.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "spd_int.h"

/* ------------------------------------------------------------------ */
/* Taking over the datapath from a previous run                       */

/* What the live tables use: whether the low half of the mask ids is
 * live (an in-use mask of the live half has a low id; none: the half
 * state.spd_active names), and which policy slots the live rules point
 * at. */
static int live_state(struct xs_dp *dp, size_t max, bool *low, uint8_t *used)
{
	struct xs_spd_key key, next, *prev = NULL;
	bool any = false;
	struct xs_spd_mask m;
	struct xs_spd_rule r;
	struct xs_state st;
	uint32_t i, k;
	int err;

	err = xs_dp_state_get(dp, &st);
	if (err || dp->spd_masks < 0 || dp->spd_rules < 0)
		return err;
	for (i = 0; i < XS_SPD_MAX_MASKS; i++) {
		k = (st.spd_active ? XS_SPD_MAX_MASKS : 0) + i;
		if (bpf_map_lookup_elem(dp->spd_masks, &k, &m) || !m.in_use)
			continue;
		any = true;
		if (m.id < XS_ID_HALF)
			*low = true;
	}
	if (!any)
		*low = !st.spd_active;
	while (!bpf_map_get_next_key(dp->spd_rules, prev, &next)) {
		if (!bpf_map_lookup_elem(dp->spd_rules, &next, &r) &&
		    r.slot < max)
			used[r.slot] = 1;
		key = next;
		prev = &key;
	}
	return 0;
}

struct sweep_arg {
	const struct xs_spd *spd;
	bool mine;
};

static bool rule_stale(const void *key, void *arg)
{
	const struct xs_spd_key *k = key;
	const struct sweep_arg *a = arg;

	return ((k->mask & XS_ID_HALF) == a->spd->id_base) == a->mine;
}

/* Delete every rule keyed in the half of the mask id space that is not
 * (or, with mine, that is) spd's own. */
static int sweep_rules(struct xs_spd *spd, bool mine)
{
	struct sweep_arg a = { spd, mine };

	return xs_dp_map_sweep(spd->dp->spd_rules, sizeof(struct xs_spd_key),
			       rule_stale, &a);
}

/* Clear the mask entries and bitmaps of half h (any run's). */
static int half_clear(struct xs_dp *dp, uint8_t h)
{
	uint32_t i;
	int err = 0;

	for (i = 0; i < XS_SPD_MAX_MASKS && !err; i++)
		err = xs_dp_spd_mask_set(dp, (uint16_t)(h ? XS_ID_HALF + i : i),
					 NULL);
	return err ? err : xs_spd_prune_sweep(dp, h);
}

/* Write spd's whole SPD in its own half (not live yet). */
static int half_write(struct xs_spd *spd)
{
	struct pol *p;
	int err;

	memset(spd->pub, 0, sizeof(spd->pub)); /* half_clear() left that */
	err = spd_masks_sync(spd, false);
	for (p = spd->head; p && !err; p = p->next) {
		p->key.mask = (uint16_t)(spd->id_base + p->midx);
		err = spd_rule_write(spd, p);
	}
	xs_spd_prune_bind(spd->prune, spd->dp, spd_half(spd));
	return err ? err : xs_spd_prune_write_all(spd->prune);
}

/* Give every policy a slot no live rule uses; rebuild the free list from
 * what is left (or, after the sweep, from every slot not in use). */
static int reslot(struct xs_spd *spd, const uint8_t *avoid)
{
	uint8_t *mine = calloc(spd->max, 1);
	size_t slot;
	struct pol *p;

	if (!mine)
		return -ENOMEM;
	spd->nfree = 0;
	for (slot = spd->max; slot-- > 0;)
		if (!avoid || !avoid[slot])
			spd->free_slots[spd->nfree++] = (uint32_t)slot;
	if (spd->nfree < spd->count) {
		free(mine);
		return -ENOSPC;
	}
	for (p = spd->head; p; p = p->next) {
		p->slot = spd->free_slots[--spd->nfree];
		mine[p->slot] = 1;
	}
	spd->nfree = 0;
	for (slot = spd->max; slot-- > 0;)
		if (!mine[slot] && (!avoid || !avoid[slot]))
			spd->free_slots[spd->nfree++] = (uint32_t)slot;
	free(mine);
	return 0;
}

int xs_spd_resync(struct xs_spd *spd, struct xs_dp *dp)
{
	uint8_t *used = calloc(spd->max, 1);
	bool low = false;
	int i, err;

	if (!used)
		return -ENOMEM;
	err = live_state(dp, spd->max, &low, used);
	if (err)
		goto out;
	spd->id_base = low ? XS_ID_HALF : 0;
	for (i = 0; i < XS_SPD_MAX_MASKS; i++)
		if (spd->masks[i].refcnt)
			spd->masks[i].m.id = (uint16_t)(spd->id_base + i);
	err = reslot(spd, used);
	if (err)
		goto out;
	spd->dp = dp;
	/* a run that died half-way through its own take-over may have left
	 * rules, masks and bitmaps in the half we take: none is live, so
	 * they go first */
	err = sweep_rules(spd, true);
	if (!err)
		err = half_clear(dp, spd_half(spd));
	if (!err)
		err = half_write(spd);
	if (err)
		goto out;
	/* the flip: our masks, rules and bitmaps are all in place */
	err = xs_dp_spd_activate(dp, spd_half(spd));
	if (!err)
		err = sweep_rules(spd, false);
	if (!err)
		err = half_clear(dp, !spd_half(spd));
	if (!err)
		err = xs_dp_spd_gen_bump(dp);
	if (!err)
		err = reslot(spd, NULL);
out:
	free(used);
	return err;
}
