/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * One AF_XDP socket with its own UMEM (copy mode on veth), bound to one
 * queue of one device and entered into the xsks map at its slot.
 *
 * The UMEM's frames are split in two: the first half feeds the fill ring
 * (RX), the second half is a free list for TX.  Received frames go back to
 * the fill ring once processed; sent frames come back through the
 * completion ring.  Only the owning worker touches the RX and fill rings;
 * the TX side has a lock because several workers may send on one queue
 * when a device has fewer queues than there are workers.
 */
#ifndef XS_XSK_H
#define XS_XSK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <xdp/xsk.h>

#define XS_XSK_FRAME_SIZE 2048u
#define XS_XSK_NFRAMES 4096u
#define XS_XSK_RING 2048u
#define XS_XSK_BATCH 64u

struct xs_xsk {
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	uint8_t *area; /* the UMEM */
	int fd;
	uint32_t ifindex, queue;
	pthread_spinlock_t tx_lock;
	uint64_t tx_free[XS_XSK_NFRAMES / 2]; /* free TX frame addresses */
	uint32_t n_tx_free;
	uint32_t tx_outstanding; /* submitted, not completed */
};

/* Create on ifname/queue, put into xsks map fd at key.  -errno. */
int xs_xsk_open(struct xs_xsk *x, const char *ifname, uint32_t ifindex,
		uint32_t queue, int xsks_fd, uint32_t key);
void xs_xsk_close(struct xs_xsk *x);

static inline uint8_t *xs_xsk_data(const struct xs_xsk *x, uint64_t addr)
{
	return xsk_umem__get_data(x->area, addr);
}

/* RX: peek up to n descriptors; release them with xs_xsk_rx_done(), which
 * also gives their frames back to the fill ring. */
uint32_t xs_xsk_rx_peek(struct xs_xsk *x, uint32_t n, uint32_t *idx);
void xs_xsk_rx_done(struct xs_xsk *x, uint32_t idx, uint32_t n);

/* TX (caller holds tx_lock): get a free frame, queue it with its length,
 * then submit the batch.  xs_xsk_tx_frame returns UINT64_MAX when no frame
 * or ring slot is free. */
uint64_t xs_xsk_tx_frame(struct xs_xsk *x);
void xs_xsk_tx_unget(struct xs_xsk *x, uint64_t addr);
int xs_xsk_tx_queue(struct xs_xsk *x, uint64_t addr, uint32_t len);
/* Kick the kernel until it has taken every queued frame (copy mode sends
 * at most 32 per sendto: keep kicking); no lock needed. */
void xs_xsk_tx_kick(struct xs_xsk *x);
/* Completed frames back to the free list (caller holds tx_lock). */
void xs_xsk_tx_reap(struct xs_xsk *x);

#endif /* XS_XSK_H */
