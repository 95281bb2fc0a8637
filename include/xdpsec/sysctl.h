/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The ipsec(4) sysctl knobs, kept in the pinned "config" map.
 *
 * XS_FOREACH_SYSCTL(X) expands X(field, "name", default, min, max, "text").
 * Names, values and meaning are those of KAME ipsec(4) and OpenBSD
 * (net.inet.esp.enable, net.inet.ah.enable).  Levels: 1 = use, 2 = require.
 * def_policy: 0 = discard, 1 = none (IPSEC_POLICY_DISCARD / _NONE).
 * ecn: KAME's ip_ecn modes, 0 = ECN_FORBIDDEN (RFC 3168 limited
 * functionality: the outer header carries no ECN), 1 = ECN_ALLOWED (full
 * functionality: ECN copied out, CE as ECT(0); CE copied back in on
 * decapsulation, a not-ECT inner under CE dropped), 2 = ECN_NOCARE, which
 * KAME numbers -1 (outer copies the inner ECN bits, decapsulation leaves
 * the inner alone).  ctl/daemon/tunnel.c implements them.
 * fastforward (xdpsec's own, after FreeBSD's net.inet.ip.fastforwarding):
 * bpf/xdp_ingress.bpf.c sends a cleartext packet it would forward out of
 * another xdpsec NIC under an IPSEC policy straight to a worker; all of
 * netfilter (NAT, conntrack, forward rules) is skipped for such packets
 * (README.md, "Host-wide knobs").
 *
 * The map is written with `xdpsecctl sysctl NAME=VALUE` or with
 * `bpftool map update pinned .../config`; the datapath reads it per packet.
 */
#ifndef _UAPI_XDPSEC_SYSCTL_H
#define _UAPI_XDPSEC_SYSCTL_H

#include <linux/types.h>

/* one X-macro row per line, aligned by hand: */
/* clang-format off */
#define XS_FOREACH_SYSCTL(X)                                                   \
	X(ip4_def_policy, "net.inet.ipsec.def_policy", 1, 0, 1,               \
	  "IPv4 policy when no SPD entry matches (0 discard, 1 none)")         \
	X(ip4_esp_trans_deflev, "net.inet.ipsec.esp_trans_deflev", 1, 1, 2,   \
	  "level for esp/transport 'default' requests (1 use, 2 require)")     \
	X(ip4_esp_net_deflev, "net.inet.ipsec.esp_net_deflev", 1, 1, 2,       \
	  "level for esp/tunnel 'default' requests")                           \
	X(ip4_ah_trans_deflev, "net.inet.ipsec.ah_trans_deflev", 1, 1, 2,     \
	  "level for ah/transport 'default' requests")                         \
	X(ip4_ah_net_deflev, "net.inet.ipsec.ah_net_deflev", 1, 1, 2,         \
	  "level for ah/tunnel 'default' requests")                            \
	X(ip4_ah_cleartos, "net.inet.ipsec.ah_cleartos", 1, 0, 1,             \
	  "clear IPv4 TOS in the AH ICV computation (1 = RFC 2402)")           \
	X(ip4_ah_offsetmask, "net.inet.ipsec.ah_offsetmask", 0, 0, 0xffff,    \
	  "mask ANDed to IPv4 flags/offset in the AH ICV (0 = RFC 2402)")      \
	X(ip4_dfbit, "net.inet.ipsec.dfbit", 0, 0, 2,                         \
	  "outer DF in tunnel mode (0 clear, 1 set, 2 copy)")                  \
	X(ip4_ecn, "net.inet.ipsec.ecn", 0, 0, 2,                             \
	  "ECN in tunnel mode (0 forbidden, 1 allowed, 2 ignore = KAME -1)")   \
	X(ip4_debug, "net.inet.ipsec.debug", 0, 0, 1, "IPv4 packet trace, controller debug log")   \
	X(ip6_def_policy, "net.inet6.ipsec6.def_policy", 1, 0, 1,             \
	  "IPv6 policy when no SPD entry matches (0 discard, 1 none)")         \
	X(ip6_esp_trans_deflev, "net.inet6.ipsec6.esp_trans_deflev", 1, 1, 2, \
	  "IPv6 level for esp/transport 'default' requests")                   \
	X(ip6_esp_net_deflev, "net.inet6.ipsec6.esp_net_deflev", 1, 1, 2,     \
	  "IPv6 level for esp/tunnel 'default' requests")                      \
	X(ip6_ah_trans_deflev, "net.inet6.ipsec6.ah_trans_deflev", 1, 1, 2,   \
	  "IPv6 level for ah/transport 'default' requests")                    \
	X(ip6_ah_net_deflev, "net.inet6.ipsec6.ah_net_deflev", 1, 1, 2,       \
	  "IPv6 level for ah/tunnel 'default' requests")                       \
	X(ip6_ecn, "net.inet6.ipsec6.ecn", 0, 0, 2,                           \
	  "ECN in tunnel mode, IPv6 outer header (as net.inet.ipsec.ecn)")     \
	X(ip6_debug, "net.inet6.ipsec6.debug", 0, 0, 1, "IPv6 packet trace, controller debug log") \
	X(esp_enable, "net.inet.esp.enable", 1, 0, 1,                         \
	  "accept and send ESP (0 drops ESP and counts it)")                   \
	X(ah_enable, "net.inet.ah.enable", 1, 0, 1,                           \
	  "accept and send AH (0 drops AH and counts it)")                     \
	X(fastforward, "net.inet.ipsec.fastforward", 0, 0, 1,                 \
	  "forward protected cleartext from XDP to a worker, skipping the "    \
	  "kernel's forwarding (xdpsec)")

enum xs_sysctl {
#define XS_SYSCTL_ENUM(f, n, d, lo, hi, t) XS_SYSCTL_##f,
	XS_FOREACH_SYSCTL(XS_SYSCTL_ENUM)
#undef XS_SYSCTL_ENUM
	XS_SYSCTL_MAX
};
/* clang-format on */

/* Value of the "config" array map (one entry). */
struct xs_config {
#define XS_SYSCTL_FIELD(f, n, d, lo, hi, t) __u32 f;
	XS_FOREACH_SYSCTL(XS_SYSCTL_FIELD)
#undef XS_SYSCTL_FIELD
};

_Static_assert(sizeof(struct xs_config) == 20 * sizeof(__u32),
	       "struct xs_config: update the padding when adding knobs");

#endif /* _UAPI_XDPSEC_SYSCTL_H */
