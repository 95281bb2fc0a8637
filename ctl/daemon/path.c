// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What a worker does with one frame.
 *
 * Inbound:  NIC frame -> [reassemble] -> ESP input -> inbound policy ->
 *           to the stack through the enc pair, marked with its NIC (one
 *           frame, or MTU-sized fragments when it is bigger).
 * Outbound: hand-off frame -> [reassemble: RFC 4303 3.3, whole datagrams
 *           only] -> fits the MTU once encapsulated?  yes: ESP output into
 *           a NIC TX frame; no, and a whole datagram with DF (or IPv6):
 *           ICMP too big to the local sender; no, otherwise (IPv4 without
 *           DF, or a datagram the stack had fragmented): ESP output, then
 *           outer fragments.
 * ESP or AH by the SA's type; bundles (ESP then AH) in bundle_out /
 * bundle_input.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pfkeyv2.h>
#include <bpf/bpf.h>
#include "ah.h"
#include "pkt.h"
#include "worker_int.h"

#define IP4_DF 0x4000
#define KNOB_REFRESH_MS 1000

/* ------------------------------------------------------------------ */
/* ESP or AH, by the SA's type                                        */

/* The ah_cleartos / ah_offsetmask knobs of the config map, read at most
 * once a second per worker thread (the map is not mmapable). */
static const struct xs_ah_knobs *ah_knobs(struct worker *w)
{
	static __thread struct xs_ah_knobs k = { true, 0 };
	static __thread uint64_t at;
	static __thread bool valid;
	struct xs_config cfg;

	if (valid && w->now_ms - at < KNOB_REFRESH_MS)
		return &k;
	at = w->now_ms;
	valid = true;
	if (w->ws->cfg.dp && !xs_dp_config_get(w->ws->cfg.dp, &cfg)) {
		k.cleartos = cfg.ip4_ah_cleartos != 0;
		k.offsetmask = (uint16_t)cfg.ip4_ah_offsetmask;
	}
	return &k;
}

static int sa_input(struct worker *w, struct xs_esp_ctx *c, struct xs_sa_rt *rt,
		    const uint8_t *ip, size_t len, uint8_t *out, size_t cap,
		    enum xs_counter *why)
{
	if (rt->satype == SADB_SATYPE_AH)
		return xs_ah_input(c, rt, ah_knobs(w), ip, len, out, cap, why);
	return xs_esp_input(c, rt, ip, len, out, cap, why);
}

static int sa_output(struct worker *w, struct xs_esp_ctx *c,
		     struct xs_sa_rt *rt, const uint8_t *ip, size_t len,
		     uint8_t *out, size_t cap, enum xs_counter *why)
{
	if (rt->satype == SADB_SATYPE_AH)
		return xs_ah_output(c, rt, ah_knobs(w), ip, len, out, cap, why);
	return xs_esp_output(c, rt, ip, len, out, cap, why);
}

static size_t sa_overhead(const struct xs_sa_rt *rt)
{
	return rt->satype == SADB_SATYPE_AH ? xs_ah_overhead(rt) :
					      xs_esp_overhead(rt);
}

/* The SA ran out of sequence numbers: the controller's lifetime check
 * (sadb_life.c) expires it hard and asks for a rekey. */
