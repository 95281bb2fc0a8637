/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The controller's handle on the pinned BPF maps (see include/xdpsec).
 * A plain set of map fds: the loader fills it from the skeleton or from the
 * pins; tests may fill it with maps they create.  A negative fd means
 * "no such map": the sync calls then do nothing and return 0, which lets
 * the SADB/SPD logic run without a datapath (unit tests).
 */
#ifndef XS_DP_H
#define XS_DP_H

#include <stdbool.h>
#include <stdint.h>
#include "xdpsec/xdpsec.h"

struct xs_dp {
	int config, state, stats, ifaces, xsks;
	int spd_masks, spd_rules, spd_policies, spd_cache, pol_stats;
	int spd_prune_src, spd_prune_dst;
	int sa_in, sa_out, sa_stats, wstats;
};

/* All fds -1. */
void xs_dp_init_none(struct xs_dp *dp);
/* Open every map pinned under dir; -errno if one is missing. */
int xs_dp_open_pinned(struct xs_dp *dp, const char *dir);
/* Close every fd >= 0 and set it to -1. */
void xs_dp_close(struct xs_dp *dp);

int xs_dp_sa_in_set(struct xs_dp *dp, const struct xs_sa_in_key *k,
		    const struct xs_sa_ref *v);
int xs_dp_sa_in_del(struct xs_dp *dp, const struct xs_sa_in_key *k);
int xs_dp_sa_out_set(struct xs_dp *dp, const struct xs_sa_out_key *k,
		     const struct xs_sa_ref *v);
int xs_dp_sa_out_del(struct xs_dp *dp, const struct xs_sa_out_key *k);
int xs_dp_sa_stats_get(struct xs_dp *dp, uint32_t slot,
		       struct xs_sa_stats *out);
int xs_dp_sa_stats_clear(struct xs_dp *dp, uint32_t slot);

int xs_dp_policy_set(struct xs_dp *dp, uint32_t slot,
		     const struct xs_policy *p);
int xs_dp_pol_stats_get(struct xs_dp *dp, uint32_t slot,
			struct xs_pol_stats *out);
int xs_dp_pol_stats_clear(struct xs_dp *dp, uint32_t slot);
int xs_dp_spd_rule_set(struct xs_dp *dp, const struct xs_spd_key *k,
		       const struct xs_spd_rule *r);
int xs_dp_spd_rule_del(struct xs_dp *dp, const struct xs_spd_key *k);
/* Write mask id's entry of spd_masks (m NULL: a free one, in_use 0). */
int xs_dp_spd_mask_set(struct xs_dp *dp, uint16_t id,
		       const struct xs_spd_mask *m);
/* Make the mask ids of half (0 or 1) live: state.spd_active = half, and
 * bump state.spd_gen (which also invalidates spd_cache). */
int xs_dp_spd_activate(struct xs_dp *dp, uint32_t half);
/* The prune bitmap of a source (dst false) or destination prefix. */
int xs_dp_spd_pfx_set(struct xs_dp *dp, bool dst,
		      const struct xs_spd_pfx_key *k, uint64_t bits);
int xs_dp_spd_pfx_del(struct xs_dp *dp, bool dst,
		      const struct xs_spd_pfx_key *k);
/* Bump state.spd_gen alone (a rule or policy changed, masks did not). */
int xs_dp_spd_gen_bump(struct xs_dp *dp);
/*
 * Delete every key (key_size bytes) of map fd that stale(key, arg) picks.
 * The keys are collected first: deleting during a get_next_key walk
 * restarts it.  0 (also for fd < 0), -ENOMEM or -errno of a delete.
 */
int xs_dp_map_sweep(int fd, size_t key_size,
		    bool (*stale)(const void *key, void *arg), void *arg);

int xs_dp_config_get(struct xs_dp *dp, struct xs_config *c);
int xs_dp_config_set(struct xs_dp *dp, const struct xs_config *c);
int xs_dp_state_get(struct xs_dp *dp, struct xs_state *s);
int xs_dp_state_set(struct xs_dp *dp, const struct xs_state *s);
/* Sum of the per-CPU datapath stats and the workers' rows. */
int xs_dp_stats_get(struct xs_dp *dp, struct xs_stats *out);
/* Sum of the workers' rows for one protocol (ah: the AH rows, else the
 * ESP rows); -ENOENT without a wstats map. */
int xs_dp_wstats_get(struct xs_dp *dp, bool ah, struct xs_stats *out);

#endif /* XS_DP_H */
