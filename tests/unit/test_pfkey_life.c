// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * PF_KEY beyond the basic subset: GETSPI (larval SAs) completed by UPDATE,
 * and SA lifetimes (SADB_EXPIRE soft/hard by add time, use time, bytes and
 * packets).  Requests go through xs_pfkey_handle() against a real SADB/SPD
 * whose SA maps are real BPF maps (so "not in the datapath" is checked on
 * the maps and the counters come from a real sa_stats array), with a fake
 * clock and four fake peers recording what they receive.
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
#define MAXSA 64
#define T0 1700000000ull

static struct xt_pfk *E;
static int removed; /* notify(slot, NULL) calls */

static int f_notify(void *arg, uint32_t slot, const struct xs_sa *sa)
{
	(void)arg;
	(void)slot;
	if (!sa)
		removed++;
	return 0;
}

static int setup(void **state)
{
	struct xs_dp *dp;

	E = xt_pfk_new();
	assert_non_null(E);
	dp = &E->dp;
	dp->sa_in = bpf_map_create(BPF_MAP_TYPE_HASH, "t_sa_in",
				   sizeof(struct xs_sa_in_key),
				   sizeof(struct xs_sa_ref), MAXSA, NULL);
	dp->sa_out = bpf_map_create(BPF_MAP_TYPE_HASH, "t_sa_out",
				    sizeof(struct xs_sa_out_key),
				    sizeof(struct xs_sa_ref), 2 * MAXSA, NULL);
	dp->sa_stats = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_sa_stats", 4,
				      sizeof(struct xs_sa_stats), MAXSA, NULL);
	if (dp->sa_in < 0 || dp->sa_out < 0 || dp->sa_stats < 0) {
		xt_pfk_free(E);
		E = NULL;
		return -1; /* no BPF maps: not root */
	}
	xt_pfk_open(E, MAXSA, NPEER);
	E->now = T0;
	removed = 0;
	xs_sadb_set_clock(E->sadb, xt_pfk_clock, E);
	xs_sadb_set_notify(E->sadb, f_notify, E);
	*state = E;
	return 0;
}

static struct xt_pfk_peer *P(int i)
{
	return &E->peers[i];
}

static int map_count(int fd)
{
	uint8_t k[64], *prev = NULL;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, k)) {
		prev = k;
		n++;
	}
	return n;
}

/* ---------------------------------------------------------- requests */

static void req_begin(uint8_t type, uint8_t satype, uint32_t seq)
{
	xt_pfk_begin(E, type, satype, seq, 4000 + seq);
}

static void set_addr(struct xs_addr *a, const char *ip)
{
	xt_pfk_addr(a, ip, strchr(ip, ':') ? 128 : 32, 0);
}

static void make_sa(struct xs_sa *sa, uint32_t spi, const char *dst)
{
	size_t i;

	memset(sa, 0, sizeof(*sa));
	sa->satype = SADB_SATYPE_ESP;
	sa->mode = IPSEC_MODE_TRANSPORT;
	sa->spi = spi;
	sa->reqid = 7;
	sa->enc_alg = SADB_X_EALG_AES_GCM_ICV16;
	sa->enc_keylen = 20;
	for (i = 0; i < 20; i++)
		sa->enc_key[i] = (uint8_t)(0x33 ^ i);
	set_addr(&sa->src, "192.0.2.1");
	set_addr(&sa->dst, dst);
}

/* ADD or UPDATE sa (with keys and its lifetimes) from peer 0. */
static int put_sa(uint8_t type, struct xs_sa *sa)
{
	req_begin(type, SADB_SATYPE_ESP, 3);
	xs_pfkey_put_sa(&E->b, sa,
			XS_PFKEY_SA_KEYS | XS_PFKEY_SA_ALGS |
				XS_PFKEY_SA_LIFETIMES);
	xs_sa_wipe(sa);
	return xt_pfk_send(E, 0);
}

