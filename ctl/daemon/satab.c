// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * SA table for the workers.  See satab.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include "satab.h"

struct xs_satab *xs_satab_new(void)
{
	struct xs_satab *t = calloc(1, sizeof(*t));
	int i;

	if (!t)
		return NULL;
	for (i = 0; i < XS_MAX_WORKERS; i++)
		atomic_store(&t->qs[i], XS_QS_IDLE);
	atomic_store(&t->epoch, 1);
	return t;
}

/* Wait until every worker passed a quiescent point after this call. */
static void sync_workers(struct xs_satab *t)
{
	uint64_t e = atomic_fetch_add(&t->epoch, 1) + 1;
	struct timespec ts = { 0, 200000 }; /* 0.2 ms */
	int i, n = atomic_load(&t->nworkers);

	for (i = 0; i < n; i++)
		while (atomic_load(&t->qs[i]) < e)
			nanosleep(&ts, NULL);
}

static int replace(struct xs_satab *t, uint32_t slot, struct xs_sa_rt *rt)
{
	struct xs_sa_rt *old;

	if (slot >= XS_MAX_SA)
		return -EINVAL;
	if (t->npending == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct xs_sa_rt **p = realloc(t->pending, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->pending = p;
		t->cap = cap;
	}
	atomic_store(&t->gen[slot], ++t->next_gen);
	old = atomic_exchange(&t->rt[slot], rt);
	if (old)
		t->pending[t->npending++] = old;
	return 0;
}

int xs_satab_set(struct xs_satab *t, uint32_t slot, struct xs_sa_rt *rt)
{
	return replace(t, slot, rt);
}

int xs_satab_clear(struct xs_satab *t, uint32_t slot)
{
	return replace(t, slot, NULL);
}

void xs_satab_reclaim(struct xs_satab *t)
{
	size_t i;

	if (!t || !t->npending)
		return;
	sync_workers(t);
	for (i = 0; i < t->npending; i++)
		xs_sa_rt_free(t->pending[i]);
	t->npending = 0;
	atomic_fetch_add(&t->purge_seq, 1);
}

void xs_satab_free(struct xs_satab *t)
{
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < XS_MAX_SA; i++)
		xs_sa_rt_free(atomic_load(&t->rt[i]));
	for (i = 0; i < t->npending; i++)
		xs_sa_rt_free(t->pending[i]);
	free(t->pending);
	free(t);
}
