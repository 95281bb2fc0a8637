// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Anti-replay window: a numbered case table (as WireGuard's
 * selftest/counter.c) written in terms of the window size W and run at
 * W = 32, 64, 1024, 4096; window 0 (off); a randomised comparison with a
 * naive model; two threads racing on the same sequence numbers.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../ctl/daemon/replay.h"

#define RING_BITS ((XS_REPLAY_MAX / 64 + 1) * 64) /* bitmap size */
#define U32MAX 0xffffffffULL

struct rcase {
	uint64_t seq;
	bool accept;
};

/* The table for window w; returns the number of cases. */
static size_t table(uint64_t w, struct rcase *t)
{
	size_t n = 0;
	uint64_t top;

#define T(s, a) (t[n++] = (struct rcase){ (s), (a) })
	T(0, false); /* 1: seq 0 never */
	T(1, true); /* 2: first */
	T(1, false); /* 3: duplicate of the top */
	T(2, true); /* 4: in order */
	T(w, true); /* 5: jump to w */
	T(w + 1, true); /* 6: window now 2..w+1 */
	T(1, false); /* 7: just outside (top - 1 == w) */
	T(2, false); /* 8: just inside, seen */
	T(3, true); /* 9: just inside, new */
	T(3, false); /* 10: duplicate inside */
	top = 4 * w + 1;
	T(top, true); /* 11: big jump */
	T(top - w, false); /* 12: just outside */
	T(top - w + 1, true); /* 13: just inside */
	T(top - w + 1, false); /* 14: its duplicate */
	T(w + 1, false); /* 15: long gone */
	T(top - 1, true); /* 16: late but inside */
	T(top, false); /* 17: duplicate top after the jump */
	T(top + 1, true); /* 18: next */
	T(0, false); /* 19: seq 0 still never */
	/* 20-22: a jump of exactly the ring: the aliased word is cleared */
	T(top + 1 + RING_BITS, true);
	T(top + 1 + RING_BITS - 1, w > 1);
	T(top + 1, false);
	/* 23-28: the top of the 32-bit space */
	T(U32MAX - 1, true);
	T(U32MAX, true);
	T(U32MAX, false);
	T(U32MAX - w, false);
	T(U32MAX - w + 1, true);
	T(U32MAX - 1, false);
	/* 29-30: every number of a fresh window once, then none again */
	T(U32MAX + 2 * w, true);
	T(U32MAX + 2 * w, false);
#undef T
	return n;
}

static void run_table(uint32_t w)
{
	struct rcase t[64];
	struct xs_replay r;
	size_t n, i;
	uint64_t s;

	assert_int_equal(xs_replay_init(&r, w), 0);
	n = table(w, t);
	for (i = 0; i < n; i++) {
		bool c = xs_replay_check(&r, t[i].seq);
		bool u = xs_replay_update(&r, t[i].seq);

		if (c != t[i].accept || u != t[i].accept)
			fail_msg("window %u case %zu (seq %llu): check %d "
				 "update %d, want %d",
				 w, i + 1, (unsigned long long)t[i].seq, c, u,
				 t[i].accept);
	}
	/* every sequence number of the window that was not seen is new */
	s = U32MAX + 2 * (uint64_t)w;
	for (i = 1; i < w; i++)
		assert_true(xs_replay_update(&r, s - i));
	for (i = 0; i < w; i++)
		assert_false(xs_replay_check(&r, s - i));
	assert_false(xs_replay_check(&r, s - w));
	xs_replay_destroy(&r);
}

static void test_w32(void **state)
{
	run_table(32);
}

static void test_w64(void **state)
{
	run_table(64);
}

static void test_w1024(void **state)
{
	run_table(1024);
}

static void test_w4096(void **state)
{
	run_table(4096);
}

static void test_odd_sizes(void **state)
{
	run_table(8);
	run_table(100);
	run_table(2040); /* replay 255 bytes in KAME terms */
}

static void test_off(void **state)
{
	static const struct rcase t[] = {
		{ 0, false }, { 1, true },  { 1, true },      { 100000, true },
		{ 1, true },  { 0, false }, { U32MAX, true },
	};
	struct xs_replay r;
	size_t i;

	assert_int_equal(xs_replay_init(&r, 0), 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(xs_replay_check(&r, t[i].seq), t[i].accept);
		assert_int_equal(xs_replay_update(&r, t[i].seq), t[i].accept);
	}
	xs_replay_destroy(&r);
}

