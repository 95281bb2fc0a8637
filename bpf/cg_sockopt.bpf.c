// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cg_sockopt: the per-socket IPsec options of include/xdpsec/socket.h,
 * taken before the kernel sees them (ctx->optlen = -1) and kept in the
 * sock_policy socket storage (include/xdpsec/xdpsec.h):
 *
 *   IP_IPSEC_POLICY, IPV6_IPSEC_POLICY   KAME X_POLICY buffer, per direction
 *   IP_AUTH_LEVEL .. IPV6_ESP_NETWORK_LEVEL   OpenBSD levels (int)
 *
 * Every other option goes to the kernel untouched.  Errors are returned
 * with bpf_set_retval(): EINVAL for a malformed buffer, a wrong length or
 * an unknown level, EACCES for a non-root process lowering a level.
 * Only sockets of xdpsecd's network namespace are served (netns_cookie,
 * set by the loader; 0 serves every namespace).
 */
#include <linux/errno.h>
#include <linux/in6.h>
#include "lib/config.h"
#include "lib/stats.h"
#include "xdpsec/socket.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 netns_cookie = 0;

#define XS_SOL_IP 0
#define XS_SOL_IPV6 41

enum { OPT_NONE, OPT_POLICY, OPT_LEVEL };

/* Which option this is: OPT_*, with *v6 (IPv6 level) and *sl (XS_SL_*). */
static __always_inline int classify(const struct bpf_sockopt *ctx, __u8 *v6,
				    __u8 *sl)
{
	int base, name = ctx->optname;

	if (ctx->level == XS_SOL_IP) {
		*v6 = 0;
		if (name == IP_IPSEC_POLICY)
			return OPT_POLICY;
		base = IP_AUTH_LEVEL;
	} else if (ctx->level == XS_SOL_IPV6) {
		*v6 = 1;
		if (name == IPV6_IPSEC_POLICY)
			return OPT_POLICY;
		base = IPV6_AUTH_LEVEL;
	} else {
		return OPT_NONE;
	}
	if (name < base || name >= base + XS_SL_MAX)
		return OPT_NONE;
	*sl = (__u8)(name - base); /* AUTH, ESP_TRANS, ESP_NETWORK */
	return OPT_LEVEL;
}

static __always_inline bool our_netns(struct bpf_sockopt *ctx)
{
	return !netns_cookie || bpf_get_netns_cookie(ctx) == netns_cookie;
}

/* The system default of level sl as an OpenBSD level (1 use -> AVAIL,
 * 2 require -> REQUIRE). */
static __always_inline __u8 deflev(const struct xs_config *c, __u8 v6, __u8 sl)
{
	__u32 d;

	if (sl == XS_SL_AUTH)
		d = v6 ? c->ip6_ah_trans_deflev : c->ip4_ah_trans_deflev;
	else if (sl == XS_SL_ESP_TRANS)
		d = v6 ? c->ip6_esp_trans_deflev : c->ip4_esp_trans_deflev;
	else
		d = v6 ? c->ip6_esp_net_deflev : c->ip4_esp_net_deflev;
	return d == IPSEC_LEVEL_REQUIRE ? XS_IPSEC_LEVEL_REQUIRE :
					  XS_IPSEC_LEVEL_AVAIL;
}

/* ------------------------------------------------------------ parsing */

/* Tunnel endpoints after request r: two sockaddr_in (len 48) or two
 * sockaddr_in6 (len 72). */
static __always_inline int parse_tunnel(const __u8 *r, const __u8 *end,
					__u16 len, struct xs_tmpl *t)
{
	__u16 f1, f2;

	if (len == 48) {
		if (r + 48 > end)
			return -EINVAL;
		__builtin_memcpy(&f1, r + 16, 2);
		__builtin_memcpy(&f2, r + 32, 2);
		if (f1 != XS_AF_INET || f2 != XS_AF_INET)
			return -EINVAL;
		__builtin_memcpy(t->saddr, r + 16 + 4, 4);
		__builtin_memcpy(t->daddr, r + 32 + 4, 4);
		t->family = XS_AF_INET;
		return 0;
	}
	if (len != 72 || r + 72 > end)
		return -EINVAL;
	__builtin_memcpy(&f1, r + 16, 2);
	__builtin_memcpy(&f2, r + 44, 2);
	if (f1 != XS_AF_INET6 || f2 != XS_AF_INET6)
		return -EINVAL;
	__builtin_memcpy(t->saddr, r + 16 + 8, 16);
	__builtin_memcpy(t->daddr, r + 44 + 8, 16);
	t->family = XS_AF_INET6;
	return 0;
}

