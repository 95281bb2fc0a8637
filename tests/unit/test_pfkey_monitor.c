// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * setkey -x: messages built with the codec, printed as ipsec-tools'
 * setkey -x prints them (kdebug_sadb() text, date line, -H hexdump,
 * X_PROMISC unwrapping), compared with expected text written from
 * key_debug.c's formats and the messages' wire layout; and malformed
 * messages, which must end the dump without reading past the buffer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "../../ctl/lib/pfkey_msg.h"
#include "../../ctl/setkey/monitor.h"
#include "../lib/pfkey_fix.h"

#define T0 1700000000u

static uint8_t buf[4096];

/* SADB_X_SPDEXPIRE of an out policy with a tunnel request. */
static size_t build_spdexpire(void)
{
	struct xs_spolicy sp;
	struct xs_msgbuf b;
	int len;

	memset(&sp, 0, sizeof(sp));
	xt_pfk_addr(&sp.sel.src, "10.1.0.0", 16, 0);
	xt_pfk_addr(&sp.sel.dst, "10.2.0.1", 32, 443);
	sp.sel.proto = IPPROTO_TCP;
	sp.dir = IPSEC_DIR_OUTBOUND;
	sp.type = IPSEC_POLICY_IPSEC;
	sp.id = 0x41;
	sp.priority = XS_PRIORITY_DEFAULT;
	sp.nreq = 1;
	sp.req[0].proto = IPPROTO_ESP;
	sp.req[0].mode = IPSEC_MODE_TUNNEL;
	sp.req[0].level = IPSEC_LEVEL_REQUIRE;
	xt_pfk_addr(&sp.req[0].src, "192.0.2.1", 32, 0);
	xt_pfk_addr(&sp.req[0].dst, "192.0.2.2", 32, 0);
	sp.addtime = T0;
	sp.lifetime = 30;
	xs_msgbuf_init(&b, buf, sizeof(buf));
	xs_pfkey_begin(&b, SADB_X_SPDEXPIRE, 0, 0, 0);
	xs_pfkey_put_policy(&b, &sp);
	len = xs_pfkey_end(&b);
	assert_true(len > 0);
	return (size_t)len;
}

static const char spdexpire_text[] =
	"sadb_msg{ version=2 type=21 errno=0 satype=0\n"
	"  len=24 reserved=0 seq=0 pid=0\n"
	"sadb_ext{ len=3 type=5 }\n"
	"sadb_address{ proto=6 prefixlen=16 reserved=0x0000 }\n"
	"sockaddr{ len=16 family=2 port=0\n"
	" 0a010000  }\n"
	"sadb_ext{ len=3 type=6 }\n"
	"sadb_address{ proto=6 prefixlen=32 reserved=0x0000 }\n"
	"sockaddr{ len=16 family=2 port=443\n"
	" 0a020001  }\n"
	"sadb_ext{ len=8 type=18 }\n"
	"sadb_x_policy{ type=2 dir=2 id=41 priority=2147483648 }\n"
	" { len=48 proto=50 mode=2 level=2 reqid=0\n"
	"sockaddr{ len=16 family=2 port=0\n"
	" c0000201  }\n"
	"sockaddr{ len=16 family=2 port=0\n"
	" c0000202  }\n"
	" }\n"
	"sadb_ext{ len=4 type=2 }\n"
	"sadb_lifetime{ alloc=0, bytes=0\n"
	"  addtime=1700000000, usetime=0 }\n"
	"sadb_ext{ len=4 type=3 }\n"
	"sadb_lifetime{ alloc=0, bytes=0\n"
	"  addtime=30, usetime=0 }\n";

