// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * setkey -D / -DP output: golden strings (TZ=UTC, fixed times), the
 * priority formatting table, and print -> parse agreement for policies.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>
#include <cmocka.h>
#include "../../ctl/setkey/parse.h"
#include "../../ctl/setkey/print.h"

#define T0 1700000000 /* Nov 14 22:13:20 2023 UTC */

static void addr(struct xs_addr *a, const char *s, int plen, int port)
{
	memset(a, 0, sizeof(*a));
	a->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(a->family, s, a->a), 1);
	a->plen = (uint8_t)plen;
	a->port = (uint16_t)port;
}

/* Run print into a string; caller frees. */
static char *sa_text(const struct xs_sa *sa, time_t now)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	xs_setkey_print_sa(f, sa, now);
	fclose(f);
	return buf;
}

static char *sp_text(const struct xs_spolicy *sp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	xs_setkey_print_policy(f, sp);
	fclose(f);
	return buf;
}

static void test_sa_golden(void **state)
{
	struct xs_sa sa = { 0 };
	char *s;

	/* 0: the reference SA */
	sa.satype = SADB_SATYPE_ESP;
	sa.mode = IPSEC_MODE_TRANSPORT;
	sa.state = SADB_SASTATE_MATURE;
	sa.spi = 0x1001;
	sa.replay = 64;
	sa.enc_alg = SADB_X_EALG_AES_GCM_ICV16;
	addr(&sa.src, "10.1.0.1", 32, 0);
	addr(&sa.dst, "10.1.0.2", 32, 0);
	sa.cur.addtime = T0;
	s = sa_text(&sa, T0 + 100);
	assert_string_equal(
		s, "10.1.0.1 10.1.0.2\n"
		   "\tesp mode=transport spi=4097(0x00001001) "
		   "reqid=0(0x00000000)\n"
		   "\tE: aes-gcm-16\n"
		   "\tseq=0x00000000 replay=64 window=512 flags=0x00000000 "
		   "state=mature\n"
		   "\tcreated: Nov 14 22:13:20 2023\t"
		   "current: Nov 14 22:15:00 2023\n"
		   "\tdiff: 100(s)\thard: 0(s)\tsoft: 0(s)\n"
		   "\tlast:                     \thard: 0(s)\tsoft: 0(s)\n"
		   "\tcurrent: 0(bytes)\thard: 0(bytes)\tsoft: 0(bytes)\n"
		   "\tallocated: 0\thard: 0\tsoft: 0\n"
		   "\tsadb_seq=0 pid=0 refcnt=0\n");
	free(s);

	/* 1: AH tunnel over IPv6, lifetimes, reqid, dying, used */
	memset(&sa, 0, sizeof(sa));
	sa.satype = SADB_SATYPE_AH;
	sa.mode = IPSEC_MODE_TUNNEL;
	sa.state = SADB_SASTATE_DYING;
	sa.spi = 0xdeadbeef;
	sa.reqid = 7;
	sa.auth_alg = SADB_X_AALG_SHA2_256HMAC;
	addr(&sa.src, "2001:db8::1", 128, 0);
	addr(&sa.dst, "2001:db8::2", 128, 0);
	sa.cur = (struct xs_lifetime){ 3, 1500, T0, T0 + 60 };
	sa.has_hard = sa.has_soft = true;
	sa.hard = (struct xs_lifetime){ 0, 1000000, 3600, 0 };
	sa.soft = (struct xs_lifetime){ 0, 900000, 3000, 0 };
	sa.seq = 2;
	sa.pid = 4242;
	s = sa_text(&sa, T0 + 3599);
	assert_string_equal(
		s, "2001:db8::1 2001:db8::2\n"
		   "\tah mode=tunnel spi=3735928559(0xdeadbeef) "
		   "reqid=7(0x00000007)\n"
		   "\tA: hmac-sha256\n"
		   "\tseq=0x00000000 replay=0 window=0 flags=0x00000000 "
		   "state=dying\n"
		   "\tcreated: Nov 14 22:13:20 2023\t"
		   "current: Nov 14 23:13:19 2023\n"
		   "\tdiff: 3599(s)\thard: 3600(s)\tsoft: 3000(s)\n"
		   "\tlast: Nov 14 22:14:20 2023\thard: 0(s)\tsoft: 0(s)\n"
		   "\tcurrent: 1500(bytes)\thard: 1000000(bytes)\t"
		   "soft: 900000(bytes)\n"
		   "\tallocated: 3\thard: 0\tsoft: 0\n"
		   "\tsadb_seq=2 pid=4242 refcnt=0\n");
	free(s);
}

