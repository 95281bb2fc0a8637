// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * AH transport mode (ah.c): the SA accepts every HMAC row and refuses what
 * AH cannot carry; the header layout and ICV padding per family and HMAC;
 * the ICV recomputed independently (xs_esp_hmac over a header zeroed by
 * hand) for a table of ah_cleartos / ah_offsetmask settings; mutable
 * fields changed in transit still verify, immutable ones do not; and every
 * drop reason: bad ICV, replay, truncation, bad length field, wrong SPI,
 * IPv6 routing header with segments left, sequence number exhaustion.
 * (Interop with scapy: tests/e2e/06-ah-scapy.sh.)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "../../ctl/daemon/ah.h"
#include "../../ctl/daemon/esp_crypto.h"

#define BUF 2048

struct fix {
	struct xs_sa_rt *rt;
	struct xs_esp_ctx c;
};

static const struct xs_ah_knobs rfc = { true, 0 };

static void make_sa(struct xs_sa *sa, uint8_t aalg, size_t klen, uint8_t replay)
{
	size_t i;

	memset(sa, 0, sizeof(*sa));
	sa->satype = SADB_SATYPE_AH;
	sa->mode = IPSEC_MODE_TRANSPORT;
	sa->state = SADB_SASTATE_MATURE;
	sa->replay = replay;
	sa->spi = 0x4242;
	sa->auth_alg = aalg;
	sa->auth_keylen = (uint16_t)klen;
	for (i = 0; i < klen; i++)
		sa->auth_key[i] = (uint8_t)(0xa0 + i);
}

static void fix_open(struct fix *f, uint8_t aalg, size_t klen)
{
	struct xs_sa sa;

	make_sa(&sa, aalg, klen, 8);
	f->rt = xs_sa_rt_new(&sa, 3);
	xs_sa_wipe(&sa);
	assert_non_null(f->rt);
	assert_int_equal(xs_esp_ctx_init(&f->c, f->rt), 0);
}

static void fix_close(struct fix *f)
{
	xs_esp_ctx_fini(&f->c);
	xs_sa_rt_free(f->rt);
}

static void csum4(uint8_t *h, size_t ihl)
{
	uint32_t sum = 0;
	size_t i;

	h[10] = h[11] = 0;
	for (i = 0; i < ihl; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	h[10] = (uint8_t)(~sum >> 8);
	h[11] = (uint8_t)~sum;
}

/* IPv4 UDP datagram with opt/olen bytes of options; returns its length. */
static size_t ip4(uint8_t *p, const uint8_t *opt, size_t olen, size_t plen)
{
	size_t ihl = 20 + olen, tot = ihl + 8 + plen, i;

	memset(p, 0, tot);
	p[0] = (uint8_t)(0x40 | ihl / 4);
	p[1] = 0xb8; /* TOS */
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[6] = 0x40; /* DF */
	p[8] = 64;
	p[9] = IPPROTO_UDP;
	memcpy(p + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8);
	if (olen)
		memcpy(p + 20, opt, olen);
	csum4(p, ihl);
	p[ihl + 1] = 9;
	p[ihl + 3] = 9;
	p[ihl + 5] = (uint8_t)(8 + plen);
	for (i = 0; i < plen; i++)
		p[ihl + 8 + i] = (uint8_t)i;
	return tot;
}

/* IPv6 UDP datagram behind the extension headers ext/elen (first next
 * header nh); returns its length. */
static size_t ip6(uint8_t *p, uint8_t nh, const uint8_t *ext, size_t elen,
		  size_t plen)
{
	size_t tot = 40 + elen + 8 + plen;

	memset(p, 0, tot);
	p[0] = 0x6b; /* TC 0xb?, flow label */
	p[1] = 0x81;
	p[2] = 0x23;
	p[3] = 0x45;
	p[4] = (uint8_t)((tot - 40) >> 8);
	p[5] = (uint8_t)(tot - 40);
	p[6] = elen ? nh : IPPROTO_UDP;
	p[7] = 9;
	p[8] = 0x20;
	p[23] = 1;
	p[24] = 0x20;
	p[39] = 2;
	memcpy(p + 40, ext, elen);
	p[40 + elen + 5] = (uint8_t)(8 + plen);
	return tot;
}

/* 1: the SA accepts each HMAC row; AH refuses a cipher or no HMAC. */
static void test_sa(void **state)
{
	static const struct {
		uint8_t aalg, ealg;
		size_t klen;
		bool ok;
		size_t len4, len6;
	} t[] = {
		{ SADB_AALG_SHA1HMAC, 0, 20, true, 24, 24 },
		{ SADB_X_AALG_SHA2_256HMAC, 0, 32, true, 28, 32 },
		{ SADB_X_AALG_SHA2_384HMAC, 0, 48, true, 36, 40 },
		{ SADB_X_AALG_SHA2_512HMAC, 0, 64, true, 44, 48 },
		{ SADB_AALG_MD5HMAC, 0, 16, true, 24, 24 },
		{ SADB_AALG_NONE, 0, 0, false, 0, 0 },
		{ SADB_AALG_SHA1HMAC, SADB_EALG_NULL, 20, false, 0, 0 },
		{ SADB_AALG_SHA1HMAC, 0, 19, false, 0, 0 },
	};
	struct xs_sa_rt *rt;
	struct xs_sa sa;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		make_sa(&sa, t[i].aalg, t[i].klen, 0);
		sa.enc_alg = t[i].ealg;
		rt = xs_sa_rt_new(&sa, 0);
		xs_sa_wipe(&sa);
		if (!t[i].ok) {
			if (rt)
				fail_msg("case %zu accepted", i);
			continue;
		}
		if (!rt)
			fail_msg("case %zu refused", i);
		assert_int_equal(xs_ah_len(rt, false), t[i].len4);
		assert_int_equal(xs_ah_len(rt, true), t[i].len6);
		xs_sa_rt_free(rt);
	}
}

