// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The per-socket options of <xdpsec/socket.h> as a program sees them:
 * one "ok - ..." / "not ok - ..." line per case, exit status 1 if any
 * failed.  Run in a cgroup under xdpsecd's --cgroup, in its namespace.
 *
 *   sockpol_opts root DEFLEV     as root: levels (default DEFLEV, set,
 *                                read back, EINVAL cases), IP_IPSEC_POLICY
 *                                and IPV6_IPSEC_POLICY buffers (set, read
 *                                back, EINVAL cases), kernel options
 *                                untouched
 *   sockpol_opts unpriv DEFLEV   as a uid other than 0: BYPASS and levels
 *                                below DEFLEV are EACCES, others work
 *   sockpol_opts absent          not served (another namespace): the
 *                                kernel's ENOPROTOOPT
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/pfkeyv2.h>
#include "xdpsec/socket.h"
#include "../../ctl/libipsec/ipsec_policy.h"

#define MODE_TUNNEL \
	2 /* <linux/ipsec.h> IPSEC_MODE_TUNNEL: its levels
		       * would clash with OpenBSD's (see socket.h) */

static int failures;

static void report(bool ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	failures += !ok;
}

/* setsockopt's result: 0 or the errno. */
static int set_int(int fd, int level, int name, int val, socklen_t len)
{
	return setsockopt(fd, level, name, &val, len) ? errno : 0;
}

static int get_int(int fd, int level, int name, int *val)
{
	socklen_t len = sizeof(*val);

	*val = -1;
	if (getsockopt(fd, level, name, val, &len))
		return errno;
	return len == sizeof(*val) ? 0 : EMSGSIZE;
}

static int new_sock(int family)
{
	int fd = socket(family, SOCK_DGRAM, 0);

	if (fd < 0) {
		perror("socket");
		exit(2);
	}
	return fd;
}

static void check_errno(int got, int want, const char *what)
{
	char buf[200];

	snprintf(buf, sizeof(buf), "%s (got %s)", what,
		 got ? strerror(got) : "success");
	report(got == want, buf);
}

/* Levels: the default, set and read back, bad length, unknown level. */
static void levels_root(int deflev)
{
	static const struct {
		int family, level, base;
		const char *name;
	} fam[] = {
		{ AF_INET, IPPROTO_IP, IP_AUTH_LEVEL, "IP" },
		{ AF_INET6, IPPROTO_IPV6, IPV6_AUTH_LEVEL, "IPV6" },
	};
	char what[160];
	size_t f;
	int i, fd, v, err;

	for (f = 0; f < 2; f++) {
		fd = new_sock(fam[f].family);
		for (i = 0; i < 3; i++) {
			err = get_int(fd, fam[f].level, fam[f].base + i, &v);
			snprintf(what, sizeof(what),
				 "%s level option %d of a new socket reads "
				 "the system default %d (got %d, %s)",
				 fam[f].name, i, deflev, v,
				 err ? strerror(err) : "ok");
			report(!err && v == deflev, what);
		}
		err = set_int(fd, fam[f].level, fam[f].base + 1,
			      IPSEC_LEVEL_REQUIRE, sizeof(int));
		check_errno(err, 0, "ESP_TRANS_LEVEL = REQUIRE");
		err = get_int(fd, fam[f].level, fam[f].base + 1, &v);
		report(!err && v == IPSEC_LEVEL_REQUIRE,
		       "ESP_TRANS_LEVEL reads back REQUIRE");
		err = get_int(fd, fam[f].level, fam[f].base, &v);
		report(!err && v == deflev,
		       "AUTH_LEVEL still reads the default");
		check_errno(set_int(fd, fam[f].level, fam[f].base, 3, 1),
			    EINVAL, "a 1-byte level is EINVAL");
		check_errno(set_int(fd, fam[f].level, fam[f].base, 3, 8),
			    EINVAL, "an 8-byte level is EINVAL");
		check_errno(set_int(fd, fam[f].level, fam[f].base, 5,
				    sizeof(int)),
			    EINVAL, "level 5 is EINVAL");
		check_errno(set_int(fd, fam[f].level, fam[f].base, -1,
				    sizeof(int)),
			    EINVAL, "level -1 is EINVAL");
		check_errno(set_int(fd, fam[f].level, fam[f].base + 2,
				    IPSEC_LEVEL_BYPASS, sizeof(int)),
			    0, "root may set ESP_NETWORK_LEVEL = BYPASS");
		err = get_int(fd, fam[f].level, fam[f].base + 2, &v);
		report(!err && v == IPSEC_LEVEL_BYPASS,
		       "ESP_NETWORK_LEVEL reads back BYPASS");
		close(fd);
	}
}

