// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * setkey -x: the one-line rendering of each PF_KEY message
 * (xs_setkey_format_msg), on messages built with the codec; a numbered
 * table of (message, expected line).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "../../ctl/lib/pfkey_msg.h"
#include "../../ctl/setkey/monitor.h"

static uint8_t buf[4096];

static void set_addr(struct xs_addr *a, const char *ip, uint8_t plen,
		     uint16_t port)
{
	int fam = strchr(ip, ':') ? AF_INET6 : AF_INET;

	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)fam;
	a->plen = plen;
	a->port = port;
	assert_int_equal(inet_pton(fam, ip, a->a), 1);
}

static void make_sa(struct xs_sa *sa, uint8_t state, const char *s,
		    const char *d)
{
	memset(sa, 0, sizeof(*sa));
	sa->satype = SADB_SATYPE_ESP;
	sa->mode = IPSEC_MODE_TRANSPORT;
	sa->state = state;
	sa->spi = 0x1234;
	sa->enc_alg = SADB_X_EALG_AES_GCM_ICV16;
	set_addr(&sa->src, s, 0, 0);
	set_addr(&sa->dst, d, 0, 0);
}

/* Build case i into buf; returns the parsed message. */
static void build(int i, struct xs_pfkey_msg *m)
{
	struct xs_spolicy sp;
	struct xs_msgbuf b;
	struct xs_sa sa;
	int len;

	xs_msgbuf_init(&b, buf, sizeof(buf));
	switch (i) {
	case 0: /* soft EXPIRE */
		xs_pfkey_begin(&b, SADB_EXPIRE, SADB_SATYPE_ESP, 0, 0);
		make_sa(&sa, SADB_SASTATE_DYING, "192.0.2.1", "192.0.2.2");
		xs_pfkey_put_sa(&b, &sa, XS_PFKEY_SA_ALGS);
		xs_pfkey_put_lifetime(&b, SADB_EXT_LIFETIME_SOFT, &sa.soft);
		break;
	case 1: /* hard EXPIRE, IPv6 */
		xs_pfkey_begin(&b, SADB_EXPIRE, SADB_SATYPE_ESP, 0, 0);
		make_sa(&sa, SADB_SASTATE_DEAD, "2001:db8::1", "2001:db8::2");
		xs_pfkey_put_sa(&b, &sa, XS_PFKEY_SA_ALGS);
		xs_pfkey_put_lifetime(&b, SADB_EXT_LIFETIME_HARD, &sa.hard);
		break;
	case 2: /* an error reply: header only */
		xs_pfkey_begin(&b, SADB_ADD, SADB_SATYPE_ESP, 3, 9);
		xs_pfkey_set_errno(&b, -EEXIST);
		break;
	case 3: /* a policy */
		memset(&sp, 0, sizeof(sp));
		set_addr(&sp.sel.src, "10.1.0.0", 16, 0);
		set_addr(&sp.sel.dst, "10.2.0.1", 32, 443);
		sp.sel.proto = IPPROTO_TCP;
		sp.dir = IPSEC_DIR_OUTBOUND;
		sp.type = IPSEC_POLICY_DISCARD;
		sp.id = 65;
		xs_pfkey_begin(&b, SADB_X_SPDADD, 0, 1, 2);
		xs_pfkey_put_policy(&b, &sp);
		break;
	default: /* a GETSPI reply: larval */
		xs_pfkey_begin(&b, SADB_GETSPI, SADB_SATYPE_AH, 5, 6);
		make_sa(&sa, SADB_SASTATE_LARVAL, "192.0.2.1", "192.0.2.2");
		sa.satype = SADB_SATYPE_AH;
		xs_pfkey_put_sa(&b, &sa, 0);
		break;
	}
	len = xs_pfkey_end(&b);
	assert_true(len > 0);
	assert_int_equal(xs_pfkey_parse(buf, (size_t)len, m), 0);
}

static void test_lines(void **state)
{
	static const char *const want[] = {
		/* 0 */ "EXPIRE satype=esp seq=0 pid=0 spi=0x00001234 "
			"state=dying src=192.0.2.1 dst=192.0.2.2 soft",
		/* 1 */
		"EXPIRE satype=esp seq=0 pid=0 spi=0x00001234 "
		"state=dead src=2001:db8::1 dst=2001:db8::2 hard",
		/* 2 */ "ADD satype=esp seq=3 pid=9 errno=17(File exists)",
		/* 3 */
		"X_SPDADD satype=unspec seq=1 pid=2 src=10.1.0.0/16 "
		"dst=10.2.0.1[443] dir=out id=65",
		/* 4 */
		"GETSPI satype=ah seq=5 pid=6 spi=0x00001234 "
		"state=larval src=192.0.2.1 dst=192.0.2.2",
	};
	struct xs_pfkey_msg m;
	char line[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		build((int)i, &m);
		xs_setkey_format_msg(line, sizeof(line), &m);
		print_message("case %zu: %s\n", i, line);
		assert_string_equal(line, want[i]);
	}
}

/* A short buffer truncates, terminated, without writing past it. */
static void test_truncation(void **state)
{
	struct xs_pfkey_msg m;
	char line[32];
	size_t n;

	(void)state;
	build(0, &m);
	for (n = 0; n <= 20; n++) {
		memset(line, 'Z', sizeof(line));
		xs_setkey_format_msg(line, n, &m);
		if (n) {
			assert_int_equal(strlen(line), n - 1);
			assert_memory_equal(line, "EXPIRE satype=esp seq",
					    n - 1);
		}
		assert_int_equal(line[n], 'Z');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
