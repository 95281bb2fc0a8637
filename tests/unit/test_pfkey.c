// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * PF_KEY dispatcher: requests through xs_pfkey_handle() against a real SADB
 * and SPD with no datapath (xs_dp_init_none), three fake peers whose send
 * op records every message, and checks of who received what.
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
#include "../lib/pfkey_fix.h"

#define NPEER 3 /* listed; one more, P(NPEER), is not */

static struct xt_pfk *E;

static int setup(void **state)
{
	E = xt_pfk_new();
	assert_non_null(E);
	xt_pfk_open(E, 64, NPEER + 1);
	E->peers[NPEER].hidden = true;
	*state = E;
	return 0;
}

static struct xt_pfk_peer *P(int i)
{
	return &E->peers[i];
}

/* ---------------------------------------------------------- requests */

static void req_begin(uint8_t type, uint8_t satype, uint32_t seq)
{
	xt_pfk_begin(E, type, satype, seq, 4000 + seq);
}

static void make_sa(struct xs_sa *sa, uint32_t spi, const char *dst)
{
	size_t i;

	memset(sa, 0, sizeof(*sa));
	sa->satype = SADB_SATYPE_ESP;
	sa->mode = IPSEC_MODE_TUNNEL;
	sa->state = SADB_SASTATE_MATURE;
	sa->spi = spi;
	sa->reqid = 9;
	sa->replay = 4;
	sa->enc_alg = SADB_X_EALG_AES_GCM_ICV16;
	sa->enc_keylen = 20;
	for (i = 0; i < 20; i++)
		sa->enc_key[i] = (uint8_t)(0x5a ^ i);
	xt_pfk_addr(&sa->src, "192.0.2.1", 32, 0);
	xt_pfk_addr(&sa->dst, dst, 32, 0);
	sa->has_hard = true;
	sa->hard.addtime = 600;
}

static int add_sa(uint8_t type, uint32_t spi, const char *dst, uint32_t seq)
{
	struct xs_sa sa;

	make_sa(&sa, spi, dst);
	req_begin(type, SADB_SATYPE_ESP, seq);
	xs_pfkey_put_sa(&E->b, &sa,
			XS_PFKEY_SA_KEYS | XS_PFKEY_SA_ALGS |
				XS_PFKEY_SA_LIFETIMES);
	xs_sa_wipe(&sa);
	return xt_pfk_send(E, 0);
}

/* An SA-identifying request (DELETE/GET): SA + addresses, no keys. */
static int sa_id_req(uint8_t type, uint32_t spi, const char *dst, int from)
{
	struct xs_sa sa;

	make_sa(&sa, spi, dst);
	req_begin(type, SADB_SATYPE_ESP, 50);
	xs_pfkey_put_sa(&E->b, &sa, 0);
	return xt_pfk_send(E, from);
}

static void make_sp(struct xs_spolicy *sp, uint8_t dir, const char *dnet)
{
	memset(sp, 0, sizeof(*sp));
	xt_pfk_addr(&sp->sel.src, "10.1.0.0", 16, 0);
	xt_pfk_addr(&sp->sel.dst, dnet, 24, 443);
	sp->sel.proto = IPPROTO_TCP;
	sp->dir = dir;
	sp->type = IPSEC_POLICY_IPSEC;
	sp->priority = XS_PRIORITY_DEFAULT;
	sp->nreq = 1;
	sp->req[0].proto = IPPROTO_ESP;
	sp->req[0].mode = IPSEC_MODE_TUNNEL;
	sp->req[0].level = IPSEC_LEVEL_REQUIRE;
	xt_pfk_addr(&sp->req[0].src, "192.0.2.1", 32, 0);
	xt_pfk_addr(&sp->req[0].dst, "192.0.2.2", 32, 0);
}

static int sp_req(uint8_t type, const struct xs_spolicy *sp, uint32_t seq)
{
	req_begin(type, SADB_SATYPE_UNSPEC, seq);
	xs_pfkey_put_policy(&E->b, sp);
	return xt_pfk_send(E, 0);
}

