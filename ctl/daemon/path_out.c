// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Outbound frames: hand-off frame -> [transport mode: reassemble, RFC
 * 4303 3.3 protects whole datagrams only; a tunnel carries fragments] ->
 * fits the MTU once encapsulated?  yes: the policy's SAs in order into a
 * NIC TX frame; no, and a whole datagram with DF (or IPv6): ICMP too big
 * to the sender; no, otherwise: tunnel mode and IPv4 fragments the inner
 * datagram before encapsulating (RFC 4301 8.1), else the outer datagram
 * is fragmented after ESP.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pfkeyv2.h>
#include <bpf/bpf.h>
#include "path.h"
#include "pkt.h"

#define IP4_DF 0x4000

static __thread uint8_t bundle_buf[XS_BIG_CAP];

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
	struct xs_txf t;
	int n;

	xs_wcount(w, XS_CNT_drop_too_big);
	mtu &= ~3u; /* ESP pads to 4 bytes: stay below the next step */
	if (!xs_path_tx_begin(w, xs_path_handoff_q(w), &t))
		return;
	n = xs_icmp_too_big(ip, len, mtu, dst, t.data + ETH_HLEN,
			    XS_XSK_FRAME_SIZE - ETH_HLEN);
	if (n > 0) {
		xs_path_deliver_l2(t.data, nic, ip[0], 0);
		xs_wcount(w, XS_CNT_tx_icmp_too_big);
	}
	xs_path_tx_end(w, &t, n > 0 ? n + ETH_HLEN : 0);
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
	uint32_t slot[XS_PATH_BUNDLE_MAX];
	struct xs_sa_rt *rt[XS_PATH_BUNDLE_MAX];
	struct xs_esp_ctx *c[XS_PATH_BUNDLE_MAX];
	bool tunnel[XS_PATH_BUNDLE_MAX]; /* the request is tunnel mode */
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

/* The SA of request r (tun: the last tunnel-mode request before it,
 * whose endpoints a transport-mode r protects, as tc_egress keys it). */
static uint32_t out_slot(struct worker *w, const struct xs_pkt *p,
			 const struct xs_ipsecreq *r,
			 const struct xs_ipsecreq *tun)
{
	struct xs_sa_out_key k;
	struct xs_sa_ref ref;

	const struct xs_ipsecreq *e = r->mode == IPSEC_MODE_TUNNEL ? r : tun;

	memset(&k, 0, sizeof(k));
	k.proto = r->proto;
	k.mode = r->mode;
	if (r->level == IPSEC_LEVEL_UNIQUE)
		k.reqid = r->reqid;
	if (e && e->dst.family) { /* tunnel endpoints */
		k.family = e->dst.family;
		memcpy(k.saddr, e->src.a, 16);
		memcpy(k.daddr, e->dst.a, 16);
	} else {
		k.family = p->family;
		memcpy(k.saddr, p->src, 16);
		memcpy(k.daddr, p->dst, 16);
	}
	if (bpf_map_lookup_elem(w->ws->cfg.dp->sa_out, &k, &ref))
		return XS_SLOT_NONE;
	return ref.slot;
}

/* Appends the SAs after ch->slot[0] to ch; 0, or the drop reason. */
static int bundle_out(struct worker *w, const uint8_t *ip, size_t len,
		      struct chain *ch)
{
	struct xs_ipsecreq req[XS_MAX_TMPL];
	const struct xs_ipsecreq *tun = NULL;
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
		s = out_slot(w, &p, &req[i], tun);
		if (s != XS_SLOT_NONE && req[i].mode == IPSEC_MODE_TUNNEL)
			tun = &req[i];
		if (!after) {
			after = s == ch->slot[0];
			continue;
		}
		if (s == XS_SLOT_NONE && req[i].level == IPSEC_LEVEL_USE)
			continue;
		if (s == XS_SLOT_NONE)
			return XS_CNT_drop_no_sa;
		if (ch->n == XS_PATH_BUNDLE_MAX)
			return XS_CNT_drop_unsupported;
		rt = xs_satab_get(w->ws->cfg.satab, s, &gen);
		c = rt ? xs_worker_ctx(w, s, gen, rt) : NULL;
		if (!c)
			return XS_CNT_drop_no_sa;
		ch->rt[ch->n] = rt;
		ch->c[ch->n] = c;
		ch->tunnel[ch->n] = req[i].mode == IPSEC_MODE_TUNNEL;
		ch->slot[ch->n++] = s;
	}
	return 0;
}

