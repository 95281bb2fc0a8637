// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Crypto workers.  See worker.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pfkeyv2.h>
#include <time.h>
#include <unistd.h>
#include "../lib/log.h"
#include "worker_int.h"

#define POLL_IDLE_MS 100
#define REASM_BYTES (4u << 20) /* per worker */
#define REASM_TIMEOUT_MS 30000 /* as Linux's ipfrag_time */
#define REASM_DGRAMS 64

/* ------------------------------------------------------------------ */
/* per-worker EVP contexts                                            */

static void ctx_drop(struct worker *w, uint32_t i)
{
	uint32_t slot = w->active[i];

	xs_esp_ctx_fini(&w->ctx[slot]->c);
	free(w->ctx[slot]);
	w->ctx[slot] = NULL;
	w->active[i] = w->active[--w->nactive];
}

/* Drop contexts (and their key schedules) of SAs that are gone. */
static void ctx_purge(struct worker *w, struct xs_satab *t)
{
	uint64_t seq = atomic_load(&t->purge_seq);
	uint32_t i = 0;

	if (seq == w->purge_seen)
		return;
	w->purge_seen = seq;
	while (i < w->nactive) {
		uint32_t slot = w->active[i];

		if (w->ctx[slot]->gen != atomic_load(&t->gen[slot]))
			ctx_drop(w, i);
		else
			i++;
	}
}

struct xs_esp_ctx *xs_worker_ctx(struct worker *w, uint32_t slot, uint64_t gen,
				 const struct xs_sa_rt *rt)
{
	struct wctx *c = w->ctx[slot];

	if (c && c->gen == gen)
		return &c->c;
	if (c) {
		xs_esp_ctx_fini(&c->c);
	} else {
		if (w->nactive == w->cap_active) {
			uint32_t cap = w->cap_active ? w->cap_active * 2 : 64;
			uint32_t *a = realloc(w->active, cap * sizeof(*a));

			if (!a)
				return NULL;
			w->active = a;
			w->cap_active = cap;
		}
		c = calloc(1, sizeof(*c));
		if (!c)
			return NULL;
		w->ctx[slot] = c;
		w->active[w->nactive++] = slot;
	}
	c->slot = slot;
	c->gen = 0;
	if (xs_esp_ctx_init(&c->c, rt))
		return NULL;
	c->gen = gen;
	return &c->c;
}

/* Send what is queued (no lock: see xs_xsk_tx_kick), then take back what
 * completed. */
static void tx_service(struct xs_xsk *x)
{
	xs_xsk_tx_kick(x);
	pthread_spin_lock(&x->tx_lock);
	xs_xsk_tx_reap(x);
	pthread_spin_unlock(&x->tx_lock);
}

/* ------------------------------------------------------------------ */
/* the loop                                                           */

/* Cleartext xdp_ingress forwarded to be protected (fastforward): it is
 * framed as tc_egress frames what it steers (include/xdpsec/xdpsec.h). */
static bool fast_forwarded(const uint8_t *frame)
{
	const struct xs_xdp_meta *m = (const void *)(frame - sizeof(*m));

	return m->magic == XS_META_MAGIC_FWD;
}

static int rx_batch(struct worker *w, int i)
{
	struct xs_xsk *x = w->rxq[i];
	bool from_nic = w->rxdev[i] != &w->ws->handoff;
	uint32_t idx, n, k;

	n = xs_xsk_rx_peek(x, XS_XSK_BATCH, &idx);
	for (k = 0; k < n; k++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&x->rx, idx + k);
		const uint8_t *frame = xs_xsk_data(x, d->addr);

		if (!from_nic || fast_forwarded(frame))
			xs_path_outbound(w, frame, d->len);
		else
			xs_path_inbound(w, w->rxdev[i], frame, d->len);
	}
	xs_xsk_rx_done(x, idx, n);
	return (int)n;
}

static bool tx_pending(struct xs_workers *ws)
{
	int i;
	uint32_t q;

	for (q = 0; q < ws->handoff.nq; q++)
		if (ws->handoff.q[q].tx_outstanding)
			return true;
	for (i = 0; i < ws->nnic; i++)
		for (q = 0; q < ws->nic[i].nq; q++)
			if (ws->nic[i].q[q].tx_outstanding)
				return true;
	return false;
}

