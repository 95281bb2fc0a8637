// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * SADB: add/get/update/delete/flush, validation errnos (numbered table),
 * the sa_in/sa_out/sa_stats mirror on real BPF maps (newest mature SA
 * under reqid 0, fall-back on delete), and 100 000 adds + flush.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include "../../ctl/daemon/sadb.h"
#include "../../ctl/lib/alg.h"

#define TEST_MAXSA 1024

static void addr(struct xs_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	a->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(a->family, s, a->a), 1);
	a->plen = a->family == AF_INET ? 32 : 128;
}

/* ESP aes-gcm-16 with a 20-byte key (16 + 4 salt). */
static struct xs_sa esp(uint32_t spi, const char *src, const char *dst,
			uint8_t mode, uint32_t reqid)
{
	struct xs_sa sa;

	memset(&sa, 0, sizeof(sa));
	sa.satype = SADB_SATYPE_ESP;
	sa.mode = mode;
	sa.spi = spi;
	sa.reqid = reqid;
	sa.enc_alg = SADB_X_EALG_AES_GCM_ICV16;
	sa.enc_keylen = 20;
	memset(sa.enc_key, 0xa5, 20);
	sa.enc_key[0] = (uint8_t)spi;
	addr(&sa.src, src);
	addr(&sa.dst, dst);
	return sa;
}

/* An auth algorithm the datapath runs (NULL if none yet). */
static const struct xs_alg *auth_alg(bool implemented)
{
	const struct xs_alg *a;
	size_t i;

	for (i = 0; (a = xs_alg_at(i)); i++)
		if (a->kind == XS_ALG_AUTH && a->implemented == implemented &&
		    a->key_max)
			return a;
	return NULL;
}

static struct xs_sadb *db_none(struct xs_dp *dp)
{
	struct xs_sadb *db;

	xs_dp_init_none(dp);
	db = xs_sadb_new(dp, TEST_MAXSA);
	assert_non_null(db);
	return db;
}

static int count_cb(const struct xs_sa *sa, uint32_t slot, void *arg)
{
	uint32_t *spis = arg;

	spis[++spis[0]] = sa->spi;
	return 0;
}

