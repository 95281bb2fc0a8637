// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Tunnel mode outer headers (ctl/daemon/tunnel.c): numbered tables of
 * the knobs (dfbit, ecn) on encapsulation and of KAME's ip_ecn egress
 * rules on decapsulation, the four family mixes, refusals, and ESP
 * tunnel round trips through xs_esp_output / xs_esp_input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "../../ctl/daemon/tunnel.h"
#include "../../ctl/lib/bytes.h"

#define BUF 4096

static const uint8_t key20[20] = { 1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
				   11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };

static struct xs_sa_rt *make_rt(int family, uint8_t mode)
{
	struct xs_sa sa;
	struct xs_sa_rt *rt;

	memset(&sa, 0, sizeof(sa));
	sa.satype = SADB_SATYPE_ESP;
	sa.mode = mode;
	sa.state = SADB_SASTATE_MATURE;
	sa.replay = 4;
	sa.spi = 0x1001;
	sa.enc_alg = SADB_X_EALG_AES_GCM_ICV16;
	sa.auth_alg = SADB_AALG_NONE;
	sa.enc_keylen = sizeof(key20);
	memcpy(sa.enc_key, key20, sizeof(key20));
	sa.src.family = sa.dst.family = (uint8_t)family;
	if (family == AF_INET) {
		inet_pton(AF_INET, "192.0.2.1", sa.src.a);
		inet_pton(AF_INET, "198.51.100.1", sa.dst.a);
	} else {
		inet_pton(AF_INET6, "2001:db8:a::1", sa.src.a);
		inet_pton(AF_INET6, "2001:db8:b::1", sa.dst.a);
	}
	rt = xs_sa_rt_new(&sa, 3);
	xs_sa_wipe(&sa);
	assert_non_null(rt);
	return rt;
}

static void set_csum(uint8_t *h)
{
	uint32_t sum = 0;
	int i;

	h[10] = h[11] = 0;
	for (i = 0; i < 20; i += 2)
		sum += xs_get_be16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	xs_put_be16(h + 10, (uint16_t)~sum);
}

/* An inner UDP datagram with traffic class tc (and DF for IPv4). */
static size_t inner(int family, uint8_t tc, bool df, uint8_t *o, size_t payload)
{
	size_t hl = family == AF_INET ? 20 : 40, len = hl + 8 + payload;

	memset(o, 0, len);
	if (family == AF_INET) {
		o[0] = 0x45;
		o[1] = tc;
		xs_put_be16(o + 2, (uint16_t)len);
		xs_put_be16(o + 6, df ? 0x4000 : 0);
		o[8] = 63;
		o[9] = IPPROTO_UDP;
		inet_pton(AF_INET, "10.1.0.2", o + 12);
		inet_pton(AF_INET, "10.2.0.2", o + 16);
		set_csum(o);
	} else {
		o[0] = (uint8_t)(0x60 | (tc >> 4));
		o[1] = (uint8_t)(tc << 4);
		xs_put_be16(o + 4, (uint16_t)(8 + payload));
		o[6] = IPPROTO_UDP;
		o[7] = 63;
		inet_pton(AF_INET6, "fd01::2", o + 8);
		inet_pton(AF_INET6, "fd02::2", o + 24);
	}
	xs_put_be16(o + hl + 4, (uint16_t)(8 + payload));
	return len;
}

static uint8_t tclass(const uint8_t *ip)
{
	if (ip[0] >> 4 == 4)
		return ip[1];
	return (uint8_t)(((ip[0] & 0x0f) << 4) | (ip[1] >> 4));
}

static bool csum_ok(const uint8_t *h)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i < 20; i += 2)
		sum += xs_get_be16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* Encapsulation: outer fields for each knob setting. */
