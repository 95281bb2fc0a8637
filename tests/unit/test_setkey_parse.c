// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * setkey parser: a numbered table of accepted statements with the fields
 * they must produce, a numbered table of rejected ones with the
 * "file:line: message" they must give, atomicity (nothing of a failing
 * statement, everything before it), callback stop, key wiping, the
 * keyword table order, and encode -> codec decode round trips.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <cmocka.h>
#include "../../ctl/setkey/lex.h"
#include "../../ctl/setkey/parse.h"

/* case tables leave trailing fields zero on purpose */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define KEY40 "0x00112233445566778899aabbccddeeff01020304"
#define GCM SADB_X_EALG_AES_GCM_ICV16
#define DEF XS_PRIORITY_DEFAULT
#define ANYP IPSEC_ULPROTO_ANY
#define TR IPSEC_MODE_TRANSPORT
#define TU IPSEC_MODE_TUNNEL
#define REQ IPSEC_LEVEL_REQUIRE
#define MAXCMD 8

struct collect {
	int n;
	struct xs_setkey_cmd cmd[MAXCMD];
	const struct xs_setkey_cmd *last; /* the parser's own copy */
	int stop_at; /* return -1234 at this call */
};

static int collect_cb(const struct xs_setkey_cmd *cmd, void *arg)
{
	struct collect *c = arg;

	assert_true(c->n < MAXCMD);
	c->cmd[c->n++] = *cmd;
	c->last = cmd;
	return c->n == c->stop_at ? -1234 : 0;
}

static int parse(const char *s, struct collect *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	return xs_setkey_parse(s, strlen(s), "t.conf", collect_cb, c, err,
			       errlen);
}

static void assert_addr(const struct xs_addr *a, const char *s, int plen,
			int port)
{
	uint8_t want[16] = { 0 };
	int af = strchr(s, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(af, s, want), 1);
	assert_int_equal(a->family, af);
	assert_memory_equal(a->a, want, 16);
	assert_int_equal(a->plen, plen);
	assert_int_equal(a->port, port);
}

/* ------------------------------------------------------------ accepted */

struct sa_case {
	const char *in;
	enum xs_setkey_op op;
	uint8_t satype;
	const char *src, *dst;
	uint32_t spi;
	uint8_t mode, replay;
	uint32_t reqid;
	uint8_t enc, auth;
	uint16_t enc_keylen, auth_keylen;
	uint64_t lh, ls, bh, bs;
};

static const struct sa_case sa_cases[] = {
	/* 0: the reference line */
	{ "add 10.1.0.1 10.1.0.2 esp 0x1001 -m transport -r 64 "
	  "-E aes-gcm-16 " KEY40 " ;",
	  XS_SK_ADD, SADB_SATYPE_ESP, "10.1.0.1", "10.1.0.2", 0x1001, TR, 64, 0,
	  GCM, 0, 20, 0 },
	/* 1: IPv6, decimal spi, -u, tunnel, no space before ';' */
	{ "add 2001:db8::1 2001:db8::2 esp 4097 -m tunnel -u 7 "
	  "-E aes-gcm-16 " KEY40 ";",
	  XS_SK_ADD, SADB_SATYPE_ESP, "2001:db8::1", "2001:db8::2", 4097, TU, 0,
	  7, GCM, 0, 20, 0 },
	/* 2: quoted key (20 bytes), default mode any, lifetimes */
	{ "add -4 10.0.0.1 10.0.0.2 esp 0x200 -lh 3600 -ls 3000 -bh 1000000 "
	  "-bs 900000 -E aes-gcm-16 \"abcdefghijklmnopqrst\";",
	  XS_SK_ADD, SADB_SATYPE_ESP, "10.0.0.1", "10.0.0.2", 0x200, 0, 0, 0,
	  GCM, 0, 20, 0, 3600, 3000, 1000000, 900000 },
	/* 3: 36-byte key (AES-256 + salt), -m any, -r 0, -n */
	{ "add -n 10.0.0.1 10.0.0.2 esp 0xffffffff -m any -r 0 -E aes-gcm-16 "
	  "0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	  "01020304;",
	  XS_SK_ADD, SADB_SATYPE_ESP, "10.0.0.1", "10.0.0.2", 0xffffffff, 0, 0,
	  0, GCM, 0, 36, 0 },
	/* 4: comments and a statement spanning lines */
	{ "# keys\nadd 10.0.0.1 # src\n 10.0.0.2 esp 256 # spi\n"
	  "  -E aes-gcm-16 " KEY40 " ; # done\n",
	  XS_SK_ADD, SADB_SATYPE_ESP, "10.0.0.1", "10.0.0.2", 256, 0, 0, 0, GCM,
	  0, 20, 0 },
	/* 5..8: get, delete, deleteall */
	{ "get 10.1.0.1 10.1.0.2 esp 0x1001;", XS_SK_GET, SADB_SATYPE_ESP,
	  "10.1.0.1", "10.1.0.2", 0x1001 },
	{ "delete 10.1.0.1 10.1.0.2 ah 300;", XS_SK_DELETE, SADB_SATYPE_AH,
	  "10.1.0.1", "10.1.0.2", 300 },
	{ "deleteall 10.1.0.1 10.1.0.2 esp ;", XS_SK_DELETEALL, SADB_SATYPE_ESP,
	  "10.1.0.1", "10.1.0.2", 0 },
	{ "get -6 ::1 ::2 esp 0x1001;", XS_SK_GET, SADB_SATYPE_ESP, "::1",
	  "::2", 0x1001 },
	/* 9..12: flush/dump with and without protocol */
	{ "flush;", XS_SK_FLUSH, SADB_SATYPE_UNSPEC },
	{ "flush esp;", XS_SK_FLUSH, SADB_SATYPE_ESP },
	{ "dump ah ;", XS_SK_DUMP, SADB_SATYPE_AH },
	{ "dump;", XS_SK_DUMP, SADB_SATYPE_UNSPEC },
	/* 13, 14: null encryption takes no key (KAME), or an empty one */
	{ "add 10.0.0.1 10.0.0.2 esp 0x300 -E null -A hmac-sha1 " KEY40 ";",
	  XS_SK_ADD, SADB_SATYPE_ESP, "10.0.0.1", "10.0.0.2", 0x300, 0, 0, 0,
	  SADB_EALG_NULL, SADB_AALG_SHA1HMAC, 0, 20 },
	{ "add 10.0.0.1 10.0.0.2 esp 0x301 -E null \"\" -A hmac-sha1 " KEY40
	  ";",
	  XS_SK_ADD, SADB_SATYPE_ESP, "10.0.0.1", "10.0.0.2", 0x301, 0, 0, 0,
	  SADB_EALG_NULL, SADB_AALG_SHA1HMAC, 0, 20 },
};

