/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A small intrusive chained hash table for the controller's databases.
 * The caller embeds a struct xs_hnode in its records, computes the hash
 * (xs_hash_bytes) and compares keys itself while walking a chain:
 *
 *	for (n = xs_hash_first(t, h); n; n = xs_hash_next(n))
 *		if (key_equal(xs_container_of(n, struct rec, node), key))
 *			...
 *
 * Insertion never fails: the bucket array doubles when the load passes 1
 * and simply stays smaller if that allocation fails.
 */
#ifndef XS_HASH_H
#define XS_HASH_H

#include <stddef.h>
#include <stdint.h>

#define xs_container_of(ptr, type, member) \
	((type *)((char *)(ptr)-offsetof(type, member)))

struct xs_hnode {
	struct xs_hnode *next;
	uint64_t hash;
};

struct xs_hash {
	struct xs_hnode **b;
	size_t nbuckets; /* power of two */
	size_t count;
};

/* 0 or -ENOMEM. */
int xs_hash_init(struct xs_hash *t, size_t hint);
/* Frees the buckets only; the records are the caller's. */
void xs_hash_destroy(struct xs_hash *t);
void xs_hash_insert(struct xs_hash *t, struct xs_hnode *n, uint64_t hash);
void xs_hash_remove(struct xs_hash *t, struct xs_hnode *n);
/* First / next node carrying this hash value, NULL at the end. */
struct xs_hnode *xs_hash_first(const struct xs_hash *t, uint64_t hash);
struct xs_hnode *xs_hash_next(const struct xs_hnode *n);

uint64_t xs_hash_bytes(const void *p, size_t len, uint64_t seed);

#endif /* XS_HASH_H */
