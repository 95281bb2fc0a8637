// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: AH (RFC 4302) decapsulation on raw datagrams, with an
 * HMAC-SHA-256 SA set up.  The first byte picks the mode and the knobs:
 *  - raw: xs_ah_input on the rest (must never read or write out of bounds);
 *  - round trip: the rest as a datagram; whatever xs_ah_output accepts
 *    xs_ah_input must accept, and give back byte for byte when the
 *    datagram was canonical (IPv4 checksum right, lengths exact: the
 *    input path rebuilds the header, it does not preserve bad fields).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../ctl/daemon/ah.h"
#include "../ctl/daemon/pkt.h"
#include "../ctl/lib/bytes.h"

#define BUF 70000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct xs_sa_rt *rt;
static struct xs_esp_ctx ctx;
static uint8_t out[BUF], back[BUF];

static void setup(void)
{
	static const uint8_t key[32] = "0123456789abcdef0123456789abcdef";
	struct xs_sa sa;

	memset(&sa, 0, sizeof(sa));
	sa.satype = SADB_SATYPE_AH;
	sa.mode = IPSEC_MODE_TRANSPORT;
	sa.state = SADB_SASTATE_MATURE;
	sa.replay = 0; /* no window: any input sequence number will do */
	sa.spi = 0x4242;
	sa.auth_alg = SADB_X_AALG_SHA2_256HMAC;
	sa.auth_keylen = sizeof(key);
	memcpy(sa.auth_key, key, sizeof(key));
	rt = xs_sa_rt_new(&sa, 1);
	xs_sa_wipe(&sa);
	if (!rt || xs_esp_ctx_init(&ctx, rt))
		abort();
}

/* An IPv4 source route still to be travelled: the receiver of this round
 * trip is not the final destination the sender computed the ICV for. */
static int source_routed(const uint8_t *ip, size_t len)
{
	size_t i = 20, ihl = (size_t)(ip[0] & 15) * 4;

	if (ip[0] >> 4 != 4 || ihl > len)
		return 0;
	while (i + 2 < ihl && ip[i] != 0) {
		if (ip[i] == 1) {
			i++;
			continue;
		}
		if ((ip[i] == 131 || ip[i] == 137) && ip[i + 1] >= 7 &&
		    ip[i + 2] <= ip[i + 1])
			return 1;
		if (ip[i + 1] < 2)
			return 0;
		i += ip[i + 1];
	}
	return 0;
}

static int canonical(const uint8_t *ip, size_t len)
{
	struct xs_pkt p;

	if (xs_pkt_parse(ip, len, &p) || p.totlen != len)
		return 0;
	/* a checksum field of 0xffff is a valid encoding of zero that the
	 * standard computation never produces: the rebuilt header has 0 */
	return ip[0] >> 4 != 4 ||
	       (xs_csum(ip, (size_t)(ip[0] & 15) * 4, 0) == 0xffff &&
		xs_get_be16(ip + 10) != 0xffff);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xs_ah_knobs k = XS_AH_KNOBS_DEFAULT;
	enum xs_counter why;
	int n, m;

	if (!rt)
		setup();
	if (size < 1 || size > BUF - 512)
		return 0;
	k.cleartos = !(data[0] & 2);
	k.offsetmask = data[0] & 4 ? 0xffff : 0;
	if (!(data[0] & 1)) {
		xs_ah_input(&ctx, rt, &k, data + 1, size - 1, out, sizeof(out),
			    &why);
		return 0;
	}
	n = xs_ah_output(&ctx, rt, &k, data + 1, size - 1, out, sizeof(out),
			 &why);
	if (n <= 0 || source_routed(data + 1, size - 1))
		return 0;
	m = xs_ah_input(&ctx, rt, &k, out, (size_t)n, back, sizeof(back), &why);
	if (m <= 0 ||
	    (canonical(data + 1, size - 1) &&
	     (m != (int)size - 1 || memcmp(back, data + 1, size - 1)))) {
		fprintf(stderr,
			"fuzz_ah: output accepted, input gave %d (%d)\n", m,
			why);
		abort();
	}
	return 0;
}
