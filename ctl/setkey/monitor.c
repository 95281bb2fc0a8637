// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * setkey -x (see monitor.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "monitor.h"

struct line {
	char *buf;
	size_t size, len;
};

static void add(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= l->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->size - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n;
	if (l->len >= l->size)
		l->len = l->size - 1;
}

static void add_addr(struct line *l, const char *tag, const struct xs_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	if (!a->family || !inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET,
				     a->a, s, sizeof(s)))
		return;
	add(l, " %s=%s", tag, s);
	if (a->plen != (a->family == AF_INET6 ? 128 : 32))
		add(l, "/%u", a->plen);
	if (a->port)
		add(l, "[%u]", a->port);
}

static const char *const dirs[] = { "any", "in", "out", "fwd" };
static const char *const states[] = { "larval", "mature", "dying", "dead" };

static void add_sa(struct line *l, const struct xs_pfkey_msg *m)
{
	struct xs_sa sa;

	if (xs_pfkey_get_sa(m, &sa))
		return;
	if (m->ext[SADB_EXT_SA])
		add(l, " spi=0x%08x state=%s", sa.spi,
		    sa.state < 4 ? states[sa.state] : "?");
	add_addr(l, "src", &sa.src);
	add_addr(l, "dst", &sa.dst);
	if (m->ext[SADB_EXT_LIFETIME_HARD] &&
	    m->hdr->sadb_msg_type == SADB_EXPIRE)
		add(l, " hard");
	if (m->ext[SADB_EXT_LIFETIME_SOFT] &&
	    m->hdr->sadb_msg_type == SADB_EXPIRE)
		add(l, " soft");
	xs_sa_wipe(&sa);
}

static void add_policy(struct line *l, const struct xs_pfkey_msg *m)
{
	struct xs_spolicy sp;

	if (xs_pfkey_get_policy(m, &sp))
		return;
	add_addr(l, "src", &sp.sel.src);
	add_addr(l, "dst", &sp.sel.dst);
	add(l, " dir=%s id=%u", sp.dir < 4 ? dirs[sp.dir] : "?", sp.id);
}

void xs_setkey_format_msg(char *buf, size_t size, const struct xs_pfkey_msg *m)
{
	const struct sadb_msg *h = m->hdr;
	struct line l = { buf, size, 0 };

	if (!size)
		return;
	buf[0] = 0;
	add(&l, "%s satype=%s seq=%u pid=%u",
	    xs_pfkey_type_name(h->sadb_msg_type),
	    xs_pfkey_satype_name(h->sadb_msg_satype), h->sadb_msg_seq,
	    h->sadb_msg_pid);
	if (h->sadb_msg_errno)
		add(&l, " errno=%u(%s)", h->sadb_msg_errno,
		    strerror(h->sadb_msg_errno));
	if (m->ext[SADB_X_EXT_POLICY])
		add_policy(&l, m);
	else if (m->ext[SADB_EXT_ADDRESS_DST] || m->ext[SADB_EXT_SA])
		add_sa(&l, m);
}

static int promisc(struct xs_skclient *c)
{
	struct xs_msgbuf b;
	uint8_t msg[16];
	int len;

	xs_msgbuf_init(&b, msg, sizeof(msg));
	xs_pfkey_begin(&b, SADB_X_PROMISC, 1, ++c->seq, c->pid);
	len = xs_pfkey_end(&b);
	if (len < 0)
		return len;
	return xs_skclient_request(c, msg, (size_t)len, NULL, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int xs_setkey_monitor(struct xs_skclient *c, int seconds, FILE *out)
{
	int64_t end = now_ms() + (int64_t)seconds * 1000;
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	struct xs_pfkey_msg m;
	char line[512];
	ssize_t n;
	int ret, wait;

	ret = promisc(c);
	if (ret)
		return ret;
	for (;;) {
		wait = seconds > 0 ? (int)(end - now_ms()) : -1;
		if (seconds > 0 && wait <= 0)
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
		if (xs_pfkey_parse(c->buf, (size_t)n, &m)) {
			fprintf(out, "(malformed message, %zd bytes)\n", n);
		} else {
			xs_setkey_format_msg(line, sizeof(line), &m);
			fprintf(out, "%s\n", line);
		}
		fflush(out);
	}
}
