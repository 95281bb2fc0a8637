// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * PF_KEY service socket.  See pfkey_sock.h.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <openssl/crypto.h>
#include "pfkey_sock.h"
#include "../lib/log.h"
#include "../lib/pfkey_msg.h"

#define PEER_QUEUE_MAX (256u << 20) /* bytes queued before a peer is cut */

struct outmsg {
	struct outmsg *next;
	size_t len;
	uint8_t data[];
};

/* Tag at the start of everything registered with epoll. */
enum tag { TAG_LISTEN = 0x5846a001, TAG_PEER = 0x5846a002 };

struct peer {
	enum tag tag;
	int fd;
	struct xs_pfkey_peer pk; /* what the PF_KEY logic sees */
	struct outmsg *head, *tail;
	size_t queued;
	bool dead;
	struct peer *next;
};

struct xs_pfkey_sock {
	enum tag tag;
	int fd, epfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	xs_pfkey_sock_handler handle;
	void *handle_arg;
	struct peer *peers;
	uint32_t next_id;
	uint8_t *rxbuf; /* XS_PFKEY_MSG_MAX + 1 */
	bool has_group;
	gid_t group;
};

#define NSS_BUF 16384
#define MAX_GROUPS 1024

int xs_pfkey_group_lookup(const char *name, gid_t *gid)
{
	struct group gr, *res = NULL;
	char *buf, *end;
	unsigned long v;
	int err;

	buf = malloc(NSS_BUF);
	if (!buf)
		return -ENOMEM;
	err = getgrnam_r(name, &gr, buf, NSS_BUF, &res);
	if (!err && res)
		*gid = res->gr_gid;
	free(buf);
	if (res)
		return 0;
	errno = 0;
	v = strtoul(name, &end, 10);
	if (*name >= '0' && *name <= '9' && !*end && !errno && v < (gid_t)-1) {
		*gid = (gid_t)v;
		return 0;
	}
	return err ? -err : -ENOENT;
}

/* Is group among the groups of user uid (its passwd group included)? */
static bool user_in_group(uid_t uid, gid_t group)
{
	struct passwd pw, *res = NULL;
	int i, n = MAX_GROUPS;
	bool found = false;
	gid_t *groups;
	char *buf;

	buf = malloc(NSS_BUF);
	groups = calloc(MAX_GROUPS, sizeof(*groups));
	if (!buf || !groups || getpwuid_r(uid, &pw, buf, NSS_BUF, &res) || !res)
		goto out;
	if (pw.pw_gid == group) {
		found = true;
		goto out;
	}
	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &n) < 0)
		n = MAX_GROUPS; /* truncated: search what we got */
	for (i = 0; i < n && i < MAX_GROUPS && !found; i++)
		found = groups[i] == group;
out:
	free(groups);
	free(buf);
	return found;
}

bool xs_pfkey_peer_allowed(uid_t uid, gid_t gid, bool has_group, gid_t group)
{
	if (uid == 0)
		return true;
	if (!has_group)
		return false;
	return gid == group || user_in_group(uid, group);
}

int xs_pfkey_sock_allow_group(struct xs_pfkey_sock *s, gid_t gid)
{
	if (chown(s->path, 0, gid) || chmod(s->path, 0660))
		return -errno;
	s->group = gid;
	s->has_group = true;
	return 0;
}

static int mkparent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

struct xs_pfkey_sock *xs_pfkey_sock_new(const char *path, int epfd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN };
	struct xs_pfkey_sock *s;
	mode_t old;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->tag = TAG_LISTEN;
	s->epfd = epfd;
	s->rxbuf = malloc(XS_PFKEY_MSG_MAX + 1);
	snprintf(s->path, sizeof(s->path), "%s", path);
	memcpy(sun.sun_path, path, strlen(path));
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (!s->rxbuf || s->fd < 0 || mkparent(path))
		goto fail;
	unlink(path);
	old = umask(0177); /* socket file 0600: root only */
	if (bind(s->fd, (struct sockaddr *)&sun, sizeof(sun))) {
		umask(old);
		goto fail;
	}
	umask(old);
	if (listen(s->fd, 64))
		goto fail_unlink;
	ev.data.ptr = s;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev))
		goto fail_unlink;
	return s;
fail_unlink:
	unlink(path);
fail:
	if (s->fd >= 0)
		close(s->fd);
	free(s->rxbuf);
	free(s);
	return NULL;
}

void xs_pfkey_sock_attach(struct xs_pfkey_sock *s, xs_pfkey_sock_handler fn,
			  void *arg)
{
	s->handle = fn;
	s->handle_arg = arg;
}

static void free_queue(struct peer *p)
{
	struct outmsg *m = p->head, *n;

	for (; m; m = n) {
		n = m->next;
		free(m);
	}
	p->head = p->tail = NULL;
	p->queued = 0;
}

static void peer_close(struct xs_pfkey_sock *s, struct peer *p)
{
	struct peer **pp;

	for (pp = &s->peers; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, p->fd, NULL);
	close(p->fd);
	free_queue(p);
	free(p);
}

void xs_pfkey_sock_free(struct xs_pfkey_sock *s)
{
	if (!s)
		return;
	while (s->peers)
		peer_close(s, s->peers);
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	unlink(s->path);
	free(s->rxbuf);
	free(s);
}

