// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Policy lifetimes (KAME's): SPDADD/SPDUPDATE with LIFETIME_HARD, the
 * lifetimes in replies and SPDGET, expiry by lifetime and by valid time
 * (use read off a real pol_stats map) with SADB_X_SPDEXPIRE to the
 * registered and promiscuous sockets only.  Requests go through
 * xs_pfkey_handle() with a fake clock and four fake peers: 0 plain (the
 * sender), 1 registered for ESP, 2 promiscuous, 3 registered for AH.
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
#include <bpf/bpf.h>
#include <cmocka.h>
#include "../lib/pfkey_fix.h"

#define NPEER 4
#define MAXP 16
#define T0 1700000000ull

static struct xt_pfk *E;

static int setup(void **state)
{
	E = xt_pfk_new();
	assert_non_null(E);
	E->dp.pol_stats = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_pol_stats", 4,
					 sizeof(struct xs_pol_stats), MAXP,
					 NULL);
	if (E->dp.pol_stats < 0) {
		xt_pfk_free(E);
		E = NULL;
		return -1; /* no BPF maps: not root */
	}
	xt_pfk_open(E, MAXP, NPEER);
	E->now = T0;
	xs_spd_set_clock(E->spd, xt_pfk_clock, E);
	E->peers[1].peer.registered = 1u << SADB_SATYPE_ESP;
	E->peers[2].peer.promisc = true;
	E->peers[3].peer.registered = 1u << SADB_SATYPE_AH;
	*state = E;
	return 0;
}

/* An out policy 10.0.0.0/24 -> dst/32, ESP transport require. */
static struct xs_spolicy policy(const char *dst, uint64_t lifetime,
				uint64_t validtime)
{
	struct xs_spolicy sp;

	memset(&sp, 0, sizeof(sp));
	xt_pfk_addr(&sp.sel.src, "10.0.0.0", 24, 0);
	xt_pfk_addr(&sp.sel.dst, dst, 32, 0);
	sp.sel.proto = IPSEC_ULPROTO_ANY;
	sp.dir = IPSEC_DIR_OUTBOUND;
	sp.type = IPSEC_POLICY_IPSEC;
	sp.priority = XS_PRIORITY_DEFAULT;
	sp.nreq = 1;
	sp.req[0].proto = IPPROTO_ESP;
	sp.req[0].mode = IPSEC_MODE_TRANSPORT;
	sp.req[0].level = IPSEC_LEVEL_REQUIRE;
	sp.lifetime = lifetime;
	sp.validtime = validtime;
	return sp;
}

/* Send type with sp from peer 0; returns the handler's result. */
static int send_policy(uint8_t type, const struct xs_spolicy *sp)
{
	xs_pfkey_put_policy(xt_pfk_begin(E, type, SADB_SATYPE_UNSPEC, 7, 1000),
			    sp);
	return xt_pfk_send(E, 0);
}

/* Message k received by peer i, parsed; its policy into sp. */
static const struct xs_pfkey_msg *got(int i, int k, struct xs_spolicy *sp)
{
	static struct xs_pfkey_msg m;
	struct xt_pfk_peer *f = &E->peers[i];

	assert_true(k < f->n);
	assert_int_equal(xs_pfkey_parse(f->msg[k], f->len[k], &m), 0);
	assert_int_equal(m.hdr->sadb_msg_errno, 0);
	assert_int_equal(xs_pfkey_get_policy(&m, sp), 0);
	return &m;
}

static const struct sadb_lifetime *lt(const struct xs_pfkey_msg *m, int type)
{
	assert_non_null(m->ext[type]);
	return (const void *)m->ext[type];
}

/* Add sp; returns its id (from the reply, which carries the lifetime). */
static uint32_t add_ok(uint8_t type, const struct xs_spolicy *sp)
{
	const struct xs_pfkey_msg *m;
	struct xs_spolicy r;

	assert_int_equal(send_policy(type, sp), 0);
	m = got(0, 0, &r);
	assert_int_equal(m->hdr->sadb_msg_type, type);
	assert_int_equal(r.lifetime, sp->lifetime);
	assert_int_equal(r.validtime, sp->validtime);
	if (sp->lifetime || sp->validtime)
		assert_non_null(m->ext[SADB_EXT_LIFETIME_HARD]);
	else
		assert_null(m->ext[SADB_EXT_LIFETIME_HARD]);
	assert_non_null(m->ext[SADB_EXT_LIFETIME_CURRENT]);
	return r.id;
}

/* Run the check at time t; the policies removed. */
static int tick(uint64_t t)
{
	E->now = t;
	xt_pfk_clear(E);
	return xs_pfkey_spd_expire(E->pk);
}

/* Exactly one SPDEXPIRE reached peers 1, 2 and 3 (registered for any
 * satype, promiscuous), none peer 0; its policy into sp. */
static const struct xs_pfkey_msg *one_spdexpire(struct xs_spolicy *sp)
{
	const struct xs_pfkey_msg *m = NULL;
	int i;

	assert_int_equal(E->peers[0].n, 0);
	for (i = 1; i < NPEER; i++) {
		assert_int_equal(E->peers[i].n, 1);
		m = got(i, 0, sp);
		assert_int_equal(m->hdr->sadb_msg_type, SADB_X_SPDEXPIRE);
		assert_int_equal(m->hdr->sadb_msg_satype, 0);
		assert_int_equal(m->hdr->sadb_msg_seq, 0);
		assert_int_equal(m->hdr->sadb_msg_pid, 0);
		assert_non_null(m->ext[SADB_EXT_ADDRESS_SRC]);
		assert_non_null(m->ext[SADB_EXT_ADDRESS_DST]);
		assert_non_null(m->ext[SADB_X_EXT_POLICY]);
	}
	return m;
}

