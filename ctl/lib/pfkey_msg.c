// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * PF_KEY v2 codec: framing, decoding into types.h structs, bounded encoding.
 *
 * Decisions worth knowing (the header leaves them to this file):
 *  - Algorithm ids are looked up in alg.h: an unknown id is -EINVAL, a known
 *    but unimplemented one -EOPNOTSUPP.  A key for algorithm "none" is
 *    -EINVAL.  A key is checked against its algorithm only when present;
 *    whether a message type needs the key is the dispatcher's business.
 *  - SA endpoint addresses: prefix length and port are ignored on input and
 *    stored as a full prefix with port 0; they are emitted the same way.
 *  - Selectors: src/dst upper-layer protocols must agree (KAME); without
 *    address extensions the protocol is IPSEC_ULPROTO_ANY.
 *  - Ipsec requests: length in bytes, at least the struct; tunnel mode
 *    needs two sockaddrs of one family inside it (at most 7 bytes of pad
 *    after them); other modes ignore what follows the struct (Linux).
 *  - SUPPORTED_*: an extension is omitted when alg.h has no implemented
 *    algorithm of its kind (today: no SUPPORTED_AUTH).  min/max bits exclude
 *    the salt, as Linux reports them and KAME setkey checks salted keys.
 *  - The NAT-T extensions are decoded and encoded by pfkey_natt.c, X_POLICY
 *    and policy selectors by pfkey_policy.c.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "alg.h"
#include "pfkey_int.h"

#define ADDR_MIN (sizeof(struct sadb_address) + sizeof(struct sockaddr))

/* ------------------------------------------------------------ framing */

static const uint16_t ext_min[XS_SADB_EXT_MAX + 1] = {
	[SADB_EXT_SA] = sizeof(struct sadb_sa),
	[SADB_EXT_LIFETIME_CURRENT] = sizeof(struct sadb_lifetime),
	[SADB_EXT_LIFETIME_HARD] = sizeof(struct sadb_lifetime),
	[SADB_EXT_LIFETIME_SOFT] = sizeof(struct sadb_lifetime),
	[SADB_EXT_ADDRESS_SRC] = ADDR_MIN,
	[SADB_EXT_ADDRESS_DST] = ADDR_MIN,
	[SADB_EXT_ADDRESS_PROXY] = ADDR_MIN,
	[SADB_EXT_KEY_AUTH] = sizeof(struct sadb_key),
	[SADB_EXT_KEY_ENCRYPT] = sizeof(struct sadb_key),
	[SADB_EXT_IDENTITY_SRC] = sizeof(struct sadb_ident),
	[SADB_EXT_IDENTITY_DST] = sizeof(struct sadb_ident),
	[SADB_EXT_SENSITIVITY] = sizeof(struct sadb_sens),
	[SADB_EXT_PROPOSAL] = sizeof(struct sadb_prop),
	[SADB_EXT_SUPPORTED_AUTH] = sizeof(struct sadb_supported),
	[SADB_EXT_SUPPORTED_ENCRYPT] = sizeof(struct sadb_supported),
	[SADB_EXT_SPIRANGE] = sizeof(struct sadb_spirange),
	[SADB_X_EXT_KMPRIVATE] = sizeof(struct sadb_x_kmprivate),
	[SADB_X_EXT_POLICY] = sizeof(struct sadb_x_policy),
	[SADB_X_EXT_SA2] = sizeof(struct sadb_x_sa2),
	[SADB_X_EXT_NAT_T_TYPE] = sizeof(struct sadb_x_nat_t_type),
	[SADB_X_EXT_NAT_T_SPORT] = sizeof(struct sadb_x_nat_t_port),
	[SADB_X_EXT_NAT_T_DPORT] = sizeof(struct sadb_x_nat_t_port),
	[SADB_X_EXT_NAT_T_OA] = ADDR_MIN,
	[SADB_X_EXT_SEC_CTX] = sizeof(struct sadb_x_sec_ctx),
	[SADB_X_EXT_KMADDRESS] = sizeof(struct sadb_x_kmaddress),
	[SADB_X_EXT_FILTER] = sizeof(struct sadb_x_filter),
	[SADB_X_EXT_XS_REPLAY] = sizeof(struct sadb_x_xs_replay),
};

