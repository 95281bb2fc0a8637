/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The per-packet trace (include/xdpsec/xdpsec.h, struct xs_trace_ev):
 * one record per IP packet while the debug knob of its family is set.
 */
#ifndef XS_BPF_TRACE_H
#define XS_BPF_TRACE_H

#include "config.h"
#include "parse.h"
#include "stats.h"

/* Global: verified once, out of the programs' own stack. */
__attribute__((noinline)) int xs_trace_emit(__u32 hook, __u32 ifindex,
					    const struct xs_pkt *p)
{
	struct xs_trace_ev ev;
	__u32 zero = 0, *last;

	if (!p)
		return 0;
	last = bpf_map_lookup_elem(&trace_last, &zero);
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.ns = bpf_ktime_get_ns();
	ev.ifindex = ifindex;
	ev.counter = last ? (__u16)*last : 0;
	ev.hook = (__u8)hook;
	ev.family = p->family;
	ev.proto = p->proto;
	ev.frag = p->frag;
	ev.sport = p->sport;
	ev.dport = p->dport;
	__builtin_memcpy(ev.src, p->src, 16);
	__builtin_memcpy(ev.dst, p->dst, 16);
	return bpf_ringbuf_output(&trace, &ev, sizeof(ev), 0);
}

/* After the verdict: trace p if its family's debug knob is set in c (the
 * config the program classified with). */
static __always_inline void xs_trace(__u32 hook, __u32 ifindex,
				     const struct xs_pkt *p,
				     const struct xs_config *c)
{
	if (p->family != XS_AF_INET && p->family != XS_AF_INET6)
		return; /* not IP (ARP, other): nothing to say */
	if (p->family == XS_AF_INET ? c->ip4_debug : c->ip6_debug)
		xs_trace_emit(hook, ifindex, p);
}

#endif /* XS_BPF_TRACE_H */