/* A request carrying only an X_POLICY with an id (SPDGET/SPDDELETE2). */
static int sp_id_req(uint8_t type, uint32_t id)
{
	struct xs_spolicy sp;

	memset(&sp, 0, sizeof(sp));
	sp.id = id;
	sp.dir = IPSEC_DIR_OUTBOUND;
	req_begin(type, SADB_SATYPE_UNSPEC, 60);
	xs_pfkey_put_policy(&E->b, &sp);
	return xt_pfk_send(E, 0);
}

/* ------------------------------------------------------------ checks */

static const struct sadb_msg *H(int peer, int i)
{
	assert_true(i < P(peer)->n);
	return (const struct sadb_msg *)P(peer)->msg[i];
}

/* Parse recorded message i of peer; check framing and no key material. */
static void got(int peer, int i, struct xs_pfkey_msg *m)
{
	assert_true(i < P(peer)->n);
	assert_int_equal(xs_pfkey_parse(P(peer)->msg[i], P(peer)->len[i], m),
			 0);
	assert_null(m->ext[SADB_EXT_KEY_AUTH]);
	assert_null(m->ext[SADB_EXT_KEY_ENCRYPT]);
}

/* Only peer `from` got exactly one message: the request's header with
 * errno err and no extensions. */
static void check_error(int ret, int from, int err)
{
	const struct sadb_msg *req = (const void *)E->req;
	const struct sadb_msg *h;
	int i;

	assert_int_equal(ret, -err);
	for (i = 0; i < NPEER; i++)
		assert_int_equal(P(i)->n, i == from ? 1 : 0);
	h = H(from, 0);
	assert_int_equal(P(from)->len[0], sizeof(*h));
	assert_int_equal(h->sadb_msg_version, PF_KEY_V2);
	assert_int_equal(h->sadb_msg_len, 2);
	assert_int_equal(h->sadb_msg_errno, err);
	assert_int_equal(h->sadb_msg_type, req->sadb_msg_type);
	assert_int_equal(h->sadb_msg_satype, req->sadb_msg_satype);
	assert_int_equal(h->sadb_msg_seq, req->sadb_msg_seq);
	assert_int_equal(h->sadb_msg_pid, req->sadb_msg_pid);
}

/* Every peer got the same single reply echoing seq and pid. */
static void check_broadcast(uint8_t type)
{
	const struct sadb_msg *req = (const void *)E->req;
	int i;

	for (i = 0; i < NPEER; i++) {
		assert_int_equal(P(i)->n, 1);
		assert_int_equal(P(i)->len[0], P(0)->len[0]);
		assert_memory_equal(P(i)->msg[0], P(0)->msg[0], P(0)->len[0]);
	}
	assert_int_equal(H(0, 0)->sadb_msg_type, type);
	assert_int_equal(H(0, 0)->sadb_msg_errno, 0);
	assert_int_equal(H(0, 0)->sadb_msg_seq, req->sadb_msg_seq);
	assert_int_equal(H(0, 0)->sadb_msg_pid, req->sadb_msg_pid);
}

static void check_only_sender(int from, int n)
{
	int i;

	for (i = 0; i < NPEER; i++)
		assert_int_equal(P(i)->n, i == from ? n : 0);
}

/* ------------------------------------------------------------- tests */

