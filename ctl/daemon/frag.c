// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * IPv4/IPv6 fragmentation and the "too big" ICMP errors (see frag.h).
 *
 * IPv4 (RFC 791): the first fragment carries the whole header, the
 * others only the options whose copy bit is set (the list compacted and
 * padded with end-of-list); a fragment may itself be fragmented again
 * (its offset and MF carry over).  IPv6 (RFC 8200 4.5): the
 * unfragmentable part is the header up to the last Hop-by-Hop or Routing
 * header (so Destination Options before a Routing header stay in it);
 * each fragment gets it with a fragment header after it.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <netinet/in.h>
#include "../lib/bytes.h"
#include "frag.h"
#include "pkt.h"

#define FRAG_BUF (XS_REASM_MAX_LEN + 64)
#define MAX_EXTHDRS 8
#define IP4_DF 0x4000
#define IP4_MF 0x2000
#define IP4_OFFSET 0x1fff
#define OPT_EOL 0
#define OPT_NOP 1
#define OPT_COPY 0x80
#define ICMP4_MAX 576 /* RFC 1812 4.3.2.3 */
#define ICMP6_MAX 1280 /* RFC 4443 2.4(c) */

typedef int (*emit_fn)(void *arg, const uint8_t *frag, size_t len);

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * What xs_frag and the ICMP errors need of a datagram.  Not xs_pkt_parse:
 * an IPv6 datagram may be 40 + 65535 bytes long, more than its uint16_t
 * totlen holds.
 */
struct dgram {
	size_t tot; /* IPv4 total length, IPv6 40 + payload length */
	bool v6, nonfirst; /* nonfirst: a fragment at offset > 0 */
	int type; /* ICMP/ICMPv6 type, -1 if not or unknown */
	const uint8_t *src, *dst;
};

static int walk6(const uint8_t *ip, struct dgram *d)
{
	size_t off = 40;
	uint8_t nh = ip[6];
	int i;

	for (i = 0; i < MAX_EXTHDRS; i++) {
		if (nh == IPPROTO_FRAGMENT) {
			if (off + 8 > d->tot)
				return -EINVAL;
			d->nonfirst = (xs_get_be16(ip + off + 2) & ~7u) != 0;
			nh = ip[off];
			off += 8;
		} else if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
			   nh == IPPROTO_DSTOPTS) {
			if (off + 8 > d->tot)
				return -EINVAL;
			nh = ip[off];
			off += (size_t)(ip[off + 1] + 1) * 8;
		} else {
			break;
		}
	}
	if (nh == IPPROTO_ICMPV6 && !d->nonfirst && off < d->tot)
		d->type = ip[off];
	return 0;
}

static int classify(const uint8_t *ip, size_t len, struct dgram *d)
{
	size_t hl;

	memset(d, 0, sizeof(*d));
	d->type = -1;
	if (len >= 20 && ip[0] >> 4 == 4) {
		hl = (size_t)(ip[0] & 15) * 4;
		d->tot = xs_get_be16(ip + 2);
		if (hl < 20 || d->tot < hl || d->tot > len)
			return -EINVAL;
		d->nonfirst = (xs_get_be16(ip + 6) & IP4_OFFSET) != 0;
		if (ip[9] == IPPROTO_ICMP && !d->nonfirst && d->tot > hl)
			d->type = ip[hl];
		d->src = ip + 12;
		d->dst = ip + 16;
		return 0;
	}
	if (len < 40 || ip[0] >> 4 != 6)
		return -EINVAL;
	d->v6 = true;
	d->tot = 40 + (size_t)xs_get_be16(ip + 4);
	if (d->tot == 40 || d->tot > len) /* jumbograms are not handled */
		return -EINVAL;
	d->src = ip + 8;
	d->dst = ip + 24;
	return walk6(ip, d);
}

/* ------------------------------------------------------------ IPv4 */

/* Header of the non-first fragments: the fixed part and the options
 * with the copy bit.  Returns its length or -EINVAL. */
static int copied_options(const uint8_t *h, size_t hlen, uint8_t *o)
{
	size_t i = 20, n = 20, l;

	memcpy(o, h, 20);
	while (i < hlen && h[i] != OPT_EOL) {
		if (h[i] == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 2 > hlen || h[i + 1] < 2 || i + h[i + 1] > hlen)
			return -EINVAL;
		l = h[i + 1];
		if (h[i] & OPT_COPY) {
			memcpy(o + n, h + i, l);
			n += l;
		}
		i += l;
	}
	while (n % 4)
		o[n++] = OPT_EOL;
	o[0] = (uint8_t)(0x40 | n / 4);
	return (int)n;
}

