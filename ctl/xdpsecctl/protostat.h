/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * `xdpsecctl stat -p esp|ah`: one protocol's counters in the shape of
 * OpenBSD's `netstat -s -p esp` / `-p ah`.
 */
#ifndef XS_PROTOSTAT_H
#define XS_PROTOSTAT_H

#include "../daemon/dp.h"

/* proto: "esp" or "ah".  0, 1 on a read error, 2 for another name. */
int xs_protostat_print(struct xs_dp *dp, const char *proto, FILE *out);

#endif /* XS_PROTOSTAT_H */
