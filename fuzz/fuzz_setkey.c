// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: setkey(8) text.  Each statement the parser accepts
 * is encoded as its PF_KEY request (xs_setkey_cmd_encode), which must
 * frame correctly and decode back (xs_pfkey_get_sa/get_policy) to the
 * same SPI / policy direction and priority; a mismatch aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../ctl/lib/pfkey_msg.h"
#include "../ctl/setkey/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t buf[XS_PFKEY_MSG_MAX];

static void fail(const struct xs_setkey_cmd *cmd, const char *what, int err)
{
	fprintf(stderr, "fuzz_setkey: line %d %s: %s (%d)\n", cmd->line,
		xs_setkey_op_name(cmd->op), what, err);
	abort();
}

static void check_sa(const struct xs_setkey_cmd *cmd,
		     const struct xs_pfkey_msg *m)
{
	struct xs_sa sa;
	int err;

	memset(&sa, 0, sizeof(sa));
	err = xs_pfkey_get_sa(m, &sa);
	if (err)
		fail(cmd, "encoded SA does not decode", err);
	if (m->ext[SADB_EXT_SA] && sa.spi != cmd->sa.spi)
		fail(cmd, "SPI changed", 0);
	if (cmd->op == XS_SK_ADD &&
	    (sa.enc_keylen != cmd->sa.enc_keylen ||
	     sa.auth_keylen != cmd->sa.auth_keylen ||
	     memcmp(sa.enc_key, cmd->sa.enc_key, sa.enc_keylen) ||
	     memcmp(sa.auth_key, cmd->sa.auth_key, sa.auth_keylen)))
		fail(cmd, "keys changed", 0);
	xs_sa_wipe(&sa);
}

static void check_policy(const struct xs_setkey_cmd *cmd,
			 const struct xs_pfkey_msg *m)
{
	struct xs_spolicy sp;
	int err;

	memset(&sp, 0, sizeof(sp));
	err = xs_pfkey_get_policy(m, &sp);
	if (err)
		fail(cmd, "encoded policy does not decode", err);
	if (sp.dir != cmd->sp.dir)
		fail(cmd, "direction changed", 0);
	if (cmd->op != XS_SK_SPDDELETE &&
	    (sp.priority != cmd->sp.priority || sp.nreq != cmd->sp.nreq ||
	     sp.type != cmd->sp.type))
		fail(cmd, "policy changed", 0);
}

static int cb(const struct xs_setkey_cmd *cmd, void *arg)
{
	struct xs_pfkey_msg m;
	struct xs_msgbuf b;
	int len, err;

	xs_msgbuf_init(&b, buf, sizeof(buf));
	len = xs_setkey_cmd_encode(cmd, &b, 1, 4242);
	if (len < 0)
		return 0;
	err = xs_pfkey_parse(buf, (size_t)len, &m);
	if (err)
		fail(cmd, "encoded request does not parse", err);
	switch (cmd->op) {
	case XS_SK_ADD:
	case XS_SK_GET:
	case XS_SK_DELETE:
		check_sa(cmd, &m);
		break;
	case XS_SK_SPDADD:
	case XS_SK_SPDUPDATE:
	case XS_SK_SPDDELETE:
		check_policy(cmd, &m);
		break;
	default:
		break;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	xs_setkey_parse((const char *)data, size, "fuzz", cb, NULL, err,
			sizeof(err));
	return 0;
}
