/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The SAs as the crypto workers see them: an array of atomic pointers to
 * struct xs_sa_rt indexed by SA slot (the slot the BPF maps carry), written
 * by the main thread, read lock-free by the workers.
 *
 * Reclamation is quiescent-state based: a worker announces at the top of
 * each loop (and before it blocks in poll) that it holds no SA pointer;
 * xs_satab_sync() waits until every worker has done so since the pointer
 * was cleared, and only then is an SA freed (keys wiped).  A generation
 * per slot tells a worker that its cached EVP context belongs to an SA that
 * is gone; purge_seq tells it to drop such contexts (and their key
 * schedules) promptly.
 */
#ifndef XS_SATAB_H
#define XS_SATAB_H

#include <stdatomic.h>
#include <stdint.h>
#include "esp.h"

#define XS_QS_IDLE UINT64_MAX

struct xs_satab {
	_Atomic(struct xs_sa_rt *) rt[XS_MAX_SA];
	_Atomic uint64_t gen[XS_MAX_SA];
	_Atomic uint64_t epoch;
	_Atomic uint64_t purge_seq;
	_Atomic uint64_t qs[XS_MAX_WORKERS]; /* per worker: epoch seen */
	_Atomic int nworkers;
	uint64_t next_gen;
	struct xs_sa_rt **pending; /* replaced, freed by xs_satab_reclaim */
	size_t npending, cap;
};

struct xs_satab *xs_satab_new(void);
/* Frees every SA (wiping keys); workers must be stopped. */
void xs_satab_free(struct xs_satab *t);

/* Main thread: publish rt at slot; the SA it replaces is freed by the
 * next xs_satab_reclaim().  -ENOMEM (rt not published) if the pending
 * list cannot grow. */
int xs_satab_set(struct xs_satab *t, uint32_t slot, struct xs_sa_rt *rt);
/* Main thread: remove the SA at slot (freed by xs_satab_reclaim()). */
int xs_satab_clear(struct xs_satab *t, uint32_t slot);
/* Main thread: wait for the workers once and free (wipe) every SA removed
 * since the last call.  Call after each batch of changes. */
void xs_satab_reclaim(struct xs_satab *t);

/* Worker side. */
static inline void xs_satab_quiescent(struct xs_satab *t, int w)
{
	atomic_store(&t->qs[w], atomic_load(&t->epoch));
}

static inline void xs_satab_idle(struct xs_satab *t, int w)
{
	atomic_store(&t->qs[w], XS_QS_IDLE);
}

static inline struct xs_sa_rt *xs_satab_get(struct xs_satab *t, uint32_t slot,
					    uint64_t *gen)
{
	if (slot >= XS_MAX_SA)
		return NULL;
	*gen = atomic_load(&t->gen[slot]);
	return atomic_load(&t->rt[slot]);
}

#endif /* XS_SATAB_H */