static void test_register(void **state)
{
	const struct sadb_supported *sup;
	const struct sadb_alg *alg;
	struct xs_pfkey_msg m;

	(void)state;
	req_begin(SADB_REGISTER, SADB_SATYPE_UNSPEC, 7);
	assert_int_equal(xt_pfk_send(E, 1), 0);
	check_only_sender(1, 1);
	got(1, 0, &m);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_REGISTER);
	assert_int_equal(m.hdr->sadb_msg_errno, 0);
	assert_int_equal(m.hdr->sadb_msg_pid, 4007);
	assert_int_equal(m.hdr->sadb_msg_seq, 7);
	assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_UNSPEC);
	assert_non_null(m.ext[SADB_EXT_SUPPORTED_AUTH]);
	sup = (const void *)m.ext[SADB_EXT_SUPPORTED_ENCRYPT];
	assert_non_null(sup);
	alg = (const void *)(sup + 1);
	assert_int_equal(alg->sadb_alg_id, SADB_X_EALG_AES_GCM_ICV16);
	assert_int_equal(P(1)->peer.registered, 0);

	req_begin(SADB_REGISTER, SADB_SATYPE_ESP, 8);
	assert_int_equal(xt_pfk_send(E, 1), 0);
	check_only_sender(1, 1);
	assert_int_equal(P(1)->peer.registered, 1u << SADB_SATYPE_ESP);
	assert_int_equal(H(1, 0)->sadb_msg_satype, SADB_SATYPE_ESP);

	req_begin(SADB_REGISTER, SADB_SATYPE_MAX + 1, 9);
	check_error(xt_pfk_send(E, 1), 1, EINVAL);
}

static void test_add_get_dump_delete(void **state)
{
	const struct sadb_sa *s;
	const struct sadb_lifetime *cur;
	struct xs_pfkey_msg m;
	int i;

	(void)state;
	assert_int_equal(add_sa(SADB_ADD, 0x1001, "192.0.2.2", 11), 0);
	check_broadcast(SADB_ADD);
	got(2, 0, &m);
	assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_ESP);
	s = (const void *)m.ext[SADB_EXT_SA];
	assert_non_null(s);
	assert_int_equal(ntohl(s->sadb_sa_spi), 0x1001);
	assert_int_equal(s->sadb_sa_encrypt, SADB_X_EALG_AES_GCM_ICV16);
	assert_non_null(m.ext[SADB_X_EXT_SA2]);
	assert_non_null(m.ext[SADB_EXT_ADDRESS_SRC]);
	assert_non_null(m.ext[SADB_EXT_ADDRESS_DST]);
	assert_non_null(m.ext[SADB_EXT_LIFETIME_HARD]);
	assert_non_null(m.ext[SADB_EXT_LIFETIME_CURRENT]);

	assert_int_equal(sa_id_req(SADB_GET, 0x1001, "192.0.2.2", 2), 0);
	check_only_sender(2, 1);
	got(2, 0, &m);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_GET);
	assert_int_equal(m.hdr->sadb_msg_seq, 50);
	cur = (const void *)m.ext[SADB_EXT_LIFETIME_CURRENT];
	assert_non_null(cur);
	assert_true(cur->sadb_lifetime_addtime > 0);

	assert_int_equal(add_sa(SADB_ADD, 0x1002, "192.0.2.3", 12), 0);
	assert_int_equal(add_sa(SADB_ADD, 0x1003, "192.0.2.4", 13), 0);
	req_begin(SADB_DUMP, SADB_SATYPE_UNSPEC, 14);
	assert_int_equal(xt_pfk_send(E, 1), 0);
	check_only_sender(1, 3);
	for (i = 0; i < 3; i++) {
		got(1, i, &m);
		assert_int_equal(m.hdr->sadb_msg_type, SADB_DUMP);
		assert_int_equal(m.hdr->sadb_msg_errno, 0);
		assert_int_equal(m.hdr->sadb_msg_seq, 2 - i);
		assert_int_equal(m.hdr->sadb_msg_pid, 4014);
		assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_ESP);
		assert_non_null(m.ext[SADB_EXT_SA]);
		assert_non_null(m.ext[SADB_EXT_LIFETIME_CURRENT]);
	}

	assert_int_equal(sa_id_req(SADB_DELETE, 0x1002, "192.0.2.3", 0), 0);
	check_broadcast(SADB_DELETE);
	got(1, 0, &m);
	s = (const void *)m.ext[SADB_EXT_SA];
	assert_int_equal(ntohl(s->sadb_sa_spi), 0x1002);
	check_error(sa_id_req(SADB_GET, 0x1002, "192.0.2.3", 1), 1, ENOENT);
	check_error(sa_id_req(SADB_DELETE, 0x1002, "192.0.2.3", 2), 2, ENOENT);
	req_begin(SADB_DUMP, SADB_SATYPE_ESP, 15);
	assert_int_equal(xt_pfk_send(E, 0), 0);
	check_only_sender(0, 2);
	assert_int_equal(H(0, 1)->sadb_msg_seq, 0);
}