static void test_basic(void **state)
{
	struct xs_sa a = esp(0x1000, "10.0.0.1", "10.0.0.2", 1, 0);
	struct xs_sa b = esp(0x1001, "10.0.0.1", "10.0.0.2", 1, 0);
	struct xs_sa c = esp(0x1000, "2001:db8::1", "2001:db8::2", 2, 0);
	struct xs_addr other;
	uint32_t seen[8] = { 0 };
	struct xs_sa got;
	struct xs_dp dp;
	struct xs_sadb *db = db_none(&dp);

	assert_int_equal(xs_sadb_add(db, &a, false), 0);
	assert_int_equal(xs_sadb_add(db, &a, false), -EEXIST);
	assert_int_equal(xs_sadb_add(db, &b, true), -ENOENT);
	assert_int_equal(xs_sadb_add(db, &b, false), 0);
	assert_int_equal(xs_sadb_add(db, &c, false), 0); /* same spi, v6 */
	assert_int_equal(xs_sadb_count(db, SADB_SATYPE_UNSPEC), 3);
	assert_int_equal(xs_sadb_count(db, SADB_SATYPE_ESP), 3);
	assert_int_equal(xs_sadb_count(db, SADB_SATYPE_AH), 0);

	assert_int_equal(xs_sadb_get(db, SADB_SATYPE_ESP, 0x1000, NULL, &a.dst,
				     &got),
			 0);
	assert_int_equal(got.state, SADB_SASTATE_MATURE);
	assert_true(got.cur.addtime >= (uint64_t)time(NULL) - 5);
	assert_int_equal(got.enc_keylen, 20);
	assert_memory_equal(got.enc_key, a.enc_key, 20);
	xs_sa_wipe(&got);
	assert_int_equal(xs_sadb_get(db, SADB_SATYPE_ESP, 0x1000, &a.src,
				     &a.dst, &got),
			 0);
	xs_sa_wipe(&got);
	memset(&other, 0, sizeof(other)); /* family 0: not matched */
	assert_int_equal(xs_sadb_get(db, SADB_SATYPE_ESP, 0x1000, &other,
				     &a.dst, &got),
			 0);
	xs_sa_wipe(&got);
	addr(&other, "10.0.0.9");
	assert_int_equal(xs_sadb_get(db, SADB_SATYPE_ESP, 0x1000, &other,
				     &a.dst, &got),
			 -ENOENT);
	assert_int_equal(xs_sadb_get(db, SADB_SATYPE_AH, 0x1000, NULL, &a.dst,
				     &got),
			 -ENOENT);
	assert_int_equal(xs_sadb_get(db, SADB_SATYPE_ESP, 0x1002, NULL, &a.dst,
				     &got),
			 -ENOENT);

	/* update: new key, same identity */
	a.enc_key[5] = 0x11;
	assert_int_equal(xs_sadb_add(db, &a, true), 0);
	assert_int_equal(xs_sadb_get(db, SADB_SATYPE_ESP, 0x1000, NULL, &a.dst,
				     &got),
			 0);
	assert_int_equal(got.enc_key[5], 0x11);
	xs_sa_wipe(&got);
	assert_int_equal(xs_sadb_count(db, SADB_SATYPE_UNSPEC), 3);

	/* foreach: oldest first (update kept a's place) */
	xs_sadb_foreach(db, SADB_SATYPE_ESP, count_cb, seen);
	assert_int_equal(seen[0], 3);
	assert_int_equal(seen[1], 0x1000);
	assert_int_equal(seen[2], 0x1001);
	assert_int_equal(seen[3], 0x1000);

	/* delete: wrong src refused; then gone for get and foreach */
	assert_int_equal(xs_sadb_delete(db, SADB_SATYPE_ESP, 0x1001, &other,
					&b.dst),
			 -ENOENT);
	assert_int_equal(
		xs_sadb_delete(db, SADB_SATYPE_ESP, 0x1001, &b.src, &b.dst), 0);
	assert_int_equal(xs_sadb_delete(db, SADB_SATYPE_ESP, 0x1001, NULL,
					&b.dst),
			 -ENOENT);
	assert_int_equal(xs_sadb_get(db, SADB_SATYPE_ESP, 0x1001, NULL, &b.dst,
				     &got),
			 -ENOENT);
	memset(seen, 0, sizeof(seen));
	xs_sadb_foreach(db, SADB_SATYPE_UNSPEC, count_cb, seen);
	assert_int_equal(seen[0], 2);
	assert_int_not_equal(seen[1], 0x1001);
	assert_int_not_equal(seen[2], 0x1001);

	assert_int_equal(xs_sadb_flush(db, SADB_SATYPE_AH), 0);
	assert_int_equal(xs_sadb_flush(db, SADB_SATYPE_UNSPEC), 2);
	assert_int_equal(xs_sadb_count(db, SADB_SATYPE_UNSPEC), 0);
	assert_int_equal(xs_sadb_get(db, SADB_SATYPE_ESP, 0x1000, NULL, &a.dst,
				     &got),
			 -ENOENT);
	assert_int_equal(xs_sadb_add(db, &a, false), 0);
	xs_sadb_free(db);
}