static const struct enc_case {
	int outer, in;
	uint8_t dfbit, ecn, tc;
	bool df;
	uint8_t want_tc; /* outer traffic class */
	int want_df; /* outer IPv4 DF, -1 for an IPv6 outer */
} enc_cases[] = {
	/* 1 */ { AF_INET, AF_INET, 0, 0, 0xb8, true, 0xb8, 0 },
	/* 2 */ { AF_INET, AF_INET, 1, 0, 0xb8, false, 0xb8, 1 },
	/* 3 */ { AF_INET, AF_INET, 2, 0, 0x00, true, 0x00, 1 },
	/* 4 */ { AF_INET, AF_INET, 2, 0, 0x00, false, 0x00, 0 },
	/* 5: IPv6 inner counts as DF */
	/* 5 */ { AF_INET, AF_INET6, 2, 0, 0x00, false, 0x00, 1 },
	/* ecn 0 forbidden: no ECN outside */
	/* 6 */ { AF_INET, AF_INET, 0, 0, 0xbb, false, 0xb8, 0 },
	/* 7 */ { AF_INET, AF_INET, 0, 0, 0xb9, false, 0xb8, 0 },
	/* ecn 1 allowed: copied, CE as ECT(0) */
	/* 8 */ { AF_INET, AF_INET, 0, 1, 0xba, false, 0xba, 0 },
	/* 9 */ { AF_INET, AF_INET, 0, 1, 0xb9, false, 0xb9, 0 },
	/* 10 */ { AF_INET, AF_INET, 0, 1, 0xbb, false, 0xba, 0 },
	/* ecn 2 nocare: copied as is */
	/* 11 */ { AF_INET, AF_INET, 0, 2, 0xbb, false, 0xbb, 0 },
	/* IPv6 outer (ecn6) */
	/* 12 */ { AF_INET6, AF_INET6, 1, 1, 0x2b, false, 0x2a, -1 },
	/* 13 */ { AF_INET6, AF_INET, 1, 0, 0x2b, true, 0x28, -1 },
	/* 14 */ { AF_INET6, AF_INET, 0, 2, 0x03, false, 0x03, -1 },
};

static void test_encap_table(void **state)
{
	uint8_t in[BUF], out[BUF];
	size_t i, ilen;
	int n;

	(void)state;
	for (i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		const struct enc_case *t = &enc_cases[i];
		struct xs_tun_knobs k = { t->dfbit, t->ecn, t->ecn };
		struct xs_sa_rt *rt = make_rt(t->outer, IPSEC_MODE_TUNNEL);
		enum xs_counter why = XS_CNT_MAX;
		size_t hl = xs_tun_hdrlen(rt);

		ilen = inner(t->in, t->tc, t->df, in, 100);
		n = xs_tun_encap(rt, &k, in, ilen, 0x1234, out, sizeof(out),
				 &why);
		if (n != (int)(hl + ilen) || tclass(out) != t->want_tc ||
		    (t->want_df >= 0 &&
		     !!(xs_get_be16(out + 6) & 0x4000) != t->want_df))
			fail_msg("case %zu: len %d tc %#x", i + 1, n,
				 tclass(out));
		assert_memory_equal(out + hl, in, ilen); /* inner untouched */
		if (t->outer == AF_INET) {
			assert_int_equal(out[0], 0x45);
			assert_int_equal(out[8], 64);
			assert_int_equal(out[9], t->in == AF_INET ? 4 : 41);
			assert_int_equal(xs_get_be16(out + 2), n);
			assert_int_equal(xs_get_be16(out + 4), 0x1234);
			assert_true(csum_ok(out));
			assert_memory_equal(out + 12, rt->src.a, 4);
			assert_memory_equal(out + 16, rt->dst.a, 4);
		} else {
			assert_int_equal(out[0] >> 4, 6);
			assert_int_equal(out[1] & 0x0f, 0); /* flow label 0 */
			assert_int_equal(out[2] | out[3], 0);
			assert_int_equal(out[6], t->in == AF_INET ? 4 : 41);
			assert_int_equal(out[7], 64);
			assert_int_equal(xs_get_be16(out + 4), ilen);
			assert_memory_equal(out + 8, rt->src.a, 16);
			assert_memory_equal(out + 24, rt->dst.a, 16);
		}
		xs_sa_rt_free(rt);
	}
}

/* Decapsulation ECN (KAME ip_ecn_egress), outer traffic class -> inner. */
static const struct dec_case {
	uint8_t ecn, outer_tc, inner_tc;
	int want; /* inner traffic class after, -1 = dropped (drop_ecn) */
} dec_cases[] = {
	/* 1 */ { 1, 0x03, 0xba, 0xbb }, /* CE over ECT(0): CE */
	/* 2 */ { 1, 0x03, 0xb9, 0xbb }, /* CE over ECT(1): CE */
	/* 3 */ { 1, 0x03, 0xb8, -1 }, /* CE over not-ECT: drop */
	/* 4 */ { 1, 0x01, 0xba, 0xb9 }, /* ECT(1) over ECT(0): ECT(1) */
	/* 5 */ { 1, 0x02, 0xb9, 0xb9 }, /* ECT(0) over ECT(1): kept */
	/* 6 */ { 1, 0x00, 0xbb, 0xbb }, /* not-ECT over CE: kept */
	/* 7 */ { 0, 0x03, 0xb8, 0xb8 }, /* forbidden: inner alone */
	/* 8 */ { 0, 0x03, 0xba, 0xba },
	/* 9 */ { 2, 0x03, 0xb8, 0xb8 }, /* nocare: inner alone */
	/* 10 */ { 1, 0xff, 0x02, 0x03 }, /* DSCP of the outer ignored */
};