/* One extension at p with room bytes left; returns its length or -EINVAL. */
static int parse_ext(const uint8_t *p, size_t room, struct xs_pfkey_msg *m)
{
	const struct sadb_ext *e = (const void *)p;
	size_t len;

	if (room < sizeof(*e))
		return -EINVAL;
	len = xs_pfkey_ext_bytes(e);
	if (!len || len > room)
		return -EINVAL;
	if (!e->sadb_ext_type || e->sadb_ext_type > XS_SADB_EXT_MAX)
		return -EINVAL;
	if (m->ext[e->sadb_ext_type] || len < ext_min[e->sadb_ext_type])
		return -EINVAL;
	m->ext[e->sadb_ext_type] = e;
	return (int)len;
}

int xs_pfkey_parse(const void *buf, size_t len, struct xs_pfkey_msg *m)
{
	const struct sadb_msg *h = buf;
	const uint8_t *p = buf;
	size_t off;
	int n;

	memset(m, 0, sizeof(*m));
	if (len > XS_PFKEY_MSG_MAX)
		return -EMSGSIZE;
	if (len < sizeof(*h) || (size_t)h->sadb_msg_len * 8 != len)
		return -EINVAL;
	if (h->sadb_msg_version != PF_KEY_V2 || !h->sadb_msg_type ||
	    h->sadb_msg_type > SADB_MAX)
		return -EINVAL;
	for (off = sizeof(*h); off < len; off += (size_t)n) {
		n = parse_ext(p + off, len - off, m);
		if (n < 0) {
			memset(m, 0, sizeof(*m));
			return n;
		}
	}
	m->hdr = h;
	m->len = len;
	return 0;
}

/* ----------------------------------------------------------- decoding */

int xs_pfkey_sockaddr_get(const uint8_t *p, size_t room, struct xs_addr *a)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	sa_family_t fam;

	if (room < sizeof(fam))
		return -EINVAL;
	memcpy(&fam, p, sizeof(fam));
	memset(a, 0, sizeof(*a));
	if (fam == AF_INET && room >= sizeof(sin)) {
		memcpy(&sin, p, sizeof(sin));
		memcpy(a->a, &sin.sin_addr, 4);
		a->port = ntohs(sin.sin_port);
		a->family = AF_INET;
		a->plen = 32;
		return sizeof(sin);
	}
	if (fam == AF_INET6 && room >= sizeof(sin6)) {
		memcpy(&sin6, p, sizeof(sin6));
		memcpy(a->a, &sin6.sin6_addr, 16);
		a->port = ntohs(sin6.sin6_port);
		a->family = AF_INET6;
		a->plen = 128;
		return sizeof(sin6);
	}
	return -EINVAL;
}

int xs_pfkey_get_address(const struct sadb_ext *e, struct xs_addr *a,
			 uint8_t *proto)
{
	const struct sadb_address *ad = (const void *)e;
	int n;

	n = xs_pfkey_sockaddr_get((const uint8_t *)(ad + 1),
				  xs_pfkey_ext_bytes(e) - sizeof(*ad), a);
	if (n < 0)
		return n;
	if (ad->sadb_address_prefixlen > xs_pfkey_full_plen(a->family))
		return -EINVAL;
	a->plen = ad->sadb_address_prefixlen;
	*proto = ad->sadb_address_proto;
	return 0;
}

static int get_sa_addrs(const struct xs_pfkey_msg *m, struct xs_sa *sa)
{
	const struct sadb_ext *s = m->ext[SADB_EXT_ADDRESS_SRC];
	const struct sadb_ext *d = m->ext[SADB_EXT_ADDRESS_DST];
	uint8_t proto;
	int err;

	if (s) {
		err = xs_pfkey_get_address(s, &sa->src, &proto);
		if (err)
			return err;
		sa->src.plen = xs_pfkey_full_plen(sa->src.family);
		sa->src.port = 0;
	}
	if (d) {
		err = xs_pfkey_get_address(d, &sa->dst, &proto);
		if (err)
			return err;
		sa->dst.plen = xs_pfkey_full_plen(sa->dst.family);
		sa->dst.port = 0;
	}
	if (s && d && sa->src.family != sa->dst.family)
		return -EINVAL;
	return 0;
}