static void test_validation(void **state)
{
	const struct xs_alg *auth = auth_alg(true);
	const struct xs_alg *noimpl = auth_alg(false);
	static const struct {
		int what, err;
	} cases[] = {
		/* 0 */ { 0, 0 }, /* valid ESP aes-gcm-16 */
		/* 1 */ { 1, -EINVAL }, /* spi 255 */
		/* 2 */ { 2, -EINVAL }, /* spi 0 */
		/* 3 */ { 3, 0 }, /* spi 256 */
		/* 4 */ { 4, -EINVAL }, /* key 19 bytes */
		/* 5 */ { 5, -EINVAL }, /* key 21 bytes */
		/* 6 */ { 6, 0 }, /* key 36 bytes (AES-256) */
		/* 7 */ { 7, -EINVAL }, /* unknown enc alg 200 */
		/* 8 */ { 8, -EINVAL }, /* ESP without enc */
		/* 9 */ { 9, -EINVAL }, /* family mismatch */
		/* 10 */ { 10, -EINVAL }, /* satype 4 (RSVP) */
		/* 11 */ { 11, -EINVAL }, /* AH with an enc key */
		/* 12 */ { 12, -EINVAL }, /* AH without auth */
		/* 13 */ { 13, -EINVAL }, /* mode 7 */
		/* 14 */ { 14, -EOPNOTSUPP }, /* ESP 3des-cbc (not run) */
		/* 15 */ { 15, -EINVAL }, /* unknown auth alg 200 */
		/* 16 */ { 16, -EINVAL }, /* GCM plus an auth alg */
		/* 17 */ { 17, -1 }, /* AH + implemented or not */
		/* 18 */ { 18, -EINVAL }, /* family 0 */
		/* 19 */ { 19, 0 }, /* v6, tunnel */
		/* 20 */ { 20, 0 }, /* -R 4096 (SADB_X_EXT_XS_REPLAY) */
		/* 21 */ { 21, -EINVAL }, /* -R 4097: above XS_REPLAY_MAX */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xs_sa sa = esp(0x2000, "10.0.0.1", "10.0.0.2", 0, 0);
		const struct xs_alg *ah = auth ? auth : noimpl;
		int want = cases[i].err;
		struct xs_dp dp;
		struct xs_sadb *db = db_none(&dp);

		switch (cases[i].what) {
		case 1:
			sa.spi = 255;
			break;
		case 2:
			sa.spi = 0;
			break;
		case 3:
			sa.spi = 256;
			break;
		case 4:
			sa.enc_keylen = 19;
			break;
		case 5:
			sa.enc_keylen = 21;
			break;
		case 6:
			sa.enc_keylen = 36;
			break;
		case 7:
			sa.enc_alg = 200;
			break;
		case 8:
			sa.enc_alg = SADB_EALG_NONE;
			sa.enc_keylen = 0;
			break;
		case 9:
			addr(&sa.dst, "::2");
			break;
		case 10:
			sa.satype = 4;
			break;
		case 11:
			sa.satype = SADB_SATYPE_AH;
			sa.auth_alg = ah->id;
			sa.auth_keylen = ah->key_max;
			break;
		case 12:
			sa.satype = SADB_SATYPE_AH;
			sa.enc_alg = SADB_EALG_NONE;
			sa.enc_keylen = 0;
			break;
		case 13:
			sa.mode = 7;
			break;
		case 14:
			sa.enc_alg = SADB_EALG_3DESCBC;
			sa.enc_keylen = 24;
			break;
		case 15:
			sa.auth_alg = 200;
			sa.auth_keylen = 20;
			break;
		case 16:
			sa.auth_alg = ah->id;
			sa.auth_keylen = ah->key_max;
			break;
		case 17:
			sa.satype = SADB_SATYPE_AH;
			sa.enc_alg = SADB_EALG_NONE;
			sa.enc_keylen = 0;
			sa.auth_alg = ah->id;
			sa.auth_keylen = ah->key_max;
			want = auth ? 0 : -EOPNOTSUPP;
			break;
		case 18:
			sa.src.family = sa.dst.family = 0;
			break;
		case 19:
			addr(&sa.src, "2001:db8::1");
			addr(&sa.dst, "2001:db8::2");
			sa.mode = IPSEC_MODE_TUNNEL;
			break;
		case 20:
			sa.replay_win = 4096;
			break;
		case 21:
			sa.replay_win = 4097;
			break;
		}
		printf("validation case %zu\n", i);
		assert_int_equal(xs_sadb_add(db, &sa, false), want);
		assert_int_equal(xs_sadb_count(db, 0), want ? 0 : 1);
		xs_sadb_free(db);
	}
}

