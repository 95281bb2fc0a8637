// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include "sysctl.h"

static const struct xs_sysctl_desc knobs[] = {
#define XS_SYSCTL_DESC(f, n, d, lo, hi, t) \
	{ n, offsetof(struct xs_config, f), d, lo, hi, t },
	XS_FOREACH_SYSCTL(XS_SYSCTL_DESC)
#undef XS_SYSCTL_DESC
};

#define NKNOBS (sizeof(knobs) / sizeof(knobs[0]))

const struct xs_sysctl_desc *xs_sysctl_at(size_t i)
{
	return i < NKNOBS ? &knobs[i] : NULL;
}

const struct xs_sysctl_desc *xs_sysctl_find(const char *name)
{
	size_t i;

	for (i = 0; i < NKNOBS; i++)
		if (!strcmp(knobs[i].name, name))
			return &knobs[i];
	return NULL;
}

uint32_t xs_sysctl_get(const struct xs_config *c,
		       const struct xs_sysctl_desc *d)
{
	uint32_t v;

	memcpy(&v, (const char *)c + d->off, sizeof(v));
	return v;
}

int xs_sysctl_set(struct xs_config *c, const struct xs_sysctl_desc *d,
		  uint32_t v)
{
	if (v < d->min || v > d->max)
		return -ERANGE;
	memcpy((char *)c + d->off, &v, sizeof(v));
	return 0;
}

void xs_sysctl_defaults(struct xs_config *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NKNOBS; i++)
		xs_sysctl_set(c, &knobs[i], knobs[i].def);
}
