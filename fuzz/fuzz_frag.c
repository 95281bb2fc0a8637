// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: IP reassembly (xs_reasm_add) and fragmentation
 * (xs_frag).  The first input byte picks a mode:
 *   even: the rest is a stream of records "len (2 bytes, big endian),
 *     time step (1 byte, x 16 ms), fragment (len bytes)" fed to one
 *     reassembly table that lives across inputs (bounded by its limits);
 *   odd: byte 1 sets the MTU, byte 2 the order, the rest is a datagram:
 *     xs_frag splits it and its fragments go to a second, emptied table,
 *     in order or reversed, optionally with a duplicate: the datagram
 *     must come back whole (the same bytes but IPv4's fragment field
 *     and checksum).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "../ctl/daemon/frag.h"
#include "../ctl/daemon/pkt.h"

#define TIMEOUT_MS 1000
#define MAX_FRAGS 1024
#define BUF 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct xs_reasm *stream_tab, *split_tab;
static uint64_t now_ms;
static uint8_t out[BUF];

struct frags {
	size_t n, used;
	size_t off[MAX_FRAGS], len[MAX_FRAGS];
	uint8_t data[4 * BUF];
};

static struct frags fr;

static void stream(const uint8_t *d, size_t size)
{
	enum xs_counter why;
	uint32_t expired;
	size_t len;

	while (size >= 3) {
		len = (size_t)d[0] << 8 | d[1];
		now_ms += (uint64_t)d[2] * 16;
		d += 3;
		size -= 3;
		if (len > size)
			len = size;
		xs_reasm_add(stream_tab, d, len, now_ms, out, sizeof(out), &why,
			     &expired);
		d += len;
		size -= len;
	}
}

static int emit(void *arg, const uint8_t *frag, size_t len)
{
	struct frags *f = arg;

	if (f->n == MAX_FRAGS || len > sizeof(f->data) - f->used)
		return -E2BIG;
	memcpy(f->data + f->used, frag, len);
	f->off[f->n] = f->used;
	f->len[f->n++] = len;
	f->used += len;
	return 0;
}

static void split(const uint8_t *d, size_t size)
{
	uint32_t mtu, id;
	struct xs_pkt p;
	enum xs_counter why;
	size_t i, k;
	uint8_t order;
	int n, r = 0;

	if (size < 7)
		return;
	mtu = 68 + (uint32_t)d[0] * 8;
	order = d[1];
	id = (uint32_t)d[2] << 8 | d[3];
	d += 4;
	size -= 4;
	/* reasm.c keeps at most HDR_MAX (512) header bytes: a datagram with
	 * a longer unfragmentable part does not come back (known limit) */
	if (xs_pkt_parse(d, size, &p) || p.frag || p.l3len > 512)
		return;
	fr.n = fr.used = 0;
	n = xs_frag(d, size, mtu, id, emit, &fr);
	if (n < 2)
		return;
	for (k = 0; k < fr.n; k++) {
		i = order & 1 ? fr.n - 1 - k : k;
		r = xs_reasm_add(split_tab, fr.data + fr.off[i], fr.len[i],
				 now_ms, out, sizeof(out), &why, NULL);
		if (order & 2 && k == 0) /* an exact duplicate is refused */
			xs_reasm_add(split_tab, fr.data + fr.off[i], fr.len[i],
				     now_ms, out, sizeof(out), &why, NULL);
		if (r && k + 1 < fr.n) {
			fprintf(stderr, "fuzz_frag: fragment %zu/%zu: %d\n", k,
				fr.n, r);
			abort();
		}
	}
	/* all of it but, for IPv4, the fragment field (the reserved flag is
	 * not carried over, as on Linux) and the recomputed checksum */
	if (r != p.totlen || memcmp(out, d, 6) ||
	    (p.family == AF_INET6 && memcmp(out + 6, d + 6, 6)) ||
	    (p.family == AF_INET && memcmp(out + 8, d + 8, 2)) ||
	    memcmp(out + 12, d + 12, p.totlen - 12)) {
		fprintf(stderr,
			"fuzz_frag: %zu fragments of %u came back as %d\n",
			fr.n, p.totlen, r);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!stream_tab) {
		stream_tab = xs_reasm_new(256 * 1024, TIMEOUT_MS, 16);
		split_tab = xs_reasm_new(256 * 1024, TIMEOUT_MS, 4);
		if (!stream_tab || !split_tab)
			abort();
	}
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		split(data + 1, size - 1);
		/* empty the table for the next input */
		now_ms += TIMEOUT_MS + 1;
		xs_reasm_expire(split_tab, now_ms);
	} else {
		stream(data + 1, size - 1);
	}
	return 0;
}
