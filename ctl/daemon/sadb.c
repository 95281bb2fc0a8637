// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The security association database (see sadb.h).
 *
 * Each SA lives in its own allocation (struct sa_entry) holding its keys;
 * the entry is wiped with OPENSSL_cleanse before it is freed.  Indexes:
 *
 *   ids     (satype, spi, dst)                 -> entry, the SA's identity
 *   groups  struct xs_sa_out_key               -> the SAs filed under it
 *   slots   slot                               -> entry (sa_stats index)
 *   list    every entry, oldest first (foreach, flush)
 *
 * Datapath mirror:
 *   sa_in  (htonl(spi), proto, family, dst)    -> { slot, sa.mode }
 *   sa_out (proto, mode, family, reqid, src, dst) -> { slot, mode }
 * An SA belongs to the reqid-0 group of its (proto, mode, src, dst) and,
 * if its reqid is not 0, to the group of its own reqid too.  Each group's
 * sa_out entry points at its newest mature member; when that one goes the
 * next newest takes its place, and the entry is deleted with the last.
 * An SA of mode ANY is filed (and published) under IPSEC_MODE_TRANSPORT
 * and IPSEC_MODE_TUNNEL, since policy requests are one or the other and
 * KAME lets such an SA serve both; its sa_in value keeps IPSEC_MODE_ANY
 * so inbound processing accepts either.
 *
 * UPDATE replaces the SA in place: slot, sa_stats, cur lifetime and its
 * place in dump order are kept, the SA becomes the newest of its groups.
 * Larval SAs (GETSPI) hold a slot but are in no group and not in sa_in
 * until the UPDATE that makes them mature (fresh stats and add time).
 * A DYING SA (soft lifetime reached) is published only while its group
 * has no mature member.
 * A datapath error undoes an ADD; UPDATE and DELETE complete in memory
 * and return the first error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <bpf/bpf.h>
#include <openssl/crypto.h>
#include "../lib/alg.h"
#include "../lib/pfkey_msg.h"
#include "replay.h"
#include "sadb_int.h"
#include "secmem.h"

uint64_t sadb_now(const struct xs_sadb *db)
{
	return db->clock ? db->clock(db->clock_arg) : (uint64_t)time(NULL);
}

void xs_sadb_set_clock(struct xs_sadb *db, xs_sadb_clock_fn fn, void *arg)
{
	db->clock = fn;
	db->clock_arg = arg;
}

bool sadb_larval(const struct sa_entry *e)
{
	return e->sa.state == SADB_SASTATE_LARVAL;
}

static int notify(struct xs_sadb *db, uint32_t slot, const struct xs_sa *sa)
{
	return db->notify ? db->notify(db->notify_arg, slot, sa) : 0;
}

void xs_sadb_set_notify(struct xs_sadb *db, xs_sadb_notify_fn fn, void *arg)
{
	db->notify = fn;
	db->notify_arg = arg;
}