/* 2: IPv4 output layout, then input restores the datagram. */
static void test_round_trip_v4(void **state)
{
	static const uint8_t opt[] = { 0x94, 4, 0, 0, 7, 7, 4, 1, 2, 3, 4, 0 };
	uint8_t in[BUF], out[BUF], back[BUF];
	enum xs_counter why;
	struct fix f;
	size_t len;
	int n, m;

	(void)state;
	fix_open(&f, SADB_X_AALG_SHA2_256HMAC, 32);
	len = ip4(in, opt, sizeof(opt), 100);
	n = xs_ah_output(&f.c, f.rt, &rfc, in, len, out, sizeof(out), &why);
	assert_int_equal(n, (int)len + 28);
	assert_int_equal(why, XS_CNT_tx_encrypt);
	assert_int_equal(out[9], IPPROTO_AH);
	assert_int_equal(out[32], IPPROTO_UDP); /* AH next header */
	assert_int_equal(out[33], 28 / 4 - 2);
	assert_memory_equal(out + 36, "\0\0\x42\x42\0\0\0\x01", 8);
	assert_memory_equal(out + 32 + 28, in + 32, len - 32);
	m = xs_ah_input(&f.c, f.rt, &rfc, out, (size_t)n, back, sizeof(back),
			&why);
	assert_int_equal(m, (int)len);
	assert_int_equal(why, XS_CNT_rx_decrypt);
	assert_memory_equal(back, in, len);
	/* the same packet again: replayed */
	m = xs_ah_input(&f.c, f.rt, &rfc, out, (size_t)n, back, sizeof(back),
			&why);
	assert_int_equal(m, -EEXIST);
	assert_int_equal(why, XS_CNT_drop_replay);
	fix_close(&f);
}

/* 3: IPv6 with hop-by-hop (router alert + a "may change" option) and a
 * routing header with segments left 0: AH after them, padded to 8. */
