// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ESP in UDP (ctl/daemon/natt.c): encapsulation and removal over IPv4 and
 * IPv6 with the checksums RFC 3948 asks for, the transport-mode checksum
 * fix-up after a NAT, and refusals.
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
#include "../../ctl/daemon/natt.h"
#include "../../ctl/daemon/pkt.h"
#include "../../ctl/lib/bytes.h"

#define BUF 2048

/* A datagram of proto with plen payload bytes from "src" to "dst". */
static size_t dgram(int family, uint8_t proto, size_t plen, uint8_t *o)
{
	size_t hl = family == AF_INET ? 20 : 40, i;

	memset(o, 0, hl);
	if (family == AF_INET) {
		o[0] = 0x45;
		xs_put_be16(o + 2, (uint16_t)(hl + plen));
		o[8] = 64;
		o[9] = proto;
		inet_pton(AF_INET, "172.16.0.2", o + 12);
		inet_pton(AF_INET, "198.51.100.1", o + 16);
		xs_put_be16(o + 10, (uint16_t)~xs_csum(o, 20, 0));
	} else {
		o[0] = 0x60;
		xs_put_be16(o + 4, (uint16_t)plen);
		o[6] = proto;
		o[7] = 64;
		inet_pton(AF_INET6, "fd00::2", o + 8);
		inet_pton(AF_INET6, "2001:db8:b::1", o + 24);
	}
	for (i = 0; i < plen; i++)
		o[hl + i] = (uint8_t)(i * 7 + 1);
	return hl + plen;
}

/* The L4 checksum of ip verifies (sums to 0xffff with the pseudo
 * header). */
static bool l4_ok(const uint8_t *ip, size_t len)
{
	struct xs_pkt p;
	uint8_t ph[40];
	size_t a, l4;
	uint32_t s;

	assert_int_equal(xs_pkt_parse(ip, len, &p), 0);
	a = p.family == AF_INET ? 4 : 16;
	l4 = (size_t)p.totlen - p.l3len;
	memcpy(ph, p.src, a);
	memcpy(ph + a, p.dst, a);
	ph[2 * a] = 0;
	ph[2 * a + 1] = p.proto;
	xs_put_be16(ph + 2 * a + 2, (uint16_t)l4);
	s = xs_csum(ph, 2 * a + 4, 0);
	return xs_csum(ip + p.l3len, l4, s) == 0xffff;
}

static struct xs_sa_rt rt_natt = {
	.natt_type = 2,
	.natt_sport = 4500,
	.natt_dport = 4501,
};

static void test_encap_strip(void **state)
{
	uint8_t pkt[BUF], orig[BUF];
	enum xs_counter why;
	int f, n;

	(void)state;
	for (f = 0; f < 2; f++) {
		int fam = f ? AF_INET6 : AF_INET;
		size_t hl = f ? 40 : 20,
		       len = dgram(fam, IPPROTO_ESP, 100, pkt);
		uint8_t *ip;
		size_t slen;

		memcpy(orig, pkt, len);
		n = xs_natt_encap(&rt_natt, pkt, len, sizeof(pkt), &why);
		assert_int_equal(n, len + 8);
		assert_int_equal(pkt[f ? 6 : 9], IPPROTO_UDP);
		assert_int_equal(xs_get_be16(pkt + hl), 4500);
		assert_int_equal(xs_get_be16(pkt + hl + 2), 4501);
		assert_int_equal(xs_get_be16(pkt + hl + 4), 108);
		if (fam == AF_INET) {
			assert_int_equal(xs_get_be16(pkt + 2), n);
			assert_int_equal(xs_csum(pkt, 20, 0), 0xffff);
			assert_int_equal(xs_get_be16(pkt + hl + 6), 0);
		} else {
			assert_int_equal(xs_get_be16(pkt + 4), 108);
			assert_true(l4_ok(pkt, (size_t)n)); /* IPv6: real */
		}
		assert_memory_equal(pkt + hl + 8, orig + hl, 100);
		slen = (size_t)n;
		ip = xs_natt_strip(pkt, &slen, &why);
		assert_non_null(ip);
		assert_ptr_equal(ip, pkt + 8);
		assert_int_equal(slen, len);
		assert_memory_equal(ip, orig, len);
	}
}