/* The sadb_x_ipsecrequest at p + *off into t; advances *off. */
static __always_inline int parse_req(const __u8 *p, const __u8 *end, __u32 *off,
				     __u32 len, struct xs_tmpl *t)
{
	struct sadb_x_ipsecrequest rq;
	const __u8 *r;
	__u32 o = *off & 0x1ff;

	r = p + o;
	if (r + sizeof(rq) > end)
		return -EINVAL;
	__builtin_memcpy(&rq, r, sizeof(rq));
	if (rq.sadb_x_ipsecrequest_len < sizeof(rq) ||
	    o + rq.sadb_x_ipsecrequest_len > len)
		return -EINVAL;
	if (rq.sadb_x_ipsecrequest_proto != IPPROTO_ESP &&
	    rq.sadb_x_ipsecrequest_proto != IPPROTO_AH)
		return -EINVAL;
	if (rq.sadb_x_ipsecrequest_level > IPSEC_LEVEL_UNIQUE)
		return -EINVAL;
	__builtin_memset(t, 0, sizeof(*t));
	t->proto = (__u8)rq.sadb_x_ipsecrequest_proto;
	t->mode = rq.sadb_x_ipsecrequest_mode;
	t->level = rq.sadb_x_ipsecrequest_level;
	t->reqid = rq.sadb_x_ipsecrequest_reqid;
	if (t->mode == IPSEC_MODE_TUNNEL) {
		if (parse_tunnel(r, end, rq.sadb_x_ipsecrequest_len, t))
			return -EINVAL;
	} else if (t->mode != IPSEC_MODE_TRANSPORT ||
		   rq.sadb_x_ipsecrequest_len != sizeof(rq)) {
		return -EINVAL;
	}
	*off = o + rq.sadb_x_ipsecrequest_len;
	return 0;
}

/* Check the X_POLICY buffer of ctx and parse it into pol. */
static __always_inline int parse_policy(struct bpf_sockopt *ctx,
					struct xs_policy *pol)
{
	const __u8 *p = ctx->optval, *end = ctx->optval_end;
	__u32 len = (__u32)ctx->optlen, off = sizeof(struct sadb_x_policy);
	struct sadb_x_policy h;
	__u32 i;

	if (ctx->optlen < (int)sizeof(h) || len > XS_SOCK_POLBUF ||
	    p + sizeof(h) > end)
		return -EINVAL;
	__builtin_memcpy(&h, p, sizeof(h));
	if ((__u32)h.sadb_x_policy_len * 8 != len ||
	    h.sadb_x_policy_exttype != SADB_X_EXT_POLICY ||
	    h.sadb_x_policy_type > IPSEC_POLICY_BYPASS ||
	    (h.sadb_x_policy_dir != IPSEC_DIR_INBOUND &&
	     h.sadb_x_policy_dir != IPSEC_DIR_OUTBOUND))
		return -EINVAL;
	__builtin_memset(pol, 0, sizeof(*pol));
	pol->id = h.sadb_x_policy_id;
	pol->action = (__u8)h.sadb_x_policy_type;
	pol->dir = h.sadb_x_policy_dir - 1;
	if (pol->action != IPSEC_POLICY_IPSEC)
		return len == sizeof(h) ? 0 : -EINVAL;
	for (i = 0; i < XS_MAX_TMPL && off < len; i++) {
		if (parse_req(p, end, &off, len, &pol->tmpl[i]))
			return -EINVAL;
		pol->ntmpl++;
	}
	return off == len && pol->ntmpl ? 0 : -EINVAL;
}

/* ---------------------------------------------------- what is enforced */

static __always_inline void level_req(struct xs_policy *out, __u8 lev,
				      __u8 proto)
{
	struct xs_tmpl *t;

	if (out->ntmpl >= XS_MAX_TMPL)
		return;
	t = &out->tmpl[out->ntmpl & (XS_MAX_TMPL - 1)];
	__builtin_memset(t, 0, sizeof(*t));
	t->proto = proto;
	t->mode = IPSEC_MODE_TRANSPORT;
	t->level = lev >= XS_IPSEC_LEVEL_REQUIRE ? IPSEC_LEVEL_REQUIRE :
						   IPSEC_LEVEL_USE;
	out->ntmpl++;
}

static __always_inline bool lev_set(const struct xs_sock_policy *sp, __u8 sl)
{
	return sp->level_set & (1 << sl);
}