static void sa_exhausted(struct worker *w, uint32_t slot)
{
	struct xs_sa_stats *s = w->ws->cfg.sa_stats;

	if (s && slot < XS_MAX_SA)
		__atomic_store_n(&s[slot].seq_exhausted, 1, __ATOMIC_RELAXED);
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
/* transmit one frame: reserve, fill, queue                           */

struct txf {
	struct xs_xsk *x;
	uint64_t addr;
	uint8_t *data;
};

static bool tx_begin(struct worker *w, struct xs_xsk *x, struct txf *t)
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
static void tx_end(struct worker *w, struct txf *t, int len)
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
	struct txf t;

	if (len > XS_XSK_FRAME_SIZE - ETH_HLEN) {
		xs_wcount(w, XS_CNT_drop_too_big);
		return -EMSGSIZE;
	}
	if (!tx_begin(w, x, &t))
		return -ENOBUFS;
	memcpy(t.data, l2, ETH_HLEN);
	memcpy(t.data + ETH_HLEN, ip, len);
	tx_end(w, &t, (int)(len + ETH_HLEN));
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
static int tx_fragments(struct worker *w, struct xs_xsk *x, const uint8_t *l2,
			const uint8_t *ip, size_t len, uint32_t mtu)
{
	struct frag_out f = { .w = w, .x = x, .l2 = l2 };

	return xs_frag(ip, len, mtu, ++w->frag_id, emit_frag, &f);
}

/* ------------------------------------------------------------------ */
/* inbound                                                            */

static struct xs_xsk *handoff_q(struct worker *w)
{
	struct xs_dev *h = &w->ws->handoff;

	return &h->q[(uint32_t)w->id % h->nq];
}

/* L2 header of a decrypted frame: tc_enc_ingress moves it into the
 * ingress of the NIC it arrived on (include/xdpsec/xdpsec.h). */
static void deliver_l2(uint8_t *o, const struct xs_dev *nic, uint8_t family)
{
	uint32_t ifindex = htonl((uint32_t)nic->link.ifindex);
	uint16_t proto = htons(family == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP);

	memcpy(o, nic->link.mac, ETH_ALEN);
	o[ETH_ALEN] = XS_ETH_META_MARK;
	o[ETH_ALEN + 1] = 0;
	memcpy(o + ETH_ALEN + 2, &ifindex, 4);
	memcpy(o + 2 * ETH_ALEN, &proto, 2);
}

/* RFC 4301 5.2: the decrypted packet must be one the inbound policy lets
 * this SA carry. */
static bool inbound_allowed(struct worker *w, const struct xs_sa_rt *rt,
			    const uint8_t *ip, size_t len)
{
	struct xs_workers *ws = w->ws;
	uint8_t proto = rt->satype == SADB_SATYPE_AH ? IPPROTO_AH : IPPROTO_ESP;
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
		ok = false;
		for (i = 0; i < sp->nreq && !ok; i++)
			ok = sp->req[i].proto == proto &&
			     (sp->req[i].mode == rt->mode ||
			      rt->mode == IPSEC_MODE_ANY);
	}
	pthread_rwlock_unlock(ws->cfg.spd_lock);
	return ok;
}

/* The SA of a reassembled ESP/AH datagram (fragments carry no SA slot). */
static uint32_t sa_by_spi(struct worker *w, const uint8_t *ip, size_t len)
{
	struct xs_sa_in_key k = { 0 };
	struct xs_sa_ref ref;
	struct xs_pkt p;
	size_t spi_off;

	if (xs_pkt_parse(ip, len, &p) ||
	    (p.proto != IPPROTO_ESP && p.proto != IPPROTO_AH))
		return XS_SLOT_NONE;
	spi_off = (size_t)p.l3len + (p.proto == IPPROTO_AH ? 4 : 0);
	if (spi_off + 4 > len)
		return XS_SLOT_NONE;
	memcpy(&k.spi, ip + spi_off, 4);
	k.proto = p.proto;
	k.family = p.family;
	memcpy(k.daddr, p.dst, 16);
	if (bpf_map_lookup_elem(w->ws->cfg.dp->sa_in, &k, &ref))
		return XS_SLOT_NONE;
	return ref.slot;
}

/*
 * Bundles (RFC 4301 4.5), inbound: when what came out of ESP/AH is ESP or
 * AH again for an SA of ours (e.g. AH outside ESP for "esp/transport//
 * require ah/transport//require"), take that one off too, up to
 * BUNDLE_MAX levels.  *rt becomes the innermost SA (for the policy check).
 * Only looked for while AH SAs exist: plain ESP pays nothing.
 */
#define BUNDLE_MAX 2

static __thread uint8_t bundle_buf[XS_BIG_CAP];

static int bundle_input(struct worker *w, struct xs_esp_ctx *c,
			struct xs_sa_rt **rt, const uint8_t *ip, size_t len,
			uint8_t *out, size_t cap, enum xs_counter *why)
{
	struct xs_sa_rt *rt2;
	struct xs_esp_ctx *c2;
	uint32_t slot2;
	uint64_t gen;
	int n, depth;

	n = sa_input(w, c, *rt, ip, len, out, cap, why);
	for (depth = 1; n > 0 && depth < BUNDLE_MAX && xs_sa_rt_ah_live();
	     depth++) {
		slot2 = sa_by_spi(w, out, (size_t)n);
		rt2 = xs_satab_get(w->ws->cfg.satab, slot2, &gen);
		c2 = rt2 ? xs_worker_ctx(w, slot2, gen, rt2) : NULL;
		if (!c2)
			break; /* not ours: the policy check decides */
		memcpy(bundle_buf, out, (size_t)n);
		n = sa_input(w, c2, rt2, bundle_buf, (size_t)n, out, cap, why);
		*rt = rt2;
		if (n > 0)
			sa_count(w, slot2, false, (size_t)n);
	}
	return n;
}

