// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Intrusive chained hash table (see hash.h).
 */
#include <errno.h>
#include <stdlib.h>
#include "hash.h"

int xs_hash_init(struct xs_hash *t, size_t hint)
{
	size_t n = 16;

	while (n < hint && n < ((size_t)1 << 30))
		n <<= 1;
	t->b = calloc(n, sizeof(*t->b));
	if (!t->b)
		return -ENOMEM;
	t->nbuckets = n;
	t->count = 0;
	return 0;
}

void xs_hash_destroy(struct xs_hash *t)
{
	free(t->b);
	t->b = NULL;
	t->nbuckets = 0;
	t->count = 0;
}

static void grow(struct xs_hash *t)
{
	size_t n = t->nbuckets * 2, i;
	struct xs_hnode **b, *e, *next;

	b = calloc(n, sizeof(*b));
	if (!b)
		return; /* keep chaining in the old array */
	for (i = 0; i < t->nbuckets; i++) {
		for (e = t->b[i]; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(t->b);
	t->b = b;
	t->nbuckets = n;
}

void xs_hash_insert(struct xs_hash *t, struct xs_hnode *n, uint64_t hash)
{
	struct xs_hnode **head;

	if (t->count >= t->nbuckets)
		grow(t);
	head = &t->b[hash & (t->nbuckets - 1)];
	n->hash = hash;
	n->next = *head;
	*head = n;
	t->count++;
}

void xs_hash_remove(struct xs_hash *t, struct xs_hnode *n)
{
	struct xs_hnode **pp = &t->b[n->hash & (t->nbuckets - 1)];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			t->count--;
			return;
		}
	}
}

static struct xs_hnode *same_hash(struct xs_hnode *n, uint64_t hash)
{
	while (n && n->hash != hash)
		n = n->next;
	return n;
}

struct xs_hnode *xs_hash_first(const struct xs_hash *t, uint64_t hash)
{
	return same_hash(t->b[hash & (t->nbuckets - 1)], hash);
}

struct xs_hnode *xs_hash_next(const struct xs_hnode *n)
{
	return same_hash(n->next, n->hash);
}

/* FNV-1a with a final avalanche (splitmix64's finalizer) so that the low
 * bits used for the bucket index depend on every input byte. */
uint64_t xs_hash_bytes(const void *p, size_t len, uint64_t seed)
{
	const uint8_t *s = p;
	uint64_t h = 0xcbf29ce484222325ull ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return h;
}
