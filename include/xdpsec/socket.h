/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xdpsec per-socket IPsec options (installed as <xdpsec/socket.h>).
 *
 * KAME's policy option, with the numbers Linux already defines:
 *
 *   setsockopt(fd, IPPROTO_IP,   IP_IPSEC_POLICY,   buf, len)  (16)
 *   setsockopt(fd, IPPROTO_IPV6, IPV6_IPSEC_POLICY, buf, len)  (34)
 *
 * buf is what ipsec_set_policy(3) returns (<xdpsec/ipsec_policy.h>):
 * "in" or "out", then bypass, entrust, discard, none or "ipsec" with up
 * to 4 requests (esp or ah, transport or tunnel with both endpoints).
 * One policy per direction per socket; both options set the same one.
 * getsockopt of either returns the "in" policy followed by the "out"
 * policy, each a complete buffer (ipsec_get_policylen() bytes; an unset
 * direction reads as "entrust"), so the buffer needs 2 * 320 bytes.
 *
 * OpenBSD's level options, with numbers Linux does not use (OpenBSD's own
 * 20, 21, 22 are IP_ORIGDSTADDR, IP_MINTTL and IP_NODEFRAG on Linux).
 * The value is an int, one of the levels below.  A socket that never set
 * one reads the system default (net.inet.ipsec.*_deflev, or the inet6
 * knob for the IPV6_ option: 1 reads as AVAIL, 2 as REQUIRE) and leaves
 * the decision to the SPD.  setsockopt fails with EINVAL for a length
 * other than sizeof(int) or an unknown level, and with EACCES when a
 * process whose uid is not 0 asks for BYPASS or for less than the system
 * default.  The IP_ and IPV6_ variants set the same per-socket level.
 *
 * These options work on sockets of processes in the cgroup xdpsecd
 * attached its programs to (--cgroup), in the network namespace it runs
 * in; elsewhere the kernel answers ENOPROTOOPT.
 */
#ifndef _UAPI_XDPSEC_SOCKET_H
#define _UAPI_XDPSEC_SOCKET_H

#define XS_SOCKOPT_BASE 0x5800 /* "X": far above Linux's IP and IPv6 options */

#define IP_AUTH_LEVEL (XS_SOCKOPT_BASE + 0x00)
#define IP_ESP_TRANS_LEVEL (XS_SOCKOPT_BASE + 0x01)
#define IP_ESP_NETWORK_LEVEL (XS_SOCKOPT_BASE + 0x02)
#define IPV6_AUTH_LEVEL (XS_SOCKOPT_BASE + 0x10)
#define IPV6_ESP_TRANS_LEVEL (XS_SOCKOPT_BASE + 0x11)
#define IPV6_ESP_NETWORK_LEVEL (XS_SOCKOPT_BASE + 0x12)

/*
 * OpenBSD's levels (netinet/in.h), same values.  <linux/ipsec.h> has
 * KAME's IPSEC_LEVEL_USE (1), _REQUIRE (2), _UNIQUE (3) as an enum, so
 * the OpenBSD names are defined only when it was not included first; the
 * XS_ names are always there.  A program that needs both includes
 * <linux/ipsec.h> first and uses the XS_ names.
 */
#define XS_IPSEC_LEVEL_BYPASS 0x00 /* bypass the SPD (root only) */
#define XS_IPSEC_LEVEL_AVAIL 0x01 /* send protected if an SA is available */
#define XS_IPSEC_LEVEL_USE 0x02 /* send protected, accept any */
#define XS_IPSEC_LEVEL_REQUIRE 0x03 /* send and require protected */
#define XS_IPSEC_LEVEL_UNIQUE 0x04 /* as REQUIRE (no per-socket SAs here) */

#ifndef _LINUX_IPSEC_H
#define IPSEC_LEVEL_BYPASS XS_IPSEC_LEVEL_BYPASS
#define IPSEC_LEVEL_NONE XS_IPSEC_LEVEL_BYPASS
#define IPSEC_LEVEL_AVAIL XS_IPSEC_LEVEL_AVAIL
#define IPSEC_LEVEL_USE XS_IPSEC_LEVEL_USE
#define IPSEC_LEVEL_REQUIRE XS_IPSEC_LEVEL_REQUIRE
#define IPSEC_LEVEL_UNIQUE XS_IPSEC_LEVEL_UNIQUE
#endif

#endif /* _UAPI_XDPSEC_SOCKET_H */