static void test_decap_ecn_table(void **state)
{
	uint8_t in[BUF], pkt[BUF];
	size_t i, ilen;
	int n, fam;

	(void)state;
	for (i = 0; i < sizeof(dec_cases) / sizeof(dec_cases[0]); i++) {
		const struct dec_case *t = &dec_cases[i];
		struct xs_tun_knobs k = { 0, t->ecn, t->ecn };

		for (fam = 0; fam < 2; fam++) {
			int f = fam ? AF_INET6 : AF_INET;
			struct xs_sa_rt *rt = make_rt(f, IPSEC_MODE_TUNNEL);
			struct xs_tun_knobs nocare = { 0, XS_ECN_NOCARE,
						       XS_ECN_NOCARE };
			enum xs_counter why = XS_CNT_MAX;
			bool tun = false;

			ilen = inner(f, t->inner_tc, false, in, 50);
			n = xs_tun_encap(rt, &nocare, in, ilen, 1, pkt,
					 sizeof(pkt), &why);
			assert_true(n > 0);
			if (f == AF_INET) { /* outer tc as the case says */
				pkt[1] = t->outer_tc;
			} else {
				pkt[0] = (uint8_t)(0x60 | (t->outer_tc >> 4));
				pkt[1] = (uint8_t)(t->outer_tc << 4);
			}
			n = xs_tun_decap(rt, &k, pkt, (size_t)n, &tun, &why);
			if (t->want < 0) {
				if (n != -EACCES || why != XS_CNT_drop_ecn)
					fail_msg("case %zu/%d: %d", i + 1, f,
						 n);
			} else {
				if (n != (int)ilen || !tun ||
				    tclass(pkt) != t->want)
					fail_msg("case %zu/%d: %d tc %#x",
						 i + 1, f, n, tclass(pkt));
				if (f == AF_INET)
					assert_true(csum_ok(pkt));
				/* nothing but the traffic class (and the
				 * IPv4 checksum) changed */
				assert_memory_equal(pkt + 2, in + 2, 8);
				assert_memory_equal(pkt + 12, in + 12,
						    ilen - 12);
			}
			xs_sa_rt_free(rt);
		}
	}
}

/* Every mix: v4/v6 inside v4/v6, and a trailing byte after the inner
 * datagram trimmed. */
static void test_decap_mixes(void **state)
{
	struct xs_tun_knobs k = { 0, 0, 0 };
	uint8_t in[BUF], pkt[BUF];
	int o, i, n;

	(void)state;
	for (o = 0; o < 2; o++) {
		for (i = 0; i < 2; i++) {
			int of = o ? AF_INET6 : AF_INET;
			int inf = i ? AF_INET6 : AF_INET;
			struct xs_sa_rt *rt = make_rt(of, IPSEC_MODE_ANY);
			enum xs_counter why = XS_CNT_MAX;
			size_t ilen = inner(inf, 0, true, in, 333);
			bool tun = false;

			n = xs_tun_encap(rt, &k, in, ilen, 9, pkt, sizeof(pkt),
					 &why);
			assert_int_equal(n, xs_tun_hdrlen(rt) + ilen);
			pkt[n] = 0xee; /* one stray byte after the datagram */
			if (of == AF_INET)
				xs_put_be16(pkt + 2, (uint16_t)(n + 1));
			else
				xs_put_be16(pkt + 4, (uint16_t)(n + 1 - 40));
			n = xs_tun_decap(rt, &k, pkt, (size_t)n + 1, &tun,
					 &why);
			assert_int_equal(n, ilen);
			assert_true(tun);
			assert_memory_equal(pkt, in, ilen);
			xs_sa_rt_free(rt);
		}
	}
}

