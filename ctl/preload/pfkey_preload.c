// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libxdpsec-pfkey.so: run unmodified PF_KEY v2 programs against xdpsecd.
 *
 *   LD_PRELOAD=/path/to/libxdpsec-pfkey.so setkey -D
 *
 * socket(PF_KEY, SOCK_RAW, PF_KEY_V2) returns a SOCK_SEQPACKET AF_UNIX
 * socket connected to xdpsecd ($XDPSEC_PFKEY_SOCKET, default
 * /run/xdpsec/pfkey.sock).  A seqpacket socket keeps one PF_KEY message
 * per packet, so everything real clients do on the socket works unchanged:
 * send/recv of whole messages, recv(MSG_PEEK) of the header,
 * SO_SNDBUF/SO_RCVBUF/SO_RCVTIMEO, close.  Every other socket() call goes
 * to libc untouched.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/pfkeyv2.h>

#ifndef PF_KEY
#define PF_KEY 15
#endif

#define DEFAULT_PATH "/run/xdpsec/pfkey.sock"

typedef int (*socket_fn)(int, int, int);

static socket_fn real_socket(void)
{
	static socket_fn fn;

	if (!fn)
		fn = (socket_fn)dlsym(RTLD_NEXT, "socket");
	return fn;
}

static int pfkey_connect(int type)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = getenv("XDPSEC_PFKEY_SOCKET");
	int flags = type & (SOCK_CLOEXEC | SOCK_NONBLOCK);
	int fd, err;

	if (!path || !*path)
		path = DEFAULT_PATH;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	/* connect blocking, then apply the caller's flags */
	fd = real_socket()(AF_UNIX, SOCK_SEQPACKET | (flags & SOCK_CLOEXEC), 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = errno;
		close(fd);
		/* as a kernel without PF_KEY would answer */
		errno = err == ENOENT ? EAFNOSUPPORT : err;
		return -1;
	}
	if ((flags & SOCK_NONBLOCK) &&
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int socket(int domain, int type, int protocol)
{
	socket_fn fn = real_socket();

	if (domain == PF_KEY &&
	    (type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) == SOCK_RAW &&
	    protocol == PF_KEY_V2)
		return pfkey_connect(type);
	if (!fn) {
		errno = ENOSYS;
		return -1;
	}
	return fn(domain, type, protocol);
}
