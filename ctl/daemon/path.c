// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What a worker does with one frame: the parts both directions use (see
 * path.h).  path_in.c handles frames from the NICs, path_out.c frames
 * from the hand-off device.  ESP or AH by the SA's type; tunnel mode
 * (tunnel.c): the outer header goes on before the SA's transform and
 * comes off after it.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pfkeyv2.h>
#include "natt.h"
#include "path.h"
#include "pkt.h"
#include "../lib/sysctl.h"

#define KNOB_REFRESH_MS 1000

/* ------------------------------------------------------------------ */
/* ESP or AH, by the SA's type                                        */

const struct xs_path_knobs *xs_path_knobs(struct worker *w)
{
	static __thread struct xs_path_knobs k = { .ah = { true, 0 } };
	static __thread uint64_t at;
	static __thread bool valid;

	if (valid && w->now_ms - at < KNOB_REFRESH_MS)
		return &k;
	if (!valid)
		xs_sysctl_defaults(&k.cfg);
	at = w->now_ms;
	valid = true;
	if (w->ws->cfg.dp)
		xs_dp_config_get(w->ws->cfg.dp, &k.cfg);
	k.ah.cleartos = k.cfg.ip4_ah_cleartos != 0;
	k.ah.offsetmask = (uint16_t)k.cfg.ip4_ah_offsetmask;
	k.tun.dfbit = (uint8_t)k.cfg.ip4_dfbit;
	k.tun.ecn4 = (uint8_t)k.cfg.ip4_ecn;
	k.tun.ecn6 = (uint8_t)k.cfg.ip6_ecn;
	return &k;
}

/* Inbound: the SA's transform, then the outer header off if the payload
 * is a tunnelled datagram (*tunnel). */
int xs_path_sa_input(struct worker *w, struct xs_esp_ctx *c,
		     struct xs_sa_rt *rt, const uint8_t *ip, size_t len,
		     uint8_t *out, size_t cap, bool *tunnel,
		     enum xs_counter *why)
{
	const struct xs_path_knobs *k = xs_path_knobs(w);
	int n;

	*tunnel = false;
	if (rt->satype == SADB_SATYPE_AH)
		n = xs_ah_input(c, rt, &k->ah, ip, len, out, cap, why);
	else
		n = xs_esp_input(c, rt, ip, len, out, cap, why);
	if (n <= 0)
		return n;
	return xs_tun_decap(rt, &k->tun, out, (size_t)n, tunnel, why);
}

/* Outbound: in tunnel mode the outer header first, then the transform. */
static __thread uint8_t tun_buf[XS_BIG_CAP];
static __thread uint16_t tun_id;

int xs_path_sa_output(struct worker *w, struct xs_esp_ctx *c,
		      struct xs_sa_rt *rt, bool tunnel, const uint8_t *ip,
		      size_t len, uint8_t *out, size_t cap,
		      enum xs_counter *why)
{
	const struct xs_path_knobs *k = xs_path_knobs(w);
	int n;

	if (tunnel) {
		n = xs_tun_encap(rt, &k->tun, ip, len, ++tun_id, tun_buf,
				 sizeof(tun_buf), why);
		if (n < 0)
			return n;
		ip = tun_buf;
		len = (size_t)n;
	}
	if (rt->satype == SADB_SATYPE_AH)
		return xs_ah_output(c, rt, &k->ah, ip, len, out, cap, why);
	n = xs_esp_output(c, rt, ip, len, out, cap, why);
	if (n > 0 && rt->natt_type)
		n = xs_natt_encap(rt, out, (size_t)n, cap, why);
	return n;
}

size_t xs_path_sa_overhead(const struct xs_sa_rt *rt, bool tunnel)
{
	return (rt->satype == SADB_SATYPE_AH ? xs_ah_overhead(rt) :
					       xs_esp_overhead(rt)) +
	       (tunnel ? xs_tun_hdrlen(rt) : 0) + (rt->natt_type ? 8 : 0);
}

/* The SA ran out of sequence numbers: the controller's lifetime check
 * (sadb_life.c) expires it hard and asks for a rekey. */
void xs_path_sa_exhausted(struct worker *w, uint32_t slot)
{
	struct xs_sa_stats *s = w->ws->cfg.sa_stats;

	if (s && slot < XS_MAX_SA)
		__atomic_store_n(&s[slot].seq_exhausted, 1, __ATOMIC_RELAXED);
}

