// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdp_handoff: on the worker side of the hand-off veth pair.  TC egress
 * redirected these frames because a policy wants them protected; every
 * one goes to the worker socket of its queue.  With no worker bound the
 * frame is dropped (fail closed), never passed on in clear.
 */
#include "lib/config.h"
#include "lib/stats.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int xdp_handoff(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index;
	const struct xs_state *st;
	long ret;

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
