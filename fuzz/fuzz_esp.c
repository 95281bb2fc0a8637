// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: ESP transport-mode input (and the packet parser) on
 * an AES-GCM-16 SA.  The first input byte picks a mode:
 *   0: the rest is a datagram given to xs_pkt_parse and xs_esp_input;
 *   1: the rest is a plain datagram: xs_esp_output, then xs_esp_input of
 *      the result must succeed (round trip);
 *   2: the rest is an IP header, an IV and an ESP plaintext (payload,
 *      padding, trailer) sealed with xs_esp_seal_iv: xs_esp_input must
 *      get past the ICV, so the trailer and header rebuild are fuzzed;
 *   3: the rest is a decrypted datagram: tunnel decapsulation (tunnel.c,
 *      each ECN mode), the NAT-T UDP strip and checksum fix-up (natt.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "../ctl/daemon/esp.h"
#include "../ctl/daemon/natt.h"
#include "../ctl/daemon/pkt.h"
#include "../ctl/daemon/tunnel.h"

#define BUF 70000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct sa_fix {
	struct xs_sa_rt *rt;
	struct xs_esp_ctx c;
};

static struct sa_fix fx[2]; /* 0: modes 0 and 1, 1: mode 2 */
static uint32_t seq2;
static uint8_t out[BUF], back[BUF], pkt[BUF];

static void fix_open(struct sa_fix *f, uint32_t spi)
{
	static const uint8_t key[20] = "0123456789abcdefSALT";
	struct xs_sa sa;

	memset(&sa, 0, sizeof(sa));
	sa.satype = SADB_SATYPE_ESP;
	sa.mode = IPSEC_MODE_TRANSPORT;
	sa.state = SADB_SASTATE_MATURE;
	sa.replay = 32;
	sa.spi = spi;
	sa.enc_alg = SADB_X_EALG_AES_GCM_ICV16;
	sa.auth_alg = SADB_AALG_NONE;
	sa.enc_keylen = sizeof(key);
	memcpy(sa.enc_key, key, sizeof(key));
	f->rt = xs_sa_rt_new(&sa, 1);
	xs_sa_wipe(&sa);
	if (!f->rt || xs_esp_ctx_init(&f->c, f->rt))
		abort();
}

static void parse(const uint8_t *ip, size_t len)
{
	struct xs_pktsel s;
	struct xs_pkt p;

	if (!xs_pkt_parse(ip, len, &p))
		xs_pkt_sel(&p, IPSEC_DIR_INBOUND, &s);
}

static void round_trip(const uint8_t *ip, size_t len)
{
	struct sa_fix *f = &fx[0];
	enum xs_counter why;
	int n, m;

	n = xs_esp_output(&f->c, f->rt, ip, len, out, sizeof(out), &why);
	if (n <= 0)
		return;
	parse(out, (size_t)n);
	m = xs_esp_input(&f->c, f->rt, out, (size_t)n, back, sizeof(back),
			 &why);
	if (m < 0) {
		fprintf(stderr, "fuzz_esp: own output refused: %d (%d)\n", m,
			(int)why);
		abort();
	}
}

/* Mode 2: header from the input, ESP sealed around the input's plaintext. */
static void sealed(const uint8_t *d, size_t len)
{
	struct sa_fix *f = &fx[1];
	size_t hl, ptlen;
	enum xs_counter why;
	int n, m;

	if (len < 1)
		return;
	hl = d[0] >> 4 == 6 ? 40 : (size_t)(d[0] & 0xf) * 4;
	if (hl < 20)
		hl = 20;
	if (len < hl + 8 + 4)
		return;
	memcpy(pkt, d, hl);
	ptlen = (len - hl - 8) & ~(size_t)3;
	n = xs_esp_seal_iv(&f->c, ++seq2, d + hl, d + hl + 8, ptlen, pkt + hl,
			   sizeof(pkt) - hl);
	if (n < 0)
		return;
	if (hl == 40) {
		pkt[0] = 0x60 | (pkt[0] & 0x0f);
		pkt[4] = (uint8_t)(n >> 8);
		pkt[5] = (uint8_t)n;
		pkt[6] = IPPROTO_ESP;
	} else {
		pkt[0] = (uint8_t)(0x40 | hl / 4);
		pkt[2] = (uint8_t)((hl + (size_t)n) >> 8);
		pkt[3] = (uint8_t)(hl + (size_t)n);
		pkt[6] = pkt[7] = 0;
		pkt[9] = IPPROTO_ESP;
	}
	m = xs_esp_input(&f->c, f->rt, pkt, hl + (size_t)n, out, sizeof(out),
			 &why);
	if (m < 0 && why == XS_CNT_drop_bad_icv) {
		fprintf(stderr, "fuzz_esp: sealed packet fails its ICV\n");
		abort();
	}
	if (m > 0)
		parse(out, (size_t)m);
}

static uint8_t dec[65536 + 64];

/* sel: the mode byte; bits 2-3 the ECN mode, bit 4 tunnel vs any. */
static void decap(uint8_t sel, const uint8_t *d, size_t n)
{
	struct xs_sa_rt rt = *fx[0].rt; /* reads mode and family only */
	struct xs_tun_knobs k = { 0, 0, 0 };
	enum xs_counter why;
	size_t len = n;
	bool tun;
	int r;

	k.ecn4 = k.ecn6 = (uint8_t)((sel >> 2) % 3);
	rt.mode = sel & 16 ? IPSEC_MODE_TUNNEL : IPSEC_MODE_ANY;
	memcpy(dec, d, n);
	r = xs_tun_decap(&rt, &k, dec, n, &tun, &why);
	if (r > (int)n || (r < 0 && why >= XS_CNT_MAX))
		abort();
	memcpy(dec, d, n);
	if (!xs_natt_strip(dec, &len, &why) && why >= XS_CNT_MAX)
		abort();
	memcpy(dec, d, n);
	xs_natt_fix_csum(dec, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum xs_counter why;

	if (!fx[0].rt) {
		fix_open(&fx[0], 0x1001);
		fix_open(&fx[1], 0x1002);
	}
	if (size < 1 || size > 65535 + 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		parse(data + 1, size - 1);
		/* a fresh window: seeds' sequence numbers stay acceptable */
		xs_replay_destroy(&fx[0].rt->replay);
		if (xs_replay_init(&fx[0].rt->replay, 256))
			abort();
		xs_esp_input(&fx[0].c, fx[0].rt, data + 1, size - 1, out,
			     sizeof(out), &why);
		break;
	case 1:
		parse(data + 1, size - 1);
		round_trip(data + 1, size - 1);
		break;
	case 2:
		sealed(data + 1, size - 1);
		break;
	default:
		decap(data[0], data + 1, size - 1);
		break;
	}
	return 0;
}