static int frag4(const uint8_t *ip, size_t tot, uint32_t mtu, emit_fn emit,
		 void *arg, uint8_t *buf)
{
	size_t hlen = (size_t)(ip[0] & 15) * 4, plen = tot - hlen;
	uint16_t fo = xs_get_be16(ip + 6);
	size_t base = (size_t)(fo & IP4_OFFSET) * 8, off, chunk, hl;
	uint8_t h2[60];
	const uint8_t *h;
	int h2len, n = 0, err;
	bool more;

	if (fo & IP4_DF)
		return -EMSGSIZE;
	h2len = copied_options(ip, hlen, h2);
	if (h2len < 0)
		return h2len;
	for (off = 0; off < plen; off += chunk) {
		h = off ? h2 : ip;
		hl = off ? (size_t)h2len : hlen;
		if (mtu < hl + 8)
			return -EINVAL;
		chunk = min_sz((mtu - hl) & ~(size_t)7, plen - off);
		more = off + chunk < plen || (fo & IP4_MF);
		memcpy(buf, h, hl);
		memcpy(buf + hl, ip + hlen + off, chunk);
		xs_put_be16(buf + 2, (uint16_t)(hl + chunk));
		xs_put_be16(buf + 6,
			    (uint16_t)((base + off) / 8 | (more ? IP4_MF : 0)));
		xs_ip4_csum(buf, hl);
		err = emit(arg, buf, hl + chunk);
		if (err < 0)
			return err;
		n++;
	}
	return n;
}

/* ------------------------------------------------------------ IPv6 */

/* Length of the unfragmentable part and the offset of the next header
 * byte that will name the fragment header; -EINVAL. */
static int unfrag6(const uint8_t *ip, size_t tot, size_t *nhoff)
{
	size_t off = 40, end = 40, hl;
	uint8_t nh = ip[6];
	int i;

	*nhoff = 6;
	for (i = 0; i < MAX_EXTHDRS; i++) {
		if (nh == IPPROTO_FRAGMENT ||
		    (nh == IPPROTO_HOPOPTS && off != 40))
			return -EINVAL;
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
		    nh != IPPROTO_DSTOPTS)
			return (int)end;
		if (off + 8 > tot)
			return -EINVAL;
		hl = (size_t)(ip[off + 1] + 1) * 8;
		if (off + hl > tot)
			return -EINVAL;
		if (nh != IPPROTO_DSTOPTS) {
			end = off + hl;
			*nhoff = off;
		}
		nh = ip[off];
		off += hl;
	}
	return -EINVAL;
}

static int frag6(const uint8_t *ip, size_t tot, uint32_t mtu, uint32_t id,
		 emit_fn emit, void *arg, uint8_t *buf)
{
	size_t nhoff, ulen, plen, off, chunk, room;
	int u = unfrag6(ip, tot, &nhoff), n = 0, err;
	bool more;

	if (u < 0)
		return u;
	ulen = (size_t)u;
	plen = tot - ulen;
	if (mtu < ulen + 16)
		return -EINVAL;
	room = (mtu - ulen - 8) & ~(size_t)7;
	for (off = 0; off < plen; off += chunk) {
		chunk = min_sz(room, plen - off);
		more = off + chunk < plen;
		memcpy(buf, ip, ulen);
		buf[nhoff] = IPPROTO_FRAGMENT;
		xs_put_be16(buf + 4, (uint16_t)(ulen - 40 + 8 + chunk));
		buf[ulen] = ip[nhoff];
		buf[ulen + 1] = 0;
		xs_put_be16(buf + ulen + 2, (uint16_t)(off | (more ? 1 : 0)));
		xs_put_be32(buf + ulen + 4, id);
		memcpy(buf + ulen + 8, ip + ulen + off, chunk);
		err = emit(arg, buf, ulen + 8 + chunk);
		if (err < 0)
			return err;
		n++;
	}
	return n;
}

int xs_frag(const uint8_t *ip, size_t len, uint32_t mtu, uint32_t id,
	    int (*emit)(void *arg, const uint8_t *frag, size_t len), void *arg)
{
	uint8_t buf[FRAG_BUF];
	struct dgram d;
	int err;

	err = classify(ip, len, &d);
	if (err)
		return err;
	if (d.tot <= mtu) {
		err = emit(arg, ip, d.tot);
		return err < 0 ? err : 1;
	}
	/* every fragment is shorter than the datagram: fits in buf */
	if (!d.v6)
		return frag4(ip, d.tot, mtu, emit, arg, buf);
	return frag6(ip, d.tot, mtu, id, emit, arg, buf);
}

