// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * SADB_ACQUIRE: the message built from a datapath event (xs_acquire_build,
 * read back field by field) and its delivery through xs_pfkey_acquire()
 * (registered-for-satype and promiscuous peers only, a removed policy is
 * ignored); SPDSETIDX as SPDADD.  No datapath: xs_dp_init_none.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "../../ctl/lib/alg.h"
#include "../../ctl/lib/pfkey_acquire.h"
#include "../lib/pfkey_fix.h"

#define NPEER 4
#define BUFLEN 8192

static uint8_t buf[BUFLEN];

static void make_sp(struct xs_spolicy *sp, uint8_t proto)
{
	memset(sp, 0, sizeof(*sp));
	xt_pfk_addr(&sp->sel.src, "10.1.0.0", 16, 0);
	xt_pfk_addr(&sp->sel.dst, "10.2.0.0", 16, 0);
	sp->sel.proto = IPSEC_ULPROTO_ANY;
	sp->dir = IPSEC_DIR_OUTBOUND;
	sp->type = IPSEC_POLICY_IPSEC;
	sp->priority = XS_PRIORITY_DEFAULT;
	sp->id = 0x41;
	sp->nreq = 1;
	sp->req[0].proto = proto;
	sp->req[0].mode = IPSEC_MODE_TUNNEL;
	sp->req[0].level = IPSEC_LEVEL_UNIQUE;
	sp->req[0].reqid = 5;
	xt_pfk_addr(&sp->req[0].src, "192.0.2.1", 32, 0);
	xt_pfk_addr(&sp->req[0].dst, "192.0.2.2", 32, 0);
}

static void make_ev(struct xs_acquire_ev *ev, uint8_t proto, const char *s,
		    const char *d, uint32_t id)
{
	struct xs_addr a;

	memset(ev, 0, sizeof(*ev));
	ev->policy_id = id;
	ev->level = IPSEC_LEVEL_UNIQUE;
	ev->ulproto = IPPROTO_ICMP;
	ev->sa.proto = proto;
	ev->sa.mode = IPSEC_MODE_TUNNEL;
	ev->sa.reqid = 5;
	xt_pfk_addr(&a, s, 0, 0);
	ev->sa.family = a.family;
	memcpy(ev->sa.saddr, a.a, 16);
	xt_pfk_addr(&a, d, 0, 0);
	memcpy(ev->sa.daddr, a.a, 16);
}

/* Expected proposal: the implemented combinations of satype. */
static size_t want_combs(uint8_t satype)
{
	const struct xs_alg *e, *a;
	size_t i, j, n = 0;

	for (i = 0; (e = xs_alg_at(i)); i++) {
		if (!e->implemented || !e->id)
			continue;
		if (satype == SADB_SATYPE_AH) {
			n += e->kind == XS_ALG_AUTH;
			continue;
		}
		if (e->kind != XS_ALG_ENC)
			continue;
		if (e->aead) {
			n++;
			continue;
		}
		for (j = 0; (a = xs_alg_at(j)); j++)
			n += a->kind == XS_ALG_AUTH && a->implemented && a->id;
	}
	return n;
}

static const struct sadb_comb *combs_of(const struct xs_pfkey_msg *m, size_t *n)
{
	const struct sadb_prop *p = (const void *)m->ext[SADB_EXT_PROPOSAL];

	assert_non_null(p);
	*n = ((size_t)p->sadb_prop_len * 8 - sizeof(*p)) /
	     sizeof(struct sadb_comb);
	return (const struct sadb_comb *)(p + 1);
}

/* Check one address extension: family, prefix, address. */
static void check_addr(const struct sadb_ext *e, int fam, const char *ip)
{
	const struct sadb_address *ad = (const void *)e;
	uint8_t want[16];

	assert_non_null(e);
	assert_int_equal(ad->sadb_address_prefixlen, fam == AF_INET ? 32 : 128);
	assert_int_equal(inet_pton(fam, ip, want), 1);
	if (fam == AF_INET) {
		const struct sockaddr_in *sin = (const void *)(ad + 1);

		assert_int_equal(sin->sin_family, AF_INET);
		assert_memory_equal(&sin->sin_addr, want, 4);
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)(ad + 1);

		assert_int_equal(sin6->sin6_family, AF_INET6);
		assert_memory_equal(&sin6->sin6_addr, want, 16);
	}
}

