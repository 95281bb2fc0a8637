/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What path_in.c (inbound frames) and path_out.c (outbound frames) share,
 * implemented in path.c: the config knobs as a worker sees them, the SA's
 * transform (ESP or AH, tunnel header on or off), per-SA counting,
 * transmitting into an AF_XDP frame, and reassembly.
 */
#ifndef XS_PATH_H
#define XS_PATH_H

#include "ah.h"
#include "tunnel.h"
#include "worker_int.h"

/* SAs applied to one packet at most: ESP and AH (RFC 4301 4.5). */
#define XS_PATH_BUNDLE_MAX 2

struct xs_path_knobs {
	struct xs_ah_knobs ah;
	struct xs_tun_knobs tun;
	struct xs_config cfg; /* the whole config map */
};

/* The config map as this worker thread last read it (at most 1 s old). */
const struct xs_path_knobs *xs_path_knobs(struct worker *w);

/* Inbound: the SA's transform, then the outer header off if the payload
 * is a tunnelled datagram (*tunnel). */
int xs_path_sa_input(struct worker *w, struct xs_esp_ctx *c,
		     struct xs_sa_rt *rt, const uint8_t *ip, size_t len,
		     uint8_t *out, size_t cap, bool *tunnel,
		     enum xs_counter *why);
/* Outbound: in tunnel mode the outer header first, then the transform. */
int xs_path_sa_output(struct worker *w, struct xs_esp_ctx *c,
		      struct xs_sa_rt *rt, bool tunnel, const uint8_t *ip,
		      size_t len, uint8_t *out, size_t cap,
		      enum xs_counter *why);
/* Bytes rt adds at most (for MTU checks). */
size_t xs_path_sa_overhead(const struct xs_sa_rt *rt, bool tunnel);
/* The SA ran out of sequence numbers (the controller expires it). */
void xs_path_sa_exhausted(struct worker *w, uint32_t slot);
/* Bytes of one packet through rt: its sa_stats row, its protocol's
 * rx_bytes / tx_bytes. */
void xs_path_sa_count(struct worker *w, const struct xs_sa_rt *rt, bool tx,
		      size_t bytes);

/* One TX frame: reserve (the queue's lock is held until _end), fill,
 * queue.  _end with len <= 0 gives the frame back. */
struct xs_txf {
	struct xs_xsk *x;
	uint64_t addr;
	uint8_t *data;
};

bool xs_path_tx_begin(struct worker *w, struct xs_xsk *x, struct xs_txf *t);
void xs_path_tx_end(struct worker *w, struct xs_txf *t, int len);
/* Send the datagram ip/len behind l2 as fragments of at most mtu. */
int xs_path_tx_fragments(struct worker *w, struct xs_xsk *x, const uint8_t *l2,
			 const uint8_t *ip, size_t len, uint32_t mtu);
/* This worker's queue of the hand-off device (towards the stack). */
struct xs_xsk *xs_path_handoff_q(struct worker *w);
/* L2 header of a frame for the stack, as if it arrived on nic; ver: the
 * datagram's first byte (its version picks the EtherType); bits: the
 * XS_ETH_DELIVER_* of the protocols removed, 0 for a frame xdpsec made
 * itself (ICMP too big), which is not marked as decrypted. */
void xs_path_deliver_l2(uint8_t *o, const struct xs_dev *nic, uint8_t ver,
			uint8_t bits);
/* Reassemble ip if it is a fragment: the datagram to go on with (ip
 * itself, or w->big), or NULL when held or dropped (counted). */
const uint8_t *xs_path_whole(struct worker *w, const uint8_t *ip, size_t *len,
			     bool *was_frag);

#endif /* XS_PATH_H */