static size_t addr_len(uint8_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

static bool addr_eq(const struct xs_addr *a, const struct xs_addr *b)
{
	return a->family == b->family &&
	       !memcmp(a->a, b->a, addr_len(a->family));
}

static void addr_copy(uint8_t dst[16], const struct xs_addr *a)
{
	memset(dst, 0, 16);
	memcpy(dst, a->a, addr_len(a->family));
}

static uint8_t sa_proto(uint8_t satype)
{
	return satype == SADB_SATYPE_AH ? IPPROTO_AH : IPPROTO_ESP;
}

static uint64_t id_hash(uint8_t satype, uint32_t spi, const struct xs_addr *dst)
{
	uint8_t k[24] = { satype, dst->family };

	memcpy(&k[4], &spi, 4);
	addr_copy(&k[8], dst);
	return xs_hash_bytes(k, sizeof(k), 0);
}

struct sa_entry *sadb_find(struct xs_sadb *db, uint8_t satype, uint32_t spi,
			   const struct xs_addr *dst)
{
	struct xs_hnode *n;

	for (n = xs_hash_first(&db->ids, id_hash(satype, spi, dst)); n;
	     n = xs_hash_next(n)) {
		struct sa_entry *e = xs_container_of(n, struct sa_entry, node);

		if (e->sa.satype == satype && e->sa.spi == spi &&
		    addr_eq(&e->sa.dst, dst))
			return e;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Validation                                                         */

static int check_alg(enum xs_alg_kind kind, uint8_t id, size_t keylen)
{
	const struct xs_alg *alg = xs_alg_by_id(kind, id);

	if (!alg)
		return -EINVAL;
	if (!alg->implemented)
		return -EOPNOTSUPP;
	return xs_alg_check_keylen(alg, keylen);
}

/*
 * ESP takes an encryption algorithm always (setkey(8): "-E ealgo key
 * [-A aalgo key]"; integrity alone is "-E null -A ..."), and an HMAC
 * exactly when that algorithm is not AEAD: AEAD and GMAC carry their own
 * ICV (RFC 4106, 4543, 7634), and encryption without integrity (RFC 8221
 * 2.1 advises against it; NULL without integrity is forbidden by RFC 4303
 * 3.2) is refused rather than run.
 */
static int check_esp(const struct xs_sa *sa)
{
	const struct xs_alg *enc;
	int err;

	if (sa->enc_alg == SADB_EALG_NONE)
		return -EINVAL;
	err = check_alg(XS_ALG_ENC, sa->enc_alg, sa->enc_keylen);
	if (err)
		return err;
	enc = xs_alg_by_id(XS_ALG_ENC, sa->enc_alg);
	if (sa->auth_alg == SADB_AALG_NONE)
		return sa->auth_keylen || !enc->aead ? -EINVAL : 0;
	if (enc->aead) /* combined mode: no separate integrity (RFC 4106) */
		return -EINVAL;
	return check_alg(XS_ALG_AUTH, sa->auth_alg, sa->auth_keylen);
}

static int check_ah(const struct xs_sa *sa)
{
	if (sa->enc_alg != SADB_EALG_NONE || sa->enc_keylen)
		return -EINVAL;
	if (sa->auth_alg == SADB_AALG_NONE)
		return -EINVAL;
	return check_alg(XS_ALG_AUTH, sa->auth_alg, sa->auth_keylen);
}

/* NAT-T (RFC 3948): ESP in UDP on ESP SAs only, both ports set, an
 * original address (if any) of the SA's family; no ports without it. */
static int check_natt(const struct xs_sa *sa)
{
	if (!sa->natt_type)
		return sa->natt_sport || sa->natt_dport || sa->natt_oa.family ?
			       -EINVAL :
			       0;
	if (sa->natt_type != UDP_ENCAP_ESPINUDP ||
	    sa->satype != SADB_SATYPE_ESP || !sa->natt_sport || !sa->natt_dport)
		return -EINVAL;
	if (sa->natt_oa.family && sa->natt_oa.family != sa->dst.family)
		return -EINVAL;
	return 0;
}

static int check_sa(const struct xs_sa *sa)
{
	if (sa->spi < 256) /* RFC 4303 2.1: 1..255 reserved, 0 local use */
		return -EINVAL;
	if (sa->src.family != sa->dst.family ||
	    (sa->dst.family != AF_INET && sa->dst.family != AF_INET6))
		return -EINVAL;
	if (sa->mode != IPSEC_MODE_ANY && sa->mode != IPSEC_MODE_TRANSPORT &&
	    sa->mode != IPSEC_MODE_TUNNEL)
		return -EINVAL;
	if (sa->auth_keylen > XS_KEY_MAX || sa->enc_keylen > XS_KEY_MAX)
		return -EINVAL;
	if (sa->replay_win > XS_REPLAY_MAX) /* SADB_X_EXT_XS_REPLAY */
		return -EINVAL;
	if (check_natt(sa)) /* after the family check: v4 and v6 both */
		return -EINVAL;
	switch (sa->satype) {
	case SADB_SATYPE_ESP:
		return check_esp(sa);
	case SADB_SATYPE_AH:
		return check_ah(sa);
	default:
		return -EINVAL;
	}
}

/* ------------------------------------------------------------------ */
/* sa_out groups                                                      */

static void out_key(const struct xs_sa *sa, uint32_t reqid, uint8_t mode,
		    struct xs_sa_out_key *k)
{
	memset(k, 0, sizeof(*k));
	k->proto = sa_proto(sa->satype);
	k->mode = mode;
	k->family = sa->dst.family;
	k->reqid = reqid;
	addr_copy(k->saddr, &sa->src);
	addr_copy(k->daddr, &sa->dst);
}

static struct sa_group *group_get(struct xs_sadb *db,
				  const struct xs_sa_out_key *k)
{
	uint64_t h = xs_hash_bytes(k, sizeof(*k), 1);
	struct sa_group *g;
	struct xs_hnode *n;

	for (n = xs_hash_first(&db->groups, h); n; n = xs_hash_next(n)) {
		g = xs_container_of(n, struct sa_group, node);
		if (!memcmp(&g->key, k, sizeof(*k)))
			return g;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->key = *k;
	g->pub_slot = XS_SLOT_NONE;
	xs_hash_insert(&db->groups, &g->node, h);
	return g;
}

/* Point the group's sa_out entry at its newest mature member; free the
 * group once it is empty. */
static int group_sync(struct xs_sadb *db, struct sa_group *g)
{
	struct sa_member *m = g->tail;
	int err = 0;

	while (m && m->e->sa.state != SADB_SASTATE_MATURE)
		m = m->prev;
	/* a dying SA still serves until a mature one replaces it */
	if (!m)
		m = g->tail;
	while (m && m->e->sa.state != SADB_SASTATE_MATURE &&
	       m->e->sa.state != SADB_SASTATE_DYING)
		m = m->prev;
	if (!m && g->pub_slot != XS_SLOT_NONE) {
		err = xs_dp_sa_out_del(db->dp, &g->key);
		if (!err)
			g->pub_slot = XS_SLOT_NONE;
	} else if (m && m->e->slot != g->pub_slot) {
		struct xs_sa_ref ref = { .slot = m->e->slot,
					 .mode = g->key.mode };

		err = xs_dp_sa_out_set(db->dp, &g->key, &ref);
		if (!err)
			g->pub_slot = m->e->slot;
	}
	if (!g->head) {
		xs_hash_remove(&db->groups, &g->node);
		free(g);
	}
	return err;
}

static void member_attach(struct sa_member *m, struct sa_group *g)
{
	m->g = g;
	m->next = NULL;
	m->prev = g->tail;
	if (g->tail)
		g->tail->next = m;
	else
		g->head = m;
	g->tail = m;
}

/* Detach; returns the group (to be synced by the caller) or NULL. */
static struct sa_group *member_detach(struct sa_member *m)
{
	struct sa_group *g = m->g;

	if (!g)
		return NULL;
	if (m->prev)
		m->prev->next = m->next;
	else
		g->head = m->next;
	if (m->next)
		m->next->prev = m->prev;
	else
		g->tail = m->prev;
	m->prev = m->next = NULL;
	m->g = NULL;
	return g;
}

/* File the entry in its groups (not synced).  -ENOMEM leaves it unfiled. */
/* The request mode of sa's group i (struct sa_entry.m: odd i are the
 * own-reqid groups, i >= 2 the tunnel groups of a mode-ANY SA), 0 if sa
 * is in no such group. */
static uint8_t group_mode(const struct xs_sa *sa, int i)
{
	if ((i & 1) && !sa->reqid)
		return 0;
	if (sa->mode != IPSEC_MODE_ANY)
		return i < 2 ? sa->mode : 0;
	return i < 2 ? IPSEC_MODE_TRANSPORT : IPSEC_MODE_TUNNEL;
}

static int groups_attach(struct xs_sadb *db, struct sa_entry *e)
{
	struct xs_sa_out_key k;
	struct sa_group *g;
	uint8_t mode;
	int i;

	for (i = 0; i < XS_SA_NGROUPS; i++) {
		mode = group_mode(&e->sa, i);
		if (!mode)
			continue;
		out_key(&e->sa, (i & 1) ? e->sa.reqid : 0, mode, &k);
		g = group_get(db, &k);
		if (!g)
			return -ENOMEM;
		e->m[i].e = e;
		member_attach(&e->m[i], g);
	}
	return 0;
}

void sadb_groups_of(const struct sa_entry *e, struct sa_group **g)
{
	int i;

	for (i = 0; i < XS_SA_NGROUPS; i++)
		g[i] = e->m[i].g;
}

/* Detach e from its groups; they go to old[] (to be synced). */
static void groups_detach(struct sa_entry *e, struct sa_group **old)
{
	int i;

	for (i = 0; i < XS_SA_NGROUPS; i++)
		old[i] = member_detach(&e->m[i]);
}

int sadb_groups_sync(struct xs_sadb *db, struct sa_group **g)
{
	int i, err = 0, r;

	for (i = 0; i < XS_SA_NGROUPS; i++) {
		if (!g[i])
			continue;
		r = group_sync(db, g[i]);
		if (!err)
			err = r;
	}
	return err;
}

static int groups_leave(struct xs_sadb *db, struct sa_entry *e)
{
	struct sa_group *g[XS_SA_NGROUPS];

	groups_detach(e, g);
	return sadb_groups_sync(db, g);
}

/* ------------------------------------------------------------------ */
/* Entries                                                            */

static int sa_in_sync(struct xs_sadb *db, const struct sa_entry *e, bool del)
{
	struct xs_sa_in_key k = { .spi = htonl(e->sa.spi),
				  .proto = sa_proto(e->sa.satype),
				  .family = e->sa.dst.family };
	struct xs_sa_ref ref = { .slot = e->slot, .mode = e->sa.mode };

	if (e->sa.natt_type)
		ref.flags = XS_SA_F_NATT;
	addr_copy(k.daddr, &e->sa.dst);
	if (del)
		return xs_dp_sa_in_del(db->dp, &k);
	return xs_dp_sa_in_set(db->dp, &k, &ref);
}

static void entry_free(struct sa_entry *e)
{
	xs_sa_wipe(&e->sa);
	xs_secmem_free(e, sizeof(*e));
}

/* Remove from every index and the datapath; frees e. */
int sadb_entry_remove(struct xs_sadb *db, struct sa_entry *e)
{
	bool was_larval = sadb_larval(e);
	int err = 0, r;

	if (!was_larval) { /* a larval SA was never in the datapath */
		err = groups_leave(db, e);
		r = sa_in_sync(db, e, true);
		if (!err)
			err = r;
	}
	xs_hash_remove(&db->ids, &e->node);
	if (e->prev)
		e->prev->next = e->next;
	else
		db->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		db->tail = e->prev;
	db->count[e->sa.satype]--;
	db->total--;
	db->slots[e->slot] = NULL;
	db->free_slots[db->nfree++] = e->slot;
	if (!was_larval)
		notify(db, e->slot, NULL);
	entry_free(e);
	return err;
}

struct sa_entry *sadb_entry_new(struct xs_sadb *db, const struct xs_sa *sa,
				uint8_t state)
{
	struct sa_entry *e;

	if (!db->nfree)
		return NULL;
	e = xs_secmem_alloc(sizeof(*e)); /* holds the keys */
	if (!e)
		return NULL;
	e->sa = *sa;
	e->sa.state = state;
	memset(&e->sa.cur, 0, sizeof(e->sa.cur));
	e->sa.cur.addtime = sadb_now(db);
	e->slot = db->free_slots[--db->nfree];
	db->slots[e->slot] = e;
	xs_hash_insert(&db->ids, &e->node,
		       id_hash(sa->satype, sa->spi, &sa->dst));
	e->prev = db->tail;
	if (db->tail)
		db->tail->next = e;
	else
		db->head = e;
	db->tail = e;
	db->count[sa->satype]++;
	db->total++;
	return e;
}

static int sa_insert(struct xs_sadb *db, const struct xs_sa *sa)
{
	struct sa_group *g[XS_SA_NGROUPS];
	struct sa_entry *e;
	int err;

	if (!db->nfree)
		return -ENOSPC;
	e = sadb_entry_new(db, sa, SADB_SASTATE_MATURE);
	if (!e)
		return -ENOMEM;
	err = xs_dp_sa_stats_clear(db->dp, e->slot);
	if (!err)
		err = sa_in_sync(db, e, false);
	if (!err)
		err = groups_attach(db, e);
	if (!err) {
		sadb_groups_of(e, g);
		err = sadb_groups_sync(db, g);
	}
	if (!err)
		err = notify(db, e->slot, &e->sa);
	if (err)
		sadb_entry_remove(db, e);
	return err;
}

static int sa_replace(struct xs_sadb *db, struct sa_entry *e,
		      const struct xs_sa *sa)
{
	struct sa_group *old[XS_SA_NGROUPS], *g[XS_SA_NGROUPS];
	struct xs_lifetime cur = e->sa.cur;
	bool was_larval = sadb_larval(e);
	int err = 0, r;

	groups_detach(e, old);
	if (was_larval) { /* maturing: counted from now, fresh stats */
		memset(&cur, 0, sizeof(cur));
		cur.addtime = sadb_now(db);
		err = xs_dp_sa_stats_clear(db->dp, e->slot);
	}
	xs_sa_wipe(&e->sa);
	e->sa = *sa;
	e->sa.state = SADB_SASTATE_MATURE;
	e->sa.cur = cur;
	e->soft_sent = false;
	r = groups_attach(db, e);
	if (!err)
		err = r;
	sadb_groups_of(e, g);
	r = sadb_groups_sync(db, g); /* non-empty: not freed */
	if (!err)
		err = r;
	r = sadb_groups_sync(db, old);
	if (!err)
		err = r;
	r = sa_in_sync(db, e, false);
	if (!err)
		err = r;
	r = notify(db, e->slot, &e->sa);
	return err ? err : r;
}

/* ------------------------------------------------------------------ */
/* API                                                                */

static void map_clear(int fd)
{
	uint8_t key[64];

	if (fd < 0)
		return;
	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			break;
}

struct xs_sadb *xs_sadb_new(struct xs_dp *dp, size_t max_sa)
{
	struct xs_sadb *db;
	size_t i;

	if (!max_sa || max_sa > XS_MAX_SA)
		return NULL;
	db = calloc(1, sizeof(*db));
	if (!db)
		return NULL;
	db->dp = dp;
	db->max_sa = max_sa;
	db->slots = calloc(max_sa, sizeof(*db->slots));
	db->free_slots = calloc(max_sa, sizeof(*db->free_slots));
	if (!db->slots || !db->free_slots || xs_hash_init(&db->ids, 64))
		goto err;
	if (xs_hash_init(&db->groups, 64))
		goto err_ids;
	for (i = 0; i < max_sa; i++) /* lowest slot first */
		db->free_slots[i] = (uint32_t)(max_sa - 1 - i);
	db->nfree = max_sa;
	/* the db owns the SA maps: drop what a previous run left */
	map_clear(dp->sa_in);
	map_clear(dp->sa_out);
	return db;
err_ids:
	xs_hash_destroy(&db->ids);
err:
	free(db->slots);
	free(db->free_slots);
	free(db);
	return NULL;
}

void xs_sadb_free(struct xs_sadb *db)
{
	if (!db)
		return;
	xs_sadb_flush(db, SADB_SATYPE_UNSPEC);
	xs_hash_destroy(&db->ids);
	xs_hash_destroy(&db->groups);
	free(db->slots);
	free(db->free_slots);
	free(db);
}

int xs_sadb_add(struct xs_sadb *db, const struct xs_sa *sa, bool update)
{
	struct sa_entry *e;
	int err;

	err = check_sa(sa);
	if (err)
		return err;
	e = sadb_find(db, sa->satype, sa->spi, &sa->dst);
	if (e && !update)
		return -EEXIST;
	if (!e && update)
		return -ENOENT;
	return e ? sa_replace(db, e, sa) : sa_insert(db, sa);
}

static struct sa_entry *find_src(struct xs_sadb *db, uint8_t satype,
				 uint32_t spi, const struct xs_addr *src,
				 const struct xs_addr *dst)
{
	struct sa_entry *e = sadb_find(db, satype, spi, dst);

	/* no source, or one of family 0 (absent extension): not matched */
	if (e && src && src->family && !addr_eq(src, &e->sa.src))
		return NULL;
	return e;
}

/* Current use from sa_stats (rx + tx); the first use seen sets usetime. */
void sadb_cur_refresh(struct xs_sadb *db, struct sa_entry *e, uint64_t t)
{
	struct xs_lifetime *c = &e->sa.cur;
	struct xs_sa_stats st;

	if (sadb_larval(e) || xs_dp_sa_stats_get(db->dp, e->slot, &st))
		return;
	e->packets = st.rx_packets + st.tx_packets;
	c->allocations = e->packets > UINT32_MAX ? UINT32_MAX :
						   (uint32_t)e->packets;
	c->bytes = st.rx_bytes + st.tx_bytes;
	if (e->packets && !c->usetime)
		c->usetime = t;
}

int xs_sadb_get(struct xs_sadb *db, uint8_t satype, uint32_t spi,
		const struct xs_addr *src, const struct xs_addr *dst,
		struct xs_sa *out)
{
	struct sa_entry *e = find_src(db, satype, spi, src, dst);

	if (!e)
		return -ENOENT;
	sadb_cur_refresh(db, e, sadb_now(db));
	*out = e->sa;
	return 0;
}

int xs_sadb_delete(struct xs_sadb *db, uint8_t satype, uint32_t spi,
		   const struct xs_addr *src, const struct xs_addr *dst)
{
	struct sa_entry *e = find_src(db, satype, spi, src, dst);

	if (!e)
		return -ENOENT;
	return sadb_entry_remove(db, e);
}

int xs_sadb_flush(struct xs_sadb *db, uint8_t satype)
{
	struct sa_entry *e, *next;
	int n = 0;

	for (e = db->head; e; e = next) {
		next = e->next;
		if (satype != SADB_SATYPE_UNSPEC && e->sa.satype != satype)
			continue;
		sadb_entry_remove(db, e);
		n++;
	}
	return n;
}

size_t xs_sadb_count(const struct xs_sadb *db, uint8_t satype)
{
	if (satype == SADB_SATYPE_UNSPEC)
		return db->total;
	return satype <= SADB_SATYPE_MAX ? db->count[satype] : 0;
}

int xs_sadb_foreach(struct xs_sadb *db, uint8_t satype,
		    int (*cb)(const struct xs_sa *sa, uint32_t slot, void *arg),
		    void *arg)
{
	struct sa_entry *e, *next;
	uint64_t t = sadb_now(db);
	int r;

	for (e = db->head; e; e = next) {
		next = e->next;
		if (satype != SADB_SATYPE_UNSPEC && e->sa.satype != satype)
			continue;
		sadb_cur_refresh(db, e, t);
		r = cb(&e->sa, e->slot, arg);
		if (r)
			return r;
	}
	return 0;
}