/* out from the levels: esp/transport, then ah/transport; all BYPASS:
 * bypass; nothing: the SPD decides (esp_net has no endpoints to build a
 * tunnel request with: it only acts inbound). */
static __always_inline void levels_out(struct xs_sock_policy *sp)
{
	struct xs_policy *out = &sp->out;
	bool all_bypass = sp->level_set != 0;
	__u8 i;

	__builtin_memset(out, 0, sizeof(*out));
	out->dir = XS_DIR_OUT;
	if (lev_set(sp, XS_SL_ESP_TRANS) &&
	    sp->level[XS_SL_ESP_TRANS] >= XS_IPSEC_LEVEL_AVAIL)
		level_req(out, sp->level[XS_SL_ESP_TRANS], IPPROTO_ESP);
	if (lev_set(sp, XS_SL_AUTH) &&
	    sp->level[XS_SL_AUTH] >= XS_IPSEC_LEVEL_AVAIL)
		level_req(out, sp->level[XS_SL_AUTH], IPPROTO_AH);
	for (i = 0; i < XS_SL_MAX; i++)
		if (lev_set(sp, i) && sp->level[i] != XS_IPSEC_LEVEL_BYPASS)
			all_bypass = false;
	if (out->ntmpl)
		out->action = IPSEC_POLICY_IPSEC;
	else if (all_bypass)
		out->action = IPSEC_POLICY_BYPASS;
	else
		return;
	sp->flags |= XS_SOCK_F_OUT;
}

/* Recompute out and in_need after a change. */
static __always_inline void rebuild(struct xs_sock_policy *sp)
{
	const struct xs_policy *po = &sp->pol[XS_DIR_OUT];
	__u8 i, need = 0;

	sp->flags &= ~XS_SOCK_F_OUT;
	if (sp->buflen[XS_DIR_OUT] && po->action != IPSEC_POLICY_ENTRUST) {
		__builtin_memcpy(&sp->out, po, sizeof(sp->out));
		sp->flags |= XS_SOCK_F_OUT;
	} else {
		levels_out(sp);
	}
	for (i = 0; i < XS_SL_MAX; i++) {
		if (!lev_set(sp, i) || sp->level[i] < XS_IPSEC_LEVEL_REQUIRE)
			continue;
		need |= i == XS_SL_AUTH ? XS_SOCK_NEED_AUTH : XS_SOCK_NEED_ESP;
	}
	sp->in_need = need;
}

/* ------------------------------------------------------------ setsockopt */

static __always_inline int set_policy(struct bpf_sockopt *ctx)
{
	const __u8 *p = ctx->optval, *end = ctx->optval_end;
	struct xs_sock_policy *sp;
	struct xs_policy pol;
	__u32 i, d, len;
	int err;

	err = parse_policy(ctx, &pol);
	if (err)
		return err;
	sp = bpf_sk_storage_get(&sock_policy, ctx->sk, 0,
				BPF_SK_STORAGE_GET_F_CREATE);
	if (!sp)
		return -ENOMEM;
	d = pol.dir & 1;
	len = (__u32)ctx->optlen;
	/* whole 8-byte units: the length is a multiple of 8 */
	for (i = 0; i + 8 <= XS_SOCK_POLBUF; i += 8) {
		if (i >= len || p + i + 8 > end)
			break;
		__builtin_memcpy(&sp->buf[d][i], p + i, 8);
	}
	__builtin_memcpy(&sp->pol[d], &pol, sizeof(pol));
	sp->buflen[d] = (__u16)len;
	rebuild(sp);
	return 0;
}

static __always_inline int set_level(struct bpf_sockopt *ctx, __u8 v6, __u8 sl)
{
	const __u8 *p = ctx->optval, *end = ctx->optval_end;
	struct xs_sock_policy *sp;
	int val;

	/* optval_end - optval is 16 or more even for 1 byte: check optlen */
	if (ctx->optlen != sizeof(int) || p + sizeof(int) > end ||
	    sl >= XS_SL_MAX)
		return -EINVAL;
	__builtin_memcpy(&val, p, sizeof(val));
	if (val < XS_IPSEC_LEVEL_BYPASS || val > XS_IPSEC_LEVEL_UNIQUE)
		return -EINVAL;
	if ((__u32)bpf_get_current_uid_gid() != 0 &&
	    (val == XS_IPSEC_LEVEL_BYPASS ||
	     val < deflev(xs_config_get(), v6, sl)))
		return -EACCES;
	sp = bpf_sk_storage_get(&sock_policy, ctx->sk, 0,
				BPF_SK_STORAGE_GET_F_CREATE);
	if (!sp)
		return -ENOMEM;
	sp->level[sl] = (__u8)val;
	sp->level_set |= 1 << sl;
	rebuild(sp);
	return 0;
}

