// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * AH transport mode (RFC 4302).
 *
 * Wire layout:  IP header [kept IPv6 ext headers] | next header | length |
 *               reserved | SPI | seq | ICV [padding] | payload
 * AH sits where ESP would (esp.c's xs_ip_parse): after the IPv4 header
 * with its options, after an IPv6 hop-by-hop header, routing headers and a
 * destination options header in front of a routing header.  The ICV is
 * the SA's HMAC, truncated as its table row says, over the header in
 * front with the mutable fields zeroed, the AH header with the ICV zeroed
 * (padding as sent, zero from us), and the payload.  Mutable fields:
 *
 *  IPv4  TOS (unless ah_cleartos = 0), flags + fragment offset (ANDed with
 *        ah_offsetmask, 0 by default), TTL, checksum; options other than
 *        EOL, NOP, security (130, 133, 134), router alert (148) and SDMDD
 *        (149) zeroed whole (RFC 4302 A.1, as Linux and scapy do); the
 *        sender puts the last LSRR/SSRR hop in the destination address.
 *  IPv6  traffic class, flow label, hop limit; in hop-by-hop and
 *        destination options the data of options whose type has the
 *        "may change en route" bit (0x20).  Routing headers: only with
 *        segments left 0 (as the destination sees them, so covered as
 *        they are); others are refused with drop_unsupported rather than
 *        reordered (RFC 4302 A.2 reordering is not implemented).
 *
 * Sequence numbers and the replay window are ESP's; with ESN the high
 * half of the sequence number is appended to the ICV input.
 * The per-packet work allocates nothing: the header copy lives on the
 * stack (at most HDR_MAX bytes in front of AH, else drop_unsupported).
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include "../lib/bytes.h"
#include "ah.h"
#include "esp_crypto.h"

#define HDR_MAX 512 /* bytes in front of AH we copy to zero fields */
#define AH_MAX (XS_AH_HDR + XS_ESP_ICV_MAX + 8)
#define IP_MAXLEN 65535

/* IPv4 option types */
#define OPT_EOL 0
#define OPT_NOP 1
#define OPT_LSRR 131
#define OPT_SSRR 137

size_t xs_ah_len(const struct xs_sa_rt *rt, bool v6)
{
	size_t unit = v6 ? 8 : 4;

	return (XS_AH_HDR + xs_esp_icv_len(rt) + unit - 1) / unit * unit;
}

size_t xs_ah_overhead(const struct xs_sa_rt *rt)
{
	return xs_ah_len(rt, true);
}

/* ---------------------------------------------------------------- ICV */

static bool v4_opt_immutable(uint8_t t)
{
	return t == 130 || t == 133 || t == 134 || t == 148 || t == 149;
}

static int zero_v4(uint8_t *h, size_t ihl, const struct xs_ah_knobs *k,
		   bool output)
{
	size_t i = 20, olen;

	if (k->cleartos)
		h[1] = 0;
	xs_put_be16(h + 6, xs_get_be16(h + 6) & k->offsetmask);
	h[8] = 0; /* TTL */
	h[10] = h[11] = 0; /* checksum */
	while (i < ihl && h[i] != OPT_EOL) {
		if (h[i] == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 2 > ihl)
			return XS_CNT_drop_malformed;
		olen = h[i + 1];
		if (olen < 2 || i + olen > ihl)
			return XS_CNT_drop_malformed;
		/* the sender predicts the destination the receiver will see:
		 * the route's last hop, unless the route is exhausted already
		 * (pointer past its end: the destination is final) */
		if ((h[i] == OPT_LSRR || h[i] == OPT_SSRR) && output &&
		    olen >= 7 && h[i + 2] <= olen)
			memcpy(h + 16, h + i + olen - 4, 4);
		if (!v4_opt_immutable(h[i]))
			memset(h + i, 0, olen);
		i += olen;
	}
	return 0;
}

/* Hop-by-hop / destination options: zero the data of the options that may
 * change en route (RFC 8200 4.2, RFC 4302 3.3.3.1.2.2). */
static int zero_v6_opts(uint8_t *o, size_t len)
{
	size_t i = 2, olen;

	while (i < len) {
		if (o[i] == 0) { /* Pad1 */
			i++;
			continue;
		}
		if (i + 2 > len)
			return XS_CNT_drop_malformed;
		olen = o[i + 1];
		if (i + 2 + olen > len)
			return XS_CNT_drop_malformed;
		if (o[i] & 0x20)
			memset(o + i + 2, 0, olen);
		i += 2 + olen;
	}
	return 0;
}

static int zero_v6(uint8_t *h, const struct xs_l3 *l)
{
	size_t off = 40, hlen;
	uint8_t nh = h[6];
	int cnt;

	h[0] &= 0xf0; /* traffic class, flow label */
	h[1] = h[2] = h[3] = 0;
	h[7] = 0; /* hop limit */
	while (off < l->off) {
		hlen = ((size_t)h[off + 1] + 1) * 8;
		if (off + hlen > l->off)
			return XS_CNT_drop_malformed;
		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_DSTOPTS:
			cnt = zero_v6_opts(h + off, hlen);
			if (cnt)
				return cnt;
			break;
		case IPPROTO_ROUTING:
			if (hlen < 8 || h[off + 3]) /* segments left */
				return XS_CNT_drop_unsupported;
			break;
		default:
			return XS_CNT_drop_unsupported;
		}
		nh = h[off];
		off += hlen;
	}
	return 0;
}

