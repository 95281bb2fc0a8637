// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * PF_KEY client socket of the setkey tool (see client.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "client.h"

int xs_skclient_open(struct xs_skclient *c, const char *path)
{
	struct timeval tv = { .tv_sec = XS_SKCLIENT_TIMEOUT };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int ret;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!path)
		path = getenv(XS_PFKEY_SOCKET_ENV);
	if (!path || !*path)
		path = XS_PFKEY_SOCKET_DEFAULT;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	c->buf = malloc(XS_PFKEY_MSG_MAX);
	if (!c->buf)
		return -ENOMEM;
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		goto err;
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		goto err;
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)))
		goto err;
	c->pid = (uint32_t)getpid();
	return 0;
err:
	ret = -errno;
	xs_skclient_close(c);
	return ret;
}

void xs_skclient_close(struct xs_skclient *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

/* Next message that answers req (type, pid and, but for dumps whose seq
 * counts down, seq); anything else is another socket's broadcast. */
static int recv_reply(struct xs_skclient *c, const struct sadb_msg *req,
		      bool dump, struct xs_pfkey_msg *m)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->buf, XS_PFKEY_MSG_MAX, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ?
				       -ETIMEDOUT :
				       -errno;
		if (n == 0)
			return -ECONNRESET;
		if (xs_pfkey_parse(c->buf, (size_t)n, m))
			continue; /* not for us to judge: skip */
		if (m->hdr->sadb_msg_type == req->sadb_msg_type &&
		    m->hdr->sadb_msg_pid == req->sadb_msg_pid &&
		    (dump || m->hdr->sadb_msg_seq == req->sadb_msg_seq))
			return 0;
	}
}

int xs_skclient_request(struct xs_skclient *c, const void *msg, size_t len,
			int (*cb)(const struct xs_pfkey_msg *m, void *arg),
			void *arg)
{
	const struct sadb_msg *req = msg;
	bool dump = req->sadb_msg_type == SADB_DUMP ||
		    req->sadb_msg_type == SADB_X_SPDDUMP;
	struct xs_pfkey_msg m;
	int ret, stop = 0;

	if (len < sizeof(*req))
		return -EINVAL;
	if (send(c->fd, msg, len, 0) != (ssize_t)len)
		return errno ? -errno : -EIO;
	do {
		ret = recv_reply(c, req, dump, &m);
		if (ret)
			return ret;
		if (m.hdr->sadb_msg_errno)
			return -(int)m.hdr->sadb_msg_errno;
		if (cb && !stop)
			stop = cb(&m, arg);
	} while (dump && m.hdr->sadb_msg_seq != 0);
	return stop;
}
