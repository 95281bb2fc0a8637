// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Tunnel mode outer headers (see tunnel.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/ipsec.h>
#include "pkt.h"
#include "tunnel.h"
#include "../lib/bytes.h"

#define IP4_HLEN 20
#define IP6_HLEN 40
#define IP4_DF 0x4000
#define OUTER_TTL 64 /* KAME: ip_defttl / ip6_defhlim */
#define ECN_MASK 0x03
#define ECN_NOT_ECT 0x00
#define ECN_ECT1 0x01
#define ECN_ECT0 0x02
#define ECN_CE 0x03
#define MAX_EXT 8

size_t xs_tun_hdrlen(const struct xs_sa_rt *rt)
{
	return rt->family == AF_INET ? IP4_HLEN : IP6_HLEN;
}

/* The traffic class byte of a v4 or v6 header. */
static uint8_t get_tclass(const uint8_t *ip)
{
	if (ip[0] >> 4 == 4)
		return ip[1];
	return (uint8_t)(((ip[0] & 0x0f) << 4) | (ip[1] >> 4));
}

static void set_tclass(uint8_t *ip, uint8_t tc)
{
	if (ip[0] >> 4 == 4) {
		ip[1] = tc;
		xs_ip4_csum(ip, (size_t)(ip[0] & 0x0f) * 4);
		return;
	}
	ip[0] = (uint8_t)(0x60 | (tc >> 4));
	ip[1] = (uint8_t)((tc << 4) | (ip[1] & 0x0f));
}

/* KAME ip_ecn_ingress: the outer traffic class from the inner one. */
static uint8_t ecn_ingress(uint8_t mode, uint8_t inner)
{
	uint8_t outer = inner;

	switch (mode) {
	case XS_ECN_ALLOWED: /* full functionality: CE goes out as ECT(0) */
		if ((outer & ECN_MASK) == ECN_CE)
			outer &= (uint8_t)~ECN_ECT1;
		break;
	case XS_ECN_FORBIDDEN: /* limited functionality: no ECN outside */
		outer &= (uint8_t)~ECN_MASK;
		break;
	default: /* XS_ECN_NOCARE */
		break;
	}
	return outer;
}

/* KAME ip_ecn_egress: false if the packet must be dropped. */
static bool ecn_egress(uint8_t mode, uint8_t outer, uint8_t *inner)
{
	if (mode != XS_ECN_ALLOWED)
		return true;
	if ((outer & ECN_MASK) == ECN_CE) {
		if ((*inner & ECN_MASK) == ECN_NOT_ECT)
			return false;
		*inner |= ECN_CE;
	} else if ((outer & ECN_MASK) == ECN_ECT1 &&
		   (*inner & ECN_MASK) == ECN_ECT0) {
		*inner = (uint8_t)((*inner & ~ECN_MASK) | ECN_ECT1);
	}
	return true;
}

/* Length of a whole IPv4/IPv6 datagram at ip from its header, 0 if it
 * is not one of at most len bytes. */
static size_t inner_len(const uint8_t *ip, size_t len)
{
	size_t tot;

	if (len >= IP4_HLEN && ip[0] >> 4 == 4) {
		tot = xs_get_be16(ip + 2);
		if ((ip[0] & 0x0f) < 5 || tot < (size_t)(ip[0] & 0x0f) * 4)
			return 0;
	} else if (len >= IP6_HLEN && ip[0] >> 4 == 6) {
		tot = IP6_HLEN + (size_t)xs_get_be16(ip + 4);
	} else {
		return 0;
	}
	return tot <= len ? tot : 0;
}

static bool inner_df(const uint8_t *ip)
{
	return ip[0] >> 4 != 4 || (xs_get_be16(ip + 6) & IP4_DF);
}

static void outer4(const struct xs_sa_rt *rt, const struct xs_tun_knobs *k,
		   const uint8_t *inner, size_t len, uint16_t id, uint8_t *o)
{
	bool df = k->dfbit == 1 || (k->dfbit == 2 && inner_df(inner));

	o[0] = 0x45;
	o[1] = ecn_ingress(k->ecn4, get_tclass(inner));
	xs_put_be16(o + 2, (uint16_t)(IP4_HLEN + len));
	xs_put_be16(o + 4, id);
	xs_put_be16(o + 6, df ? IP4_DF : 0);
	o[8] = OUTER_TTL;
	o[9] = inner[0] >> 4 == 4 ? IPPROTO_IPIP : IPPROTO_IPV6;
	memcpy(o + 12, rt->src.a, 4);
	memcpy(o + 16, rt->dst.a, 4);
	xs_ip4_csum(o, IP4_HLEN);
}