static void test_accept_sa(void **state)
{
	struct collect c;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(sa_cases) / sizeof(sa_cases[0]); i++) {
		const struct sa_case *t = &sa_cases[i];
		const struct xs_sa *sa = &c.cmd[0].sa;

		print_message("sa case %zu: %s\n", i, t->in);
		assert_int_equal(parse(t->in, &c, err, sizeof(err)), 0);
		assert_int_equal(c.n, 1);
		assert_int_equal(c.cmd[0].op, t->op);
		assert_int_equal(c.cmd[0].satype, t->satype);
		assert_int_equal(c.cmd[0].line,
				 strncmp(t->in, "# ", 2) ? 1 : 2);
		if (!t->src)
			continue;
		assert_int_equal(sa->satype, t->satype);
		assert_addr(&sa->src, t->src, strchr(t->src, ':') ? 128 : 32,
			    0);
		assert_addr(&sa->dst, t->dst, strchr(t->dst, ':') ? 128 : 32,
			    0);
		assert_int_equal(sa->spi, t->spi);
		if (t->op != XS_SK_ADD)
			continue;
		assert_int_equal(sa->state, SADB_SASTATE_MATURE);
		assert_int_equal(sa->mode, t->mode);
		assert_int_equal(sa->replay, t->replay);
		assert_int_equal(sa->reqid, t->reqid);
		assert_int_equal(sa->enc_alg, t->enc);
		assert_int_equal(sa->auth_alg, t->auth);
		assert_int_equal(sa->enc_keylen, t->enc_keylen);
		assert_int_equal(sa->auth_keylen, t->auth_keylen);
		assert_int_equal(sa->has_hard, t->lh || t->bh);
		assert_int_equal(sa->has_soft, t->ls || t->bs);
		assert_int_equal(sa->hard.addtime, t->lh);
		assert_int_equal(sa->soft.addtime, t->ls);
		assert_int_equal(sa->hard.bytes, t->bh);
		assert_int_equal(sa->soft.bytes, t->bs);
	}
}

static void test_key_bytes(void **state)
{
	static const uint8_t hex[20] = { 0x00, 0x11, 0x22, 0x33, 0x44,
					 0x55, 0x66, 0x77, 0x88, 0x99,
					 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
					 0xff, 1,    2,	   3,	 4 };
	struct collect c;
	char err[256];

	assert_int_equal(parse(sa_cases[0].in, &c, err, sizeof(err)), 0);
	assert_memory_equal(c.cmd[0].sa.enc_key, hex, 20);
	/* the parser wiped its copy after the callback */
	assert_int_equal(c.last->sa.enc_keylen, 0);
	assert_int_equal(parse(sa_cases[2].in, &c, err, sizeof(err)), 0);
	assert_memory_equal(c.cmd[0].sa.enc_key, "abcdefghijklmnopqrst", 20);
}

struct sp_case {
	const char *in;
	enum xs_setkey_op op;
	const char *src;
	int splen, sport;
	const char *dst;
	int dplen, dport;
	uint8_t proto, dir, type;
	uint32_t prio;
	uint8_t nreq;
	uint8_t rproto, rmode, rlevel; /* req[0] */
	uint32_t rreqid;
	const char *tsrc, *tdst; /* req[0] endpoints */
};