static void test_round_trip_v6(void **state)
{
	static const uint8_t ext[] = {
		IPPROTO_ROUTING, 1, 5, 2, 0, 0, 0x3e, 6, 1, 2, 3, 4, 5, 6, 1, 0,
		IPPROTO_UDP,	 0, 0, 0, 0, 0, 0,    0,
	};
	uint8_t in[BUF], out[BUF], back[BUF];
	enum xs_counter why;
	struct fix f;
	size_t len, off = 40 + sizeof(ext);
	int n, m;

	(void)state;
	fix_open(&f, SADB_X_AALG_SHA2_384HMAC, 48);
	len = ip6(in, IPPROTO_HOPOPTS, ext, sizeof(ext), 33);
	n = xs_ah_output(&f.c, f.rt, &rfc, in, len, out, sizeof(out), &why);
	assert_int_equal(n, (int)len + 40);
	assert_int_equal(out[40 + 16], IPPROTO_AH); /* routing hdr's nh */
	assert_int_equal(out[off], IPPROTO_UDP);
	assert_int_equal(out[off + 1], 40 / 4 - 2);
	assert_memory_equal(out + off + 12 + 24, "\0\0\0\0", 4); /* pad */
	/* routers change the hop limit, flow label, the 0x3e option */
	out[7] = 1;
	out[3] ^= 0xff;
	out[40 + 8] ^= 0xff;
	m = xs_ah_input(&f.c, f.rt, &rfc, out, (size_t)n, back, sizeof(back),
			&why);
	assert_int_equal(m, (int)len);
	back[7] = in[7];
	back[3] = in[3];
	back[40 + 8] = in[40 + 8];
	assert_memory_equal(back, in, len);
	/* an immutable byte (router alert value) changed: bad ICV */
	n = xs_ah_output(&f.c, f.rt, &rfc, in, len, out, sizeof(out), &why);
	out[40 + 4] ^= 1;
	m = xs_ah_input(&f.c, f.rt, &rfc, out, (size_t)n, back, sizeof(back),
			&why);
	assert_int_equal(m, -EBADMSG);
	assert_int_equal(why, XS_CNT_drop_bad_icv);
	/* segments left != 0: refused */
	in[40 + 16 + 3] = 1;
	n = xs_ah_output(&f.c, f.rt, &rfc, in, len, out, sizeof(out), &why);
	assert_true(n < 0);
	assert_int_equal(why, XS_CNT_drop_unsupported);
	fix_close(&f);
}

/* 4: the knobs change exactly TOS and flags/offset in the ICV input: the
 * ICV equals an HMAC computed here over a header zeroed by hand. */
static void test_knobs(void **state)
{
	static const struct {
		bool cleartos;
		uint16_t mask;
	} t[] = {
		{ true, 0 },	   { false, 0 },     { true, 0xffff },
		{ false, 0x4000 }, { true, 0x1fff },
	};
	static const uint8_t opt[] = { 0x94, 4, 0, 0, 7, 7, 4, 1, 2, 3, 4, 0 };
	uint8_t in[BUF], out[BUF], ref[BUF], md[EVP_MAX_MD_SIZE];
	const struct xs_alg *a = xs_alg_by_id(XS_ALG_AUTH, SADB_AALG_SHA1HMAC);
	struct xs_ah_knobs k;
	enum xs_counter why;
	uint16_t ff;
	struct fix f;
	size_t len, i;
	int n;

	(void)state;
	fix_open(&f, SADB_AALG_SHA1HMAC, 20);
	len = ip4(in, opt, sizeof(opt), 40);
	in[6] = 0x40 | 0x00; /* DF, offset 0 */
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		k.cleartos = t[i].cleartos;
		k.offsetmask = t[i].mask;
		n = xs_ah_output(&f.c, f.rt, &k, in, len, out, sizeof(out),
				 &why);
		assert_int_equal(n, (int)len + 24);
		memcpy(ref, out, (size_t)n);
		if (t[i].cleartos)
			ref[1] = 0;
		ff = (uint16_t)((ref[6] << 8 | ref[7]) & t[i].mask);
		ref[6] = (uint8_t)(ff >> 8);
		ref[7] = (uint8_t)ff;
		ref[8] = ref[10] = ref[11] = 0;
		memset(ref + 24, 0, 8); /* record route: mutable, zeroed */
		memset(ref + 32 + 12, 0, 12); /* ICV */
		assert_int_equal(xs_esp_hmac(a, f.rt->auth_key, 20, ref,
					     (size_t)n, md),
				 0);
		if (memcmp(md, out + 32 + 12, 12))
			fail_msg("knob case %zu: ICV differs", i);
		/* TOS changed in transit breaks it exactly when kept */
		out[1] ^= 4;
		n = xs_ah_input(&f.c, f.rt, &k, out, (size_t)n, ref,
				sizeof(ref), &why);
		if ((n > 0) != t[i].cleartos)
			fail_msg("knob case %zu: TOS change -> %d", i, n);
	}
	fix_close(&f);
}

