/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * PF_KEY v2 codec (RFC 2367, numbering and layouts of <linux/pfkeyv2.h>).
 *
 * Decoding is two steps: xs_pfkey_parse() checks the framing of one message
 * and indexes its extensions; xs_pfkey_get_sa()/xs_pfkey_get_policy() turn
 * the extensions into the model structs of types.h, checking semantics.
 * Encoding appends to a bounded buffer: xs_pfkey_begin(), xs_pfkey_put_*(),
 * xs_pfkey_end().  Overflow is sticky and reported by xs_pfkey_end().
 *
 * Used by xdpsecd (decode requests, encode replies) and by setkey (encode
 * requests, decode replies), so both sides agree by construction.
 * All functions return 0 or a negative errno.
 */
#ifndef XS_PFKEY_MSG_H
#define XS_PFKEY_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <linux/pfkeyv2.h>
#include "types.h"

#define XS_PFKEY_MSG_MAX 65536 /* largest message built or accepted */

struct xs_msgbuf {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err; /* first error (-ENOBUFS), sticky */
};

void xs_msgbuf_init(struct xs_msgbuf *b, void *buf, size_t cap);

/*
 * xdpsec's own PF_KEY extensions and flags, numbered above what
 * <linux/pfkeyv2.h> uses (its SADB_EXT_MAX is 26; FreeBSD's
 * SADB_X_EXT_SA_REPLAY is 19 there, which Linux gives to NAT_T_TYPE).
 *
 * SADB_X_EXT_XS_REPLAY (27): the anti-replay window in packets (u32),
 * for windows larger than sadb_sa_replay's 255 bytes (2040 packets), up
 * to XS_REPLAY_MAX; it overrides sadb_sa_replay.  setkey: -R packets.
 * SADB_X_SAFLAGS_ESN (0x400 in sadb_sa_flags, FreeBSD's and OpenBSD's
 * value; Linux defines only bits 0, 29, 30, 31): extended sequence numbers
 * (RFC 4303 2.2.1).  setkey: -esn.
 */
#define SADB_X_EXT_XS_REPLAY 27
#define XS_SADB_EXT_MAX SADB_X_EXT_XS_REPLAY
#ifndef SADB_X_SAFLAGS_ESN
#define SADB_X_SAFLAGS_ESN 0x400
#endif

/*
 * NAT traversal (RFC 3948), Linux's extensions: SADB_X_EXT_NAT_T_TYPE
 * (sadb_x_nat_t_type), SADB_X_EXT_NAT_T_SPORT/DPORT (sadb_x_nat_t_port,
 * port in network order), SADB_X_EXT_NAT_T_OA (a sadb_address), decoded
 * into xs_sa's natt_* fields by xs_pfkey_get_sa() and emitted by
 * xs_pfkey_put_sa() whenever natt_type is not 0 (replies, dumps, GET,
 * EXPIRE).  Decoding rules:
 *  - TYPE and SPORT/DPORT must be exactly their struct's length; OA a
 *    valid address extension of the SA's family: else -EINVAL.
 *  - TYPE absent or 0: plain ESP; SPORT, DPORT or OA with it: -EINVAL.
 *  - TYPE UDP_ENCAP_ESPINUDP (2): ESP in UDP with the non-ESP marker; the
 *    message's satype must be ESP (-EINVAL for AH).  A given port must be
 *    non-zero (-EINVAL); an absent one defaults to XS_NATT_PORT (4500).
 *  - TYPE UDP_ENCAP_ESPINUDP_NON_IKE (1, the pre-RFC drafts' encoding):
 *    -EOPNOTSUPP; any other value: -EINVAL.
 */
#ifndef UDP_ENCAP_ESPINUDP_NON_IKE
#define UDP_ENCAP_ESPINUDP_NON_IKE 1
#endif
#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif
#define XS_NATT_PORT 4500 /* RFC 3948 / RFC 7296 2.23 */

struct sadb_x_xs_replay {
	uint16_t sadb_x_xs_replay_len;
	uint16_t sadb_x_xs_replay_exttype;
	uint32_t sadb_x_xs_replay_window; /* packets, host order */
};

/* A framed message: the header and its extensions by type (NULL if absent). */
struct xs_pfkey_msg {
	const struct sadb_msg *hdr;
	const struct sadb_ext *ext[XS_SADB_EXT_MAX + 1];
	size_t len; /* bytes, == hdr->sadb_msg_len * 8 */
};

/*
 * Framing checks: len >= header, len == sadb_msg_len * 8, version
 * PF_KEY_V2, type 1..SADB_MAX, each extension's length non-zero and inside
 * the message, its type 1..XS_SADB_EXT_MAX, no duplicates, and each known
 * extension at least as long as its struct.  -EINVAL on any failure
 * (-EMSGSIZE if len exceeds XS_PFKEY_MSG_MAX).
 */
int xs_pfkey_parse(const void *buf, size_t len, struct xs_pfkey_msg *m);

