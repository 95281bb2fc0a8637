// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The controller's handle on the datapath maps: thin, checked wrappers
 * around bpf_map_*_elem.  A map fd < 0 makes every call a no-op.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp.h"

static const struct {
	const char *name;
	size_t off;
} dp_maps[] = {
#define M(n)                                  \
	{                                     \
#n, offsetof(struct xs_dp, n) \
	}
	M(config),    M(state),	    M(stats),	      M(ifaces),
	M(xsks),      M(spd_masks), M(spd_rules),     M(spd_policies),
	M(spd_cache), M(pol_stats), M(spd_prune_src), M(spd_prune_dst),
	M(sa_in),     M(sa_out),    M(sa_stats),      M(wstats),
#undef M
};

#define NMAPS (sizeof(dp_maps) / sizeof(dp_maps[0]))

static int *dp_fd(struct xs_dp *dp, size_t i)
{
	return (int *)((char *)dp + dp_maps[i].off);
}

void xs_dp_init_none(struct xs_dp *dp)
{
	size_t i;

	for (i = 0; i < NMAPS; i++)
		*dp_fd(dp, i) = -1;
}

void xs_dp_close(struct xs_dp *dp)
{
	size_t i;

	for (i = 0; i < NMAPS; i++) {
		if (*dp_fd(dp, i) >= 0)
			close(*dp_fd(dp, i));
		*dp_fd(dp, i) = -1;
	}
}

int xs_dp_open_pinned(struct xs_dp *dp, const char *dir)
{
	char path[PATH_MAX];
	size_t i;
	int fd;

	xs_dp_init_none(dp);
	for (i = 0; i < NMAPS; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir,
			     dp_maps[i].name) >= (int)sizeof(path)) {
			errno = ENAMETOOLONG;
			goto err;
		}
		fd = bpf_obj_get(path);
		if (fd < 0)
			goto err;
		*dp_fd(dp, i) = fd;
	}
	return 0;
err:
	fd = -errno;
	xs_dp_close(dp);
	return fd;
}

static int update(int fd, const void *k, const void *v)
{
	if (fd < 0)
		return 0;
	return bpf_map_update_elem(fd, k, v, BPF_ANY) ? -errno : 0;
}

static int delete (int fd, const void *k)
{
	if (fd < 0)
		return 0;
	if (bpf_map_delete_elem(fd, k) && errno != ENOENT)
		return -errno;
	return 0;
}

/* Appends key to the growing array *keys of *n keys; -ENOMEM. */
static int keys_add(uint8_t **keys, size_t *n, size_t *cap, const void *key,
		    size_t key_size)
{
	uint8_t *grown;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		grown = realloc(*keys, *cap * key_size);
		if (!grown)
			return -ENOMEM;
		*keys = grown;
	}
	memcpy(*keys + (*n)++ * key_size, key, key_size);
	return 0;
}

int xs_dp_map_sweep(int fd, size_t key_size,
		    bool (*stale)(const void *key, void *arg), void *arg)
{
	uint8_t *keys = NULL, *walk;
	size_t n = 0, cap = 0, i;
	void *prev = NULL;
	int err = 0;

	if (fd < 0)
		return 0;
	walk = malloc(2 * key_size); /* the walk's position | next key */
	if (!walk)
		return -ENOMEM;
	while (!err && !bpf_map_get_next_key(fd, prev, walk + key_size)) {
		memcpy(walk, walk + key_size, key_size);
		prev = walk;
		if (stale(walk, arg))
			err = keys_add(&keys, &n, &cap, walk, key_size);
	}
	for (i = 0; i < n && !err; i++)
		err = delete (fd, keys + i * key_size);
	free(walk);
	free(keys);
	return err;
}

static int lookup(int fd, const void *k, void *v, size_t vlen)
{
	if (fd < 0) {
		memset(v, 0, vlen);
		return 0;
	}
	return bpf_map_lookup_elem(fd, k, v) ? -errno : 0;
}

int xs_dp_sa_in_set(struct xs_dp *dp, const struct xs_sa_in_key *k,
		    const struct xs_sa_ref *v)
{
	return update(dp->sa_in, k, v);
}

int xs_dp_sa_in_del(struct xs_dp *dp, const struct xs_sa_in_key *k)
{
	return delete (dp->sa_in, k);
}

int xs_dp_sa_out_set(struct xs_dp *dp, const struct xs_sa_out_key *k,
		     const struct xs_sa_ref *v)
{
	return update(dp->sa_out, k, v);
}

int xs_dp_sa_out_del(struct xs_dp *dp, const struct xs_sa_out_key *k)
{
	return delete (dp->sa_out, k);
}

int xs_dp_sa_stats_get(struct xs_dp *dp, uint32_t slot, struct xs_sa_stats *out)
{
	return lookup(dp->sa_stats, &slot, out, sizeof(*out));
}

