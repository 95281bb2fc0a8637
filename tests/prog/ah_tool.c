// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * One AH transform from the command line, for checks against an
 * independent peer (tests/e2e/06-ah-scapy.sh):
 *
 *   ah_tool [-t] [-m OFFSETMASK] [-n] [-T TOP] enc|dec SPI AUTH AUTHKEYHEX
 *           [SEQ]
 *
 * reads one IP datagram in hex on stdin and writes the transport-mode AH
 * datagram (enc) or the datagram without AH (dec) in hex on stdout.  AUTH
 * is a setkey name (hmac-sha1, hmac-sha2-256, ...); -t keeps the IPv4 TOS
 * in the ICV (ah_cleartos = 0), -m sets ah_offsetmask.  Exit status 1
 * with the drop reason on stderr when the transform refuses the packet.
 * -n: ESN (SEQ 64-bit); -T TOP: the window has seen TOP before dec.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../ctl/daemon/ah.h"
#include "../../ctl/lib/counter.h"
#include "../../ctl/lib/pfkey_msg.h"
#include "../lib/hexio.h"

#define MAXPKT 65536

static int usage(void)
{
	fprintf(stderr, "usage: ah_tool [-t] [-m MASK] enc|dec SPI AUTH "
			"KEYHEX [SEQ]\n");
	return 64;
}

static int make_sa(struct xs_sa *sa, const char *spi, const char *auth,
		   const char *key, bool esn)
{
	const struct xs_alg *a = xs_alg_by_name(XS_ALG_AUTH, auth);
	long n;

	memset(sa, 0, sizeof(*sa));
	if (!a)
		return -ENOENT;
	sa->satype = SADB_SATYPE_AH;
	sa->mode = IPSEC_MODE_TRANSPORT;
	sa->state = SADB_SASTATE_MATURE;
	sa->replay = 4;
	sa->flags = esn ? SADB_X_SAFLAGS_ESN : 0;
	sa->spi = (uint32_t)strtoul(spi, NULL, 0);
	sa->auth_alg = a->id;
	n = xt_unhex(key, sa->auth_key, XS_KEY_MAX);
	if (n < 0)
		return -EINVAL;
	sa->auth_keylen = (uint16_t)n;
	return 0;
}

static int run(struct xs_sa_rt *rt, const struct xs_ah_knobs *k, bool enc,
	       const uint8_t *in, size_t len)
{
	static uint8_t out[MAXPKT + 256];
	enum xs_counter why = XS_CNT_MAX;
	struct xs_esp_ctx c;
	int n;

	n = xs_esp_ctx_init(&c, rt);
	if (n) {
		fprintf(stderr, "ah_tool: ctx: %s\n", strerror(-n));
		return 1;
	}
	if (enc)
		n = xs_ah_output(&c, rt, k, in, len, out, sizeof(out), &why);
	else
		n = xs_ah_input(&c, rt, k, in, len, out, sizeof(out), &why);
	xs_esp_ctx_fini(&c);
	if (n <= 0) {
		fprintf(stderr, "ah_tool: %s: %s\n", xs_counter_name(why),
			strerror(-n));
		return 1;
	}
	xt_print_hex(stdout, out, (size_t)n);
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t pkt[MAXPKT];
	struct xs_ah_knobs k = XS_AH_KNOBS_DEFAULT;
	struct xs_sa_rt *rt;
	struct xs_sa sa;
	uint64_t top = 0;
	bool esn = false;
	long len;
	int ret, ch;

	while ((ch = getopt(argc, argv, "+tm:nT:")) != -1) {
		if (ch == 'n')
			esn = true;
		else if (ch == 'T')
			top = strtoull(optarg, NULL, 0);
		else if (ch == 't')
			k.cleartos = false;
		else if (ch == 'm')
			k.offsetmask = (uint16_t)strtoul(optarg, NULL, 0);
		else
			return usage();
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 5 || argc > 6)
		return usage();
	if (strcmp(argv[1], "enc") && strcmp(argv[1], "dec"))
		return usage();
	len = xt_read_hex(stdin, pkt, sizeof(pkt));
	if (len < 0) {
		fprintf(stderr, "ah_tool: bad hex on stdin\n");
		return 64;
	}
	ret = make_sa(&sa, argv[2], argv[3], argv[4], esn);
	rt = ret ? NULL : xs_sa_rt_new(&sa, 0);
	xs_sa_wipe(&sa);
	if (!rt) {
		fprintf(stderr, "ah_tool: SA: %s\n",
			ret ? "unknown algorithm or bad key" : strerror(errno));
		return ret ? 64 : 1;
	}
	if (argc == 6)
		rt->seq_out = strtoull(argv[5], NULL, 0) - 1;
	if (top)
		xs_replay_update(&rt->replay, top);
	ret = run(rt, &k, !strcmp(argv[1], "enc"), pkt, (size_t)len);
	xs_sa_rt_free(rt);
	return ret;
}
