/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The frames map of xgen_live.bpf.c, shared with bench/xgen.c: one
 * pre-built Ethernet frame per slot, sent round robin.
 */
#ifndef XGEN_LIVE_H
#define XGEN_LIVE_H

#include <linux/types.h>

#define XGEN_FRMAX 2048

struct xgen_frame {
	__u32 len; /* bytes of data used, 14..XGEN_FRMAX */
	__u8 data[XGEN_FRMAX];
};

_Static_assert(sizeof(struct xgen_frame) == 4 + XGEN_FRMAX,
	       "xgen_frame layout");

#endif /* XGEN_LIVE_H */