/* NAT-T SAs as ipsec-tools prints them: ports after the addresses,
 * "esp-udp", "NAT OA=" when there is one. */
static void test_sa_natt_golden(void **state)
{
	static const char tail[] =
		"\tE: aes-gcm-16\n"
		"\tseq=0x00000000 replay=0 window=0 flags=0x00000000 "
		"state=mature\n"
		"\tcreated: Nov 14 22:13:20 2023\t"
		"current: Nov 14 22:13:20 2023\n"
		"\tdiff: 0(s)\thard: 0(s)\tsoft: 0(s)\n"
		"\tlast:                     \thard: 0(s)\tsoft: 0(s)\n"
		"\tcurrent: 0(bytes)\thard: 0(bytes)\tsoft: 0(bytes)\n"
		"\tallocated: 0\thard: 0\tsoft: 0\n"
		"\tsadb_seq=0 pid=0 refcnt=0\n";
	struct xs_sa sa = { 0 };
	char want[1024], *s;

	(void)state;
	sa.satype = SADB_SATYPE_ESP;
	sa.mode = IPSEC_MODE_TUNNEL;
	sa.state = SADB_SASTATE_MATURE;
	sa.spi = 0x1000;
	sa.enc_alg = SADB_X_EALG_AES_GCM_ICV16;
	addr(&sa.src, "192.0.2.1", 32, 0);
	addr(&sa.dst, "198.51.100.2", 32, 0);
	sa.cur.addtime = T0;
	sa.natt_type = UDP_ENCAP_ESPINUDP;
	sa.natt_sport = 4500;
	sa.natt_dport = 61000;
	s = sa_text(&sa, T0);
	snprintf(want, sizeof(want), "%s%s",
		 "192.0.2.1[4500] 198.51.100.2[61000]\n"
		 "\tesp-udp mode=tunnel spi=4096(0x00001000) "
		 "reqid=0(0x00000000)\n",
		 tail);
	assert_string_equal(s, want);
	free(s);

	addr(&sa.natt_oa, "10.0.0.9", 32, 0);
	s = sa_text(&sa, T0);
	snprintf(want, sizeof(want), "%s%s",
		 "192.0.2.1[4500] 198.51.100.2[61000]\n"
		 "\tesp-udp mode=tunnel spi=4096(0x00001000) "
		 "reqid=0(0x00000000)\n"
		 "\tNAT OA=10.0.0.9\n",
		 tail);
	assert_string_equal(s, want);
	free(s);

	/* the same SA without NAT-T: no ports, "esp", no OA line */
	sa.natt_type = 0;
	s = sa_text(&sa, T0);
	snprintf(want, sizeof(want), "%s%s",
		 "192.0.2.1 198.51.100.2\n"
		 "\tesp mode=tunnel spi=4096(0x00001000) "
		 "reqid=0(0x00000000)\n",
		 tail);
	assert_string_equal(s, want);
	free(s);
}

