// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * setkey commands to PF_KEY requests (Linux numbering), and the matching
 * rule of deleteall.  Separate from the parser so that the parser links
 * without the codec.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "parse.h"

static const uint8_t op_types[] = {
	[XS_SK_ADD] = SADB_ADD,
	[XS_SK_GET] = SADB_GET,
	[XS_SK_DELETE] = SADB_DELETE,
	[XS_SK_DELETEALL] = SADB_DUMP,
	[XS_SK_FLUSH] = SADB_FLUSH,
	[XS_SK_DUMP] = SADB_DUMP,
	[XS_SK_SPDADD] = SADB_X_SPDADD,
	[XS_SK_SPDUPDATE] = SADB_X_SPDUPDATE,
	[XS_SK_SPDDELETE] = SADB_X_SPDDELETE,
	[XS_SK_SPDFLUSH] = SADB_X_SPDFLUSH,
	[XS_SK_SPDDUMP] = SADB_X_SPDDUMP,
};

int xs_setkey_cmd_encode(const struct xs_setkey_cmd *cmd, struct xs_msgbuf *b,
			 uint32_t seq, uint32_t pid)
{
	if ((size_t)cmd->op >= sizeof(op_types) / sizeof(op_types[0]))
		return -EINVAL;
	b->len = 0;
	b->err = 0;
	xs_pfkey_begin(b, op_types[cmd->op], cmd->satype, seq, pid);
	switch (cmd->op) {
	case XS_SK_ADD:
		xs_pfkey_put_sa(b, &cmd->sa,
				XS_PFKEY_SA_KEYS | XS_PFKEY_SA_LIFETIMES |
					XS_PFKEY_SA_ALGS);
		break;
	case XS_SK_GET:
	case XS_SK_DELETE:
		xs_pfkey_put_sa(b, &cmd->sa, 0);
		break;
	case XS_SK_SPDADD:
	case XS_SK_SPDUPDATE:
	case XS_SK_SPDDELETE:
		xs_pfkey_put_policy(b, &cmd->sp);
		break;
	default: /* flush, dump, deleteall (a dump), spdflush, spddump */
		break;
	}
	return xs_pfkey_end(b);
}

static bool same_host(const struct xs_addr *a, const struct xs_addr *b)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && !memcmp(a->a, b->a, n);
}

bool xs_setkey_deleteall_match(const struct xs_setkey_cmd *cmd,
			       const struct xs_sa *sa)
{
	return cmd->op == XS_SK_DELETEALL && sa->satype == cmd->satype &&
	       same_host(&sa->src, &cmd->sa.src) &&
	       same_host(&sa->dst, &cmd->sa.dst);
}