static void test_build_esp(void **state)
{
	const struct sadb_comb *c;
	struct xs_acquire_ev ev;
	struct xs_spolicy sp, got;
	struct xs_pfkey_msg m;
	struct xs_msgbuf b;
	size_t n, i;
	bool gcm = false;
	int len;

	(void)state;
	make_sp(&sp, IPPROTO_ESP);
	make_ev(&ev, IPPROTO_ESP, "192.0.2.1", "192.0.2.2", 0x41);
	xs_msgbuf_init(&b, buf, sizeof(buf));
	len = xs_acquire_build(&b, &ev, &sp, 77);
	assert_true(len > 0);
	assert_int_equal(xs_pfkey_parse(buf, (size_t)len, &m), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_ACQUIRE);
	assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_ESP);
	assert_int_equal(m.hdr->sadb_msg_seq, 77);
	assert_int_equal(m.hdr->sadb_msg_pid, 0);
	assert_int_equal(m.hdr->sadb_msg_errno, 0);
	check_addr(m.ext[SADB_EXT_ADDRESS_SRC], AF_INET, "192.0.2.1");
	check_addr(m.ext[SADB_EXT_ADDRESS_DST], AF_INET, "192.0.2.2");
	assert_null(m.ext[SADB_EXT_SA]);
	assert_null(m.ext[SADB_EXT_KEY_ENCRYPT]);
	/* X_POLICY: the policy with its request (selector not repeated) */
	assert_non_null(m.ext[SADB_X_EXT_POLICY]);
	m.ext[SADB_EXT_ADDRESS_SRC] = m.ext[SADB_EXT_ADDRESS_DST] = NULL;
	assert_int_equal(xs_pfkey_get_policy(&m, &got), 0);
	assert_int_equal(got.id, 0x41);
	assert_int_equal(got.dir, IPSEC_DIR_OUTBOUND);
	assert_int_equal(got.type, IPSEC_POLICY_IPSEC);
	assert_int_equal(got.nreq, 1);
	assert_int_equal(got.req[0].proto, IPPROTO_ESP);
	assert_int_equal(got.req[0].reqid, 5);
	assert_int_equal(got.req[0].level, IPSEC_LEVEL_UNIQUE);
	/* proposal: every implemented combination, Linux's lifetimes */
	c = combs_of(&m, &n);
	assert_int_equal(n, want_combs(SADB_SATYPE_ESP));
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		const struct xs_alg *e =
			xs_alg_by_id(XS_ALG_ENC, c[i].sadb_comb_encrypt);

		assert_non_null(e);
		assert_true(e->implemented);
		if (e->aead)
			assert_int_equal(c[i].sadb_comb_auth, 0);
		else
			assert_non_null(
				xs_alg_by_id(XS_ALG_AUTH, c[i].sadb_comb_auth));
		assert_int_equal(c[i].sadb_comb_hard_addtime,
				 XS_ACQ_HARD_ADDTIME);
		assert_int_equal(c[i].sadb_comb_soft_addtime,
				 XS_ACQ_SOFT_ADDTIME);
		assert_int_equal(c[i].sadb_comb_hard_usetime,
				 XS_ACQ_HARD_USETIME);
		assert_int_equal(c[i].sadb_comb_soft_usetime,
				 XS_ACQ_SOFT_USETIME);
		if (c[i].sadb_comb_encrypt == SADB_X_EALG_AES_GCM_ICV16) {
			gcm = true;
			/* key bits without the 4-byte salt: AES-128..256 */
			assert_int_equal(c[i].sadb_comb_encrypt_minbits, 128);
			assert_int_equal(c[i].sadb_comb_encrypt_maxbits, 256);
		}
	}
	assert_true(gcm);
}

static void test_build_ah_v6(void **state)
{
	const struct sadb_comb *c;
	struct xs_acquire_ev ev;
	struct xs_spolicy sp;
	struct xs_pfkey_msg m;
	struct xs_msgbuf b;
	size_t n, i;
	int len;

	(void)state;
	make_sp(&sp, IPPROTO_AH);
	make_ev(&ev, IPPROTO_AH, "2001:db8::1", "2001:db8::2", 0x41);
	xs_msgbuf_init(&b, buf, sizeof(buf));
	len = xs_acquire_build(&b, &ev, &sp, 1);
	assert_true(len > 0);
	assert_int_equal(xs_pfkey_parse(buf, (size_t)len, &m), 0);
	assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_AH);
	check_addr(m.ext[SADB_EXT_ADDRESS_SRC], AF_INET6, "2001:db8::1");
	check_addr(m.ext[SADB_EXT_ADDRESS_DST], AF_INET6, "2001:db8::2");
	c = combs_of(&m, &n);
	assert_int_equal(n, want_combs(SADB_SATYPE_AH));
	for (i = 0; i < n; i++) {
		assert_int_equal(c[i].sadb_comb_encrypt, 0);
		assert_non_null(xs_alg_by_id(XS_ALG_AUTH, c[i].sadb_comb_auth));
	}
}