static void test_sp_golden(void **state)
{
	struct xs_spolicy sp = { 0 };
	char *s;

	/* 0: the reference policy */
	addr(&sp.sel.src, "10.1.0.1", 32, 0);
	addr(&sp.sel.dst, "10.1.0.2", 32, 0);
	sp.sel.proto = IPSEC_ULPROTO_ANY;
	sp.dir = IPSEC_DIR_OUTBOUND;
	sp.type = IPSEC_POLICY_IPSEC;
	sp.priority = XS_PRIORITY_DEFAULT;
	sp.nreq = 1;
	sp.req[0] = (struct xs_ipsecreq){ .proto = IPPROTO_ESP,
					  .mode = IPSEC_MODE_TRANSPORT,
					  .level = IPSEC_LEVEL_REQUIRE };
	sp.id = 1;
	sp.addtime = T0;
	s = sp_text(&sp);
	assert_string_equal(s, "10.1.0.1[any] 10.1.0.2[any] any\n"
			       "\tout prio def ipsec\n"
			       "\tesp/transport//require\n"
			       "\tcreated: Nov 14 22:13:20 2023  "
			       "lastused:                     \n"
			       "\tlifetime: 0(s) validtime: 0(s)\n"
			       "\tspid=1 seq=0 pid=0\n"
			       "\trefcnt=1\n");
	free(s);

	/* 1: tunnel, prefixes, port, tcp, unique:7, prio high + 3 */
	addr(&sp.sel.src, "10.0.1.0", 24, 80);
	addr(&sp.sel.dst, "10.0.2.0", 24, 0);
	sp.sel.proto = IPPROTO_TCP;
	sp.dir = IPSEC_DIR_FWD;
	sp.priority = XS_PRIORITY_HIGH - 3;
	sp.req[0].mode = IPSEC_MODE_TUNNEL;
	sp.req[0].level = IPSEC_LEVEL_UNIQUE;
	sp.req[0].reqid = 7;
	addr(&sp.req[0].src, "192.0.2.1", 32, 0);
	addr(&sp.req[0].dst, "198.51.100.1", 32, 0);
	sp.nreq = 2;
	sp.req[1] = (struct xs_ipsecreq){ .proto = IPPROTO_AH,
					  .mode = IPSEC_MODE_TRANSPORT,
					  .level = IPSEC_LEVEL_USE,
					  .reqid = 20000 };
	sp.id = 17;
	sp.seq = 3;
	sp.pid = 99;
	sp.usetime = T0 + 1;
	sp.lifetime = 3600; /* a hard lifetime (PF_KEY LIFETIME_HARD) */
	sp.validtime = 600;
	s = sp_text(&sp);
	assert_string_equal(s, "10.0.1.0/24[80] 10.0.2.0/24[any] tcp\n"
			       "\tfwd prio high + 3 ipsec\n"
			       "\tesp/tunnel/192.0.2.1-198.51.100.1/unique:7\n"
			       "\tah/transport//use#20000\n"
			       "\tcreated: Nov 14 22:13:20 2023  "
			       "lastused: Nov 14 22:13:21 2023\n"
			       "\tlifetime: 3600(s) validtime: 600(s)\n"
			       "\tspid=17 seq=3 pid=99\n"
			       "\trefcnt=1\n");
	free(s);

	/* 2: icmp6 135,0 bypass, IPv6 any, never used */
	memset(&sp, 0, sizeof(sp));
	addr(&sp.sel.src, "::", 0, 135);
	addr(&sp.sel.dst, "::", 0, 0);
	sp.sel.proto = IPPROTO_ICMPV6;
	sp.dir = IPSEC_DIR_INBOUND;
	sp.type = IPSEC_POLICY_BYPASS;
	sp.priority = XS_PRIORITY_LOW + 5;
	s = sp_text(&sp);
	assert_string_equal(s, "::/0 ::/0 icmp6 135,0\n"
			       "\tin prio low - 5 bypass\n"
			       "\tcreated:                       lastused:"
			       "                     \n"
			       "\tlifetime: 0(s) validtime: 0(s)\n"
			       "\tspid=0 seq=0 pid=0\n"
			       "\trefcnt=1\n");
	free(s);
}

