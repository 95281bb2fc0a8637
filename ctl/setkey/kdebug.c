// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * setkey -x: a PF_KEY message in the text of KAME/ipsec-tools'
 * kdebug_sadb() (libipsec key_debug.c, as built for Linux: IPv6 and
 * policy priorities on), see monitor.h.  Reads the raw message, so what
 * is printed is what the daemon sent, bounds-checked.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include "../lib/pfkey_msg.h"
#include "monitor.h"

/* ipsec_hexdump(): " xxxxxxxx" groups of 4 bytes, a newline every 32. */
static void hexdump(FILE *f, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (i && i % 32 == 0)
			fputc('\n', f);
		if (i % 4 == 0)
			fputc(' ', f);
		fprintf(f, "%02x", p[i]);
	}
}

/* Linux's sysdep_sa_len(): by family. */
static size_t sa_len(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	return sizeof(struct sockaddr_in);
}

/* kdebug_sockaddr(); the sockaddr must fit in room bytes. */
static void sockaddr_print(FILE *f, const uint8_t *p, size_t room)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	struct sockaddr sa;

	if (room < sizeof(sa))
		return;
	memcpy(&sa, p, sizeof(sa));
	if (room < sa_len(&sa))
		return;
	fprintf(f, "sockaddr{ len=%zu family=%u", sa_len(&sa), sa.sa_family);
	if (sa.sa_family == AF_INET) {
		memcpy(&s4, p, sizeof(s4));
		fprintf(f, " port=%u\n", ntohs(s4.sin_port));
		hexdump(f, (const uint8_t *)&s4.sin_addr, 4);
	} else if (sa.sa_family == AF_INET6) {
		memcpy(&s6, p, sizeof(s6));
		fprintf(f, " port=%u\n", ntohs(s6.sin6_port));
		fprintf(f, "  flowinfo=0x%08x, scope_id=0x%08x\n",
			s6.sin6_flowinfo, s6.sin6_scope_id);
		hexdump(f, (const uint8_t *)&s6.sin6_addr, 16);
	}
	fprintf(f, "  }\n");
}

static void sa_print(FILE *f, const void *e)
{
	struct sadb_sa s;

	memcpy(&s, e, sizeof(s));
	fprintf(f, "sadb_sa{ spi=%u replay=%u state=%u\n", ntohl(s.sadb_sa_spi),
		s.sadb_sa_replay, s.sadb_sa_state);
	fprintf(f, "  auth=%u encrypt=%u flags=0x%08x }\n", s.sadb_sa_auth,
		s.sadb_sa_encrypt, s.sadb_sa_flags);
}

static void lifetime_print(FILE *f, const void *e)
{
	struct sadb_lifetime l;

	memcpy(&l, e, sizeof(l));
	fprintf(f, "sadb_lifetime{ alloc=%u, bytes=%u\n",
		l.sadb_lifetime_allocations, (uint32_t)l.sadb_lifetime_bytes);
	fprintf(f, "  addtime=%u, usetime=%u }\n",
		(uint32_t)l.sadb_lifetime_addtime,
		(uint32_t)l.sadb_lifetime_usetime);
}

static void address_print(FILE *f, const uint8_t *e, size_t len)
{
	struct sadb_address a;
	uint8_t r[2];

	memcpy(&a, e, sizeof(a));
	memcpy(r, &a.sadb_address_reserved, 2);
	fprintf(f,
		"sadb_address{ proto=%u prefixlen=%u reserved=0x%02x%02x }\n",
		a.sadb_address_proto, a.sadb_address_prefixlen, r[0], r[1]);
	sockaddr_print(f, e + sizeof(a), len - sizeof(a));
}

static void key_print(FILE *f, const uint8_t *e, size_t len)
{
	struct sadb_key k;
	size_t n;

	memcpy(&k, e, sizeof(k));
	fprintf(f, "sadb_key{ bits=%u reserved=%u\n  key=", k.sadb_key_bits,
		k.sadb_key_reserved);
	n = k.sadb_key_bits >> 3;
	if (n > len - sizeof(k)) {
		fprintf(f,
			"kdebug_sadb_key: key length mismatch, bit:%zu len:%zu.\n",
			n, len - sizeof(k));
		n = len - sizeof(k);
	}
	hexdump(f, e + sizeof(k), n);
	fprintf(f, " }\n");
}

