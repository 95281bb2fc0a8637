/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * PF_KEY v2 request handling: one request in, replies and broadcasts out,
 * with the semantics of RFC 2367 and the Linux af_key numbering.  Sockets
 * are not this module's business: the socket layer (pfkey_sock.c) reads a
 * message, calls xs_pfkey_handle(), and delivers what it is told to send.
 *
 * Who receives what (as Linux af_key): errors only the sender; ADD, UPDATE,
 * DELETE, FLUSH, SPDADD/UPDATE/DELETE/FLUSH to every socket; GET, SPDGET and
 * DUMP/SPDDUMP and GETSPI to the sender only; REGISTER's reply to the sender
 * (with the supported algorithms), promiscuous sockets also see every
 * request.  EXPIRE and ACQUIRE (sent by the daemon) reach the sockets registered for
 * the SA's satype and the promiscuous ones, X_SPDEXPIRE those registered
 * for any satype and the promiscuous ones (Linux sends to every
 * registered socket; RFC 2367 3.1.10 to the registered ones of that type).
 * Replies never carry key material.  Dumps send one message per entry with
 * sadb_msg_seq counting down, the last with seq 0; an empty dump is one
 * ENOENT reply.
 */
#ifndef XS_PFKEY_H
#define XS_PFKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "sadb.h"
#include "spd.h"

struct xs_pfkey_peer {
	uint32_t id; /* unique per connection */
	pid_t pid; /* from SO_PEERCRED */
	bool promisc; /* SADB_X_PROMISC */
	uint32_t registered; /* bit (1 << satype) per SADB_REGISTER */
	void *io; /* the socket layer's */
};

struct xs_pfkey_ops {
	/* Queue one message to one peer.  Must not fail for a live peer
	 * short of memory exhaustion (the socket layer buffers). */
	int (*send)(void *ctx, struct xs_pfkey_peer *to, const void *msg,
		    size_t len);
	/* Call cb for every connected peer; stop if cb returns non-zero. */
	int (*foreach_peer)(void *ctx,
			    int (*cb)(struct xs_pfkey_peer *p, void *arg),
			    void *arg);
};

struct xs_pfkey;

struct xs_pfkey *xs_pfkey_new(struct xs_sadb *sadb, struct xs_spd *spd,
			      const struct xs_pfkey_ops *ops, void *ctx);
void xs_pfkey_free(struct xs_pfkey *pk);

/* Handle one request from "from" (which may be an internal peer, e.g. the
 * -f file loader).  Returns the errno put in the reply (0 on success) as a
 * negative value, for the caller's logs. */
int xs_pfkey_handle(struct xs_pfkey *pk, struct xs_pfkey_peer *from,
		    const void *msg, size_t len);

/* GETSPI without SPIRANGE picks in [XS_SADB_SPI_MIN, this] (as Linux). */
#define XS_PFKEY_SPI_MAX 0x0fffffffu

/* Lifetime check (once a second): sends SADB_EXPIRE soft/hard, hard
 * expiry deletes the SA (xs_sadb_expire).  Returns the SAs deleted. */
int xs_pfkey_expire(struct xs_pfkey *pk);

/* Policy lifetime check (once a second, with the SPD write-locked):
 * expired policies are removed (xs_spd_expire) and announced with
 * SADB_X_SPDEXPIRE to every registered socket and the promiscuous ones.
 * Returns the policies removed. */
int xs_pfkey_spd_expire(struct xs_pfkey *pk);

/* tc_egress found no SA for a request (include/xdpsec/xdpsec.h): send
 * SADB_ACQUIRE (pfkey_acquire.h) to the sockets registered for its
 * satype and the promiscuous ones.  -ENOENT if the policy is gone. */
int xs_pfkey_acquire(struct xs_pfkey *pk, const struct xs_acquire_ev *ev);

#endif /* XS_PFKEY_H */
