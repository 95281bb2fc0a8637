/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The ipsec(4) sysctl knobs by name (from include/xdpsec/sysctl.h).
 */
#ifndef XS_SYSCTL_H
#define XS_SYSCTL_H

#include <stddef.h>
#include <stdint.h>
#include "xdpsec/sysctl.h"

struct xs_sysctl_desc {
	const char *name;
	size_t off; /* in struct xs_config */
	uint32_t def, min, max;
	const char *text;
};

/* NULL past the end. */
const struct xs_sysctl_desc *xs_sysctl_at(size_t i);
const struct xs_sysctl_desc *xs_sysctl_find(const char *name);
uint32_t xs_sysctl_get(const struct xs_config *c,
		       const struct xs_sysctl_desc *d);
/* -ERANGE if v is outside [min, max]. */
int xs_sysctl_set(struct xs_config *c, const struct xs_sysctl_desc *d,
		  uint32_t v);
void xs_sysctl_defaults(struct xs_config *c);

#endif /* XS_SYSCTL_H */
