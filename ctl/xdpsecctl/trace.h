/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * `xdpsecctl trace [-t SECONDS] [-c COUNT]`: print the datapath's
 * per-packet trace (the trace ring buffer, filled while a debug knob is
 * set), one line per packet with its verdict or drop reason.
 */
#ifndef XS_TRACE_H
#define XS_TRACE_H

#include <stdio.h>
#include "xdpsec/xdpsec.h"

/* One record as a line (no newline) into buf; its length. */
int xs_trace_format(const struct xs_trace_ev *ev, char *buf, size_t cap);
/* The subcommand: argv[0] is "trace".  Exit status. */
int xs_trace_main(const char *pin_dir, int argc, char **argv);

#endif /* XS_TRACE_H */
