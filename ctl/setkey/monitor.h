/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * setkey -x: register the socket promiscuous (SADB_X_PROMISC) and print
 * every message the daemon sends it as ipsec-tools' setkey -x does
 * (setkey.c promisc(), libipsec key_debug.c kdebug_sadb()), so that
 * scripts written for it keep working.  Per message:
 *
 *   a date line: "HH:MM:SS.uuuuuu " (local time, -x) or "SSSS.uuuuuu "
 *   (seconds since the epoch, -xx), then a newline;
 *   with -H, a hexdump of the message ("%08x: " and 16 bytes a line);
 *   the message as kdebug_sadb() prints it ("sadb_msg{ version=2 type=..."
 *   then one "sadb_ext{ len=.. type=.. }" block per extension, numbers
 *   raw), then an empty line.
 *
 * As ipsec-tools, a message wrapped in an X_PROMISC header (the BSD
 * way of passing promiscuous copies) is printed without the wrapper, and
 * a bare X_PROMISC (the reply to our own request) prints only its date
 * line.  Where ipsec-tools built for Linux prints nothing useful, two
 * differences: xdpsec's own SADB_X_EXT_XS_REPLAY (27) prints as
 * "sadb_x_xs_replay{ window=N }" instead of ending the dump, and
 * malformed extensions end the dump with kdebug_sadb's message instead
 * of reading past the buffer.
 */
#ifndef XS_SETKEY_MONITOR_H
#define XS_SETKEY_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/time.h>
#include "client.h"

struct xs_monitor_opts {
	int seconds; /* > 0: stop after that long (-T, an xdpsec extension) */
	int tflag; /* 1: -x (time of day), 2: -xx (epoch seconds) */
	bool hexdump; /* -H */
};

/* kdebug_sadb(): the len bytes of msg as ipsec-tools prints them. */
void xs_setkey_kdebug(FILE *out, const void *msg, size_t len);

/* One received message, stamped tv, as setkey -x prints it. */
void xs_setkey_monitor_print(FILE *out, const struct xs_monitor_opts *o,
			     const struct timeval *tv, const void *msg,
			     size_t len);

/* Monitor until a signal, an error or o->seconds; writes to out.
 * Returns 0 or -errno. */
int xs_setkey_monitor(struct xs_skclient *c, const struct xs_monitor_opts *o,
		      FILE *out);

#endif /* XS_SETKEY_MONITOR_H */
