/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * setkey -x: register the socket promiscuous (SADB_X_PROMISC) and print
 * every message the daemon sends it, one line each: the type, satype,
 * seq, pid, errno when set, then what identifies the SA or policy it
 * carries.  KAME prints a full dump per message; one line is easier to
 * read live and to match in tests.
 */
#ifndef XS_SETKEY_MONITOR_H
#define XS_SETKEY_MONITOR_H

#include <stddef.h>
#include <stdio.h>
#include "client.h"

/* One message as one line (no newline) into buf; truncated to size. */
void xs_setkey_format_msg(char *buf, size_t size, const struct xs_pfkey_msg *m);

/* Monitor until a signal, an error or, if seconds > 0, that many seconds;
 * the line of each message is written to out.  Returns 0 or -errno. */
int xs_setkey_monitor(struct xs_skclient *c, int seconds, FILE *out);

#endif /* XS_SETKEY_MONITOR_H */
