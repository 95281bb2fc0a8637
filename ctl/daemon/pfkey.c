// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * PF_KEY v2 request dispatcher: decode one request (pfkey_msg.h), apply it
 * to the SADB or SPD, and send the replies and broadcasts of Linux af_key.
 *
 * Decisions (see pfkey.h for the delivery rules):
 *  - Promiscuous peers get a copy of every well-framed request before it is
 *    handled, with KEY_* extensions stripped (nothing here ever sends key
 *    material).  The X_PROMISC reply itself goes to the sender only.
 *  - A broadcast also reaches the sender when foreach_peer does not list it
 *    (an internal peer such as the -f loader).
 *  - SA messages need satype AH or ESP (UNSPEC or out of range: EINVAL, a
 *    valid satype we do not run: EOPNOTSUPP); FLUSH, DUMP and REGISTER also
 *    take UNSPEC.  REGISTER with UNSPEC registers nothing (Linux), it only
 *    answers with the supported algorithms.  SPD messages ignore satype and
 *    their successful replies carry UNSPEC, as KAME clients require.
 *    SPDSETIDX is an SPDADD (Linux af_key).
 *  - Policy lifetimes as KAME: SPDADD/SPDUPDATE take LIFETIME_HARD
 *    (addtime: lifetime, usetime: valid time; LIFETIME_SOFT is ignored),
 *    the replies, SPDGET and SPDDUMP carry LIFETIME_CURRENT and (when set)
 *    LIFETIME_HARD.  An expired policy goes with SADB_X_SPDEXPIRE
 *    <base, address(SD), X_POLICY, lifetime(C, H)>, satype/seq/pid 0, to
 *    every registered socket (any satype) and the promiscuous ones
 *    (KAME's KEY_SENDUP_REGISTERED, Linux's BROADCAST_REGISTERED).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "../lib/alg.h"
#include "../lib/pfkey_msg.h"
#include "../lib/pfkey_acquire.h"
#include "pfkey.h"
#include "../lib/log.h"

#define ACQ_RING 64

struct xs_pfkey {
	struct xs_sadb *sadb;
	struct xs_spd *spd;
	const struct xs_pfkey_ops *ops;
	void *ctx;
	uint32_t acquire_seq;
	/* the last ACQUIREs sent: seq -> policy id, for a key manager's
	 * failure notice (do_acquire) */
	struct {
		uint32_t seq, policy_id;
	} acq[ACQ_RING];
	uint32_t acq_next;
	struct xs_msgbuf out;
	uint8_t buf[XS_PFKEY_MSG_MAX];
};

/* One request being handled. */
struct req {
	struct xs_pfkey *pk;
	struct xs_pfkey_peer *from;
	const struct xs_pfkey_msg *m;
	const struct sadb_msg *h;
};

enum dest { TO_SENDER, TO_ALL };

struct xs_pfkey *xs_pfkey_new(struct xs_sadb *sadb, struct xs_spd *spd,
			      const struct xs_pfkey_ops *ops, void *ctx)
{
	struct xs_pfkey *pk = calloc(1, sizeof(*pk));

	if (!pk)
		return NULL;
	pk->sadb = sadb;
	pk->spd = spd;
	pk->ops = ops;
	pk->ctx = ctx;
	xs_msgbuf_init(&pk->out, pk->buf, sizeof(pk->buf));
	return pk;
}

void xs_pfkey_free(struct xs_pfkey *pk)
{
	if (!pk)
		return;
	OPENSSL_cleanse(pk->buf, sizeof(pk->buf));
	free(pk);
}

/* ----------------------------------------------------------- delivery */

struct bcast {
	struct xs_pfkey *pk;
	struct xs_pfkey_peer *from;
	const void *msg;
	size_t len;
	bool promisc_only;
	bool saw_from;
};

static int bcast_one(struct xs_pfkey_peer *p, void *arg)
{
	struct bcast *bc = arg;

	if (p == bc->from)
		bc->saw_from = true;
	if (!bc->promisc_only || p->promisc)
		bc->pk->ops->send(bc->pk->ctx, p, bc->msg, bc->len);
	return 0;
}

static void broadcast(struct xs_pfkey *pk, struct xs_pfkey_peer *from,
		      const void *msg, size_t len, bool promisc_only)
{
	struct bcast bc = { pk, from, msg, len, promisc_only, false };

	pk->ops->foreach_peer(pk->ctx, bcast_one, &bc);
	if (!promisc_only && !bc.saw_from)
		pk->ops->send(pk->ctx, from, msg, len);
}

