// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * PF_KEY socket access control: who may connect (root; with
 * --pfkey-group also the group's members), the socket file's mode and
 * group, and group name lookup.  Uses the system's nobody/nogroup
 * (65534), present on Debian.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "../../ctl/daemon/pfkey_sock.h"

#define NOBODY 65534u
#define NOGROUP 65534u
#define NOGRP ((gid_t)-1)

struct acase {
	uid_t uid;
	gid_t gid;
	bool has_group;
	gid_t group;
	bool allowed;
};

static const struct acase acases[] = {
	/* 1 */ { 0, 0, false, NOGRP, true }, /* root */
	/* 2 */ { 0, 1234, true, 4321, true }, /* root, any group */
	/* 3 */ { NOBODY, NOGROUP, false, NOGRP, false }, /* no group set */
	/* 4 */ { NOBODY, NOGROUP, true, NOGROUP, true }, /* gid matches */
	/* 5 */ { NOBODY, 4321, true, 4321, true }, /* gid matches */
	/* 6 */ { NOBODY, 1234, true, 4321, false }, /* no match */
	/* 7 */ { NOBODY, 1234, true, NOGROUP, true }, /* passwd group */
	/* 8 */ { 1, 1, false, NOGRP, false }, /* daemon */
	/* 9 */ { 4000000, 4000000, true, 4321, false }, /* unknown uid */
	/* 10 */ { 4000000, 4321, true, 4321, true }, /* unknown uid, gid */
};

static void test_peer_allowed(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(acases) / sizeof(acases[0]); i++) {
		const struct acase *c = &acases[i];

		if (xs_pfkey_peer_allowed(c->uid, c->gid, c->has_group,
					  c->group) != c->allowed)
			fail_msg("case %zu: uid %u gid %u group %d", i + 1,
				 c->uid, c->gid,
				 c->has_group ? (int)c->group : -1);
	}
}

static void test_group_lookup(void **state)
{
	gid_t g = 7;

	(void)state;
	assert_int_equal(xs_pfkey_group_lookup("nogroup", &g), 0);
	assert_int_equal(g, NOGROUP);
	assert_int_equal(xs_pfkey_group_lookup("root", &g), 0);
	assert_int_equal(g, 0);
	assert_int_equal(xs_pfkey_group_lookup("4321", &g), 0);
	assert_int_equal(g, 4321);
	assert_int_equal(xs_pfkey_group_lookup("no-such-group-xs", &g),
			 -ENOENT);
	assert_int_equal(xs_pfkey_group_lookup("12x", &g), -ENOENT);
	assert_int_equal(xs_pfkey_group_lookup("", &g), -ENOENT);
}

static void test_socket_mode(void **state)
{
	char dir[] = "/tmp/xs-pfkey-sock-XXXXXX", path[64];
	struct xs_pfkey_sock *s;
	struct stat st;
	int epfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pfkey.sock", dir);
	epfd = epoll_create1(0);
	assert_true(epfd >= 0);
	s = xs_pfkey_sock_new(path, epfd);
	assert_non_null(s);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(xs_pfkey_sock_allow_group(s, NOGROUP), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal(st.st_gid, NOGROUP);
	xs_pfkey_sock_free(s);
	assert_int_equal(stat(path, &st), -1);
	close(epfd);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_allowed),
		cmocka_unit_test(test_group_lookup),
		cmocka_unit_test(test_socket_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