SEC("cgroup/setsockopt")
int xs_setsockopt(struct bpf_sockopt *ctx)
{
	__u8 v6 = 0, sl = 0;
	int kind, err;

	kind = classify(ctx, &v6, &sl);
	if (kind == OPT_NONE || !our_netns(ctx))
		return 1;
	if (!ctx->sk)
		return 1;
	err = kind == OPT_POLICY ? set_policy(ctx) : set_level(ctx, v6, sl);
	if (err) {
		bpf_set_retval(err);
		return 0;
	}
	ctx->optlen = -1; /* handled: the kernel does not see it */
	return 1;
}

/* ------------------------------------------------------------ getsockopt */

/* An unset direction: a 16-byte entrust policy. */
static __always_inline int put_entrust(__u8 *o, const __u8 *end, __u32 dir)
{
	struct sadb_x_policy h = {
		.sadb_x_policy_len = sizeof(h) / 8,
		.sadb_x_policy_exttype = SADB_X_EXT_POLICY,
		.sadb_x_policy_type = IPSEC_POLICY_ENTRUST,
		.sadb_x_policy_dir = (__u8)(dir + 1),
	};

	if (o + sizeof(h) > end)
		return -1;
	__builtin_memcpy(o, &h, sizeof(h));
	return sizeof(h);
}

/* The option value being read: ctx's buffer, read once (clang would
 * otherwise keep a ctx + offset pointer, which the verifier refuses). */
struct optbuf {
	__u8 *p;
	__u8 *end;
	int len;
};

/* Direction d's buffer at b->p + at; its length or -1. */
static __always_inline int put_dir(const struct optbuf *b,
				   const struct xs_sock_policy *sp, __u32 d,
				   __u32 at)
{
	__u8 *o = b->p, *end = b->end;
	__u32 i, len;

	at &= 0x1ff;
	o += at;
	if (!sp || !sp->buflen[d & 1])
		return put_entrust(o, end, d);
	len = sp->buflen[d & 1];
	for (i = 0; i + 8 <= XS_SOCK_POLBUF; i += 8) {
		if (i >= len)
			break;
		if (o + i + 8 > end)
			return -1;
		__builtin_memcpy(o + i, &sp->buf[d & 1][i], 8);
	}
	return (int)len;
}

/* Both directions into b; the length written, or -ERANGE. */
static __always_inline int get_policy(const struct optbuf *b,
				      const struct xs_sock_policy *sp)
{
	int n_in, n_out;

	n_in = put_dir(b, sp, XS_DIR_IN, 0);
	if (n_in < 0)
		return -ERANGE;
	n_out = put_dir(b, sp, XS_DIR_OUT, (__u32)n_in);
	if (n_out < 0 || n_in + n_out > b->len)
		return -ERANGE;
	return n_in + n_out;
}

/* The level into b; the length written, or -EINVAL. */
static __always_inline int get_level(const struct optbuf *b,
				     const struct xs_sock_policy *sp, __u8 v6,
				     __u8 sl)
{
	int val;

	if (b->len < (int)sizeof(int) || b->p + sizeof(int) > b->end ||
	    sl >= XS_SL_MAX)
		return -EINVAL;
	if (sp && lev_set(sp, sl))
		val = sp->level[sl];
	else
		val = deflev(xs_config_get(), v6, sl);
	__builtin_memcpy(b->p, &val, sizeof(val));
	return sizeof(int);
}

SEC("cgroup/getsockopt")
int xs_getsockopt(struct bpf_sockopt *ctx)
{
	struct optbuf b = { .p = ctx->optval,
			    .end = ctx->optval_end,
			    .len = ctx->optlen };
	const struct xs_sock_policy *sp = NULL;
	struct bpf_sock *sk = ctx->sk;
	__u8 v6 = 0, sl = 0;
	int kind, n;

	kind = classify(ctx, &v6, &sl);
	if (kind == OPT_NONE || !our_netns(ctx))
		return 1;
	if (sk)
		sp = bpf_sk_storage_get(&sock_policy, sk, 0, 0);
	n = kind == OPT_POLICY ? get_policy(&b, sp) : get_level(&b, sp, v6, sl);
	if (n < 0) {
		bpf_set_retval(n);
		return 0;
	}
	ctx->optlen = n;
	ctx->retval = 0; /* the kernel said ENOPROTOOPT */
	return 1;
}
