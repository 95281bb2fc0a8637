// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ESP transport mode (RFC 4303): the IP and ESP framing; the transforms
 * themselves are in esp_crypto.c.
 *
 * Wire layout:  IP header [kept IPv6 ext headers] | SPI | seq | IV |
 *               E(payload | pad 1,2,3.. | pad length | next header) | ICV
 * The IV is the 64-bit sequence number (unique per packet and SA, as RFC
 * 4106 3.1 and RFC 3686 require) except for CBC (random, RFC 3602); salts
 * and nonces are the last salt_len bytes of the key as KAME lays it out.
 * ESN (RFC 4303 2.2.1): the high half is estimated from the replay window
 * (appendix A2.1) and resynchronised after a long loss (A3, open_esn).
 * Lengths come from the algorithm's table row, the AES key size
 * from the key length.  The payload is padded to the cipher's block (16
 * for AES-CBC) or to 4 bytes.
 *
 * IPv6 (RFC 4303 3.1.1): ESP goes after a hop-by-hop header, routing
 * headers, and a destination options header that precedes a routing
 * header; a fragment header (the datagram is reassembled first) and chains
 * longer than MAX_EXT headers are refused with drop_unsupported.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include "../lib/bytes.h"
#include "esp.h"
#include "esp_crypto.h"
#include "pkt.h"
#include "secmem.h"
#include "../lib/pfkey_msg.h"

#define ESP_HDR XS_ESP_HDR
#define MAX_EXT 8 /* IPv6 extension headers walked at most */
#define NH_NONE 59 /* IPv6 "no next header": ESP dummy packet */
#define IP_MAXLEN 65535

/* ---------------------------------------------------------------- SA */

static unsigned long ah_live; /* AH rts allocated (atomic) */

bool xs_sa_rt_ah_live(void)
{
	return __atomic_load_n(&ah_live, __ATOMIC_RELAXED) != 0;
}

static size_t rt_size(size_t keys)
{
	return sizeof(struct xs_sa_rt) + keys;
}

/* AH (ah.c): an implemented HMAC, no cipher. */
static int pick_ah(const struct xs_sa *sa, const struct xs_alg **auth)
{
	const struct xs_alg *h = xs_alg_by_id(XS_ALG_AUTH, sa->auth_alg);

	if (!h || sa->enc_alg != SADB_EALG_NONE || sa->enc_keylen)
		return -EINVAL;
	if (!h->implemented || h->xform != XS_XF_HMAC)
		return -EOPNOTSUPP;
	if (xs_alg_check_keylen(h, sa->auth_keylen) ||
	    sa->auth_keylen > XS_KEY_MAX)
		return -EINVAL;
	*auth = h;
	return 0;
}

/* The transforms esp_crypto.c runs: ESP with an implemented cipher, an
 * HMAC exactly when the cipher is not AEAD; AH with an HMAC. */
static int pick_algs(const struct xs_sa *sa, const struct xs_alg **enc,
		     const struct xs_alg **auth)
{
	const struct xs_alg *e, *h = NULL;

	if (sa->satype == SADB_SATYPE_AH)
		return pick_ah(sa, auth);
	if (sa->satype != SADB_SATYPE_ESP)
		return -EINVAL;
	e = xs_alg_by_id(XS_ALG_ENC, sa->enc_alg);
	if (!e)
		return -EINVAL;
	if (!e->implemented || e->xform == XS_XF_NONE)
		return -EOPNOTSUPP;
	if (sa->auth_alg != SADB_AALG_NONE) {
		h = xs_alg_by_id(XS_ALG_AUTH, sa->auth_alg);
		if (!h)
			return -EINVAL;
		if (!h->implemented || h->xform != XS_XF_HMAC)
			return -EOPNOTSUPP;
	}
	if (e->aead == (h != NULL))
		return -EINVAL; /* AEAD carries its own ICV; others need one */
	if (xs_alg_check_keylen(e, sa->enc_keylen) ||
	    sa->enc_keylen > XS_KEY_MAX)
		return -EINVAL;
	if (h && (xs_alg_check_keylen(h, sa->auth_keylen) ||
		  sa->auth_keylen > XS_KEY_MAX))
		return -EINVAL;
	*enc = e;
	*auth = h;
	return 0;
}