/* GETSPI from peer `from`; range used when min or max is non-zero. */
static int getspi(int from, uint8_t satype, const char *src, const char *dst,
		  uint32_t min, uint32_t max)
{
	struct sadb_spirange *sr;
	struct xs_addr a;

	req_begin(SADB_GETSPI, satype, 11);
	set_addr(&a, src);
	xs_pfkey_put_address(&E->b, SADB_EXT_ADDRESS_SRC, &a, IPSEC_PROTO_ANY);
	set_addr(&a, dst);
	xs_pfkey_put_address(&E->b, SADB_EXT_ADDRESS_DST, &a, IPSEC_PROTO_ANY);
	if (min || max) {
		sr = (void *)(E->b.buf + E->b.len);
		assert_true(E->b.len + sizeof(*sr) <= E->b.cap);
		memset(sr, 0, sizeof(*sr));
		sr->sadb_spirange_len = sizeof(*sr) / 8;
		sr->sadb_spirange_exttype = SADB_EXT_SPIRANGE;
		sr->sadb_spirange_min = min;
		sr->sadb_spirange_max = max;
		E->b.len += sizeof(*sr);
	}
	return xt_pfk_send(E, from);
}

/* GETSPI that must succeed: the reply (sender only) and its SPI. */
static uint32_t getspi_ok(const char *dst, uint32_t min, uint32_t max)
{
	struct xs_pfkey_msg m;
	struct xs_sa sa;
	uint32_t spi;
	int i;

	assert_int_equal(getspi(1, SADB_SATYPE_ESP, "192.0.2.1", dst, min, max),
			 0);
	for (i = 0; i < NPEER; i++)
		assert_int_equal(P(i)->n, i == 1 ? 1 : 0);
	assert_int_equal(xs_pfkey_parse(P(1)->msg[0], P(1)->len[0], &m), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_GETSPI);
	assert_int_equal(m.hdr->sadb_msg_errno, 0);
	assert_int_equal(m.hdr->sadb_msg_seq, 11);
	assert_non_null(m.ext[SADB_EXT_SA]);
	assert_non_null(m.ext[SADB_EXT_ADDRESS_SRC]);
	assert_non_null(m.ext[SADB_EXT_ADDRESS_DST]);
	assert_null(m.ext[SADB_EXT_KEY_ENCRYPT]);
	assert_int_equal(xs_pfkey_get_sa(&m, &sa), 0);
	assert_int_equal(sa.state, SADB_SASTATE_LARVAL);
	assert_int_equal(sa.cur.addtime, E->now);
	spi = sa.spi;
	assert_true(spi >= (min > 0x100 ? min : 0x100));
	assert_true(spi <= (max ? max : XS_PFKEY_SPI_MAX));
	return spi;
}

/* The errno of the single error reply to `from`. */
static void check_error(int ret, int from, int err)
{
	const struct sadb_msg *h = (const void *)P(from)->msg[0];
	int i;

	assert_int_equal(ret, -err);
	for (i = 0; i < NPEER; i++)
		assert_int_equal(P(i)->n, i == from ? 1 : 0);
	assert_int_equal(h->sadb_msg_errno, err);
	assert_int_equal(h->sadb_msg_len, 2);
}

/* GET spi/dst from peer 3; returns the errno and fills sa. */
static int get_sa(uint32_t spi, const char *dst, struct xs_sa *out)
{
	struct xs_pfkey_msg m;
	struct xs_sa sa;
	int ret;

	make_sa(&sa, spi, dst);
	req_begin(SADB_GET, SADB_SATYPE_ESP, 21);
	xs_pfkey_put_sa(&E->b, &sa, 0);
	xs_sa_wipe(&sa);
	ret = xt_pfk_send(E, 3);
	if (ret)
		return ret;
	assert_int_equal(P(3)->n, 1);
	assert_int_equal(xs_pfkey_parse(P(3)->msg[0], P(3)->len[0], &m), 0);
	assert_non_null(m.ext[SADB_EXT_LIFETIME_CURRENT]);
	assert_int_equal(xs_pfkey_get_sa(&m, out), 0);
	return 0;
}

/* ------------------------------------------------------------ GETSPI */

