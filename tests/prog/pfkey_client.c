// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A PF_KEY v2 client written for a kernel PF_KEY socket, nothing else:
 * socket(PF_KEY, SOCK_RAW, PF_KEY_V2), send whole messages, read the
 * header with MSG_PEEK then the full message (as KAME setkey does).
 * Run under LD_PRELOAD=libxdpsec-pfkey.so it must talk to xdpsecd.
 *
 *   pfkey_client MIN_SAS    REGISTER (ESP), then DUMP: expect >= MIN_SAS
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/pfkeyv2.h>

#ifndef PF_KEY
#define PF_KEY 15
#endif

static int fail(const char *what)
{
	fprintf(stderr, "pfkey_client: %s: %s\n", what, strerror(errno));
	return 1;
}

static int send_msg(int fd, uint8_t type, uint8_t satype, uint32_t seq)
{
	struct sadb_msg m = {
		.sadb_msg_version = PF_KEY_V2,
		.sadb_msg_type = type,
		.sadb_msg_satype = satype,
		.sadb_msg_len = sizeof(m) / 8,
		.sadb_msg_seq = seq,
		.sadb_msg_pid = (uint32_t)getpid(),
	};

	return send(fd, &m, sizeof(m), 0) == sizeof(m) ? 0 : -1;
}

/* Peek the header, then read the whole message; -1 on error. */
static int recv_msg(int fd, uint8_t *buf, size_t cap)
{
	struct sadb_msg h;
	ssize_t n;

	n = recv(fd, &h, sizeof(h), MSG_PEEK);
	if (n != sizeof(h))
		return -1;
	if ((size_t)h.sadb_msg_len * 8 > cap) {
		errno = EMSGSIZE;
		return -1;
	}
	n = recv(fd, buf, (size_t)h.sadb_msg_len * 8, 0);
	if (n != (ssize_t)h.sadb_msg_len * 8) {
		errno = EPROTO;
		return -1;
	}
	return (int)n;
}

static int has_ext(const uint8_t *buf, int len, uint16_t type)
{
	int off = sizeof(struct sadb_msg);

	while (off + (int)sizeof(struct sadb_ext) <= len) {
		const struct sadb_ext *e = (const void *)(buf + off);

		if (!e->sadb_ext_len)
			return 0;
		if (e->sadb_ext_type == type)
			return 1;
		off += e->sadb_ext_len * 8;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int min = argc > 1 ? atoi(argv[1]) : 0, fd, n, count = 0;
	struct timeval tv = { .tv_sec = 5 };
	static uint8_t buf[65536];
	const struct sadb_msg *r = (const void *)buf;
	int bufsz = 128 * 1024;

	fd = socket(PF_KEY, SOCK_RAW, PF_KEY_V2);
	if (fd < 0)
		return fail("socket(PF_KEY)");
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	if (send_msg(fd, SADB_REGISTER, SADB_SATYPE_ESP, 1))
		return fail("send REGISTER");
	n = recv_msg(fd, buf, sizeof(buf));
	if (n < 0)
		return fail("recv REGISTER");
	if (r->sadb_msg_type != SADB_REGISTER || r->sadb_msg_errno ||
	    r->sadb_msg_pid != (uint32_t)getpid() ||
	    !has_ext(buf, n, SADB_EXT_SUPPORTED_ENCRYPT)) {
		fprintf(stderr,
			"pfkey_client: bad REGISTER reply (type %u "
			"errno %u pid %u)\n",
			r->sadb_msg_type, r->sadb_msg_errno, r->sadb_msg_pid);
		return 1;
	}

	if (send_msg(fd, SADB_DUMP, SADB_SATYPE_UNSPEC, 2))
		return fail("send DUMP");
	do {
		n = recv_msg(fd, buf, sizeof(buf));
		if (n < 0)
			return fail("recv DUMP");
		if (r->sadb_msg_type != SADB_DUMP || r->sadb_msg_errno) {
			fprintf(stderr,
				"pfkey_client: DUMP reply type %u "
				"errno %u\n",
				r->sadb_msg_type, r->sadb_msg_errno);
			return 1;
		}
		if (has_ext(buf, n, SADB_EXT_KEY_ENCRYPT) ||
		    has_ext(buf, n, SADB_EXT_KEY_AUTH)) {
			fprintf(stderr, "pfkey_client: key in a DUMP reply\n");
			return 1;
		}
		count++;
	} while (r->sadb_msg_seq != 0);
	close(fd);
	printf("pfkey_client: REGISTER ok, DUMP %d SAs\n", count);
	return count >= min ? 0 : 1;
}