static void rt_fill(struct xs_sa_rt *rt, const struct xs_sa *sa,
		    const struct xs_alg *enc, const struct xs_alg *auth,
		    uint32_t slot)
{
	rt->slot = slot;
	rt->spi = sa->spi;
	rt->satype = sa->satype;
	rt->mode = sa->mode;
	rt->family = sa->dst.family;
	rt->src = sa->src;
	rt->dst = sa->dst;
	rt->enc = enc;
	rt->enc_keylen = enc ? sa->enc_keylen : 0;
	rt->enc_key = (uint8_t *)(rt + 1);
	memcpy(rt->enc_key, sa->enc_key, rt->enc_keylen);
	rt->auth = auth;
	rt->auth_keylen = auth ? sa->auth_keylen : 0;
	rt->auth_key = rt->enc_key + rt->enc_keylen;
	memcpy(rt->auth_key, sa->auth_key, rt->auth_keylen);
	rt->seq_out = 0;
	rt->esn = (sa->flags & SADB_X_SAFLAGS_ESN) != 0;
	rt->natt_type = sa->natt_type;
	rt->natt_sport = sa->natt_sport;
	rt->natt_dport = sa->natt_dport;
}

struct xs_sa_rt *xs_sa_rt_new(const struct xs_sa *sa, uint32_t slot)
{
	const struct xs_alg *enc = NULL, *auth = NULL;
	struct xs_sa_rt *rt;
	uint32_t window;
	size_t size;
	int err;

	err = pick_algs(sa, &enc, &auth);
	if (err)
		goto fail;
	size = rt_size((enc ? sa->enc_keylen : 0) +
		       (auth ? sa->auth_keylen : 0));
	rt = xs_secmem_alloc(size);
	if (!rt) {
		err = -ENOMEM;
		goto fail;
	}
	rt_fill(rt, sa, enc, auth, slot);
	/* the xdpsec extension in packets, else KAME's bytes */
	window = sa->replay_win ? sa->replay_win : (uint32_t)sa->replay * 8;
	if (window > XS_REPLAY_MAX)
		window = XS_REPLAY_MAX;
	err = xs_replay_init(&rt->replay, window);
	if (err)
		goto fail_wipe;
	if (rt->satype == SADB_SATYPE_AH)
		__atomic_fetch_add(&ah_live, 1, __ATOMIC_RELAXED);
	return rt;

fail_wipe:
	xs_secmem_free(rt, size);
fail:
	errno = -err;
	return NULL;
}

void xs_sa_rt_free(struct xs_sa_rt *rt)
{
	size_t size;

	if (!rt)
		return;
	size = rt_size(rt->enc_keylen + rt->auth_keylen);
	if (rt->satype == SADB_SATYPE_AH)
		__atomic_fetch_sub(&ah_live, 1, __ATOMIC_RELAXED);
	xs_replay_destroy(&rt->replay);
	xs_secmem_free(rt, size);
}

/* ---------------------------------------------------------------- core */

/* Ciphertext length of an ESP packet of len bytes, or -EINVAL. */
static int ct_len(const struct xs_sa_rt *rt, size_t len)
{
	size_t icv = xs_esp_icv_len(rt), iv = rt->enc->iv_len;
	size_t ct;

	if (len < ESP_HDR + iv + icv + 2 || len > IP_MAXLEN)
		return -EINVAL;
	ct = len - ESP_HDR - iv - icv;
	return ct % xs_esp_pad_unit(rt) ? -EINVAL : (int)ct;
}