int xs_dp_sa_stats_clear(struct xs_dp *dp, uint32_t slot)
{
	struct xs_sa_stats z = { 0 };

	return update(dp->sa_stats, &slot, &z);
}

int xs_dp_policy_set(struct xs_dp *dp, uint32_t slot, const struct xs_policy *p)
{
	return update(dp->spd_policies, &slot, p);
}

int xs_dp_pol_stats_get(struct xs_dp *dp, uint32_t slot,
			struct xs_pol_stats *out)
{
	return lookup(dp->pol_stats, &slot, out, sizeof(*out));
}

int xs_dp_pol_stats_clear(struct xs_dp *dp, uint32_t slot)
{
	struct xs_pol_stats z = { 0 };

	return update(dp->pol_stats, &slot, &z);
}

int xs_dp_spd_rule_set(struct xs_dp *dp, const struct xs_spd_key *k,
		       const struct xs_spd_rule *r)
{
	return update(dp->spd_rules, k, r);
}

int xs_dp_spd_rule_del(struct xs_dp *dp, const struct xs_spd_key *k)
{
	return delete (dp->spd_rules, k);
}

int xs_dp_state_get(struct xs_dp *dp, struct xs_state *s)
{
	uint32_t zero = 0;

	return lookup(dp->state, &zero, s, sizeof(*s));
}

int xs_dp_state_set(struct xs_dp *dp, const struct xs_state *s)
{
	uint32_t zero = 0;

	return update(dp->state, &zero, s);
}

int xs_dp_spd_gen_bump(struct xs_dp *dp)
{
	struct xs_state s;
	int err;

	err = xs_dp_state_get(dp, &s);
	if (err)
		return err;
	s.spd_gen++;
	return xs_dp_state_set(dp, &s);
}

int xs_dp_spd_mask_set(struct xs_dp *dp, uint16_t id,
		       const struct xs_spd_mask *m)
{
	struct xs_spd_mask none = { 0 };
	uint32_t k = xs_spd_mask_idx(id);

	return update(dp->spd_masks, &k, m ? m : &none);
}

int xs_dp_spd_activate(struct xs_dp *dp, uint32_t half)
{
	struct xs_state s;
	int err;

	err = xs_dp_state_get(dp, &s);
	if (err)
		return err;
	s.spd_active = half;
	s.spd_gen++;
	return xs_dp_state_set(dp, &s);
}

int xs_dp_spd_pfx_set(struct xs_dp *dp, bool dst,
		      const struct xs_spd_pfx_key *k, uint64_t bits)
{
	return update(dst ? dp->spd_prune_dst : dp->spd_prune_src, k, &bits);
}

int xs_dp_spd_pfx_del(struct xs_dp *dp, bool dst,
		      const struct xs_spd_pfx_key *k)
{
	return delete (dst ? dp->spd_prune_dst : dp->spd_prune_src, k);
}

int xs_dp_config_get(struct xs_dp *dp, struct xs_config *c)
{
	uint32_t zero = 0;

	return lookup(dp->config, &zero, c, sizeof(*c));
}

int xs_dp_config_set(struct xs_dp *dp, const struct xs_config *c)
{
	uint32_t zero = 0;

	return update(dp->config, &zero, c);
}

static void add_stats(struct xs_stats *to, const struct xs_stats *from)
{
	const __u64 *src = (const __u64 *)from;
	__u64 *dst = (__u64 *)to;
	int i;

	for (i = 0; i < XS_CNT_MAX; i++)
		dst[i] += src[i];
}

int xs_dp_wstats_get(struct xs_dp *dp, bool ah, struct xs_stats *out)
{
	uint32_t k, base = ah ? XS_WSTATS_AH : 0;
	struct xs_stats row;

	memset(out, 0, sizeof(*out));
	if (dp->wstats < 0)
		return -ENOENT;
	for (k = base; k < base + XS_MAX_WORKERS; k++) {
		if (bpf_map_lookup_elem(dp->wstats, &k, &row))
			return -errno;
		add_stats(out, &row);
	}
	return 0;
}

int xs_dp_stats_get(struct xs_dp *dp, struct xs_stats *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xs_stats *percpu;
	uint32_t zero = 0;
	int cpu, i, err = 0;

	memset(out, 0, sizeof(*out));
	if (dp->stats < 0)
		return 0;
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(dp->stats, &zero, percpu)) {
		err = -errno;
		goto out;
	}
	for (cpu = 0; cpu < ncpu; cpu++)
		add_stats(out, &percpu[cpu]);
	if (dp->wstats >= 0) {
		for (i = 0; i < XS_WSTATS_ROWS; i++) {
			uint32_t k = (uint32_t)i;

			if (bpf_map_lookup_elem(dp->wstats, &k, &percpu[0]))
				break;
			add_stats(out, &percpu[0]);
		}
	}
out:
	free(percpu);
	return err;
}