static const struct sp_case sp_cases[] = {
	/* 0: the reference line */
	{ "spdadd 10.1.0.1 10.1.0.2 any -P out ipsec esp/transport//require ;",
	  XS_SK_SPDADD, "10.1.0.1", 32, 0, "10.1.0.2", 32, 0, ANYP,
	  IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, DEF, 1, IPPROTO_ESP, TR,
	  REQ },
	/* 1: tunnel policy, prefixes, multi-line */
	{ "spdadd 10.0.1.0/24 10.0.2.0/24 any -P out ipsec\n"
	  "   esp/tunnel/192.0.2.1-198.51.100.1/require;",
	  XS_SK_SPDADD, "10.0.1.0", 24, 0, "10.0.2.0", 24, 0, ANYP,
	  IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, DEF, 1, IPPROTO_ESP, TU, REQ,
	  0, "192.0.2.1", "198.51.100.1" },
	/* 2: unique:7, prio high + 3, ports, tcp */
	{ "spdadd 10.0.0.1[80] 10.0.0.2[any] tcp -P in prio high + 3 ipsec "
	  "esp/transport//unique:7;",
	  XS_SK_SPDADD, "10.0.0.1", 32, 80, "10.0.0.2", 32, 0, IPPROTO_TCP,
	  IPSEC_DIR_INBOUND, IPSEC_POLICY_IPSEC, XS_PRIORITY_HIGH - 3, 1,
	  IPPROTO_ESP, TR, IPSEC_LEVEL_UNIQUE, 7 },
	/* 3: icmp6 135,0 bypass, IPv6 */
	{ "spdadd ::/0 ::/0 icmp6 135,0 -P out none;", XS_SK_SPDADD, "::", 0,
	  135, "::", 0, 0, IPPROTO_ICMPV6, IPSEC_DIR_OUTBOUND,
	  IPSEC_POLICY_NONE, DEF },
	/* 4: prio low - 5, discard, udp, prefix port */
	{ "spdupdate 10.0.0.0/8[53] 0.0.0.0/0 udp -P fwd prio low - 5 discard;",
	  XS_SK_SPDUPDATE, "10.0.0.0", 8, 53, "0.0.0.0", 0, 0, IPPROTO_UDP,
	  IPSEC_DIR_FWD, IPSEC_POLICY_DISCARD, XS_PRIORITY_LOW + 5 },
	/* 5: prio N and level omitted (default), ah */
	{ "spdadd 10.0.0.1 10.0.0.2 17 -P out prio 10 ipsec ah/transport;",
	  XS_SK_SPDADD, "10.0.0.1", 32, 0, "10.0.0.2", 32, 0, IPPROTO_UDP,
	  IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, DEF - 10, 1, IPPROTO_AH, TR,
	  IPSEC_LEVEL_DEFAULT },
	/* 6: two requests (bundle), prio def, use */
	{ "spdadd 10.0.0.1 10.0.0.2 any -P out prio def ipsec "
	  "esp/transport//use ah/transport//require;",
	  XS_SK_SPDADD, "10.0.0.1", 32, 0, "10.0.0.2", 32, 0, ANYP,
	  IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, DEF, 2, IPPROTO_ESP, TR,
	  IPSEC_LEVEL_USE },
	/* 7: spddelete with direction only */
	{ "spddelete 10.0.0.1 10.0.0.2 any -P out;", XS_SK_SPDDELETE,
	  "10.0.0.1", 32, 0, "10.0.0.2", 32, 0, ANYP, IPSEC_DIR_OUTBOUND, 0,
	  DEF },
	/* 8: icmp with type only, entrust, prio -4 (def + 4) */
	{ "spdadd 10.0.0.1 10.0.0.2 icmp 8 -P in prio -4 entrust;",
	  XS_SK_SPDADD, "10.0.0.1", 32, 8, "10.0.0.2", 32, 0, IPPROTO_ICMP,
	  IPSEC_DIR_INBOUND, IPSEC_POLICY_ENTRUST, DEF + 4 },
	/* 9: tunnel v6 over v4, trailing slash, high+2 written together */
	{ "spdadd 2001:db8:1::/48 2001:db8:2::/48 any -P out prio high +2 "
	  "ipsec esp/tunnel/192.0.2.1-192.0.2.2/;",
	  XS_SK_SPDADD, "2001:db8:1::", 48, 0, "2001:db8:2::", 48, 0, ANYP,
	  IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, XS_PRIORITY_HIGH - 2, 1,
	  IPPROTO_ESP, TU, IPSEC_LEVEL_DEFAULT, 0, "192.0.2.1", "192.0.2.2" },
};