static void want_out(struct xs_pfkey_sock *s, struct peer *p, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0),
				  .data.ptr = p };

	epoll_ctl(s->epfd, EPOLL_CTL_MOD, p->fd, &ev);
}

/* Write queued messages; returns false if the peer must be closed. */
static bool flush_out(struct xs_pfkey_sock *s, struct peer *p)
{
	while (p->head) {
		struct outmsg *m = p->head;

		if (send(p->fd, m->data, m->len, MSG_DONTWAIT | MSG_NOSIGNAL) <
		    0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return false;
		}
		p->head = m->next;
		if (!p->head)
			p->tail = NULL;
		p->queued -= m->len;
		free(m);
	}
	want_out(s, p, p->head != NULL);
	return true;
}

static int enqueue(struct peer *p, const void *msg, size_t len)
{
	struct outmsg *m;

	if (p->queued + len > PEER_QUEUE_MAX)
		return -ENOBUFS;
	m = malloc(sizeof(*m) + len);
	if (!m)
		return -ENOMEM;
	m->next = NULL;
	m->len = len;
	memcpy(m->data, msg, len);
	if (p->tail)
		p->tail->next = m;
	else
		p->head = m;
	p->tail = m;
	p->queued += len;
	return 0;
}

static int sock_send(void *ctx, struct xs_pfkey_peer *to, const void *msg,
		     size_t len)
{
	struct xs_pfkey_sock *s = ctx;
	struct peer *p = to->io;
	int err;

	if (!p || p->dead)
		return -EPIPE;
	if (!p->head) {
		if (send(p->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			p->dead = true;
			return -errno;
		}
	}
	err = enqueue(p, msg, len);
	if (err) {
		xs_log_warn("pfkey: peer %u (pid %d) is not reading; "
			    "disconnecting it",
			    p->pk.id, (int)p->pk.pid);
		p->dead = true;
		return err;
	}
	want_out(s, p, true);
	return 0;
}

static int sock_foreach(void *ctx, int (*cb)(struct xs_pfkey_peer *, void *),
			void *arg)
{
	struct xs_pfkey_sock *s = ctx;
	struct peer *p;
	int ret;

	for (p = s->peers; p; p = p->next) {
		if (p->dead)
			continue;
		ret = cb(&p->pk, arg);
		if (ret)
			return ret;
	}
	return 0;
}

const struct xs_pfkey_ops xs_pfkey_sock_ops = {
	.send = sock_send,
	.foreach_peer = sock_foreach,
};

static void do_accept(struct xs_pfkey_sock *s)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct peer *p;
	int fd;

	fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) ||
	    clen != sizeof(cred) ||
	    !xs_pfkey_peer_allowed(cred.uid, cred.gid, s->has_group,
				   s->group)) {
		xs_log_warn("pfkey: refused a peer that is not root%s "
			    "(uid %d gid %d pid %d)",
			    s->has_group ? " or in the PF_KEY group" : "",
			    clen == sizeof(cred) ? (int)cred.uid : -1,
			    clen == sizeof(cred) ? (int)cred.gid : -1,
			    clen == sizeof(cred) ? (int)cred.pid : -1);
		close(fd);
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		return;
	}
	p->tag = TAG_PEER;
	p->fd = fd;
	p->pk.id = ++s->next_id;
	p->pk.pid = cred.pid;
	p->pk.io = p;
	ev.data.ptr = p;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		free(p);
		return;
	}
	p->next = s->peers;
	s->peers = p;
	xs_log_debug("pfkey: peer %u connected (pid %d)", p->pk.id,
		     (int)cred.pid);
}

/* Read one message per call (SOCK_SEQPACKET keeps boundaries). */
static bool do_read(struct xs_pfkey_sock *s, struct peer *p)
{
	ssize_t n;

	n = recv(p->fd, s->rxbuf, XS_PFKEY_MSG_MAX + 1, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ||
		       errno == EINTR;
	if (n == 0)
		return false;
	if (s->handle)
		s->handle(s->handle_arg, &p->pk, s->rxbuf, (size_t)n);
	/* requests may carry keys */
	OPENSSL_cleanse(s->rxbuf, (size_t)n);
	return true;
}

int xs_pfkey_sock_owns(const struct xs_pfkey_sock *s,
		       const struct epoll_event *ev)
{
	const enum tag *t = ev->data.ptr;

	(void)s;
	return t && (*t == TAG_LISTEN || *t == TAG_PEER);
}

void xs_pfkey_sock_event(struct xs_pfkey_sock *s, const struct epoll_event *ev)
{
	struct peer *p = ev->data.ptr;
	bool ok = true;

	if (ev->data.ptr == s) {
		do_accept(s);
		return;
	}
	if (ev->events & EPOLLIN)
		ok = do_read(s, p);
	if (ok && (ev->events & EPOLLOUT))
		ok = flush_out(s, p);
	if (ok && (ev->events & (EPOLLERR | EPOLLHUP)) &&
	    !(ev->events & EPOLLIN))
		ok = false;
	if (!ok || p->dead)
		peer_close(s, p);
}
