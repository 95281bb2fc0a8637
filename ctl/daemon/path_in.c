// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Inbound frames: NIC frame -> [reassemble] -> ESP/AH input (bundles:
 * each SA of ours in turn; tunnel: outer header off) -> inbound policy,
 * checked on the inner datagram against the whole decapsulation history,
 * so nested requests such as "esp/transport//require ah/tunnel/a-b/
 * require" are checked in full -> to the stack through the enc pair,
 * marked with its NIC (one frame, or MTU-sized fragments when bigger).
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pfkeyv2.h>
#include <bpf/bpf.h>
#include "natt.h"
#include "path.h"
#include "pkt.h"

/*
 * The decapsulation history of one inbound packet: every SA taken off,
 * outermost first, and whether it removed an outer header.
 */
struct hist {
	int n;
	const struct xs_sa_rt *rt[XS_PATH_BUNDLE_MAX];
	bool tunnel[XS_PATH_BUNDLE_MAX];
};

static bool same_addr(const struct xs_addr *a, const struct xs_addr *b)
{
	return a->family == b->family && !memcmp(a->a, b->a, 16);
}

/* Was request r applied, according to the history? */
static bool req_done(const struct xs_ipsecreq *r, const struct hist *h)
{
	const struct xs_sa_rt *rt;
	uint8_t proto;
	int i;

	for (i = 0; i < h->n; i++) {
		rt = h->rt[i];
		proto = rt->satype == SADB_SATYPE_AH ? IPPROTO_AH : IPPROTO_ESP;
		if (r->proto != proto)
			continue;
		if (r->mode == IPSEC_MODE_TUNNEL && !h->tunnel[i])
			continue;
		if (r->mode == IPSEC_MODE_TRANSPORT && h->tunnel[i])
			continue;
		if (r->mode == IPSEC_MODE_TUNNEL && r->src.family &&
		    (!same_addr(&r->src, &rt->src) ||
		     !same_addr(&r->dst, &rt->dst)))
			continue;
		return true;
	}
	return false;
}

/* Must request r have been applied?  (level default: the deflev knob) */
static bool req_required(const struct xs_ipsecreq *r, uint8_t family,
			 const struct xs_config *c)
{
	bool esp = r->proto == IPPROTO_ESP, net = r->mode == IPSEC_MODE_TUNNEL;
	bool v4 = family == AF_INET;
	uint32_t lev;

	if (r->level != IPSEC_LEVEL_DEFAULT)
		return r->level != IPSEC_LEVEL_USE;
	if (esp)
		lev = net ? (v4 ? c->ip4_esp_net_deflev :
				  c->ip6_esp_net_deflev) :
			    (v4 ? c->ip4_esp_trans_deflev :
				  c->ip6_esp_trans_deflev);
	else
		lev = net ? (v4 ? c->ip4_ah_net_deflev : c->ip6_ah_net_deflev) :
			    (v4 ? c->ip4_ah_trans_deflev :
				  c->ip6_ah_trans_deflev);
	return lev == IPSEC_LEVEL_REQUIRE;
}

/* An ipsec policy accepts the history if every request it requires was
 * applied and at least one of its requests was (RFC 4301 5.2; KAME's
 * ipsec_in_reject, which looks at the outermost header only: here the
 * whole history counts, so AH tunnel and ESP inside AH pass a require
 * policy). */
static bool policy_accepts(const struct xs_spolicy *sp, const struct hist *h,
			   uint8_t family, const struct xs_config *c)
{
	bool any = false, done;
	int i;

	for (i = 0; i < sp->nreq; i++) {
		done = req_done(&sp->req[i], h);
		if (!done && req_required(&sp->req[i], family, c))
			return false;
		any |= done;
	}
	return any;
}