/* set a policy string; 0 or errno (EBADMSG: ipsec_set_policy failed) */
static int set_policy(int fd, int level, int name, const char *pol,
		      char **buf_out, int *len_out)
{
	char *buf = ipsec_set_policy(pol, (int)strlen(pol));
	int len, err = 0;

	if (!buf)
		return EBADMSG;
	len = ipsec_get_policylen(buf);
	if (setsockopt(fd, level, name, buf, (socklen_t)len))
		err = errno;
	if (buf_out && !err) {
		*buf_out = buf;
		*len_out = len;
	} else {
		free(buf);
	}
	return err;
}

/* getsockopt: "in" then "out"; *in_len is the first one's length. */
static int get_policies(int fd, int level, int name, char *out, int *len,
			int *in_len)
{
	socklen_t l = (socklen_t)*len;

	memset(out, 0, (size_t)*len);
	if (getsockopt(fd, level, name, out, &l))
		return errno;
	*len = (int)l;
	*in_len = ipsec_get_policylen(out);
	return 0;
}

static bool dump_has(char *buf, const char *want)
{
	char *s = ipsec_dump_policy(buf, NULL);
	bool ok = s && strstr(s, want);

	if (s && !ok)
		printf("# dump: %s\n", s);
	free(s);
	return ok;
}

/* One policy string set and read back on a socket of family. */
static void policy_roundtrip(int family, int level, int name, const char *pol,
			     const char *dir)
{
	char got[1024], what[200], *buf = NULL;
	int fd = new_sock(family), len, blen = 0, in_len = 0, err;
	bool out = !strcmp(dir, "out");

	err = set_policy(fd, level, name, pol, &buf, &blen);
	snprintf(what, sizeof(what), "set \"%s\"", pol);
	check_errno(err, 0, what);
	len = sizeof(got);
	err = err ? err : get_policies(fd, level, name, got, &len, &in_len);
	snprintf(what, sizeof(what),
		 "read back \"%s\": same bytes, the other direction entrust",
		 pol);
	report(!err && buf && in_len > 0 && in_len < len &&
		       !memcmp(out ? got + in_len : got, buf, (size_t)blen) &&
		       len == in_len + (out ? blen : 16) &&
		       dump_has(out ? got : got + in_len, "entrust") &&
		       dump_has(out ? got + in_len : got, dir),
	       what);
	free(buf);
	close(fd);
}

/* getsockopt into a buffer too small for both directions: ERANGE. */
static void policy_small_buffer(void)
{
	int fd = new_sock(AF_INET), len = 24, in_len;
	char got[24];

	check_errno(set_policy(fd, IPPROTO_IP, IP_IPSEC_POLICY,
			       "out ipsec esp/transport//require", NULL, NULL),
		    0, "set a 32-byte out policy");
	check_errno(get_policies(fd, IPPROTO_IP, IP_IPSEC_POLICY, got, &len,
				 &in_len),
		    ERANGE,
		    "getsockopt into 24 bytes (16 + 32 needed) is ERANGE");
	close(fd);
}

/* setsockopt(IP_IPSEC_POLICY) of a raw buffer: 0 or errno. */
static int set_raw(int fd, const void *buf, socklen_t len)
{
	if (setsockopt(fd, IPPROTO_IP, IP_IPSEC_POLICY, buf, len))
		return errno;
	return 0;
}

/* Malformed buffers: each must be EINVAL. */
static void policy_invalid(void)
{
	char *buf = ipsec_set_policy("out ipsec esp/transport//require", 32);
	struct sadb_x_policy *h = (struct sadb_x_policy *)buf;
	struct sadb_x_ipsecrequest *rq = (void *)(h + 1);
	uint8_t copy[64];
	int fd = new_sock(AF_INET), len;

	if (!buf) {
		report(false, "ipsec_set_policy for the EINVAL cases");
		return;
	}
	len = ipsec_get_policylen(buf);
	memcpy(copy, buf, (size_t)len);
	check_errno(set_raw(fd, copy, 8), EINVAL,
		    "policy buffer of 8 bytes is EINVAL");
	check_errno(set_raw(fd, copy, (socklen_t)len - 8), EINVAL,
		    "policy length field != optlen is EINVAL");
	h->sadb_x_policy_dir = 0;
	check_errno(set_raw(fd, buf, (socklen_t)len), EINVAL,
		    "direction 0 is EINVAL");
	memcpy(buf, copy, (size_t)len);
	h->sadb_x_policy_type = 9;
	check_errno(set_raw(fd, buf, (socklen_t)len), EINVAL,
		    "policy type 9 is EINVAL");
	memcpy(buf, copy, (size_t)len);
	rq->sadb_x_ipsecrequest_proto = 99;
	check_errno(set_raw(fd, buf, (socklen_t)len), EINVAL,
		    "request protocol 99 is EINVAL");
	memcpy(buf, copy, (size_t)len);
	rq->sadb_x_ipsecrequest_mode = MODE_TUNNEL; /* no endpoints */
	check_errno(set_raw(fd, buf, (socklen_t)len), EINVAL,
		    "tunnel request without endpoints is EINVAL");
	free(buf);
	close(fd);
}