static void outer6(const struct xs_sa_rt *rt, const struct xs_tun_knobs *k,
		   const uint8_t *inner, size_t len, uint8_t *o)
{
	uint8_t tc = ecn_ingress(k->ecn6, get_tclass(inner));

	memset(o, 0, 4); /* flow label 0 */
	o[0] = (uint8_t)(0x60 | (tc >> 4));
	o[1] = (uint8_t)(tc << 4);
	xs_put_be16(o + 4, (uint16_t)len);
	o[6] = inner[0] >> 4 == 4 ? IPPROTO_IPIP : IPPROTO_IPV6;
	o[7] = OUTER_TTL;
	memcpy(o + 8, rt->src.a, 16);
	memcpy(o + 24, rt->dst.a, 16);
}

int xs_tun_encap(const struct xs_sa_rt *rt, const struct xs_tun_knobs *k,
		 const uint8_t *inner, size_t len, uint16_t id, uint8_t *out,
		 size_t cap, enum xs_counter *why)
{
	size_t hl = xs_tun_hdrlen(rt);

	if (!inner_len(inner, len))
		return xs_esp_drop(why, XS_CNT_drop_malformed, -EINVAL);
	if (hl + len > cap || hl + len > 0xffff + (hl == IP6_HLEN ? hl : 0))
		return xs_esp_drop(why, XS_CNT_drop_too_big, -EMSGSIZE);
	if (hl == IP4_HLEN)
		outer4(rt, k, inner, len, id, out);
	else
		outer6(rt, k, inner, len, out);
	memcpy(out + hl, inner, len);
	return (int)(hl + len);
}

/* Offset of the payload after the outer header and the extension headers
 * kept in front of it, with its protocol in *nh; 0 if malformed. */
static size_t outer_end(const uint8_t *pkt, size_t len, uint8_t *nh)
{
	size_t off;
	int n;

	if (len >= IP4_HLEN && pkt[0] >> 4 == 4) {
		*nh = pkt[9];
		off = (size_t)(pkt[0] & 0x0f) * 4;
		return off >= IP4_HLEN && off <= len ? off : 0;
	}
	if (len < IP6_HLEN || pkt[0] >> 4 != 6)
		return 0;
	*nh = pkt[6];
	off = IP6_HLEN;
	for (n = 0; n < MAX_EXT; n++) {
		if (*nh != IPPROTO_HOPOPTS && *nh != IPPROTO_DSTOPTS &&
		    *nh != IPPROTO_ROUTING)
			return off;
		if (off + 8 > len)
			return 0;
		*nh = pkt[off];
		off += ((size_t)pkt[off + 1] + 1) * 8;
		if (off > len)
			return 0;
	}
	return 0;
}

int xs_tun_decap(const struct xs_sa_rt *rt, const struct xs_tun_knobs *k,
		 uint8_t *pkt, size_t len, bool *tunnel, enum xs_counter *why)
{
	uint8_t nh, outer_tc, tc, mode;
	size_t off, ilen;

	*tunnel = false;
	if (rt->mode == IPSEC_MODE_TRANSPORT)
		return (int)len;
	off = outer_end(pkt, len, &nh);
	if (!off)
		return xs_esp_drop(why, XS_CNT_drop_malformed, -EINVAL);
	if (nh != IPPROTO_IPIP && nh != IPPROTO_IPV6) {
		if (rt->mode == IPSEC_MODE_TUNNEL) /* RFC 4301 5.2 */
			return xs_esp_drop(why, XS_CNT_drop_selector, -EACCES);
		return (int)len; /* mode any, used as transport */
	}
	ilen = inner_len(pkt + off, len - off);
	if (!ilen || (pkt[off] >> 4 == 4) != (nh == IPPROTO_IPIP))
		return xs_esp_drop(why, XS_CNT_drop_malformed, -EINVAL);
	outer_tc = get_tclass(pkt);
	mode = pkt[0] >> 4 == 4 ? k->ecn4 : k->ecn6;
	tc = get_tclass(pkt + off);
	if (!ecn_egress(mode, outer_tc, &tc))
		return xs_esp_drop(why, XS_CNT_drop_ecn, -EACCES);
	if (tc != get_tclass(pkt + off))
		set_tclass(pkt + off, tc);
	memmove(pkt, pkt + off, ilen);
	*tunnel = true;
	return (int)ilen;
}
