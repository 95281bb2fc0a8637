/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The pinned maps of the xdpsec datapath, defined once (BTF style).
 *
 * Every BPF object includes this file; each map is pinned by name, so the
 * three objects (xdp_ingress, tc_egress, xdp_handoff) share one instance
 * of each map when they are opened with the same pin_root_path.  Layouts
 * are in include/xdpsec/xdpsec.h, the pin layout in maps/README.md.
 *
 * Maps the datapath never writes from BPF (rules, SAs, ifaces) are not
 * preallocated: the controller fills them and they may stay small.
 */
#ifndef XS_MAPS_H
#define XS_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdpsec/xdpsec.h"

#define XS_MAP(_name, _type, _key, _val, _max, _flags) \
	struct {                                       \
		__uint(type, _type);                   \
		__uint(max_entries, _max);             \
		__type(key, _key);                     \
		__type(value, _val);                   \
		__uint(map_flags, _flags);             \
		__uint(pinning, LIBBPF_PIN_BY_NAME);   \
	} _name SEC(".maps")

XS_MAP(config, BPF_MAP_TYPE_ARRAY, __u32, struct xs_config, 1, 0);
XS_MAP(state, BPF_MAP_TYPE_ARRAY, __u32, struct xs_state, 1, 0);
XS_MAP(stats, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct xs_stats, 1, 0);
XS_MAP(ifaces, BPF_MAP_TYPE_HASH, __u32, struct xs_iface, XS_MAX_IFACES + 1, 0);
XS_MAP(xsks, BPF_MAP_TYPE_XSKMAP, __u32, __u32,
       (XS_MAX_IFACES + 1) * XS_MAX_QUEUES, 0);
XS_MAP(spd_masks, BPF_MAP_TYPE_ARRAY, __u32, struct xs_spd_mask,
       2 * XS_SPD_MAX_MASKS, 0);
XS_MAP(spd_rules, BPF_MAP_TYPE_HASH, struct xs_spd_key, struct xs_spd_rule,
       XS_MAX_POLICY, BPF_F_NO_PREALLOC);
/* tuple-space pruning: per address prefix the masks worth probing; two
 * halves of entries while a restarted controller takes over */
XS_MAP(spd_prune_src, BPF_MAP_TYPE_LPM_TRIE, struct xs_spd_pfx_key, __u64,
       2 * XS_MAX_POLICY, BPF_F_NO_PREALLOC);
XS_MAP(spd_prune_dst, BPF_MAP_TYPE_LPM_TRIE, struct xs_spd_pfx_key, __u64,
       2 * XS_MAX_POLICY, BPF_F_NO_PREALLOC);
XS_MAP(spd_policies, BPF_MAP_TYPE_ARRAY, __u32, struct xs_policy, XS_MAX_POLICY,
       0);
XS_MAP(spd_cache, BPF_MAP_TYPE_LRU_HASH, struct xs_flow_key, struct xs_flow_val,
       XS_SPD_CACHE_SIZE, 0);
XS_MAP(pol_stats, BPF_MAP_TYPE_ARRAY, __u32, struct xs_pol_stats, XS_MAX_POLICY,
       0);
XS_MAP(sa_in, BPF_MAP_TYPE_HASH, struct xs_sa_in_key, struct xs_sa_ref,
       XS_MAX_SA, BPF_F_NO_PREALLOC);
XS_MAP(sa_out, BPF_MAP_TYPE_HASH, struct xs_sa_out_key, struct xs_sa_ref,
       XS_MAX_SA, BPF_F_NO_PREALLOC);
XS_MAP(sa_stats, BPF_MAP_TYPE_ARRAY, __u32, struct xs_sa_stats, XS_MAX_SA,
       BPF_F_MMAPABLE);
/* written by the crypto workers only (mmap): per worker an ESP row and an
 * AH row (XS_WSTATS_AH + worker) */
XS_MAP(wstats, BPF_MAP_TYPE_ARRAY, __u32, struct xs_stats, XS_WSTATS_ROWS,
       BPF_F_MMAPABLE);

/* SA requests of tc_egress to xdpsecd (ACQUIRE), rate-limited per policy */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XS_ACQUIRE_RB_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} acquire SEC(".maps");
XS_MAP(acquire_rl, BPF_MAP_TYPE_LRU_HASH, __u32, __u64, XS_ACQUIRE_RL_SIZE, 0);

/* per-packet trace while a debug knob is set (xdpsecctl trace) */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XS_TRACE_RB_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} trace SEC(".maps");
/* the counter xs_count() bumped last on this CPU: the packet's verdict */
XS_MAP(trace_last, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, __u32, 1, 0);

/* per-socket policy, set through the cgroup sockopt programs; cloned into
 * the sockets a listener accepts */
XS_MAP(sock_policy, BPF_MAP_TYPE_SK_STORAGE, int, struct xs_sock_policy, 0,
       BPF_F_NO_PREALLOC | BPF_F_CLONE);

#endif /* XS_MAPS_H */