static void test_init(void **state)
{
	struct xs_replay r;

	assert_int_equal(xs_replay_init(&r, XS_REPLAY_MAX + 1), -EINVAL);
	assert_int_equal(xs_replay_init(&r, XS_REPLAY_MAX), 0);
	xs_replay_destroy(&r);
}

/* Naive model: the set of accepted numbers within reach of the top. */
struct model {
	uint64_t top, w;
	uint8_t *seen; /* indexed by seq, small space */
};

static bool model_update(struct model *m, uint64_t seq)
{
	if (!seq)
		return false;
	if (seq <= m->top && (m->top - seq >= m->w || m->seen[seq]))
		return false;
	m->seen[seq] = 1;
	if (seq > m->top)
		m->top = seq;
	return true;
}

static void random_run(uint32_t w, unsigned int seed)
{
	const uint64_t space = 200000;
	struct model m = { 0, w, calloc(space + 1, 1) };
	struct xs_replay r;
	uint64_t seq;
	int i;

	assert_non_null(m.seen);
	srandom(seed);
	assert_int_equal(xs_replay_init(&r, w), 0);
	for (i = 0; i < 50000; i++) {
		long d = random() % (3 * (long)w + 3) - 2 * (long)w - 1;

		if (random() % 97 == 0)
			d = random() % 9000; /* occasional jump */
		seq = (int64_t)m.top + d < 0 ? 0 : m.top + (uint64_t)d;
		if (seq > space)
			break;
		if (xs_replay_update(&r, seq) != model_update(&m, seq))
			fail_msg("window %u step %d seq %llu disagrees", w, i,
				 (unsigned long long)seq);
	}
	xs_replay_destroy(&r);
	free(m.seen);
}

static void test_random(void **state)
{
	random_run(32, 1);
	random_run(64, 2);
	random_run(1024, 3);
	random_run(4096, 4);
	random_run(100, 5);
}

struct racer {
	struct xs_replay *r;
	int accepted;
};

static void *race(void *arg)
{
	struct racer *rc = arg;
	uint64_t s;

	for (s = 1; s <= 200000; s++)
		rc->accepted += xs_replay_update(rc->r, s);
	return NULL;
}

/* Two queues delivering the same packets: each accepted exactly once. */
static void test_race(void **state)
{
	struct xs_replay r;
	struct racer a = { &r, 0 }, b = { &r, 0 };
	pthread_t ta, tb;

	assert_int_equal(xs_replay_init(&r, 64), 0);
	assert_int_equal(pthread_create(&ta, NULL, race, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, race, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	/* a number may fall out of the window before the slower thread
	 * tries it, never be accepted twice */
	assert_true(a.accepted + b.accepted <= 200000);
	assert_true(a.accepted + b.accepted >= 1);
	assert_false(xs_replay_check(&r, 200000));
	xs_replay_destroy(&r);
}

/* RFC 4303 A3 bookkeeping: consecutive ICV failures past the threshold
 * ask for a retry; a verified packet resets the count; a resync is an
 * update that is counted. */
static void test_icv_fails(void **state)
{
	struct xs_replay r;
	int i;

	(void)state;
	assert_int_equal(xs_replay_init(&r, 64), 0);
	for (i = 0; i < XS_REPLAY_RESYNC_AFTER; i++)
		assert_false(xs_replay_icv_failed(&r));
	assert_true(xs_replay_icv_failed(&r));
	assert_true(xs_replay_icv_failed(&r));
	assert_true(xs_replay_update(&r, 5)); /* verified: count reset */
	for (i = 0; i < XS_REPLAY_RESYNC_AFTER; i++)
		assert_false(xs_replay_icv_failed(&r));
	assert_false(xs_replay_update(&r, 5)); /* a replay verified too */
	assert_false(xs_replay_icv_failed(&r));
	assert_true(xs_replay_resync(&r, 0x100000007ull));
	assert_int_equal(r.resyncs, 1);
	assert_int_equal(r.top, 0x100000007ull);
	assert_int_equal(r.icv_fails, 0);
	assert_false(xs_replay_resync(&r, 0x100000007ull));
	assert_int_equal(r.resyncs, 1);
	xs_replay_destroy(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_w32),
		cmocka_unit_test(test_w64),
		cmocka_unit_test(test_w1024),
		cmocka_unit_test(test_w4096),
		cmocka_unit_test(test_odd_sizes),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_race),
		cmocka_unit_test(test_icv_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
