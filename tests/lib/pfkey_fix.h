/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * PF_KEY dispatcher fixture: a real SADB and SPD (maps as the test opens
 * them in dp, none by default), an xs_pfkey whose ops deliver to fake
 * peers that record every message they receive, a fake clock, and one
 * request buffer.  Assertions are cmocka's.
 */
#ifndef XT_PFKEY_FIX_H
#define XT_PFKEY_FIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../../ctl/daemon/pfkey.h"
#include "../../ctl/lib/pfkey_msg.h"

#define XT_PFK_NPEER 4 /* peers a fixture can hold */
#define XT_PFK_MAXREC 80 /* messages a peer records */
#define XT_PFK_RECLEN 8192 /* bytes a recorded message may have */

struct xt_pfk_peer {
	struct xs_pfkey_peer peer;
	bool hidden; /* not listed by foreach_peer (as the -f loader) */
	int n; /* messages received since the last clear */
	size_t len[XT_PFK_MAXREC];
	uint8_t msg[XT_PFK_MAXREC][XT_PFK_RECLEN];
};

struct xt_pfk {
	struct xs_dp dp; /* maps the test creates before xt_pfk_open */
	struct xs_sadb *sadb;
	struct xs_spd *spd;
	struct xs_pfkey *pk;
	struct xt_pfk_peer peers[XT_PFK_NPEER];
	int npeer;
	uint64_t now; /* what xt_pfk_clock returns */
	struct xs_msgbuf b; /* the request being built, over req */
	uint8_t req[XS_PFKEY_MSG_MAX];
	size_t reqlen; /* of the last request sent by xt_pfk_send */
};

/* A zeroed fixture with no datapath maps; NULL without memory. */
struct xt_pfk *xt_pfk_new(void);
/* SADB and SPD of slots entries on fx->dp, the dispatcher, and npeer
 * listed peers: peer i has id i + 1 and pid 1000 + i. */
void xt_pfk_open(struct xt_pfk *fx, size_t slots, int npeer);
/* Free what open made, close the maps in dp, free fx (NULL is fine). */
void xt_pfk_free(struct xt_pfk *fx);
/* A cmocka teardown for a setup that put the fixture in *state. */
int xt_pfk_teardown(void **state);

/* A clock for xs_sadb_set_clock / xs_spd_set_clock (arg: the fixture). */
uint64_t xt_pfk_clock(void *fx);
/* Forget what every peer received. */
void xt_pfk_clear(struct xt_pfk *fx);
/* Start a request in fx->req; add extensions through fx->b. */
struct xs_msgbuf *xt_pfk_begin(struct xt_pfk *fx, uint8_t type, uint8_t satype,
			       uint32_t seq, uint32_t pid);
/* End the request, clear the peers and hand it to the dispatcher as
 * sent by peer `from`; what xs_pfkey_handle returned. */
int xt_pfk_send(struct xt_pfk *fx, int from);

/* An address of the family its syntax says, with prefix and port. */
void xt_pfk_addr(struct xs_addr *a, const char *ip, uint8_t plen,
		 uint16_t port);

#endif