void xs_path_sa_count(struct worker *w, const struct xs_sa_rt *rt, bool tx,
		      size_t bytes)
{
	struct xs_sa_stats *s = w->ws->cfg.sa_stats;
	uint32_t slot = rt->slot;

	xs_wadd_sa(w, rt->satype, tx ? XS_CNT_tx_bytes : XS_CNT_rx_bytes,
		   bytes);
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
/* transmit one frame: reserve, fill, queue                           */

bool xs_path_tx_begin(struct worker *w, struct xs_xsk *x, struct xs_txf *t)
{
	t->x = x;
	pthread_spin_lock(&x->tx_lock);
	t->addr = xs_xsk_tx_frame(x);
	if (t->addr == UINT64_MAX) {
		pthread_spin_unlock(&x->tx_lock);
		xs_wcount(w, XS_CNT_drop_tx_full);
		return false;
	}
	t->data = xs_xsk_data(x, t->addr);
	return true;
}

/* len <= 0: give the frame back. */
void xs_path_tx_end(struct worker *w, struct xs_txf *t, int len)
{
	if (len <= 0 || xs_xsk_tx_queue(t->x, t->addr, (uint32_t)len)) {
		xs_xsk_tx_unget(t->x, t->addr);
		if (len > 0)
			xs_wcount(w, XS_CNT_drop_tx_full);
	}
	pthread_spin_unlock(&t->x->tx_lock);
}

/* Copy a whole L3 datagram into a frame behind the given L2 header. */
static int tx_copy(struct worker *w, struct xs_xsk *x, const uint8_t *l2,
		   const uint8_t *ip, size_t len)
{
	struct xs_txf t;

	if (len > XS_XSK_FRAME_SIZE - ETH_HLEN) {
		xs_wcount(w, XS_CNT_drop_too_big);
		return -EMSGSIZE;
	}
	if (!xs_path_tx_begin(w, x, &t))
		return -ENOBUFS;
	memcpy(t.data, l2, ETH_HLEN);
	memcpy(t.data + ETH_HLEN, ip, len);
	xs_path_tx_end(w, &t, (int)(len + ETH_HLEN));
	return 0;
}

struct frag_out {
	struct worker *w;
	struct xs_xsk *x;
	const uint8_t *l2;
};

static int emit_frag(void *arg, const uint8_t *frag, size_t len)
{
	struct frag_out *f = arg;

	return tx_copy(f->w, f->x, f->l2, frag, len);
}

/* Send a datagram as fragments of at most mtu bytes. */
int xs_path_tx_fragments(struct worker *w, struct xs_xsk *x, const uint8_t *l2,
			 const uint8_t *ip, size_t len, uint32_t mtu)
{
	struct frag_out f = { .w = w, .x = x, .l2 = l2 };

	return xs_frag(ip, len, mtu, ++w->frag_id, emit_frag, &f);
}

/* ------------------------------------------------------------------ */
/* inbound                                                            */

struct xs_xsk *xs_path_handoff_q(struct worker *w)
{
	struct xs_dev *h = &w->ws->handoff;

	return &h->q[(uint32_t)w->id % h->nq];
}

/* L2 header of a decrypted frame: tc_enc_ingress moves it into the
 * ingress of the NIC it arrived on (include/xdpsec/xdpsec.h).  ver: the
 * first byte of the datagram (its version nibble picks the type). */
void xs_path_deliver_l2(uint8_t *o, const struct xs_dev *nic, uint8_t ver,
			uint8_t bits)
{
	uint32_t ifindex = htonl((uint32_t)nic->link.ifindex);
	uint16_t proto = htons(ver >> 4 == 6 ? ETH_P_IPV6 : ETH_P_IP);

	memcpy(o, nic->link.mac, ETH_ALEN);
	o[ETH_ALEN] = XS_ETH_META_MARK;
	o[ETH_ALEN + 1] = bits;
	memcpy(o + ETH_ALEN + 2, &ifindex, 4);
	memcpy(o + 2 * ETH_ALEN, &proto, 2);
}

/* Reassemble ip if it is a fragment: returns the datagram to go on with
 * (ip itself, or w->big), or NULL when held or dropped. */
const uint8_t *xs_path_whole(struct worker *w, const uint8_t *ip, size_t *len,
			     bool *was_frag)
{
	enum xs_counter why = XS_CNT_drop_reasm;
	uint32_t expired = 0;
	struct xs_pkt p;
	int n;

	*was_frag = false;
	if (xs_pkt_parse(ip, *len, &p)) {
		xs_wcount(w, XS_CNT_drop_malformed);
		return NULL;
	}
	if (!p.frag)
		return ip;
	*was_frag = true;
	n = xs_reasm_add(w->reasm, ip, *len, w->now_ms, w->big, XS_BIG_CAP,
			 &why, &expired);
	((uint64_t *)w->st)[XS_CNT_drop_reasm] += expired;
	if (n < 0)
		xs_wcount(w, why);
	if (n <= 0)
		return NULL;
	*len = (size_t)n;
	return w->big;
}