/* Finish pk->out and send it. */
static int deliver(struct req *r, enum dest d)
{
	struct xs_pfkey *pk = r->pk;
	int len = xs_pfkey_end(&pk->out);

	if (len < 0)
		return len;
	if (d == TO_SENDER)
		pk->ops->send(pk->ctx, r->from, pk->buf, (size_t)len);
	else
		broadcast(pk, r->from, pk->buf, (size_t)len, false);
	return 0;
}

/* Start a reply echoing the request's type, seq and pid. */
static void begin_reply(struct req *r, uint8_t satype)
{
	xs_pfkey_begin(&r->pk->out, r->h->sadb_msg_type, satype,
		       r->h->sadb_msg_seq, r->h->sadb_msg_pid);
}

/* Error reply to the sender: the request's header, no extensions. */
static void send_error(struct xs_pfkey *pk, struct xs_pfkey_peer *from,
		       const void *msg, size_t len, int err)
{
	struct sadb_msg h;

	memset(&h, 0, sizeof(h));
	memcpy(&h, msg, len < sizeof(h) ? len : sizeof(h));
	h.sadb_msg_version = PF_KEY_V2;
	h.sadb_msg_errno = (uint8_t)(-err > UINT8_MAX ? UINT8_MAX : -err);
	h.sadb_msg_len = sizeof(h) / 8;
	h.sadb_msg_reserved = 0;
	pk->ops->send(pk->ctx, from, &h, sizeof(h));
}

/* The request minus KEY_* extensions, to the promiscuous peers. */
static void send_promisc(struct req *r)
{
	struct xs_pfkey *pk = r->pk;
	size_t len = sizeof(struct sadb_msg), n;
	struct sadb_msg *h = (void *)pk->buf;
	unsigned int t;

	memcpy(pk->buf, r->h, len);
	for (t = 1; t <= XS_SADB_EXT_MAX; t++) {
		if (!r->m->ext[t] || t == SADB_EXT_KEY_AUTH ||
		    t == SADB_EXT_KEY_ENCRYPT)
			continue;
		n = (size_t)r->m->ext[t]->sadb_ext_len * 8;
		if (n > sizeof(pk->buf) - len)
			return;
		memcpy(pk->buf + len, r->m->ext[t], n);
		len += n;
	}
	h->sadb_msg_len = (uint16_t)(len / 8);
	broadcast(pk, r->from, pk->buf, len, true);
}

/* ------------------------------------------------------------- checks */

static bool has(const struct req *r, unsigned int type)
{
	return r->m->ext[type] != NULL;
}

/* A concrete SA type we run: AH or ESP. */
static int satype_sa(uint8_t t)
{
	if (t == SADB_SATYPE_AH || t == SADB_SATYPE_ESP)
		return 0;
	if (t == SADB_SATYPE_UNSPEC || t > SADB_SATYPE_MAX)
		return -EINVAL;
	return -EOPNOTSUPP;
}

static int satype_any(uint8_t t)
{
	return t == SADB_SATYPE_UNSPEC ? 0 : satype_sa(t);
}

/* SA, ADDRESS_SRC and ADDRESS_DST present, satype AH or ESP. */
static int need_sa_id(const struct req *r)
{
	int err = satype_sa(r->h->sadb_msg_satype);

	if (err)
		return err;
	if (!has(r, SADB_EXT_SA) || !has(r, SADB_EXT_ADDRESS_SRC) ||
	    !has(r, SADB_EXT_ADDRESS_DST))
		return -EINVAL;
	return 0;
}

static bool key_missing(const struct req *r, enum xs_alg_kind kind, uint8_t id,
			unsigned int keyext)
{
	const struct xs_alg *a = xs_alg_by_id(kind, id);

	return !a || (a->key_min && !has(r, keyext));
}