static void test_prio_format(void **state)
{
	static const struct {
		uint32_t prio;
		const char *want;
	} cases[] = {
		/* 0 */ { 0, "" },
		/* 1 */ { XS_PRIORITY_DEFAULT, "prio def" },
		/* 2 */ { XS_PRIORITY_HIGH, "prio high" },
		/* 3 */ { XS_PRIORITY_LOW, "prio low" },
		/* 4 */ { XS_PRIORITY_HIGH - 3, "prio high + 3" },
		/* 5 */ { XS_PRIORITY_HIGH + 3, "prio high - 3" },
		/* 6 */ { XS_PRIORITY_DEFAULT - 10, "prio def + 10" },
		/* 7 */ { XS_PRIORITY_LOW + 5, "prio low - 5" },
		/* 8 */ { 1, "prio high + 1073741823" },
		/* 9 */ { 0xffffffffu, "prio low - 1073741823" },
		/* 10: the high/def boundary is 0x60000000 */
		/* 10 */ { 0x5fffffffu, "prio high - 536870911" },
		/* 11 */ { 0x60000000u, "prio def + 536870912" },
	};
	char buf[48];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("prio case %zu\n", i);
		xs_setkey_format_prio(buf, sizeof(buf), cases[i].prio);
		assert_string_equal(buf, cases[i].want);
	}
}

/* ----------------------------------------- print -> parse agreement */

static int keep_cb(const struct xs_setkey_cmd *cmd, void *arg)
{
	*(struct xs_spolicy *)arg = cmd->sp;
	return 0;
}

static void parse_sp(const char *in, struct xs_spolicy *sp)
{
	char err[256];

	memset(sp, 0, sizeof(*sp));
	if (xs_setkey_parse(in, strlen(in), "rt", keep_cb, sp, err,
			    sizeof(err)))
		fail_msg("%s: %s", in, err);
}

/* "spdadd <line 1> -P <line 2> <requests...>;" from the printed text. */
static void reparse(const char *text, char *out, size_t size)
{
	const char *p = text;
	size_t n = 0;
	int line;

	n += (size_t)snprintf(out + n, size - n, "spdadd ");
	for (line = 0; *p && line < 2 + XS_MAX_TMPL; line++) {
		const char *e = strchr(p, '\n');

		if (!strncmp(p, "\tcreated:", 9))
			break;
		if (line == 1)
			n += (size_t)snprintf(out + n, size - n, " -P");
		n += (size_t)snprintf(out + n, size - n, " %.*s", (int)(e - p),
				      p);
		p = e + 1;
	}
	snprintf(out + n, size - n, ";");
}

static void test_roundtrip(void **state)
{
	static const char *const in[] = {
		/* 0 */ "spdadd 10.1.0.1 10.1.0.2 any -P out ipsec "
			"esp/transport//require;",
		/* 1 */
		"spdadd 10.0.1.0/24 10.0.2.0/24[443] tcp -P fwd prio "
		"high + 3 ipsec esp/tunnel/192.0.2.1-198.51.100.1/"
		"unique:7 ah/transport//use;",
		/* 2 */ "spdadd ::/0 ::/0 icmp6 135,0 -P in prio low - 5 none;",
		/* 3 */
		"spdadd 2001:db8::/32[any] 2001:db8:1::/48 47 -P out "
		"prio 77 discard;",
		/* 4 */
		"spdadd 10.0.0.1 10.0.0.2 udp -P in prio -4 ipsec "
		"esp/tunnel/2001:db8::1-2001:db8::2/;",
	};
	struct xs_spolicy a, b;
	char buf[1024];
	size_t i;
	char *s;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		print_message("roundtrip case %zu\n", i);
		parse_sp(in[i], &a);
		s = sp_text(&a);
		reparse(s, buf, sizeof(buf));
		print_message("  %s\n", buf);
		parse_sp(buf, &b);
		assert_memory_equal(&a, &b, sizeof(a));
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sa_golden),
		cmocka_unit_test(test_sa_natt_golden),
		cmocka_unit_test(test_sp_golden),
		cmocka_unit_test(test_prio_format),
		cmocka_unit_test(test_roundtrip),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
