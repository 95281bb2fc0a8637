/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Userspace model of SAs and policies, shared by xdpsecd, setkey and the
 * PF_KEY codec.  The codec (pfkey_msg.h) converts between these structs and
 * PF_KEY v2 messages; the setkey parser builds them; the daemon stores them.
 *
 * Values are PF_KEY's: SADB_SATYPE_*, SADB_SASTATE_*, SADB_[X_]AALG/EALG_*,
 * IPSEC_MODE_*, IPSEC_DIR_*, IPSEC_POLICY_*, IPSEC_LEVEL_*.  Numbers are in
 * host order unless the name says otherwise.
 */
#ifndef XS_TYPES_H
#define XS_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/pfkeyv2.h>
#include <linux/ipsec.h>
#include "xdpsec/xdpsec.h"

#define XS_KEY_MAX 64 /* bytes of key material per key (incl. salt/nonce) */

/* An address with optional prefix and port: SA endpoint or selector. */
struct xs_addr {
	uint8_t family; /* AF_INET / AF_INET6, 0 = unset */
	uint8_t plen; /* prefix length; 32/128 for a host */
	uint16_t port; /* host order, IPSEC_PORT_ANY (0) = any */
	uint8_t a[16]; /* IPv4 in the first 4 bytes */
};

/* One PF_KEY lifetime extension (RFC 2367 2.3.1). */
struct xs_lifetime {
	uint32_t allocations;
	uint64_t bytes;
	uint64_t addtime; /* seconds */
	uint64_t usetime; /* seconds */
};

struct xs_sa {
	uint8_t satype; /* SADB_SATYPE_ESP / SADB_SATYPE_AH */
	uint8_t mode; /* IPSEC_MODE_ANY (setkey default) / TRANSPORT / TUNNEL */
	uint8_t state; /* SADB_SASTATE_* */
	uint8_t replay; /* sadb_sa_replay: window size in BYTES (KAME);
			  * the window is replay * 8 packets, 0 = off */
	uint32_t spi; /* host order */
	uint32_t reqid; /* sadb_x_sa2_reqid */
	uint32_t flags; /* sadb_sa_flags */
	uint32_t seq; /* sadb_msg_seq of the message that added it */
	uint32_t pid; /* sadb_msg_pid of the message that added it */
	uint32_t replay_win; /* xdpsec: window in PACKETS from the
			      * SADB_X_EXT_XS_REPLAY extension (pfkey_msg.h),
			      * 0 = replay * 8 */
	uint8_t auth_alg; /* SADB_AALG_*, SADB_AALG_NONE if none */
	uint8_t enc_alg; /* SADB_EALG_*, SADB_EALG_NONE if none */
	uint16_t auth_keylen; /* bytes */
	uint16_t enc_keylen; /* bytes, salt/nonce included */
	uint8_t auth_key[XS_KEY_MAX];
	uint8_t enc_key[XS_KEY_MAX];
	struct xs_addr src, dst; /* plen full, port 0 */
	/* NAT traversal (RFC 3948; PF_KEY SADB_X_EXT_NAT_T_TYPE/SPORT/DPORT/
	 * OA): natt_type 0 = plain ESP, UDP_ENCAP_ESPINUDP (2) = ESP in UDP
	 * with the non-ESP marker; ports host order; natt_oa = the original
	 * (pre-NAT) address of SADB_X_EXT_NAT_T_OA, family 0 if not given
	 * (Linux numbering has one OA extension, 23; FreeBSD's OAI/OAR pair
	 * does not fit it) */
	uint8_t natt_type;
	uint16_t natt_sport, natt_dport;
	struct xs_addr natt_oa;
	bool has_hard, has_soft;
	struct xs_lifetime hard, soft, cur;
};

/* One ipsec request of a policy: "esp/tunnel/a-b/unique:7". */
struct xs_ipsecreq {
	uint8_t proto; /* IPPROTO_ESP / IPPROTO_AH / IPPROTO_COMP */
	uint8_t mode; /* IPSEC_MODE_TRANSPORT / TUNNEL / ANY */
	uint8_t level; /* IPSEC_LEVEL_* */
	uint32_t reqid; /* 0 = auto (unique without :id gets one assigned) */
	struct xs_addr src, dst; /* tunnel endpoints, family 0 if absent */
};

struct xs_selector {
	struct xs_addr src, dst; /* with plen and port */
	uint8_t proto; /* IPSEC_ULPROTO_ANY (255) = any */
};

struct xs_spolicy {
	struct xs_selector sel;
	uint8_t dir; /* IPSEC_DIR_INBOUND / OUTBOUND / FWD */
	uint8_t type; /* IPSEC_POLICY_* */
	uint8_t nreq; /* entries in req[] */
	uint32_t priority; /* sadb_x_policy_priority, default 0x80000000 */
	uint32_t id; /* sadb_x_policy_id, assigned by the daemon */
	uint32_t seq, pid;
	uint64_t addtime, usetime; /* seconds since epoch */
	/* hard lifetime (LIFETIME_HARD addtime/usetime, KAME's lifetime and
	 * validtime): seconds after addtime / after the last use at which
	 * the policy expires (SADB_X_SPDEXPIRE); 0 = none */
	uint64_t lifetime, validtime;
	struct xs_ipsecreq req[XS_MAX_TMPL];
};

#define XS_PRIORITY_DEFAULT 0x80000000u /* setkey "prio def" */
#define XS_PRIORITY_HIGH 0x40000000u /* setkey "prio high" */
#define XS_PRIORITY_LOW 0xc0000000u /* setkey "prio low" */

/* Wipe an SA's key material (OPENSSL_cleanse); call before freeing. */
void xs_sa_wipe(struct xs_sa *sa);

#endif /* XS_TYPES_H */