static size_t chain_overhead(const struct chain *ch)
{
	size_t o = 0;
	int i;

	for (i = 0; i < ch->n; i++)
		o += xs_path_sa_overhead(ch->rt[i], ch->tunnel[i]);
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

		n = xs_path_sa_output(w, ch->c[i], ch->rt[i], ch->tunnel[i],
				      i ? bundle_buf : ip, (size_t)n,
				      last ? out : bundle_buf,
				      last ? cap : XS_BIG_CAP, why);
		if (n < 0 && *why == XS_CNT_drop_seq_wrap)
			xs_path_sa_exhausted(w, ch->slot[i]);
		if (n <= 0)
			return n;
		if (i)
			xs_path_sa_count(w, ch->rt[i], true, (size_t)n);
	}
	return n;
}

/* The outer datagram's family can differ from the packet's (tunnel). */
static void set_ethertype(uint8_t *l2, uint8_t ver)
{
	uint16_t proto = htons(ver >> 4 == 6 ? ETH_P_IPV6 : ETH_P_IP);

	memcpy(l2 + 2 * ETH_ALEN, &proto, 2);
}

static int encrypt_big(struct worker *w, const struct chain *ch,
		       const struct xs_dev *nic, uint8_t *l2, const uint8_t *ip,
		       size_t len, enum xs_counter *why)
{
	struct xs_xsk *out = &nic->q[(uint32_t)w->id % nic->nq];
	int n;

	n = chain_output(w, ch, ip, len, w->big_out, XS_BIG_CAP, why);
	if (n <= 0)
		return n;
	set_ethertype(l2, w->big_out[0]);
	if (xs_path_tx_fragments(w, out, l2, w->big_out, (size_t)n,
				 nic->link.mtu) < 0)
		return 0; /* counted there */
	xs_wcount(w, XS_CNT_tx_frag);
	return n;
}

/* One inner fragment through the chain into a TX frame. */
struct tun_frag {
	struct worker *w;
	const struct chain *ch;
	struct xs_xsk *x;
	const uint8_t *l2;
	enum xs_counter *why;
};

static int emit_tun_frag(void *arg, const uint8_t *frag, size_t len)
{
	struct tun_frag *f = arg;
	struct xs_txf t;
	int n;

	if (!xs_path_tx_begin(f->w, f->x, &t))
		return -ENOBUFS;
	n = chain_output(f->w, f->ch, frag, len, t.data + ETH_HLEN,
			 XS_XSK_FRAME_SIZE - ETH_HLEN, f->why);
	if (n > 0) {
		memcpy(t.data, f->l2, ETH_HLEN);
		set_ethertype(t.data, t.data[ETH_HLEN]);
	}
	xs_path_tx_end(f->w, &t, n > 0 ? n + ETH_HLEN : 0);
	if (n <= 0)
		return n < 0 ? n : -EINVAL;
	xs_path_sa_count(f->w, f->ch->rt[0], true, (size_t)n);
	return 0;
}

/*
 * Tunnel mode, an IPv4 datagram that may be fragmented and does not fit:
 * fragment the inner datagram so that each piece fits once encapsulated
 * (RFC 4301 8.1), instead of fragmenting the outer one.  Returns the
 * number of fragments, or -errno with *why set.
 */
