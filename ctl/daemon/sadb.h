/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Security association database (the controller's copy, with keys).
 * An SA is identified by (satype, spi, dst address) as in RFC 2367/4301.
 * Every change is mirrored into the datapath maps through xs_dp: sa_in by
 * (spi, proto, dst), sa_out by (proto, mode, src, dst, reqid) where the
 * newest mature SA of a (proto, src, dst) pair is also entered with reqid 0.
 * Keys never leave this module except to the crypto workers; they are wiped
 * (OPENSSL_cleanse) when an SA is deleted, flushed or the db is freed.
 */
#ifndef XS_SADB_H
#define XS_SADB_H

#include <stdbool.h>
#include <stddef.h>
#include "dp.h"
#include "../lib/types.h"

struct xs_sadb;

struct xs_sadb *xs_sadb_new(struct xs_dp *dp, size_t max_sa);
void xs_sadb_free(struct xs_sadb *db);

/* ADD: -EEXIST if (satype, spi, dst) exists (larval included).  UPDATE:
 * replaces, -ENOENT if absent (-ESRCH is not used); the UPDATE of a larval
 * SA (xs_sadb_getspi) makes it mature and enters it in the datapath.  Validates algorithms/keys (-EINVAL,
 * -EOPNOTSUPP for an algorithm the datapath does not run), -ENOSPC when
 * full.  The db copies sa; the caller still wipes its own copy. */
int xs_sadb_add(struct xs_sadb *db, const struct xs_sa *sa, bool update);
/* Copy of the SA; the caller must xs_sa_wipe() it. -ENOENT if absent.
 * src may be NULL (not matched). */
int xs_sadb_get(struct xs_sadb *db, uint8_t satype, uint32_t spi,
		const struct xs_addr *src, const struct xs_addr *dst,
		struct xs_sa *out);
int xs_sadb_delete(struct xs_sadb *db, uint8_t satype, uint32_t spi,
		   const struct xs_addr *src, const struct xs_addr *dst);
/* satype SADB_SATYPE_UNSPEC flushes everything. Returns count removed. */
int xs_sadb_flush(struct xs_sadb *db, uint8_t satype);
size_t xs_sadb_count(const struct xs_sadb *db, uint8_t satype);
/* Visit SAs (oldest first); stops early if cb returns non-zero and
 * returns that value.  The SA passed to cb has its keys. */
int xs_sadb_foreach(struct xs_sadb *db, uint8_t satype,
		    int (*cb)(const struct xs_sa *sa, uint32_t slot, void *arg),
		    void *arg);

/*
 * Tell the crypto workers about SA changes: fn(arg, slot, sa) after an SA
 * is added or updated (sa with keys; a non-zero return undoes an add and
 * is returned by xs_sadb_add), fn(arg, slot, NULL) when it is removed.
 */
typedef int (*xs_sadb_notify_fn)(void *arg, uint32_t slot,
				 const struct xs_sa *sa);
void xs_sadb_set_notify(struct xs_sadb *db, xs_sadb_notify_fn fn, void *arg);

/* The clock, in seconds since the epoch (default time(NULL)): add/use
 * times and lifetimes.  Tests inject a fake one. */
typedef uint64_t (*xs_sadb_clock_fn)(void *arg);
void xs_sadb_set_clock(struct xs_sadb *db, xs_sadb_clock_fn fn, void *arg);

/*
 * GETSPI: create a larval SA (state LARVAL, no keys) for sa's satype,
 * src, dst, mode and reqid, with a random SPI in [min, max] (min raised to
 * XS_SADB_SPI_MIN) unused for (satype, dst); sets sa->spi, state and cur.
 * A larval SA is not in the datapath maps; UPDATE (matched by spi and dst)
 * completes it, it is removed silently XS_SADB_LARVAL_LIFE seconds after
 * creation otherwise.  -EINVAL (bad range, family, mode or satype),
 * -EEXIST (every SPI of the range taken), -ENOSPC (db full).
 */
#define XS_SADB_SPI_MIN 0x100u
#define XS_SADB_LARVAL_LIFE 30
#define XS_SADB_GETSPI_TRIES 64
#define XS_SADB_GETSPI_SCAN 65536
int xs_sadb_getspi(struct xs_sadb *db, struct xs_sa *sa, uint32_t min,
		   uint32_t max);

/*
 * Lifetimes (call once a second).  cur is refreshed from sa_stats (rx +
 * tx: allocations = packets, bytes; usetime = when packets were first
 * seen) and compared with the SA's limits: addtime/usetime (seconds
 * since), bytes, allocations (packets); a zero field is no limit.  Soft
 * reached: fn(arg, sa, false) once and the SA becomes DYING (still used
 * until a newer mature one exists).  Hard reached: the SA goes DEAD, fn(arg, sa, true),
 * then it is deleted (datapath and workers updated).  Expired larval SAs
 * are deleted without fn.  Returns the number of SAs deleted.
 */
typedef void (*xs_sadb_expire_fn)(void *arg, const struct xs_sa *sa, bool hard);
int xs_sadb_expire(struct xs_sadb *db, xs_sadb_expire_fn fn, void *arg);

#endif /* XS_SADB_H */
