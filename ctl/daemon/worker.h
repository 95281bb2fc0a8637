/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The crypto workers: one thread per queue index q, owning the AF_XDP
 * sockets of queue q of every NIC and of the hand-off device.
 *
 *   NIC q  --ESP-->  worker q  --cleartext-->  hand-off q -> enc (stack)
 *   enc -> hand-off q  --cleartext-->  worker q  --ESP-->  NIC (q % nq)
 *
 * A worker polls when idle, processes its rings in batches, and keeps
 * kicking TX while frames are outstanding.  It reads SAs lock-free from
 * the satab and the SPD under the daemon's read lock (inbound policy check
 * after decryption).  Counters go to its own row of the wstats map.
 */
#ifndef XS_WORKER_H
#define XS_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include "netlink.h"
#include "satab.h"
#include "spd.h"
#include "xsk.h"

struct xs_dev {
	struct xs_link link;
	uint32_t slot; /* in the ifaces map */
	uint32_t nq; /* sockets opened */
	struct xs_xsk *q; /* nq sockets */
};

struct xs_workers;

struct xs_workers_cfg {
	struct xs_satab *satab;
	struct xs_spd *spd;
	pthread_rwlock_t *spd_lock;
	struct xs_dp *dp;
	struct xs_stats *wstats; /* XS_WSTATS_ROWS rows (mmap), or NULL */
	struct xs_sa_stats *sa_stats; /* XS_MAX_SA rows (mmap), or NULL */
	const struct xs_link *nic;
	const uint32_t *nic_slot;
	int nnic;
	const struct xs_link *encw; /* hand-off (worker side) */
	uint32_t encw_slot;
	const struct xs_link *enc; /* enc (stack side) */
	/* test knob (hidden option --test-fault): worker fault_worker - 1
	 * (0: none) sleeps fault_stall_s seconds once frames are queued for
	 * it, or (fault_exit) returns from its thread after its first loop */
	int fault_worker, fault_stall_s, fault_exit;
};

/* Open the sockets and start the threads.  NULL and errno on failure. */
struct xs_workers *xs_workers_start(const struct xs_workers_cfg *cfg);
/* Stop the threads and close the sockets (frees the workers). */
void xs_workers_stop(struct xs_workers *ws);
int xs_workers_count(const struct xs_workers *ws);
/* Main thread, about once a second: log and count (worker-stall,
 * worker-dead) a worker whose loop has not moved for more than 2 s while
 * frames wait in its RX rings, again when it resumes, and a worker thread
 * that exited.  Returns the number of workers stalled or dead. */
int xs_workers_check(struct xs_workers *ws);

#endif /* XS_WORKER_H */
