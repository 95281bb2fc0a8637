/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The datapath counters by index (from include/xdpsec/counters.h), for
 * everything in userspace that prints them.
 */
#ifndef XS_COUNTER_H
#define XS_COUNTER_H

#include <stddef.h>
#include "xdpsec/counters.h"

struct xs_counter_desc {
	const char *field; /* struct xs_stats field, e.g. "drop_replay" */
	const char *name; /* e.g. "drop-replay" */
	const char *text; /* one line of help */
};

/* Counter i (an enum xs_counter); NULL past the end. */
const struct xs_counter_desc *xs_counter_at(size_t i);
/* Its name, "?" for an index past the end. */
const char *xs_counter_name(size_t i);

#endif /* XS_COUNTER_H */
