// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * SPD: policy lifetimes (see spd.h), as KAME's key_timehandler: a policy
 * with a hard lifetime (LIFETIME_HARD addtime) or a valid time
 * (LIFETIME_HARD usetime) is removed once it has lived that long, or gone
 * that long unused, and its owner is told (SADB_X_SPDEXPIRE, pfkey.c).
 * Policies carry no soft lifetime (KAME ignores LIFETIME_SOFT on SPDADD).
 *
 * Use is read off the datapath's per-policy counters (pol_stats, cleared
 * whenever a rule is written): each check compares the packet count with
 * the one last seen and, if it moved, sets usetime to now.  Only policies
 * with a valid time are sampled, so the check stays cheap with many
 * policies.
 */
#include "spd_int.h"

/* Sample p's counters: usetime = now if its packet count moved. */
static void use_refresh(struct xs_spd *spd, struct pol *p, uint64_t now)
{
	struct xs_pol_stats st;

	if (xs_dp_pol_stats_get(spd->dp, p->slot, &st))
		return;
	if (st.packets != p->packets) {
		p->packets = st.packets;
		p->sp.usetime = now;
	}
}

static bool expired(const struct pol *p, uint64_t now)
{
	const struct xs_spolicy *sp = &p->sp;
	uint64_t last = sp->usetime > p->born ? sp->usetime : p->born;

	if (sp->lifetime && now >= p->born && now - p->born >= sp->lifetime)
		return true;
	return sp->validtime && now >= last && now - last >= sp->validtime;
}

int xs_spd_expire(struct xs_spd *spd, xs_spd_expire_fn fn, void *arg)
{
	uint64_t now = spd_now(spd);
	struct pol *p, *next;
	int n = 0;

	for (p = spd->head; p; p = next) {
		next = p->next;
		if (!p->sp.lifetime && !p->sp.validtime)
			continue;
		if (p->sp.validtime)
			use_refresh(spd, p, now);
		if (!expired(p, now))
			continue;
		if (fn)
			fn(arg, &p->sp);
		spd_pol_remove(spd, p);
		n++;
	}
	return n;
}
