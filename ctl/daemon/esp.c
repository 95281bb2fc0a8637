// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ESP transport mode (RFC 4303) with AEAD ciphers (RFC 4106 AES-GCM).
 *
 * Wire layout:  IP header [kept IPv6 ext headers] | SPI | seq | IV |
 *               E(payload | pad 1,2,3.. | pad length | next header) | ICV
 * The IV is the 64-bit sequence number (unique per packet and SA, as RFC
 * 4106 3.1 requires); the nonce is salt | IV, the salt being the last
 * salt_len bytes of the key as KAME lays it out; the AAD is SPI | seq
 * (no ESN).  Lengths come from the algorithm's table row, the AES key
 * size from the key length.
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
#include <sys/mman.h>
#include <openssl/crypto.h>
#include "esp.h"

#define ESP_HDR 8 /* SPI + sequence number */
#define MAX_EXT 8 /* IPv6 extension headers walked at most */
#define NH_NONE 59 /* IPv6 "no next header": ESP dummy packet */
#define IP_MAXLEN 65535
#define ICV_MAX 16 /* GCM tag (EVP_MAX_AEAD_TAG_LENGTH is OpenSSL 3.2) */

/* Where ESP sits in a datagram. */
struct l3 {
	size_t off; /* bytes before ESP: IP header and kept headers */
	size_t total; /* datagram length from its header */
	size_t nh_off; /* the protocol / next header byte to rewrite */
	uint8_t nh; /* protocol after the kept headers */
	bool v6;
};

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v & 0xffff);
}

static size_t pad_unit(const struct xs_alg *a)
{
	return a->block_len > 4 ? a->block_len : 4;
}

/* ---------------------------------------------------------------- SA */

static size_t rt_map_size(size_t keys)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t n = sizeof(struct xs_sa_rt) + keys;

	return (n + page - 1) / page * page;
}

/* The transforms this file runs: ESP with an implemented AEAD cipher. */
static int pick_algs(const struct xs_sa *sa, const struct xs_alg **enc)
{
	const struct xs_alg *a;

	if (sa->satype != SADB_SATYPE_ESP)
		return sa->satype == SADB_SATYPE_AH ? -EOPNOTSUPP : -EINVAL;
	a = xs_alg_by_id(XS_ALG_ENC, sa->enc_alg);
	if (!a)
		return -EINVAL;
	/* RFC 4543 GMAC authenticates the payload instead of encrypting
	 * it: not the GCM transform below, whatever its row says. */
	if (!a->implemented || !a->aead || !a->evp_name ||
	    a->id == SADB_X_EALG_NULL_AES_GMAC)
		return -EOPNOTSUPP;
	if (sa->auth_alg != SADB_AALG_NONE)
		return -EOPNOTSUPP; /* AEAD carries its own ICV */
	if (xs_alg_check_keylen(a, sa->enc_keylen) ||
	    sa->enc_keylen > XS_KEY_MAX)
		return -EINVAL;
	*enc = a;
	return 0;
}

static void rt_fill(struct xs_sa_rt *rt, const struct xs_sa *sa,
		    const struct xs_alg *enc, uint32_t slot)
{
	rt->slot = slot;
	rt->spi = sa->spi;
	rt->satype = sa->satype;
	rt->mode = sa->mode;
	rt->family = sa->dst.family;
	rt->src = sa->src;
	rt->dst = sa->dst;
	rt->enc = enc;
	rt->enc_keylen = sa->enc_keylen;
	rt->enc_key = (uint8_t *)(rt + 1);
	memcpy(rt->enc_key, sa->enc_key, sa->enc_keylen);
	rt->seq_out = 0;
}

struct xs_sa_rt *xs_sa_rt_new(const struct xs_sa *sa, uint32_t slot)
{
	const struct xs_alg *enc = NULL;
	struct xs_sa_rt *rt;
	uint32_t window;
	size_t size;
	int err;