/* What ADD/UPDATE need beyond the codec's per-algorithm checks. */
static int check_sa_algs(const struct req *r, const struct xs_sa *sa)
{
	const struct xs_alg *enc;

	if (sa->satype == SADB_SATYPE_AH) {
		if (!sa->auth_alg || sa->enc_alg ||
		    has(r, SADB_EXT_KEY_ENCRYPT))
			return -EINVAL;
	} else {
		enc = xs_alg_by_id(XS_ALG_ENC, sa->enc_alg);
		if (!sa->enc_alg || !enc ||
		    key_missing(r, XS_ALG_ENC, sa->enc_alg,
				SADB_EXT_KEY_ENCRYPT))
			return -EINVAL;
		if (enc->aead && sa->auth_alg)
			return -EINVAL;
	}
	if (sa->auth_alg &&
	    key_missing(r, XS_ALG_AUTH, sa->auth_alg, SADB_EXT_KEY_AUTH))
		return -EINVAL;
	return 0;
}

/* ---------------------------------------------------------------- SAs */

/* Start a reply describing the stored SA matching sa (never its keys). */
static int begin_sa_reply(struct req *r, const struct xs_sa *sa,
			  unsigned int flags)
{
	struct xs_sa cur;
	int err;

	err = xs_sadb_get(r->pk->sadb, sa->satype, sa->spi, &sa->src, &sa->dst,
			  &cur);
	if (!err) {
		begin_reply(r, r->h->sadb_msg_satype);
		xs_pfkey_put_sa(&r->pk->out, &cur, flags & ~XS_PFKEY_SA_KEYS);
	}
	xs_sa_wipe(&cur);
	return err;
}

static int sa_add(struct req *r, struct xs_sa *sa)
{
	const unsigned int fl = XS_PFKEY_SA_ALGS | XS_PFKEY_SA_LIFETIMES;
	int err;

	err = check_sa_algs(r, sa);
	if (err)
		return err;
	sa->state = SADB_SASTATE_MATURE;
	err = xs_sadb_add(r->pk->sadb, sa, r->h->sadb_msg_type == SADB_UPDATE);
	if (err)
		return err;
	if (begin_sa_reply(r, sa, fl)) {
		begin_reply(r, r->h->sadb_msg_satype);
		xs_pfkey_put_sa(&r->pk->out, sa, fl);
	}
	return deliver(r, TO_ALL);
}

static int sa_delete(struct req *r, struct xs_sa *sa)
{
	int err;

	err = begin_sa_reply(r, sa, XS_PFKEY_SA_ALGS);
	if (err)
		return err;
	err = xs_sadb_delete(r->pk->sadb, sa->satype, sa->spi, &sa->src,
			     &sa->dst);
	if (err)
		return err;
	return deliver(r, TO_ALL);
}

static int sa_get(struct req *r, struct xs_sa *sa)
{
	int err;

	err = begin_sa_reply(r, sa, XS_PFKEY_SA_ALGS | XS_PFKEY_SA_LIFETIMES);
	if (err)
		return err;
	return deliver(r, TO_SENDER);
}

/* Decode the request's SA, run fn, wipe the decoded keys on every path. */
static int with_sa(struct req *r, int (*fn)(struct req *, struct xs_sa *))
{
	struct xs_sa sa;
	int err;

	err = need_sa_id(r);
	if (err)
		return err;
	err = xs_pfkey_get_sa(r->m, &sa);
	if (!err)
		err = fn(r, &sa);
	xs_sa_wipe(&sa);
	return err;
}

static int do_add(struct req *r)
{
	return with_sa(r, sa_add);
}

static int do_delete(struct req *r)
{
	return with_sa(r, sa_delete);
}

static int do_get(struct req *r)
{
	return with_sa(r, sa_get);
}

/* GETSPI <base, address(SD), [SPIRANGE], [X_SA2]>: a larval SA; the
 * reply <base, SA, X_SA2, address(SD)> goes to the sender (Linux). */
static int do_getspi(struct req *r)
{
	const struct sadb_spirange *sr =
		(const void *)r->m->ext[SADB_EXT_SPIRANGE];
	uint32_t min = XS_SADB_SPI_MIN, max = XS_PFKEY_SPI_MAX;
	struct xs_sa sa;
	int err;

	err = satype_sa(r->h->sadb_msg_satype);
	if (err)
		return err;
	if (!has(r, SADB_EXT_ADDRESS_SRC) || !has(r, SADB_EXT_ADDRESS_DST) ||
	    has(r, SADB_EXT_KEY_AUTH) || has(r, SADB_EXT_KEY_ENCRYPT))
		return -EINVAL;
	if (sr) {
		min = sr->sadb_spirange_min;
		max = sr->sadb_spirange_max;
	}
	err = xs_pfkey_get_sa(r->m, &sa);
	if (err)
		return err;
	err = xs_sadb_getspi(r->pk->sadb, &sa, min, max);
	if (!err) {
		begin_reply(r, r->h->sadb_msg_satype);
		xs_pfkey_put_sa(&r->pk->out, &sa, XS_PFKEY_SA_LIFETIMES);
		err = deliver(r, TO_SENDER);
	}
	xs_sa_wipe(&sa);
	return err;
}

