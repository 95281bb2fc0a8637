// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * One ESP transform from the command line, for checks against an
 * independent peer (tests/e2e/05-esp-scapy.sh):
 *
 *   esp_tool [-n] [-T TOP] [-E ENC] [-A AUTH AUTHKEYHEX] enc|dec SPI KEYHEX
 *            [SEQ]
 *
 * reads one IP datagram in hex on stdin (white space ignored) and writes
 * the transport-mode ESP datagram (enc) or the decrypted datagram (dec) in
 * hex on stdout.  ENC and AUTH are setkey names (default aes-gcm-16, no
 * AUTH); KEYHEX is the ENC key with its salt/nonce at the end, as setkey
 * takes it (empty "" for null); SPI is decimal or 0x-hex; SEQ (enc) is the
 * sequence number to send, default 1 (64-bit with -n: ESN,
 * SADB_X_SAFLAGS_ESN); -T TOP: the receiver's window has seen TOP (a
 * 64-bit sequence number) before the packet is decrypted.  Exit status 1 with the drop reason
 * on stderr when the transform refuses the packet, 2 for a dummy packet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../ctl/daemon/esp.h"
#include "../../ctl/lib/counter.h"
#include "../../ctl/lib/pfkey_msg.h"
#include "../lib/hexio.h"

#define MAXPKT 65536

static int usage(void)
{
	fprintf(stderr, "usage: esp_tool [-E ENC] [-A AUTH AUTHKEYHEX] "
			"enc|dec SPI KEYHEX [SEQ]\n");
	return 64;
}

struct opts {
	const char *enc, *auth, *authkey;
	bool esn;
	uint64_t top;
};

static int set_key(const char *hex, uint8_t *key, uint16_t *len)
{
	long n = xt_unhex(hex, key, XS_KEY_MAX);

	if (n < 0)
		return -EINVAL;
	*len = (uint16_t)n;
	return 0;
}

static int make_sa(struct xs_sa *sa, const struct opts *o, const char *spi,
		   const char *key)
{
	const struct xs_alg *e = xs_alg_by_name(XS_ALG_ENC, o->enc), *a = NULL;

	memset(sa, 0, sizeof(*sa));
	if (!e || (o->auth && !(a = xs_alg_by_name(XS_ALG_AUTH, o->auth))))
		return -ENOENT;
	sa->satype = SADB_SATYPE_ESP;
	sa->mode = IPSEC_MODE_TRANSPORT;
	sa->state = SADB_SASTATE_MATURE;
	sa->replay = 4;
	sa->flags = o->esn ? SADB_X_SAFLAGS_ESN : 0;
	sa->spi = (uint32_t)strtoul(spi, NULL, 0);
	sa->enc_alg = e->id;
	sa->auth_alg = a ? a->id : SADB_AALG_NONE;
	if (set_key(key, sa->enc_key, &sa->enc_keylen))
		return -EINVAL;
	if (a && set_key(o->authkey, sa->auth_key, &sa->auth_keylen))
		return -EINVAL;
	return 0;
}

static int run(struct xs_sa_rt *rt, bool enc, const uint8_t *in, size_t len)
{
	static uint8_t out[MAXPKT + 256];
	enum xs_counter why = XS_CNT_MAX;
	struct xs_esp_ctx c;
	int n;

	n = xs_esp_ctx_init(&c, rt);
	if (n) {
		fprintf(stderr, "esp_tool: ctx: %s\n", strerror(-n));
		return 1;
	}
	if (enc)
		n = xs_esp_output(&c, rt, in, len, out, sizeof(out), &why);
	else
		n = xs_esp_input(&c, rt, in, len, out, sizeof(out), &why);
	xs_esp_ctx_fini(&c);
	if (n <= 0) {
		fprintf(stderr, "esp_tool: %s: %s\n", xs_counter_name(why),
			n ? strerror(-n) : "dummy");
		return n ? 1 : 2;
	}
	xt_print_hex(stdout, out, (size_t)n);
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t pkt[MAXPKT];
	struct opts o = { "aes-gcm-16", NULL, NULL, false, 0 };
	struct xs_sa_rt *rt;
	struct xs_sa sa;
	long len;
	bool enc;
	int ret, ch;

	while ((ch = getopt(argc, argv, "+E:A:nT:")) != -1) {
		if (ch == 'n') {
			o.esn = true;
		} else if (ch == 'T') {
			o.top = strtoull(optarg, NULL, 0);
		} else if (ch == 'E') {
			o.enc = optarg;
		} else if (ch == 'A' && optind < argc) {
			o.auth = optarg;
			o.authkey = argv[optind++];
		} else {
			return usage();
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 4 || argc > 5)
		return usage();
	if (strcmp(argv[1], "enc") && strcmp(argv[1], "dec"))
		return usage();
	enc = !strcmp(argv[1], "enc");
	len = xt_read_hex(stdin, pkt, sizeof(pkt));
	if (len < 0) {
		fprintf(stderr, "esp_tool: bad hex on stdin\n");
		return 64;
	}
	ret = make_sa(&sa, &o, argv[2], argv[3]);
	if (ret) {
		xs_sa_wipe(&sa);
		fprintf(stderr, "esp_tool: %s\n",
			ret == -ENOENT ? "unknown algorithm" : "bad key");
		return 64;
	}
	rt = xs_sa_rt_new(&sa, 0);
	xs_sa_wipe(&sa);
	if (!rt) {
		fprintf(stderr, "esp_tool: SA: %s\n", strerror(errno));
		return 1;
	}
	if (argc == 5)
		rt->seq_out = strtoull(argv[4], NULL, 0) - 1;
	if (o.top)
		xs_replay_update(&rt->replay, o.top);
	ret = run(rt, enc, pkt, (size_t)len);
	xs_sa_rt_free(rt);
	return ret;
}
