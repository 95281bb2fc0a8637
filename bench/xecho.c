// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Ceiling B of `make bench`: the ring work of a crypto worker without the
 * crypto.  One AF_XDP socket (copy mode, need-wakeup, as the workers run)
 * on queue 0 of IFACE, fed by a raw XDP redirect program; every frame
 * received is copied into a TX frame of its own and sent back out of
 * IFACE unchanged, the RX frame going straight back to the fill ring -
 * the buffer handling of a worker (ctl/daemon/xsk.c), minus the crypto.
 *
 *   xecho IFACE SECONDS
 *
 * Prints "pps=N rx=N tx=N ringfull=N dropped=N nobuf=N" (tx: completed
 * transmissions; ringfull, dropped: XDP_STATISTICS, counted since the
 * socket opened, warm-up included; nobuf: frames dropped for want of a
 * TX frame).  The XDP
 * program is detached on exit.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <xdp/xsk.h>
#include "xdpraw.h"

#define NFRAMES 4096
#define FSIZE XSK_UMEM__DEFAULT_FRAME_SIZE
#define BATCH 64

struct echo {
	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	int map, prog, ifindex;
	unsigned long long rx_n, tx_n, nobuf;
	unsigned int outstanding;
	uint64_t pool[NFRAMES / 2]; /* free TX frames: the UMEM's upper half */
	unsigned int npool;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_xsk(struct echo *e, const char *ifname)
{
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP,
	};
	struct xsk_umem_config ucfg = {
		.fill_size = NFRAMES / 2,
		.comp_size = NFRAMES / 2,
		.frame_size = FSIZE,
	};
	uint32_t idx, i, key = 0;
	int fd, err;

	e->area = mmap(NULL, (size_t)NFRAMES * FSIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e->area == MAP_FAILED)
		return -errno;
	err = xsk_umem__create(&e->umem, e->area, (size_t)NFRAMES * FSIZE,
			       &e->fq, &e->cq, &ucfg);
	if (err)
		return err;
	/* a previous socket on the queue may still be going away */
	for (i = 0; i < 20; i++) {
		err = xsk_socket__create(&e->xsk, ifname, 0, e->umem, &e->rx,
					 &e->tx, &cfg);
		if (err != -EBUSY)
			break;
		usleep(100000);
	}
	if (err)
		return err;
	/* the first half of the UMEM feeds the fill ring */
	if (xsk_ring_prod__reserve(&e->fq, NFRAMES / 2, &idx) != NFRAMES / 2)
		return -ENOSPC;
	for (i = 0; i < NFRAMES / 2; i++)
		*xsk_ring_prod__fill_addr(&e->fq, idx + i) =
			(uint64_t)i * FSIZE;
	xsk_ring_prod__submit(&e->fq, NFRAMES / 2);
	for (i = 0; i < NFRAMES / 2; i++)
		e->pool[e->npool++] = (uint64_t)(NFRAMES / 2 + i) * FSIZE;
	e->map = bpf_map_create(BPF_MAP_TYPE_XSKMAP, "xb_xsks", 4, 4, 1, NULL);
	if (e->map < 0)
		return -errno;
	fd = xsk_socket__fd(e->xsk);
	if (bpf_map_update_elem(e->map, &key, &fd, 0))
		return -errno;
	e->prog = xb_xdp_attach(e->ifindex, e->map);
	return e->prog < 0 ? e->prog : 0;
}

/* Completed transmissions go back to the TX pool. */
static void reap(struct echo *e)
{
	uint32_t idx, n, i;

	n = xsk_ring_cons__peek(&e->cq, BATCH, &idx);
	for (i = 0; i < n; i++)
		e->pool[e->npool++] =
			*xsk_ring_cons__comp_addr(&e->cq, idx + i);
	xsk_ring_cons__release(&e->cq, n);
	e->tx_n += n;
	e->outstanding -= n;
}

/* One RX frame: copied into a TX frame (as a worker writes its output to
 * a frame of its own), queued; false when no TX frame or slot is free. */