static int get_key(const struct sadb_ext *e, uint8_t *out, uint16_t *outlen)
{
	const struct sadb_key *k = (const void *)e;
	size_t n = k->sadb_key_bits / 8;

	if (k->sadb_key_bits % 8 || sizeof(*k) + n > xs_pfkey_ext_bytes(e) ||
	    n > XS_KEY_MAX)
		return -EINVAL;
	memcpy(out, k + 1, n);
	*outlen = (uint16_t)n;
	return 0;
}

/* Algorithm id (0 = none) against alg.h, and its key if one was given. */
static int check_alg(enum xs_alg_kind kind, uint8_t id, bool has_key,
		     size_t keylen)
{
	const struct xs_alg *alg;

	if (!id)
		return has_key ? -EINVAL : 0;
	alg = xs_alg_by_id(kind, id);
	if (!alg)
		return -EINVAL;
	if (!alg->implemented)
		return -EOPNOTSUPP;
	return has_key ? xs_alg_check_keylen(alg, keylen) : 0;
}

static int get_sa_keys(const struct xs_pfkey_msg *m, struct xs_sa *sa)
{
	const struct sadb_ext *ka = m->ext[SADB_EXT_KEY_AUTH];
	const struct sadb_ext *ke = m->ext[SADB_EXT_KEY_ENCRYPT];
	int err;

	if (ka) {
		err = get_key(ka, sa->auth_key, &sa->auth_keylen);
		if (err)
			return err;
	}
	if (ke) {
		err = get_key(ke, sa->enc_key, &sa->enc_keylen);
		if (err)
			return err;
	}
	err = check_alg(XS_ALG_AUTH, sa->auth_alg, ka != NULL, sa->auth_keylen);
	if (err)
		return err;
	return check_alg(XS_ALG_ENC, sa->enc_alg, ke != NULL, sa->enc_keylen);
}

static void get_lifetime(const struct sadb_ext *e, struct xs_lifetime *lt)
{
	const struct sadb_lifetime *l = (const void *)e;

	lt->allocations = l->sadb_lifetime_allocations;
	lt->bytes = l->sadb_lifetime_bytes;
	lt->addtime = l->sadb_lifetime_addtime;
	lt->usetime = l->sadb_lifetime_usetime;
}

static void get_sa_ext(const struct xs_pfkey_msg *m, struct xs_sa *sa)
{
	const struct sadb_sa *s = (const void *)m->ext[SADB_EXT_SA];
	const struct sadb_x_sa2 *s2 = (const void *)m->ext[SADB_X_EXT_SA2];
	const struct sadb_x_xs_replay *r =
		(const void *)m->ext[SADB_X_EXT_XS_REPLAY];

	if (r)
		sa->replay_win = r->sadb_x_xs_replay_window;
	if (s) {
		sa->spi = ntohl(s->sadb_sa_spi);
		sa->replay = s->sadb_sa_replay;
		sa->state = s->sadb_sa_state;
		sa->auth_alg = s->sadb_sa_auth;
		sa->enc_alg = s->sadb_sa_encrypt;
		sa->flags = s->sadb_sa_flags;
	}
	if (s2) {
		sa->mode = s2->sadb_x_sa2_mode;
		sa->reqid = s2->sadb_x_sa2_reqid;
	}
}

