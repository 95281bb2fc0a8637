// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdp_handoff: on the worker side of the hand-off veth pair.  TC egress
 * redirected these frames because a policy wants them protected; every
 * one goes to the worker socket of its queue.  With no worker bound the
 * frame is dropped (fail closed), never passed on in clear.
 */
#include <linux/if_ether.h>
#include "lib/config.h"
#include "lib/stats.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Frames tc_egress steered carry its mark in the source MAC; the rest is
 * the kernel's own traffic on the pair (IPv6 ND, MLD) and is passed. */
static __always_inline int steered(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	return (void *)(eth + 1) <= end && eth->h_source[0] == XS_ETH_META_MARK;
}

SEC("xdp")
int xdp_handoff(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index;
	const struct xs_state *st;
	long ret;

	if (!steered(ctx)) {
		xs_count(XS_CNT_handoff_foreign);
		return XDP_PASS;
	}
	st = xs_state_get();
	if (!st) {
		xs_count(XS_CNT_drop_internal);
		return XDP_DROP;
	}
	if (q >= XS_MAX_QUEUES) {
		xs_count(XS_CNT_drop_no_worker);
		return XDP_DROP;
	}
	ret = bpf_redirect_map(&xsks, xs_xsk_slot(st->handoff_slot, q),
			       XDP_DROP);
	if (ret != XDP_REDIRECT) {
		xs_count(XS_CNT_drop_no_worker);
		return XDP_DROP;
	}
	xs_count(XS_CNT_handoff_steer);
	return XDP_REDIRECT;
}