static void check_sp(const struct sp_case *t, const struct xs_setkey_cmd *cmd)
{
	const struct xs_spolicy *sp = &cmd->sp;

	assert_int_equal(cmd->op, t->op);
	assert_int_equal(cmd->satype, SADB_SATYPE_UNSPEC);
	assert_addr(&sp->sel.src, t->src, t->splen, t->sport);
	assert_addr(&sp->sel.dst, t->dst, t->dplen, t->dport);
	assert_int_equal(sp->sel.proto, t->proto);
	assert_int_equal(sp->dir, t->dir);
	assert_int_equal(sp->type, t->type);
	assert_int_equal(sp->priority, t->prio);
	assert_int_equal(sp->nreq, t->nreq);
	if (!t->nreq)
		return;
	assert_int_equal(sp->req[0].proto, t->rproto);
	assert_int_equal(sp->req[0].mode, t->rmode);
	assert_int_equal(sp->req[0].level, t->rlevel);
	assert_int_equal(sp->req[0].reqid, t->rreqid);
	if (t->tsrc) {
		assert_addr(&sp->req[0].src, t->tsrc,
			    strchr(t->tsrc, ':') ? 128 : 32, 0);
		assert_addr(&sp->req[0].dst, t->tdst,
			    strchr(t->tdst, ':') ? 128 : 32, 0);
	} else {
		assert_int_equal(sp->req[0].src.family, 0);
		assert_int_equal(sp->req[0].dst.family, 0);
	}
}

static void test_accept_sp(void **state)
{
	struct collect c;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(sp_cases) / sizeof(sp_cases[0]); i++) {
		print_message("sp case %zu: %s\n", i, sp_cases[i].in);
		assert_int_equal(parse(sp_cases[i].in, &c, err, sizeof(err)),
				 0);
		assert_int_equal(c.n, 1);
		check_sp(&sp_cases[i], &c.cmd[0]);
	}
	/* the bundle's second request */
	assert_int_equal(parse(sp_cases[6].in, &c, err, sizeof(err)), 0);
	assert_int_equal(c.cmd[0].sp.req[1].proto, IPPROTO_AH);
	assert_int_equal(c.cmd[0].sp.req[1].level, REQ);
	assert_int_equal(parse("spdflush; spddump;", &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.cmd[0].op, XS_SK_SPDFLUSH);
	assert_int_equal(c.cmd[1].op, XS_SK_SPDDUMP);
}

/* ------------------------------------------------------------ rejected */

struct reject_case {
	const char *in;
	const char *msg; /* expected substring of err, incl. "t.conf:N:" */
	int emitted; /* statements emitted before the error */
};

