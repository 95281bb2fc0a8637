// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Tuple-space pruning tables of the SPD (see spd_prune.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "hash.h"
#include "spd_prune.h"

#define NTREES (2 * XS_DIR_MAX * 2) /* side, dir, family */
#define MAXLEN 128

/* One present prefix of one tree. */
struct pnode {
	struct xs_hnode hn;
	struct pnode *prev, *next; /* the tree's prefixes of this length */
	uint64_t own; /* bits with a rule count */
	uint64_t val; /* own | the nearest present ancestor's val */
	uint32_t *cnt; /* rule counts of the own bits, in bit order */
	uint8_t tree, plen;
	uint8_t addr[16];
};

struct ptree {
	struct pnode *bylen[MAXLEN + 1];
	uint32_t nlen[MAXLEN + 1];
};

struct xs_spd_prune {
	struct xs_hash h;
	struct ptree t[NTREES];
	struct xs_dp *dp;
	uint8_t half;
};

static unsigned int tree_of(bool dst, uint8_t dir, uint8_t family)
{
	return ((dst ? XS_DIR_MAX : 0) + dir) * 2 + (family == AF_INET6);
}

static bool tree_dst(unsigned int tree)
{
	return tree >= XS_DIR_MAX * 2;
}

static uint8_t tree_dir(unsigned int tree)
{
	return (uint8_t)(tree / 2 % XS_DIR_MAX);
}

static uint8_t tree_family(unsigned int tree)
{
	return tree & 1 ? AF_INET6 : AF_INET;
}

static uint8_t tree_maxlen(unsigned int tree)
{
	return tree & 1 ? 128 : 32;
}

static uint64_t node_hash(unsigned int tree, uint8_t plen,
			  const uint8_t addr[16])
{
	uint8_t k[18];

	k[0] = (uint8_t)tree;
	k[1] = plen;
	memcpy(k + 2, addr, 16);
	return xs_hash_bytes(k, sizeof(k), 0);
}

/* The present prefix (tree, plen, addr), addr already masked to plen. */
static struct pnode *find(const struct xs_spd_prune *pr, unsigned int tree,
			  uint8_t plen, const uint8_t addr[16])
{
	struct xs_hnode *n;

	for (n = xs_hash_first(&pr->h, node_hash(tree, plen, addr)); n;
	     n = xs_hash_next(n)) {
		struct pnode *p = xs_container_of(n, struct pnode, hn);

		if (p->tree == tree && p->plen == plen &&
		    !memcmp(p->addr, addr, 16))
			return p;
	}
	return NULL;
}

/* The longest present prefix of tree covering addr with length < below. */
static struct pnode *longest(const struct xs_spd_prune *pr, unsigned int tree,
			     const uint8_t addr[16], int below)
{
	const struct ptree *t = &pr->t[tree];
	uint8_t a[16];
	int l;

	for (l = below - 1; l >= 0; l--) {
		struct pnode *p;

		if (!t->nlen[l])
			continue;
		memcpy(a, addr, 16);
		xs_addr_mask(a, (uint32_t)l);
		p = find(pr, tree, (uint8_t)l, a);
		if (p)
			return p;
	}
	return NULL;
}

static uint64_t inherited(const struct xs_spd_prune *pr, const struct pnode *p)
{
	const struct pnode *a = longest(pr, p->tree, p->addr, p->plen);

	return a ? a->val : 0;
}

/* ------------------------------------------------------------------ */
/* The maps                                                           */

static void make_key(const struct xs_spd_prune *pr, const struct pnode *p,
		     struct xs_spd_pfx_key *k)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = XS_SPD_PFX_HDR_BITS + p->plen;
	k->dir = tree_dir(p->tree);
	k->family = tree_family(p->tree);
	k->half = pr->half;
	memcpy(k->addr, p->addr, 16);
}

static int node_write(const struct xs_spd_prune *pr, const struct pnode *p)
{
	struct xs_spd_pfx_key k;

	if (!pr->dp)
		return 0;
	make_key(pr, p, &k);
	return xs_dp_spd_pfx_set(pr->dp, tree_dst(p->tree), &k, p->val);
}