/* Hard SADB_EXPIRE of an IPv6 ESP SA. */
static size_t build_expire6(void)
{
	struct xs_msgbuf b;
	struct xs_sa sa;
	int len;

	memset(&sa, 0, sizeof(sa));
	sa.satype = SADB_SATYPE_ESP;
	sa.mode = IPSEC_MODE_TRANSPORT;
	sa.state = SADB_SASTATE_DEAD;
	sa.spi = 0x1234;
	sa.reqid = 7;
	sa.enc_alg = SADB_X_EALG_AES_GCM_ICV16;
	xt_pfk_addr(&sa.src, "2001:db8::1", 128, 0);
	xt_pfk_addr(&sa.dst, "2001:db8::2", 128, 0);
	sa.hard.addtime = 60;
	xs_msgbuf_init(&b, buf, sizeof(buf));
	xs_pfkey_begin(&b, SADB_EXPIRE, SADB_SATYPE_ESP, 0, 0);
	xs_pfkey_put_sa(&b, &sa, XS_PFKEY_SA_ALGS);
	xs_pfkey_put_lifetime(&b, SADB_EXT_LIFETIME_HARD, &sa.hard);
	len = xs_pfkey_end(&b);
	assert_true(len > 0);
	return (size_t)len;
}

static const char expire6_text[] =
	"sadb_msg{ version=2 type=8 errno=0 satype=3\n"
	"  len=20 reserved=0 seq=0 pid=0\n"
	"sadb_ext{ len=2 type=1 }\n"
	"sadb_sa{ spi=4660 replay=0 state=3\n"
	"  auth=0 encrypt=20 flags=0x00000000 }\n"
	"sadb_ext{ len=2 type=19 }\n"
	"sadb_x_sa2{ mode=1 reqid=7\n"
	"  reserved1=0 reserved2=0 sequence=0 }\n"
	"sadb_ext{ len=5 type=5 }\n"
	"sadb_address{ proto=255 prefixlen=128 reserved=0x0000 }\n"
	"sockaddr{ len=28 family=10 port=0\n"
	"  flowinfo=0x00000000, scope_id=0x00000000\n"
	" 20010db8 00000000 00000000 00000001  }\n"
	"sadb_ext{ len=5 type=6 }\n"
	"sadb_address{ proto=255 prefixlen=128 reserved=0x0000 }\n"
	"sockaddr{ len=28 family=10 port=0\n"
	"  flowinfo=0x00000000, scope_id=0x00000000\n"
	" 20010db8 00000000 00000000 00000002  }\n"
	"sadb_ext{ len=4 type=3 }\n"
	"sadb_lifetime{ alloc=0, bytes=0\n"
	"  addtime=60, usetime=0 }\n";

/* What f printed so far, as a string (caller frees). */
static char *render(const struct xs_monitor_opts *o, const void *msg,
		    size_t len)
{
	struct timeval tv = { .tv_sec = T0 + 3723, .tv_usec = 42 };
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	if (o)
		xs_setkey_monitor_print(f, o, &tv, msg, len);
	else
		xs_setkey_kdebug(f, msg, len);
	fclose(f);
	return out;
}

static void check(const struct xs_monitor_opts *o, const void *msg, size_t len,
		  const char *want)
{
	char *got = render(o, msg, len);

	assert_string_equal(got, want);
	free(got);
}

static void test_kdebug_policy(void **state)
{
	(void)state;
	check(NULL, buf, build_spdexpire(), spdexpire_text);
}

static void test_kdebug_sa(void **state)
{
	(void)state;
	check(NULL, buf, build_expire6(), expire6_text);
}