static void test_add_dup_update_missing(void **state)
{
	(void)state;
	assert_int_equal(add_sa(SADB_ADD, 0x2001, "192.0.2.2", 1), 0);
	check_error(add_sa(SADB_ADD, 0x2001, "192.0.2.2", 2), 0, EEXIST);
	check_error(add_sa(SADB_UPDATE, 0x2002, "192.0.2.2", 3), 0, ENOENT);
	assert_int_equal(add_sa(SADB_UPDATE, 0x2001, "192.0.2.2", 4), 0);
	check_broadcast(SADB_UPDATE);
}

static void test_flush_and_empty_dump(void **state)
{
	(void)state;
	req_begin(SADB_DUMP, SADB_SATYPE_UNSPEC, 1);
	check_error(xt_pfk_send(E, 2), 2, ENOENT);
	assert_int_equal(add_sa(SADB_ADD, 0x3001, "192.0.2.2", 2), 0);
	assert_int_equal(add_sa(SADB_ADD, 0x3002, "192.0.2.2", 3), 0);
	req_begin(SADB_FLUSH, SADB_SATYPE_UNSPEC, 4);
	assert_int_equal(xt_pfk_send(E, 1), 0);
	check_broadcast(SADB_FLUSH);
	assert_int_equal(P(0)->len[0], sizeof(struct sadb_msg));
	assert_int_equal(xs_sadb_count(E->sadb, SADB_SATYPE_UNSPEC), 0);
	req_begin(SADB_DUMP, SADB_SATYPE_ESP, 5);
	check_error(xt_pfk_send(E, 1), 1, ENOENT);
}

/* Numbered table of refused SA requests: errno, reply to the sender only. */
struct sa_case {
	uint8_t type, satype;
	unsigned int drop_ext; /* extension type removed from the request */
	uint8_t auth, enc; /* SA ext algorithms */
	int err;
};

static const struct sa_case sa_cases[] = {
	/* 0 */ { SADB_ADD, SADB_SATYPE_UNSPEC, 0, 0, 20, EINVAL },
	/* 1 */ { SADB_ADD, SADB_SATYPE_ESP, SADB_EXT_SA, 0, 20, EINVAL },
	/* 2 */ { SADB_ADD, SADB_SATYPE_ESP, SADB_EXT_ADDRESS_DST, 0, 20, EINVAL },
	/* 3 */ { SADB_ADD, SADB_SATYPE_ESP, SADB_EXT_KEY_ENCRYPT, 0, 20, EINVAL },
	/* 4 */ { SADB_ADD, SADB_SATYPE_ESP, 0, 0, 0, EINVAL },
	/* 5 */ { SADB_ADD, SADB_SATYPE_AH, 0, 0, 20, EINVAL },
	/* 6 */
	{ SADB_ADD, SADB_SATYPE_AH, SADB_EXT_KEY_ENCRYPT, 9, 0, EOPNOTSUPP },
	/* 7 */ { SADB_ADD, SADB_SATYPE_ESP, 0, 0, 3, EOPNOTSUPP },
	/* 8 */ { SADB_ADD, SADB_X_SATYPE_IPCOMP, 0, 0, 20, EOPNOTSUPP },
	/* 9: GETSPI carrying keys */
	{ SADB_GETSPI, SADB_SATYPE_ESP, 0, 0, 20, EINVAL },
	/* 10 */ { SADB_GET, SADB_SATYPE_UNSPEC, 0, 0, 0, EINVAL },
	/* 11 */
	{ SADB_DELETE, SADB_SATYPE_ESP, SADB_EXT_ADDRESS_SRC, 0, 0, EINVAL },
	/* 12: an ACQUIRE that is no failure notice (no errno) */
	{ SADB_ACQUIRE, SADB_SATYPE_ESP, 0, 0, 20, EINVAL },
	/* 13 */ { SADB_ADD, SADB_SATYPE_ESP, 0, 251, 20, EOPNOTSUPP },
};

