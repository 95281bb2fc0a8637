/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The ipsec(4) knobs (include/xdpsec/sysctl.h) as the datapath reads them.
 *
 * An all-zero config map (created, not yet written by xdpsecd) would mean
 * def_policy=discard and esp/ah disabled.  The datapath does not act on
 * that: ip4_esp_trans_deflev is 1 or 2 in any config the controller
 * writes, so a 0 there marks the map as unwritten and the compiled-in
 * sysctl defaults (XS_FOREACH_SYSCTL) are used until it is written.
 */
#ifndef XS_BPF_CONFIG_H
#define XS_BPF_CONFIG_H

#include <stdbool.h>
#include <linux/in.h>
#include "../../maps/xdpsec_maps.h"

static const struct xs_config xs_config_defaults = {
#define XS_CFG_DEFAULT(f, n, d, lo, hi, t) .f = d,
	XS_FOREACH_SYSCTL(XS_CFG_DEFAULT)
#undef XS_CFG_DEFAULT
};

static __always_inline const struct xs_config *xs_config_get(void)
{
	const struct xs_config *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&config, &zero);
	if (!c || !c->ip4_esp_trans_deflev)
		return &xs_config_defaults;
	return c;
}

static __always_inline const struct xs_state *xs_state_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&state, &zero);
}

/* def_policy for the family: 1 (none) passes, 0 (discard) drops. */
static __always_inline bool xs_def_pass(const struct xs_config *c, __u8 family)
{
	return (family == XS_AF_INET ? c->ip4_def_policy : c->ip6_def_policy) !=
	       0;
}

/* A template's level with IPSEC_LEVEL_DEFAULT resolved per family. */
static __always_inline __u8 xs_level(const struct xs_config *c,
				     const struct xs_tmpl *t, __u8 family)
{
	bool esp = t->proto == IPPROTO_ESP, net = t->mode == IPSEC_MODE_TUNNEL;
	__u32 lev;

	if (t->level != IPSEC_LEVEL_DEFAULT)
		return t->level;
	if (family == XS_AF_INET)
		lev = esp ? (net ? c->ip4_esp_net_deflev :
				   c->ip4_esp_trans_deflev) :
			    (net ? c->ip4_ah_net_deflev :
				   c->ip4_ah_trans_deflev);
	else
		lev = esp ? (net ? c->ip6_esp_net_deflev :
				   c->ip6_esp_trans_deflev) :
			    (net ? c->ip6_ah_net_deflev :
				   c->ip6_ah_trans_deflev);
	return lev == IPSEC_LEVEL_REQUIRE ? IPSEC_LEVEL_REQUIRE :
					    IPSEC_LEVEL_USE;
}

/* The default levels of family packed in a scalar (for a global
 * function, which cannot take a pointer into read-only data): byte 0 esp
 * transport, 1 esp tunnel, 2 ah transport, 3 ah tunnel. */
static __always_inline __u32 xs_deflev_pack(const struct xs_config *c,
					    __u8 family)
{
	bool v4 = family == XS_AF_INET;

	return (v4 ? c->ip4_esp_trans_deflev : c->ip6_esp_trans_deflev) |
	       (v4 ? c->ip4_esp_net_deflev : c->ip6_esp_net_deflev) << 8 |
	       (v4 ? c->ip4_ah_trans_deflev : c->ip6_ah_trans_deflev) << 16 |
	       (v4 ? c->ip4_ah_net_deflev : c->ip6_ah_net_deflev) << 24;
}

/* xs_level() from xs_deflev_pack()'s value. */
static __always_inline __u8 xs_level_packed(__u32 deflev,
					    const struct xs_tmpl *t)
{
	__u32 shift = (t->proto == IPPROTO_ESP ? 0 : 16) +
		      (t->mode == IPSEC_MODE_TUNNEL ? 8 : 0);

	if (t->level != IPSEC_LEVEL_DEFAULT)
		return t->level;
	return ((deflev >> shift) & 0xff) == IPSEC_LEVEL_REQUIRE ?
		       IPSEC_LEVEL_REQUIRE :
		       IPSEC_LEVEL_USE;
}

#endif /* XS_BPF_CONFIG_H */