/* The -x / -xx date line, the -H hexdump, X_PROMISC wrapping. */
static void test_monitor_lines(void **state)
{
	struct xs_monitor_opts x = { 0, 1, false }, xx = { 0, 2, false };
	struct xs_monitor_opts xh = { 0, 2, true };
	static const uint8_t errrep[16] = { 2, 3, 17, 3, 2,    0,    0, 0,
					    5, 0, 0,  0, 0x39, 0x30, 0, 0 };
	uint8_t wrapped[64];
	char want[2048];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	/* T0 + 3723 is 23:15:23 UTC */
	snprintf(want, sizeof(want), "23:15:23.000042 \n%s\n", expire6_text);
	check(&x, buf, build_expire6(), want);
	snprintf(want, sizeof(want), "%u.000042 \n%s\n", T0 + 3723,
		 expire6_text);
	check(&xx, buf, build_expire6(), want);
	/* an ADD error reply (EEXIST, seq 5, pid 12345), hexdumped */
	check(&xh, errrep, sizeof(errrep),
	      "1700003723.000042 \n"
	      "00000000: 02 03 11 03 02 00 00 00 05 00 00 00 39 30 00 00 \n"
	      "sadb_msg{ version=2 type=3 errno=17 satype=3\n"
	      "  len=2 reserved=0 seq=5 pid=12345\n"
	      "\n");
	/* a bare X_PROMISC: the date only; wrapped: the inner message */
	memcpy(wrapped, errrep, 16);
	wrapped[1] = SADB_X_PROMISC;
	wrapped[2] = 0;
	wrapped[4] = 4;
	check(&xx, wrapped, 16, "1700003723.000042 \n");
	memcpy(wrapped + 16, errrep, 16);
	check(&xx, wrapped, 32,
	      "1700003723.000042 \n"
	      "sadb_msg{ version=2 type=3 errno=17 satype=3\n"
	      "  len=2 reserved=0 seq=5 pid=12345\n"
	      "\n");
	/* shorter than a header: nothing */
	check(&xx, errrep, 15, "");
}

/* Malformed extensions end the dump with kdebug_sadb's messages. */
static void test_kdebug_malformed(void **state)
{
	size_t len = build_expire6();
	struct sadb_msg *h = (void *)buf;
	struct sadb_ext *e = (void *)(buf + 16);
	char *got;

	(void)state;
	e->sadb_ext_len = 0;
	got = render(NULL, buf, len);
	assert_non_null(strstr(got,
			       "sadb_ext{ len=0 type=1 }\n"
			       "kdebug_sadb: invalid ext_len=0 was passed.\n"));
	free(got);

	e->sadb_ext_len = 200;
	got = render(NULL, buf, len);
	assert_non_null(
		strstr(got, "kdebug_sadb: ext_len exceeds end of buffer.\n"));
	free(got);

	e->sadb_ext_len = 2;
	e->sadb_ext_type = 26; /* SADB_X_EXT_FILTER: unknown to ipsec-tools */
	got = render(NULL, buf, len);
	assert_non_null(
		strstr(got, "kdebug_sadb: invalid ext_type 26 was passed.\n"));
	assert_null(strstr(got, "sadb_x_sa2"));
	free(got);

	/* the header claims more than was received: only what is there */
	e->sadb_ext_type = SADB_EXT_SA;
	h->sadb_msg_len = 200;
	got = render(NULL, buf, 16 + 16 + 4);
	assert_non_null(strstr(got, "sadb_sa{ spi=4660"));
	assert_null(strstr(got, "sadb_x_sa2"));
	free(got);

	/* every truncation of a valid message: no reads past it (ASan) */
	len = build_spdexpire();
	for (; len > 0; len--)
		free(render(NULL, buf, len));
}

/* A REGISTER reply's supported algorithms. */
static void test_kdebug_supported(void **state)
{
	struct xs_msgbuf b;
	char *got;
	int len;

	(void)state;
	xs_msgbuf_init(&b, buf, sizeof(buf));
	xs_pfkey_begin(&b, SADB_REGISTER, SADB_SATYPE_ESP, 1, 2);
	xs_pfkey_put_supported(&b);
	len = xs_pfkey_end(&b);
	assert_true(len > 0);
	got = render(NULL, buf, (size_t)len);
	assert_non_null(strstr(got, "sadb_msg{ version=2 type=7 errno=0 "
				    "satype=3\n"));
	assert_non_null(strstr(got, "type=14 }\nsadb_sup{\n  { id="));
	assert_non_null(strstr(got, "type=15 }\nsadb_sup{\n  { id="));
	/* AES-GCM-16: 128..256-bit keys (the salt not counted, as Linux) */
	assert_non_null(strstr(got, "  { id=20 ivlen=8 min=128 max=256 }\n"));
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kdebug_policy),
		cmocka_unit_test(test_kdebug_sa),
		cmocka_unit_test(test_monitor_lines),
		cmocka_unit_test(test_kdebug_malformed),
		cmocka_unit_test(test_kdebug_supported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