/* Reassemble ip if it is a fragment: returns the datagram to go on with
 * (ip itself, or w->big), or NULL when held or dropped. */
static const uint8_t *whole(struct worker *w, const uint8_t *ip, size_t *len,
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

void xs_path_inbound(struct worker *w, const struct xs_dev *nic,
		     const uint8_t *frame, uint32_t len)
{
	const struct xs_xdp_meta *m = (const void *)(frame - sizeof(*m));
	const struct ethhdr *eth = (const void *)frame;
	enum xs_counter why = XS_CNT_drop_malformed;
	const uint8_t *ip = frame + ETH_HLEN;
	size_t iplen = len - ETH_HLEN;
	uint32_t slot = m->sa_slot;
	struct xs_esp_ctx *c;
	struct xs_sa_rt *rt;
	uint8_t l2[ETH_HLEN];
	bool frag;
	uint64_t gen;
	struct txf t;
	int n;

	if (len < ETH_HLEN || m->magic != XS_META_MAGIC ||
	    (eth->h_proto != htons(ETH_P_IP) &&
	     eth->h_proto != htons(ETH_P_IPV6))) {
		xs_wcount(w, XS_CNT_drop_unsupported); /* e.g. VLAN tags */
		return;
	}
	if (slot == XS_SLOT_NONE) {
		ip = whole(w, ip, &iplen, &frag);
		if (!ip)
			return;
		if (frag)
			xs_wcount(w, XS_CNT_rx_reasm);
		slot = sa_by_spi(w, ip, iplen);
	}
	rt = xs_satab_get(w->ws->cfg.satab, slot, &gen);
	c = rt ? xs_worker_ctx(w, slot, gen, rt) : NULL;
	if (!c) {
		xs_wcount(w, slot == XS_SLOT_NONE ? XS_CNT_drop_unknown_spi :
						    XS_CNT_drop_no_sa);
		return;
	}
	if (iplen <= nic->link.mtu) {
		/* the common case: decrypt straight into the TX frame (the
		 * result is shorter, so it fits the enc pair's MTU too) */
		if (!tx_begin(w, handoff_q(w), &t))
			return;
		n = bundle_input(w, c, &rt, ip, iplen, t.data + ETH_HLEN,
				 XS_XSK_FRAME_SIZE - ETH_HLEN, &why);
		if (n > 0 &&
		    !inbound_allowed(w, rt, t.data + ETH_HLEN, (size_t)n)) {
			why = XS_CNT_drop_selector;
			n = -EACCES;
		}
		if (n > 0)
			deliver_l2(t.data, nic, rt->family);
		tx_end(w, &t, n > 0 ? n + ETH_HLEN : 0);
	} else {
		n = bundle_input(w, c, &rt, ip, iplen, w->big_out, XS_BIG_CAP,
				 &why);
		if (n > 0 && !inbound_allowed(w, rt, w->big_out, (size_t)n)) {
			why = XS_CNT_drop_selector;
			n = -EACCES;
		}
		if (n > 0) {
			/* the enc pair carries at most the MTU: the stack
			 * reassembles what does not fit */
			deliver_l2(l2, nic, rt->family);
			if (tx_fragments(w, handoff_q(w), l2, w->big_out,
					 (size_t)n, nic->link.mtu) < 0)
				return;
		}
	}
	if (n <= 0) {
		xs_wcount(w, why);
		return;
	}
	xs_wcount(w, XS_CNT_rx_decrypt);
	sa_count(w, slot, false, (size_t)n);
}

/* ------------------------------------------------------------------ */
/* outbound                                                           */

static struct xs_dev *nic_by_slot(struct xs_workers *ws, uint32_t slot)
{
	int i;

	for (i = 0; i < ws->nnic; i++)
		if (ws->nic[i].slot == slot)
			return &ws->nic[i];
	return NULL;
}

static bool dont_fragment(const uint8_t *ip)
{
	uint16_t off;

	if (ip[0] >> 4 != 4)
		return true; /* IPv6: only the source fragments */
	memcpy(&off, ip + 6, 2);
	return (ntohs(off) & IP4_DF) != 0;
}

/*
 * Too big once encapsulated, and the sender said not to fragment: tell
 * it the MTU that fits (RFC 1191 / RFC 8201).  The ICMP comes from the
 * datagram's destination and reaches the stack like a decrypted packet.
 */
static void too_big(struct worker *w, const struct xs_dev *nic,
		    const uint8_t *ip, size_t len, size_t overhead)
{
	uint32_t mtu = nic->link.mtu - (uint32_t)overhead;
	const uint8_t *dst = ip[0] >> 4 == 4 ? ip + 16 : ip + 24;
	struct txf t;
	int n;

	xs_wcount(w, XS_CNT_drop_too_big);
	mtu &= ~3u; /* ESP pads to 4 bytes: stay below the next step */
	if (!tx_begin(w, handoff_q(w), &t))
		return;
	n = xs_icmp_too_big(ip, len, mtu, dst, t.data + ETH_HLEN,
			    XS_XSK_FRAME_SIZE - ETH_HLEN);
	if (n > 0) {
		deliver_l2(t.data, nic, ip[0] >> 4 == 4 ? AF_INET : AF_INET6);
		xs_wcount(w, XS_CNT_tx_icmp_too_big);
	}
	tx_end(w, &t, n > 0 ? n + ETH_HLEN : 0);
}

/*
 * Bundles, outbound: tc_egress hands over the SA of the policy's first
 * request that has one; the SAs of the requests after it (e.g. AH after
 * ESP) come from the policy (the workers' SPD copy) and sa_out, keyed as
 * tc_egress keys them, and are applied in the policy's order.  Only while
 * AH SAs exist.
 */
struct chain {
	int n;
	uint32_t slot[BUNDLE_MAX];
	struct xs_sa_rt *rt[BUNDLE_MAX];
	struct xs_esp_ctx *c[BUNDLE_MAX];
};

/* Copies the policy's requests for ip; their number, 0 if not a bundle. */
static int bundle_reqs(struct worker *w, const struct xs_pkt *p,
		       struct xs_ipsecreq *req)
{
	const struct xs_spolicy *sp;
	struct xs_pktsel sel;
	int n = 0;

	xs_pkt_sel(p, IPSEC_DIR_OUTBOUND, &sel);
	pthread_rwlock_rdlock(w->ws->cfg.spd_lock);
	sp = xs_spd_lookup(w->ws->cfg.spd, &sel);
	if (sp && sp->type == IPSEC_POLICY_IPSEC && sp->nreq > 1) {
		n = sp->nreq > XS_MAX_TMPL ? XS_MAX_TMPL : sp->nreq;
		memcpy(req, sp->req, (size_t)n * sizeof(*req));
	}
	pthread_rwlock_unlock(w->ws->cfg.spd_lock);
	return n;
}

static uint32_t out_slot(struct worker *w, const struct xs_pkt *p,
			 const struct xs_ipsecreq *r)
{
	struct xs_sa_out_key k;
	struct xs_sa_ref ref;

	memset(&k, 0, sizeof(k));
	k.proto = r->proto;
	k.mode = r->mode;
	if (r->level == IPSEC_LEVEL_UNIQUE)
		k.reqid = r->reqid;
	k.family = p->family;
	memcpy(k.saddr, p->src, 16);
	memcpy(k.daddr, p->dst, 16);
	if (bpf_map_lookup_elem(w->ws->cfg.dp->sa_out, &k, &ref))
		return XS_SLOT_NONE;
	return ref.slot;
}

/* Appends the SAs after ch->slot[0] to ch; 0, or the drop reason. */
static int bundle_out(struct worker *w, const uint8_t *ip, size_t len,
		      struct chain *ch)
{
	struct xs_ipsecreq req[XS_MAX_TMPL];
	struct xs_esp_ctx *c;
	struct xs_sa_rt *rt;
	bool after = false;
	struct xs_pkt p;
	uint32_t s;
	uint64_t gen;
	int i, nreq;

	if (!xs_sa_rt_ah_live() || xs_pkt_parse(ip, len, &p))
		return 0;
	nreq = bundle_reqs(w, &p, req);
	for (i = 0; i < nreq; i++) {
		s = out_slot(w, &p, &req[i]);
		if (!after) {
			after = s == ch->slot[0];
			continue;
		}
		if (s == XS_SLOT_NONE && req[i].level == IPSEC_LEVEL_USE)
			continue;
		if (s == XS_SLOT_NONE)
			return XS_CNT_drop_no_sa;
		if (ch->n == BUNDLE_MAX)
			return XS_CNT_drop_unsupported;
		rt = xs_satab_get(w->ws->cfg.satab, s, &gen);
		c = rt ? xs_worker_ctx(w, s, gen, rt) : NULL;
		if (!c)
			return XS_CNT_drop_no_sa;
		ch->rt[ch->n] = rt;
		ch->c[ch->n] = c;
		ch->slot[ch->n++] = s;
	}
	return 0;
}

static size_t chain_overhead(const struct chain *ch)
{
	size_t o = 0;
	int i;

	for (i = 0; i < ch->n; i++)
		o += sa_overhead(ch->rt[i]);
	return o;
}

/* Every SA of the chain in turn, the last one into out. */
static int chain_output(struct worker *w, const struct chain *ch,
			const uint8_t *ip, size_t len, uint8_t *out, size_t cap,
			enum xs_counter *why)
{
	int i, n = (int)len;

	for (i = 0; i < ch->n; i++) {
		bool last = i == ch->n - 1;

		n = sa_output(w, ch->c[i], ch->rt[i], i ? bundle_buf : ip,
			      (size_t)n, last ? out : bundle_buf,
			      last ? cap : XS_BIG_CAP, why);
		if (n < 0 && *why == XS_CNT_drop_seq_wrap)
			sa_exhausted(w, ch->slot[i]);
		if (n <= 0)
			return n;
		if (i)
			sa_count(w, ch->slot[i], true, (size_t)n);
	}
	return n;
}

static int encrypt_big(struct worker *w, const struct chain *ch,
		       const struct xs_dev *nic, const uint8_t *l2,
		       const uint8_t *ip, size_t len, enum xs_counter *why)
{
	struct xs_xsk *out = &nic->q[(uint32_t)w->id % nic->nq];
	int n;

	n = chain_output(w, ch, ip, len, w->big_out, XS_BIG_CAP, why);
	if (n <= 0)
		return n;
	if (tx_fragments(w, out, l2, w->big_out, (size_t)n, nic->link.mtu) < 0)
		return 0; /* counted there */
	xs_wcount(w, XS_CNT_tx_frag);
	return n;
}

void xs_path_outbound(struct worker *w, const uint8_t *frame, uint32_t len)
{
	const struct ethhdr *eth = (const void *)frame;
	enum xs_counter why = XS_CNT_drop_malformed;
	const uint8_t *ip = frame + ETH_HLEN;
	size_t iplen = len - ETH_HLEN, overhead;
	struct chain ch = { .n = 1 };
	uint8_t l2[ETH_HLEN];
	struct xs_dev *nic;
	uint32_t slot;
	uint64_t gen;
	struct txf t;
	bool frag;
	int n;

	if (len < ETH_HLEN || eth->h_source[0] != XS_ETH_META_MARK) {
		xs_wcount(w, XS_CNT_drop_malformed);
		return;
	}
	nic = nic_by_slot(w->ws, eth->h_source[1]);
	memcpy(&slot, eth->h_source + 2, 4);
	slot = ntohl(slot);
	ch.slot[0] = slot;
	ch.rt[0] = xs_satab_get(w->ws->cfg.satab, slot, &gen);
	ch.c[0] = ch.rt[0] ? xs_worker_ctx(w, slot, gen, ch.rt[0]) : NULL;
	if (!nic || !ch.c[0]) {
		xs_wcount(w, XS_CNT_drop_no_sa);
		return;
	}
	ip = whole(w, ip, &iplen, &frag);
	if (!ip)
		return;
	if (frag)
		xs_wcount(w, XS_CNT_tx_reasm);
	n = bundle_out(w, ip, iplen, &ch);
	if (n) {
		xs_wcount(w, (enum xs_counter)n);
		return;
	}
	memcpy(l2, eth->h_dest, ETH_ALEN);
	memcpy(l2 + ETH_ALEN, nic->link.mac, ETH_ALEN);
	memcpy(l2 + 2 * ETH_ALEN, &eth->h_proto, 2);
	overhead = chain_overhead(&ch);
	if (iplen + overhead > nic->link.mtu) {
		/* a datagram the stack fragmented itself (we are its source
		 * node) is fragmented again after ESP; a whole one that may
		 * not be fragmented teaches the sender the MTU */
		if (!frag && dont_fragment(ip)) {
			too_big(w, nic, ip, iplen, overhead);
			return;
		}
		n = encrypt_big(w, &ch, nic, l2, ip, iplen, &why);
	} else {
		if (!tx_begin(w, &nic->q[(uint32_t)w->id % nic->nq], &t))
			return;
		n = chain_output(w, &ch, ip, iplen, t.data + ETH_HLEN,
				 XS_XSK_FRAME_SIZE - ETH_HLEN, &why);
		if (n > 0)
			memcpy(t.data, l2, ETH_HLEN);
		tx_end(w, &t, n > 0 ? n + ETH_HLEN : 0);
	}
	if (n <= 0) {
		if (n < 0)
			xs_wcount(w, why);
		return;
	}
	xs_wcount(w, XS_CNT_tx_encrypt);
	sa_count(w, slot, true, (size_t)n);
}