static int encrypt_inner_frags(struct worker *w, const struct chain *ch,
			       const struct xs_dev *nic, const uint8_t *l2,
			       const uint8_t *ip, size_t len, size_t overhead,
			       enum xs_counter *why)
{
	struct tun_frag f = { .w = w,
			      .ch = ch,
			      .x = &nic->q[(uint32_t)w->id % nic->nq],
			      .l2 = l2,
			      .why = why };
	int n;

	*why = XS_CNT_drop_too_big;
	n = xs_frag(ip, len, nic->link.mtu - (uint32_t)overhead, 0,
		    emit_tun_frag, &f);
	if (n > 0)
		xs_wcount(w, XS_CNT_tx_frag);
	return n;
}

static bool chain_tunnel(const struct chain *ch)
{
	int i;

	for (i = 0; i < ch->n; i++)
		if (ch->tunnel[i])
			return true;
	return false;
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
	struct xs_txf t;
	bool frag;
	int n;

	if (len < ETH_HLEN || eth->h_source[0] != XS_ETH_META_MARK) {
		xs_wcount(w, XS_CNT_drop_malformed);
		return;
	}
	nic = nic_by_slot(w->ws, eth->h_source[1] & ~XS_ETH_META_TUNNEL);
	memcpy(&slot, eth->h_source + 2, 4);
	slot = ntohl(slot);
	ch.slot[0] = slot;
	ch.rt[0] = xs_satab_get(w->ws->cfg.satab, slot, &gen);
	ch.c[0] = ch.rt[0] ? xs_worker_ctx(w, slot, gen, ch.rt[0]) : NULL;
	if (!nic || !ch.c[0]) {
		xs_wcount(w, XS_CNT_drop_no_sa);
		return;
	}
	ch.tunnel[0] = ch.rt[0]->mode == IPSEC_MODE_TUNNEL ||
		       (ch.rt[0]->mode == IPSEC_MODE_ANY &&
			(eth->h_source[1] & XS_ETH_META_TUNNEL));
	/* transport mode protects whole datagrams only (RFC 4303 3.3);
	 * a tunnel carries fragments as they are (RFC 4301 7) */
	if (ch.tunnel[0]) {
		frag = false;
	} else {
		ip = xs_path_whole(w, ip, &iplen, &frag);
		if (!ip)
			return;
		if (frag)
			xs_wcount(w, XS_CNT_tx_reasm);
	}
	n = bundle_out(w, ip, iplen, &ch);
	if (n) {
		xs_wadd_sa(w, ch.rt[0]->satype, (enum xs_counter)n, 1);
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
		if (chain_tunnel(&ch) && ip[0] >> 4 == 4) {
			n = encrypt_inner_frags(w, &ch, nic, l2, ip, iplen,
						overhead, &why);
			xs_wadd_sa(w, ch.rt[0]->satype,
				   n > 0 ? XS_CNT_tx_encrypt : why, 1);
			return;
		}
		n = encrypt_big(w, &ch, nic, l2, ip, iplen, &why);
	} else {
		if (!xs_path_tx_begin(w, &nic->q[(uint32_t)w->id % nic->nq],
				      &t))
			return;
		n = chain_output(w, &ch, ip, iplen, t.data + ETH_HLEN,
				 XS_XSK_FRAME_SIZE - ETH_HLEN, &why);
		if (n > 0) {
			set_ethertype(l2, t.data[ETH_HLEN]);
			memcpy(t.data, l2, ETH_HLEN);
		}
		xs_path_tx_end(w, &t, n > 0 ? n + ETH_HLEN : 0);
	}
	if (n <= 0) {
		if (n < 0)
			xs_wadd_sa(w, ch.rt[0]->satype, why, 1);
		return;
	}
	xs_wadd_sa(w, ch.rt[0]->satype, XS_CNT_tx_encrypt, 1);
	xs_path_sa_count(w, ch.rt[0], true, (size_t)n);
}
