// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Writes the generated seed inputs of the fuzz targets into DIR/<target>/
 * (gen-*): PF_KEY requests as setkey encodes the statements of
 * the tests/setkey confs plus a few by hand, setkey statements, and ESP
 * packets for fuzz_esp's SA (AES-GCM-16, SPI 0x1001, its key).
 *   gen_corpus DIR        (run from the repository root)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "../ctl/daemon/esp.h"
#include "../ctl/daemon/frag.h"
#include "../ctl/lib/pfkey_msg.h"
#include "../ctl/setkey/parse.h"

static const char *dir;
static int nfile;

static int put(const char *target, const void *data, size_t len)
{
	char path[4096];
	FILE *f;
	int n;

	n = snprintf(path, sizeof(path), "%s/%s/gen-%03d", dir, target,
		     nfile++);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -EIO;
	}
	return fclose(f) ? -errno : 0;
}

/* ------------------------------------------------------------ pfkey */

static uint8_t msg[XS_PFKEY_MSG_MAX];

static int encode_cb(const struct xs_setkey_cmd *cmd, void *arg)
{
	struct xs_msgbuf b;
	int len;

	xs_msgbuf_init(&b, msg, sizeof(msg));
	len = xs_setkey_cmd_encode(cmd, &b, (uint32_t)cmd->line, 4242);
	if (len < 0)
		return len;
	return put("pfkey", msg, (size_t)len);
}

static const char *const statements[] = {
	"add 10.1.0.1 10.1.0.2 esp 0x1001 -m transport -r 64 -E aes-gcm-16 "
	"0x00112233445566778899aabbccddeeff01020304 ;\n",
	"add -6 2001:db8::1 2001:db8::2 esp 0x2000 -u 7 -lh 60 -E aes-gcm-16 "
	"\"0123456789abcdefSALT\" ;\n",
	"get 10.1.0.1 10.1.0.2 esp 0x1001 ;\n",
	"delete 10.1.0.1 10.1.0.2 esp 0x1001 ;\n",
	"deleteall 10.1.0.1 10.1.0.2 esp ;\n",
	"flush esp ;\ndump ;\n",
	"spdadd 10.0.0.0/8[any] 10.1.0.0/16[80] tcp -P out prio high + 5 "
	"ipsec esp/tunnel/192.0.2.1-192.0.2.2/unique:9 ;\n",
	"spdadd ::/0 ::/0 icmp6 135,0 -P in none ;\n",
	"spdupdate 10.1.0.2 10.1.0.1 any -P in ipsec esp/transport//require "
	"ah/transport//use ;\n",
	"spddelete 10.1.0.2 10.1.0.1 any -P in ;\nspdflush ;\nspddump ;\n",
};

static int gen_pfkey_setkey(void)
{
	static const char *const confs[] = { "tests/setkey/transport.conf",
					     "tests/setkey/tunnel.conf" };
	static char text[65536];
	char err[256];
	size_t i, n;
	FILE *f;
	int r;

	for (i = 0; i < sizeof(statements) / sizeof(statements[0]); i++) {
		r = put("setkey", statements[i], strlen(statements[i]));
		if (!r)
			r = xs_setkey_parse(statements[i],
					    strlen(statements[i]), "gen",
					    encode_cb, NULL, err, sizeof(err));
		if (r) {
			fprintf(stderr, "statement %zu: %d %s\n", i, r, err);
			return r;
		}
	}
	for (i = 0; i < sizeof(confs) / sizeof(confs[0]); i++) {
		f = fopen(confs[i], "r");
		if (!f)
			return -errno;
		n = fread(text, 1, sizeof(text), f);
		fclose(f);
		r = put("setkey", text, n);
		if (!r)
			r = xs_setkey_parse(text, n, confs[i], encode_cb, NULL,
					    err, sizeof(err));
		if (r) {
			fprintf(stderr, "%s: %d %s\n", confs[i], r, err);
			return r;
		}
	}
	return 0;
}

/* Requests setkey has no statement for. */
static int gen_pfkey_misc(void)
{
	static const uint8_t types[] = { SADB_REGISTER, SADB_X_PROMISC,
					 SADB_X_SPDDUMP, SADB_GETSPI };
	struct xs_msgbuf b;
	size_t i;
	int len, r;

	for (i = 0; i < sizeof(types); i++) {
		xs_msgbuf_init(&b, msg, sizeof(msg));
		xs_pfkey_begin(&b, types[i],
			       types[i] == SADB_REGISTER ? SADB_SATYPE_ESP : 0,
			       (uint32_t)i + 100, 4242);
		len = xs_pfkey_end(&b);
		if (len < 0)
			return len;
		r = put("pfkey", msg, (size_t)len);
		if (r)
			return r;
	}
	return 0;
}

/* ------------------------------------------------------------ esp */

static size_t ip4_udp(uint8_t *p, size_t paylen)
{
	size_t tot = 28 + paylen;

	memset(p, 0, tot);
	p[0] = 0x45;
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[8] = 64;
	p[9] = IPPROTO_UDP;
	inet_pton(AF_INET, "10.1.0.2", p + 12);
	inet_pton(AF_INET, "10.1.0.1", p + 16);
	p[20] = 0x30, p[21] = 0x39; /* 12345 */
	p[22] = 0x00, p[23] = 0x35; /* 53 */
	p[24] = (uint8_t)((8 + paylen) >> 8);
	p[25] = (uint8_t)(8 + paylen);
	memset(p + 28, 'x', paylen);
	return tot;
}