/* Refusals and pass-throughs. */
static void test_decap_refusals(void **state)
{
	struct xs_tun_knobs k = { 0, 0, 0 };
	struct xs_sa_rt *tun = make_rt(AF_INET, IPSEC_MODE_TUNNEL);
	struct xs_sa_rt *any = make_rt(AF_INET, IPSEC_MODE_ANY);
	struct xs_sa_rt *tra = make_rt(AF_INET, IPSEC_MODE_TRANSPORT);
	enum xs_counter why = XS_CNT_MAX;
	uint8_t in[BUF], pkt[BUF];
	size_t ilen = inner(AF_INET, 0, false, in, 20);
	bool t;
	int n;

	(void)state;
	/* 1: a tunnel SA whose payload is UDP, not IP: selector drop */
	memcpy(pkt, in, ilen);
	n = xs_tun_decap(tun, &k, pkt, ilen, &t, &why);
	assert_int_equal(n, -EACCES);
	assert_int_equal(why, XS_CNT_drop_selector);
	/* 2: mode any, payload not IP: transport, unchanged */
	n = xs_tun_decap(any, &k, pkt, ilen, &t, &why);
	assert_int_equal(n, ilen);
	assert_false(t);
	/* 3: transport SA carrying IPIP: delivered as IPIP */
	n = xs_tun_encap(tun, &k, in, ilen, 1, pkt, sizeof(pkt), &why);
	assert_true(n > 0);
	assert_int_equal(xs_tun_decap(tra, &k, pkt, (size_t)n, &t, &why), n);
	assert_false(t);
	/* 4: protocol 4 but the inner is IPv6: malformed */
	pkt[9] = IPPROTO_IPIP;
	pkt[20] = 0x60;
	assert_int_equal(xs_tun_decap(tun, &k, pkt, (size_t)n, &t, &why),
			 -EINVAL);
	assert_int_equal(why, XS_CNT_drop_malformed);
	/* 5: inner truncated (its length says more than is there) */
	n = xs_tun_encap(tun, &k, in, ilen, 1, pkt, sizeof(pkt), &why);
	assert_int_equal(xs_tun_decap(tun, &k, pkt, (size_t)n - 1, &t, &why),
			 -EINVAL);
	/* 6: encapsulating something that is not IP */
	memset(in, 0, 40);
	assert_int_equal(xs_tun_encap(tun, &k, in, 40, 1, pkt, sizeof(pkt),
				      &why),
			 -EINVAL);
	/* 7: no room */
	ilen = inner(AF_INET, 0, false, in, 20);
	assert_int_equal(xs_tun_encap(tun, &k, in, ilen, 1, pkt, ilen + 19,
				      &why),
			 -EMSGSIZE);
	xs_sa_rt_free(tun);
	xs_sa_rt_free(any);
	xs_sa_rt_free(tra);
}

/* ESP in tunnel mode: encapsulate, ESP output on the outer datagram, ESP
 * input, decapsulate: the inner datagram comes back; next header 4/41. */
static void test_esp_tunnel_round_trip(void **state)
{
	struct xs_tun_knobs k = { 2, 1, 1 };
	uint8_t in[BUF], outer[BUF], esp[BUF], back[BUF];
	int o, i, n, m;

	(void)state;
	for (o = 0; o < 2; o++) {
		for (i = 0; i < 2; i++) {
			int of = o ? AF_INET6 : AF_INET;
			int inf = i ? AF_INET6 : AF_INET;
			struct xs_sa_rt *rt = make_rt(of, IPSEC_MODE_TUNNEL);
			enum xs_counter why = XS_CNT_MAX;
			struct xs_esp_ctx c;
			size_t ilen = inner(inf, 0xba, true, in, 1000);
			bool tun;

			assert_int_equal(xs_esp_ctx_init(&c, rt), 0);
			n = xs_tun_encap(rt, &k, in, ilen, 5, outer,
					 sizeof(outer), &why);
			assert_true(n > 0);
			m = xs_esp_output(&c, rt, outer, (size_t)n, esp,
					  sizeof(esp), &why);
			assert_true(m > n);
			assert_true((size_t)m <= ilen + xs_esp_overhead(rt) +
							 xs_tun_hdrlen(rt));
			n = xs_esp_input(&c, rt, esp, (size_t)m, back,
					 sizeof(back), &why);
			assert_true(n > 0);
			assert_int_equal(of == AF_INET ? back[9] : back[6],
					 inf == AF_INET ? 4 : 41);
			n = xs_tun_decap(rt, &k, back, (size_t)n, &tun, &why);
			assert_int_equal(n, ilen);
			assert_true(tun);
			assert_memory_equal(back, in, ilen);
			xs_esp_ctx_fini(&c);
			xs_sa_rt_free(rt);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encap_table),
		cmocka_unit_test(test_decap_ecn_table),
		cmocka_unit_test(test_decap_mixes),
		cmocka_unit_test(test_decap_refusals),
		cmocka_unit_test(test_esp_tunnel_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
