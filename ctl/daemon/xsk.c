// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * AF_XDP socket plumbing.  See xsk.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include "xsk.h"

#define UMEM_SIZE ((uint64_t)XS_XSK_FRAME_SIZE * XS_XSK_NFRAMES)

static int fill_all(struct xs_xsk *x)
{
	uint32_t idx, i, n = XS_XSK_NFRAMES / 2;

	if (n > XS_XSK_RING)
		n = XS_XSK_RING;
	if (xsk_ring_prod__reserve(&x->fill, n, &idx) != n)
		return -ENOSPC;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&x->fill, idx + i) =
			(uint64_t)i * XS_XSK_FRAME_SIZE;
	xsk_ring_prod__submit(&x->fill, n);
	return 0;
}

int xs_xsk_open(struct xs_xsk *x, const char *ifname, uint32_t ifindex,
		uint32_t queue, int xsks_fd, uint32_t key)
{
	struct xsk_umem_config ucfg = {
		.fill_size = XS_XSK_RING,
		.comp_size = XS_XSK_RING,
		.frame_size = XS_XSK_FRAME_SIZE,
		.frame_headroom = 0,
	};
	struct xsk_socket_config scfg = {
		.rx_size = XS_XSK_RING,
		.tx_size = XS_XSK_RING,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP,
	};
	uint32_t i;
	int err;

	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->ifindex = ifindex;
	x->queue = queue;
	pthread_spin_init(&x->tx_lock, PTHREAD_PROCESS_PRIVATE);
	x->area = mmap(NULL, UMEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		return -errno;
	}
	err = xsk_umem__create(&x->umem, x->area, UMEM_SIZE, &x->fill, &x->comp,
			       &ucfg);
	if (err)
		goto fail;
	err = xsk_socket__create(&x->xsk, ifname, queue, x->umem, &x->rx,
				 &x->tx, &scfg);
	if (err)
		goto fail;
	x->fd = xsk_socket__fd(x->xsk);
	err = fill_all(x);
	if (err)
		goto fail;
	for (i = 0; i < XS_XSK_NFRAMES / 2; i++)
		x->tx_free[i] =
			(uint64_t)(XS_XSK_NFRAMES / 2 + i) * XS_XSK_FRAME_SIZE;
	x->n_tx_free = XS_XSK_NFRAMES / 2;
	if (bpf_map_update_elem(xsks_fd, &key, &x->fd, BPF_ANY)) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	xs_xsk_close(x);
	return err;
}

void xs_xsk_close(struct xs_xsk *x)
{
	/* closing the socket also removes it from the xsks map */
	if (x->xsk)
		xsk_socket__delete(x->xsk);
	if (x->umem)
		xsk_umem__delete(x->umem);
	if (x->area)
		munmap(x->area, UMEM_SIZE);
	pthread_spin_destroy(&x->tx_lock);
	x->xsk = NULL;
	x->umem = NULL;
	x->area = NULL;
	x->fd = -1;
}

uint32_t xs_xsk_rx_peek(struct xs_xsk *x, uint32_t n, uint32_t *idx)
{
	return xsk_ring_cons__peek(&x->rx, n, idx);
}

void xs_xsk_rx_done(struct xs_xsk *x, uint32_t idx, uint32_t n)
{
	uint32_t fidx, i;

	if (!n)
		return;
	/* the fill ring has room for every RX frame: they are half the
	 * UMEM and the ring is that size */
	while (xsk_ring_prod__reserve(&x->fill, n, &fidx) != n)
		;
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&x->rx, idx + i);

		*xsk_ring_prod__fill_addr(&x->fill, fidx + i) =
			xsk_umem__extract_addr(d->addr) &
			~((uint64_t)XS_XSK_FRAME_SIZE - 1);
	}
	xsk_ring_prod__submit(&x->fill, n);
	xsk_ring_cons__release(&x->rx, n);
	if (xsk_ring_prod__needs_wakeup(&x->fill))
		recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

static void reap(struct xs_xsk *x)
{
	uint32_t idx, n, i;

	n = xsk_ring_cons__peek(&x->comp, XS_XSK_RING, &idx);
	for (i = 0; i < n; i++)
		x->tx_free[x->n_tx_free++] =
			*xsk_ring_cons__comp_addr(&x->comp, idx + i);
	xsk_ring_cons__release(&x->comp, n);
	x->tx_outstanding -= n;
}

uint64_t xs_xsk_tx_frame(struct xs_xsk *x)
{
	if (!x->n_tx_free)
		reap(x);
	if (!x->n_tx_free)
		return UINT64_MAX;
	return x->tx_free[--x->n_tx_free];
}

void xs_xsk_tx_unget(struct xs_xsk *x, uint64_t addr)
{
	x->tx_free[x->n_tx_free++] = addr;
}

int xs_xsk_tx_queue(struct xs_xsk *x, uint64_t addr, uint32_t len)
{
	struct xdp_desc *d;
	uint32_t idx;

	if (xsk_ring_prod__reserve(&x->tx, 1, &idx) != 1)
		return -ENOBUFS;
	d = xsk_ring_prod__tx_desc(&x->tx, idx);
	d->addr = addr;
	d->len = len;
	d->options = 0;
	xsk_ring_prod__submit(&x->tx, 1);
	x->tx_outstanding++;
	return 0;
}

/* Descriptors queued on the TX ring that the kernel has not taken yet. */
static bool tx_queued(const struct xs_xsk *x)
{
	return __atomic_load_n(x->tx.producer, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE);
}

/*
 * Copy mode sends at most 32 descriptors per sendto(), synchronously, and
 * says EAGAIN when more are left (EBUSY: one was dropped): kick until it
 * reports the ring empty.  The kernel publishes its consumer index lazily,
 * so that answer, not the index, ends the loop; the bound covers a device
 * that stays busy (the loop's poll() and next pass retry).  Runs without
 * the TX lock: the kernel serialises senders of one socket, and only the
 * ring's shared indices are read.
 */
void xs_xsk_tx_kick(struct xs_xsk *x)
{
	uint32_t k;

	if (!xsk_ring_prod__needs_wakeup(&x->tx) || !tx_queued(x))
		return;
	for (k = 0; k < XS_XSK_RING / 32 + 1; k++)
		if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0 ||
		    (errno != EAGAIN && errno != EBUSY))
			break;
}

void xs_xsk_tx_reap(struct xs_xsk *x)
{
	if (x->tx_outstanding)
		reap(x);
}
