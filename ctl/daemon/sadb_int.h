/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Inside the SADB: what sadb.c (the database and its datapath mirror) and
 * sadb_life.c (larval SAs from GETSPI, lifetimes and expiry) share.
 */
#ifndef XS_SADB_INT_H
#define XS_SADB_INT_H

#include "hash.h"
#include "sadb.h"

struct sa_entry;
struct sa_group;

struct sa_member {
	struct sa_member *prev, *next; /* oldest .. newest within g */
	struct sa_group *g; /* NULL when not filed */
	struct sa_entry *e;
};

#define XS_SA_NGROUPS 4

struct sa_entry {
	struct xs_sa sa; /* with keys */
	uint32_t slot;
	bool soft_sent; /* soft expire reported */
	uint64_t packets; /* rx + tx, as last read from sa_stats */
	struct xs_hnode node; /* in db->ids */
	struct sa_entry *prev, *next; /* db list, oldest first */
	/* [0] reqid-0 group, [1] own reqid; a mode-ANY SA serves tunnel
	 * requests too (KAME key_cmpsaidx): [2], [3] are its tunnel-mode
	 * groups */
	struct sa_member m[XS_SA_NGROUPS];
};

struct sa_group {
	struct xs_hnode node; /* in db->groups */
	struct xs_sa_out_key key;
	struct sa_member *head, *tail;
	uint32_t pub_slot; /* what sa_out holds, XS_SLOT_NONE if nothing */
};

struct xs_sadb {
	struct xs_dp *dp;
	size_t max_sa;
	struct sa_entry **slots;
	uint32_t *free_slots;
	size_t nfree;
	struct xs_hash ids, groups;
	struct sa_entry *head, *tail;
	size_t count[SADB_SATYPE_MAX + 1];
	size_t total;
	xs_sadb_notify_fn notify;
	void *notify_arg;
	xs_sadb_clock_fn clock;
	void *clock_arg;
};

uint64_t sadb_now(const struct xs_sadb *db);
bool sadb_larval(const struct sa_entry *e);
struct sa_entry *sadb_find(struct xs_sadb *db, uint8_t satype, uint32_t spi,
			   const struct xs_addr *dst);
struct sa_entry *sadb_entry_new(struct xs_sadb *db, const struct xs_sa *sa,
				uint8_t state);
int sadb_entry_remove(struct xs_sadb *db, struct sa_entry *e);
/* The groups e is filed in (NULL where none), in g[XS_SA_NGROUPS]. */
void sadb_groups_of(const struct sa_entry *e, struct sa_group **g);
int sadb_groups_sync(struct xs_sadb *db, struct sa_group **g);
void sadb_cur_refresh(struct xs_sadb *db, struct sa_entry *e, uint64_t t);

#endif /* XS_SADB_INT_H */
