/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The PF_KEY v2 service socket: a local SOCK_SEQPACKET socket (one PF_KEY
 * message per packet, as a PF_KEY socket), reachable by root only (file
 * mode 0600 and SO_PEERCRED checked on accept; or root and one group,
 * mode 0660, with --pfkey-group).  Messages are handed to
 * the handler (xs_pfkey_handle() in the end); what it sends is queued per
 * peer and written when the peer can take it, so a dump of any size never
 * blocks the daemon.
 */
#ifndef XS_PFKEY_SOCK_H
#define XS_PFKEY_SOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/types.h>
#include "pfkey.h"

#define XS_PFKEY_SOCK_DEFAULT "/run/xdpsec/pfkey.sock"

struct xs_pfkey_sock;

/* Bind and listen on path (its directory is created 0755, the socket is
 * 0600), registering with epfd.  An existing socket file is replaced. */
struct xs_pfkey_sock *xs_pfkey_sock_new(const char *path, int epfd);
void xs_pfkey_sock_free(struct xs_pfkey_sock *s);
/* --pfkey-group: also accept peers in group gid; the socket file becomes
 * mode 0660, group gid.  -errno. */
int xs_pfkey_sock_allow_group(struct xs_pfkey_sock *s, gid_t gid);
/* The gid of a group name or number.  -ENOENT if there is none. */
int xs_pfkey_group_lookup(const char *name, gid_t *gid);
/* May a peer with these credentials use the socket?  Root always; with
 * has_group, also a peer whose gid is group or whose user (uid) is a
 * member of group (getgrouplist). */
bool xs_pfkey_peer_allowed(uid_t uid, gid_t gid, bool has_group, gid_t group);
/* Every message read is passed to handle(arg, peer, msg, len). */
typedef void (*xs_pfkey_sock_handler)(void *arg, struct xs_pfkey_peer *from,
				      const void *msg, size_t len);
void xs_pfkey_sock_attach(struct xs_pfkey_sock *s, xs_pfkey_sock_handler fn,
			  void *arg);
/* The ops to give xs_pfkey_new(), with ctx = s. */
extern const struct xs_pfkey_ops xs_pfkey_sock_ops;
/* Handle one epoll event whose data.ptr this module registered. */
void xs_pfkey_sock_event(struct xs_pfkey_sock *s, const struct epoll_event *ev);
/* True if ev belongs to this module. */
int xs_pfkey_sock_owns(const struct xs_pfkey_sock *s,
		       const struct epoll_event *ev);

#endif /* XS_PFKEY_SOCK_H */