#define ADDH "add 10.0.0.1 10.0.0.2 esp 0x1001 "
#define SPDH "spdadd 10.0.0.1 10.0.0.2 any -P out "
static const struct reject_case reject_cases[] = {
	/* 0 */ { ADDH "-E aes-gcm-16 0x0011;",
		  "t.conf:1: aes-gcm-16: key must be 20, 28 or 36 bytes" },
	/* 1 */
	{ ADDH "-E blowfish-cbc " KEY40 ";",
	  "t.conf:1: unknown encryption algorithm 'blowfish-cbc'" },
	/* 2 */
	{ ADDH "-E 3des-cbc 0x00112233445566778899aabbccddeeff0011223344556677 "
	       "-A hmac-sha256 0x00;",
	  "encryption algorithm '3des-cbc' is not supported by the "
	  "datapath" },
	/* 3 */
	{ "add 10.0.0.1 10.0.0.300 esp 0x1001 -E aes-gcm-16 " KEY40 ";",
	  "t.conf:1: bad destination address '10.0.0.300'" },
	/* 4 */
	{ ADDH "-E aes-gcm-16 " KEY40 "\nspdflush;",
	  "t.conf:2: missing ';' before 'spdflush'" },
	/* 5 */
	{ "spdadd 10.0.0.0/33 10.0.0.2 any -P out none;",
	  "t.conf:1: bad prefix length /33" },
	/* 6 */
	{ "add 10.0.0.1 10.0.0.2 esp 0x10 -E aes-gcm-16 " KEY40 ";",
	  "t.conf:1: spi 16 is reserved" },
	/* 7 */ { "flush;\nfoo 1 2;", "t.conf:2: unknown command 'foo'", 1 },
	/* 8 */
	{ "add 10.0.0.1 10.0.0.2 ipcomp 0x1001 -C deflate;",
	  "t.conf:1: protocol 'ipcomp' is not supported" },
	/* 9 */
	{ "add 10.0.0.1 2001:db8::1 esp 0x1001 -E aes-gcm-16 " KEY40 ";",
	  "address family mismatch" },
	/* 10 */
	{ SPDH "ipsec esp/transport//required;",
	  "t.conf:1: unknown level 'required'" },
	/* 11 */
	{ ADDH "-E aes-gcm-16 " KEY40 " -A hmac-sha256 " KEY40 ";", "AEAD" },
	/* 12 */ { ADDH "-C deflate;", "-C (IPComp) is not supported" },
	/* 13 */
	{ ADDH "-f zero-pad -E aes-gcm-16 " KEY40 ";",
	  "-f (padding/sequence options) is not supported" },
	/* 14 */
	{ ADDH "-r 256 -E aes-gcm-16 " KEY40 ";",
	  "replay window size 256 out of range" },
	/* 15 */
	{ ADDH "-E aes-gcm-16 0x0011223344556677889;",
	  "odd number of hex digits" },
	/* 16 */
	{ SPDH "ipsec esp/tunnel//require;", "tunnel mode needs endpoints" },
	/* 17 */
	{ SPDH "ipsec esp/tunnel/10.0.0.1-::1/require;",
	  "address family mismatch in tunnel endpoints" },
	/* 18 */
	{ SPDH "ipsec esp/transport//unique:99999;", "bad unique id '99999'" },
	/* 19 */
	{ "dump esp;\nflush;\nadd 10.0.0.1 10.0.0.2 esp 0x1001\n"
	  "-E aes-gcm-16 " KEY40,
	  "t.conf:4: expected option or ';', got end of file", 2 },
	/* 20 */ { SPDH "ipsec;", "ipsec policy needs a request" },
	/* 21 */ { SPDH "ipsec esp/any//require;", "bad mode 'any'" },
	/* 22 */
	{ "spdadd 10.0.0.1 10.0.0.2 any -P sideways none;",
	  "expected direction (in, out or fwd), got 'sideways'" },
	/* 23 */
	{ "spdadd 10.0.0.1 10.0.0.2 gre -P out none;",
	  "unknown upper-layer protocol 'gre'" },
	/* 24 */
	{ "add 10.0.0.1 10.0.0.2 esp 0x1001 -E aes-gcm-16 \"abc;",
	  "unterminated quoted string" },
	/* 25 */
	{ "add -6 10.0.0.1 10.0.0.2 esp 0x1001 -E aes-gcm-16 " KEY40 ";",
	  "address family does not match -6" },
	/* 26 */
	{ "delete 10.0.0.1 10.0.0.2 esp-old 0x1001;",
	  "protocol 'esp-old' is not supported" },
	/* 27 */
	{ "spdadd 10.0.0.1[99999] 10.0.0.2 any -P out none;",
	  "bad port '99999'" },
	/* 28 */ { ADDH "-x 1 -E aes-gcm-16 " KEY40 ";", "unknown option '-x'" },
	/* 29 */
	{ "add 10.0.0.1 10.0.0.2 ah 0x1001 -A aes-xcbc-mac 0x00;",
	  "authentication algorithm 'aes-xcbc-mac' is not supported by "
	  "the datapath" },
	/* 30 */ { "add 10.0.0.1 10.0.0.2 esp 0x1001 -m tunnel;", "esp needs -E" },
	/* 31 */
	{ "spdadd 10.0.0.1 10.0.0.2 any -P out prio high + 99999999999 "
	  "none;",
	  "bad priority offset" },
	/* 32 */
	{ SPDH "ipsec ipcomp/transport//require;", "ipcomp is not supported" },
	/* 33 */
	{ "add 10.0.0.1 10.0.0.2 esp 0x1001 -E des-cbc 0x0011223344556677;",
	  "not supported by the datapath" },
	/* 34 */
	{ "spdadd 10.0.0.1 ::1 any -P out none;",
	  "address family mismatch between source and destination" },
	/* 35 */ { "get 10.0.0.1 10.0.0.2 esp zz;", "bad spi 'zz'" },
	/* 36, 37: the line is the bad word's, not the next token's */
	/* 36 */
	{ "add 10.0.0.1\n10.0.0.300\nesp 0x1001;",
	  "t.conf:2: bad destination address" },
	/* 37 */
	{ "spdadd 10.0.0.1 10.0.0.2 any -P out ipsec\n"
	  "esp/transport//bad\n;",
	  "t.conf:2: unknown level 'bad'" },
	/* 38..43: esp-udp (NAT-T) */
	/* 38 */
	{ "add 10.0.0.1[4500] 10.0.0.2[4500] esp 0x1001 -E aes-gcm-16 " KEY40
	  ";",
	  "[port] on an SA address needs protocol esp-udp" },
	/* 39 */
	{ "add 10.0.0.1[0] 10.0.0.2 esp-udp 0x1001 -E aes-gcm-16 " KEY40 ";",
	  "bad port '0' (1 to 65535)" },
	/* 40 */
	{ "add 10.0.0.1 10.0.0.2[65536] esp-udp 0x1001 -E aes-gcm-16 " KEY40
	  ";",
	  "bad port '65536'" },
	/* 41 */
	{ "add 10.0.0.1[4500 10.0.0.2 esp-udp 0x1001 -E aes-gcm-16 " KEY40 ";",
	  "bad port in '10.0.0.1[4500'" },
	/* 42 */
	{ ADDH "-natt_oa 192.168.0.1 -E aes-gcm-16 " KEY40 ";",
	  "-natt_oa needs protocol esp-udp" },
	/* 43 */
	{ "add 10.0.0.1 10.0.0.2 esp-udp 0x1001 -natt_oa fd00::1 "
	  "-E aes-gcm-16 " KEY40 ";",
	  "-natt_oa address family differs from the SA's" },
	/* 44 */
	{ "add 10.0.0.1 10.0.0.2 ah 0x1001 -natt_oa 10.9.9.9 "
	  "-A hmac-sha256 " KEY40 ";",
	  "-natt_oa needs protocol esp-udp" },
};

