/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * setkey(8) command language (KAME/FreeBSD/ipsec-tools grammar) to model
 * structs, and model structs to the PF_KEY requests setkey sends.
 * Used by the setkey tool and by xdpsecd -f.  No I/O, no global state.
 *
 *   add [-46n] src dst protocol spi [extensions] algorithms ;
 *   get [-46n] src dst protocol spi ;
 *   delete [-46n] src dst protocol spi ;
 *   deleteall [-46n] src dst protocol ;
 *   flush [protocol] ;            dump [protocol] ;
 *   spdadd [-46n] src_range dst_range upperspec policy ;
 *   spdupdate [-46n] src_range dst_range upperspec policy ;
 *   spddelete [-46n] src_range dst_range upperspec -P direction ;
 *   spdflush ;                    spddump ;
 *
 * protocol: esp | esp-udp | ah (esp-old, ah-old, ipcomp, tcp: "not
 *   supported").  esp-udp (ipsec-tools) is ESP in UDP, RFC 3948: "add
 *   src[sport] dst[dport] esp-udp ..." sets NAT-T type UDP_ENCAP_ESPINUDP
 *   with those ports (each 4500 when its [port] is left out) and takes
 *   "-natt_oa address" (SADB_X_EXT_NAT_T_OA, the SA's family); for get,
 *   delete, deleteall, flush and dump esp-udp means esp and ports are
 *   ignored.  A [port] on an SA address without esp-udp is an error.
 * spi: decimal or 0x hex, >= 256 (1..255 are reserved, RFC 4303).
 * extensions: -m transport|tunnel|any (default any); -r size: replay
 *   window in BYTES as in KAME/FreeBSD, 0..255, the window is 8 * size
 *   packets (sadb_sa_replay); -u reqid; -lh/-ls seconds (hard/soft add
 *   time); -bh/-bs bytes.  -f (padding options) and -C (IPComp) are
 *   refused with "not supported".
 * algorithms: -E ealgo key [-A aalgo key] (esp), -A aalgo key (ah); keys
 *   are 0x hex or "quoted string"; names and key lengths from alg.h.
 *   Unknown names, wrong key lengths, AEAD with -A and algorithms the
 *   datapath does not run (alg.h implemented = false) are errors.
 * src_range: address[/prefixlen][[port|any]]; upperspec: any | tcp | udp
 *   | icmp | icmp6 | ipv6-icmp | number, icmp/icmp6 optionally followed
 *   by type[,code] (stored as sport = type, dport = code).
 * policy: -P in|out|fwd [prio def|high|low [+|- n] | prio [-]n]
 *   discard|none|entrust|bypass|ipsec request... where a request is
 *   protocol/mode[/[src-dst][/[level]]] as ipsec_set_policy(3), level
 *   default|use|require|unique[:id] (id 1..16383).  "prio base + n" is n
 *   steps more urgent (priority value base - n), as ipsec-tools.
 *
 * deleteall has no PF_KEY message of its own on Linux: it is encoded as a
 * SADB_DUMP of the protocol; the caller deletes each SA of the reply for
 * which xs_setkey_deleteall_match() is true (setkey does that, xdpsecd -f
 * can walk its SADB directly).
 */
#ifndef XS_SETKEY_PARSE_H
#define XS_SETKEY_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../lib/types.h"
#include "../lib/pfkey_msg.h"

enum xs_setkey_op {
	XS_SK_ADD,
	XS_SK_GET,
	XS_SK_DELETE,
	XS_SK_DELETEALL,
	XS_SK_FLUSH,
	XS_SK_DUMP,
	XS_SK_SPDADD,
	XS_SK_SPDUPDATE,
	XS_SK_SPDDELETE,
	XS_SK_SPDFLUSH,
	XS_SK_SPDDUMP,
};

struct xs_setkey_cmd {
	enum xs_setkey_op op;
	int line; /* line the statement starts on */
	uint8_t satype; /* SADB_SATYPE_ESP/AH, UNSPEC for flush/dump/spd* */
	struct xs_sa sa; /* add/get/delete/deleteall */
	struct xs_spolicy sp; /* spd* */
};

/*
 * Parse text (len bytes, need not be NUL terminated) and call cb for each
 * complete statement, in order.  cmd is only valid during cb; its key
 * material is wiped when cb returns.  Returns 0, or -EINVAL on the first
 * syntax/semantic error with err = "fname:line: message" (nothing of that
 * statement reaches cb; earlier statements did), or cb's non-zero return
 * value, which stops parsing.
 */
int xs_setkey_parse(const char *text, size_t len, const char *fname,
		    int (*cb)(const struct xs_setkey_cmd *cmd, void *arg),
		    void *arg, char *err, size_t errlen);

/*
 * Build the PF_KEY request for cmd into b (which is reset): ADD, GET,
 * DELETE, FLUSH, DUMP (also for deleteall, see above), X_SPDADD,
 * X_SPDUPDATE, X_SPDDELETE, X_SPDFLUSH, X_SPDDUMP.  Returns the length in
 * bytes or a negative errno (-ENOBUFS).
 */
int xs_setkey_cmd_encode(const struct xs_setkey_cmd *cmd, struct xs_msgbuf *b,
			 uint32_t seq, uint32_t pid);

/* True if sa (from the dump) is one that "deleteall" cmd removes. */
bool xs_setkey_deleteall_match(const struct xs_setkey_cmd *cmd,
			       const struct xs_sa *sa);

/* "add", "spdadd"...: the command's keyword. */
const char *xs_setkey_op_name(enum xs_setkey_op op);

/*
 * One policy in ipsec_set_policy(3) syntax: "in|out|fwd [prio ...]
 * discard|none|entrust|bypass|ipsec request...", an optional ';' and
 * nothing else ("-P" before the direction is accepted too).  0, or
 * -EINVAL with err = "policy:1: message".
 */
int xs_setkey_parse_policy(const char *text, size_t len, struct xs_spolicy *sp,
			   char *err, size_t errlen);

#endif /* XS_SETKEY_PARSE_H */