	err = pick_algs(sa, &enc);
	if (err)
		goto fail;
	size = rt_map_size(sa->enc_keylen);
	rt = mmap(NULL, size, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rt == MAP_FAILED) {
		err = -ENOMEM;
		goto fail;
	}
	if (madvise(rt, size, MADV_DONTDUMP)) {
		err = -errno;
		goto fail_unmap;
	}
	if (mlock(rt, size) && errno != EPERM && errno != ENOMEM) {
		err = -errno;
		goto fail_unmap;
	}
	rt_fill(rt, sa, enc, slot);
	window = (uint32_t)sa->replay * 8;
	if (window > XS_REPLAY_MAX)
		window = XS_REPLAY_MAX;
	err = xs_replay_init(&rt->replay, window);
	if (err)
		goto fail_wipe;
	return rt;

fail_wipe:
	OPENSSL_cleanse(rt, size);
fail_unmap:
	munmap(rt, size);
fail:
	errno = -err;
	return NULL;
}

void xs_sa_rt_free(struct xs_sa_rt *rt)
{
	size_t size;

	if (!rt)
		return;
	size = rt_map_size(rt->enc_keylen);
	xs_replay_destroy(&rt->replay);
	OPENSSL_cleanse(rt, size);
	munlock(rt, size);
	munmap(rt, size);
}

/* ---------------------------------------------------------------- EVP */

/* "AES-GCM" with a 32-byte key -> "AES-256-GCM". */
static int cipher_name(const char *evp, size_t keylen, char *buf, size_t n)
{
	int r;

	if (!strncmp(evp, "AES-", 4))
		r = snprintf(buf, n, "AES-%zu-%s", keylen * 8, evp + 4);
	else
		r = snprintf(buf, n, "%s", evp);
	return r < 0 || (size_t)r >= n ? -EINVAL : 0;
}

static int key_ctx(EVP_CIPHER_CTX *x, const EVP_CIPHER *ciph,
		   const uint8_t *key, int ivlen, int enc)
{
	if (!EVP_CipherInit_ex(x, ciph, NULL, NULL, NULL, enc) ||
	    !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, ivlen, NULL) ||
	    !EVP_CipherInit_ex(x, NULL, NULL, key, NULL, enc))
		return -EIO;
	return 0;
}

int xs_esp_ctx_init(struct xs_esp_ctx *c, const struct xs_sa_rt *rt)
{
	const struct xs_alg *a = rt->enc;
	EVP_CIPHER *ciph = NULL;
	char name[32];
	size_t klen;
	int err, ivlen;

	memset(c, 0, sizeof(*c));
	if (!a || !a->aead || !a->evp_name)
		return -EOPNOTSUPP;
	if (rt->enc_keylen <= a->salt_len ||
	    a->salt_len + a->iv_len > EVP_MAX_IV_LENGTH || a->icv_len > ICV_MAX)
		return -EINVAL;
	klen = rt->enc_keylen - a->salt_len;
	ivlen = a->salt_len + a->iv_len;
	err = cipher_name(a->evp_name, klen, name, sizeof(name));
	if (err)
		return err;
	ciph = EVP_CIPHER_fetch(NULL, name, NULL);
	if (!ciph)
		return -EOPNOTSUPP;
	err = -EINVAL;
	if ((size_t)EVP_CIPHER_get_key_length(ciph) != klen)
		goto out;
	err = -ENOMEM;
	c->enc = EVP_CIPHER_CTX_new();
	c->dec = EVP_CIPHER_CTX_new();
	if (!c->enc || !c->dec)
		goto out;
	err = key_ctx(c->enc, ciph, rt->enc_key, ivlen, 1);
	if (!err)
		err = key_ctx(c->dec, ciph, rt->enc_key, ivlen, 0);
	if (!err)
		c->rt = rt;
out:
	EVP_CIPHER_free(ciph); /* the contexts hold their own references */
	if (err)
		xs_esp_ctx_fini(c);
	return err;
}

