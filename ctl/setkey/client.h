/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * PF_KEY client of xdpsecd: a SOCK_SEQPACKET AF_UNIX socket (the kernel
 * has no PF_KEY here) at $XDPSEC_PFKEY_SOCKET, default
 * /run/xdpsec/pfkey.sock.  One message per send(), one per recv().
 * Replies are told apart from other sockets' broadcasts by type and pid.
 */
#ifndef XS_SETKEY_CLIENT_H
#define XS_SETKEY_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include "../lib/pfkey_msg.h"

#define XS_PFKEY_SOCKET_ENV "XDPSEC_PFKEY_SOCKET"
#define XS_PFKEY_SOCKET_DEFAULT "/run/xdpsec/pfkey.sock"
#define XS_SKCLIENT_TIMEOUT 5 /* seconds without a reply: -ETIMEDOUT */

struct xs_skclient {
	int fd;
	uint32_t pid; /* sadb_msg_pid of our requests */
	uint32_t seq; /* last sadb_msg_seq used */
	uint8_t *buf; /* XS_PFKEY_MSG_MAX bytes for replies */
};

/* path NULL: the environment or the default. */
int xs_skclient_open(struct xs_skclient *c, const char *path);
void xs_skclient_close(struct xs_skclient *c);

/*
 * Send the request msg (len bytes) and read its replies: one, or for
 * SADB_DUMP/SADB_X_SPDDUMP until the one with seq 0.  cb (may be NULL) is
 * called for each successful reply; its first non-zero return is kept
 * and returned once the rest of a dump is drained.  Returns 0, the
 * reply's errno as a negative value, -ETIMEDOUT, another negative errno,
 * or cb's value.
 */
int xs_skclient_request(struct xs_skclient *c, const void *msg, size_t len,
			int (*cb)(const struct xs_pfkey_msg *m, void *arg),
			void *arg);

#endif /* XS_SETKEY_CLIENT_H */