static void ident_print(FILE *f, const uint8_t *e, size_t len)
{
	struct sadb_ident id;
	size_t i;

	memcpy(&id, e, sizeof(id));
	fprintf(f, "sadb_ident_%s{",
		id.sadb_ident_exttype == SADB_EXT_IDENTITY_SRC ? "src" : "dst");
	fprintf(f, " type=%d id=%lu", id.sadb_ident_type,
		(unsigned long)id.sadb_ident_id);
	if (len > sizeof(id)) {
		fprintf(f, "\n  str=\"");
		for (i = sizeof(id); i < len && e[i]; i++) {
			if (isprint(e[i]))
				fputc(e[i], f);
			else
				fprintf(f, "\\%03o", e[i]);
		}
		fputc('"', f);
	}
	fprintf(f, " }\n");
}

static void comb_print(FILE *f, const struct sadb_comb *c)
{
	fprintf(f,
		"sadb_comb{ auth=%u encrypt=%u flags=0x%04x reserved=0x%08x\n",
		c->sadb_comb_auth, c->sadb_comb_encrypt, c->sadb_comb_flags,
		c->sadb_comb_reserved);
	fprintf(f,
		"  auth_minbits=%u auth_maxbits=%u encrypt_minbits=%u encrypt_maxbits=%u\n",
		c->sadb_comb_auth_minbits, c->sadb_comb_auth_maxbits,
		c->sadb_comb_encrypt_minbits, c->sadb_comb_encrypt_maxbits);
	fprintf(f,
		"  soft_alloc=%u hard_alloc=%u soft_bytes=%lu hard_bytes=%lu\n",
		c->sadb_comb_soft_allocations, c->sadb_comb_hard_allocations,
		(unsigned long)c->sadb_comb_soft_bytes,
		(unsigned long)c->sadb_comb_hard_bytes);
	/* sic: ipsec-tools labels the times as allocations and bytes */
	fprintf(f,
		"  soft_alloc=%lu hard_alloc=%lu soft_bytes=%lu hard_bytes=%lu }\n",
		(unsigned long)c->sadb_comb_soft_addtime,
		(unsigned long)c->sadb_comb_hard_addtime,
		(unsigned long)c->sadb_comb_soft_usetime,
		(unsigned long)c->sadb_comb_hard_usetime);
}

static void prop_print(FILE *f, const uint8_t *e, size_t len)
{
	struct sadb_prop p;
	struct sadb_comb c;
	size_t off;

	memcpy(&p, e, sizeof(p));
	fprintf(f, "sadb_prop{ replay=%u\n", p.sadb_prop_replay);
	for (off = sizeof(p); off + sizeof(c) <= len; off += sizeof(c)) {
		memcpy(&c, e + off, sizeof(c));
		comb_print(f, &c);
	}
	fprintf(f, "}\n");
}

static void supported_print(FILE *f, const uint8_t *e, size_t len)
{
	struct sadb_alg a;
	size_t off;

	fprintf(f, "sadb_sup{\n");
	for (off = sizeof(struct sadb_supported); off + sizeof(a) <= len;
	     off += sizeof(a)) {
		memcpy(&a, e + off, sizeof(a));
		fprintf(f, "  { id=%d ivlen=%d min=%d max=%d }\n",
			a.sadb_alg_id, a.sadb_alg_ivlen, a.sadb_alg_minbits,
			a.sadb_alg_maxbits);
	}
	fprintf(f, "}\n");
}

/* The requests of an IPSEC policy; 0, or -1 after an error line. */
static int requests_print(FILE *f, const uint8_t *p, size_t tlen)
{
	struct sadb_x_ipsecrequest r;
	const uint8_t *a;
	size_t rl;

	while (tlen >= sizeof(r)) {
		memcpy(&r, p, sizeof(r));
		rl = r.sadb_x_ipsecrequest_len;
		fprintf(f, " { len=%u proto=%u mode=%u level=%u reqid=%u\n",
			r.sadb_x_ipsecrequest_len, r.sadb_x_ipsecrequest_proto,
			r.sadb_x_ipsecrequest_mode, r.sadb_x_ipsecrequest_level,
			r.sadb_x_ipsecrequest_reqid);
		if (rl > sizeof(r) && rl <= tlen) {
			a = p + sizeof(r);
			sockaddr_print(f, a, rl - sizeof(r));
			if (rl - sizeof(r) >= sizeof(struct sockaddr))
				sockaddr_print(f, a + sa_len((const void *)a),
					       rl - sizeof(r) -
						       sa_len((const void *)a));
		}
		fprintf(f, " }\n");
		if (!rl) {
			fprintf(f,
				"kdebug_sadb_x_policy: wrong policy struct.\n");
			return -1;
		}
		if (rl > tlen) {
			fprintf(f, "invalid ipsec policy length\n");
			return -1;
		}
		tlen -= rl;
		p += rl;
	}
	if (tlen)
		fprintf(f, "kdebug_sadb_x_policy: wrong policy struct.\n");
	return tlen ? -1 : 0;
}