void xs_esp_ctx_fini(struct xs_esp_ctx *c)
{
	EVP_CIPHER_CTX_free(c->enc); /* cleanses the key schedule */
	EVP_CIPHER_CTX_free(c->dec);
	memset(c, 0, sizeof(*c));
}

/* ---------------------------------------------------------------- core */

static void make_nonce(const struct xs_sa_rt *rt, const uint8_t *iv,
		       uint8_t *nonce)
{
	const struct xs_alg *a = rt->enc;

	memcpy(nonce, rt->enc_key + rt->enc_keylen - a->salt_len, a->salt_len);
	memcpy(nonce + a->salt_len, iv, a->iv_len);
}

/* esp: SPI | seq | IV | plaintext (ptlen bytes, padded): encrypts the
 * plaintext in place and appends the ICV. */
static int seal_inplace(struct xs_esp_ctx *c, uint8_t *esp, uint32_t seq,
			const uint8_t *iv, size_t ptlen)
{
	const struct xs_alg *a = c->rt->enc;
	uint8_t nonce[EVP_MAX_IV_LENGTH];
	uint8_t *ct = esp + ESP_HDR + a->iv_len;
	int n, fin;

	put_be32(esp, c->rt->spi);
	put_be32(esp + 4, seq);
	memmove(esp + ESP_HDR, iv, a->iv_len);
	make_nonce(c->rt, iv, nonce);
	if (!EVP_EncryptInit_ex(c->enc, NULL, NULL, NULL, nonce) ||
	    !EVP_EncryptUpdate(c->enc, NULL, &n, esp, ESP_HDR) ||
	    !EVP_EncryptUpdate(c->enc, ct, &n, ct, (int)ptlen) ||
	    !EVP_EncryptFinal_ex(c->enc, ct + n, &fin) ||
	    !EVP_CIPHER_CTX_ctrl(c->enc, EVP_CTRL_AEAD_GET_TAG, a->icv_len,
				 ct + ptlen))
		return -EIO;
	return 0;
}

/* Ciphertext length of an ESP packet of len bytes, or -EINVAL. */
static int ct_len(const struct xs_alg *a, size_t len)
{
	size_t min = ESP_HDR + a->iv_len + a->icv_len + 2, ct;

	if (len < min || len > IP_MAXLEN)
		return -EINVAL;
	ct = len - ESP_HDR - a->iv_len - a->icv_len;
	return ct % pad_unit(a) ? -EINVAL : (int)ct;
}

/* Decrypts and verifies esp (len checked by ct_len) into out. */
static int open_to(struct xs_esp_ctx *c, const uint8_t *esp, size_t len,
		   size_t ctlen, uint8_t *out)
{
	const struct xs_alg *a = c->rt->enc;
	uint8_t nonce[EVP_MAX_IV_LENGTH], tag[ICV_MAX];
	int n, fin;

	make_nonce(c->rt, esp + ESP_HDR, nonce);
	memcpy(tag, esp + len - a->icv_len, a->icv_len);
	if (!EVP_DecryptInit_ex(c->dec, NULL, NULL, NULL, nonce) ||
	    !EVP_DecryptUpdate(c->dec, NULL, &n, esp, ESP_HDR) ||
	    !EVP_DecryptUpdate(c->dec, out, &n, esp + ESP_HDR + a->iv_len,
			       (int)ctlen) ||
	    !EVP_CIPHER_CTX_ctrl(c->dec, EVP_CTRL_AEAD_SET_TAG, a->icv_len,
				 tag) ||
	    EVP_DecryptFinal_ex(c->dec, out + n, &fin) <= 0) {
		OPENSSL_cleanse(out, ctlen); /* unauthenticated plaintext */
		return -EBADMSG;
	}
	return 0;
}