/* Copy the request without extension `drop`. */
static size_t drop_ext(const uint8_t *in, size_t len, unsigned int drop,
		       uint8_t *out)
{
	size_t off = sizeof(struct sadb_msg), o = off, n;
	const struct sadb_ext *e;

	memcpy(out, in, off);
	for (; off < len; off += n) {
		e = (const void *)(in + off);
		n = (size_t)e->sadb_ext_len * 8;
		if (e->sadb_ext_type != drop) {
			memcpy(out + o, e, n);
			o += n;
		}
	}
	((struct sadb_msg *)out)->sadb_msg_len = (uint16_t)(o / 8);
	return o;
}

static void test_sa_errors(void **state)
{
	static uint8_t tmp[XS_PFKEY_MSG_MAX];
	struct xs_sa sa;
	size_t i, len;
	int ret;

	(void)state;
	for (i = 0; i < sizeof(sa_cases) / sizeof(sa_cases[0]); i++) {
		const struct sa_case *c = &sa_cases[i];

		make_sa(&sa, 0x4000 + (uint32_t)i, "192.0.2.9");
		sa.auth_alg = c->auth;
		sa.enc_alg = c->enc;
		if (c->auth) {
			sa.auth_keylen = 32;
			memset(sa.auth_key, 0x11, 32);
		}
		req_begin(c->type, c->satype, (uint32_t)i);
		xs_pfkey_put_sa(&E->b, &sa,
				XS_PFKEY_SA_KEYS | XS_PFKEY_SA_ALGS);
		xs_sa_wipe(&sa);
		len = (size_t)xs_pfkey_end(&E->b);
		len = drop_ext(E->req, len, c->drop_ext, tmp);
		memcpy(E->req, tmp, len);
		xt_pfk_clear(E);
		ret = xs_pfkey_handle(E->pk, &P(1)->peer, E->req, len);
		if (ret != -c->err)
			fail_msg("case %zu: got %d want %d", i, ret, -c->err);
		check_error(ret, 1, c->err);
	}
	assert_int_equal(xs_sadb_count(E->sadb, SADB_SATYPE_UNSPEC), 0);
}

static void test_malformed_reply(void **state)
{
	struct sadb_msg *h = (void *)E->req;

	(void)state;
	req_begin(SADB_DUMP, SADB_SATYPE_ESP, 77);
	assert_int_equal(xs_pfkey_end(&E->b), 16);
	h->sadb_msg_version = 3;
	xt_pfk_clear(E);
	check_error(xs_pfkey_handle(E->pk, &P(2)->peer, E->req, 16), 2, EINVAL);
	/* shorter than a header: still one error reply to the sender */
	xt_pfk_clear(E);
	assert_int_equal(xs_pfkey_handle(E->pk, &P(0)->peer, E->req, 4),
			 -EINVAL);
	check_only_sender(0, 1);
	assert_int_equal(H(0, 0)->sadb_msg_errno, EINVAL);
	assert_int_equal(H(0, 0)->sadb_msg_len, 2);
}

static uint32_t policy_id(int peer, int i)
{
	const struct sadb_x_policy *x;
	struct xs_pfkey_msg m;

	got(peer, i, &m);
	x = (const void *)m.ext[SADB_X_EXT_POLICY];
	assert_non_null(x);
	return x->sadb_x_policy_id;
}