static void policy_print(FILE *f, const uint8_t *e, size_t len)
{
	struct sadb_x_policy x;

	memcpy(&x, e, sizeof(x));
	fprintf(f, "sadb_x_policy{ type=%u dir=%u id=%x priority=%u }\n",
		x.sadb_x_policy_type, x.sadb_x_policy_dir, x.sadb_x_policy_id,
		x.sadb_x_policy_priority);
	if (x.sadb_x_policy_type == IPSEC_POLICY_IPSEC)
		requests_print(f, e + sizeof(x), len - sizeof(x));
}

static void sa2_print(FILE *f, const void *e)
{
	struct sadb_x_sa2 s;

	memcpy(&s, e, sizeof(s));
	fprintf(f, "sadb_x_sa2{ mode=%u reqid=%u\n", s.sadb_x_sa2_mode,
		s.sadb_x_sa2_reqid);
	fprintf(f, "  reserved1=%u reserved2=%u sequence=%u }\n",
		s.sadb_x_sa2_reserved1, s.sadb_x_sa2_reserved2,
		s.sadb_x_sa2_sequence);
}

static void natt_print(FILE *f, unsigned int type, const void *e)
{
	struct sadb_x_nat_t_type t;
	struct sadb_x_nat_t_port p;
	struct sadb_x_xs_replay r;

	if (type == SADB_X_EXT_NAT_T_TYPE) {
		memcpy(&t, e, sizeof(t));
		fprintf(f, "sadb_x_nat_t_type{ type=%u }\n",
			t.sadb_x_nat_t_type_type);
	} else if (type == SADB_X_EXT_XS_REPLAY) {
		memcpy(&r, e, sizeof(r));
		fprintf(f, "sadb_x_xs_replay{ window=%u }\n",
			r.sadb_x_xs_replay_window);
	} else {
		memcpy(&p, e, sizeof(p));
		fprintf(f, "sadb_x_nat_t_port{ port=%u }\n",
			ntohs(p.sadb_x_nat_t_port_port));
	}
}

/* Smallest length of each extension kdebug_sadb() prints; 0 = unknown
 * to it (the dump ends there). */
static const size_t ext_min[XS_SADB_EXT_MAX + 1] = {
	[SADB_EXT_SA] = sizeof(struct sadb_sa),
	[SADB_EXT_LIFETIME_CURRENT] = sizeof(struct sadb_lifetime),
	[SADB_EXT_LIFETIME_HARD] = sizeof(struct sadb_lifetime),
	[SADB_EXT_LIFETIME_SOFT] = sizeof(struct sadb_lifetime),
	[SADB_EXT_ADDRESS_SRC] = sizeof(struct sadb_address),
	[SADB_EXT_ADDRESS_DST] = sizeof(struct sadb_address),
	[SADB_EXT_ADDRESS_PROXY] = sizeof(struct sadb_address),
	[SADB_EXT_KEY_AUTH] = sizeof(struct sadb_key),
	[SADB_EXT_KEY_ENCRYPT] = sizeof(struct sadb_key),
	[SADB_EXT_IDENTITY_SRC] = sizeof(struct sadb_ident),
	[SADB_EXT_IDENTITY_DST] = sizeof(struct sadb_ident),
	[SADB_EXT_SENSITIVITY] = sizeof(struct sadb_ext),
	[SADB_EXT_PROPOSAL] = sizeof(struct sadb_prop),
	[SADB_EXT_SUPPORTED_AUTH] = sizeof(struct sadb_supported),
	[SADB_EXT_SUPPORTED_ENCRYPT] = sizeof(struct sadb_supported),
	[SADB_EXT_SPIRANGE] = sizeof(struct sadb_ext),
	[SADB_X_EXT_KMPRIVATE] = sizeof(struct sadb_ext),
	[SADB_X_EXT_POLICY] = sizeof(struct sadb_x_policy),
	[SADB_X_EXT_SA2] = sizeof(struct sadb_x_sa2),
	[SADB_X_EXT_NAT_T_TYPE] = sizeof(struct sadb_x_nat_t_type),
	[SADB_X_EXT_NAT_T_SPORT] = sizeof(struct sadb_x_nat_t_port),
	[SADB_X_EXT_NAT_T_DPORT] = sizeof(struct sadb_x_nat_t_port),
	[SADB_X_EXT_NAT_T_OA] = sizeof(struct sadb_address),
	[SADB_X_EXT_XS_REPLAY] = sizeof(struct sadb_x_xs_replay),
};