static size_t ip6_tcp(uint8_t *p, size_t paylen)
{
	size_t plen = 20 + paylen;

	memset(p, 0, 40 + plen);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = IPPROTO_TCP;
	p[7] = 64;
	inet_pton(AF_INET6, "2001:db8::2", p + 8);
	inet_pton(AF_INET6, "2001:db8::1", p + 24);
	p[40] = 0x1f, p[41] = 0x90; /* 8080 */
	p[42] = 0x00, p[43] = 0x16; /* 22 */
	p[52] = 0x50;
	memset(p + 60, 'y', paylen);
	return 40 + plen;
}

static int put_mode(uint8_t mode, const uint8_t *p, size_t len)
{
	static uint8_t buf[4096];

	if (len + 1 > sizeof(buf))
		return -E2BIG;
	buf[0] = mode;
	memcpy(buf + 1, p, len);
	return put("esp", buf, len + 1);
}

static int gen_esp(void)
{
	static const uint8_t key[20] = "0123456789abcdefSALT";
	static uint8_t ip[2048], out[2048];
	struct xs_esp_ctx c;
	struct xs_sa_rt *rt;
	enum xs_counter why;
	struct xs_sa sa;
	size_t len[4];
	int i, n, r = 0;

	memset(&sa, 0, sizeof(sa));
	sa.satype = SADB_SATYPE_ESP;
	sa.mode = IPSEC_MODE_TRANSPORT;
	sa.state = SADB_SASTATE_MATURE;
	sa.replay = 32;
	sa.spi = 0x1001;
	sa.enc_alg = SADB_X_EALG_AES_GCM_ICV16;
	sa.enc_keylen = sizeof(key);
	memcpy(sa.enc_key, key, sizeof(key));
	rt = xs_sa_rt_new(&sa, 1);
	xs_sa_wipe(&sa);
	if (!rt || xs_esp_ctx_init(&c, rt))
		return -EINVAL;
	for (i = 0; i < 4 && !r; i++) {
		/* mode 0: an ESP packet for the SA; mode 1: the plain one */
		len[i] = i % 2 ? ip6_tcp(ip, (size_t)i * 7) :
				 ip4_udp(ip, (size_t)i * 5 + 1);
		r = put_mode(1, ip, len[i]);
		n = xs_esp_output(&c, rt, ip, len[i], out, sizeof(out), &why);
		if (!r)
			r = n < 0 ? n : put_mode(0, out, (size_t)n);
	}
	/* mode 2: IPv4 header, IV, payload + pad 1 2 + pad length + nh */
	if (!r) {
		n = (int)ip4_udp(ip, 3);
		memmove(ip + 28, ip + 20, 11);
		memcpy(ip + 20, "\0\0\0\0\0\0\0\1", 8);
		/* 11 payload bytes + pad 1 2 3 + pad length 3 + udp = 16 */
		memcpy(ip + 39, "\1\2\3\3\x11", 5);
		r = put_mode(2, ip, 44);
	}
	xs_esp_ctx_fini(&c);
	xs_sa_rt_free(rt);
	return r;
}

/* ------------------------------------------------------------ frag */

static uint8_t rec[8192];
static size_t nrec;

/* A stream record: length, time step, fragment. */
static int add_record(void *arg, const uint8_t *frag, size_t len)
{
	if (nrec + 3 + len > sizeof(rec))
		return -E2BIG;
	rec[nrec++] = (uint8_t)(len >> 8);
	rec[nrec++] = (uint8_t)len;
	rec[nrec++] = 1;
	memcpy(rec + nrec, frag, len);
	nrec += len;
	return 0;
}

static int gen_frag(void)
{
	static uint8_t ip[4096], buf[4096];
	size_t len;
	int i, r = 0;

	for (i = 0; i < 2 && !r; i++) {
		len = i ? ip6_tcp(ip, 1000) : ip4_udp(ip, 1200);
		/* split mode: mtu 68 + 8 * 60 = 548, in order / reversed */
		buf[0] = 1;
		buf[1] = 60;
		buf[2] = (uint8_t)i;
		buf[3] = 0x12;
		buf[4] = 0x34;
		memcpy(buf + 5, ip, len);
		r = put("frag", buf, len + 5);
		/* stream mode: the fragments, last first */
		nrec = 1;
		rec[0] = 0;
		if (!r)
			r = xs_frag(ip, len, 600, 0x1234, add_record, NULL);
		if (r > 0)
			r = put("frag", rec, nrec);
	}
	return r;
}

int main(int argc, char **argv)
{
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus DIR\n");
		return 2;
	}
	dir = argv[1];
	r = gen_pfkey_setkey();
	if (!r)
		r = gen_pfkey_misc();
	if (!r)
		r = gen_esp();
	if (!r)
		r = gen_frag();
	if (r) {
		fprintf(stderr, "gen_corpus: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