/* XS_ETH_DELIVER_* for what h took off (per-socket policy, cg_skb_in). */
static uint8_t removed(const struct hist *h)
{
	uint8_t bits = XS_ETH_DELIVER_KNOWN;
	int i;

	for (i = 0; i < h->n; i++)
		bits |= h->rt[i]->satype == SADB_SATYPE_AH ? XS_ETH_DELIVER_AH :
							     XS_ETH_DELIVER_ESP;
	return bits;
}

static bool decapsulated(const struct hist *h)
{
	int i;

	for (i = 0; i < h->n; i++)
		if (h->tunnel[i])
			return true;
	return false;
}

/* RFC 4301 5.2: the decrypted packet must be one the inbound policy lets
 * these SAs carry.  A decapsulated (tunnel) packet must match an ipsec
 * policy that accepts the history: with none, or a bypass one, the peer
 * could inject any inner address (KAME's ipsec4_tunnel_validate refuses
 * it too).  A transport-mode packet with no policy goes on: its
 * addresses are the SA's own. */
static bool inbound_allowed(struct worker *w, const struct hist *h,
			    const uint8_t *ip, size_t len)
{
	const struct xs_sa_rt *rt = h->rt[h->n - 1];
	struct xs_workers *ws = w->ws;
	const struct xs_spolicy *sp;
	struct xs_pktsel sel;
	struct xs_pkt p;
	bool ok = true;

	if (xs_pkt_parse(ip, len, &p))
		return false;
	/* transport mode: the addresses are the SA's own */
	if (!h->tunnel[h->n - 1] &&
	    (memcmp(p.src, rt->src.a, 16) || memcmp(p.dst, rt->dst.a, 16)))
		return false;
	xs_pkt_sel(&p, IPSEC_DIR_INBOUND, &sel);
	pthread_rwlock_rdlock(ws->cfg.spd_lock);
	sp = xs_spd_lookup(ws->cfg.spd, &sel);
	if (decapsulated(h) && (!sp || sp->type != IPSEC_POLICY_IPSEC))
		ok = false;
	if (sp && sp->type == IPSEC_POLICY_DISCARD)
		ok = false;
	if (sp && sp->type == IPSEC_POLICY_IPSEC)
		ok = policy_accepts(sp, h, p.family, &xs_path_knobs(w)->cfg);
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
 * require ah/transport//require", or ESP inside an AH tunnel), take that
 * one off too, up to XS_PATH_BUNDLE_MAX levels; h records each.  Only looked for
 * while AH SAs exist: plain ESP pays nothing.
 */
static __thread uint8_t bundle_buf[XS_BIG_CAP];

static int bundle_input(struct worker *w, struct xs_esp_ctx *c,
			struct xs_sa_rt *rt, const uint8_t *ip, size_t len,
			uint8_t *out, size_t cap, struct hist *h,
			enum xs_counter *why)
{
	struct xs_sa_rt *rt2;
	struct xs_esp_ctx *c2;
	uint32_t slot2;
	uint64_t gen;
	int n;

	h->n = 1;
	h->rt[0] = rt;
	n = xs_path_sa_input(w, c, rt, ip, len, out, cap, &h->tunnel[0], why);
	while (n > 0 && h->n < XS_PATH_BUNDLE_MAX && xs_sa_rt_ah_live()) {
		slot2 = sa_by_spi(w, out, (size_t)n);
		rt2 = xs_satab_get(w->ws->cfg.satab, slot2, &gen);
		c2 = rt2 ? xs_worker_ctx(w, slot2, gen, rt2) : NULL;
		if (!c2)
			break; /* not ours: the policy check decides */
		memcpy(bundle_buf, out, (size_t)n);
		h->rt[h->n] = rt2;
		n = xs_path_sa_input(w, c2, rt2, bundle_buf, (size_t)n, out,
				     cap, &h->tunnel[h->n], why);
		h->n++;
		if (n > 0)
			xs_path_sa_count(w, rt2, false, (size_t)n);
	}
	return n;
}

/* After the SAs: the transport-mode checksum fix-up behind a NAT and
 * the inbound policy.  n: bundle_input's result; returns the length to
 * deliver, or <= 0 with *why set. */
static int finish(struct worker *w, const struct hist *h, uint8_t *pkt, int n,
		  enum xs_counter *why)
{
	if (n <= 0)
		return n;
	if (h->rt[0]->natt_type && !h->tunnel[h->n - 1])
		xs_natt_fix_csum(pkt, (size_t)n);
	if (!inbound_allowed(w, h, pkt, (size_t)n)) {
		*why = XS_CNT_drop_selector;
		return -EACCES;
	}
	return n;
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
	bool frag, natt = false;
	struct hist h;
	uint64_t gen;
	struct xs_txf t;
	int n;

	if (len < ETH_HLEN || m->magic != XS_META_MAGIC ||
	    (eth->h_proto != htons(ETH_P_IP) &&
	     eth->h_proto != htons(ETH_P_IPV6))) {
		xs_wcount(w, XS_CNT_drop_unsupported); /* e.g. VLAN tags */
		return;
	}
	if (iplen >= 20 && ip[ip[0] >> 4 == 4 ? 9 : 6] == IPPROTO_UDP) {
		/* ESP in UDP (xdp_ingress checked the port and the
		 * marker): the frame is ours until released, strip in place */
		ip = xs_natt_strip((uint8_t *)ip, &iplen, &why);
		if (!ip) {
			xs_wcount(w, why);
			return;
		}
		natt = true;
	}
	if (slot == XS_SLOT_NONE) {
		ip = xs_path_whole(w, ip, &iplen, &frag);
		if (!ip)
			return;
		if (frag)
			xs_wcount(w, XS_CNT_rx_reasm);
		slot = sa_by_spi(w, ip, iplen);
	}
	rt = xs_satab_get(w->ws->cfg.satab, slot, &gen);
	c = rt ? xs_worker_ctx(w, slot, gen, rt) : NULL;
	if (!c || natt != (rt->natt_type != 0)) {
		xs_wcount(w, slot == XS_SLOT_NONE ? XS_CNT_drop_unknown_spi :
						    XS_CNT_drop_no_sa);
		return;
	}
	if (iplen <= nic->link.mtu) {
		/* the common case: decrypt straight into the TX frame (the
		 * result is shorter, so it fits the enc pair's MTU too) */
		if (!xs_path_tx_begin(w, xs_path_handoff_q(w), &t))
			return;
		n = bundle_input(w, c, rt, ip, iplen, t.data + ETH_HLEN,
				 XS_XSK_FRAME_SIZE - ETH_HLEN, &h, &why);
		n = finish(w, &h, t.data + ETH_HLEN, n, &why);
		if (n > 0)
			xs_path_deliver_l2(t.data, nic, t.data[ETH_HLEN],
					   removed(&h));
		xs_path_tx_end(w, &t, n > 0 ? n + ETH_HLEN : 0);
	} else {
		n = bundle_input(w, c, rt, ip, iplen, w->big_out, XS_BIG_CAP,
				 &h, &why);
		n = finish(w, &h, w->big_out, n, &why);
		if (n > 0) {
			/* the enc pair carries at most the MTU: the stack
			 * reassembles what does not fit */
			xs_path_deliver_l2(l2, nic, w->big_out[0], removed(&h));
			if (xs_path_tx_fragments(w, xs_path_handoff_q(w), l2,
						 w->big_out, (size_t)n,
						 nic->link.mtu) < 0)
				return;
		}
	}
	if (n <= 0) {
		xs_wadd_sa(w, rt->satype, why, 1);
		return;
	}
	if (why == XS_CNT_esn_resync)
		xs_wadd_sa(w, rt->satype, why, 1);
	xs_wadd_sa(w, rt->satype, XS_CNT_rx_decrypt, 1);
	xs_path_sa_count(w, rt, false, (size_t)n);
}