/* ------------------------------------------------------------------ */
/* The datapath mirror                                                */

static int maps_create(struct xs_dp *dp)
{
	xs_dp_init_none(dp);
	dp->sa_in = bpf_map_create(BPF_MAP_TYPE_HASH, "t_sa_in",
				   sizeof(struct xs_sa_in_key),
				   sizeof(struct xs_sa_ref), TEST_MAXSA, NULL);
	dp->sa_out = bpf_map_create(BPF_MAP_TYPE_HASH, "t_sa_out",
				    sizeof(struct xs_sa_out_key),
				    sizeof(struct xs_sa_ref), 2 * TEST_MAXSA,
				    NULL);
	dp->sa_stats = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_sa_stats", 4,
				      sizeof(struct xs_sa_stats), TEST_MAXSA,
				      NULL);
	if (dp->sa_in < 0 || dp->sa_out < 0 || dp->sa_stats < 0) {
		xs_dp_close(dp);
		return -1;
	}
	return 0;
}

static int map_count(int fd, size_t ksize)
{
	uint8_t k[64], *prev = NULL;
	int n = 0;

	assert_true(ksize <= sizeof(k));
	while (!bpf_map_get_next_key(fd, prev, k)) {
		prev = k;
		n++;
	}
	return n;
}

struct find_slot {
	uint32_t spi, slot;
};

static int find_slot_cb(const struct xs_sa *sa, uint32_t slot, void *arg)
{
	struct find_slot *f = arg;

	if (sa->spi != f->spi)
		return 0;
	f->slot = slot;
	return 1;
}

static uint32_t sa_slot(struct xs_sadb *db, uint32_t spi)
{
	struct find_slot f = { spi, XS_SLOT_NONE };

	assert_int_equal(xs_sadb_foreach(db, 0, find_slot_cb, &f), 1);
	return f.slot;
}

/* sa_out value for (mode, reqid, src, dst): the slot, or XS_SLOT_NONE. */
static uint32_t out_slot(struct xs_dp *dp, uint8_t mode, uint32_t reqid,
			 const struct xs_sa *sa)
{
	struct xs_sa_out_key k = { .proto = IPPROTO_ESP,
				   .mode = mode,
				   .family = sa->dst.family,
				   .reqid = reqid };
	struct xs_sa_ref ref;

	memcpy(k.saddr, sa->src.a, 16);
	memcpy(k.daddr, sa->dst.a, 16);
	if (bpf_map_lookup_elem(dp->sa_out, &k, &ref))
		return XS_SLOT_NONE;
	assert_int_equal(ref.mode, mode);
	return ref.slot;
}

