/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * SPD lookup: flow cache, then tuple space search (include/xdpsec/xdpsec.h).
 *
 * The cache holds (dir, family, proto, ports, addresses) -> (spd_gen,
 * policy slot); an entry counts only if its gen equals state.spd_gen, so
 * one bump by the controller invalidates every cached flow.  Packets with
 * opaque ports (non-initial fragments) bypass the cache: their key would
 * collide with the flow's first fragment, which may match a port policy.
 *
 * The search prunes the tuple space first: one longest-prefix match of
 * the source in spd_prune_src and one of the destination in spd_prune_dst
 * give the masks that can hold a matching rule (ANDed bitmaps).  Only
 * those are probed in spd_rules (masks of the live half of spd_masks,
 * indexed by bit), so a miss costs two trie lookups and a probe or two,
 * not one probe per mask in the SPD.  No fallback walk of every mask is
 * kept: a bitmap is complete for the rules whose bits it carries (set
 * pruning), and a packet no bitmap covers matches no rule.
 */
#ifndef XS_BPF_SPD_H
#define XS_BPF_SPD_H

#include "parse.h"
#include "stats.h"

/* The state of one search, shared with the bpf_loop() callback. */
struct spd_walk {
	struct xs_pkt p;
	__u64 cand; /* masks still to probe: bit b is mask id half | b */
	__u64 rank; /* best rank so far */
	__u32 slot; /* its policy slot, XS_SLOT_NONE: nothing found */
	__u32 base; /* spd_masks index of bit 0: the live half */
	__u8 dir;
};

struct spd_addr {
	__u8 a[16];
};

/*
 * xs_addr_mask() as a global function: the verifier checks it once, on
 * its own, instead of following every prefix length through both
 * addresses of every probe.
 */
__attribute__((noinline)) int xs_spd_mask_addr(struct spd_addr *a, __u32 plen)
{
	if (!a)
		return 0;
	xs_addr_mask(a->a, plen);
	return 0;
}

static __always_inline void spd_key_build(struct xs_spd_key *k,
					  const struct xs_spd_mask *m,
					  const struct xs_pkt *p, __u8 dir)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->mask = m->id;
	k->dir = dir;
	k->family = p->family;
	if (m->proto_exact)
		k->proto = p->proto;
	if (m->sport_exact)
		k->sport = p->sport;
	if (m->dport_exact)
		k->dport = p->dport;
	__builtin_memcpy(k->src, p->src, 16);
	__builtin_memcpy(k->dst, p->dst, 16);
	xs_spd_mask_addr((struct spd_addr *)k->src, m->src_plen);
	xs_spd_mask_addr((struct spd_addr *)k->dst, m->dst_plen);
}

/* Index of the lowest set bit of x (x != 0), without ctz. */
static __always_inline __u32 spd_low_bit(__u64 x)
{
	__u32 i = 0;

	x &= -x;
	if (!(x & 0xffffffffULL)) {
		i += 32;
		x >>= 32;
	}
	if (!(x & 0xffff)) {
		i += 16;
		x >>= 16;
	}
	if (!(x & 0xff)) {
		i += 8;
		x >>= 8;
	}
	if (!(x & 0xf)) {
		i += 4;
		x >>= 4;
	}
	if (!(x & 0x3)) {
		i += 2;
		x >>= 2;
	}
	if (!(x & 0x1))
		i += 1;
	return i;
}

/* One candidate mask (bpf_loop callback): 1 stops the search, 0 goes on.
 * The candidates come in id order, not rank order: every one is probed
 * unless its best rank cannot beat what was found. */
static long spd_probe(__u32 i, void *arg)
{
	struct spd_walk *w = arg;
	const struct xs_spd_rule *r;
	const struct xs_spd_mask *m;
	struct xs_spd_key k;
	__u32 idx;

	if (!w->cand)
		return 1;
	idx = w->base + spd_low_bit(w->cand);
	w->cand &= w->cand - 1;
	m = bpf_map_lookup_elem(&spd_masks, &idx);
	if (!m || !m->in_use)
		return 0;
	if (w->slot != XS_SLOT_NONE && m->best_rank >= w->rank)
		return 0;
	if (m->family != w->p.family || m->dir != w->dir)
		return 0;
	if (w->p.opaque && (m->sport_exact || m->dport_exact))
		return 0;
	spd_key_build(&k, m, &w->p, w->dir);
	r = bpf_map_lookup_elem(&spd_rules, &k);
	if (r && (w->slot == XS_SLOT_NONE || r->rank < w->rank)) {
		w->rank = r->rank;
		w->slot = r->slot;
	}
	return 0;
}