static bool echo_one(struct echo *e, const struct xdp_desc *d)
{
	struct xdp_desc *t;
	uint32_t idx;

	if (!e->npool)
		reap(e);
	if (!e->npool || xsk_ring_prod__reserve(&e->tx, 1, &idx) != 1)
		return false;
	t = xsk_ring_prod__tx_desc(&e->tx, idx);
	t->addr = e->pool[--e->npool];
	t->len = d->len;
	t->options = 0;
	memcpy(xsk_umem__get_data(e->area, t->addr),
	       xsk_umem__get_data(e->area, d->addr), d->len);
	xsk_ring_prod__submit(&e->tx, 1);
	e->outstanding++;
	return true;
}

static void step(struct echo *e)
{
	uint32_t idx_r, idx_f, n, i;

	n = xsk_ring_cons__peek(&e->rx, BATCH, &idx_r);
	if (n) {
		/* the fill ring has room for every RX frame (half the UMEM) */
		while (xsk_ring_prod__reserve(&e->fq, n, &idx_f) != n)
			;
		for (i = 0; i < n; i++) {
			const struct xdp_desc *d =
				xsk_ring_cons__rx_desc(&e->rx, idx_r + i);

			if (!echo_one(e, d))
				e->nobuf++;
			*xsk_ring_prod__fill_addr(&e->fq, idx_f + i) =
				xsk_umem__extract_addr(d->addr) &
				~((uint64_t)FSIZE - 1);
		}
		xsk_ring_prod__submit(&e->fq, n);
		xsk_ring_cons__release(&e->rx, n);
		e->rx_n += n;
	}
	/* copy mode sends at most 32 per kick: kick while any is queued */
	if (e->outstanding && xsk_ring_prod__needs_wakeup(&e->tx))
		sendto(xsk_socket__fd(e->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
	reap(e);
	/* the ceiling spins: poll() here let the RX ring overflow */
	if (!n && !e->outstanding)
		sched_yield();
}

/* ringfull/dropped > 0: frames were lost because the echo fell behind,
 * so it ran at its limit; 0: the feed, not the echo, set the rate. */
static void print_result(struct echo *e, double secs)
{
	struct xdp_statistics st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	getsockopt(xsk_socket__fd(e->xsk), SOL_XDP, XDP_STATISTICS, &st, &len);
	printf("pps=%.0f rx=%llu tx=%llu ringfull=%llu dropped=%llu "
	       "nobuf=%llu\n",
	       (double)e->tx_n / secs, e->rx_n, e->tx_n,
	       (unsigned long long)st.rx_ring_full,
	       (unsigned long long)st.rx_dropped, e->nobuf);
}

int main(int argc, char **argv)
{
	static struct echo e = { .map = -1, .prog = -1 };
	double secs, t0, t;
	int err;

	if (argc != 3)
		return fprintf(stderr, "usage: xecho IFACE SECONDS\n"), 64;
	secs = strtod(argv[2], NULL);
	e.ifindex = (int)if_nametoindex(argv[1]);
	if (!e.ifindex || secs <= 0)
		return fprintf(stderr, "xecho: bad arguments\n"), 64;
	err = open_xsk(&e, argv[1]);
	if (err) {
		fprintf(stderr, "xecho: %s\n", strerror(-err));
		goto out;
	}
	/* warm up a little, then count */
	t0 = now();
	while (now() - t0 < 0.2)
		step(&e);
	e.rx_n = 0;
	e.tx_n = 0;
	e.nobuf = 0;
	t0 = now();
	t = t0;
	while (t - t0 < secs) {
		for (int i = 0; i < 16; i++)
			step(&e);
		t = now();
	}
	print_result(&e, t - t0);
out:
	if (e.prog >= 0)
		bpf_xdp_detach(e.ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (e.xsk)
		xsk_socket__delete(e.xsk);
	if (e.umem)
		xsk_umem__delete(e.umem);
	return err ? 1 : 0;
}