static int node_unwrite(const struct xs_spd_prune *pr, const struct pnode *p)
{
	struct xs_spd_pfx_key k;

	if (!pr->dp)
		return 0;
	make_key(pr, p, &k);
	return xs_dp_spd_pfx_del(pr->dp, tree_dst(p->tree), &k);
}

static void keep_err(int *err, int r)
{
	if (!*err)
		*err = r;
}

/* ------------------------------------------------------------------ */
/* Descendants                                                        */

/* Set bits [from, from + n) of a (MSB first) to the n low bits of x. */
static void set_bits(uint8_t a[16], unsigned int from, unsigned int n,
		     uint32_t x)
{
	unsigned int j, pos;

	for (j = 0; j < n; j++) {
		pos = from + j;
		if (x >> (n - 1 - j) & 1)
			a[pos / 8] |= (uint8_t)(0x80 >> pos % 8);
		else
			a[pos / 8] &= (uint8_t) ~(0x80 >> pos % 8);
	}
}

static bool covers(const struct pnode *p, const uint8_t plen,
		   const uint8_t addr[16])
{
	uint8_t a[16];

	memcpy(a, addr, 16);
	xs_addr_mask(a, plen);
	return !memcmp(a, p->addr, 16);
}

typedef void (*visit_fn)(struct xs_spd_prune *pr, struct pnode *d, void *arg);

/* Visit the present prefixes of length l strictly under (tree, plen, addr). */
static void visit_len(struct xs_spd_prune *pr, const struct pnode *p,
		      unsigned int l, visit_fn fn, void *arg)
{
	const struct ptree *t = &pr->t[p->tree];
	unsigned int k = l - p->plen;
	struct pnode *d, *next;
	uint8_t a[16];
	uint32_t x;

	if (k < 20 && (1u << k) <= t->nlen[l]) {
		memcpy(a, p->addr, 16);
		for (x = 0; x < 1u << k; x++) {
			set_bits(a, p->plen, k, x);
			d = find(pr, p->tree, (uint8_t)l, a);
			if (d)
				fn(pr, d, arg);
		}
		return;
	}
	for (d = t->bylen[l]; d; d = next) {
		next = d->next;
		if (covers(p, p->plen, d->addr))
			fn(pr, d, arg);
	}
}

/* Visit every present prefix under p (p need not be present), shortest
 * first. */
static void visit_under(struct xs_spd_prune *pr, const struct pnode *p,
			visit_fn fn, void *arg)
{
	unsigned int l, max = tree_maxlen(p->tree);

	for (l = p->plen + 1u; l <= max; l++)
		if (pr->t[p->tree].nlen[l])
			visit_len(pr, p, l, fn, arg);
}

struct walk {
	uint64_t bit;
	int err;
};

static void gain(struct xs_spd_prune *pr, struct pnode *d, void *arg)
{
	struct walk *w = arg;

	if (d->val & w->bit)
		return;
	d->val |= w->bit;
	keep_err(&w->err, node_write(pr, d));
}

/* Ancestors come first (visit_under goes by length): theirs are final. */
static void recompute(struct xs_spd_prune *pr, struct pnode *d, void *arg)
{
	struct walk *w = arg;
	uint64_t v = d->own | inherited(pr, d);

	if (v == d->val)
		return;
	d->val = v;
	keep_err(&w->err, node_write(pr, d));
}

/* ------------------------------------------------------------------ */
/* Prefixes and their counts                                          */

static unsigned int cnt_index(uint64_t own, unsigned int bit)
{
	return (unsigned int)__builtin_popcountll(own & ((1ULL << bit) - 1));
}

static int cnt_insert(struct pnode *p, unsigned int bit)
{
	unsigned int n = (unsigned int)__builtin_popcountll(p->own);
	unsigned int i = cnt_index(p->own, bit);
	uint32_t *c = realloc(p->cnt, (n + 1) * sizeof(*c));

	if (!c)
		return -ENOMEM;
	memmove(c + i + 1, c + i, (n - i) * sizeof(*c));
	c[i] = 1;
	p->cnt = c;
	p->own |= 1ULL << bit;
	return 0;
}

