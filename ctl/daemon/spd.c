// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The security policy database and its tuple-space compilation (see
 * spd.h and include/xdpsec/xdpsec.h).
 *
 * Identity: (dir, family, prefix lengths, protocol, ports, addresses
 * masked to their prefix), so 10.0.0.1/24 and 10.0.0.2/24 name the same
 * policy (they also match the same packets); the selector is stored as
 * given.  Policies sit in one list in match order, rank =
 * priority << 32 | seq, seq counting adds since the SPD was last empty
 * (-ENOSPC after 2^32 - 1 adds without the SPD ever being empty).
 *
 * SPDUPDATE of an existing policy replaces it in place (as Linux's
 * xfrm_policy_insert): it keeps its id, seq (its place among policies of
 * equal priority), addtime and usetime (its hard lifetime counts from
 * the update, as KAME's re-created policy); the new contents go to a fresh
 * spd_policies slot and the rule is switched over atomically.
 * Policy ids are (counter << 3) | dir index (Linux-like: the direction
 * can be read off the id), never 0, unique among live policies.
 * A "unique" request without a reqid gets one assigned from 0x4001 up,
 * as KAME's key_newreqid() (IPSEC_MANUAL_REQID_MAX + 1 and above).
 *
 * Datapath order: an add writes spd_policies and the rule, then the mask's
 * entry of spd_masks, then its bit in the prune bitmaps (spd_prune.c), and
 * bumps spd_gen; a delete clears its bits from the bitmaps first, deletes
 * the rule, frees the mask (entry in_use 0) if it became empty and bumps
 * spd_gen so that no flow cached in between survives.  A mask id is thus
 * named by no bitmap before its entry is written, nor once it is freed.
 * A datapath error undoes an add; an update then keeps its new contents
 * in memory (the datapath keeps the old rule) and a delete completes in
 * memory; both return the first error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <bpf/bpf.h>
#include "spd_int.h"

static uint8_t dir_index(uint8_t dir)
{
	return dir - 1; /* IPSEC_DIR_x -> enum xs_dir */
}

/* ------------------------------------------------------------------ */
/* Validation                                                         */

static int check_addr(const struct xs_addr *a)
{
	if (a->family == AF_INET)
		return a->plen <= 32 ? 0 : -EINVAL;
	if (a->family == AF_INET6)
		return a->plen <= 128 ? 0 : -EINVAL;
	return -EINVAL;
}

static int check_sel(const struct xs_selector *sel, uint8_t dir)
{
	if (dir != IPSEC_DIR_INBOUND && dir != IPSEC_DIR_OUTBOUND &&
	    dir != IPSEC_DIR_FWD)
		return -EINVAL;
	if (sel->src.family != sel->dst.family)
		return -EINVAL;
	if (check_addr(&sel->src) || check_addr(&sel->dst))
		return -EINVAL;
	return 0;
}

static int check_req(const struct xs_ipsecreq *r)
{
	if (r->proto == IPPROTO_COMP)
		return -EOPNOTSUPP;
	if (r->proto != IPPROTO_ESP && r->proto != IPPROTO_AH)
		return -EINVAL;
	if (r->level > IPSEC_LEVEL_UNIQUE)
		return -EINVAL;
	if (r->mode == IPSEC_MODE_TRANSPORT)
		return r->src.family || r->dst.family ? -EINVAL : 0;
	if (r->mode != IPSEC_MODE_TUNNEL)
		return -EINVAL;
	if (r->src.family != r->dst.family ||
	    (r->src.family != AF_INET && r->src.family != AF_INET6))
		return -EINVAL;
	return 0;
}

static int check_policy(const struct xs_spolicy *sp)
{
	int i, err;

	err = check_sel(&sp->sel, sp->dir);
	if (err)
		return err;
	switch (sp->type) {
	case IPSEC_POLICY_IPSEC:
		if (sp->nreq < 1 || sp->nreq > XS_MAX_TMPL)
			return -EINVAL;
		break;
	case IPSEC_POLICY_DISCARD:
	case IPSEC_POLICY_NONE:
	case IPSEC_POLICY_ENTRUST:
	case IPSEC_POLICY_BYPASS:
		return sp->nreq ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
	for (i = 0; i < sp->nreq; i++) {
		err = check_req(&sp->req[i]);
		if (err)
			return err;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Identity and indexes                                               */

static void make_id(const struct xs_selector *sel, uint8_t dir,
		    struct sel_id *id)
{
	memset(id, 0, sizeof(*id));
	id->dir = dir;
	id->family = sel->src.family;
	id->src_plen = sel->src.plen;
	id->dst_plen = sel->dst.plen;
	id->proto = sel->proto;
	id->sport = sel->src.port;
	id->dport = sel->dst.port;
	memcpy(id->src, sel->src.a, 16);
	memcpy(id->dst, sel->dst.a, 16);
	xs_addr_mask(id->src, id->src_plen);
	xs_addr_mask(id->dst, id->dst_plen);
}

static uint64_t id_hash(const struct sel_id *id)
{
	return xs_hash_bytes(id, sizeof(*id), 0);
}

static struct pol *find_sel(struct xs_spd *spd, const struct sel_id *id)
{
	struct xs_hnode *n;

	for (n = xs_hash_first(&spd->by_sel, id_hash(id)); n;
	     n = xs_hash_next(n)) {
		struct pol *p = xs_container_of(n, struct pol, by_sel);

		if (!memcmp(&p->id, id, sizeof(*id)))
			return p;
	}
	return NULL;
}

static struct pol *find_id(struct xs_spd *spd, uint32_t id)
{
	struct xs_hnode *n;

	for (n = xs_hash_first(&spd->by_id, xs_hash_bytes(&id, 4, 0)); n;
	     n = xs_hash_next(n)) {
		struct pol *p = xs_container_of(n, struct pol, by_id);

		if (p->sp.id == id)
			return p;
	}
	return NULL;
}

static uint32_t new_id(struct xs_spd *spd, uint8_t dir)
{
	uint32_t id;

	do {
		spd->idgen = (spd->idgen + 1) & 0x1fffffff;
		id = spd->idgen << 3 | dir_index(dir);
	} while (!spd->idgen || find_id(spd, id));
	return id;
}

static void assign_reqids(struct xs_spd *spd, struct xs_spolicy *sp)
{
	int i;

	for (i = 0; i < sp->nreq; i++) {
		struct xs_ipsecreq *r = &sp->req[i];

		if (r->level != IPSEC_LEVEL_UNIQUE || r->reqid)
			continue;
		if (spd->reqidgen == UINT32_MAX)
			spd->reqidgen = IPSEC_MANUAL_REQID_MAX + 1;
		r->reqid = ++spd->reqidgen;
	}
}

/* Insert p in match order: after every policy of lower or equal rank. */
static void list_insert(struct xs_spd *spd, struct pol *p)
{
	struct pol *after = spd->tail;

	while (after && after->rank > p->rank)
		after = after->prev;
	p->prev = after;
	p->next = after ? after->next : spd->head;
	if (p->next)
		p->next->prev = p;
	else
		spd->tail = p;
	if (after)
		after->next = p;
	else
		spd->head = p;
}

static void list_remove(struct xs_spd *spd, struct pol *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		spd->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		spd->tail = p->prev;
	p->prev = p->next = NULL;
}

/* ------------------------------------------------------------------ */
/* Masks                                                              */

static void mask_of(const struct xs_spolicy *sp, struct xs_spd_mask *m)
{
	memset(m, 0, sizeof(*m));
	m->in_use = 1;
	m->family = sp->sel.src.family;
	m->dir = dir_index(sp->dir);
	m->src_plen = sp->sel.src.plen;
	m->dst_plen = sp->sel.dst.plen;
	m->proto_exact = sp->sel.proto != IPSEC_ULPROTO_ANY;
	m->sport_exact = sp->sel.src.port != 0;
	m->dport_exact = sp->sel.dst.port != 0;
}

static bool mask_same(const struct xs_spd_mask *a, const struct xs_spd_mask *b)
{
	return a->family == b->family && a->dir == b->dir &&
	       a->src_plen == b->src_plen && a->dst_plen == b->dst_plen &&
	       a->proto_exact == b->proto_exact &&
	       a->sport_exact == b->sport_exact &&
	       a->dport_exact == b->dport_exact;
}

/* Find or allocate the mask (refcount taken); -ENOSPC if none is free. */
static int mask_get(struct xs_spd *spd, const struct xs_spolicy *sp)
{
	struct xs_spd_mask m;
	int i, free_id = -1;

	mask_of(sp, &m);
	for (i = 0; i < XS_SPD_MAX_MASKS; i++) {
		if (!spd->masks[i].refcnt) {
			if (free_id < 0)
				free_id = i;
			continue;
		}
		if (mask_same(&spd->masks[i].m, &m)) {
			spd->masks[i].refcnt++;
			return i;
		}
	}
	if (free_id < 0)
		return -ENOSPC;
	m.id = (uint16_t)(spd->id_base + free_id);
	m.best_rank = UINT64_MAX;
	spd->masks[free_id].m = m;
	spd->masks[free_id].refcnt = 1;
	return free_id;
}

/* The best rank of mask id: the first policy of that mask in match order,
 * searching from "from" (every better-ranked one is known not to be). */
static void mask_rescan(struct xs_spd *spd, uint16_t id, const struct pol *from)
{
	const struct pol *p;

	for (p = from; p && p->midx != id; p = p->next)
		;
	spd->masks[id].m.best_rank = p ? p->rank : UINT64_MAX;
}

static void mask_put(struct xs_spd *spd, uint16_t id)
{
	if (!--spd->masks[id].refcnt)
		memset(&spd->masks[id], 0, sizeof(spd->masks[id]));
}

int spd_masks_sync(struct xs_spd *spd, bool bump)
{
	struct xs_spd_mask want;
	unsigned int i;
	int err;

	for (i = 0; i < XS_SPD_MAX_MASKS; i++) {
		if (spd->masks[i].refcnt)
			want = spd->masks[i].m;
		else
			memset(&want, 0, sizeof(want));
		if (!memcmp(&want, &spd->pub[i], sizeof(want)))
			continue;
		err = xs_dp_spd_mask_set(spd->dp, (uint16_t)(spd->id_base + i),
					 &want);
		if (err)
			return err;
		spd->pub[i] = want;
	}
	return bump ? xs_dp_spd_gen_bump(spd->dp) : 0;
}

static void prune_sel(const struct pol *p, struct xs_spd_prune_sel *s)
{
	s->dir = dir_index(p->id.dir);
	s->family = p->id.family;
	s->bit = (uint8_t)p->midx;
	s->src_plen = p->id.src_plen;
	s->dst_plen = p->id.dst_plen;
	s->src = p->id.src;
	s->dst = p->id.dst;
}

int spd_prune_add(struct xs_spd *spd, struct pol *p)
{
	struct xs_spd_prune_sel s;
	int err;

	prune_sel(p, &s);
	err = xs_spd_prune_add(spd->prune, &s);
	/* other errors: in memory, not (all) in the maps */
	p->pruned = err != -ENOMEM && err != -EINVAL;
	return err;
}

static int prune_del(struct xs_spd *spd, struct pol *p)
{
	struct xs_spd_prune_sel s;

	if (!p->pruned)
		return 0;
	p->pruned = false;
	prune_sel(p, &s);
	return xs_spd_prune_del(spd->prune, &s);
}

/* ------------------------------------------------------------------ */
/* Datapath records                                                   */

static void make_key(const struct pol *p, uint16_t mask, struct xs_spd_key *k)
{
	const struct xs_spolicy *sp = &p->sp;

	memset(k, 0, sizeof(*k));
	k->mask = mask;
	k->dir = dir_index(sp->dir);
	k->family = sp->sel.src.family;
	k->proto = sp->sel.proto != IPSEC_ULPROTO_ANY ? sp->sel.proto : 0;
	k->sport = htons(sp->sel.src.port);
	k->dport = htons(sp->sel.dst.port);
	memcpy(k->src, p->id.src, 16);
	memcpy(k->dst, p->id.dst, 16);
}

static void make_policy(const struct xs_spolicy *sp, struct xs_policy *v)
{
	int i;

	memset(v, 0, sizeof(*v));
	v->id = sp->id;
	v->action = sp->type;
	v->dir = dir_index(sp->dir);
	v->ntmpl = sp->nreq;
	for (i = 0; i < sp->nreq && i < XS_MAX_TMPL; i++) {
		const struct xs_ipsecreq *r = &sp->req[i];
		struct xs_tmpl *t = &v->tmpl[i];

		t->proto = r->proto;
		t->mode = r->mode;
		t->level = r->level;
		t->reqid = r->level == IPSEC_LEVEL_UNIQUE ? r->reqid : 0;
		if (r->mode != IPSEC_MODE_TUNNEL)
			continue;
		t->family = r->src.family;
		memcpy(t->saddr, r->src.a, r->src.family == AF_INET ? 4 : 16);
		memcpy(t->daddr, r->dst.a, r->dst.family == AF_INET ? 4 : 16);
	}
}

int spd_rule_write(struct xs_spd *spd, struct pol *p)
{
	struct xs_spd_rule r = { .rank = p->rank, .slot = p->slot };
	struct xs_policy v;
	int err;

	make_policy(&p->sp, &v);
	p->packets = 0;
	err = xs_dp_pol_stats_clear(spd->dp, p->slot);
	if (!err)
		err = xs_dp_policy_set(spd->dp, p->slot, &v);
	if (!err)
		err = xs_dp_spd_rule_set(spd->dp, &p->key, &r);
	return err;
}

/* ------------------------------------------------------------------ */
/* Insert, replace, remove                                            */

int spd_pol_remove(struct xs_spd *spd, struct pol *p)
{
	uint16_t mask = p->midx;
	struct pol *next = p->next;
	int err, r;

	list_remove(spd, p);
	xs_hash_remove(&spd->by_sel, &p->by_sel);
	xs_hash_remove(&spd->by_id, &p->by_id);
	err = prune_del(spd, p);
	r = xs_dp_spd_rule_del(spd->dp, &p->key);
	if (!err)
		err = r;
	mask_put(spd, mask);
	if (spd->masks[mask].refcnt && spd->masks[mask].m.best_rank == p->rank)
		mask_rescan(spd, mask, next);
	r = spd_masks_sync(spd, false);
	if (!err)
		err = r;
	r = xs_dp_spd_gen_bump(spd->dp);
	if (!err)
		err = r;
	spd->free_slots[spd->nfree++] = p->slot;
	free(p);
	if (!--spd->count)
		spd->seq = 0;
	return err;
}

static int pol_insert(struct xs_spd *spd, struct xs_spolicy *sp,
		      const struct sel_id *id)
{
	struct pol *p;
	int mask, err;

	if (!spd->nfree || spd->seq == UINT32_MAX)
		return -ENOSPC;
	mask = mask_get(spd, sp);
	if (mask < 0)
		return mask;
	p = calloc(1, sizeof(*p));
	if (!p) {
		mask_put(spd, (uint16_t)mask);
		return -ENOMEM;
	}
	assign_reqids(spd, sp);
	sp->id = new_id(spd, sp->dir);
	if (!sp->addtime)
		sp->addtime = spd_now(spd);
	p->sp = *sp;
	p->id = *id;
	p->born = spd_now(spd);
	p->seq = ++spd->seq;
	p->rank = (uint64_t)sp->priority << 32 | p->seq;
	p->slot = spd->free_slots[--spd->nfree];
	p->midx = (uint16_t)mask;
	make_key(p, (uint16_t)(spd->id_base + mask), &p->key);
	xs_hash_insert(&spd->by_sel, &p->by_sel, id_hash(id));
	xs_hash_insert(&spd->by_id, &p->by_id, xs_hash_bytes(&sp->id, 4, 0));
	list_insert(spd, p);
	spd->count++;
	if (p->rank < spd->masks[mask].m.best_rank)
		spd->masks[mask].m.best_rank = p->rank;
	err = spd_rule_write(spd, p);
	if (!err)
		err = spd_masks_sync(spd, false);
	if (!err)
		err = spd_prune_add(spd, p);
	if (!err)
		err = xs_dp_spd_gen_bump(spd->dp);
	if (err)
		spd_pol_remove(spd, p);
	return err;
}

static int pol_replace(struct xs_spd *spd, struct pol *p, struct xs_spolicy *sp)
{
	uint16_t mask = p->midx;
	uint32_t old_slot = p->slot;
	uint64_t old_rank = p->rank;
	int err;

	if (!spd->nfree)
		return -ENOSPC;
	assign_reqids(spd, sp);
	sp->id = p->sp.id;
	if (!sp->addtime)
		sp->addtime = p->sp.addtime;
	if (!sp->usetime)
		sp->usetime = p->sp.usetime;
	p->sp = *sp;
	p->born = spd_now(spd);
	make_id(&sp->sel, sp->dir, &p->id); /* same identity, new raw form */
	p->rank = (uint64_t)sp->priority << 32 | p->seq;
	p->slot = spd->free_slots[--spd->nfree];
	if (p->rank != old_rank) {
		list_remove(spd, p);
		list_insert(spd, p);
		if (p->rank < spd->masks[mask].m.best_rank)
			spd->masks[mask].m.best_rank = p->rank;
		else if (old_rank == spd->masks[mask].m.best_rank)
			mask_rescan(spd, mask, spd->head);
	}
	err = spd_rule_write(spd, p);
	if (err) {
		/* the rule may still name the old slot: keep that one */
		spd->free_slots[spd->nfree++] = p->slot;
		p->slot = old_slot;
		return err;
	}
	spd->free_slots[spd->nfree++] = old_slot;
	return spd_masks_sync(spd, true);
}

/* ------------------------------------------------------------------ */
/* API                                                                */

uint64_t spd_now(const struct xs_spd *spd)
{
	return spd->clock ? spd->clock(spd->clock_arg) : (uint64_t)time(NULL);
}

void xs_spd_set_clock(struct xs_spd *spd, xs_spd_clock_fn fn, void *arg)
{
	spd->clock = fn;
	spd->clock_arg = arg;
}

static void map_clear(int fd)
{
	struct xs_spd_key key;

	if (fd < 0)
		return;
	while (!bpf_map_get_next_key(fd, NULL, &key))
		if (bpf_map_delete_elem(fd, &key))
			break;
}

/* Every mask entry free, no bitmap, no rule; half 0 live. */
static int tables_reset(struct xs_dp *dp)
{
	uint32_t i;
	int err = 0;

	for (i = 0; i < XS_SPD_MAX_MASKS && !err; i++) {
		err = xs_dp_spd_mask_set(dp, (uint16_t)i, NULL);
		if (!err)
			err = xs_dp_spd_mask_set(dp, (uint16_t)(XS_ID_HALF + i),
						 NULL);
	}
	if (!err)
		err = xs_spd_prune_sweep(dp, 0);
	if (!err)
		err = xs_spd_prune_sweep(dp, 1);
	if (!err)
		map_clear(dp->spd_rules);
	return err ? err : xs_dp_spd_activate(dp, 0);
}

struct xs_spd *xs_spd_new(struct xs_dp *dp, size_t max_policy)
{
	struct xs_spd *spd;
	size_t i;

	if (!max_policy || max_policy > XS_MAX_POLICY)
		return NULL;
	spd = calloc(1, sizeof(*spd));
	if (!spd)
		return NULL;
	spd->dp = dp;
	spd->max = max_policy;
	spd->reqidgen = IPSEC_MANUAL_REQID_MAX + 1;
	spd->free_slots = calloc(max_policy, sizeof(*spd->free_slots));
	if (!spd->free_slots || xs_hash_init(&spd->by_sel, 64))
		goto err;
	if (xs_hash_init(&spd->by_id, 64))
		goto err_sel;
	for (i = 0; i < max_policy; i++) /* lowest slot first */
		spd->free_slots[i] = (uint32_t)(max_policy - 1 - i);
	spd->nfree = max_policy;
	spd->prune = xs_spd_prune_new();
	if (!spd->prune)
		goto err_id;
	xs_spd_prune_bind(spd->prune, dp, 0);
	/* the SPD owns the tables: start from an empty state, ids low */
	if (tables_reset(dp))
		goto err_prune;
	return spd;
err_prune:
	xs_spd_prune_free(spd->prune);
err_id:
	xs_hash_destroy(&spd->by_id);
err_sel:
	xs_hash_destroy(&spd->by_sel);
err:
	free(spd->free_slots);
	free(spd);
	return NULL;
}

void xs_spd_free(struct xs_spd *spd)
{
	if (!spd)
		return;
	xs_spd_flush(spd);
	xs_spd_prune_free(spd->prune);
	xs_hash_destroy(&spd->by_sel);
	xs_hash_destroy(&spd->by_id);
	free(spd->free_slots);
	free(spd);
}

int xs_spd_add(struct xs_spd *spd, struct xs_spolicy *sp, bool update)
{
	struct sel_id id;
	struct pol *p;
	int err;

	err = check_policy(sp);
	if (err)
		return err;
	make_id(&sp->sel, sp->dir, &id);
	p = find_sel(spd, &id);
	if (p && !update)
		return -EEXIST;
	return p ? pol_replace(spd, p, sp) : pol_insert(spd, sp, &id);
}

int xs_spd_delete(struct xs_spd *spd, const struct xs_selector *sel,
		  uint8_t dir, struct xs_spolicy *out)
{
	struct sel_id id;
	struct pol *p;

	if (check_sel(sel, dir))
		return -EINVAL;
	make_id(sel, dir, &id);
	p = find_sel(spd, &id);
	if (!p)
		return -ENOENT;
	if (out)
		*out = p->sp;
	return spd_pol_remove(spd, p);
}

int xs_spd_delete_id(struct xs_spd *spd, uint32_t id, struct xs_spolicy *out)
{
	struct pol *p = find_id(spd, id);

	if (!p)
		return -ENOENT;
	if (out)
		*out = p->sp;
	return spd_pol_remove(spd, p);
}

int xs_spd_get_id(struct xs_spd *spd, uint32_t id, struct xs_spolicy *out)
{
	struct pol *p = find_id(spd, id);

	if (!p)
		return -ENOENT;
	*out = p->sp;
	return 0;
}

int xs_spd_flush(struct xs_spd *spd)
{
	struct pol *p, *next;
	int err, r;

	/* clear every bitmap first, then drop the rules, then the masks */
	err = xs_spd_prune_flush(spd->prune);
	for (p = spd->head; p; p = next) {
		next = p->next;
		r = xs_dp_spd_rule_del(spd->dp, &p->key);
		if (!err)
			err = r;
		xs_hash_remove(&spd->by_sel, &p->by_sel);
		xs_hash_remove(&spd->by_id, &p->by_id);
		spd->free_slots[spd->nfree++] = p->slot;
		free(p);
	}
	spd->head = spd->tail = NULL;
	spd->count = 0;
	spd->seq = 0;
	memset(spd->masks, 0, sizeof(spd->masks));
	r = spd_masks_sync(spd, true);
	return err ? err : r;
}

size_t xs_spd_count(const struct xs_spd *spd)
{
	return spd->count;
}

int xs_spd_foreach(struct xs_spd *spd,
		   int (*cb)(const struct xs_spolicy *sp, void *arg), void *arg)
{
	struct pol *p, *next;
	int r;

	for (p = spd->head; p; p = next) {
		next = p->next;
		r = cb(&p->sp, arg);
		if (r)
			return r;
	}
	return 0;
}

static bool pol_match(const struct pol *p, const struct xs_pktsel *pkt)
{
	const struct sel_id *id = &p->id;
	uint8_t a[16];

	if (id->dir != pkt->dir || id->family != pkt->family)
		return false;
	if (id->proto != IPSEC_ULPROTO_ANY && id->proto != pkt->proto)
		return false;
	if (id->sport && (pkt->opaque_ports || id->sport != pkt->sport))
		return false;
	if (id->dport && (pkt->opaque_ports || id->dport != pkt->dport))
		return false;
	memcpy(a, pkt->src, 16);
	xs_addr_mask(a, id->src_plen);
	if (memcmp(a, id->src, 16))
		return false;
	memcpy(a, pkt->dst, 16);
	xs_addr_mask(a, id->dst_plen);
	return !memcmp(a, id->dst, 16);
}

const struct xs_spolicy *xs_spd_lookup(struct xs_spd *spd,
				       const struct xs_pktsel *pkt)
{
	const struct pol *p;

	for (p = spd->head; p; p = p->next)
		if (pol_match(p, pkt))
			return &p->sp;
	return NULL;
}