static void test_getspi_larval(void **state)
{
	struct xs_sa sa;
	uint32_t spi;

	(void)state;
	spi = getspi_ok("192.0.2.2", 0x1000, 0x1fff);
	/* in the SADB, not in the datapath */
	assert_int_equal(xs_sadb_count(E->sadb, SADB_SATYPE_ESP), 1);
	assert_int_equal(map_count(E->dp.sa_in), 0);
	assert_int_equal(map_count(E->dp.sa_out), 0);
	assert_int_equal(get_sa(spi, "192.0.2.2", &sa), 0);
	assert_int_equal(sa.state, SADB_SASTATE_LARVAL);
	assert_int_equal(sa.spi, spi);
	/* default range */
	spi = getspi_ok("192.0.2.3", 0, 0);
	assert_true(spi >= 0x100 && spi <= XS_PFKEY_SPI_MAX);
	/* deleting a larval SA touches no map and notifies no worker */
	make_sa(&sa, spi, "192.0.2.3");
	req_begin(SADB_DELETE, SADB_SATYPE_ESP, 5);
	xs_pfkey_put_sa(&E->b, &sa, 0);
	assert_int_equal(xt_pfk_send(E, 0), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(xs_sadb_count(E->sadb, SADB_SATYPE_ESP), 1);
}

/* A range of n SPIs gives n distinct ones, then EEXIST; another dst or
 * satype has its own space. */
static void test_getspi_unique(void **state)
{
	uint32_t got[4];
	int i, j;

	(void)state;
	for (i = 0; i < 4; i++) {
		got[i] = getspi_ok("192.0.2.2", 0x200, 0x203);
		for (j = 0; j < i; j++)
			assert_int_not_equal(got[i], got[j]);
	}
	check_error(getspi(1, SADB_SATYPE_ESP, "192.0.2.1", "192.0.2.2", 0x200,
			   0x203),
		    1, EEXIST);
	getspi_ok("192.0.2.9", 0x200, 0x203);
	assert_int_equal(getspi(1, SADB_SATYPE_AH, "192.0.2.1", "192.0.2.2",
				0x200, 0x203),
			 0);
	/* a single-SPI range below 0x100 is raised to 0x100 */
	assert_int_equal(getspi_ok("192.0.2.4", 1, 0x100), 0x100);
	check_error(getspi(1, SADB_SATYPE_ESP, "192.0.2.1", "192.0.2.4", 1,
			   0x100),
		    1, EEXIST);
}

static void test_getspi_errors(void **state)
{
	int i;

	(void)state;
	/* numbered cases: 1 UNSPEC, 2 a type we do not run, 3 min > max,
	 * 4 a range entirely below 0x100, 5 family mismatch */
	check_error(getspi(2, SADB_SATYPE_UNSPEC, "192.0.2.1", "192.0.2.2", 0,
			   0),
		    2, EINVAL);
	check_error(getspi(2, SADB_SATYPE_RSVP, "192.0.2.1", "192.0.2.2", 0, 0),
		    2, EOPNOTSUPP);
	check_error(getspi(2, SADB_SATYPE_ESP, "192.0.2.1", "192.0.2.2", 0x2000,
			   0x1000),
		    2, EINVAL);
	check_error(getspi(2, SADB_SATYPE_ESP, "192.0.2.1", "192.0.2.2", 1,
			   0xff),
		    2, EINVAL);
	check_error(getspi(2, SADB_SATYPE_ESP, "192.0.2.1", "2001:db8::1", 0,
			   0),
		    2, EINVAL);
	/* 6: no destination */
	req_begin(SADB_GETSPI, SADB_SATYPE_ESP, 1);
	{
		struct xs_addr a;

		set_addr(&a, "192.0.2.1");
		xs_pfkey_put_address(&E->b, SADB_EXT_ADDRESS_SRC, &a, 255);
	}
	check_error(xt_pfk_send(E, 2), 2, EINVAL);
	/* 7: key material in a GETSPI */
	{
		struct xs_sa sa;

		make_sa(&sa, 0x999, "192.0.2.2");
		req_begin(SADB_GETSPI, SADB_SATYPE_ESP, 1);
		xs_pfkey_put_sa(&E->b, &sa,
				XS_PFKEY_SA_KEYS | XS_PFKEY_SA_ALGS);
		xs_sa_wipe(&sa);
		check_error(xt_pfk_send(E, 2), 2, EINVAL);
	}
	/* 8: the SADB is full */
	for (i = 0; i < MAXSA; i++)
		assert_int_equal(getspi(1, SADB_SATYPE_ESP, "192.0.2.1",
					"192.0.2.2", 0, 0),
				 0);
	check_error(getspi(2, SADB_SATYPE_ESP, "192.0.2.1", "192.0.2.2", 0, 0),
		    2, ENOSPC);
	assert_int_equal(xs_sadb_count(E->sadb, SADB_SATYPE_UNSPEC), MAXSA);
}

static void test_update_completes_larval(void **state)
{
	struct xs_sa sa;
	uint32_t spi;
	int i;

	(void)state;
	spi = getspi_ok("192.0.2.2", 0, 0);
	/* ADD of the larval SPI: it exists */
	make_sa(&sa, spi, "192.0.2.2");
	check_error(put_sa(SADB_ADD, &sa), 0, EEXIST);
	/* UPDATE of an SPI nobody allocated */
	make_sa(&sa, spi + 1 > XS_PFKEY_SPI_MAX ? spi - 1 : spi + 1,
		"192.0.2.2");
	check_error(put_sa(SADB_UPDATE, &sa), 0, ENOENT);
	/* UPDATE with a bad key length leaves it larval */
	make_sa(&sa, spi, "192.0.2.2");
	sa.enc_keylen = 7;
	check_error(put_sa(SADB_UPDATE, &sa), 0, EINVAL);
	assert_int_equal(map_count(E->dp.sa_in), 0);
	/* later: the UPDATE matures it, broadcast to every peer */
	E->now += 5;
	make_sa(&sa, spi, "192.0.2.2");
	assert_int_equal(put_sa(SADB_UPDATE, &sa), 0);
	for (i = 0; i < NPEER; i++)
		assert_int_equal(P(i)->n, 1);
	assert_int_equal(map_count(E->dp.sa_in), 1);
	assert_int_equal(map_count(E->dp.sa_out), 2); /* reqid 0 and 7 */
	assert_int_equal(get_sa(spi, "192.0.2.2", &sa), 0);
	assert_int_equal(sa.state, SADB_SASTATE_MATURE);
	assert_int_equal(sa.enc_alg, SADB_X_EALG_AES_GCM_ICV16);
	assert_int_equal(sa.cur.addtime, T0 + 5);
	/* a larval SA times out silently */
	spi = getspi_ok("192.0.2.5", 0, 0);
	E->now += XS_SADB_LARVAL_LIFE - 1;
	xt_pfk_clear(E);
	assert_int_equal(xs_pfkey_expire(E->pk), 0);
	assert_int_equal(xs_sadb_count(E->sadb, SADB_SATYPE_ESP), 2);
	E->now += 1;
	assert_int_equal(xs_pfkey_expire(E->pk), 1);
	for (i = 0; i < NPEER; i++)
		assert_int_equal(P(i)->n, 0);
	assert_int_equal(get_sa(spi, "192.0.2.5", &sa), -ENOENT);
	assert_int_equal(xs_sadb_count(E->sadb, SADB_SATYPE_ESP), 1);
	assert_int_equal(removed, 0);
}

/* --------------------------------------------------------- lifetimes */

/* Peer 0 registered for ESP, 1 for AH, 2 promiscuous, 3 nothing. */
static void register_peers(void)
{
	P(0)->peer.registered = 1u << SADB_SATYPE_ESP;
	P(1)->peer.registered = 1u << SADB_SATYPE_AH;
	P(2)->peer.promisc = true;
}

/* Run the lifetime check; returns SAs deleted. */
static int tick(uint64_t at)
{
	E->now = at;
	xt_pfk_clear(E);
	return xs_pfkey_expire(E->pk);
}

/* Exactly peers 0 and 2 got one EXPIRE for spi; check it, return cur. */
static struct xs_lifetime check_expire(uint32_t spi, bool hard)
{
	const struct sadb_lifetime *l;
	struct xs_pfkey_msg m;
	struct xs_sa sa;

	assert_int_equal(P(0)->n, 1);
	assert_int_equal(P(1)->n, 0);
	assert_int_equal(P(2)->n, 1);
	assert_int_equal(P(3)->n, 0);
	assert_memory_equal(P(0)->msg[0], P(2)->msg[0], P(0)->len[0]);
	assert_int_equal(xs_pfkey_parse(P(0)->msg[0], P(0)->len[0], &m), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_EXPIRE);
	assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_ESP);
	assert_int_equal(m.hdr->sadb_msg_errno, 0);
	assert_null(m.ext[SADB_EXT_KEY_ENCRYPT]);
	assert_non_null(m.ext[SADB_EXT_ADDRESS_SRC]);
	assert_non_null(m.ext[SADB_EXT_ADDRESS_DST]);
	assert_non_null(m.ext[SADB_EXT_LIFETIME_CURRENT]);
	if (hard) {
		assert_non_null(m.ext[SADB_EXT_LIFETIME_HARD]);
		assert_null(m.ext[SADB_EXT_LIFETIME_SOFT]);
	} else {
		assert_non_null(m.ext[SADB_EXT_LIFETIME_SOFT]);
		assert_null(m.ext[SADB_EXT_LIFETIME_HARD]);
	}
	assert_int_equal(xs_pfkey_get_sa(&m, &sa), 0);
	assert_int_equal(sa.spi, spi);
	assert_int_equal(sa.state,
			 hard ? SADB_SASTATE_DEAD : SADB_SASTATE_DYING);
	l = (const void *)m.ext[SADB_EXT_LIFETIME_CURRENT];
	assert_int_equal(l->sadb_lifetime_addtime, sa.cur.addtime);
	return sa.cur;
}