static void cnt_remove(struct pnode *p, unsigned int bit)
{
	unsigned int n = (unsigned int)__builtin_popcountll(p->own);
	unsigned int i = cnt_index(p->own, bit);

	memmove(p->cnt + i, p->cnt + i + 1, (n - i - 1) * sizeof(*p->cnt));
	p->own &= ~(1ULL << bit);
}

static struct pnode *node_new(struct xs_spd_prune *pr, unsigned int tree,
			      uint8_t plen, const uint8_t addr[16])
{
	struct ptree *t = &pr->t[tree];
	struct pnode *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->tree = (uint8_t)tree;
	p->plen = plen;
	memcpy(p->addr, addr, 16);
	p->val = inherited(pr, p);
	xs_hash_insert(&pr->h, &p->hn, node_hash(tree, plen, addr));
	p->next = t->bylen[plen];
	if (p->next)
		p->next->prev = p;
	t->bylen[plen] = p;
	t->nlen[plen]++;
	return p;
}

static void node_unlink(struct xs_spd_prune *pr, struct pnode *p)
{
	struct ptree *t = &pr->t[p->tree];

	xs_hash_remove(&pr->h, &p->hn);
	if (p->prev)
		p->prev->next = p->next;
	else
		t->bylen[p->plen] = p->next;
	if (p->next)
		p->next->prev = p->prev;
	t->nlen[p->plen]--;
}

static void node_free(struct pnode *p)
{
	free(p->cnt);
	free(p);
}

static int side_add(struct xs_spd_prune *pr, unsigned int tree, uint8_t plen,
		    const uint8_t addr[16], unsigned int bit)
{
	struct walk w = { .bit = 1ULL << bit };
	struct pnode *p = find(pr, tree, plen, addr);
	bool fresh = !p;
	uint64_t old;

	if (!p) {
		p = node_new(pr, tree, plen, addr);
		if (!p)
			return -ENOMEM;
	}
	if (p->own & w.bit) {
		p->cnt[cnt_index(p->own, bit)]++;
		return 0;
	}
	if (cnt_insert(p, bit)) {
		if (fresh) {
			node_unlink(pr, p);
			node_free(p);
		}
		return -ENOMEM;
	}
	old = p->val;
	p->val |= w.bit;
	if (fresh || p->val != old)
		w.err = node_write(pr, p);
	if (!(old & w.bit)) /* else every descendant has it already */
		visit_under(pr, p, gain, &w);
	return w.err;
}

static int side_del(struct xs_spd_prune *pr, unsigned int tree, uint8_t plen,
		    const uint8_t addr[16], unsigned int bit)
{
	struct walk w = { .bit = 1ULL << bit };
	struct pnode *p = find(pr, tree, plen, addr);
	uint64_t inh;

	if (!p || !(p->own & w.bit))
		return -ENOENT;
	if (--p->cnt[cnt_index(p->own, bit)])
		return 0;
	cnt_remove(p, bit);
	inh = inherited(pr, p);
	if (!p->own) {
		node_unlink(pr, p);
		w.err = node_unwrite(pr, p);
	} else if ((p->own | inh) != p->val) {
		p->val = p->own | inh;
		w.err = node_write(pr, p);
	}
	if (!(inh & w.bit)) /* else the bit stays everywhere below */
		visit_under(pr, p, recompute, &w);
	if (!p->own)
		node_free(p);
	return w.err;
}

/* ------------------------------------------------------------------ */
/* API                                                                */

struct xs_spd_prune *xs_spd_prune_new(void)
{
	struct xs_spd_prune *pr = calloc(1, sizeof(*pr));

	if (!pr)
		return NULL;
	if (xs_hash_init(&pr->h, 64)) {
		free(pr);
		return NULL;
	}
	return pr;
}