static void ext_print(FILE *f, unsigned int type, const uint8_t *e, size_t n)
{
	switch (type) {
	case SADB_EXT_SA:
		sa_print(f, e);
		break;
	case SADB_EXT_LIFETIME_CURRENT:
	case SADB_EXT_LIFETIME_HARD:
	case SADB_EXT_LIFETIME_SOFT:
		lifetime_print(f, e);
		break;
	case SADB_EXT_ADDRESS_SRC:
	case SADB_EXT_ADDRESS_DST:
	case SADB_EXT_ADDRESS_PROXY:
	case SADB_X_EXT_NAT_T_OA:
		address_print(f, e, n);
		break;
	case SADB_EXT_KEY_AUTH:
	case SADB_EXT_KEY_ENCRYPT:
		key_print(f, e, n);
		break;
	case SADB_EXT_IDENTITY_SRC:
	case SADB_EXT_IDENTITY_DST:
		ident_print(f, e, n);
		break;
	case SADB_EXT_PROPOSAL:
		prop_print(f, e, n);
		break;
	case SADB_EXT_SUPPORTED_AUTH:
	case SADB_EXT_SUPPORTED_ENCRYPT:
		supported_print(f, e, n);
		break;
	case SADB_X_EXT_POLICY:
		policy_print(f, e, n);
		break;
	case SADB_X_EXT_SA2:
		sa2_print(f, e);
		break;
	case SADB_X_EXT_NAT_T_TYPE:
	case SADB_X_EXT_NAT_T_SPORT:
	case SADB_X_EXT_NAT_T_DPORT:
	case SADB_X_EXT_XS_REPLAY:
		natt_print(f, type, e);
		break;
	default: /* SENSITIVITY, SPIRANGE, KMPRIVATE: nothing */
		break;
	}
}

void xs_setkey_kdebug(FILE *f, const void *msg, size_t len)
{
	const uint8_t *p = msg;
	struct sadb_msg h;
	struct sadb_ext e;
	size_t tlen, n;

	if (len < sizeof(h))
		return;
	memcpy(&h, p, sizeof(h));
	fprintf(f, "sadb_msg{ version=%u type=%u errno=%u satype=%u\n",
		h.sadb_msg_version, h.sadb_msg_type, h.sadb_msg_errno,
		h.sadb_msg_satype);
	fprintf(f, "  len=%u reserved=%u seq=%u pid=%u\n", h.sadb_msg_len,
		h.sadb_msg_reserved, h.sadb_msg_seq, h.sadb_msg_pid);
	tlen = (size_t)h.sadb_msg_len * 8;
	if (tlen > len)
		tlen = len;
	tlen = tlen > sizeof(h) ? tlen - sizeof(h) : 0;
	for (p += sizeof(h); tlen >= sizeof(e); p += n, tlen -= n) {
		memcpy(&e, p, sizeof(e));
		fprintf(f, "sadb_ext{ len=%u type=%u }\n", e.sadb_ext_len,
			e.sadb_ext_type);
		n = (size_t)e.sadb_ext_len * 8;
		if (!n) {
			fprintf(f,
				"kdebug_sadb: invalid ext_len=0 was passed.\n");
			return;
		}
		if (n > tlen) {
			fprintf(f,
				"kdebug_sadb: ext_len exceeds end of buffer.\n");
			return;
		}
		if (e.sadb_ext_type > XS_SADB_EXT_MAX ||
		    !ext_min[e.sadb_ext_type]) {
			fprintf(f,
				"kdebug_sadb: invalid ext_type %u was passed.\n",
				e.sadb_ext_type);
			return;
		}
		if (n < ext_min[e.sadb_ext_type]) {
			fprintf(f,
				"kdebug_sadb: ext_len exceeds end of buffer.\n");
			return;
		}
		ext_print(f, e.sadb_ext_type, p, n);
	}
}