/*
 * SA extensions -> sa: SA (spi, replay, state, algs, flags), X_SA2 (mode,
 * reqid), ADDRESS_SRC/DST (same family, -EINVAL otherwise), KEY_AUTH/ENCRYPT
 * (length checked against alg.h: -EINVAL wrong length, -ENOENT unknown
 * algorithm... see pfkey_msg.c), NAT_T_TYPE/SPORT/DPORT/OA (rules above),
 * LIFETIME_HARD/SOFT.  Missing extensions
 * leave fields zero; what a message type requires is the caller's check.
 * seq/pid come from the header.
 */
int xs_pfkey_get_sa(const struct xs_pfkey_msg *m, struct xs_sa *sa);
/* The NAT-T extensions alone into sa->natt_* (rules above); sa->dst, if
 * set, gives the family the OA must have.  Part of xs_pfkey_get_sa(). */
int xs_pfkey_get_natt(const struct xs_pfkey_msg *m, struct xs_sa *sa);
/* One address extension: address, port, prefix length (checked against
 * the family), upper-layer protocol into *proto. */
int xs_pfkey_get_address(const struct sadb_ext *e, struct xs_addr *a,
			 uint8_t *proto);

/*
 * Policy extensions -> sp: ADDRESS_SRC/DST (prefix, port, upper-layer
 * protocol), X_POLICY (type, dir, id, priority and ipsec requests with
 * their tunnel endpoints), LIFETIME_CURRENT (addtime, usetime) and
 * LIFETIME_HARD (lifetime, validtime) if present.
 */
int xs_pfkey_get_policy(const struct xs_pfkey_msg *m, struct xs_spolicy *sp);
/* One X_POLICY extension alone (ipsec_set_policy(3) buffers): len must be
 * its sadb_ext_len * 8.  Fills type, dir, id, priority and requests. */
int xs_pfkey_get_policy_ext(const void *ext, size_t len, struct xs_spolicy *sp);

/* Start a message; errno goes to sadb_msg_errno (positive). */
void xs_pfkey_begin(struct xs_msgbuf *b, uint8_t type, uint8_t satype,
		    uint32_t seq, uint32_t pid);
void xs_pfkey_set_errno(struct xs_msgbuf *b, int err);

enum {
	XS_PFKEY_SA_KEYS = 1 << 0, /* include KEY_AUTH/KEY_ENCRYPT */
	XS_PFKEY_SA_LIFETIMES = 1 << 1, /* include LIFETIME_HARD/SOFT/CURRENT */
	XS_PFKEY_SA_ALGS = 1 << 2, /* SA ext carries auth/enc alg ids */
};

/* SA, X_SA2, ADDRESS_SRC, ADDRESS_DST, NAT-T when natt_type is set (+ keys,
 * lifetimes per flags). */
void xs_pfkey_put_sa(struct xs_msgbuf *b, const struct xs_sa *sa,
		     unsigned int flags);
/* ADDRESS_SRC, ADDRESS_DST (selector), X_POLICY (+ requests),
 * LIFETIME_CURRENT when addtime != 0, LIFETIME_HARD when lifetime or
 * validtime != 0. */
void xs_pfkey_put_policy(struct xs_msgbuf *b, const struct xs_spolicy *sp);
/* One address extension (SADB_EXT_ADDRESS_SRC/DST/PROXY). */
void xs_pfkey_put_address(struct xs_msgbuf *b, uint16_t exttype,
			  const struct xs_addr *a, uint8_t ulproto);
/* An extension of len bytes (padded to 8), zeroed, its header set; NULL
 * (and the buffer's error set) if it does not fit. */
void *xs_pfkey_put_ext(struct xs_msgbuf *b, uint16_t type, size_t len);
/* The X_POLICY extension alone (with its requests). */
void xs_pfkey_put_policy_ext(struct xs_msgbuf *b, const struct xs_spolicy *sp);
/* NAT_T_TYPE, NAT_T_SPORT, NAT_T_DPORT (+ NAT_T_OA if natt_oa is set);
 * nothing when natt_type is 0.  Part of xs_pfkey_put_sa(). */
void xs_pfkey_put_natt(struct xs_msgbuf *b, const struct xs_sa *sa);
/* One lifetime extension (SADB_EXT_LIFETIME_CURRENT/HARD/SOFT). */
void xs_pfkey_put_lifetime(struct xs_msgbuf *b, uint16_t exttype,
			   const struct xs_lifetime *lt);
/* SUPPORTED_AUTH and SUPPORTED_ENCRYPT from alg.h (implemented rows). */
void xs_pfkey_put_supported(struct xs_msgbuf *b);

/* Finish: sets sadb_msg_len; returns the length in bytes or -ENOBUFS. */
int xs_pfkey_end(struct xs_msgbuf *b);

/* Names for messages and satypes (for logs and setkey -x). */
const char *xs_pfkey_type_name(uint8_t type);
const char *xs_pfkey_satype_name(uint8_t satype);

#endif /* XS_PFKEY_MSG_H */
