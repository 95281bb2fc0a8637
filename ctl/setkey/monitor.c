// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * setkey -x (see monitor.h): the receive loop, the date line and the
 * hexdump of ipsec-tools' promisc(); the message text is kdebug.c's.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "monitor.h"

/* printdate(): -x local time of day, -xx seconds since the epoch. */
static void print_date(FILE *f, int tflag, const struct timeval *tv)
{
	struct tm tm;
	time_t t = tv->tv_sec;
	long s;

	if (tflag == 1 && localtime_r(&t, &tm)) {
		s = (long)((t + tm.tm_gmtoff) % 86400);
		if (s < 0)
			s += 86400;
		fprintf(f, "%02ld:%02ld:%02ld.%06u ", s / 3600, (s % 3600) / 60,
			s % 60, (unsigned int)tv->tv_usec);
	} else if (tflag > 1) {
		fprintf(f, "%u.%06u ", (unsigned int)tv->tv_sec,
			(unsigned int)tv->tv_usec);
	}
	fputc('\n', f);
}

static void print_hex(FILE *f, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 16 == 0)
			fprintf(f, "%08zx: ", i);
		fprintf(f, "%02x ", p[i]);
		if (i % 16 == 15)
			fputc('\n', f);
	}
	if (len % 16)
		fputc('\n', f);
}

void xs_setkey_monitor_print(FILE *f, const struct xs_monitor_opts *o,
			     const struct timeval *tv, const void *msg,
			     size_t len)
{
	const struct sadb_msg *h = msg;
	const uint8_t *p = msg;

	if (len < sizeof(*h))
		return;
	print_date(f, o->tflag, tv);
	if (o->hexdump)
		print_hex(f, p, len);
	/* a promiscuous copy wrapped in an X_PROMISC header: unwrap; a bare
	 * X_PROMISC: nothing more */
	if (h->sadb_msg_type == SADB_X_PROMISC) {
		if (len <= sizeof(*h))
			return;
		p += sizeof(*h);
		len -= sizeof(*h);
	}
	xs_setkey_kdebug(f, p, len);
	fputc('\n', f);
}

/* SADB_X_PROMISC on; its reply comes through the receive loop. */
static int promisc_on(struct xs_skclient *c)
{
	struct xs_msgbuf b;
	uint8_t msg[16];
	int len;

	xs_msgbuf_init(&b, msg, sizeof(msg));
	xs_pfkey_begin(&b, SADB_X_PROMISC, 1, ++c->seq, c->pid);
	len = xs_pfkey_end(&b);
	if (len < 0)
		return len;
	return send(c->fd, msg, (size_t)len, 0) == len ? 0 : -errno;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int xs_setkey_monitor(struct xs_skclient *c, const struct xs_monitor_opts *o,
		      FILE *out)
{
	int64_t end = now_ms() + (int64_t)o->seconds * 1000;
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	struct timeval tv;
	ssize_t n;
	int ret, wait;

	ret = promisc_on(c);
	if (ret)
		return ret;
	for (;;) {
		wait = o->seconds > 0 ? (int)(end - now_ms()) : -1;
		if (o->seconds > 0 && wait <= 0)
			return 0;
		ret = poll(&pfd, 1, wait);
		if (ret < 0)
			return errno == EINTR ? 0 : -errno;
		if (!ret)
			continue;
		n = recv(c->fd, c->buf, XS_PFKEY_MSG_MAX, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n ? -errno : -ECONNRESET;
		gettimeofday(&tv, NULL);
		xs_setkey_monitor_print(out, o, &tv, c->buf, (size_t)n);
		fflush(out);
	}
}
