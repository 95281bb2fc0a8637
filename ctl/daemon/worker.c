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
#include "../lib/log.h"
#include "pkt.h"
#include "worker.h"

#define POLL_IDLE_MS 100

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
	struct xs_stats *st;
	struct wctx **ctx; /* by SA slot */
	uint32_t *active;  /* slots with a ctx */
	uint32_t nactive, cap_active;
	uint64_t purge_seen;
	struct pollfd pfd[XS_MAX_IFACES];
	struct xs_xsk *rxq[XS_MAX_IFACES]; /* sockets this worker reads */
	struct xs_dev *rxdev[XS_MAX_IFACES];
	int nrx;
	int started;
};

struct xs_workers {
	struct xs_workers_cfg cfg;
	struct xs_dev nic[XS_MAX_IFACES];
	int nnic;
	struct xs_dev handoff;
	uint8_t enc_mac[ETH_ALEN];
	struct xs_stats local_stats[XS_MAX_WORKERS];
	int nworkers;
	struct worker *w;
	atomic_int stop;
};

static void count(struct worker *w, enum xs_counter c)
{
	((uint64_t *)w->st)[c]++;
}

static void sa_count(struct worker *w, uint32_t slot, bool tx, size_t bytes)
{
	struct xs_sa_stats *s = w->ws->cfg.sa_stats;

	if (!s || slot >= XS_MAX_SA)
		return;
	if (tx) {
		__atomic_fetch_add(&s[slot].tx_packets, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&s[slot].tx_bytes, bytes, __ATOMIC_RELAXED);
	} else {
		__atomic_fetch_add(&s[slot].rx_bytes, bytes, __ATOMIC_RELAXED);
	}
}

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

static struct xs_esp_ctx *ctx_get(struct worker *w, uint32_t slot,
				  uint64_t gen, const struct xs_sa_rt *rt)
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

/* ------------------------------------------------------------------ */
/* transmit                                                           */

/* Reserve a TX frame on x; returns its data or NULL (counted). */
static uint8_t *tx_begin(struct worker *w, struct xs_xsk *x, uint64_t *addr)
{
	pthread_spin_lock(&x->tx_lock);
	*addr = xs_xsk_tx_frame(x);
	if (*addr == UINT64_MAX) {
		pthread_spin_unlock(&x->tx_lock);
		count(w, XS_CNT_drop_tx_full);
		return NULL;
	}
	return xs_xsk_data(x, *addr);
}

static void tx_end(struct worker *w, struct xs_xsk *x, uint64_t addr, int len)
{
	if (len <= 0 || xs_xsk_tx_queue(x, addr, (uint32_t)len)) {
		xs_xsk_tx_unget(x, addr);
		if (len > 0)
			count(w, XS_CNT_drop_tx_full);
	}
	pthread_spin_unlock(&x->tx_lock);
}

static void tx_service(struct xs_xsk *x)
{
	pthread_spin_lock(&x->tx_lock);
	xs_xsk_tx_service(x);
	pthread_spin_unlock(&x->tx_lock);
}

/* ------------------------------------------------------------------ */
/* inbound: NIC -> decrypt -> hand-off -> enc -> stack                */

/* RFC 4301 5.2: the decrypted packet must be one the inbound policy lets
 * this SA carry. */
static bool inbound_allowed(struct worker *w, const struct xs_sa_rt *rt,
			    const uint8_t *ip, size_t len)
{
	struct xs_workers *ws = w->ws;
	const struct xs_spolicy *sp;
	struct xs_pktsel sel;
	struct xs_pkt p;
	bool ok = true;
	int i;

	if (xs_pkt_parse(ip, len, &p))
		return false;
	if (rt->mode != IPSEC_MODE_TUNNEL &&
	    (memcmp(p.src, rt->src.a, 16) || memcmp(p.dst, rt->dst.a, 16)))
		return false;
	xs_pkt_sel(&p, IPSEC_DIR_INBOUND, &sel);
	pthread_rwlock_rdlock(ws->cfg.spd_lock);
	sp = xs_spd_lookup(ws->cfg.spd, &sel);
	if (sp && sp->type == IPSEC_POLICY_DISCARD)
		ok = false;
	if (sp && sp->type == IPSEC_POLICY_IPSEC) {
		uint8_t proto = rt->satype == SADB_SATYPE_AH ? IPPROTO_AH :
							       IPPROTO_ESP;

		ok = false;
		for (i = 0; i < sp->nreq && !ok; i++)
			ok = sp->req[i].proto == proto &&
			     (sp->req[i].mode == rt->mode ||
			      rt->mode == IPSEC_MODE_ANY);
	}
	pthread_rwlock_unlock(ws->cfg.spd_lock);
	return ok;
}

/* Decrypted frame for the stack: tc_enc_ingress moves it into the
 * ingress of the NIC it arrived on (include/xdpsec/xdpsec.h). */
static void deliver_eth(uint8_t *o, const struct xs_dev *nic, uint16_t proto)
{
	uint32_t ifindex = htonl((uint32_t)nic->link.ifindex);

	memcpy(o, nic->link.mac, ETH_ALEN);
	o[ETH_ALEN] = XS_ETH_META_MARK;
	o[ETH_ALEN + 1] = 0;
	memcpy(o + ETH_ALEN + 2, &ifindex, 4);
	memcpy(o + 2 * ETH_ALEN, &proto, 2);
}

