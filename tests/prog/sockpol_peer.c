// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A UDP/TCP peer whose socket carries its own IPsec policy, set before
 * it sends or binds (so a listener's policy is inherited by what it
 * accepts).  Prints one result line on stdout.
 *
 *   sockpol_peer [-p POLICY]... [-l auth|esp_trans|esp_net=LEVEL]... MODE ARGS
 *     -p  "in ..." / "out ..." for ipsec_set_policy(3) (IP_IPSEC_POLICY,
 *         IPV6_IPSEC_POLICY for an IPv6 address)
 *     -l  an OpenBSD level option; LEVEL is bypass, avail, use, require,
 *         unique
 *   udp-send ADDR PORT COUNT       COUNT datagrams "sockpol N" ("sent N")
 *   udp-recv ADDR PORT SECONDS     bind, count datagrams ("received N")
 *   tcp-serve ADDR PORT SECONDS    accept connections, answer each line
 *                                  with "echo LINE" ("served N")
 *   tcp-talk ADDR PORT SECONDS     connect, send a line, wait for the
 *                                  echo ("talked" and exit 0, or exit 1)
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "xdpsec/socket.h"
#include "../../ctl/libipsec/ipsec_policy.h"

#define MAX_OPTS 8

struct peer {
	const char *pol[MAX_OPTS];
	int npol;
	int lev_name[MAX_OPTS], lev_val[MAX_OPTS];
	int nlev;
	struct sockaddr_storage sa;
	socklen_t salen;
	int family;
};

static void die(const char *what)
{
	fprintf(stderr, "sockpol_peer: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int parse_level(const char *arg, int *name, int *val)
{
	static const char *const names[] = { "auth", "esp_trans", "esp_net" };
	static const char *const levels[] = { "bypass", "avail", "use",
					      "require", "unique" };
	const char *eq = strchr(arg, '=');
	size_t i;

	if (!eq)
		return -1;
	for (i = 0; i < 3; i++)
		if (strlen(names[i]) == (size_t)(eq - arg) &&
		    !strncmp(arg, names[i], (size_t)(eq - arg)))
			break;
	if (i == 3)
		return -1;
	*name = (int)i; /* offset from IP_AUTH_LEVEL / IPV6_AUTH_LEVEL */
	for (i = 0; i < 5; i++)
		if (!strcmp(eq + 1, levels[i]))
			break;
	if (i == 5)
		return -1;
	*val = (int)i; /* IPSEC_LEVEL_BYPASS .. _UNIQUE */
	return 0;
}

static void parse_addr(struct peer *pr, const char *addr, const char *port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&pr->sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&pr->sa;

	memset(&pr->sa, 0, sizeof(pr->sa));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)atoi(port));
		pr->salen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(port));
		pr->salen = sizeof(*s6);
	} else {
		fprintf(stderr, "sockpol_peer: bad address %s\n", addr);
		exit(2);
	}
	pr->family = pr->sa.ss_family;
}

