// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * PF_KEY policies: the X_POLICY extension (ipsec requests, tunnel
 * endpoints) and the selector in the address extensions, both ways.  Part
 * of the codec of pfkey_msg.c (the rules are in pfkey_msg.h and at the
 * top of pfkey_msg.c), apart so that each file stays one concern.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "pfkey_int.h"

static int get_selector(const struct xs_pfkey_msg *m, struct xs_selector *sel)
{
	const struct sadb_ext *s = m->ext[SADB_EXT_ADDRESS_SRC];
	const struct sadb_ext *d = m->ext[SADB_EXT_ADDRESS_DST];
	uint8_t sp = IPSEC_ULPROTO_ANY, dp = IPSEC_ULPROTO_ANY;
	int err;

	if (s) {
		err = xs_pfkey_get_address(s, &sel->src, &sp);
		if (err)
			return err;
	}
	if (d) {
		err = xs_pfkey_get_address(d, &sel->dst, &dp);
		if (err)
			return err;
	}
	if (s && d && (sel->src.family != sel->dst.family || sp != dp))
		return -EINVAL;
	sel->proto = s ? sp : dp;
	return 0;
}

/* Tunnel endpoints: two sockaddrs of one family filling the request. */
static int get_endpoints(const uint8_t *p, size_t room, struct xs_ipsecreq *r)
{
	int n, k;

	n = xs_pfkey_sockaddr_get(p, room, &r->src);
	if (n < 0)
		return n;
	k = xs_pfkey_sockaddr_get(p + n, room - (size_t)n, &r->dst);
	if (k < 0)
		return k;
	if (r->src.family != r->dst.family || room - (size_t)(n + k) > 7)
		return -EINVAL;
	r->src.port = 0;
	r->dst.port = 0;
	return 0;
}

/* One sadb_x_ipsecrequest; returns its length in bytes. */
static int get_request(const uint8_t *p, size_t room, struct xs_ipsecreq *r)
{
	struct sadb_x_ipsecrequest rq;
	size_t len;
	int err;

	if (room < sizeof(rq))
		return -EINVAL;
	memcpy(&rq, p, sizeof(rq));
	len = rq.sadb_x_ipsecrequest_len;
	if (len < sizeof(rq) || len > room)
		return -EINVAL;
	if (rq.sadb_x_ipsecrequest_proto != IPPROTO_ESP &&
	    rq.sadb_x_ipsecrequest_proto != IPPROTO_AH &&
	    rq.sadb_x_ipsecrequest_proto != IPPROTO_COMP)
		return -EINVAL;
	if (rq.sadb_x_ipsecrequest_mode > IPSEC_MODE_TUNNEL ||
	    rq.sadb_x_ipsecrequest_level > IPSEC_LEVEL_UNIQUE)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->proto = (uint8_t)rq.sadb_x_ipsecrequest_proto;
	r->mode = rq.sadb_x_ipsecrequest_mode;
	r->level = rq.sadb_x_ipsecrequest_level;
	r->reqid = rq.sadb_x_ipsecrequest_reqid;
	if (r->mode == IPSEC_MODE_TUNNEL) {
		err = get_endpoints(p + sizeof(rq), len - sizeof(rq), r);
		if (err)
			return err;
	}
	return (int)len;
}

static int get_policy_ext(const struct sadb_ext *e, struct xs_spolicy *sp)
{
	const struct sadb_x_policy *x = (const void *)e;
	const uint8_t *p = (const uint8_t *)e;
	size_t len = xs_pfkey_ext_bytes(e), off;
	int n;

	if (x->sadb_x_policy_type > UINT8_MAX)
		return -EINVAL;
	sp->type = (uint8_t)x->sadb_x_policy_type;
	sp->dir = x->sadb_x_policy_dir;
	sp->id = x->sadb_x_policy_id;
	sp->priority = x->sadb_x_policy_priority;
	for (off = sizeof(*x); off < len; off += (size_t)n) {
		if (sp->nreq >= XS_MAX_TMPL)
			return -EINVAL;
		n = get_request(p + off, len - off, &sp->req[sp->nreq]);
		if (n < 0)
			return n;
		sp->nreq++;
	}
	return 0;
}

int xs_pfkey_get_policy_ext(const void *ext, size_t len, struct xs_spolicy *sp)
{
	const struct sadb_ext *e = ext;

	if (len < sizeof(struct sadb_x_policy) ||
	    (size_t)e->sadb_ext_len * 8 != len ||
	    e->sadb_ext_type != SADB_X_EXT_POLICY)
		return -EINVAL;
	memset(sp, 0, sizeof(*sp));
	sp->priority = XS_PRIORITY_DEFAULT;
	return get_policy_ext(e, sp);
}