static void test_refusals(void **state)
{
	uint8_t pkt[BUF];
	enum xs_counter why = XS_CNT_MAX;
	size_t len;

	(void)state;
	/* 1: no room for the UDP header */
	len = dgram(AF_INET, IPPROTO_ESP, 40, pkt);
	assert_int_equal(xs_natt_encap(&rt_natt, pkt, len, len + 7, &why),
			 -EMSGSIZE);
	/* 2: not ESP */
	len = dgram(AF_INET, IPPROTO_TCP, 40, pkt);
	assert_int_equal(xs_natt_encap(&rt_natt, pkt, len, BUF, &why), -EINVAL);
	/* 3: strip: not UDP */
	assert_null(xs_natt_strip(pkt, &len, &why));
	assert_int_equal(why, XS_CNT_drop_malformed);
	/* 4: strip: UDP too short to hold SPI and sequence */
	len = dgram(AF_INET, IPPROTO_UDP, 15, pkt);
	assert_null(xs_natt_strip(pkt, &len, &why));
	/* 5: strip: IPv6 with an extension header before UDP */
	len = dgram(AF_INET6, IPPROTO_DSTOPTS, 40, pkt);
	pkt[40] = IPPROTO_UDP;
	pkt[41] = 0;
	assert_null(xs_natt_strip(pkt, &len, &why));
	assert_int_equal(why, XS_CNT_drop_unsupported);
	/* 6: strip: truncated datagram */
	len = dgram(AF_INET, IPPROTO_UDP, 40, pkt);
	len -= 1;
	assert_null(xs_natt_strip(pkt, &len, &why));
}

/* The sender computed the checksum with its pre-NAT address; after the
 * NAT rewrote the outer source, the fix-up makes it verify again. */
static void test_fix_csum(void **state)
{
	static const struct {
		int family;
		uint8_t proto;
		size_t plen;
		bool zero; /* IPv4 UDP checksum 0: stays 0 */
	} cases[] = {
		/* 1 */ { AF_INET, IPPROTO_TCP, 100, false },
		/* 2 */ { AF_INET, IPPROTO_UDP, 33, false },
		/* 3 */ { AF_INET, IPPROTO_UDP, 33, true },
		/* 4 */ { AF_INET6, IPPROTO_TCP, 1000, false },
		/* 5 */ { AF_INET6, IPPROTO_UDP, 9, false },
		/* 6 */ { AF_INET, IPPROTO_ICMP, 20, false },
	};
	uint8_t pkt[BUF], before[BUF];
	size_t i, len, hl;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = dgram(cases[i].family, cases[i].proto, cases[i].plen,
			    pkt);
		hl = cases[i].family == AF_INET ? 20 : 40;
		if (cases[i].proto == IPPROTO_UDP)
			xs_put_be16(pkt + hl + 4, (uint16_t)cases[i].plen);
		if (cases[i].proto == IPPROTO_TCP)
			pkt[hl + 12] = 0x50;
		/* a bogus checksum, as from another source address */
		if (cases[i].proto == IPPROTO_TCP)
			xs_put_be16(pkt + hl + 16, 0x1234);
		else if (cases[i].proto == IPPROTO_UDP)
			xs_put_be16(pkt + hl + 6, cases[i].zero ? 0 : 0x1234);
		memcpy(before, pkt, len);
		xs_natt_fix_csum(pkt, len);
		if (cases[i].proto == IPPROTO_ICMP || cases[i].zero) {
			assert_memory_equal(pkt, before, len);
			continue;
		}
		if (!l4_ok(pkt, len))
			fail_msg("case %zu: checksum does not verify", i + 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encap_strip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_fix_csum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
