// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * PF_KEY NAT traversal extensions (RFC 3948 UDP encapsulation of ESP),
 * Linux numbering: SADB_X_EXT_NAT_T_TYPE (20), SADB_X_EXT_NAT_T_SPORT (21),
 * SADB_X_EXT_NAT_T_DPORT (22), SADB_X_EXT_NAT_T_OA (23).  Part of the
 * codec of pfkey_msg.c (the rules are in pfkey_msg.h), apart so that each
 * file stays one concern.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include "pfkey_int.h"

/* SPORT/DPORT: exactly one struct, a non-zero port; absent = 4500. */
static int get_port(const struct sadb_ext *e, uint16_t *port)
{
	const struct sadb_x_nat_t_port *p = (const void *)e;

	*port = XS_NATT_PORT;
	if (!e)
		return 0;
	if (xs_pfkey_ext_bytes(e) != sizeof(*p))
		return -EINVAL;
	*port = ntohs(p->sadb_x_nat_t_port_port);
	return *port ? 0 : -EINVAL;
}

/* NAT_T_OA: a host address of the SA's family (when that is known). */
static int get_oa(const struct sadb_ext *e, struct xs_sa *sa)
{
	uint8_t proto;
	int err;

	if (!e)
		return 0;
	err = xs_pfkey_get_address(e, &sa->natt_oa, &proto);
	if (err)
		return err;
	if (sa->dst.family && sa->natt_oa.family != sa->dst.family)
		return -EINVAL;
	sa->natt_oa.plen = xs_pfkey_full_plen(sa->natt_oa.family);
	sa->natt_oa.port = 0;
	return 0;
}

/* The type value: ESP-in-UDP only (see pfkey_msg.h for the errnos). */
static int check_type(const struct sadb_x_nat_t_type *t)
{
	if (t->sadb_x_nat_t_type_type == UDP_ENCAP_ESPINUDP)
		return 0;
	if (t->sadb_x_nat_t_type_type == UDP_ENCAP_ESPINUDP_NON_IKE)
		return -EOPNOTSUPP;
	return -EINVAL;
}

int xs_pfkey_get_natt(const struct xs_pfkey_msg *m, struct xs_sa *sa)
{
	const struct sadb_ext *te = m->ext[SADB_X_EXT_NAT_T_TYPE];
	const struct sadb_ext *sp = m->ext[SADB_X_EXT_NAT_T_SPORT];
	const struct sadb_ext *dp = m->ext[SADB_X_EXT_NAT_T_DPORT];
	const struct sadb_ext *oa = m->ext[SADB_X_EXT_NAT_T_OA];
	const struct sadb_x_nat_t_type *t = (const void *)te;
	int err;

	if (te && xs_pfkey_ext_bytes(te) != sizeof(*t))
		return -EINVAL;
	if (!te || !t->sadb_x_nat_t_type_type) /* plain ESP */
		return sp || dp || oa ? -EINVAL : 0;
	err = check_type(t);
	if (err)
		return err;
	if (m->hdr->sadb_msg_satype != SADB_SATYPE_ESP)
		return -EINVAL;
	err = get_port(sp, &sa->natt_sport);
	if (!err)
		err = get_port(dp, &sa->natt_dport);
	if (!err)
		err = get_oa(oa, sa);
	if (err) {
		sa->natt_sport = sa->natt_dport = 0;
		memset(&sa->natt_oa, 0, sizeof(sa->natt_oa));
		return err;
	}
	sa->natt_type = t->sadb_x_nat_t_type_type;
	return 0;
}

static void put_port(struct xs_msgbuf *b, uint16_t exttype, uint16_t port)
{
	struct sadb_x_nat_t_port *p = xs_pfkey_put_ext(b, exttype, sizeof(*p));

	if (p)
		p->sadb_x_nat_t_port_port = htons(port);
}

void xs_pfkey_put_natt(struct xs_msgbuf *b, const struct xs_sa *sa)
{
	struct sadb_x_nat_t_type *t;
	struct xs_addr oa = sa->natt_oa;

	if (!sa->natt_type)
		return;
	t = xs_pfkey_put_ext(b, SADB_X_EXT_NAT_T_TYPE, sizeof(*t));
	if (t)
		t->sadb_x_nat_t_type_type = sa->natt_type;
	put_port(b, SADB_X_EXT_NAT_T_SPORT, sa->natt_sport);
	put_port(b, SADB_X_EXT_NAT_T_DPORT, sa->natt_dport);
	if (!oa.family)
		return;
	oa.plen = xs_pfkey_full_plen(oa.family);
	oa.port = 0;
	xs_pfkey_put_address(b, SADB_X_EXT_NAT_T_OA, &oa, IPSEC_ULPROTO_ANY);
}