static void service_all(struct worker *w)
{
	struct xs_workers *ws = w->ws;
	int i;

	tx_service(&ws->handoff.q[w->id % ws->handoff.nq]);
	for (i = 0; i < ws->nnic; i++)
		tx_service(&ws->nic[i].q[w->id % ws->nic[i].nq]);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Frames wait in one of w's RX rings (any thread may ask). */
static bool rx_queued(const struct worker *w)
{
	int i;

	for (i = 0; i < w->nrx; i++) {
		const struct xsk_ring_cons *r = &w->rxq[i]->rx;

		if (__atomic_load_n(r->producer, __ATOMIC_ACQUIRE) !=
		    __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}

/* The test knob (see xs_workers_cfg): true if the worker must return. */
static bool fault(struct worker *w, bool *done)
{
	const struct xs_workers_cfg *cfg = &w->ws->cfg;
	int i;

	if (*done || cfg->fault_worker != w->id + 1)
		return false;
	if (cfg->fault_exit) {
		xs_log_warn("test fault: worker %d exits", w->id);
		return true;
	}
	if (!rx_queued(w))
		return false;
	*done = true;
	xs_log_warn("test fault: worker %d stalls for %d s", w->id,
		    cfg->fault_stall_s);
	for (i = 0; i < cfg->fault_stall_s * 10 && !atomic_load(&w->ws->stop);
	     i++)
		usleep(100000);
	return false;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct xs_satab *t = w->ws->cfg.satab;
	bool fault_done = false;
	int i, busy;

	while (!atomic_load(&w->ws->stop)) {
		atomic_fetch_add(&w->beat, 1);
		if (fault(w, &fault_done))
			break;
		xs_satab_quiescent(t, w->id);
		ctx_purge(w, t);
		w->now_ms = now_ms();
		((uint64_t *)w->st)[XS_CNT_drop_reasm] +=
			xs_reasm_expire(w->reasm, w->now_ms);
		busy = 0;
		for (i = 0; i < w->nrx; i++)
			busy += rx_batch(w, i);
		service_all(w);
		if (busy)
			continue;
		if (tx_pending(w->ws)) {
			poll(w->pfd, (nfds_t)w->nrx, 1);
			continue;
		}
		xs_satab_idle(t, w->id);
		poll(w->pfd, (nfds_t)w->nrx, POLL_IDLE_MS);
	}
	xs_satab_idle(t, w->id);
	while (w->nactive)
		ctx_drop(w, 0);
	atomic_store(&w->alive, 0);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* set-up                                                             */

static int dev_open(struct xs_workers *ws, struct xs_dev *d,
		    const struct xs_link *link, uint32_t slot, uint32_t nq)
{
	uint32_t q;
	int err;

	d->link = *link;
	d->slot = slot;
	d->q = calloc(nq, sizeof(*d->q));
	if (!d->q)
		return -ENOMEM;
	for (q = 0; q < nq; q++) {
		err = xs_xsk_open(&d->q[q], link->name, (uint32_t)link->ifindex,
				  q, ws->cfg.dp->xsks, xs_xsk_slot(slot, q));
		if (err) {
			xs_log_err("%s queue %u: AF_XDP socket: %s", link->name,
				   q, strerror(-err));
			return err;
		}
		d->nq = q + 1;
	}
	return 0;
}

static void dev_close(struct xs_dev *d)
{
	uint32_t q;

	for (q = 0; q < d->nq; q++)
		xs_xsk_close(&d->q[q]);
	free(d->q);
	d->q = NULL;
	d->nq = 0;
}

static void worker_bind(struct xs_workers *ws, struct worker *w, int id)
{
	int i;

	w->ws = ws;
	w->id = id;
	w->st = ws->cfg.wstats ? &ws->cfg.wstats[id] : &ws->local_stats[id];
	w->st_ah = ws->cfg.wstats ? &ws->cfg.wstats[XS_WSTATS_AH + id] :
				    &ws->local_stats[XS_WSTATS_AH + id];
	for (i = 0; i < ws->nnic; i++) {
		if ((uint32_t)id >= ws->nic[i].nq)
			continue;
		w->rxq[w->nrx] = &ws->nic[i].q[id];
		w->rxdev[w->nrx++] = &ws->nic[i];
	}
	if ((uint32_t)id < ws->handoff.nq) {
		w->rxq[w->nrx] = &ws->handoff.q[id];
		w->rxdev[w->nrx++] = &ws->handoff;
	}
	for (i = 0; i < w->nrx; i++) {
		w->pfd[i].fd = w->rxq[i]->fd;
		w->pfd[i].events = POLLIN;
	}
}

static int queues_of(const struct xs_link *l)
{
	return l->nq ? (int)l->nq : 1;
}

/* A socket on every queue of every device, one worker per queue index:
 * a queue without a socket would drop what arrives on it. */
static int open_all(struct xs_workers *ws)
{
	const struct xs_workers_cfg *cfg = &ws->cfg;
	int i, err, nq, max;

	max = nq = queues_of(cfg->encw);
	err = nq > XS_MAX_WORKERS ? -E2BIG : 0;
	if (!err)
		err = dev_open(ws, &ws->handoff, cfg->encw, cfg->encw_slot,
			       (uint32_t)nq);
	for (i = 0; !err && i < cfg->nnic; i++) {
		nq = queues_of(&cfg->nic[i]);
		if (nq > XS_MAX_WORKERS) {
			err = -E2BIG;
			break;
		}
		if (nq > max)
			max = nq;
		err = dev_open(ws, &ws->nic[i], &cfg->nic[i], cfg->nic_slot[i],
			       (uint32_t)nq);
		ws->nnic = i + 1;
	}
	ws->nworkers = max;
	return err;
}

struct xs_workers *xs_workers_start(const struct xs_workers_cfg *cfg)
{
	struct xs_workers *ws = calloc(1, sizeof(*ws));
	int i, err;

	if (!ws)
		return NULL;
	ws->cfg = *cfg;
	err = open_all(ws);
	if (!err) {
		ws->w = calloc((size_t)ws->nworkers, sizeof(*ws->w));
		if (!ws->w)
			err = -ENOMEM;
	}
	for (i = 0; !err && i < ws->nworkers; i++) {
		struct worker *w = &ws->w[i];

		worker_bind(ws, w, i);
		w->ctx = calloc(XS_MAX_SA, sizeof(*w->ctx));
		w->reasm = xs_reasm_new(REASM_BYTES, REASM_TIMEOUT_MS,
					REASM_DGRAMS);
		w->big = malloc(XS_BIG_CAP);
		w->big_out = malloc(XS_BIG_CAP);
		if (!w->ctx || !w->reasm || !w->big || !w->big_out) {
			err = -ENOMEM;
			break;
		}
		atomic_store(&cfg->satab->qs[i], XS_QS_IDLE);
		atomic_store(&w->alive, 1);
		w->seen_ms = now_ms();
		err = -pthread_create(&w->thread, NULL, worker_main, w);
		w->started = !err;
	}
	if (!err) {
		atomic_store(&cfg->satab->nworkers, ws->nworkers);
		xs_log_info("%d crypto worker(s) running", ws->nworkers);
		return ws;
	}
	xs_workers_stop(ws);
	errno = -err;
	return NULL;
}

void xs_workers_stop(struct xs_workers *ws)
{
	int i;

	if (!ws)
		return;
	atomic_store(&ws->stop, 1);
	for (i = 0; ws->w && i < ws->nworkers; i++) {
		if (ws->w[i].started)
			pthread_join(ws->w[i].thread, NULL);
		free(ws->w[i].ctx);
		free(ws->w[i].active);
		xs_reasm_free(ws->w[i].reasm);
		free(ws->w[i].big);
		free(ws->w[i].big_out);
	}
	atomic_store(&ws->cfg.satab->nworkers, 0);
	dev_close(&ws->handoff);
	for (i = 0; i < ws->nnic; i++)
		dev_close(&ws->nic[i]);
	free(ws->w);
	free(ws);
}

int xs_workers_count(const struct xs_workers *ws)
{
	return ws ? ws->nworkers : 0;
}

/* ------------------------------------------------------------------ */
/* health                                                             */

#define STALL_MS 2000

static void count(struct worker *w, enum xs_counter c)
{
	/* the main thread owns these two fields of the worker's row */
	__atomic_fetch_add(&((uint64_t *)w->st)[c], 1, __ATOMIC_RELAXED);
}

/* One worker; true if it is stalled or dead. */
static bool check_one(struct worker *w, uint64_t now)
{
	uint64_t beat = atomic_load(&w->beat);

	if (!atomic_load(&w->alive)) {
		if (!w->dead_reported && !atomic_load(&w->ws->stop)) {
			w->dead_reported = true;
			count(w, XS_CNT_worker_dead);
			xs_log_err("crypto worker %d exited; the other workers "
				   "keep running, its queue is not served",
				   w->id);
		}
		return true;
	}
	if (beat != w->seen_beat) {
		if (w->stall_reported)
			xs_log_warn("crypto worker %d resumed after %llu ms",
				    w->id,
				    (unsigned long long)(now - w->seen_ms));
		w->seen_beat = beat;
		w->seen_ms = now;
		w->stall_reported = false;
		return false;
	}
	if (w->stall_reported)
		return true;
	if (now - w->seen_ms <= STALL_MS || !rx_queued(w))
		return false;
	w->stall_reported = true;
	count(w, XS_CNT_worker_stall);
	xs_log_err("crypto worker %d stalled: no progress for %llu ms with "
		   "frames queued",
		   w->id, (unsigned long long)(now - w->seen_ms));
	return true;
}

int xs_workers_check(struct xs_workers *ws)
{
	uint64_t now = now_ms();
	int i, bad = 0;

	for (i = 0; ws && ws->w && i < ws->nworkers; i++)
		bad += check_one(&ws->w[i], now);
	return bad;
}