int xs_pfkey_get_sa(const struct xs_pfkey_msg *m, struct xs_sa *sa)
{
	int err;

	memset(sa, 0, sizeof(*sa));
	sa->satype = m->hdr->sadb_msg_satype;
	sa->seq = m->hdr->sadb_msg_seq;
	sa->pid = m->hdr->sadb_msg_pid;
	get_sa_ext(m, sa);
	err = get_sa_addrs(m, sa);
	if (!err)
		err = xs_pfkey_get_natt(m, sa);
	if (!err)
		err = get_sa_keys(m, sa);
	if (err) {
		xs_sa_wipe(sa);
		return err;
	}
	if (m->ext[SADB_EXT_LIFETIME_HARD]) {
		get_lifetime(m->ext[SADB_EXT_LIFETIME_HARD], &sa->hard);
		sa->has_hard = true;
	}
	if (m->ext[SADB_EXT_LIFETIME_SOFT]) {
		get_lifetime(m->ext[SADB_EXT_LIFETIME_SOFT], &sa->soft);
		sa->has_soft = true;
	}
	if (m->ext[SADB_EXT_LIFETIME_CURRENT])
		get_lifetime(m->ext[SADB_EXT_LIFETIME_CURRENT], &sa->cur);
	return 0;
}

/* ----------------------------------------------------------- encoding */

void xs_msgbuf_init(struct xs_msgbuf *b, void *buf, size_t cap)
{
	b->buf = buf;
	b->cap = cap;
	b->len = 0;
	b->err = 0;
}

