/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * `xdpsecctl show sa|flow|mem`: ipsecctl's `-s sa` and `-s flow` views of
 * the SADB and SPD (asked of xdpsecd over PF_KEY, never with keys), and
 * the memory the datapath's tables use (vmstat -m's tdb/xform).
 */
#ifndef XS_SHOW_H
#define XS_SHOW_H

#include <stdio.h>
#include "../daemon/dp.h"

/* what: "sa" or "flow" (PF_KEY at sock, NULL: the default). */
int xs_show_pfkey(const char *what, const char *sock, FILE *out);
/* Pinned maps under pin_dir: entries and kernel memory; then the
 * controller's resident and locked memory (found through its PF_KEY
 * socket sock, NULL: the default). */
int xs_show_mem(struct xs_dp *dp, const char *pin_dir, const char *sock,
		FILE *out);

#endif /* XS_SHOW_H */
