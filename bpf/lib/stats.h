/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Counter helpers: the per-CPU datapath counters (include/xdpsec/counters.h)
 * and the per-policy and per-SA counters shared with the controller.
 */
#ifndef XS_BPF_STATS_H
#define XS_BPF_STATS_H

#include "../../maps/xdpsec_maps.h"

/* Count one packet under counter c (an enum xs_counter); remember it as
 * the packet's verdict for the trace (bpf/lib/trace.h). */
static __always_inline void xs_count(enum xs_counter c)
{
	__u32 zero = 0, *last;
	__u64 *s;

	s = bpf_map_lookup_elem(&stats, &zero);
	if (s && c < XS_CNT_MAX)
		s[c]++;
	last = bpf_map_lookup_elem(&trace_last, &zero);
	if (last)
		*last = c;
}

static __always_inline void xs_pol_count(__u32 slot, __u32 bytes)
{
	struct xs_pol_stats *ps;

	ps = bpf_map_lookup_elem(&pol_stats, &slot);
	if (!ps)
		return;
	__sync_fetch_and_add(&ps->packets, 1);
	__sync_fetch_and_add(&ps->bytes, bytes);
}

static __always_inline void xs_sa_rx_count(__u32 slot, __u32 bytes)
{
	struct xs_sa_stats *ss;

	ss = bpf_map_lookup_elem(&sa_stats, &slot);
	if (!ss)
		return;
	__sync_fetch_and_add(&ss->rx_packets, 1);
	__sync_fetch_and_add(&ss->rx_bytes, bytes);
}

#endif /* XS_BPF_STATS_H */