/* The kernel's own options next to ours still reach the kernel. */
static void kernel_untouched(void)
{
	int fd = new_sock(AF_INET), v;

	check_errno(set_int(fd, IPPROTO_IP, IP_TTL, 33, sizeof(int)), 0,
		    "IP_TTL still set by the kernel");
	report(!get_int(fd, IPPROTO_IP, IP_TTL, &v) && v == 33,
	       "IP_TTL reads back 33");
	check_errno(set_int(fd, IPPROTO_IP, IP_MINTTL, 7, sizeof(int)), 0,
		    "IP_MINTTL (OpenBSD's IP_ESP_TRANS_LEVEL number) is the "
		    "kernel's");
	report(!get_int(fd, IPPROTO_IP, IP_MINTTL, &v) && v == 7,
	       "IP_MINTTL reads back 7");
	check_errno(
		set_int(fd, IPPROTO_IP, XS_SOCKOPT_BASE + 3, 1, sizeof(int)),
		ENOPROTOOPT, "an unused number next to ours is ENOPROTOOPT");
	close(fd);
}

static void run_root(int deflev)
{
	levels_root(deflev);
	policy_roundtrip(AF_INET, IPPROTO_IP, IP_IPSEC_POLICY,
			 "out ipsec esp/transport//require", "out");
	policy_roundtrip(AF_INET, IPPROTO_IP, IP_IPSEC_POLICY,
			 "in ipsec esp/transport//require "
			 "ah/transport//use",
			 "in");
	policy_roundtrip(AF_INET, IPPROTO_IP, IP_IPSEC_POLICY,
			 "out ipsec esp/tunnel/10.9.0.1-10.9.0.2/require",
			 "out");
	policy_roundtrip(AF_INET6, IPPROTO_IPV6, IPV6_IPSEC_POLICY,
			 "in ipsec ah/transport//require", "in");
	policy_roundtrip(AF_INET6, IPPROTO_IPV6, IPV6_IPSEC_POLICY,
			 "out ipsec esp/tunnel/fd00::1-fd00::2/unique:7",
			 "out");
	policy_roundtrip(AF_INET, IPPROTO_IP, IP_IPSEC_POLICY, "in discard",
			 "in");
	policy_roundtrip(AF_INET, IPPROTO_IP, IP_IPSEC_POLICY, "out bypass",
			 "out");
	policy_roundtrip(AF_INET, IPPROTO_IP, IP_IPSEC_POLICY, "out none",
			 "out");
	policy_small_buffer();
	policy_invalid();
	kernel_untouched();
}

static void run_unpriv(int deflev)
{
	int fd = new_sock(AF_INET), lev, want, v;
	char what[160];

	printf("# uid %u\n", (unsigned int)getuid());
	for (lev = IPSEC_LEVEL_BYPASS; lev <= IPSEC_LEVEL_UNIQUE; lev++) {
		want = lev == IPSEC_LEVEL_BYPASS || lev < deflev ? EACCES : 0;
		snprintf(what, sizeof(what),
			 "unprivileged IP_ESP_TRANS_LEVEL = %d with default "
			 "%d: %s",
			 lev, deflev, want ? "EACCES" : "allowed");
		check_errno(set_int(fd, IPPROTO_IP, IP_ESP_TRANS_LEVEL, lev,
				    sizeof(int)),
			    want, what);
	}
	report(!get_int(fd, IPPROTO_IP, IP_ESP_TRANS_LEVEL, &v) &&
		       v == IPSEC_LEVEL_UNIQUE,
	       "the last allowed level (UNIQUE) reads back");
	check_errno(set_int(fd, IPPROTO_IP, IP_AUTH_LEVEL, 9, sizeof(int)),
		    EINVAL, "unprivileged unknown level is EINVAL");
	check_errno(set_policy(fd, IPPROTO_IP, IP_IPSEC_POLICY,
			       "out ipsec esp/transport//require", NULL, NULL),
		    0, "unprivileged IP_IPSEC_POLICY works");
	close(fd);
}

static void run_absent(void)
{
	int fd = new_sock(AF_INET), v;

	check_errno(set_int(fd, IPPROTO_IP, IP_ESP_TRANS_LEVEL,
			    IPSEC_LEVEL_REQUIRE, sizeof(int)),
		    ENOPROTOOPT, "not served here: setsockopt ENOPROTOOPT");
	check_errno(get_int(fd, IPPROTO_IP, IP_ESP_TRANS_LEVEL, &v),
		    ENOPROTOOPT, "not served here: getsockopt ENOPROTOOPT");
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "root"))
		run_root(atoi(argv[2]));
	else if (argc == 3 && !strcmp(argv[1], "unpriv"))
		run_unpriv(atoi(argv[2]));
	else if (argc == 2 && !strcmp(argv[1], "absent"))
		run_absent();
	else {
		fprintf(stderr, "usage: sockpol_opts root|unpriv DEFLEV | "
				"absent\n");
		return 2;
	}
	return failures ? 1 : 0;
}