/* 5: malformed and foreign packets, each with its counter. */
static void test_drops(void **state)
{
	uint8_t in[BUF], out[BUF], bad[BUF], back[BUF];
	enum xs_counter why;
	struct fix f;
	size_t len, i;
	int n, m;

	(void)state;
	fix_open(&f, SADB_AALG_SHA1HMAC, 20);
	len = ip4(in, NULL, 0, 30);
	n = xs_ah_output(&f.c, f.rt, &rfc, in, len, out, sizeof(out), &why);
	assert_true(n > 0);
	/* each ICV byte flipped */
	for (i = 0; i < 12; i++) {
		memcpy(bad, out, (size_t)n);
		bad[32 + i] ^= 0x80;
		m = xs_ah_input(&f.c, f.rt, &rfc, bad, (size_t)n, back,
				sizeof(back), &why);
		assert_int_equal(m, -EBADMSG);
		assert_int_equal(why, XS_CNT_drop_bad_icv);
	}
	/* payload length field off by one either way */
	memcpy(bad, out, (size_t)n);
	bad[21]++;
	m = xs_ah_input(&f.c, f.rt, &rfc, bad, (size_t)n, back, sizeof(back),
			&why);
	assert_int_equal(why, XS_CNT_drop_malformed);
	bad[21] -= 2;
	m = xs_ah_input(&f.c, f.rt, &rfc, bad, (size_t)n, back, sizeof(back),
			&why);
	assert_int_equal(m, -EINVAL);
	assert_int_equal(why, XS_CNT_drop_malformed);
	/* truncated inside AH (total length says so) */
	for (i = 20; i < 20 + 24; i += 5) {
		memcpy(bad, out, i);
		bad[2] = 0;
		bad[3] = (uint8_t)i;
		m = xs_ah_input(&f.c, f.rt, &rfc, bad, i, back, sizeof(back),
				&why);
		assert_int_equal(m, -EINVAL);
		assert_int_equal(why, XS_CNT_drop_malformed);
	}
	/* wrong SPI */
	memcpy(bad, out, (size_t)n);
	bad[27] ^= 1;
	m = xs_ah_input(&f.c, f.rt, &rfc, bad, (size_t)n, back, sizeof(back),
			&why);
	assert_int_equal(why, XS_CNT_drop_unknown_spi);
	/* not AH at all */
	m = xs_ah_input(&f.c, f.rt, &rfc, in, len, back, sizeof(back), &why);
	assert_int_equal(why, XS_CNT_drop_malformed);
	/* sequence number exhaustion: 2^32 - 1 is the last one sent */
	f.rt->seq_out = UINT32_MAX - 1;
	n = xs_ah_output(&f.c, f.rt, &rfc, in, len, out, sizeof(out), &why);
	assert_true(n > 0);
	assert_memory_equal(out + 28, "\xff\xff\xff\xff", 4);
	n = xs_ah_output(&f.c, f.rt, &rfc, in, len, out, sizeof(out), &why);
	assert_int_equal(n, -EOVERFLOW);
	assert_int_equal(why, XS_CNT_drop_seq_wrap);
	fix_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sa),
		cmocka_unit_test(test_round_trip_v4),
		cmocka_unit_test(test_round_trip_v6),
		cmocka_unit_test(test_knobs),
		cmocka_unit_test(test_drops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