/* A socket of type with every -p and -l applied. */
static int peer_socket(const struct peer *pr, int type)
{
	bool v6 = pr->family == AF_INET6;
	int level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
	int fd, i, one = 1;
	char *buf;

	fd = socket(pr->family, type, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	for (i = 0; i < pr->npol; i++) {
		buf = ipsec_set_policy(pr->pol[i], (int)strlen(pr->pol[i]));
		if (!buf) {
			fprintf(stderr, "sockpol_peer: %s: %s\n", pr->pol[i],
				ipsec_strerror());
			exit(2);
		}
		if (setsockopt(fd, level,
			       v6 ? IPV6_IPSEC_POLICY : IP_IPSEC_POLICY, buf,
			       (socklen_t)ipsec_get_policylen(buf)))
			die(pr->pol[i]);
		free(buf);
	}
	for (i = 0; i < pr->nlev; i++)
		if (setsockopt(fd, level,
			       (v6 ? IPV6_AUTH_LEVEL : IP_AUTH_LEVEL) +
				       pr->lev_name[i],
			       &pr->lev_val[i], sizeof(int)))
			die("level option");
	return fd;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait for fd to be readable until deadline; 1 ready, 0 timed out. */
static int wait_in(int fd, double deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	double left = deadline - now();

	if (left <= 0)
		return 0;
	return poll(&p, 1, (int)(left * 1000) + 1) > 0;
}

static int udp_send(const struct peer *pr, int count)
{
	int fd = peer_socket(pr, SOCK_DGRAM), i, sent = 0;
	char msg[32];

	for (i = 0; i < count; i++) {
		snprintf(msg, sizeof(msg), "sockpol %d", i);
		if (sendto(fd, msg, strlen(msg), 0,
			   (const struct sockaddr *)&pr->sa, pr->salen) > 0)
			sent++;
		usleep(20000);
	}
	printf("sent %d\n", sent);
	return 0;
}

static int udp_recv(const struct peer *pr, int seconds)
{
	int fd = peer_socket(pr, SOCK_DGRAM), n = 0;
	double deadline = now() + seconds;
	char buf[256];

	if (bind(fd, (const struct sockaddr *)&pr->sa, pr->salen))
		die("bind");
	while (wait_in(fd, deadline))
		if (recv(fd, buf, sizeof(buf), 0) > 0)
			n++;
	printf("received %d\n", n);
	return 0;
}

static int tcp_serve(const struct peer *pr, int seconds)
{
	int fd = peer_socket(pr, SOCK_STREAM), c, n = 0;
	double deadline = now() + seconds;
	char buf[256], out[300];
	ssize_t len;

	if (bind(fd, (const struct sockaddr *)&pr->sa, pr->salen) ||
	    listen(fd, 8))
		die("bind/listen");
	while (wait_in(fd, deadline)) {
		c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		if (wait_in(c, deadline)) {
			len = recv(c, buf, sizeof(buf) - 1, 0);
			if (len > 0) {
				buf[len] = '\0';
				snprintf(out, sizeof(out), "echo %s", buf);
				if (send(c, out, strlen(out), 0) > 0)
					n++;
			}
		}
		close(c);
	}
	printf("served %d\n", n);
	return 0;
}

static int tcp_talk(const struct peer *pr, int seconds)
{
	int fd = peer_socket(pr, SOCK_STREAM);
	struct timeval tv = { .tv_sec = seconds };
	double deadline = now() + seconds;
	char buf[256];
	ssize_t len;

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)&pr->sa, pr->salen)) {
		printf("connect failed: %s\n", strerror(errno));
		return 1;
	}
	if (send(fd, "hello\n", 6, 0) != 6 || !wait_in(fd, deadline)) {
		printf("no echo\n");
		return 1;
	}
	len = recv(fd, buf, sizeof(buf) - 1, 0);
	if (len <= 0 || strncmp(buf, "echo hello", 10)) {
		printf("bad echo\n");
		return 1;
	}
	printf("talked\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct peer pr = { .npol = 0 };
	const char *mode;
	int c, arg;

	while ((c = getopt(argc, argv, "p:l:")) != -1) {
		if (c == 'p' && pr.npol < MAX_OPTS) {
			pr.pol[pr.npol++] = optarg;
		} else if (c == 'l' && pr.nlev < MAX_OPTS &&
			   !parse_level(optarg, &pr.lev_name[pr.nlev],
					&pr.lev_val[pr.nlev])) {
			pr.nlev++;
		} else {
			fprintf(stderr, "sockpol_peer: bad option\n");
			return 2;
		}
	}
	if (argc - optind != 4) {
		fprintf(stderr, "usage: sockpol_peer [-p POLICY] [-l L=V] "
				"MODE ADDR PORT N\n");
		return 2;
	}
	mode = argv[optind];
	parse_addr(&pr, argv[optind + 1], argv[optind + 2]);
	arg = atoi(argv[optind + 3]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "udp-send"))
		return udp_send(&pr, arg);
	if (!strcmp(mode, "udp-recv"))
		return udp_recv(&pr, arg);
	if (!strcmp(mode, "tcp-serve"))
		return tcp_serve(&pr, arg);
	if (!strcmp(mode, "tcp-talk"))
		return tcp_talk(&pr, arg);
	fprintf(stderr, "sockpol_peer: unknown mode %s\n", mode);
	return 2;
}