static void rx_esp(struct worker *w, const struct xs_dev *nic,
		   const uint8_t *frame, uint32_t len)
{
	struct xs_workers *ws = w->ws;
	const struct xs_xdp_meta *m = (const void *)(frame - sizeof(*m));
	struct xs_xsk *out = &ws->handoff.q[w->id % ws->handoff.nq];
	const struct ethhdr *eth = (const void *)frame;
	enum xs_counter why = XS_CNT_drop_malformed;
	struct xs_esp_ctx *c;
	struct xs_sa_rt *rt;
	uint8_t *o;
	uint64_t addr, gen;
	int n;

	if (len < ETH_HLEN || m->magic != XS_META_MAGIC) {
		/* fragments and VLAN-tagged frames: not handled here yet */
		count(w, m->magic == XS_META_MAGIC ? XS_CNT_drop_malformed :
						     XS_CNT_drop_unsupported);
		return;
	}
	if (eth->h_proto != htons(ETH_P_IP) &&
	    eth->h_proto != htons(ETH_P_IPV6)) {
		count(w, XS_CNT_drop_unsupported);
		return;
	}
	rt = xs_satab_get(ws->cfg.satab, m->sa_slot, &gen);
	c = rt ? ctx_get(w, m->sa_slot, gen, rt) : NULL;
	if (!c) {
		count(w, XS_CNT_drop_no_sa);
		return;
	}
	o = tx_begin(w, out, &addr);
	if (!o)
		return;
	n = xs_esp_input(c, rt, frame + ETH_HLEN, len - ETH_HLEN, o + ETH_HLEN,
			 XS_XSK_FRAME_SIZE - ETH_HLEN, &why);
	if (n > 0 && !inbound_allowed(w, rt, o + ETH_HLEN, (size_t)n)) {
		why = XS_CNT_drop_selector;
		n = -EACCES;
	}
	if (n <= 0) {
		count(w, why);
		tx_end(w, out, addr, 0);
		return;
	}
	deliver_eth(o, nic, eth->h_proto);
	tx_end(w, out, addr, n + ETH_HLEN);
	count(w, XS_CNT_rx_decrypt);
	sa_count(w, m->sa_slot, false, (size_t)n);
}

/* ------------------------------------------------------------------ */
/* outbound: stack -> enc -> hand-off -> encrypt -> NIC               */

static struct xs_dev *nic_by_slot(struct xs_workers *ws, uint32_t slot)
{
	int i;

	for (i = 0; i < ws->nnic; i++)
		if (ws->nic[i].slot == slot)
			return &ws->nic[i];
	return NULL;
}

static void tx_esp(struct worker *w, const uint8_t *frame, uint32_t len)
{
	struct xs_workers *ws = w->ws;
	const struct ethhdr *eth = (const void *)frame;
	enum xs_counter why = XS_CNT_drop_malformed;
	struct xs_esp_ctx *c;
	struct xs_sa_rt *rt;
	struct xs_dev *nic;
	struct xs_xsk *out;
	uint32_t slot;
	uint64_t addr, gen;
	uint8_t *o;
	int n;

	if (len < ETH_HLEN || eth->h_source[0] != XS_ETH_META_MARK) {
		count(w, XS_CNT_drop_malformed);
		return;
	}
	nic = nic_by_slot(ws, eth->h_source[1]);
	memcpy(&slot, eth->h_source + 2, 4);
	slot = ntohl(slot);
	rt = xs_satab_get(ws->cfg.satab, slot, &gen);
	c = rt ? ctx_get(w, slot, gen, rt) : NULL;
	if (!nic || !c) {
		count(w, XS_CNT_drop_no_sa);
		return;
	}
	if (len - ETH_HLEN + xs_esp_overhead(rt) > nic->link.mtu) {
		count(w, XS_CNT_drop_too_big);
		return;
	}
	out = &nic->q[w->id % nic->nq];
	o = tx_begin(w, out, &addr);
	if (!o)
		return;
	n = xs_esp_output(c, rt, frame + ETH_HLEN, len - ETH_HLEN,
			  o + ETH_HLEN, XS_XSK_FRAME_SIZE - ETH_HLEN, &why);
	if (n <= 0) {
		count(w, why);
		tx_end(w, out, addr, 0);
		return;
	}
	memcpy(o, eth->h_dest, ETH_ALEN);
	memcpy(o + ETH_ALEN, nic->link.mac, ETH_ALEN);
	memcpy(o + 2 * ETH_ALEN, &eth->h_proto, 2);
	tx_end(w, out, addr, n + ETH_HLEN);
	count(w, XS_CNT_tx_encrypt);
	sa_count(w, slot, true, (size_t)n);
}

/* ------------------------------------------------------------------ */
/* the loop                                                           */

static int rx_batch(struct worker *w, int i)
{
	struct xs_xsk *x = w->rxq[i];
	bool from_nic = w->rxdev[i] != &w->ws->handoff;
	uint32_t idx, n, k;

	n = xs_xsk_rx_peek(x, XS_XSK_BATCH, &idx);
	for (k = 0; k < n; k++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, idx + k);
		const uint8_t *frame = xs_xsk_data(x, d->addr);

		if (from_nic)
			rx_esp(w, w->rxdev[i], frame, d->len);
		else
			tx_esp(w, frame, d->len);
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

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct xs_satab *t = w->ws->cfg.satab;
	int i, busy;

	while (!atomic_load(&w->ws->stop)) {
		xs_satab_quiescent(t, w->id);
		ctx_purge(w, t);
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
	memcpy(ws->enc_mac, cfg->enc->mac, ETH_ALEN);
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
		if (!w->ctx) {
			err = -ENOMEM;
			break;
		}
		atomic_store(&cfg->satab->qs[i], XS_QS_IDLE);
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