/* ------------------------------------------------------------ ICMP */

static bool is_icmp_error(const struct dgram *d)
{
	if (d->type < 0)
		return false;
	if (d->v6)
		return d->type < 128;
	switch (d->type) {
	case 3: /* unreachable */
	case 4: /* source quench */
	case 5: /* redirect */
	case 11: /* time exceeded */
	case 12: /* parameter problem */
		return true;
	}
	return false;
}

/* RFC 1122 3.2.2, RFC 4443 2.4(e): no error about an ICMP error, about a
 * non-first IPv4 fragment, to an address that is not a unicast one. */
static bool may_reply(const struct dgram *d)
{
	static const uint8_t any6[16];

	if (is_icmp_error(d))
		return false;
	if (d->v6)
		return memcmp(d->src, any6, 16) && d->src[0] != 0xff;
	return !d->nonfirst && d->src[0] != 0 && d->src[0] != 127 &&
	       d->src[0] < 224 && d->dst[0] < 224;
}

/* Bytes of orig to quote: as much as fits in max and cap, at least its
 * header + 8 (or all of it); -ENOSPC. */
static int quote_len(size_t totlen, size_t l3min, size_t hdr, size_t max,
		     size_t cap)
{
	size_t q;

	if (cap < hdr)
		return -ENOSPC;
	q = min_sz(min_sz(totlen, max - hdr), cap - hdr);
	if (q < min_sz(totlen, l3min))
		return -ENOSPC;
	return (int)q;
}

static int icmp4(const uint8_t *orig, const struct dgram *d, uint32_t mtu,
		 const uint8_t *src, uint8_t *out, size_t cap)
{
	size_t hl = (size_t)(orig[0] & 15) * 4;
	int q = quote_len(d->tot, hl + 8, 28, ICMP4_MAX, cap);
	uint8_t *ic = out + 20;

	if (q < 0)
		return q;
	memset(out, 0, 28);
	out[0] = 0x45;
	xs_put_be16(out + 2, (uint16_t)(28 + q));
	xs_put_be16(out + 6, IP4_DF);
	out[8] = 64;
	out[9] = IPPROTO_ICMP;
	memcpy(out + 12, src, 4);
	memcpy(out + 16, orig + 12, 4);
	xs_ip4_csum(out, 20);
	ic[0] = 3; /* destination unreachable */
	ic[1] = 4; /* fragmentation needed and DF set */
	xs_put_be16(ic + 6, (uint16_t)(mtu > 0xffff ? 0xffff : mtu));
	memcpy(ic + 8, orig, (size_t)q);
	xs_put_be16(ic + 2, (uint16_t)~xs_csum(ic, 8 + (size_t)q, 0));
	return 28 + q;
}

static int icmp6(const uint8_t *orig, const struct dgram *d, uint32_t mtu,
		 const uint8_t *src, uint8_t *out, size_t cap)
{
	int q = quote_len(d->tot, 48, 48, ICMP6_MAX, cap);
	uint8_t *ic = out + 40;
	uint32_t sum;

	if (q < 0)
		return q;
	memset(out, 0, 48);
	out[0] = 0x60;
	xs_put_be16(out + 4, (uint16_t)(8 + q));
	out[6] = IPPROTO_ICMPV6;
	out[7] = 64;
	memcpy(out + 8, src, 16);
	memcpy(out + 24, orig + 8, 16);
	ic[0] = 2; /* packet too big */
	xs_put_be32(ic + 4, mtu);
	memcpy(ic + 8, orig, (size_t)q);
	sum = xs_csum_pseudo(AF_INET6, out + 8, out + 24, IPPROTO_ICMPV6,
			     8 + (size_t)q);
	xs_put_be16(ic + 2, (uint16_t)~xs_csum(ic, 8 + (size_t)q, sum));
	return 48 + q;
}

int xs_icmp_too_big(const uint8_t *orig, size_t len, uint32_t mtu,
		    const uint8_t *src, uint8_t *out, size_t cap)
{
	struct dgram d;
	int err;

	err = classify(orig, len, &d);
	if (err)
		return err;
	if (!may_reply(&d))
		return -EPERM;
	if (d.v6)
		return icmp6(orig, &d, mtu, src, out, cap);
	return icmp4(orig, &d, mtu, src, out, cap);
}