/* SPDGET id from peer 0: its errno; the policy into out. */
static int spdget(uint32_t id, struct xs_spolicy *out)
{
	struct xs_spolicy sp;
	int ret;

	memset(&sp, 0, sizeof(sp));
	sp.id = id;
	sp.type = IPSEC_POLICY_IPSEC;
	xs_pfkey_put_policy_ext(xt_pfk_begin(E, SADB_X_SPDGET, 0, 9, 1000),
				&sp);
	ret = xt_pfk_send(E, 0);
	if (!ret)
		got(0, 0, out);
	return ret;
}

/* ------------------------------------------------------------------ */

static void test_lifetime_expires(void **state)
{
	struct xs_spolicy a = policy("192.0.2.1", 5, 0), b, r;
	const struct xs_pfkey_msg *m;
	uint32_t ida, idb;

	(void)state;
	ida = add_ok(SADB_X_SPDADD, &a);
	b = policy("192.0.2.2", 0, 0);
	idb = add_ok(SADB_X_SPDADD, &b);
	/* SPDGET shows the current and hard lifetimes */
	assert_int_equal(spdget(ida, &r), 0);
	assert_int_equal(r.addtime, T0);
	assert_int_equal(r.lifetime, 5);
	assert_int_equal(tick(T0 + 4), 0);
	assert_int_equal(E->peers[1].n + E->peers[2].n + E->peers[3].n, 0);
	assert_int_equal(tick(T0 + 5), 1);
	m = one_spdexpire(&r);
	assert_int_equal(r.id, ida);
	assert_int_equal(
		lt(m, SADB_EXT_LIFETIME_CURRENT)->sadb_lifetime_addtime, T0);
	assert_int_equal(lt(m, SADB_EXT_LIFETIME_HARD)->sadb_lifetime_addtime,
			 5);
	assert_int_equal(lt(m, SADB_EXT_LIFETIME_HARD)->sadb_lifetime_usetime,
			 0);
	/* gone from the SPD; the one without lifetime stays */
	assert_int_equal(xs_spd_count(E->spd), 1);
	assert_int_equal(spdget(ida, &r), -ENOENT);
	assert_int_equal(spdget(idb, &r), 0);
	assert_int_equal(tick(T0 + 1000), 0);
	assert_int_equal(E->peers[2].n, 0);
}

/* Valid time counts from the add while unused, then from the last use
 * (the policy's pol_stats packet counter moving). */
static void test_validtime(void **state)
{
	struct xs_spolicy a = policy("192.0.2.1", 0, 3), r;
	struct xs_pol_stats st = { .packets = 1, .bytes = 100 };
	const struct xs_pfkey_msg *m;
	uint32_t id, slot;

	(void)state;
	add_ok(SADB_X_SPDADD, &a);
	assert_int_equal(tick(T0 + 2), 0);
	assert_int_equal(tick(T0 + 3), 1);
	m = one_spdexpire(&r);
	assert_int_equal(lt(m, SADB_EXT_LIFETIME_HARD)->sadb_lifetime_usetime,
			 3);
	assert_int_equal(r.usetime, 0); /* never used */

	E->now = T0 + 10;
	id = add_ok(SADB_X_SPDADD, &a);
	for (slot = 0; slot < MAXP; slot++) /* whichever slot it has */
		assert_int_equal(bpf_map_update_elem(E->dp.pol_stats, &slot,
						     &st, BPF_ANY),
				 0);
	assert_int_equal(tick(T0 + 12), 0); /* used: usetime = T0 + 12 */
	assert_int_equal(spdget(id, &r), 0);
	assert_int_equal(r.usetime, T0 + 12);
	assert_int_equal(tick(T0 + 14), 0); /* counter unchanged */
	assert_int_equal(tick(T0 + 15), 1);
	one_spdexpire(&r);
	assert_int_equal(r.id, id);
	assert_int_equal(r.usetime, T0 + 12);
	assert_int_equal(xs_spd_count(E->spd), 0);
}

/* SPDUPDATE restarts the lifetime (KAME re-creates the policy) and
 * keeps addtime; an update without lifetime removes it. */
static void test_update_restarts(void **state)
{
	struct xs_spolicy a = policy("192.0.2.1", 5, 0), r;
	uint32_t id;

	(void)state;
	id = add_ok(SADB_X_SPDADD, &a);
	E->now = T0 + 3;
	assert_int_equal(add_ok(SADB_X_SPDUPDATE, &a), id);
	assert_int_equal(tick(T0 + 7), 0);
	assert_int_equal(spdget(id, &r), 0);
	assert_int_equal(r.addtime, T0);
	assert_int_equal(tick(T0 + 8), 1);
	one_spdexpire(&r);

	E->now = T0 + 20;
	id = add_ok(SADB_X_SPDADD, &a);
	a.lifetime = 0;
	assert_int_equal(add_ok(SADB_X_SPDUPDATE, &a), id);
	assert_int_equal(tick(T0 + 100), 0);
	assert_int_equal(xs_spd_count(E->spd), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lifetime_expires, setup,
						xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_validtime, setup,
						xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_update_restarts, setup,
						xt_pfk_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
