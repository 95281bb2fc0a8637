// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xgen_live: the bench generator's XDP program, run by BPF_PROG_TEST_RUN
 * with BPF_F_TEST_XDP_LIVE_FRAMES (bench/xgen.c -L).  Each run writes the
 * next of xgen's pre-built frames (round robin over the frames map) into
 * the live frame and redirects it out of ifindex.  The kernel does not
 * re-initialise a recycled frame's bytes, so every run copies its frame
 * in full; the frame's length is set with bpf_xdp_adjust_tail.
 *
 * With gap_ns (xgen -p) the program paces itself: a run before the next
 * frame is due drops its frame unsent, so frames leave evenly spaced
 * rather than in bursts.  Frames late by up to slack_ns (the kernel runs
 * the receiving side between batches of runs, other tasks share the CPU)
 * are made up for in a burst; beyond that they are lost (xgen reports
 * what was sent).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xgen_live.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* set to the frame count before load */
	__type(key, __u32);
	__type(value, struct xgen_frame);
} frames SEC(".maps");

const volatile __u32 ifindex;
const volatile __u32 nframes = 1;
const volatile __u64 gap_ns, slack_ns; /* gap_ns 0: flat out */
/* one generator thread: no atomics needed */
__u64 next_frame, due_ns, sent;

/* Whether this run may send, with gap_ns set. */
static __always_inline int due(void)
{
	__u64 now = bpf_ktime_get_ns();

	if (now < due_ns)
		return 0;
	if (due_ns + slack_ns < now)
		due_ns = now - (due_ns ? slack_ns : 0);
	due_ns += gap_ns;
	return 1;
}

SEC("xdp")
int xgen_live(struct xdp_md *ctx)
{
	struct xgen_frame *f;
	__u32 i, len;
	int cur;

	if (gap_ns && !due())
		return XDP_DROP;
	i = (__u32)(next_frame++ % nframes);
	f = bpf_map_lookup_elem(&frames, &i);
	if (!f)
		return XDP_ABORTED;
	len = f->len;
	if (len < 14 || len > XGEN_FRMAX)
		return XDP_ABORTED;
	cur = (int)bpf_xdp_get_buff_len(ctx);
	if (bpf_xdp_adjust_tail(ctx, (int)len - cur))
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, 0, f->data, len))
		return XDP_ABORTED;
	sent++;
	return bpf_redirect(ifindex, 0);
}
