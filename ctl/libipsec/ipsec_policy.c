// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ipsec_set_policy(3) and friends on top of the setkey policy grammar and
 * the PF_KEY codec, so a policy string means the same to setkey, to the
 * daemon and to a program.  See ipsec_policy.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pfkeyv2.h>
#include "ipsec_policy.h"
#include "../lib/pfkey_msg.h"
#include "../setkey/parse.h"
#include "../setkey/print.h"

#define POLICY_BUF 1024 /* X_POLICY with XS_MAX_TMPL tunnel requests fits */

static __thread char ipsec_err[256];

static void fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ipsec_err, sizeof(ipsec_err), fmt, ap);
	va_end(ap);
	errno = err;
}

const char *ipsec_strerror(void)
{
	return ipsec_err[0] ? ipsec_err : "no error";
}

caddr_t ipsec_set_policy(const char *policy, int len)
{
	char err[256], *msg, *out;
	uint8_t buf[POLICY_BUF];
	struct xs_spolicy sp;
	struct xs_msgbuf b;

	if (!policy || len <= 0) {
		fail(EINVAL, "invalid argument");
		return NULL;
	}
	if (xs_setkey_parse_policy(policy, (size_t)len, &sp, err,
				   sizeof(err))) {
		/* "policy:1: message" -> "message" */
		msg = strstr(err, ": ");
		fail(EINVAL, "%s", msg ? msg + 2 : err);
		return NULL;
	}
	xs_msgbuf_init(&b, buf, sizeof(buf));
	xs_pfkey_put_policy_ext(&b, &sp);
	if (b.err) {
		fail(ENOBUFS, "policy too long");
		return NULL;
	}
	out = malloc(b.len);
	if (!out) {
		fail(ENOMEM, "out of memory");
		return NULL;
	}
	memcpy(out, buf, b.len);
	ipsec_err[0] = '\0';
	return out;
}

int ipsec_get_policylen(caddr_t buf)
{
	const struct sadb_x_policy *x = (const void *)buf;

	if (!buf) {
		fail(EINVAL, "invalid argument");
		return -1;
	}
	return (int)x->sadb_x_policy_len * 8;
}

char *ipsec_dump_policy(caddr_t buf, const char *delimiter)
{
	struct xs_spolicy sp;
	char *s;
	int n;

	if (!buf) {
		fail(EINVAL, "invalid argument");
		return NULL;
	}
	if (!delimiter)
		delimiter = " ";
	if (xs_pfkey_get_policy_ext(buf, (size_t)ipsec_get_policylen(buf),
				    &sp)) {
		fail(EINVAL, "invalid policy buffer");
		return NULL;
	}
	n = xs_setkey_format_policy(NULL, 0, &sp, delimiter);
	s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!s) {
		fail(ENOMEM, "out of memory");
		return NULL;
	}
	xs_setkey_format_policy(s, (size_t)n + 1, &sp, delimiter);
	ipsec_err[0] = '\0';
	return s;
}