int xs_esp_seal_iv(struct xs_esp_ctx *c, uint32_t seq, const uint8_t *iv,
		   const uint8_t *pt, size_t ptlen, uint8_t *out, size_t cap)
{
	const struct xs_alg *a = c->rt->enc;
	size_t len = ESP_HDR + a->iv_len + ptlen + a->icv_len;

	if (ptlen % pad_unit(a) || ptlen < 2 || len > IP_MAXLEN)
		return -EINVAL;
	if (len > cap)
		return -ENOSPC;
	memmove(out + ESP_HDR + a->iv_len, pt, ptlen);
	return seal_inplace(c, out, seq, iv, ptlen) ?: (int)len;
}

int xs_esp_open(struct xs_esp_ctx *c, const uint8_t *esp, size_t len,
		uint8_t *out, size_t cap)
{
	int ctlen = ct_len(c->rt->enc, len);

	if (ctlen < 0)
		return ctlen;
	if ((size_t)ctlen > cap)
		return -ENOSPC;
	return open_to(c, esp, len, (size_t)ctlen, out) ?: ctlen;
}

/* ---------------------------------------------------------------- IP */

static int parse_v4(const uint8_t *ip, size_t len, struct l3 *l)
{
	size_t ihl, tot;

	if (len < 20)
		return XS_CNT_drop_malformed;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	tot = get_be16(ip + 2);
	if (ihl < 20 || tot < ihl || tot > len)
		return XS_CNT_drop_malformed;
	if (get_be16(ip + 6) & 0x3fff) /* MF or an offset: a fragment */
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

static int parse_v6(const uint8_t *ip, size_t len, struct l3 *l, bool in)
{
	size_t off = 40, tot, hlen;
	uint8_t nh;
	int n;

	if (len < 40)
		return XS_CNT_drop_malformed;
	tot = 40 + (size_t)get_be16(ip + 4);
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

/* 0, or the counter explaining why ip cannot be handled. */
static int parse_ip(const struct xs_sa_rt *rt, const uint8_t *ip, size_t len,
		    struct l3 *l, bool in)
{
	if (rt->mode == IPSEC_MODE_TUNNEL)
		return XS_CNT_drop_unsupported;
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

static void ipv4_csum(uint8_t *h, size_t ihl)
{
	uint32_t sum = 0;
	size_t i;

	h[10] = h[11] = 0;
	for (i = 0; i < ihl; i += 2)
		sum += get_be16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put_be16(h + 10, (uint16_t)~sum);
}

/* out holds the rewritten datagram of total bytes; proto follows the
 * headers kept in front. */
static void fix_header(uint8_t *out, const struct l3 *l, size_t total,
		       uint8_t proto)
{
	out[l->nh_off] = proto;
	if (l->v6) {
		put_be16(out + 4, (uint16_t)(total - 40));
	} else {
		put_be16(out + 2, (uint16_t)total);
		ipv4_csum(out, l->off);
	}
}

static int drop(enum xs_counter *why, enum xs_counter cnt, int err)
{
	*why = cnt;
	return err;
}

static int parse_errno(int cnt)
{
	return cnt == XS_CNT_drop_unsupported ? -EOPNOTSUPP : -EINVAL;
}

/* ---------------------------------------------------------------- output */

/* Next outbound sequence number, 0 once 2^32 - 1 has been used. */
static uint32_t next_seq(struct xs_sa_rt *rt)
{
	uint64_t cur = __atomic_load_n(&rt->seq_out, __ATOMIC_RELAXED);

	do {
		if (cur >= UINT32_MAX)
			return 0;
	} while (!__atomic_compare_exchange_n(&rt->seq_out, &cur, cur + 1, true,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return (uint32_t)(cur + 1);
}

/* The IV: the sequence number, big endian, right-aligned. */
static void seq_iv(uint8_t *iv, size_t n, uint64_t seq)
{
	size_t i;

	for (i = n; i-- > 0; seq >>= 8)
		iv[i] = seq & 0xff;
}

int xs_esp_output(struct xs_esp_ctx *c, struct xs_sa_rt *rt, const uint8_t *ip,
		  size_t len, uint8_t *out, size_t cap, enum xs_counter *why)
{
	const struct xs_alg *a = rt->enc;
	uint8_t iv[EVP_MAX_IV_LENGTH], *esp, *pt;
	size_t plen, padded, total, i;
	struct l3 l;
	uint32_t seq;
	int cnt;

	if (c->rt != rt)
		return drop(why, XS_CNT_drop_internal, -EINVAL);
	cnt = parse_ip(rt, ip, len, &l, false);
	if (cnt)
		return drop(why, cnt, parse_errno(cnt));
	plen = l.total - l.off;
	padded = (plen + 2 + pad_unit(a) - 1) / pad_unit(a) * pad_unit(a);
	total = l.off + ESP_HDR + a->iv_len + padded + a->icv_len;
	if (total - (l.v6 ? 40 : 0) > IP_MAXLEN)
		return drop(why, XS_CNT_drop_too_big, -EMSGSIZE);
	if (total > cap)
		return drop(why, XS_CNT_drop_too_big, -ENOSPC);
	seq = next_seq(rt);
	if (!seq)
		return drop(why, XS_CNT_drop_seq_wrap, -EOVERFLOW);

	esp = out + l.off;
	pt = esp + ESP_HDR + a->iv_len;
	memcpy(out, ip, l.off);
	memcpy(pt, ip + l.off, plen);
	for (i = 0; plen + i < padded - 2; i++)
		pt[plen + i] = (uint8_t)(i + 1);
	pt[padded - 2] = (uint8_t)i;
	pt[padded - 1] = l.nh;
	seq_iv(iv, a->iv_len, seq);
	if (seal_inplace(c, esp, seq, iv, padded))
		return drop(why, XS_CNT_drop_internal, -EIO);
	fix_header(out, &l, total, IPPROTO_ESP);
	*why = XS_CNT_tx_encrypt;
	return (int)total;
}

/* ---------------------------------------------------------------- input */

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
	struct l3 l;
	uint32_t seq;
	int cnt, ctlen;

	if (c->rt != rt)
		return drop(why, XS_CNT_drop_internal, -EINVAL);
	cnt = parse_ip(rt, ip, len, &l, true);
	if (cnt)
		return drop(why, cnt, parse_errno(cnt));
	if (l.nh != IPPROTO_ESP)
		return drop(why, XS_CNT_drop_malformed, -EINVAL);
	esp = ip + l.off;
	esplen = l.total - l.off;
	ctlen = ct_len(rt->enc, esplen);
	if (ctlen < 0)
		return drop(why, XS_CNT_drop_malformed, -EINVAL);
	if (get_be32(esp) != rt->spi)
		return drop(why, XS_CNT_drop_unknown_spi, -ENOENT);
	seq = get_be32(esp + 4);
	if (!xs_replay_check(&rt->replay, seq))
		return drop(why, XS_CNT_drop_replay, -EEXIST);
	if (l.off + (size_t)ctlen > cap)
		return drop(why, XS_CNT_drop_internal, -ENOSPC);

	pt = out + l.off;
	if (open_to(c, esp, esplen, (size_t)ctlen, pt))
		return drop(why, XS_CNT_drop_bad_icv, -EBADMSG);
	if (!xs_replay_update(&rt->replay, seq))
		return drop(why, XS_CNT_drop_replay, -EEXIST);
	if (check_trailer(pt, (size_t)ctlen, &datalen))
		return drop(why, XS_CNT_drop_bad_pad, -EINVAL);
	nh = pt[ctlen - 1];
	if (nh == NH_NONE)
		return drop(why, XS_CNT_drop_dummy, 0);
	memcpy(out, ip, l.off);
	fix_header(out, &l, l.off + datalen, nh);
	*why = XS_CNT_rx_decrypt;
	return (int)(l.off + datalen);
}

size_t xs_esp_overhead(const struct xs_sa_rt *rt)
{
	const struct xs_alg *a = rt->enc;

	return ESP_HDR + a->iv_len + pad_unit(a) - 1 + 2 + a->icv_len;
}
