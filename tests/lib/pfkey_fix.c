// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* PF_KEY dispatcher fixture (see pfkey_fix.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "pfkey_fix.h"

static struct xt_pfk_peer *peer_of(struct xs_pfkey_peer *p)
{
	return (struct xt_pfk_peer *)((uint8_t *)p -
				      offsetof(struct xt_pfk_peer, peer));
}

static int record(void *ctx, struct xs_pfkey_peer *to, const void *msg,
		  size_t len)
{
	struct xt_pfk_peer *f = peer_of(to);
	struct xt_pfk *fx = ctx;

	/* ctx is the fixture and to one of its peers */
	assert_non_null(fx);
	assert_true(f >= fx->peers && f < fx->peers + fx->npeer);
	assert_true(f->n < XT_PFK_MAXREC);
	assert_true(len <= XT_PFK_RECLEN);
	memcpy(f->msg[f->n], msg, len);
	f->len[f->n++] = len;
	return 0;
}

static int foreach_listed(void *ctx,
			  int (*cb)(struct xs_pfkey_peer *p, void *arg),
			  void *arg)
{
	struct xt_pfk *fx = ctx;
	int i, r;

	for (i = 0; i < fx->npeer; i++) {
		if (fx->peers[i].hidden)
			continue;
		r = cb(&fx->peers[i].peer, arg);
		if (r)
			return r;
	}
	return 0;
}

static const struct xs_pfkey_ops ops = { record, foreach_listed };

struct xt_pfk *xt_pfk_new(void)
{
	struct xt_pfk *fx = calloc(1, sizeof(*fx));

	if (fx)
		xs_dp_init_none(&fx->dp);
	return fx;
}

void xt_pfk_open(struct xt_pfk *fx, size_t slots, int npeer)
{
	int i;

	assert_true(npeer > 0 && npeer <= XT_PFK_NPEER);
	fx->sadb = xs_sadb_new(&fx->dp, slots);
	fx->spd = xs_spd_new(&fx->dp, slots);
	assert_non_null(fx->sadb);
	assert_non_null(fx->spd);
	fx->pk = xs_pfkey_new(fx->sadb, fx->spd, &ops, fx);
	assert_non_null(fx->pk);
	fx->npeer = npeer;
	for (i = 0; i < npeer; i++) {
		fx->peers[i].peer.id = (uint32_t)i + 1;
		fx->peers[i].peer.pid = 1000 + i;
	}
}

void xt_pfk_free(struct xt_pfk *fx)
{
	if (!fx)
		return;
	xs_pfkey_free(fx->pk);
	xs_spd_free(fx->spd);
	xs_sadb_free(fx->sadb);
	xs_dp_close(&fx->dp);
	free(fx);
}

int xt_pfk_teardown(void **state)
{
	xt_pfk_free(*state);
	*state = NULL;
	return 0;
}

uint64_t xt_pfk_clock(void *fx)
{
	return ((struct xt_pfk *)fx)->now;
}

void xt_pfk_clear(struct xt_pfk *fx)
{
	int i;

	for (i = 0; i < fx->npeer; i++)
		fx->peers[i].n = 0;
}

struct xs_msgbuf *xt_pfk_begin(struct xt_pfk *fx, uint8_t type, uint8_t satype,
			       uint32_t seq, uint32_t pid)
{
	xs_msgbuf_init(&fx->b, fx->req, sizeof(fx->req));
	xs_pfkey_begin(&fx->b, type, satype, seq, pid);
	return &fx->b;
}

int xt_pfk_send(struct xt_pfk *fx, int from)
{
	int len = xs_pfkey_end(&fx->b);

	assert_true(len > 0);
	assert_true(from >= 0 && from < fx->npeer);
	fx->reqlen = (size_t)len;
	xt_pfk_clear(fx);
	return xs_pfkey_handle(fx->pk, &fx->peers[from].peer, fx->req,
			       (size_t)len);
}

void xt_pfk_addr(struct xs_addr *a, const char *ip, uint8_t plen, uint16_t port)
{
	int fam = strchr(ip, ':') ? AF_INET6 : AF_INET;

	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)fam;
	a->plen = plen;
	a->port = port;
	assert_int_equal(inet_pton(fam, ip, a->a), 1);
}
