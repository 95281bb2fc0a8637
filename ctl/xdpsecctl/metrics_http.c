// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdpsecctl metrics: the exposition of metrics.c on stdout (--once) or
 * over HTTP/1.0 (--listen ADDR:PORT, GET /metrics).
 *
 * A plain blocking server, one request at a time: the request is read
 * into a fixed 4 KiB buffer, each read bounded by SO_RCVTIMEO and the
 * whole request by a 5 s deadline; anything but "GET /metrics" gets 400,
 * 404 or 405.  The maps are opened per scrape, so the server can start
 * before xdpsecd (503 until the pins exist) and follows a restarted one.
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include "../daemon/dp.h"
#include "metrics.h"

enum {
	REQ_MAX = 4096, /* request head bytes */
	REQ_RECV_TIMEOUT_S = 2, /* one recv */
	REQ_DEADLINE_S = 5, /* whole request */
	SEND_TIMEOUT_S = 5,
	OUT_BUF = 64 * 1024,
};

static char outbuf[OUT_BUF];

static int flush_file(void *ctx, const char *p, size_t n)
{
	return fwrite(p, 1, n, ctx) == n ? 0 : -EIO;
}

static int flush_sock(void *ctx, const char *p, size_t n)
{
	int fd = *(int *)ctx;

	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int print_once(const char *pin_dir)
{
	struct xs_mout o;
	struct xs_dp dp;
	int err;

	err = xs_dp_open_pinned(&dp, pin_dir);
	if (err) {
		fprintf(stderr, "xdpsecctl: %s: no xdpsec datapath (%s)\n",
			pin_dir, strerror(-err));
		return 1;
	}
	xs_metrics_out_init(&o, outbuf, sizeof(outbuf), flush_file, stdout);
	err = xs_metrics_collect(&dp, &o);
	xs_dp_close(&dp);
	if (err || fflush(stdout)) {
		fprintf(stderr, "xdpsecctl: metrics: %s\n",
			strerror(err ? -err : EIO));
		return 1;
	}
	return 0;
}

/* "ADDR:PORT", "[V6]:PORT" or ":PORT" (all addresses) -> listening fd */
static int listen_on(const char *spec)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE },
			*res, *ai;
	char host[256];
	const char *colon = strrchr(spec, ':'), *h = spec;
	size_t hl;
	int fd = -1, one = 1, r;

	if (!colon || !colon[1])
		return -EINVAL;
	hl = (size_t)(colon - spec);
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	r = getaddrinfo(hl ? host : NULL, colon + 1, &hints, &res);
	if (r)
		return -EINVAL;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 16))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd < 0 ? -EADDRNOTAVAIL : fd;
}

/* Read the request head into buf (NUL-terminated); its length or -errno. */
static int read_request(int fd, char *buf, size_t cap)
{
	struct timespec t0, now;
	size_t len = 0;
	ssize_t k;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (len < cap - 1) {
		k = recv(fd, buf + len, cap - 1 - len, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -ECONNRESET;
		len += (size_t)k;
		buf[len] = '\0';
		/* binary junk may hold NULs: search the bytes, not a string */
		if (memmem(buf, len, "\r\n\r\n", 4) ||
		    memmem(buf, len, "\n\n", 2))
			return (int)len;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= REQ_DEADLINE_S)
			return -ETIMEDOUT;
	}
	/* a request line that fits is enough: the rest is ignored */
	return memchr(buf, '\n', len) ? (int)len : -E2BIG;
}

static void reply(int fd, const char *status, const char *body)
{
	char head[256];
	int n;

	n = snprintf(
		head, sizeof(head),
		"HTTP/1.0 %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
		"Connection: close\r\n\r\n%s\n",
		status, body);
	flush_sock(&fd, head, (size_t)n);
}

static void scrape(int fd, const char *pin_dir, int head_only)
{
	static const char ok[] =
		"HTTP/1.0 200 OK\r\n"
		"Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		"Connection: close\r\n\r\n";
	struct xs_mout o;
	struct xs_dp dp;
	int err;

	err = xs_dp_open_pinned(&dp, pin_dir);
	if (err) {
		reply(fd, "503 Service Unavailable", "no xdpsec datapath");
		return;
	}
	xs_metrics_out_init(&o, outbuf, sizeof(outbuf), flush_sock, &fd);
	if (!flush_sock(&fd, ok, sizeof(ok) - 1) && !head_only) {
		err = xs_metrics_collect(&dp, &o);
		if (err && err != -EPIPE && err != -ECONNRESET)
			fprintf(stderr, "xdpsecctl: metrics: %s\n",
				strerror(-err));
	}
	xs_dp_close(&dp);
}

/* Route one request line: "METHOD SP TARGET SP HTTP/x.y". */
static void handle(int fd, char *req, const char *pin_dir)
{
	char *method = req, *target, *ver, *q;

	req[strcspn(req, "\r\n")] = '\0'; /* also ends at an embedded NUL */
	target = strchr(method, ' ');
	ver = target ? strchr(target + 1, ' ') : NULL;
	if (!ver || strncmp(ver + 1, "HTTP/1.", 7)) {
		reply(fd, "400 Bad Request", "bad request");
		return;
	}
	*target++ = '\0';
	*ver = '\0';
	q = strchr(target, '?');
	if (q)
		*q = '\0';
	if (strcmp(target, "/metrics"))
		reply(fd, "404 Not Found", "try /metrics");
	else if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
		scrape(fd, pin_dir, !strcmp(method, "HEAD"));
	else
		reply(fd, "405 Method Not Allowed", "GET only");
}

static void serve_one(int lfd, const char *pin_dir)
{
	struct timeval rt = { .tv_sec = REQ_RECV_TIMEOUT_S };
	struct timeval st = { .tv_sec = SEND_TIMEOUT_S };
	char req[REQ_MAX];
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rt, sizeof(rt));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &st, sizeof(st));
	if (read_request(fd, req, sizeof(req)) > 0)
		handle(fd, req, pin_dir);
	shutdown(fd, SHUT_WR);
	close(fd);
}

static int serve(const char *pin_dir, const char *spec)
{
	int lfd = listen_on(spec);

	if (lfd < 0) {
		fprintf(stderr, "xdpsecctl: metrics: cannot listen on '%s'\n",
			spec);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "xdpsecctl: metrics on http://%s/metrics\n", spec);
	for (;;)
		serve_one(lfd, pin_dir);
	return 0;
}

int xs_metrics_main(const char *pin_dir, int argc, char **argv)
{
	const char *listen_spec = NULL;
	int i, once = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once"))
			once = 1;
		else if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			listen_spec = argv[++i];
		else
			break;
	}
	if (i < argc || once == !!listen_spec) {
		fprintf(stderr, "usage: xdpsecctl [--pin-dir DIR] metrics "
				"--once | --listen ADDR:PORT\n");
		return 2;
	}
	return once ? print_once(pin_dir) : serve(pin_dir, listen_spec);
}
