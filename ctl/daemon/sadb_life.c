// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * SADB: larval SAs (GETSPI) and lifetimes (soft/hard, by add time, use
 * time, bytes and packets; SADB_EXPIRE).  See sadb.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include "../lib/pfkey_msg.h"
#include "sadb_int.h"

/* ------------------------------------------------------------------ */
/* GETSPI                                                             */

static uint32_t rnd32(void)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)random();
	return r;
}

/* An SPI in [min, max] unused for (satype, dst): random draws, then (in
 * a small range) a full scan.  0 if there is none. */
static uint32_t pick_spi(struct xs_sadb *db, uint8_t satype,
			 const struct xs_addr *dst, uint32_t min, uint32_t max)
{
	uint64_t span = (uint64_t)max - min + 1, i;
	uint32_t spi;

	for (i = 0; i < XS_SADB_GETSPI_TRIES; i++) {
		spi = min + (uint32_t)(rnd32() % span);
		if (!sadb_find(db, satype, spi, dst))
			return spi;
	}
	for (i = 0; span <= XS_SADB_GETSPI_SCAN && i < span; i++)
		if (!sadb_find(db, satype, min + (uint32_t)i, dst))
			return min + (uint32_t)i;
	return 0;
}

int xs_sadb_getspi(struct xs_sadb *db, struct xs_sa *sa, uint32_t min,
		   uint32_t max)
{
	struct sa_entry *e;
	struct xs_sa l;

	if (min < XS_SADB_SPI_MIN)
		min = XS_SADB_SPI_MIN;
	if (min > max)
		return -EINVAL;
	if (sa->satype != SADB_SATYPE_ESP && sa->satype != SADB_SATYPE_AH)
		return -EINVAL;
	if (sa->src.family != sa->dst.family ||
	    (sa->dst.family != AF_INET && sa->dst.family != AF_INET6))
		return -EINVAL;
	if (sa->mode > IPSEC_MODE_TUNNEL)
		return -EINVAL;
	if (!db->nfree)
		return -ENOSPC;
	sa->spi = pick_spi(db, sa->satype, &sa->dst, min, max);
	if (!sa->spi)
		return -EEXIST;
	memset(&l, 0, sizeof(l)); /* no keys, algorithms or lifetimes */
	l.satype = sa->satype;
	l.mode = sa->mode;
	l.spi = sa->spi;
	l.reqid = sa->reqid;
	l.seq = sa->seq;
	l.pid = sa->pid;
	l.src = sa->src;
	l.dst = sa->dst;
	e = sadb_entry_new(db, &l, SADB_SASTATE_LARVAL);
	if (!e)
		return -ENOMEM;
	sa->state = SADB_SASTATE_LARVAL;
	sa->cur = e->sa.cur;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Lifetimes                                                          */

/* Has the SA reached limit lim at time t?  Zero fields are no limit. */
static bool reached(const struct sa_entry *e, const struct xs_lifetime *lim,
		    uint64_t t)
{
	const struct xs_lifetime *c = &e->sa.cur;

	return (lim->addtime && t >= c->addtime &&
		t - c->addtime >= lim->addtime) ||
	       (lim->usetime && c->usetime && t >= c->usetime &&
		t - c->usetime >= lim->usetime) ||
	       (lim->bytes && c->bytes >= lim->bytes) ||
	       (lim->allocations && e->packets >= lim->allocations);
}

/* Does checking the SA's limits need its counters? */
static bool needs_stats(const struct xs_sa *sa)
{
	return (sa->has_hard &&
		(sa->hard.bytes || sa->hard.allocations || sa->hard.usetime)) ||
	       (sa->has_soft &&
		(sa->soft.bytes || sa->soft.allocations || sa->soft.usetime));
}

/* Soft limit: report once, the SA goes DYING (still used until a mature
 * one of its groups replaces it). */
static void soft_expire(struct xs_sadb *db, struct sa_entry *e,
			xs_sadb_expire_fn fn, void *arg)
{
	struct sa_group *g[XS_SA_NGROUPS];

	sadb_groups_of(e, g);
	e->soft_sent = true;
	e->sa.state = SADB_SASTATE_DYING;
	sadb_groups_sync(db, g);
	if (fn)
		fn(arg, &e->sa, false);
}

/*
 * Sequence number exhaustion (RFC 4303 3.3.3, RFC 4302 3.3.2): without ESN
 * a worker stops sending on the SA after 2^32 - 1 and flags it in
 * sa_stats; the SA then expires hard here (SADB_EXPIRE to the PF_KEY
 * sockets, removed from the datapath) so that the key manager rekeys.
 * One sa_stats lookup per SA and second.
 */
static bool seq_exhausted(struct xs_sadb *db, const struct sa_entry *e)
{
	struct xs_sa_stats st;

	if (e->sa.flags & SADB_X_SAFLAGS_ESN)
		return false;
	return !xs_dp_sa_stats_get(db->dp, e->slot, &st) && st.seq_exhausted;
}

static void hard_expire(struct xs_sadb *db, struct sa_entry *e,
			xs_sadb_expire_fn fn, void *arg)
{
	e->sa.state = SADB_SASTATE_DEAD;
	if (fn)
		fn(arg, &e->sa, true);
	sadb_entry_remove(db, e);
}

int xs_sadb_expire(struct xs_sadb *db, xs_sadb_expire_fn fn, void *arg)
{
	uint64_t t = sadb_now(db);
	struct sa_entry *e, *next;
	int n = 0;

	for (e = db->head; e; e = next) {
		next = e->next;
		if (sadb_larval(e)) {
			if (t >= e->sa.cur.addtime + XS_SADB_LARVAL_LIFE) {
				sadb_entry_remove(db, e);
				n++;
			}
			continue;
		}
		if (seq_exhausted(db, e)) {
			sadb_cur_refresh(db, e, t);
			hard_expire(db, e, fn, arg);
			n++;
			continue;
		}
		if (!e->sa.has_hard && !e->sa.has_soft)
			continue;
		if (needs_stats(&e->sa))
			sadb_cur_refresh(db, e, t);
		if (e->sa.has_hard && reached(e, &e->sa.hard, t)) {
			hard_expire(db, e, fn, arg);
			n++;
		} else if (e->sa.has_soft && !e->soft_sent &&
			   reached(e, &e->sa.soft, t)) {
			soft_expire(db, e, fn, arg);
		}
	}
	return n;
}