static void test_spd(void **state)
{
	struct xs_spolicy out, in, got_sp;
	struct xs_pfkey_msg m;
	uint32_t id_out, id_in;

	(void)state;
	make_sp(&out, IPSEC_DIR_OUTBOUND, "10.2.3.0");
	assert_int_equal(sp_req(SADB_X_SPDADD, &out, 1), 0);
	check_broadcast(SADB_X_SPDADD);
	assert_int_equal(H(0, 0)->sadb_msg_satype, SADB_SATYPE_UNSPEC);
	id_out = policy_id(1, 0);
	assert_true(id_out != 0);
	check_error(sp_req(SADB_X_SPDADD, &out, 2), 0, EEXIST);

	make_sp(&in, IPSEC_DIR_INBOUND, "10.9.9.0");
	assert_int_equal(sp_req(SADB_X_SPDUPDATE, &in, 3), 0);
	check_broadcast(SADB_X_SPDUPDATE);
	id_in = policy_id(2, 0);
	assert_true(id_in != id_out);

	req_begin(SADB_X_SPDDUMP, SADB_SATYPE_UNSPEC, 4);
	assert_int_equal(xt_pfk_send(E, 2), 0);
	check_only_sender(2, 2);
	assert_int_equal(H(2, 0)->sadb_msg_seq, 1);
	assert_int_equal(H(2, 1)->sadb_msg_seq, 0);
	assert_int_equal(H(2, 1)->sadb_msg_pid, 4004);
	assert_int_equal(H(2, 1)->sadb_msg_type, SADB_X_SPDDUMP);

	assert_int_equal(sp_id_req(SADB_X_SPDGET, id_out), 0);
	check_only_sender(0, 1);
	got(0, 0, &m);
	assert_int_equal(xs_pfkey_get_policy(&m, &got_sp), 0);
	assert_memory_equal(&got_sp.sel, &out.sel, sizeof(out.sel));
	assert_int_equal(got_sp.dir, IPSEC_DIR_OUTBOUND);
	assert_int_equal(got_sp.nreq, 1);
	assert_memory_equal(&got_sp.req[0], &out.req[0], sizeof(out.req[0]));

	/* SPDDELETE by selector + dir: the wrong dir does not match */
	out.dir = IPSEC_DIR_FWD;
	check_error(sp_req(SADB_X_SPDDELETE, &out, 5), 0, ENOENT);
	out.dir = IPSEC_DIR_OUTBOUND;
	assert_int_equal(sp_req(SADB_X_SPDDELETE, &out, 6), 0);
	check_broadcast(SADB_X_SPDDELETE);
	assert_int_equal(policy_id(0, 0), id_out);
	check_error(sp_id_req(SADB_X_SPDGET, id_out), 0, ENOENT);

	assert_int_equal(sp_id_req(SADB_X_SPDDELETE2, id_in), 0);
	check_broadcast(SADB_X_SPDDELETE2);
	assert_int_equal(policy_id(2, 0), id_in);
	check_error(sp_id_req(SADB_X_SPDDELETE2, id_in), 0, ENOENT);

	req_begin(SADB_X_SPDDUMP, SADB_SATYPE_UNSPEC, 7);
	check_error(xt_pfk_send(E, 1), 1, ENOENT);
}

static void test_spd_flush_and_errors(void **state)
{
	struct xs_spolicy sp;

	(void)state;
	make_sp(&sp, IPSEC_DIR_OUTBOUND, "10.2.3.0");
	assert_int_equal(sp_req(SADB_X_SPDADD, &sp, 1), 0);
	make_sp(&sp, IPSEC_DIR_FWD, "10.2.3.0");
	assert_int_equal(sp_req(SADB_X_SPDADD, &sp, 2), 0);
	assert_int_equal(xs_spd_count(E->spd), 2);
	/* SPD messages ignore satype */
	req_begin(SADB_X_SPDFLUSH, SADB_SATYPE_ESP, 3);
	assert_int_equal(xt_pfk_send(E, 0), 0);
	check_broadcast(SADB_X_SPDFLUSH);
	assert_int_equal(xs_spd_count(E->spd), 0);

	/* bad dir */
	make_sp(&sp, IPSEC_DIR_ANY, "10.2.3.0");
	check_error(sp_req(SADB_X_SPDADD, &sp, 4), 0, EINVAL);
	/* no X_POLICY */
	req_begin(SADB_X_SPDADD, 0, 5);
	xs_pfkey_put_address(&E->b, SADB_EXT_ADDRESS_SRC, &sp.sel.src, 255);
	xs_pfkey_put_address(&E->b, SADB_EXT_ADDRESS_DST, &sp.sel.dst, 255);
	check_error(xt_pfk_send(E, 0), 0, EINVAL);
	/* SPDGET without X_POLICY */
	req_begin(SADB_X_SPDGET, 0, 6);
	check_error(xt_pfk_send(E, 2), 2, EINVAL);
	/* ipsec policy with no request: refused by the SPD */
	make_sp(&sp, IPSEC_DIR_OUTBOUND, "10.2.3.0");
	sp.nreq = 0;
	check_error(sp_req(SADB_X_SPDADD, &sp, 7), 0, EINVAL);
	assert_int_equal(xs_spd_count(E->spd), 0);
}