static void test_expire_addtime(void **state)
{
	struct xs_sa sa;

	(void)state;
	register_peers();
	make_sa(&sa, 0x1001, "192.0.2.2");
	sa.has_soft = sa.has_hard = true;
	sa.soft.addtime = 10;
	sa.hard.addtime = 20;
	assert_int_equal(put_sa(SADB_ADD, &sa), 0);
	assert_int_equal(tick(T0 + 9), 0);
	assert_int_equal(P(0)->n + P(1)->n + P(2)->n + P(3)->n, 0);
	/* soft: once, to ESP-registered and promiscuous peers */
	assert_int_equal(tick(T0 + 10), 0);
	check_expire(0x1001, false);
	assert_int_equal(tick(T0 + 11), 0);
	assert_int_equal(P(0)->n + P(2)->n, 0);
	assert_int_equal(get_sa(0x1001, "192.0.2.2", &sa), 0);
	assert_int_equal(sa.state, SADB_SASTATE_DYING);
	/* a dying SA still serves outbound: no mature one replaces it */
	assert_int_equal(map_count(E->dp.sa_out), 2);
	/* hard: reported, deleted, the datapath and workers told */
	assert_int_equal(tick(T0 + 20), 1);
	check_expire(0x1001, true);
	assert_int_equal(get_sa(0x1001, "192.0.2.2", &sa), -ENOENT);
	assert_int_equal(map_count(E->dp.sa_in), 0);
	assert_int_equal(map_count(E->dp.sa_out), 0);
	assert_int_equal(removed, 1);
}