/* The masks a rule matching p can be in: the longest-prefix bitmaps of
 * its source and destination, ANDed. */
static __always_inline __u64 spd_candidates(const struct xs_pkt *p, __u8 dir,
					    __u8 half)
{
	struct xs_spd_pfx_key k = {
		.prefixlen = XS_SPD_PFX_HDR_BITS + 128,
		.dir = dir,
		.family = p->family,
		.half = half,
	};
	const __u64 *s, *d;

	__builtin_memcpy(k.addr, p->src, 16);
	s = bpf_map_lookup_elem(&spd_prune_src, &k);
	if (!s)
		return 0;
	__builtin_memcpy(k.addr, p->dst, 16);
	d = bpf_map_lookup_elem(&spd_prune_dst, &k);
	return d ? *s & *d : 0;
}

/* Tuple space search over the candidate masks only: bpf_loop() keeps the
 * verifier's work to one pass over the probe. */
static __always_inline __u32 spd_search(const struct xs_state *st,
					const struct xs_pkt *p, __u8 dir)
{
	__u8 half = st->spd_active ? 1 : 0;
	struct spd_walk w = {
		.rank = ~0ULL,
		.slot = XS_SLOT_NONE,
		.base = half * XS_SPD_MAX_MASKS,
		.dir = dir,
	};

	w.cand = spd_candidates(p, dir, half);
	if (!w.cand)
		return XS_SLOT_NONE;
	w.p = *p;
	bpf_loop(XS_SPD_MAX_MASKS + 1, spd_probe, &w, 0);
	return w.slot;
}

static __always_inline void flow_key_build(struct xs_flow_key *k,
					   const struct xs_pkt *p, __u8 dir)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->dir = dir;
	k->family = p->family;
	k->proto = p->proto;
	k->sport = p->sport;
	k->dport = p->dport;
	__builtin_memcpy(k->src, p->src, 16);
	__builtin_memcpy(k->dst, p->dst, 16);
}

/* The matching policy's slot, or XS_SLOT_NONE.  Global: verified once,
 * and its stack (the flow key, the search's copy of p) stays out of its
 * callers' frames, which the verifier adds up along a call chain. */
__attribute__((noinline)) __u32 xs_spd_slot(const struct xs_state *st,
					    const struct xs_pkt *p, __u32 dir)
{
	struct xs_flow_val v, *cv;
	struct xs_flow_key k;

	if (!st || !p)
		return XS_SLOT_NONE;
	if (p->opaque) {
		xs_count(XS_CNT_spd_cache_miss);
		return spd_search(st, p, (__u8)dir);
	}
	flow_key_build(&k, p, (__u8)dir);
	cv = bpf_map_lookup_elem(&spd_cache, &k);
	if (cv && cv->gen == st->spd_gen) {
		xs_count(XS_CNT_spd_cache_hit);
		return cv->slot;
	}
	xs_count(XS_CNT_spd_cache_miss);
	v.gen = st->spd_gen;
	v.slot = spd_search(st, p, (__u8)dir);
	bpf_map_update_elem(&spd_cache, &k, &v, BPF_ANY);
	return v.slot;
}

/* A rule pointing past spd_policies: fail closed. */
static const struct xs_policy xs_policy_broken = {
	.action = IPSEC_POLICY_DISCARD,
};

/*
 * The policy that applies to p in direction dir, or NULL when none does
 * (no match, or an ENTRUST policy: the caller applies def_policy).  A
 * match is counted in pol_stats.
 */
static __always_inline const struct xs_policy *
xs_spd_lookup(const struct xs_state *st, const struct xs_pkt *p, __u8 dir)
{
	const struct xs_policy *pol;
	__u32 slot;

	slot = xs_spd_slot(st, p, dir);
	if (slot == XS_SLOT_NONE)
		return NULL;
	pol = bpf_map_lookup_elem(&spd_policies, &slot);
	if (!pol)
		return &xs_policy_broken;
	xs_pol_count(slot, p->l3_len);
	if (pol->action == IPSEC_POLICY_ENTRUST)
		return NULL;
	return pol;
}

#endif /* XS_BPF_SPD_H */
