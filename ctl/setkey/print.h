/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * KAME setkey -D / -DP output (ipsec-tools pfkey_dump.c layout) from the
 * model structs.  Differences, on purpose:
 *  - keys are never in replies: "E:"/"A:" lines carry the name only;
 *  - the SA's replay line reads "replay=N window=W" where N is
 *    sadb_sa_replay (bytes, as setkey -r) and W = 8 * N packets; the
 *    sadb_x_sa2 sequence is not kept, so "seq=" is always 0x00000000;
 *  - no blank after the addresses or the algorithm name; the upper-layer
 *    protocol is printed with the names setkey accepts (any, tcp, udp,
 *    icmp, icmp6, else a number), so a policy's first lines can be fed
 *    back to spdadd;
 *  - NAT-T SAs read "src[sport] dst[dport]" then "esp-udp mode=...", and
 *    "NAT OA=address" after that line when the SA has one (as ipsec-tools);
 *  - a policy's hard lifetime reads "lifetime: N(s) validtime: M(s)"
 *    (0 when it has none); refcnt is 0 for SAs and 1 for policies.
 * Times are printed as ctime(3) without the weekday, in local time; now
 * is passed in so output can be reproduced.
 */
#ifndef XS_SETKEY_PRINT_H
#define XS_SETKEY_PRINT_H

#include <stdio.h>
#include <time.h>
#include "../lib/types.h"

void xs_setkey_print_sa(FILE *f, const struct xs_sa *sa, time_t now);
void xs_setkey_print_policy(FILE *f, const struct xs_spolicy *sp);

/* "prio def", "prio high + 3", "" (priority 0), as ipsec_dump_policy(). */
void xs_setkey_format_prio(char *buf, size_t size, uint32_t prio);

/* "esp/tunnel/a-b/unique:7" (snprintf semantics: the length it needs). */
int xs_setkey_format_request(char *buf, size_t size,
			     const struct xs_ipsecreq *r);
/* ipsec_dump_policy(3)'s form: "out prio def ipsec", then each request,
 * separated by delim (snprintf semantics). */
int xs_setkey_format_policy(char *buf, size_t size, const struct xs_spolicy *sp,
			    const char *delim);

#endif /* XS_SETKEY_PRINT_H */