static int do_flush(struct req *r)
{
	int err = satype_any(r->h->sadb_msg_satype);

	if (err)
		return err;
	xs_sadb_flush(r->pk->sadb, r->h->sadb_msg_satype);
	begin_reply(r, r->h->sadb_msg_satype);
	return deliver(r, TO_ALL);
}

struct dump {
	struct req *r;
	size_t left; /* entries still to send; the last goes out with seq 0 */
};

static int dump_sa_one(const struct xs_sa *sa, uint32_t slot, void *arg)
{
	struct dump *d = arg;
	const struct sadb_msg *h = d->r->h;

	if (!d->left)
		return 1;
	d->left--;
	xs_pfkey_begin(&d->r->pk->out, SADB_DUMP, sa->satype, (uint32_t)d->left,
		       h->sadb_msg_pid);
	xs_pfkey_put_sa(&d->r->pk->out, sa,
			XS_PFKEY_SA_ALGS | XS_PFKEY_SA_LIFETIMES);
	deliver(d->r, TO_SENDER);
	return 0;
}

static int do_dump(struct req *r)
{
	uint8_t satype = r->h->sadb_msg_satype;
	struct dump d = { r, 0 };
	int err = satype_any(satype);

	if (err)
		return err;
	d.left = xs_sadb_count(r->pk->sadb, satype);
	if (!d.left)
		return -ENOENT;
	xs_sadb_foreach(r->pk->sadb, satype, dump_sa_one, &d);
	return 0;
}

static int do_register(struct req *r)
{
	uint8_t satype = r->h->sadb_msg_satype;
	int err = satype_any(satype);

	if (err)
		return err;
	if (satype != SADB_SATYPE_UNSPEC)
		r->from->registered |= 1u << satype;
	begin_reply(r, satype);
	xs_pfkey_put_supported(&r->pk->out);
	return deliver(r, TO_SENDER);
}

static int do_promisc(struct req *r)
{
	r->from->promisc = r->h->sadb_msg_satype != 0;
	begin_reply(r, r->h->sadb_msg_satype);
	return deliver(r, TO_SENDER);
}

/* ----------------------------------------------------------- policies */

static int reply_policy(struct req *r, const struct xs_spolicy *sp, enum dest d)
{
	begin_reply(r, SADB_SATYPE_UNSPEC);
	xs_pfkey_put_policy(&r->pk->out, sp);
	return deliver(r, d);
}

/* Decode a policy; with_sel: the selector and a valid dir are needed. */
static int get_policy(struct req *r, struct xs_spolicy *sp, bool with_sel)
{
	int err;

	if (!has(r, SADB_X_EXT_POLICY))
		return -EINVAL;
	if (with_sel &&
	    (!has(r, SADB_EXT_ADDRESS_SRC) || !has(r, SADB_EXT_ADDRESS_DST)))
		return -EINVAL;
	err = xs_pfkey_get_policy(r->m, sp);
	if (err)
		return err;
	if (with_sel &&
	    (sp->dir < IPSEC_DIR_INBOUND || sp->dir > IPSEC_DIR_FWD))
		return -EINVAL;
	return 0;
}

static int do_spdadd(struct req *r)
{
	struct xs_spolicy sp;
	int err;

	err = get_policy(r, &sp, true);
	if (err)
		return err;
	if (sp.type > IPSEC_POLICY_BYPASS)
		return -EINVAL;
	sp.id = 0;
	sp.addtime = 0;
	sp.usetime = 0;
	err = xs_spd_add(r->pk->spd, &sp,
			 r->h->sadb_msg_type == SADB_X_SPDUPDATE);
	if (err)
		return err;
	return reply_policy(r, &sp, TO_ALL);
}

static int do_spddelete(struct req *r)
{
	struct xs_spolicy sp, out;
	int err;

	err = get_policy(r, &sp, true);
	if (err)
		return err;
	err = xs_spd_delete(r->pk->spd, &sp.sel, sp.dir, &out);
	if (err)
		return err;
	return reply_policy(r, &out, TO_ALL);
}