void xs_spd_prune_free(struct xs_spd_prune *pr)
{
	if (!pr)
		return;
	pr->dp = NULL; /* forget, do not touch the maps */
	xs_spd_prune_flush(pr);
	xs_hash_destroy(&pr->h);
	free(pr);
}

void xs_spd_prune_bind(struct xs_spd_prune *pr, struct xs_dp *dp, uint8_t half)
{
	pr->dp = dp;
	pr->half = half;
}

static bool sel_ok(const struct xs_spd_prune_sel *s)
{
	uint8_t max = s->family == AF_INET6 ? 128 : 32;

	return s->dir < XS_DIR_MAX && s->bit < XS_SPD_MAX_MASKS &&
	       (s->family == AF_INET || s->family == AF_INET6) &&
	       s->src_plen <= max && s->dst_plen <= max;
}

int xs_spd_prune_add(struct xs_spd_prune *pr, const struct xs_spd_prune_sel *s)
{
	unsigned int src = tree_of(false, s->dir, s->family);
	int err, r;

	if (!sel_ok(s))
		return -EINVAL;
	err = side_add(pr, src, s->src_plen, s->src, s->bit);
	if (err == -ENOMEM)
		return err;
	r = side_add(pr, tree_of(true, s->dir, s->family), s->dst_plen, s->dst,
		     s->bit);
	if (r == -ENOMEM) { /* all or nothing in memory */
		side_del(pr, src, s->src_plen, s->src, s->bit);
		return r;
	}
	keep_err(&err, r);
	return err;
}

int xs_spd_prune_del(struct xs_spd_prune *pr, const struct xs_spd_prune_sel *s)
{
	int err;

	if (!sel_ok(s))
		return -EINVAL;
	err = side_del(pr, tree_of(false, s->dir, s->family), s->src_plen,
		       s->src, s->bit);
	keep_err(&err, side_del(pr, tree_of(true, s->dir, s->family),
				s->dst_plen, s->dst, s->bit));
	return err;
}

int xs_spd_prune_flush(struct xs_spd_prune *pr)
{
	struct pnode *p, *next;
	unsigned int t, l;
	int err = 0;

	for (t = 0; t < NTREES; t++) {
		for (l = 0; l <= MAXLEN; l++) {
			for (p = pr->t[t].bylen[l]; p; p = next) {
				next = p->next;
				keep_err(&err, node_unwrite(pr, p));
				xs_hash_remove(&pr->h, &p->hn);
				node_free(p);
			}
		}
	}
	memset(pr->t, 0, sizeof(pr->t));
	return err;
}

int xs_spd_prune_write_all(struct xs_spd_prune *pr)
{
	const struct pnode *p;
	unsigned int t, l;
	int err = 0;

	for (t = 0; t < NTREES && !err; t++)
		for (l = 0; l <= MAXLEN && !err; l++)
			for (p = pr->t[t].bylen[l]; p && !err; p = p->next)
				err = node_write(pr, p);
	return err;
}

static bool in_half(const void *key, void *arg)
{
	const struct xs_spd_pfx_key *k = key;

	return k->half == *(const uint8_t *)arg;
}

int xs_spd_prune_sweep(struct xs_dp *dp, uint8_t half)
{
	int err = xs_dp_map_sweep(dp->spd_prune_src,
				  sizeof(struct xs_spd_pfx_key), in_half,
				  &half);

	keep_err(&err, xs_dp_map_sweep(dp->spd_prune_dst,
				       sizeof(struct xs_spd_pfx_key), in_half,
				       &half));
	return err;
}

uint64_t xs_spd_prune_bits(const struct xs_spd_prune *pr, bool dst, uint8_t dir,
			   uint8_t family, const uint8_t addr[16])
{
	unsigned int tree;
	const struct pnode *p;

	if (dir >= XS_DIR_MAX || (family != AF_INET && family != AF_INET6))
		return 0;
	tree = tree_of(dst, dir, family);
	p = longest(pr, tree, addr, tree_maxlen(tree) + 1);
	return p ? p->val : 0;
}

size_t xs_spd_prune_count(const struct xs_spd_prune *pr)
{
	return pr->h.count;
}
