/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Applying a setkey(8) file at start (xdpsecd -f): each command is parsed
 * by the setkey parser, encoded as the PF_KEY request setkey would send and
 * handled by the PF_KEY logic as if a client had sent it, so a file and a
 * live `setkey -f` have one meaning.  Files holding keys must not be
 * readable by group or others (as OpenBSD's check_file_secrecy).
 */
#ifndef XS_CONF_H
#define XS_CONF_H

#include "pfkey.h"

/* The peer that stands for the file; its replies are checked, not sent. */
extern struct xs_pfkey_peer xs_conf_peer;
/* Record the errno of a reply sent to xs_conf_peer. */
void xs_conf_reply(const void *msg, size_t len);
/* A loaded file: read (and its permissions checked) before anything is
 * attached, applied once the datapath is up. */
struct xs_conf {
	const char *path;
	char *text;
	size_t len;
};

/* -errno (logged) if the file cannot be read or is not private. */
int xs_conf_read(struct xs_conf *c, const char *path);
/* 0, or -errno with the reason logged as "file:line: message". */
int xs_conf_apply(struct xs_pfkey *pk, const struct xs_conf *c);
/* Wipe and free the text. */
void xs_conf_free(struct xs_conf *c);

#endif /* XS_CONF_H */
