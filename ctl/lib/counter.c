// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "counter.h"

static const struct xs_counter_desc counters[] = {
#define XS_COUNTER_DESC(f, n, t) { #f, n, t },
	XS_FOREACH_COUNTER(XS_COUNTER_DESC)
#undef XS_COUNTER_DESC
};

_Static_assert(sizeof(counters) / sizeof(counters[0]) == XS_CNT_MAX,
	       "one description per counter");

const struct xs_counter_desc *xs_counter_at(size_t i)
{
	return i < XS_CNT_MAX ? &counters[i] : NULL;
}

const char *xs_counter_name(size_t i)
{
	return i < XS_CNT_MAX ? counters[i].name : "?";
}
