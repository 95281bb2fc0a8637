// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Worker health checks (xs_workers_check): a worker whose heartbeat stops
 * for more than 2 s while frames wait in its RX ring is counted once as
 * worker-stall and cleared when it moves again; an idle worker (empty
 * rings) is never a stall; a worker whose thread exited is counted once
 * as worker-dead, unless the workers are being stopped.  The workers are
 * built by hand around a fake RX ring (no threads, no sockets).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "../../ctl/daemon/worker_int.h"

struct fake {
	struct xs_workers ws;
	struct worker w[2];
	struct xs_stats st[2];
	struct xs_xsk x[2];
	uint32_t prod[2], cons[2];
};

static struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct timespec ts;
	int i;

	assert_non_null(f);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	f->ws.nworkers = 2;
	f->ws.w = f->w;
	for (i = 0; i < 2; i++) {
		f->x[i].rx.producer = &f->prod[i];
		f->x[i].rx.consumer = &f->cons[i];
		f->w[i].ws = &f->ws;
		f->w[i].id = i;
		f->w[i].st = &f->st[i];
		f->w[i].rxq[0] = &f->x[i];
		f->w[i].nrx = 1;
		atomic_store(&f->w[i].alive, 1);
		/* as xs_workers_start() */
		f->w[i].seen_ms = (uint64_t)ts.tv_sec * 1000 +
				  (uint64_t)ts.tv_nsec / 1000000;
	}
	return f;
}

static void ms_sleep(int ms)
{
	usleep((useconds_t)ms * 1000);
}

/* Run checks every 100 ms for ms, bumping worker 1's heartbeat (busy). */
static int run_checks(struct fake *f, int ms)
{
	int t, worst = 0, bad;

	for (t = 0; t < ms; t += 100) {
		atomic_fetch_add(&f->w[1].beat, 1);
		bad = xs_workers_check(&f->ws);
		if (bad > worst)
			worst = bad;
		ms_sleep(100);
	}
	return worst;
}

static void test_stall(void **state)
{
	struct fake *f = fake_new();

	(void)state;
	xs_workers_check(&f->ws); /* first look: sets the baseline */
	/* worker 0 stops moving with nothing queued: idle, not a stall */
	assert_int_equal(run_checks(f, 2600), 0);
	assert_int_equal(f->st[0].worker_stall, 0);
	/* frames arrive and nobody takes them: stalled (at once, since the
	 * heartbeat has not moved for > 2 s), counted once */
	f->prod[0] = 5;
	assert_int_equal(xs_workers_check(&f->ws), 1);
	assert_int_equal(run_checks(f, 500), 1);
	assert_int_equal(f->st[0].worker_stall, 1);
	assert_int_equal(f->st[1].worker_stall, 0);
	/* it moves again: cleared, not counted again */
	atomic_fetch_add(&f->w[0].beat, 1);
	f->cons[0] = 5;
	assert_int_equal(xs_workers_check(&f->ws), 0);
	/* a second stall, with frames queued from the start */
	f->prod[0] = 9;
	assert_int_equal(run_checks(f, 1000), 0); /* not yet 2 s */
	assert_int_equal(run_checks(f, 1500), 1);
	assert_int_equal(f->st[0].worker_stall, 2);
	assert_int_equal(f->st[0].worker_dead, 0);
	free(f);
}

static void test_dead(void **state)
{
	struct fake *f = fake_new();

	(void)state;
	assert_int_equal(xs_workers_check(&f->ws), 0);
	atomic_store(&f->w[1].alive, 0);
	assert_int_equal(xs_workers_check(&f->ws), 1);
	assert_int_equal(xs_workers_check(&f->ws), 1);
	assert_int_equal(f->st[1].worker_dead, 1);
	assert_int_equal(f->st[0].worker_dead, 0);
	/* stopping: a worker that returns is not dead */
	atomic_store(&f->ws.stop, 1);
	atomic_store(&f->w[0].alive, 0);
	xs_workers_check(&f->ws);
	assert_int_equal(f->st[0].worker_dead, 0);
	assert_int_equal(f->st[1].worker_dead, 1);
	/* no workers at all */
	assert_int_equal(xs_workers_check(NULL), 0);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stall),
		cmocka_unit_test(test_dead),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
