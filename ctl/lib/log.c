// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include "log.h"

static const char *log_prog = "xdpsec";
static enum xs_log_level log_max = XS_LOG_INFO;

void xs_log_init(const char *prog, enum xs_log_level max)
{
	log_prog = prog;
	log_max = max;
}

void xs_log_set_max(enum xs_log_level max)
{
	__atomic_store_n(&log_max, max, __ATOMIC_RELAXED);
}

void xs_log(enum xs_log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };
	va_list ap;

	if (lvl > __atomic_load_n(&log_max, __ATOMIC_RELAXED))
		return;
	fprintf(stderr, "%s: %s: ", log_prog, names[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