int xs_esp_seal_iv(struct xs_esp_ctx *c, uint32_t seq, const uint8_t *iv,
		   const uint8_t *pt, size_t ptlen, uint8_t *out, size_t cap)
{
	const struct xs_sa_rt *rt = c->rt;
	size_t ivlen = rt->enc->iv_len;
	size_t len = ESP_HDR + ivlen + ptlen + xs_esp_icv_len(rt);

	if (ptlen % xs_esp_pad_unit(rt) || ptlen < 2 || len > IP_MAXLEN)
		return -EINVAL;
	if (len > cap)
		return -ENOSPC;
	memmove(out + ESP_HDR + ivlen, pt, ptlen);
	xs_put_be32(out, rt->spi);
	xs_put_be32(out + 4, seq);
	memmove(out + ESP_HDR, iv, ivlen);
	return xs_esp_crypto_seal(c, out, ptlen) ?: (int)len;
}

int xs_esp_open(struct xs_esp_ctx *c, const uint8_t *esp, size_t len,
		uint8_t *out, size_t cap)
{
	int ctlen = ct_len(c->rt, len);

	if (ctlen < 0)
		return ctlen;
	if ((size_t)ctlen > cap)
		return -ENOSPC;
	return xs_esp_crypto_open(c, esp, len, (size_t)ctlen, out) ?: ctlen;
}

/* ---------------------------------------------------------------- IP */

static int parse_v4(const uint8_t *ip, size_t len, struct xs_l3 *l)
{
	size_t ihl, tot;

	if (len < 20)
		return XS_CNT_drop_malformed;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	tot = xs_get_be16(ip + 2);
	if (ihl < 20 || tot < ihl || tot > len)
		return XS_CNT_drop_malformed;
	if (xs_get_be16(ip + 6) & 0x3fff) /* MF or an offset: a fragment */
		return XS_CNT_drop_unsupported;
	l->off = ihl;
	l->total = tot;
	l->nh_off = 9;
	l->nh = ip[9];
	l->v6 = false;
	return 0;
}

/* Does extension header nh at off stay in front of ESP?  On input any
 * destination options header in front of ESP is accepted. */
static bool ext_before_esp(const uint8_t *ip, size_t off, size_t tot,
			   uint8_t nh, bool in)
{
	switch (nh) {
	case IPPROTO_HOPOPTS:
		return off == 40;
	case IPPROTO_ROUTING:
		return true;
	case IPPROTO_DSTOPTS:
		return in || (off < tot && ip[off] == IPPROTO_ROUTING);
	default:
		return false;
	}
}

static int parse_v6(const uint8_t *ip, size_t len, struct xs_l3 *l, bool in)
{
	size_t off = 40, tot, hlen;
	uint8_t nh;
	int n;

	if (len < 40)
		return XS_CNT_drop_malformed;
	tot = 40 + (size_t)xs_get_be16(ip + 4);
	if (tot > len)
		return XS_CNT_drop_malformed;
	l->nh_off = 6;
	nh = ip[6];
	for (n = 0; ext_before_esp(ip, off, tot, nh, in); n++) {
		if (n == MAX_EXT)
			return XS_CNT_drop_unsupported;
		if (off + 8 > tot)
			return XS_CNT_drop_malformed;
		hlen = ((size_t)ip[off + 1] + 1) * 8;
		if (off + hlen > tot)
			return XS_CNT_drop_malformed;
		l->nh_off = off;
		nh = ip[off];
		off += hlen;
	}
	if (nh == IPPROTO_FRAGMENT)
		return XS_CNT_drop_unsupported;
	l->off = off;
	l->total = tot;
	l->nh = nh;
	l->v6 = true;
	return 0;
}

int xs_ip_parse(const struct xs_sa_rt *rt, const uint8_t *ip, size_t len,
		struct xs_l3 *l, bool in)
{
	(void)rt; /* tunnel mode: ip is the outer header (tunnel.c) */
	if (len < 1)
		return XS_CNT_drop_malformed;
	switch (ip[0] >> 4) {
	case 4:
		return parse_v4(ip, len, l);
	case 6:
		return parse_v6(ip, len, l, in);
	default:
		return XS_CNT_drop_malformed;
	}
}

/* out holds the rewritten datagram of total bytes; proto follows the
 * headers kept in front. */
