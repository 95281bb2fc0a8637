/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Anti-replay window (RFC 4303 3.4.3, RFC 6479 style bitmap), sizes up to
 * XS_REPLAY_MAX packets, 0 = off.  Check before the ICV is verified (cheap
 * rejection), update after it verified; xs_replay_update re-checks under
 * the lock, so two queues racing on one sequence number accept it once.
 * 64-bit sequence numbers, ready for ESN.
 */
#ifndef XS_REPLAY_H
#define XS_REPLAY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define XS_REPLAY_MAX 4096 /* packets */

struct xs_replay {
	pthread_spinlock_t lock;
	uint32_t size; /* packets, multiple of 64 rounded up inside */
	uint64_t top; /* highest sequence number accepted */
	uint64_t bits[XS_REPLAY_MAX / 64 + 1];
};

int xs_replay_init(struct xs_replay *r, uint32_t size); /* -EINVAL if big */
void xs_replay_destroy(struct xs_replay *r);
/* Would seq be accepted now? (seq 0 never is) */
bool xs_replay_check(struct xs_replay *r, uint64_t seq);
/* Accept seq: true if it was new and is now recorded. */
bool xs_replay_update(struct xs_replay *r, uint64_t seq);
/* ESN (RFC 4303 appendix A2.1): the 64-bit sequence number a received low
 * half stands for, from the window's top: inside or above the window in
 * the current 2^32 block, else the next block (above the window's bottom
 * when that lies in the previous block: the previous one).  A window of 0
 * estimates with XS_REPLAY_ESN_GUESS packets. */
#define XS_REPLAY_ESN_GUESS 64
uint64_t xs_replay_esn_seq(struct xs_replay *r, uint32_t seql);

#endif /* XS_REPLAY_H */