/* Soft then hard by bytes and by packets, counted rx + tx from sa_stats;
 * GET reports the counters in LIFETIME_CURRENT. */
static void test_expire_bytes_packets(void **state)
{
	struct xs_sa_stats st = { 0 };
	struct xs_lifetime cur;
	uint32_t slot = 0; /* the first SA takes the lowest slot */
	struct xs_sa sa;

	(void)state;
	register_peers();
	make_sa(&sa, 0x2002, "192.0.2.2");
	sa.has_soft = sa.has_hard = true;
	sa.soft.bytes = 1000;
	sa.hard.allocations = 10;
	assert_int_equal(put_sa(SADB_ADD, &sa), 0);
	st.rx_bytes = 400;
	st.tx_bytes = 599;
	st.rx_packets = 2;
	st.tx_packets = 3;
	assert_int_equal(bpf_map_update_elem(E->dp.sa_stats, &slot, &st, 0), 0);
	assert_int_equal(tick(T0 + 1), 0);
	assert_int_equal(P(0)->n, 0);
	assert_int_equal(get_sa(0x2002, "192.0.2.2", &sa), 0);
	assert_int_equal(sa.cur.bytes, 999);
	assert_int_equal(sa.cur.allocations, 5);
	assert_int_equal(sa.cur.usetime, T0 + 1);
	assert_int_equal(sa.cur.addtime, T0);
	st.tx_bytes = 600;
	assert_int_equal(bpf_map_update_elem(E->dp.sa_stats, &slot, &st, 0), 0);
	assert_int_equal(tick(T0 + 2), 0);
	cur = check_expire(0x2002, false);
	assert_int_equal(cur.bytes, 1000);
	assert_int_equal(cur.usetime, T0 + 1);
	st.rx_packets = 7;
	assert_int_equal(bpf_map_update_elem(E->dp.sa_stats, &slot, &st, 0), 0);
	assert_int_equal(tick(T0 + 3), 1);
	cur = check_expire(0x2002, true);
	assert_int_equal(cur.allocations, 10);
	assert_int_equal(xs_sadb_count(E->sadb, SADB_SATYPE_UNSPEC), 0);
}