void xs_ip_fix(uint8_t *out, const struct xs_l3 *l, size_t total, uint8_t proto)
{
	out[l->nh_off] = proto;
	if (l->v6) {
		xs_put_be16(out + 4, (uint16_t)(total - 40));
	} else {
		xs_put_be16(out + 2, (uint16_t)total);
		xs_ip4_csum(out, l->off);
	}
}

/* ---------------------------------------------------------------- output */

uint64_t xs_sa_next_seq(struct xs_sa_rt *rt)
{
	uint64_t cur = __atomic_load_n(&rt->seq_out, __ATOMIC_RELAXED);
	uint64_t last = rt->esn ? UINT64_MAX : UINT32_MAX;

	do {
		if (cur >= last)
			return 0;
	} while (!__atomic_compare_exchange_n(&rt->seq_out, &cur, cur + 1, true,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return cur + 1;
}

uint64_t xs_sa_seq_in(struct xs_sa_rt *rt, uint32_t seql)
{
	return rt->esn ? xs_replay_esn_seq(&rt->replay, seql) : seql;
}

int xs_esp_output(struct xs_esp_ctx *c, struct xs_sa_rt *rt, const uint8_t *ip,
		  size_t len, uint8_t *out, size_t cap, enum xs_counter *why)
{
	size_t unit = xs_esp_pad_unit(rt), ivlen = rt->enc->iv_len;
	size_t plen, padded, total, i;
	uint8_t *esp, *pt;
	struct xs_l3 l;
	uint64_t seq;
	int cnt;

	if (c->rt != rt)
		return xs_esp_drop(why, XS_CNT_drop_internal, -EINVAL);
	cnt = xs_ip_parse(rt, ip, len, &l, false);
	if (cnt)
		return xs_esp_drop(why, cnt, xs_ip_parse_errno(cnt));
	plen = l.total - l.off;
	padded = (plen + 2 + unit - 1) / unit * unit;
	total = l.off + ESP_HDR + ivlen + padded + xs_esp_icv_len(rt);
	if (total - (l.v6 ? 40 : 0) > IP_MAXLEN)
		return xs_esp_drop(why, XS_CNT_drop_too_big, -EMSGSIZE);
	if (total > cap)
		return xs_esp_drop(why, XS_CNT_drop_too_big, -ENOSPC);
	seq = xs_sa_next_seq(rt);
	if (!seq)
		return xs_esp_drop(why, XS_CNT_drop_seq_wrap, -EOVERFLOW);

	esp = out + l.off;
	pt = esp + ESP_HDR + ivlen;
	memcpy(out, ip, l.off);
	memcpy(pt, ip + l.off, plen);
	for (i = 0; plen + i < padded - 2; i++)
		pt[plen + i] = (uint8_t)(i + 1);
	pt[padded - 2] = (uint8_t)i;
	pt[padded - 1] = l.nh;
	xs_put_be32(esp, rt->spi);
	xs_put_be32(esp + 4, (uint32_t)seq);
	c->seq_hi = (uint32_t)(seq >> 32);
	if (xs_esp_make_iv(rt, seq, esp + ESP_HDR) ||
	    xs_esp_crypto_seal(c, esp, padded))
		return xs_esp_drop(why, XS_CNT_drop_internal, -EIO);
	xs_ip_fix(out, &l, total, IPPROTO_ESP);
	*why = XS_CNT_tx_encrypt;
	return (int)total;
}

/* ---------------------------------------------------------------- input */

/*
 * Verify the ICV of the packet whose sequence number is *seq, with the
 * ESN resynchronisation of RFC 4303 A3: once the SA has seen more than
 * XS_REPLAY_RESYNC_AFTER consecutive ICV failures, a failing packet is
 * retried once with the high half after the A2.1 estimate (one retry:
 * A3.2 asks for a bound, and each costs a second ICV).  Returns 0 (verified
 * as estimated), 1 (verified with the next high half: *seq moved there),
 * or -EBADMSG.
 */
static int open_esn(struct xs_esp_ctx *c, struct xs_sa_rt *rt,
		    const uint8_t *esp, size_t esplen, size_t ctlen,
		    uint8_t *pt, uint64_t *seq)
{
	uint32_t hi = (uint32_t)(*seq >> 32);

	if (!xs_esp_crypto_open(c, esp, esplen, ctlen, pt))
		return 0;
	if (!rt->esn || hi == UINT32_MAX || !xs_replay_icv_failed(&rt->replay))
		return -EBADMSG;
	c->seq_hi = hi + 1;
	if (xs_esp_crypto_open(c, esp, esplen, ctlen, pt))
		return -EBADMSG;
	*seq = (uint64_t)(hi + 1) << 32 | (uint32_t)*seq;
	return 1;
}

/* Checks pad bytes 1, 2, 3... and the pad length; the payload's length. */
static int check_trailer(const uint8_t *pt, size_t ptlen, size_t *datalen)
{
	size_t padlen = pt[ptlen - 2], i;

	if (padlen + 2 > ptlen)
		return -EINVAL;
	for (i = 0; i < padlen; i++)
		if (pt[ptlen - 2 - padlen + i] != (uint8_t)(i + 1))
			return -EINVAL;
	*datalen = ptlen - 2 - padlen;
	return 0;
}

int xs_esp_input(struct xs_esp_ctx *c, struct xs_sa_rt *rt, const uint8_t *ip,
		 size_t len, uint8_t *out, size_t cap, enum xs_counter *why)
{
	const uint8_t *esp;
	size_t esplen, datalen;
	uint8_t *pt, nh;
	struct xs_l3 l;
	uint64_t seq;
	int cnt, ctlen, resync;

	if (c->rt != rt)
		return xs_esp_drop(why, XS_CNT_drop_internal, -EINVAL);
	cnt = xs_ip_parse(rt, ip, len, &l, true);
	if (cnt)
		return xs_esp_drop(why, cnt, xs_ip_parse_errno(cnt));
	if (l.nh != IPPROTO_ESP)
		return xs_esp_drop(why, XS_CNT_drop_malformed, -EINVAL);
	esp = ip + l.off;
	esplen = l.total - l.off;
	ctlen = ct_len(rt, esplen);
	if (ctlen < 0)
		return xs_esp_drop(why, XS_CNT_drop_malformed, -EINVAL);
	if (xs_get_be32(esp) != rt->spi)
		return xs_esp_drop(why, XS_CNT_drop_unknown_spi, -ENOENT);
	seq = xs_sa_seq_in(rt, xs_get_be32(esp + 4));
	c->seq_hi = (uint32_t)(seq >> 32);
	if (!xs_replay_check(&rt->replay, seq))
		return xs_esp_drop(why, XS_CNT_drop_replay, -EEXIST);
	if (l.off + (size_t)ctlen > cap)
		return xs_esp_drop(why, XS_CNT_drop_internal, -ENOSPC);

	pt = out + l.off;
	resync = open_esn(c, rt, esp, esplen, (size_t)ctlen, pt, &seq);
	if (resync < 0)
		return xs_esp_drop(why, XS_CNT_drop_bad_icv, -EBADMSG);
	/* verified: the window records seq, whatever the trailer holds */
	if (!(resync ? xs_replay_resync(&rt->replay, seq) :
		       xs_replay_update(&rt->replay, seq)))
		return xs_esp_drop(why, XS_CNT_drop_replay, -EEXIST);
	if (check_trailer(pt, (size_t)ctlen, &datalen))
		return xs_esp_drop(why, XS_CNT_drop_bad_pad, -EINVAL);
	nh = pt[ctlen - 1];
	if (nh == NH_NONE)
		return xs_esp_drop(why, XS_CNT_drop_dummy, 0);
	memcpy(out, ip, l.off);
	xs_ip_fix(out, &l, l.off + datalen, nh);
	*why = resync ? XS_CNT_esn_resync : XS_CNT_rx_decrypt;
	return (int)(l.off + datalen);
}

size_t xs_esp_overhead(const struct xs_sa_rt *rt)
{
	return ESP_HDR + rt->enc->iv_len + xs_esp_pad_unit(rt) - 1 + 2 +
	       xs_esp_icv_len(rt);
}
