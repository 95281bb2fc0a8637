/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Inside the workers: what worker.c (threads, sockets, the loop, EVP
 * context cache) and path.c (what happens to one frame) share.
 */
#ifndef XS_WORKER_INT_H
#define XS_WORKER_INT_H

#include <poll.h>
#include <linux/pfkeyv2.h>
#include "frag.h"
#include "worker.h"

/* One worker's EVP state for one SA. */
struct wctx {
	uint64_t gen;
	uint32_t slot;
	struct xs_esp_ctx c;
};

struct worker {
	struct xs_workers *ws;
	int id; /* = queue index */
	pthread_t thread;
	struct xs_stats *st; /* ESP (and no SA known) */
	struct xs_stats *st_ah; /* AH SAs */
	struct wctx **ctx; /* by SA slot */
	uint32_t *active; /* slots with a ctx */
	uint32_t nactive, cap_active;
	uint64_t purge_seen;
	struct pollfd pfd[XS_MAX_IFACES];
	struct xs_xsk *rxq[XS_MAX_IFACES]; /* sockets this worker reads */
	struct xs_dev *rxdev[XS_MAX_IFACES];
	int nrx;
	int started;
	/* fragments and datagrams larger than a frame */
	struct xs_reasm *reasm;
	uint8_t *big; /* XS_REASM_MAX_LEN: reassembled datagram */
	uint8_t *big_out; /* XS_REASM_MAX_LEN + ESP overhead */
	uint64_t now_ms; /* CLOCK_MONOTONIC, per loop iteration */
	uint32_t frag_id; /* IPv6 fragment identification */
	/* health: the worker bumps beat every loop iteration and clears
	 * alive when it returns; the main thread reads them once a second
	 * (xs_workers_check) and keeps its own view in the fields below */
	atomic_uint_fast64_t beat;
	atomic_int alive;
	uint64_t seen_beat, seen_ms;
	bool stall_reported, dead_reported;
};

struct xs_workers {
	struct xs_workers_cfg cfg;
	struct xs_dev nic[XS_MAX_IFACES];
	int nnic;
	struct xs_dev handoff;
	struct xs_stats local_stats[XS_WSTATS_ROWS];
	int nworkers;
	struct worker *w;
	atomic_int stop;
};

#define XS_BIG_CAP (XS_REASM_MAX_LEN + 256u)

static inline void xs_wcount(struct worker *w, enum xs_counter c)
{
	((uint64_t *)w->st)[c]++;
}

/* Count under the protocol of SA satype (SADB_SATYPE_AH: the AH row). */
static inline void xs_wadd_sa(struct worker *w, uint8_t satype,
			      enum xs_counter c, uint64_t n)
{
	struct xs_stats *st = satype == SADB_SATYPE_AH ? w->st_ah : w->st;

	((uint64_t *)st)[c] += n;
}

/* The worker's EVP context for SA slot (created on first use). */
struct xs_esp_ctx *xs_worker_ctx(struct worker *w, uint32_t slot, uint64_t gen,
				 const struct xs_sa_rt *rt);

/* A frame that arrived on a NIC socket (ESP/AH for us). */
void xs_path_inbound(struct worker *w, const struct xs_dev *nic,
		     const uint8_t *frame, uint32_t len);
/* A frame that arrived on the hand-off socket (cleartext to protect). */
void xs_path_outbound(struct worker *w, const uint8_t *frame, uint32_t len);

#endif /* XS_WORKER_INT_H */