static void test_reject(void **state)
{
	struct collect c;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(reject_cases) / sizeof(reject_cases[0]); i++) {
		const struct reject_case *t = &reject_cases[i];

		print_message("reject case %zu: %s\n", i, t->in);
		assert_int_equal(parse(t->in, &c, err, sizeof(err)), -EINVAL);
		print_message("  -> %s\n", err);
		assert_non_null(strstr(err, t->msg));
		assert_int_equal(strncmp(err, "t.conf:", 7), 0);
		assert_int_equal(c.n, t->emitted);
	}
}

static void test_atomic_and_stop(void **state)
{
	const char *in = "flush;\nspdflush;\n"
			 "add 10.0.0.1 10.0.0.2 esp 0x1001 -E aes-gcm-16 "
			 "0x0011;\nspddump;\n";
	struct collect c;
	char err[256];

	/* the bad add is the third statement: two emitted, none after */
	assert_int_equal(parse(in, &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.cmd[1].op, XS_SK_SPDFLUSH);
	assert_non_null(strstr(err, "t.conf:3:"));
	/* the callback's non-zero return stops the parse and is returned */
	memset(&c, 0, sizeof(c));
	c.stop_at = 1;
	assert_int_equal(xs_setkey_parse("flush; dump;", 12, "x", collect_cb,
					 &c, err, sizeof(err)),
			 -1234);
	assert_int_equal(c.n, 1);
	/* empty input and stray ';' are fine; errlen 0 is safe */
	assert_int_equal(parse("", &c, err, sizeof(err)), 0);
	assert_int_equal(parse(" ; ;# x\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(parse("bogus;", &c, NULL, 0), -EINVAL);
	/* truncated error buffer stays terminated */
	assert_int_equal(parse("bogus;", &c, err, 8), -EINVAL);
	assert_int_equal(strlen(err), 7);
}

static void test_keyword_table_sorted(void **state)
{
	const char *prev = NULL, *s;
	size_t i;

	for (i = 0; (s = xs_sklex_keyword_at(i)); i++) {
		if (prev)
			assert_true(strcmp(prev, s) < 0);
		assert_int_not_equal(xs_sklex_keyword(s, strlen(s)),
				     XS_KW_NONE);
		prev = s;
	}
	assert_true(i > 30);
	assert_int_equal(xs_sklex_keyword("spdad", 5), XS_KW_NONE);
	assert_int_equal(xs_sklex_keyword("spdadd", 6), XS_KW_SPDADD);
	assert_int_equal(xs_sklex_keyword("spdaddx", 7), XS_KW_NONE);
}

/* ------------------------------------------------------------ encode */

static void test_encode_roundtrip(void **state)
{
	static uint8_t buf[XS_PFKEY_MSG_MAX];
	struct xs_pfkey_msg m;
	struct xs_msgbuf b;
	struct xs_spolicy sp;
	struct xs_sa sa;
	struct collect c;
	char err[256];
	int len;

	assert_int_equal(parse(sa_cases[0].in, &c, err, sizeof(err)), 0);
	xs_msgbuf_init(&b, buf, sizeof(buf));
	len = xs_setkey_cmd_encode(&c.cmd[0], &b, 5, 77);
	assert_true(len > 0);
	assert_int_equal(xs_pfkey_parse(buf, (size_t)len, &m), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_ADD);
	assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_ESP);
	assert_int_equal(m.hdr->sadb_msg_seq, 5);
	assert_int_equal(m.hdr->sadb_msg_pid, 77);
	assert_non_null(m.ext[SADB_EXT_KEY_ENCRYPT]);
	memset(&sa, 0, sizeof(sa));
	assert_int_equal(xs_pfkey_get_sa(&m, &sa), 0);
	assert_int_equal(sa.spi, 0x1001);
	assert_int_equal(sa.mode, TR);
	assert_int_equal(sa.replay, 64);
	assert_int_equal(sa.enc_alg, GCM);
	assert_int_equal(sa.enc_keylen, 20);
	assert_memory_equal(sa.enc_key, c.cmd[0].sa.enc_key, 20);
	xs_sa_wipe(&sa);

	/* get carries no key */
	assert_int_equal(parse(sa_cases[5].in, &c, err, sizeof(err)), 0);
	len = xs_setkey_cmd_encode(&c.cmd[0], &b, 6, 77);
	assert_int_equal(xs_pfkey_parse(buf, (size_t)len, &m), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_GET);
	assert_null(m.ext[SADB_EXT_KEY_ENCRYPT]);
	assert_non_null(m.ext[SADB_EXT_SA]);

	/* deleteall is a dump of its protocol, and its match rule */
	assert_int_equal(parse(sa_cases[7].in, &c, err, sizeof(err)), 0);
	len = xs_setkey_cmd_encode(&c.cmd[0], &b, 7, 77);
	assert_int_equal(xs_pfkey_parse(buf, (size_t)len, &m), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_DUMP);
	assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_ESP);
	sa = c.cmd[0].sa;
	sa.spi = 0x5000;
	assert_true(xs_setkey_deleteall_match(&c.cmd[0], &sa));
	sa.dst.a[3] ^= 1;
	assert_false(xs_setkey_deleteall_match(&c.cmd[0], &sa));

	/* a tunnel policy survives the codec */
	assert_int_equal(parse(sp_cases[1].in, &c, err, sizeof(err)), 0);
	len = xs_setkey_cmd_encode(&c.cmd[0], &b, 8, 77);
	assert_int_equal(xs_pfkey_parse(buf, (size_t)len, &m), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_X_SPDADD);
	memset(&sp, 0, sizeof(sp));
	assert_int_equal(xs_pfkey_get_policy(&m, &sp), 0);
	assert_int_equal(sp.dir, IPSEC_DIR_OUTBOUND);
	assert_int_equal(sp.nreq, 1);
	assert_int_equal(sp.req[0].mode, TU);
	assert_addr(&sp.req[0].src, "192.0.2.1", 32, 0);
	assert_addr(&sp.sel.dst, "10.0.2.0", 24, 0);

	/* header-only messages */
	assert_int_equal(parse("spdflush;", &c, err, sizeof(err)), 0);
	len = xs_setkey_cmd_encode(&c.cmd[0], &b, 9, 77);
	assert_int_equal(len, (int)sizeof(struct sadb_msg));
	assert_int_equal(((struct sadb_msg *)buf)->sadb_msg_type,
			 SADB_X_SPDFLUSH);
}

/* -R packets (SADB_X_EXT_XS_REPLAY) and -esn (SADB_X_SAFLAGS_ESN): parsed,
 * encoded, decoded back. */
static void test_replay_esn_ext(void **state)
{
	static const struct {
		const char *opt;
		int ok;
		uint32_t win, flags;
	} t[] = {
		/* 0 */ { "-r 32", 1, 0, 0 },
		/* 1 */ { "-R 32", 1, 32, 0 },
		/* 2 */ { "-R 64", 1, 64, 0 },
		/* 3 */ { "-R 1024", 1, 1024, 0 },
		/* 4 */ { "-R 4096", 1, 4096, 0 },
		/* 5 */ { "-R 4097", 0, 0, 0 },
		/* 6 */ { "-R", 0, 0, 0 },
		/* 7 */ { "-esn", 1, 0, SADB_X_SAFLAGS_ESN },
		/* 8 */ { "-esn -R 2048", 1, 2048, SADB_X_SAFLAGS_ESN },
	};
	static uint8_t buf[XS_PFKEY_MSG_MAX];
	struct xs_pfkey_msg m;
	struct xs_msgbuf b;
	struct xs_sa sa;
	struct collect c;
	char in[256], err[256];
	size_t i;
	int len;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(in, sizeof(in),
			 "add 10.0.0.1 10.0.0.2 esp 0x1001 -m transport %s "
			 "-E aes-gcm-16 0x%040d;",
			 t[i].opt, 0);
		printf("case %zu: %s\n", i, t[i].opt);
		if (!t[i].ok) {
			assert_int_not_equal(parse(in, &c, err, sizeof(err)),
					     0);
			continue;
		}
		assert_int_equal(parse(in, &c, err, sizeof(err)), 0);
		assert_int_equal(c.cmd[0].sa.replay_win, t[i].win);
		assert_int_equal(c.cmd[0].sa.flags, t[i].flags);
		xs_msgbuf_init(&b, buf, sizeof(buf));
		len = xs_setkey_cmd_encode(&c.cmd[0], &b, 5, 77);
		assert_true(len > 0);
		assert_int_equal(xs_pfkey_parse(buf, (size_t)len, &m), 0);
		assert_int_equal(m.ext[SADB_X_EXT_XS_REPLAY] != NULL,
				 t[i].win != 0);
		assert_int_equal(xs_pfkey_get_sa(&m, &sa), 0);
		assert_int_equal(sa.replay_win, t[i].win);
		assert_int_equal(sa.flags, t[i].flags);
		xs_sa_wipe(&sa);
	}
}