/* n bytes (rounded up to 8), zeroed; NULL and sticky -ENOBUFS if full. */
static void *reserve(struct xs_msgbuf *b, size_t n)
{
	uint8_t *p;

	n = xs_pfkey_align8(n);
	if (b->err)
		return NULL;
	if (n > b->cap - b->len || b->len + n > XS_PFKEY_MSG_MAX) {
		b->err = -ENOBUFS;
		return NULL;
	}
	p = b->buf + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

void *xs_pfkey_put_ext(struct xs_msgbuf *b, uint16_t type, size_t len)
{
	struct sadb_ext *e = reserve(b, len);

	if (!e)
		return NULL;
	e->sadb_ext_len = (uint16_t)(xs_pfkey_align8(len) / 8);
	e->sadb_ext_type = type;
	return e;
}

static struct sadb_msg *hdr_of(struct xs_msgbuf *b)
{
	return b->len >= sizeof(struct sadb_msg) ? (void *)b->buf : NULL;
}

void xs_pfkey_begin(struct xs_msgbuf *b, uint8_t type, uint8_t satype,
		    uint32_t seq, uint32_t pid)
{
	struct sadb_msg *h;

	b->len = 0;
	b->err = 0;
	h = reserve(b, sizeof(*h));
	if (!h)
		return;
	h->sadb_msg_version = PF_KEY_V2;
	h->sadb_msg_type = type;
	h->sadb_msg_satype = satype;
	h->sadb_msg_seq = seq;
	h->sadb_msg_pid = pid;
}

void xs_pfkey_set_errno(struct xs_msgbuf *b, int err)
{
	struct sadb_msg *h = hdr_of(b);

	if (err < 0)
		err = -err;
	if (h)
		h->sadb_msg_errno = err > UINT8_MAX ? UINT8_MAX : (uint8_t)err;
}

int xs_pfkey_end(struct xs_msgbuf *b)
{
	struct sadb_msg *h = hdr_of(b);

	if (b->err)
		return b->err;
	if (!h)
		return -EINVAL;
	h->sadb_msg_len = (uint16_t)(b->len / 8);
	return (int)b->len;
}

size_t xs_pfkey_sockaddr_len(uint8_t family)
{
	if (family == AF_INET)
		return sizeof(struct sockaddr_in);
	if (family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	return 0;
}

void xs_pfkey_sockaddr_put(uint8_t *p, const struct xs_addr *a)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	if (a->family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(a->port);
		memcpy(&sin.sin_addr, a->a, 4);
		memcpy(p, &sin, sizeof(sin));
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(a->port);
		memcpy(&sin6.sin6_addr, a->a, 16);
		memcpy(p, &sin6, sizeof(sin6));
	}
}

void xs_pfkey_put_address(struct xs_msgbuf *b, uint16_t exttype,
			  const struct xs_addr *a, uint8_t ulproto)
{
	size_t sl = xs_pfkey_sockaddr_len(a->family);
	struct sadb_address *ad;

	if (!sl) {
		if (!b->err)
			b->err = -EINVAL;
		return;
	}
	ad = xs_pfkey_put_ext(b, exttype, sizeof(*ad) + sl);
	if (!ad)
		return;
	ad->sadb_address_proto = ulproto;
	ad->sadb_address_prefixlen = a->plen;
	xs_pfkey_sockaddr_put((uint8_t *)(ad + 1), a);
}

/* SA endpoints go out as full-prefix host addresses, port 0. */
static void put_sa_address(struct xs_msgbuf *b, uint16_t exttype,
			   const struct xs_addr *a)
{
	struct xs_addr h = *a;

	if (!a->family)
		return;
	h.plen = xs_pfkey_full_plen(a->family);
	h.port = 0;
	xs_pfkey_put_address(b, exttype, &h, IPSEC_ULPROTO_ANY);
}

static void put_key(struct xs_msgbuf *b, uint16_t exttype, const uint8_t *key,
		    uint16_t len)
{
	struct sadb_key *k;

	if (!len)
		return;
	k = xs_pfkey_put_ext(b, exttype, sizeof(*k) + len);
	if (!k)
		return;
	k->sadb_key_bits = (uint16_t)(len * 8);
	memcpy(k + 1, key, len);
}

void xs_pfkey_put_lifetime(struct xs_msgbuf *b, uint16_t exttype,
			   const struct xs_lifetime *lt)
{
	struct sadb_lifetime *l = xs_pfkey_put_ext(b, exttype, sizeof(*l));

	if (!l)
		return;
	l->sadb_lifetime_allocations = lt->allocations;
	l->sadb_lifetime_bytes = lt->bytes;
	l->sadb_lifetime_addtime = lt->addtime;
	l->sadb_lifetime_usetime = lt->usetime;
}

static void put_sa_ext(struct xs_msgbuf *b, const struct xs_sa *sa,
		       unsigned int flags)
{
	struct sadb_sa *s = xs_pfkey_put_ext(b, SADB_EXT_SA, sizeof(*s));
	struct sadb_x_sa2 *s2;

	if (s) {
		s->sadb_sa_spi = htonl(sa->spi);
		s->sadb_sa_replay = sa->replay;
		s->sadb_sa_state = sa->state;
		s->sadb_sa_flags = sa->flags;
		if (flags & XS_PFKEY_SA_ALGS) {
			s->sadb_sa_auth = sa->auth_alg;
			s->sadb_sa_encrypt = sa->enc_alg;
		}
	}
	s2 = xs_pfkey_put_ext(b, SADB_X_EXT_SA2, sizeof(*s2));
	if (s2) {
		s2->sadb_x_sa2_mode = sa->mode;
		s2->sadb_x_sa2_reqid = sa->reqid;
	}
	if (sa->replay_win) {
		struct sadb_x_xs_replay *r =
			xs_pfkey_put_ext(b, SADB_X_EXT_XS_REPLAY, sizeof(*r));

		if (r)
			r->sadb_x_xs_replay_window = sa->replay_win;
	}
}

void xs_pfkey_put_sa(struct xs_msgbuf *b, const struct xs_sa *sa,
		     unsigned int flags)
{
	put_sa_ext(b, sa, flags);
	put_sa_address(b, SADB_EXT_ADDRESS_SRC, &sa->src);
	put_sa_address(b, SADB_EXT_ADDRESS_DST, &sa->dst);
	xs_pfkey_put_natt(b, sa);
	if (flags & XS_PFKEY_SA_KEYS) {
		put_key(b, SADB_EXT_KEY_AUTH, sa->auth_key, sa->auth_keylen);
		put_key(b, SADB_EXT_KEY_ENCRYPT, sa->enc_key, sa->enc_keylen);
	}
	if (flags & XS_PFKEY_SA_LIFETIMES) {
		if (sa->has_hard)
			xs_pfkey_put_lifetime(b, SADB_EXT_LIFETIME_HARD,
					      &sa->hard);
		if (sa->has_soft)
			xs_pfkey_put_lifetime(b, SADB_EXT_LIFETIME_SOFT,
					      &sa->soft);
		xs_pfkey_put_lifetime(b, SADB_EXT_LIFETIME_CURRENT, &sa->cur);
	}
}

static void put_supported_kind(struct xs_msgbuf *b, uint16_t exttype,
			       enum xs_alg_kind kind)
{
	const struct xs_alg *a;
	struct sadb_supported *sup;
	struct sadb_alg *out;
	size_t i, n = 0;

	for (i = 0; (a = xs_alg_at(i)); i++)
		n += a->kind == kind && a->implemented;
	if (!n)
		return;
	sup = xs_pfkey_put_ext(b, exttype, sizeof(*sup) + n * sizeof(*out));
	if (!sup)
		return;
	out = (struct sadb_alg *)(sup + 1);
	for (i = 0; (a = xs_alg_at(i)); i++) {
		if (a->kind != kind || !a->implemented)
			continue;
		out->sadb_alg_id = a->id;
		out->sadb_alg_ivlen = a->iv_len;
		out->sadb_alg_minbits =
			(uint16_t)((a->key_min - a->salt_len) * 8);
		out->sadb_alg_maxbits =
			(uint16_t)((a->key_max - a->salt_len) * 8);
		out++;
	}
}

void xs_pfkey_put_supported(struct xs_msgbuf *b)
{
	put_supported_kind(b, SADB_EXT_SUPPORTED_AUTH, XS_ALG_AUTH);
	put_supported_kind(b, SADB_EXT_SUPPORTED_ENCRYPT, XS_ALG_ENC);
}

/* -------------------------------------------------------------- names */

static const char *const type_names[SADB_MAX + 1] = {
	[SADB_RESERVED] = "RESERVED",
	[SADB_GETSPI] = "GETSPI",
	[SADB_UPDATE] = "UPDATE",
	[SADB_ADD] = "ADD",
	[SADB_DELETE] = "DELETE",
	[SADB_GET] = "GET",
	[SADB_ACQUIRE] = "ACQUIRE",
	[SADB_REGISTER] = "REGISTER",
	[SADB_EXPIRE] = "EXPIRE",
	[SADB_FLUSH] = "FLUSH",
	[SADB_DUMP] = "DUMP",
	[SADB_X_PROMISC] = "X_PROMISC",
	[SADB_X_PCHANGE] = "X_PCHANGE",
	[SADB_X_SPDUPDATE] = "X_SPDUPDATE",
	[SADB_X_SPDADD] = "X_SPDADD",
	[SADB_X_SPDDELETE] = "X_SPDDELETE",
	[SADB_X_SPDGET] = "X_SPDGET",
	[SADB_X_SPDACQUIRE] = "X_SPDACQUIRE",
	[SADB_X_SPDDUMP] = "X_SPDDUMP",
	[SADB_X_SPDFLUSH] = "X_SPDFLUSH",
	[SADB_X_SPDSETIDX] = "X_SPDSETIDX",
	[SADB_X_SPDEXPIRE] = "X_SPDEXPIRE",
	[SADB_X_SPDDELETE2] = "X_SPDDELETE2",
	[SADB_X_NAT_T_NEW_MAPPING] = "X_NAT_T_NEW_MAPPING",
	[SADB_X_MIGRATE] = "X_MIGRATE",
};

const char *xs_pfkey_type_name(uint8_t type)
{
	return type <= SADB_MAX ? type_names[type] : "UNKNOWN";
}

static const char *const satype_names[SADB_SATYPE_MAX + 1] = {
	[SADB_SATYPE_UNSPEC] = "unspec", [SADB_SATYPE_AH] = "ah",
	[SADB_SATYPE_ESP] = "esp",	 [SADB_SATYPE_RSVP] = "rsvp",
	[SADB_SATYPE_OSPFV2] = "ospfv2", [SADB_SATYPE_RIPV2] = "ripv2",
	[SADB_SATYPE_MIP] = "mip",	 [SADB_X_SATYPE_IPCOMP] = "ipcomp",
};

const char *xs_pfkey_satype_name(uint8_t satype)
{
	const char *n = satype <= SADB_SATYPE_MAX ? satype_names[satype] : NULL;

	return n ? n : "unknown";
}
