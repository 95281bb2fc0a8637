// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Anti-replay window, RFC 6479 style: a ring of 64-bit words indexed by
 * seq / 64, one word more than the largest window so that advancing the
 * window clears whole words and never a bit still inside it.  Bit
 * (seq % 64) of word (seq / 64) % NWORDS says "seq seen".  top is the
 * highest sequence number accepted; seq is inside the window when
 * top - size < seq <= top.  With size 0 the window is off: every sequence
 * number but 0 passes and nothing is remembered (RFC 4303 3.4.3 lets the
 * receiver not check).  icv_fails counts consecutive ICV failures for the
 * ESN resynchronisation of RFC 4303 A3 (esp.c retries); every verified
 * packet resets it.
 */
#include <errno.h>
#include <string.h>
#include "replay.h"

#define NWORDS (sizeof(((struct xs_replay *)0)->bits) / sizeof(uint64_t))

int xs_replay_init(struct xs_replay *r, uint32_t size)
{
	int ret;

	if (size > XS_REPLAY_MAX)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->size = size;
	ret = pthread_spin_init(&r->lock, PTHREAD_PROCESS_PRIVATE);
	return ret ? -ret : 0;
}

void xs_replay_destroy(struct xs_replay *r)
{
	pthread_spin_destroy(&r->lock);
}

static uint64_t *word_of(struct xs_replay *r, uint64_t seq)
{
	return &r->bits[(seq >> 6) % NWORDS];
}

static uint64_t bit_of(uint64_t seq)
{
	return 1ULL << (seq & 63);
}

/* Caller holds the lock. */
static bool check_locked(struct xs_replay *r, uint64_t seq)
{
	if (!seq)
		return false;
	if (!r->size || seq > r->top)
		return true;
	if (r->top - seq >= r->size)
		return false; /* left of the window */
	return !(*word_of(r, seq) & bit_of(seq));
}

/* Move top to seq (> top), clearing the words that enter the ring. */
static void advance(struct xs_replay *r, uint64_t seq)
{
	uint64_t idx = r->top >> 6, end = seq >> 6;
	size_t n;

	for (n = 0; idx < end && n < NWORDS; n++)
		r->bits[++idx % NWORDS] = 0;
	r->top = seq;
}

bool xs_replay_check(struct xs_replay *r, uint64_t seq)
{
	bool ok;

	pthread_spin_lock(&r->lock);
	ok = check_locked(r, seq);
	pthread_spin_unlock(&r->lock);
	return ok;
}

uint64_t xs_replay_esn_seq(struct xs_replay *r, uint32_t seql)
{
	uint64_t top, w;
	uint32_t tl, th, bottom;

	pthread_spin_lock(&r->lock);
	top = r->top;
	w = r->size ? r->size : XS_REPLAY_ESN_GUESS;
	pthread_spin_unlock(&r->lock);
	tl = (uint32_t)top;
	th = (uint32_t)(top >> 32);
	bottom = (uint32_t)(tl - (w - 1)); /* Tl - W + 1, mod 2^32 */
	if (tl >= w - 1) /* window within one block (case A) */
		return (uint64_t)(seql >= bottom ? th : th + 1) << 32 | seql;
	/* window spans the block boundary (case B) */
	if (seql >= bottom && th) /* still in the previous block */
		return (uint64_t)(th - 1) << 32 | seql;
	return (uint64_t)th << 32 | seql;
}

/* Caller holds the lock; seq's ICV verified. */
static bool update_locked(struct xs_replay *r, uint64_t seq)
{
	bool ok = check_locked(r, seq);

	r->icv_fails = 0;
	if (ok && r->size) {
		if (seq > r->top)
			advance(r, seq);
		*word_of(r, seq) |= bit_of(seq);
	} else if (ok && seq > r->top) {
		r->top = seq;
	}
	return ok;
}

bool xs_replay_update(struct xs_replay *r, uint64_t seq)
{
	bool ok;

	pthread_spin_lock(&r->lock);
	ok = update_locked(r, seq);
	pthread_spin_unlock(&r->lock);
	return ok;
}

bool xs_replay_icv_failed(struct xs_replay *r)
{
	bool retry;

	pthread_spin_lock(&r->lock);
	if (r->icv_fails < UINT32_MAX)
		r->icv_fails++;
	retry = r->icv_fails > XS_REPLAY_RESYNC_AFTER;
	pthread_spin_unlock(&r->lock);
	return retry;
}

bool xs_replay_resync(struct xs_replay *r, uint64_t seq)
{
	bool ok;

	pthread_spin_lock(&r->lock);
	ok = update_locked(r, seq);
	if (ok)
		r->resyncs++;
	pthread_spin_unlock(&r->lock);
	return ok;
}