static int do_spddelete2(struct req *r)
{
	struct xs_spolicy sp, out;
	int err;

	err = get_policy(r, &sp, false);
	if (err)
		return err;
	err = xs_spd_delete_id(r->pk->spd, sp.id, &out);
	if (err)
		return err;
	return reply_policy(r, &out, TO_ALL);
}

static int do_spdget(struct req *r)
{
	struct xs_spolicy sp, out;
	int err;

	err = get_policy(r, &sp, false);
	if (err)
		return err;
	err = xs_spd_get_id(r->pk->spd, sp.id, &out);
	if (err)
		return err;
	return reply_policy(r, &out, TO_SENDER);
}

static int do_spdflush(struct req *r)
{
	xs_spd_flush(r->pk->spd);
	begin_reply(r, SADB_SATYPE_UNSPEC);
	return deliver(r, TO_ALL);
}

static int dump_sp_one(const struct xs_spolicy *sp, void *arg)
{
	struct dump *d = arg;

	if (!d->left)
		return 1;
	d->left--;
	xs_pfkey_begin(&d->r->pk->out, SADB_X_SPDDUMP, SADB_SATYPE_UNSPEC,
		       (uint32_t)d->left, d->r->h->sadb_msg_pid);
	xs_pfkey_put_policy(&d->r->pk->out, sp);
	deliver(d->r, TO_SENDER);
	return 0;
}

static int do_spddump(struct req *r)
{
	struct dump d = { r, xs_spd_count(r->pk->spd) };

	if (!d.left)
		return -ENOENT;
	xs_spd_foreach(r->pk->spd, dump_sp_one, &d);
	return 0;
}

/* ----------------------------------------------------------- expiry */

struct regcast {
	struct xs_pfkey *pk;
	const void *msg;
	size_t len;
	uint8_t satype;
};

static int regcast_one(struct xs_pfkey_peer *p, void *arg)
{
	struct regcast *rc = arg;
	uint32_t want = rc->satype ? 1u << rc->satype : UINT32_MAX;

	if (p->promisc || (p->registered & want))
		rc->pk->ops->send(rc->pk->ctx, p, rc->msg, rc->len);
	return 0;
}

/* Send the len bytes of pk->buf to the sockets registered for satype (for
 * SADB_SATYPE_UNSPEC: for any) and the promiscuous ones. */
static void send_registered(struct xs_pfkey *pk, uint8_t satype, int len)
{
	struct regcast rc = { pk, pk->buf, (size_t)len, satype };

	if (len > 0)
		pk->ops->foreach_peer(pk->ctx, regcast_one, &rc);
}

/* SADB_EXPIRE <base, SA, X_SA2, address(SD), lifetime(C, H|S)>. */
static void expire_one(void *arg, const struct xs_sa *sa, bool hard)
{
	struct xs_pfkey *pk = arg;

	xs_pfkey_begin(&pk->out, SADB_EXPIRE, sa->satype, 0, 0);
	xs_pfkey_put_sa(&pk->out, sa, XS_PFKEY_SA_ALGS);
	xs_pfkey_put_lifetime(&pk->out, SADB_EXT_LIFETIME_CURRENT, &sa->cur);
	if (hard)
		xs_pfkey_put_lifetime(&pk->out, SADB_EXT_LIFETIME_HARD,
				      &sa->hard);
	else
		xs_pfkey_put_lifetime(&pk->out, SADB_EXT_LIFETIME_SOFT,
				      &sa->soft);
	send_registered(pk, sa->satype, xs_pfkey_end(&pk->out));
}

int xs_pfkey_expire(struct xs_pfkey *pk)
{
	return xs_sadb_expire(pk->sadb, expire_one, pk);
}

/* SADB_X_SPDEXPIRE <base, address(SD), X_POLICY, lifetime(C, H)>. */
static void spdexpire_one(void *arg, const struct xs_spolicy *sp)
{
	struct xs_pfkey *pk = arg;

	xs_pfkey_begin(&pk->out, SADB_X_SPDEXPIRE, SADB_SATYPE_UNSPEC, 0, 0);
	xs_pfkey_put_policy(&pk->out, sp);
	send_registered(pk, SADB_SATYPE_UNSPEC, xs_pfkey_end(&pk->out));
}

