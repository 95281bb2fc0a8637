// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ESP in UDP (see natt.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "natt.h"
#include "pkt.h"
#include "../lib/bytes.h"

#define UDP_HLEN 8
#define IP6_HLEN 40

static void ip4_fix(uint8_t *ip, size_t hl, size_t total, uint8_t proto)
{
	ip[9] = proto;
	xs_put_be16(ip + 2, (uint16_t)total);
	xs_ip4_csum(ip, hl);
}

/* The pseudo-header sum of p's segment of l4len bytes. */
static uint16_t pseudo_sum(const struct xs_pkt *p, size_t l4len)
{
	return xs_csum_pseudo(p->family, p->src, p->dst, p->proto, l4len);
}

uint8_t *xs_natt_strip(uint8_t *ip, size_t *len, enum xs_counter *why)
{
	struct xs_pkt p;
	size_t hl;

	*why = XS_CNT_drop_malformed;
	if (xs_pkt_parse(ip, *len, &p) || p.proto != IPPROTO_UDP || p.frag ||
	    p.totlen < p.l3len + UDP_HLEN + 8)
		return NULL;
	hl = p.l3len;
	if (p.family == AF_INET6 && hl != IP6_HLEN) {
		*why = XS_CNT_drop_unsupported;
		return NULL;
	}
	memmove(ip + UDP_HLEN, ip, hl);
	ip += UDP_HLEN;
	*len = (size_t)p.totlen - UDP_HLEN;
	if (p.family == AF_INET) {
		ip4_fix(ip, hl, *len, IPPROTO_ESP);
	} else {
		ip[6] = IPPROTO_ESP;
		xs_put_be16(ip + 4, (uint16_t)(*len - IP6_HLEN));
	}
	return ip;
}

int xs_natt_encap(const struct xs_sa_rt *rt, uint8_t *out, size_t len,
		  size_t cap, enum xs_counter *why)
{
	size_t hl, ulen;
	struct xs_pkt p;
	uint8_t *u;

	if (xs_pkt_parse(out, len, &p) || p.proto != IPPROTO_ESP)
		return xs_esp_drop(why, XS_CNT_drop_malformed, -EINVAL);
	hl = p.l3len;
	if (p.family == AF_INET6 && hl != IP6_HLEN)
		return xs_esp_drop(why, XS_CNT_drop_unsupported, -EOPNOTSUPP);
	if (len + UDP_HLEN > cap || len + UDP_HLEN > 0xffff)
		return xs_esp_drop(why, XS_CNT_drop_too_big, -EMSGSIZE);
	memmove(out + hl + UDP_HLEN, out + hl, len - hl);
	ulen = len - hl + UDP_HLEN;
	u = out + hl;
	xs_put_be16(u, rt->natt_sport);
	xs_put_be16(u + 2, rt->natt_dport);
	xs_put_be16(u + 4, (uint16_t)ulen);
	u[6] = u[7] = 0;
	if (p.family == AF_INET) {
		ip4_fix(out, hl, len + UDP_HLEN, IPPROTO_UDP);
	} else {
		uint16_t c;

		out[6] = IPPROTO_UDP;
		xs_put_be16(out + 4, (uint16_t)ulen);
		p.proto = IPPROTO_UDP;
		c = (uint16_t)~xs_csum(u, ulen, pseudo_sum(&p, ulen));
		xs_put_be16(u + 6, c ? c : 0xffff);
	}
	return (int)(len + UDP_HLEN);
}

void xs_natt_fix_csum(uint8_t *ip, size_t len)
{
	struct xs_pkt p;
	size_t l4len, off;
	uint16_t c;

	if (xs_pkt_parse(ip, len, &p) || p.frag)
		return;
	l4len = (size_t)p.totlen - p.l3len;
	if (p.proto == IPPROTO_TCP && l4len >= 20)
		off = 16;
	else if (p.proto == IPPROTO_UDP && l4len >= 8)
		off = 6;
	else
		return;
	if (p.proto == IPPROTO_UDP && p.family == AF_INET &&
	    !xs_get_be16(ip + p.l3len + 6))
		return;
	ip[p.l3len + off] = ip[p.l3len + off + 1] = 0;
	c = (uint16_t)~xs_csum(ip + p.l3len, l4len, pseudo_sum(&p, l4len));
	if (!c && p.proto == IPPROTO_UDP)
		c = 0xffff;
	xs_put_be16(ip + p.l3len + off, c);
}