int xs_ah_zero_mutable(uint8_t *h, const struct xs_l3 *l,
		       const struct xs_ah_knobs *k, bool output)
{
	return l->v6 ? zero_v6(h, l) : zero_v4(h, l->off, k, output);
}

/* ICV of an AH datagram dgram (header of l->off bytes, AH of ahlen bytes,
 * then payload up to total): the HMAC with mutable fields and the ICV
 * zeroed, truncated into icv. */
static int compute_icv(struct xs_esp_ctx *c, const struct xs_ah_knobs *k,
		       const uint8_t *dgram, const struct xs_l3 *l,
		       size_t ahlen, size_t total, bool output, uint8_t *icv)
{
	uint8_t hdr[HDR_MAX], ah[AH_MAX], md[EVP_MAX_MD_SIZE], hi[4];
	size_t icvlen = xs_esp_icv_len(c->rt);
	struct iovec v[4];
	int cnt;

	if (l->off > sizeof(hdr) || ahlen > sizeof(ah))
		return XS_CNT_drop_unsupported;
	memcpy(hdr, dgram, l->off);
	cnt = xs_ah_zero_mutable(hdr, l, k, output);
	if (cnt)
		return cnt;
	memcpy(ah, dgram + l->off, ahlen);
	memset(ah + XS_AH_HDR, 0, icvlen);
	v[0] = (struct iovec){ hdr, l->off };
	v[1] = (struct iovec){ ah, ahlen };
	v[2] = (struct iovec){ (void *)(dgram + l->off + ahlen),
			       total - l->off - ahlen };
	xs_put_be32(hi, c->seq_hi); /* ESN: appended (RFC 4302 3.3.3.2.2) */
	v[3] = (struct iovec){ hi, sizeof(hi) };
	if (xs_esp_mac_v(c, v, c->rt->esn ? 4 : 3, md))
		return XS_CNT_drop_internal;
	memcpy(icv, md, icvlen);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

/* ---------------------------------------------------------------- output */

int xs_ah_output(struct xs_esp_ctx *c, struct xs_sa_rt *rt,
		 const struct xs_ah_knobs *k, const uint8_t *ip, size_t len,
		 uint8_t *out, size_t cap, enum xs_counter *why)
{
	size_t ahlen, plen, total;
	struct xs_l3 l;
	uint8_t *ah;
	uint64_t seq;
	int cnt;

	if (c->rt != rt || rt->satype != SADB_SATYPE_AH)
		return xs_esp_drop(why, XS_CNT_drop_internal, -EINVAL);
	cnt = xs_ip_parse(rt, ip, len, &l, false);
	if (cnt)
		return xs_esp_drop(why, cnt, xs_ip_parse_errno(cnt));
	ahlen = xs_ah_len(rt, l.v6);
	plen = l.total - l.off;
	total = l.off + ahlen + plen;
	if (total - (l.v6 ? 40 : 0) > IP_MAXLEN)
		return xs_esp_drop(why, XS_CNT_drop_too_big, -EMSGSIZE);
	if (total > cap)
		return xs_esp_drop(why, XS_CNT_drop_too_big, -ENOSPC);
	seq = xs_sa_next_seq(rt);
	if (!seq)
		return xs_esp_drop(why, XS_CNT_drop_seq_wrap, -EOVERFLOW);

	memcpy(out, ip, l.off);
	ah = out + l.off;
	memset(ah, 0, ahlen);
	ah[0] = l.nh;
	ah[1] = (uint8_t)(ahlen / 4 - 2);
	xs_put_be32(ah + 4, rt->spi);
	xs_put_be32(ah + 8, (uint32_t)seq);
	c->seq_hi = (uint32_t)(seq >> 32);
	memcpy(ah + ahlen, ip + l.off, plen);
	xs_ip_fix(out, &l, total, IPPROTO_AH);
	cnt = compute_icv(c, k, out, &l, ahlen, total, true, ah + XS_AH_HDR);
	if (cnt)
		return xs_esp_drop(why, cnt,
				   cnt == XS_CNT_drop_internal ? -EIO :
								 -EOPNOTSUPP);
	*why = XS_CNT_tx_encrypt;
	return (int)total;
}

/* ---------------------------------------------------------------- input */

/* Verify the ICV as estimated, then (ESN, past the replay state's failure
 * threshold) once more with the next high half, as esp.c's open_esn does
 * (RFC 4303 A3, which RFC 4302 2.5.1 points to).  0 verified, 1 verified
 * after resynchronising (*seq moved), -EBADMSG, or a drop counter > 1. */
static int verify_esn(struct xs_esp_ctx *c, const struct xs_ah_knobs *k,
		      struct xs_sa_rt *rt, const uint8_t *ip,
		      const struct xs_l3 *l, size_t ahlen, uint64_t *seq)
{
	const uint8_t *ah = ip + l->off;
	size_t icvlen = xs_esp_icv_len(rt);
	uint32_t hi = (uint32_t)(*seq >> 32);
	uint8_t icv[XS_ESP_ICV_MAX];
	int cnt;

	cnt = compute_icv(c, k, ip, l, ahlen, l->total, false, icv);
	if (cnt)
		return cnt;
	if (!CRYPTO_memcmp(icv, ah + XS_AH_HDR, icvlen))
		return 0;
	if (!rt->esn || hi == UINT32_MAX || !xs_replay_icv_failed(&rt->replay))
		return -EBADMSG;
	c->seq_hi = hi + 1;
	cnt = compute_icv(c, k, ip, l, ahlen, l->total, false, icv);
	if (cnt)
		return cnt;
	if (CRYPTO_memcmp(icv, ah + XS_AH_HDR, icvlen))
		return -EBADMSG;
	*seq = (uint64_t)(hi + 1) << 32 | (uint32_t)*seq;
	return 1;
}

int xs_ah_input(struct xs_esp_ctx *c, struct xs_sa_rt *rt,
		const struct xs_ah_knobs *k, const uint8_t *ip, size_t len,
		uint8_t *out, size_t cap, enum xs_counter *why)
{
	size_t ahlen, plen;
	const uint8_t *ah;
	struct xs_l3 l;
	uint64_t seq;
	int cnt, resync;

	if (c->rt != rt || rt->satype != SADB_SATYPE_AH)
		return xs_esp_drop(why, XS_CNT_drop_internal, -EINVAL);
	cnt = xs_ip_parse(rt, ip, len, &l, true);
	if (cnt)
		return xs_esp_drop(why, cnt, xs_ip_parse_errno(cnt));
	if (l.nh != IPPROTO_AH || l.total - l.off < XS_AH_HDR)
		return xs_esp_drop(why, XS_CNT_drop_malformed, -EINVAL);
	ah = ip + l.off;
	ahlen = ((size_t)ah[1] + 2) * 4;
	/* the length field must be the SA's: ICV and padding as we expect */
	if (ahlen != xs_ah_len(rt, l.v6) || ahlen > l.total - l.off)
		return xs_esp_drop(why, XS_CNT_drop_malformed, -EINVAL);
	if (xs_get_be32(ah + 4) != rt->spi)
		return xs_esp_drop(why, XS_CNT_drop_unknown_spi, -ENOENT);
	seq = xs_sa_seq_in(rt, xs_get_be32(ah + 8));
	c->seq_hi = (uint32_t)(seq >> 32);
	if (!xs_replay_check(&rt->replay, seq))
		return xs_esp_drop(why, XS_CNT_drop_replay, -EEXIST);
	plen = l.total - l.off - ahlen;
	if (l.off + plen > cap)
		return xs_esp_drop(why, XS_CNT_drop_internal, -ENOSPC);
	resync = verify_esn(c, k, rt, ip, &l, ahlen, &seq);
	if (resync == -EBADMSG)
		return xs_esp_drop(why, XS_CNT_drop_bad_icv, -EBADMSG);
	if (resync > 1)
		return xs_esp_drop(why, (enum xs_counter)resync, -EINVAL);
	if (!(resync ? xs_replay_resync(&rt->replay, seq) :
		       xs_replay_update(&rt->replay, seq)))
		return xs_esp_drop(why, XS_CNT_drop_replay, -EEXIST);
	memcpy(out, ip, l.off);
	memcpy(out + l.off, ah + ahlen, plen);
	xs_ip_fix(out, &l, l.off + plen, ah[0]);
	*why = resync ? XS_CNT_esn_resync : XS_CNT_rx_decrypt;
	return (int)(l.off + plen);
}