int xs_pfkey_spd_expire(struct xs_pfkey *pk)
{
	return xs_spd_expire(pk->spd, spdexpire_one, pk);
}

int xs_pfkey_acquire(struct xs_pfkey *pk, const struct xs_acquire_ev *ev)
{
	struct xs_spolicy sp;
	int len;

	len = xs_spd_get_id(pk->spd, ev->policy_id, &sp);
	if (len) /* removed since */
		return len;
	len = xs_acquire_build(&pk->out, ev, &sp, ++pk->acquire_seq);
	if (len < 0)
		return len;
	pk->acq[pk->acq_next % ACQ_RING].seq = pk->acquire_seq;
	pk->acq[pk->acq_next++ % ACQ_RING].policy_id = ev->policy_id;
	send_registered(pk, xs_acquire_satype(ev), len);
	return 0;
}

/*
 * SADB_ACQUIRE from a key manager: RFC 2367 3.1.6's failure notice, a bare
 * header with the seq of our ACQUIRE and sadb_msg_errno set.  Noted (the
 * datapath asks again at its next rate-limited ACQUIRE), no reply, as
 * Linux af_key and KAME key_acquire2 do.  Anything else is EINVAL: the
 * userland-initiated ACQUIRE of KAME is not supported.
 */
static int do_acquire(struct req *r)
{
	const struct xs_pfkey *pk = r->pk;
	uint32_t i;

	if (!r->h->sadb_msg_errno || !r->h->sadb_msg_seq ||
	    r->m->len != sizeof(struct sadb_msg))
		return -EINVAL;
	for (i = 0; i < ACQ_RING; i++)
		if (pk->acq[i].seq == r->h->sadb_msg_seq)
			break;
	if (i == ACQ_RING)
		xs_log_info("key manager: ACQUIRE seq %u failed (errno %u), "
			    "not one of ours",
			    r->h->sadb_msg_seq, r->h->sadb_msg_errno);
	else
		xs_log_info("key manager: ACQUIRE seq %u for policy %u "
			    "failed (errno %u)",
			    r->h->sadb_msg_seq, pk->acq[i].policy_id,
			    r->h->sadb_msg_errno);
	return 0;
}

/* ----------------------------------------------------------- dispatch */

static int (*const handlers[SADB_MAX + 1])(struct req *) = {
	[SADB_GETSPI] = do_getspi,
	[SADB_UPDATE] = do_add,
	[SADB_ADD] = do_add,
	[SADB_DELETE] = do_delete,
	[SADB_GET] = do_get,
	[SADB_ACQUIRE] = do_acquire,
	[SADB_REGISTER] = do_register,
	[SADB_FLUSH] = do_flush,
	[SADB_DUMP] = do_dump,
	[SADB_X_PROMISC] = do_promisc,
	[SADB_X_SPDUPDATE] = do_spdadd,
	[SADB_X_SPDADD] = do_spdadd,
	[SADB_X_SPDSETIDX] = do_spdadd, /* as Linux: an SPDADD */
	[SADB_X_SPDDELETE] = do_spddelete,
	[SADB_X_SPDGET] = do_spdget,
	[SADB_X_SPDDUMP] = do_spddump,
	[SADB_X_SPDFLUSH] = do_spdflush,
	[SADB_X_SPDDELETE2] = do_spddelete2,
};

int xs_pfkey_handle(struct xs_pfkey *pk, struct xs_pfkey_peer *from,
		    const void *msg, size_t len)
{
	struct xs_pfkey_msg m;
	struct req r = { pk, from, &m, NULL };
	int err;

	err = xs_pfkey_parse(msg, len, &m);
	if (!err) {
		r.h = m.hdr;
		send_promisc(&r);
		err = handlers[m.hdr->sadb_msg_type] ?
			      handlers[m.hdr->sadb_msg_type](&r) :
			      -EOPNOTSUPP;
	}
	if (!r.h) /* framing refused: nothing more to say about it */
		xs_log_debug("pfkey: a malformed message of %zu bytes", len);
	else
		xs_log_debug("pfkey: type %u satype %u seq %u pid %u: %s",
			     r.h->sadb_msg_type, r.h->sadb_msg_satype,
			     r.h->sadb_msg_seq, r.h->sadb_msg_pid,
			     err ? strerror(-err) : "done");
	if (err)
		send_error(pk, from, msg, len, err);
	return err;
}