/* Numbered cases: 1 proto not AH/ESP, 2 family 0, 3 buffer too small. */
static void test_build_errors(void **state)
{
	struct xs_acquire_ev ev;
	struct xs_spolicy sp;
	struct xs_msgbuf b;

	(void)state;
	make_sp(&sp, IPPROTO_ESP);
	make_ev(&ev, IPPROTO_UDP, "192.0.2.1", "192.0.2.2", 1);
	xs_msgbuf_init(&b, buf, sizeof(buf));
	assert_int_equal(xs_acquire_build(&b, &ev, &sp, 1), -EINVAL);
	assert_int_equal(xs_acquire_satype(&ev), 0);
	make_ev(&ev, IPPROTO_ESP, "192.0.2.1", "192.0.2.2", 1);
	ev.sa.family = 0;
	assert_int_equal(xs_acquire_build(&b, &ev, &sp, 1), -EINVAL);
	make_ev(&ev, IPPROTO_ESP, "192.0.2.1", "192.0.2.2", 1);
	xs_msgbuf_init(&b, buf, 64);
	assert_int_equal(xs_acquire_build(&b, &ev, &sp, 1), -ENOBUFS);
}

/* Through the dispatcher: SPDSETIDX adds the policy (as SPDADD); the
 * ACQUIRE for it reaches the ESP-registered and promiscuous peers only. */
static void test_deliver(void **state)
{
	struct xt_pfk *fx = xt_pfk_new();
	struct xt_pfk_peer *peers;
	struct xs_acquire_ev ev;
	struct xs_spolicy sp;
	struct xs_pfkey_msg m;
	struct xs_pfkey *pk;
	uint32_t id;
	int i;

	(void)state;
	assert_non_null(fx);
	xt_pfk_open(fx, 8, NPEER);
	pk = fx->pk;
	peers = fx->peers;
	peers[0].peer.registered = 1u << SADB_SATYPE_ESP;
	peers[1].peer.registered = 1u << SADB_SATYPE_AH;
	peers[2].peer.promisc = true;

	make_sp(&sp, IPPROTO_ESP);
	xs_pfkey_put_policy(xt_pfk_begin(fx, SADB_X_SPDSETIDX, 0, 1, 99), &sp);
	assert_int_equal(xt_pfk_send(fx, 3), 0);
	assert_int_equal(xs_spd_count(fx->spd), 1);
	/* the reply: SPDSETIDX, broadcast, with the assigned id */
	assert_int_equal(peers[0].n, 1);
	assert_int_equal(xs_pfkey_parse(peers[0].msg[0], peers[0].len[0], &m),
			 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_X_SPDSETIDX);
	assert_int_equal(xs_pfkey_get_policy(&m, &sp), 0);
	id = sp.id;
	assert_true(id != 0);
	/* a second SPDSETIDX of the same selector: EEXIST, as SPDADD */
	xt_pfk_clear(fx);
	assert_int_equal(xs_pfkey_handle(pk, &peers[3].peer, fx->req,
					 fx->reqlen),
			 -EEXIST);

	xt_pfk_clear(fx);
	make_ev(&ev, IPPROTO_ESP, "192.0.2.1", "192.0.2.2", id);
	assert_int_equal(xs_pfkey_acquire(pk, &ev), 0);
	assert_int_equal(peers[0].n, 1);
	assert_int_equal(peers[1].n, 0);
	assert_int_equal(peers[2].n, 1);
	assert_int_equal(peers[3].n, 0);
	assert_memory_equal(peers[0].msg[0], peers[2].msg[0], peers[0].len[0]);
	assert_int_equal(xs_pfkey_parse(peers[0].msg[0], peers[0].len[0], &m),
			 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_ACQUIRE);
	assert_int_equal(m.hdr->sadb_msg_seq, 1);
	/* the next one counts up */
	xt_pfk_clear(fx);
	assert_int_equal(xs_pfkey_acquire(pk, &ev), 0);
	assert_int_equal(
		((const struct sadb_msg *)peers[0].msg[0])->sadb_msg_seq, 2);
	/* a policy removed since: nothing sent */
	xt_pfk_clear(fx);
	ev.policy_id = id + 8;
	assert_int_equal(xs_pfkey_acquire(pk, &ev), -ENOENT);
	for (i = 0; i < NPEER; i++)
		assert_int_equal(peers[i].n, 0);
	/* an AH event reaches the AH-registered peer */
	xt_pfk_clear(fx);
	make_ev(&ev, IPPROTO_AH, "192.0.2.1", "192.0.2.2", id);
	assert_int_equal(xs_pfkey_acquire(pk, &ev), 0);
	assert_int_equal(peers[0].n, 0);
	assert_int_equal(peers[1].n, 1);
	assert_int_equal(peers[2].n, 1);

	xt_pfk_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_esp),
		cmocka_unit_test(test_build_ah_v6),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_deliver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