/* A use-time limit runs from the first packet only. */
static void test_expire_usetime(void **state)
{
	struct xs_sa_stats st = { .rx_packets = 1, .rx_bytes = 60 };
	uint32_t slot = 0;
	struct xs_sa sa;

	(void)state;
	register_peers();
	make_sa(&sa, 0x3003, "192.0.2.2");
	sa.has_hard = true;
	sa.hard.usetime = 5;
	assert_int_equal(put_sa(SADB_ADD, &sa), 0);
	assert_int_equal(tick(T0 + 100), 0);
	assert_int_equal(P(0)->n, 0);
	assert_int_equal(bpf_map_update_elem(E->dp.sa_stats, &slot, &st, 0), 0);
	assert_int_equal(tick(T0 + 101), 0);
	assert_int_equal(tick(T0 + 105), 0);
	assert_int_equal(tick(T0 + 106), 1);
	check_expire(0x3003, true);
}

/* Sequence number exhaustion: a worker flags the SA in sa_stats; the next
 * check expires it hard (SADB_EXPIRE, out of the maps) even without any
 * lifetime; an ESN SA (SADB_X_SAFLAGS_ESN) is not expired. */
static void test_expire_seq_exhausted(void **state)
{
	struct xs_sa_stats st = { .tx_packets = 0xffffffffull };
	uint32_t slot = 0, slot2 = 1;
	struct xs_lifetime cur;
	struct xs_sa sa;

	(void)state;
	register_peers();
	make_sa(&sa, 0x5005, "192.0.2.2");
	assert_int_equal(put_sa(SADB_ADD, &sa), 0);
	make_sa(&sa, 0x5006, "192.0.2.3");
	sa.flags = SADB_X_SAFLAGS_ESN;
	assert_int_equal(put_sa(SADB_ADD, &sa), 0);
	assert_int_equal(tick(T0 + 1), 0);
	assert_int_equal(P(0)->n + P(2)->n, 0);
	st.seq_exhausted = 1;
	assert_int_equal(bpf_map_update_elem(E->dp.sa_stats, &slot, &st, 0), 0);
	assert_int_equal(bpf_map_update_elem(E->dp.sa_stats, &slot2, &st, 0),
			 0);
	assert_int_equal(tick(T0 + 2), 1);
	cur = check_expire(0x5005, true);
	assert_int_equal(cur.allocations, 0xffffffffu);
	assert_int_equal(get_sa(0x5005, "192.0.2.2", &sa), -ENOENT);
	assert_int_equal(get_sa(0x5006, "192.0.2.3", &sa), 0);
	assert_int_equal(xs_sadb_count(E->sadb, SADB_SATYPE_UNSPEC), 1);
	assert_int_equal(tick(T0 + 3), 0);
}

/* An UPDATE keeps the add time; a soft-expired SA updated becomes
 * mature again and may report once more. */
static void test_update_keeps_addtime(void **state)
{
	struct xs_sa sa;

	(void)state;
	register_peers();
	make_sa(&sa, 0x4004, "192.0.2.2");
	sa.has_soft = true;
	sa.soft.addtime = 10;
	assert_int_equal(put_sa(SADB_ADD, &sa), 0);
	assert_int_equal(tick(T0 + 10), 0);
	check_expire(0x4004, false);
	E->now = T0 + 12;
	make_sa(&sa, 0x4004, "192.0.2.2");
	sa.has_soft = true;
	sa.soft.addtime = 30;
	assert_int_equal(put_sa(SADB_UPDATE, &sa), 0);
	assert_int_equal(get_sa(0x4004, "192.0.2.2", &sa), 0);
	assert_int_equal(sa.state, SADB_SASTATE_MATURE);
	assert_int_equal(sa.cur.addtime, T0);
	assert_int_equal(tick(T0 + 29), 0);
	assert_int_equal(P(0)->n, 0);
	assert_int_equal(tick(T0 + 30), 0);
	check_expire(0x4004, false);
	/* no lifetimes at all: never expires */
	make_sa(&sa, 0x5005, "192.0.2.2");
	assert_int_equal(put_sa(SADB_ADD, &sa), 0);
	assert_int_equal(tick(T0 + 1000000), 0);
	assert_int_equal(xs_sadb_count(E->sadb, SADB_SATYPE_ESP), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_getspi_larval, setup,
						xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_getspi_unique, setup,
						xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_getspi_errors, setup,
						xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_update_completes_larval,
						setup, xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_expire_addtime, setup,
						xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_expire_bytes_packets,
						setup, xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_expire_usetime, setup,
						xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_update_keeps_addtime,
						setup, xt_pfk_teardown),
		cmocka_unit_test_setup_teardown(test_expire_seq_exhausted,
						setup, xt_pfk_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