static void test_maps(void **state)
{
	struct xs_sa a = esp(0x3000, "10.0.0.1", "10.0.0.2", 1, 0);
	struct xs_sa b = esp(0x3001, "10.0.0.1", "10.0.0.2", 1, 5);
	struct xs_sa c = esp(0x3002, "10.0.0.1", "10.0.0.2", 0, 0);
	struct xs_sa t = esp(0x3003, "10.0.0.1", "10.0.0.2", 2, 0);
	struct xs_sa_in_key ik = { .spi = htonl(0x3000),
				   .proto = IPPROTO_ESP,
				   .family = AF_INET };
	struct xs_sa_stats st = { .rx_packets = 7, .drops = 3 };
	struct xs_sa_ref ref;
	struct xs_dp dp;
	struct xs_sadb *db;
	uint32_t slot0 = 0, sa_, sb, sc, st_;

	if (maps_create(&dp))
		skip();
	db = xs_sadb_new(&dp, TEST_MAXSA);
	assert_non_null(db);
	/* stale stats in the first slot are cleared by the add */
	assert_int_equal(bpf_map_update_elem(dp.sa_stats, &slot0, &st, 0), 0);
	assert_int_equal(xs_sadb_add(db, &a, false), 0);
	sa_ = sa_slot(db, 0x3000);
	assert_int_equal(sa_, 0);
	assert_int_equal(bpf_map_lookup_elem(dp.sa_stats, &slot0, &st), 0);
	assert_int_equal(st.rx_packets + st.drops, 0);
	memcpy(ik.daddr, a.dst.a, 16);
	assert_int_equal(bpf_map_lookup_elem(dp.sa_in, &ik, &ref), 0);
	assert_int_equal(ref.slot, sa_);
	assert_int_equal(ref.mode, IPSEC_MODE_TRANSPORT);
	assert_int_equal(out_slot(&dp, 1, 0, &a), sa_);

	/* newer b (reqid 5): its own entry and the reqid-0 one */
	assert_int_equal(xs_sadb_add(db, &b, false), 0);
	sb = sa_slot(db, 0x3001);
	assert_int_equal(out_slot(&dp, 1, 5, &b), sb);
	assert_int_equal(out_slot(&dp, 1, 0, &a), sb);
	/* newer c, mode any: filed under transport, sa_in keeps any */
	assert_int_equal(xs_sadb_add(db, &c, false), 0);
	sc = sa_slot(db, 0x3002);
	assert_int_equal(out_slot(&dp, 1, 0, &a), sc);
	assert_int_equal(out_slot(&dp, 0, 0, &a), XS_SLOT_NONE);
	ik.spi = htonl(0x3002);
	assert_int_equal(bpf_map_lookup_elem(dp.sa_in, &ik, &ref), 0);
	assert_int_equal(ref.mode, IPSEC_MODE_ANY);
	/* tunnel SA: its own pair, does not disturb transport */
	assert_int_equal(xs_sadb_add(db, &t, false), 0);
	st_ = sa_slot(db, 0x3003);
	assert_int_equal(out_slot(&dp, 2, 0, &t), st_);
	assert_int_equal(out_slot(&dp, 1, 0, &a), sc);
	assert_int_equal(map_count(dp.sa_in, sizeof(ik)), 4);
	assert_int_equal(map_count(dp.sa_out, 40), 3);

	/* delete the newest: the next newest takes reqid 0 */
	assert_int_equal(xs_sadb_delete(db, 3, 0x3002, NULL, &c.dst), 0);
	assert_int_equal(out_slot(&dp, 1, 0, &a), sb);
	assert_int_not_equal(bpf_map_lookup_elem(dp.sa_in, &ik, &ref), 0);
	/* delete an older one: nothing moves */
	assert_int_equal(xs_sadb_delete(db, 3, 0x3000, NULL, &a.dst), 0);
	assert_int_equal(out_slot(&dp, 1, 0, &a), sb);
	/* update b to reqid 6: reqid 5 entry goes, 6 appears */
	b.reqid = 6;
	assert_int_equal(xs_sadb_add(db, &b, true), 0);
	assert_int_equal(sa_slot(db, 0x3001), sb); /* slot kept */
	assert_int_equal(out_slot(&dp, 1, 5, &b), XS_SLOT_NONE);
	assert_int_equal(out_slot(&dp, 1, 6, &b), sb);
	assert_int_equal(out_slot(&dp, 1, 0, &b), sb);
	/* last one of the pair: entries deleted */
	assert_int_equal(xs_sadb_delete(db, 3, 0x3001, NULL, &b.dst), 0);
	assert_int_equal(out_slot(&dp, 1, 0, &a), XS_SLOT_NONE);
	assert_int_equal(out_slot(&dp, 1, 6, &b), XS_SLOT_NONE);
	assert_int_equal(map_count(dp.sa_in, sizeof(ik)), 1);
	assert_int_equal(map_count(dp.sa_out, 40), 1);
	/* slot reuse: the most recently freed slot first */
	assert_int_equal(xs_sadb_add(db, &a, false), 0);
	assert_int_equal(sa_slot(db, 0x3000), sb);
	assert_int_equal(xs_sadb_flush(db, 0), 2);
	assert_int_equal(map_count(dp.sa_in, sizeof(ik)), 0);
	assert_int_equal(map_count(dp.sa_out, 40), 0);
	xs_sadb_free(db);
	xs_dp_close(&dp);
}

