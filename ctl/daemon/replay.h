/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Anti-replay window (RFC 4303 3.4.3, RFC 6479 style bitmap), sizes up to
 * XS_REPLAY_MAX packets, 0 = off.  Check before the ICV is verified (cheap
 * rejection), update after it verified; xs_replay_update re-checks under
 * the lock, so two queues racing on one sequence number accept it once.
 * 64-bit sequence numbers, ready for ESN.
 *
 * ESN resynchronisation (RFC 4303 appendix A3): after a loss of 2^32 or
 * more packets the A2.1 estimate of the high half is wrong and every
 * packet fails the ICV.  The window counts consecutive ICV failures
 * (xs_replay_icv_failed, reset by any verified packet); past
 * XS_REPLAY_RESYNC_AFTER of them the caller retries each failing packet's
 * ICV once with the next high half, and a packet that verifies so moves
 * the window to it (xs_replay_resync).
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
	uint32_t icv_fails; /* consecutive ICV failures (A3), saturating */
	uint64_t top; /* highest sequence number accepted */
	uint64_t resyncs; /* A3 resynchronisations done */
	uint64_t bits[XS_REPLAY_MAX / 64 + 1];
};

int xs_replay_init(struct xs_replay *r, uint32_t size); /* -EINVAL if big */
void xs_replay_destroy(struct xs_replay *r);
/* Would seq be accepted now? (seq 0 never is) */
bool xs_replay_check(struct xs_replay *r, uint64_t seq);
/* Accept seq (its ICV verified; resets the ICV failure count): true if
 * it was new and is now recorded. */
bool xs_replay_update(struct xs_replay *r, uint64_t seq);
/* ESN (RFC 4303 appendix A2.1): the 64-bit sequence number a received low
 * half stands for, from the window's top: inside or above the window in
 * the current 2^32 block, else the next block (above the window's bottom
 * when that lies in the previous block: the previous one).  A window of 0
 * estimates with XS_REPLAY_ESN_GUESS packets. */
#define XS_REPLAY_ESN_GUESS 64
uint64_t xs_replay_esn_seq(struct xs_replay *r, uint32_t seql);
/*
 * A3 trigger: consecutive ICV failures before a failing packet is retried
 * with the next high half.  A genuine loss of 2^32 packets makes every
 * packet fail, so 64 (one default window of packets) costs a few dozen
 * packets, microseconds at line rate; a stray corrupted or forged packet
 * among verified ones never gets there (any verified packet resets the
 * count), so normal traffic pays no second ICV.  An attacker without the
 * key can reach it, but then only doubles the ICV work per forged packet
 * and cannot make a retry verify.
 */
#define XS_REPLAY_RESYNC_AFTER 64
/* Count an ICV failure: true when the consecutive count now exceeds
 * XS_REPLAY_RESYNC_AFTER (retry the packet with the next high half). */
bool xs_replay_icv_failed(struct xs_replay *r);
/* Accept seq, whose ICV verified only with the retried high half: as
 * xs_replay_update, and counts the resynchronisation. */
bool xs_replay_resync(struct xs_replay *r, uint64_t seq);

#endif /* XS_REPLAY_H */
