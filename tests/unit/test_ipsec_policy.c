// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * KAME libipsec's policy API (ctl/libipsec): ipsec_set_policy() builds the
 * PF_KEY X_POLICY buffer, ipsec_get_policylen() sizes it,
 * ipsec_dump_policy() prints it back, ipsec_strerror() explains failures.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include "../../ctl/libipsec/ipsec_policy.h"

struct good {
	const char *in; /* ipsec_set_policy input */
	const char *dump; /* ipsec_dump_policy(buf, NULL) */
	uint16_t type;
	uint8_t dir;
	int nreq;
};

static const struct good good[] = {
	/* 0 */ { "in bypass", "in prio def bypass", IPSEC_POLICY_BYPASS,
		  IPSEC_DIR_INBOUND, 0 },
	/* 1 */
	{ "out discard", "out prio def discard", IPSEC_POLICY_DISCARD,
	  IPSEC_DIR_OUTBOUND, 0 },
	/* 2 */
	{ "out none", "out prio def none", IPSEC_POLICY_NONE,
	  IPSEC_DIR_OUTBOUND, 0 },
	/* 3 */
	{ "in entrust", "in prio def entrust", IPSEC_POLICY_ENTRUST,
	  IPSEC_DIR_INBOUND, 0 },
	/* 4 */
	{ "out ipsec esp/transport//require",
	  "out prio def ipsec esp/transport//require", IPSEC_POLICY_IPSEC,
	  IPSEC_DIR_OUTBOUND, 1 },
	/* 5: bundle, tunnel endpoints, unique with an id */
	{ "in ipsec ah/transport//use esp/tunnel/192.0.2.1-198.51.100.1/unique:7",
	  "in prio def ipsec ah/transport//use "
	  "esp/tunnel/192.0.2.1-198.51.100.1/unique:7",
	  IPSEC_POLICY_IPSEC, IPSEC_DIR_INBOUND, 2 },
	/* 6: IPv6 tunnel, priority, level omitted (default) */
	{ "out prio high ipsec esp/tunnel/2001:db8::1-2001:db8::2/",
	  "out prio high ipsec esp/tunnel/2001:db8::1-2001:db8::2/default",
	  IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 1 },
	/* 7: -P accepted, trailing ';' */
	{ "-P fwd ipsec esp/transport//use;",
	  "fwd prio def ipsec esp/transport//use", IPSEC_POLICY_IPSEC,
	  IPSEC_DIR_FWD, 1 },
};

static void test_set_dump(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good *g = &good[i];
		const struct sadb_x_policy *x;
		char *buf, *s, *again;
		int len;

		print_message("case %zu: %s\n", i, g->in);
		buf = ipsec_set_policy(g->in, (int)strlen(g->in));
		assert_non_null(buf);
		assert_string_equal(ipsec_strerror(), "no error");
		x = (const void *)buf;
		len = ipsec_get_policylen(buf);
		assert_int_equal(len, x->sadb_x_policy_len * 8);
		assert_int_equal(x->sadb_x_policy_exttype, SADB_X_EXT_POLICY);
		assert_int_equal(x->sadb_x_policy_type, g->type);
		assert_int_equal(x->sadb_x_policy_dir, g->dir);
		assert_int_equal((size_t)len > sizeof(*x), g->nreq > 0);
		s = ipsec_dump_policy(buf, NULL);
		assert_non_null(s);
		assert_string_equal(s, g->dump);
		/* what dump prints parses back to the same buffer */
		again = ipsec_set_policy(s, (int)strlen(s));
		assert_non_null(again);
		assert_int_equal(ipsec_get_policylen(again), len);
		assert_memory_equal(again, buf, (size_t)len);
		free(again);
		free(s);
		free(buf);
	}
}

static void test_delimiter(void **state)
{
	const char *in = "out ipsec esp/transport//require ah/transport//use";
	char *buf = ipsec_set_policy(in, (int)strlen(in)), *s;

	(void)state;
	assert_non_null(buf);
	s = ipsec_dump_policy(buf, "\n");
	assert_string_equal(s, "out prio def ipsec\nesp/transport//require\n"
			       "ah/transport//use");
	free(s);
	free(buf);
}

struct bad {
	const char *in;
	const char *msg; /* substring of ipsec_strerror() */
};

static const struct bad bad[] = {
	/* 0 */ { "", "invalid argument" },
	/* 1 */ { "sideways bypass", "direction" },
	/* 2 */ { "out", "discard, none, ipsec, entrust or bypass" },
	/* 3 */ { "out ipsec", "needs a request" },
	/* 4 */ { "out ipsec esp/transport//maybe", "level" },
	/* 5 */ { "out ipsec esp/tunnel//require", "tunnel" },
	/* 6 */ { "out bypass extra", "end of the policy" },
	/* 7 */
	{ "out ipsec esp/transport//require esp/transport//require "
	  "esp/transport//require esp/transport//require "
	  "esp/transport//require",
	  "too many requests" },
};

static void test_errors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("bad case %zu: '%s'\n", i, bad[i].in);
		errno = 0;
		assert_null(
			ipsec_set_policy(bad[i].in, (int)strlen(bad[i].in)));
		assert_int_equal(errno, EINVAL);
		assert_non_null(strstr(ipsec_strerror(), bad[i].msg));
	}
	assert_null(ipsec_set_policy(NULL, 4));
	assert_int_equal(ipsec_get_policylen(NULL), -1);
	assert_null(ipsec_dump_policy(NULL, NULL));
}

/* A buffer that lies about its requests is refused, not over-read. */
static void test_bad_buffer(void **state)
{
	const char *in = "out ipsec esp/transport//require";
	char *buf = ipsec_set_policy(in, (int)strlen(in));
	struct sadb_x_ipsecrequest *r;

	(void)state;
	assert_non_null(buf);
	r = (void *)(buf + sizeof(struct sadb_x_policy));
	r->sadb_x_ipsecrequest_len = 200; /* past the end */
	assert_null(ipsec_dump_policy(buf, NULL));
	assert_non_null(strstr(ipsec_strerror(), "invalid policy buffer"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_dump),
		cmocka_unit_test(test_delimiter),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bad_buffer),
	};

	return cmocka_run_group_tests_name("ipsec_policy", tests, NULL, NULL);
}