/* A full sa_in map makes the add fail: the add is undone everywhere. */
static void test_rollback(void **state)
{
	struct xs_sa a = esp(0x5000, "10.0.0.1", "10.0.0.2", 1, 0);
	struct xs_sa b = esp(0x5001, "10.0.0.1", "10.0.0.2", 1, 0);
	struct xs_sa got;
	struct xs_dp dp;
	struct xs_sadb *db;

	if (maps_create(&dp))
		skip();
	close(dp.sa_in);
	dp.sa_in = bpf_map_create(BPF_MAP_TYPE_HASH, "t_sa_in1",
				  sizeof(struct xs_sa_in_key),
				  sizeof(struct xs_sa_ref), 1, NULL);
	assert_true(dp.sa_in >= 0);
	db = xs_sadb_new(&dp, TEST_MAXSA);
	assert_non_null(db);
	assert_int_equal(xs_sadb_add(db, &a, false), 0);
	assert_int_equal(xs_sadb_add(db, &b, false), -E2BIG);
	assert_int_equal(xs_sadb_count(db, 0), 1);
	assert_int_equal(xs_sadb_get(db, 3, 0x5001, NULL, &b.dst, &got),
			 -ENOENT);
	/* sa_out still points at a */
	assert_int_equal(out_slot(&dp, 1, 0, &a), sa_slot(db, 0x5000));
	assert_int_equal(map_count(dp.sa_out, 40), 1);
	xs_sadb_free(db);
	xs_dp_close(&dp);
}

static void test_full(void **state)
{
	struct xs_dp dp;
	struct xs_sadb *db;
	struct xs_sa sa;
	uint32_t i;

	xs_dp_init_none(&dp);
	db = xs_sadb_new(&dp, 4);
	assert_non_null(db);
	for (i = 0; i < 5; i++) {
		sa = esp(0x4000 + i, "10.0.0.1", "10.0.0.2", 1, 0);
		assert_int_equal(xs_sadb_add(db, &sa, false),
				 i < 4 ? 0 : -ENOSPC);
	}
	assert_int_equal(xs_sadb_delete(db, 3, 0x4001, NULL, &sa.dst), 0);
	assert_int_equal(xs_sadb_add(db, &sa, false), 0);
	xs_sadb_free(db);
	assert_null(xs_sadb_new(&dp, 0));
	assert_null(xs_sadb_new(&dp, XS_MAX_SA + 1));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_scale(void **state)
{
	const uint32_t n = 100000;
	struct xs_dp dp;
	struct xs_sadb *db;
	struct xs_sa sa, got;
	double t0, t1, t2;
	uint32_t i;

	xs_dp_init_none(&dp);
	db = xs_sadb_new(&dp, XS_MAX_SA);
	assert_non_null(db);
	sa = esp(0, "10.0.0.1", "10.0.0.2", 1, 0);
	t0 = now();
	for (i = 0; i < n; i++) {
		sa.spi = 0x10000 + i;
		sa.dst.a[3] = (uint8_t)i; /* spread over 256 pairs */
		sa.reqid = i % 7;
		assert_int_equal(xs_sadb_add(db, &sa, false), 0);
	}
	t1 = now();
	assert_int_equal(xs_sadb_count(db, 0), n);
	sa.spi = 0x10000 + 4242;
	sa.dst.a[3] = (uint8_t)4242;
	assert_int_equal(xs_sadb_get(db, 3, sa.spi, NULL, &sa.dst, &got), 0);
	xs_sa_wipe(&got);
	assert_int_equal(xs_sadb_flush(db, 0), (int)n);
	t2 = now();
	printf("100000 adds: %.3f s, flush: %.3f s\n", t1 - t0, t2 - t1);
	assert_int_equal(xs_sadb_count(db, 0), 0);
	xs_sadb_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic), cmocka_unit_test(test_validation),
		cmocka_unit_test(test_maps),  cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_full),  cmocka_unit_test(test_scale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