/* esp-udp: NAT-T type and ports from the brackets (4500 by default),
 * -natt_oa; encoded as the NAT-T extensions and decoded back.  For get
 * and delete esp-udp is esp: no NAT-T extension goes out. */
static void test_esp_udp(void **state)
{
	static const struct {
		const char *in; /* add: -E aes-gcm-16 KEY40; follows */
		uint8_t op, type;
		uint16_t sport, dport;
		const char *oa;
	} t[] = {
		/* 0 */ { "add 192.0.2.1[4500] 198.51.100.2[4500] esp-udp "
			  "0x1001 -m tunnel",
			  XS_SK_ADD, UDP_ENCAP_ESPINUDP, 4500, 4500 },
		/* 1 */
		{ "add 192.0.2.1 198.51.100.2 esp-udp 0x1001", XS_SK_ADD,
		  UDP_ENCAP_ESPINUDP, 4500, 4500 },
		/* 2 */
		{ "add 192.0.2.1[1024] 198.51.100.2 esp-udp 0x1001", XS_SK_ADD,
		  UDP_ENCAP_ESPINUDP, 1024, 4500 },
		/* 3 */
		{ "add 2001:db8::1 2001:db8::2[61000] esp-udp 0x1001",
		  XS_SK_ADD, UDP_ENCAP_ESPINUDP, 4500, 61000 },
		/* 4 */
		{ "add 192.0.2.1 198.51.100.2 esp-udp 0x1001 "
		  "-natt_oa 10.1.2.3",
		  XS_SK_ADD, UDP_ENCAP_ESPINUDP, 4500, 4500, "10.1.2.3" },
		/* 5 */ { "add 192.0.2.1 198.51.100.2 esp 0x1001", XS_SK_ADD },
		/* 6 */
		{ "get 192.0.2.1[4500] 198.51.100.2[4500] esp-udp "
		  "0x1001",
		  XS_SK_GET },
		/* 7 */
		{ "delete 192.0.2.1 198.51.100.2 esp-udp 0x1001",
		  XS_SK_DELETE },
	};
	static uint8_t buf[XS_PFKEY_MSG_MAX];
	struct xs_pfkey_msg m;
	struct xs_msgbuf b;
	struct xs_sa sa;
	struct collect c;
	char in[256], err[256];
	size_t i;
	int len;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(in, sizeof(in), "%s%s;", t[i].in,
			 t[i].op == XS_SK_ADD ? " -E aes-gcm-16 " KEY40 : "");
		print_message("case %zu: %s\n", i, in);
		assert_int_equal(parse(in, &c, err, sizeof(err)), 0);
		assert_int_equal(c.cmd[0].op, t[i].op);
		assert_int_equal(c.cmd[0].satype, SADB_SATYPE_ESP);
		assert_int_equal(c.cmd[0].sa.natt_type, t[i].type);
		assert_int_equal(c.cmd[0].sa.natt_sport, t[i].sport);
		assert_int_equal(c.cmd[0].sa.natt_dport, t[i].dport);
		assert_int_equal(c.cmd[0].sa.src.port, 0);
		xs_msgbuf_init(&b, buf, sizeof(buf));
		len = xs_setkey_cmd_encode(&c.cmd[0], &b, 5, 77);
		assert_true(len > 0);
		assert_int_equal(xs_pfkey_parse(buf, (size_t)len, &m), 0);
		assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_ESP);
		assert_int_equal(m.ext[SADB_X_EXT_NAT_T_TYPE] != NULL,
				 t[i].type != 0);
		assert_int_equal(m.ext[SADB_X_EXT_NAT_T_OA] != NULL,
				 t[i].oa != NULL);
		assert_int_equal(xs_pfkey_get_sa(&m, &sa), 0);
		assert_int_equal(sa.natt_type, t[i].type);
		assert_int_equal(sa.natt_sport, t[i].sport);
		assert_int_equal(sa.natt_dport, t[i].dport);
		if (t[i].oa)
			assert_addr(&sa.natt_oa, t[i].oa, 32, 0);
		else
			assert_int_equal(sa.natt_oa.family, 0);
		xs_sa_wipe(&sa);
	}
}