int xs_pfkey_get_policy(const struct xs_pfkey_msg *m, struct xs_spolicy *sp)
{
	const struct sadb_ext *cur = m->ext[SADB_EXT_LIFETIME_CURRENT];
	const struct sadb_ext *hard = m->ext[SADB_EXT_LIFETIME_HARD];
	int err;

	memset(sp, 0, sizeof(*sp));
	sp->seq = m->hdr->sadb_msg_seq;
	sp->pid = m->hdr->sadb_msg_pid;
	sp->priority = XS_PRIORITY_DEFAULT;
	err = get_selector(m, &sp->sel);
	if (err)
		return err;
	if (m->ext[SADB_X_EXT_POLICY]) {
		err = get_policy_ext(m->ext[SADB_X_EXT_POLICY], sp);
		if (err)
			return err;
	}
	if (cur) {
		const struct sadb_lifetime *l = (const void *)cur;

		sp->addtime = l->sadb_lifetime_addtime;
		sp->usetime = l->sadb_lifetime_usetime;
	}
	if (hard) {
		const struct sadb_lifetime *l = (const void *)hard;

		sp->lifetime = l->sadb_lifetime_addtime;
		sp->validtime = l->sadb_lifetime_usetime;
	}
	return 0;
}

static size_t request_len(const struct xs_ipsecreq *r)
{
	if (r->mode != IPSEC_MODE_TUNNEL || !r->src.family)
		return sizeof(struct sadb_x_ipsecrequest);
	return xs_pfkey_align8(sizeof(struct sadb_x_ipsecrequest) +
			       xs_pfkey_sockaddr_len(r->src.family) +
			       xs_pfkey_sockaddr_len(r->dst.family));
}

static void put_request(uint8_t *p, const struct xs_ipsecreq *r)
{
	struct sadb_x_ipsecrequest rq;

	memset(&rq, 0, sizeof(rq));
	rq.sadb_x_ipsecrequest_len = (uint16_t)request_len(r);
	rq.sadb_x_ipsecrequest_proto = r->proto;
	rq.sadb_x_ipsecrequest_mode = r->mode;
	rq.sadb_x_ipsecrequest_level = r->level;
	rq.sadb_x_ipsecrequest_reqid = r->reqid;
	memcpy(p, &rq, sizeof(rq));
	if (rq.sadb_x_ipsecrequest_len == sizeof(rq))
		return;
	p += sizeof(rq);
	xs_pfkey_sockaddr_put(p, &r->src);
	if (xs_pfkey_sockaddr_len(r->dst.family))
		xs_pfkey_sockaddr_put(p + xs_pfkey_sockaddr_len(r->src.family),
				      &r->dst);
}

void xs_pfkey_put_policy_ext(struct xs_msgbuf *b, const struct xs_spolicy *sp)
{
	size_t len = sizeof(struct sadb_x_policy), i;
	unsigned int nreq = sp->nreq < XS_MAX_TMPL ? sp->nreq : XS_MAX_TMPL;
	struct sadb_x_policy *x;
	uint8_t *p;

	for (i = 0; i < nreq; i++)
		len += request_len(&sp->req[i]);
	x = xs_pfkey_put_ext(b, SADB_X_EXT_POLICY, len);
	if (!x)
		return;
	x->sadb_x_policy_type = sp->type;
	x->sadb_x_policy_dir = sp->dir;
	x->sadb_x_policy_id = sp->id;
	x->sadb_x_policy_priority = sp->priority;
	p = (uint8_t *)(x + 1);
	for (i = 0; i < nreq; i++) {
		put_request(p, &sp->req[i]);
		p += request_len(&sp->req[i]);
	}
}

void xs_pfkey_put_policy(struct xs_msgbuf *b, const struct xs_spolicy *sp)
{
	if (sp->sel.src.family)
		xs_pfkey_put_address(b, SADB_EXT_ADDRESS_SRC, &sp->sel.src,
				     sp->sel.proto);
	if (sp->sel.dst.family)
		xs_pfkey_put_address(b, SADB_EXT_ADDRESS_DST, &sp->sel.dst,
				     sp->sel.proto);
	xs_pfkey_put_policy_ext(b, sp);
	if (sp->addtime) {
		struct xs_lifetime cur = { .addtime = sp->addtime,
					   .usetime = sp->usetime };

		xs_pfkey_put_lifetime(b, SADB_EXT_LIFETIME_CURRENT, &cur);
	}
	if (sp->lifetime || sp->validtime) {
		struct xs_lifetime hard = { .addtime = sp->lifetime,
					    .usetime = sp->validtime };

		xs_pfkey_put_lifetime(b, SADB_EXT_LIFETIME_HARD, &hard);
	}
}
