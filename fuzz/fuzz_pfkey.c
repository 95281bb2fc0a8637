// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: one PF_KEY v2 message per input.  The codec decodes
 * it (xs_pfkey_parse, then xs_pfkey_get_sa/get_policy), and the daemon's
 * request handler runs it against a real in-memory SADB and SPD (no
 * datapath maps) with two fake peers.  Every message the handler sends
 * must itself parse (a malformed reply aborts), except the error reply to
 * a request whose header has no valid type: that one echoes the bad type,
 * as there is nothing better to put there.  State is flushed every
 * FLUSH_EVERY inputs to bound memory.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../ctl/daemon/pfkey.h"
#include "../ctl/lib/pfkey_msg.h"

#define FLUSH_EVERY 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct {
	struct xs_dp dp;
	struct xs_sadb *sadb;
	struct xs_spd *spd;
	struct xs_pfkey *pk;
	struct xs_pfkey_peer peers[2];
	unsigned long runs;
	bool check; /* the request's type is valid: replies must parse */
} env;

static int f_send(void *ctx, struct xs_pfkey_peer *to, const void *msg,
		  size_t len)
{
	struct xs_pfkey_msg m;
	int err = xs_pfkey_parse(msg, len, &m);

	if (err && env.check) {
		fprintf(stderr,
			"fuzz_pfkey: reply of %zu bytes does not parse (%d)\n",
			len, err);
		abort();
	}
	return 0;
}

static int f_foreach(void *ctx, int (*cb)(struct xs_pfkey_peer *p, void *arg),
		     void *arg)
{
	int i, r;

	for (i = 0; i < 2; i++) {
		r = cb(&env.peers[i], arg);
		if (r)
			return r;
	}
	return 0;
}

static const struct xs_pfkey_ops f_ops = { f_send, f_foreach };

static void env_init(void)
{
	xs_dp_init_none(&env.dp);
	env.sadb = xs_sadb_new(&env.dp, 64);
	env.spd = xs_spd_new(&env.dp, 64);
	if (!env.sadb || !env.spd)
		abort();
	env.pk = xs_pfkey_new(env.sadb, env.spd, &f_ops, NULL);
	if (!env.pk)
		abort();
	env.peers[0].id = 1;
	env.peers[0].pid = 1000;
	env.peers[1].id = 2;
	env.peers[1].pid = 1001;
	env.peers[1].promisc = true;
	env.peers[1].registered = ~0u;
}

static void decode(const uint8_t *data, size_t size)
{
	struct xs_pfkey_msg m;
	struct xs_spolicy sp;
	struct xs_sa sa;

	if (xs_pfkey_parse(data, size, &m))
		return;
	memset(&sa, 0, sizeof(sa));
	xs_pfkey_get_sa(&m, &sa);
	xs_sa_wipe(&sa);
	memset(&sp, 0, sizeof(sp));
	xs_pfkey_get_policy(&m, &sp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!env.pk)
		env_init();
	decode(data, size);
	env.check = size >= sizeof(struct sadb_msg) &&
		    ((const struct sadb_msg *)data)->sadb_msg_type > 0 &&
		    ((const struct sadb_msg *)data)->sadb_msg_type <= SADB_MAX;
	xs_pfkey_handle(env.pk, &env.peers[0], data, size);
	if (++env.runs % FLUSH_EVERY == 0) {
		xs_sadb_flush(env.sadb, SADB_SATYPE_UNSPEC);
		xs_spd_flush(env.spd);
		env.peers[0].registered = 0;
		env.peers[0].promisc = false;
	}
	return 0;
}