/* ------------------------------------------------------------ samples */

struct sample {
	const char *name;
	int ncmd, nadd, nspd;
};

static int count_cb(const struct xs_setkey_cmd *cmd, void *arg)
{
	int *n = arg;

	n[0]++;
	n[1] += cmd->op == XS_SK_ADD;
	n[2] += cmd->op == XS_SK_SPDADD;
	return 0;
}

/* The sample files in tests/setkey/ (found next to this source) parse. */
static void test_samples(void **state)
{
	static const struct sample samples[] = {
		{ "transport.conf", 6, 2, 2 },
		{ "tunnel.conf", 15, 2, 11 },
		{ "natt.conf", 5, 2, 1 },
	};
	char path[512], err[256], *text;
	size_t i, len;
	FILE *f;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		int n[3] = { 0, 0, 0 };

		snprintf(path, sizeof(path), "%.*s/../setkey/%s",
			 (int)(strrchr(__FILE__, '/') - __FILE__), __FILE__,
			 samples[i].name);
		f = fopen(path, "r");
		assert_non_null(f);
		text = malloc(65536);
		assert_non_null(text);
		len = fread(text, 1, 65536, f);
		fclose(f);
		if (xs_setkey_parse(text, len, path, count_cb, n, err,
				    sizeof(err)))
			fail_msg("%s", err);
		free(text);
		assert_int_equal(n[0], samples[i].ncmd);
		assert_int_equal(n[1], samples[i].nadd);
		assert_int_equal(n[2], samples[i].nspd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_sa),
		cmocka_unit_test(test_key_bytes),
		cmocka_unit_test(test_accept_sp),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_atomic_and_stop),
		cmocka_unit_test(test_keyword_table_sorted),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_replay_esn_ext),
		cmocka_unit_test(test_esp_udp),
		cmocka_unit_test(test_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