static void test_promisc(void **state)
{
	struct xs_pfkey_msg m;

	(void)state;
	req_begin(SADB_X_PROMISC, 1, 1);
	assert_int_equal(xt_pfk_send(E, 1), 0);
	check_only_sender(1, 1);
	assert_true(P(1)->peer.promisc);

	assert_int_equal(add_sa(SADB_ADD, 0x5001, "192.0.2.2", 2), 0);
	assert_int_equal(P(0)->n, 1);
	assert_int_equal(P(2)->n, 1);
	assert_int_equal(P(1)->n, 2);
	/* the copy of the request comes first, without its key */
	got(1, 0, &m);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_ADD);
	assert_non_null(m.ext[SADB_EXT_SA]);
	assert_non_null(m.ext[SADB_EXT_LIFETIME_HARD]);
	assert_memory_equal(P(1)->msg[1], P(0)->msg[0], P(0)->len[0]);

	/* it sees failing requests too; the error goes to the sender only */
	assert_int_equal(add_sa(SADB_ADD, 0x5001, "192.0.2.2", 3), -EEXIST);
	assert_int_equal(P(0)->n, 1);
	assert_int_equal(H(0, 0)->sadb_msg_errno, EEXIST);
	assert_int_equal(P(1)->n, 1);
	assert_int_equal(H(1, 0)->sadb_msg_errno, 0);
	assert_int_equal(H(1, 0)->sadb_msg_seq, 3);
	assert_int_equal(P(2)->n, 0);

	req_begin(SADB_X_PROMISC, 0, 4);
	assert_int_equal(xt_pfk_send(E, 1), 0);
	assert_false(P(1)->peer.promisc);
	assert_int_equal(add_sa(SADB_ADD, 0x5002, "192.0.2.2", 5), 0);
	check_broadcast(SADB_ADD);
}

/* A sender that foreach_peer does not list (the -f loader) still gets
 * the reply to a broadcast message, once. */
static void test_internal_peer(void **state)
{
	struct xs_sa sa;
	int i;

	(void)state;
	make_sa(&sa, 0x6001, "192.0.2.2");
	req_begin(SADB_ADD, SADB_SATYPE_ESP, 1);
	xs_pfkey_put_sa(&E->b, &sa, XS_PFKEY_SA_KEYS | XS_PFKEY_SA_ALGS);
	xs_sa_wipe(&sa);
	assert_int_equal(xs_pfkey_end(&E->b) > 0, 1);
	xt_pfk_clear(E);
	assert_int_equal(
		xs_pfkey_handle(E->pk, &P(NPEER)->peer, E->req, E->b.len), 0);
	for (i = 0; i <= NPEER; i++)
		assert_int_equal(P(i)->n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register, setup,
						xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_add_get_dump_delete, setup,
						xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_add_dup_update_missing,
						setup, xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_flush_and_empty_dump,
						setup, xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_sa_errors, setup,
						xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_reply, setup,
						xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_spd, setup,
						xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_spd_flush_and_errors,
						setup, xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_promisc, setup,
						xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_internal_peer, setup,
						xt_pfk_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
