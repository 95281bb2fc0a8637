/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xdpsec: the contract between the BPF datapath and the controller.
 *
 * Everything in a pinned map is described here, once.  The BPF programs
 * (bpf/) and xdpsecd (ctl/) both include this header; nothing else defines
 * these layouts.  Types are fixed width, padding is explicit and every
 * struct's size is asserted.  Multi-byte fields on the wire side are
 * network order (__be16/__be32); everything else is host order.
 *
 * Addresses are 16 bytes: IPv4 uses the first 4 and leaves 12 zero.
 * Families are AF_INET (2) and AF_INET6 (10).  Directions, policy actions,
 * modes and levels use the PF_KEY values of <linux/ipsec.h>.
 *
 * Maps (pinned by name under the pin directory, default /sys/fs/bpf/xdpsec):
 *
 *   config       ARRAY[1]        struct xs_config      ipsec(4) sysctl knobs
 *   state        ARRAY[1]        struct xs_state       controller-owned runtime
 *   stats        PERCPU_ARRAY[1] struct xs_stats       datapath counters
 *   ifaces       HASH            ifindex -> struct xs_iface
 *   xsks         XSKMAP          xs_xsk_slot() -> AF_XDP socket
 *   spd_masks    ARRAY[2 * XS_SPD_MAX_MASKS] struct xs_spd_mask
 *                indexed by mask id (xs_spd_mask_idx); two halves of the
 *                id space, state.spd_active picks the live one
 *   spd_rules    HASH            struct xs_spd_key -> struct xs_spd_rule
 *   spd_prune_src LPM_TRIE       struct xs_spd_pfx_key -> __u64 mask bits
 *   spd_prune_dst LPM_TRIE       (same, for destination addresses)
 *   spd_policies ARRAY[XS_MAX_POLICY] struct xs_policy
 *   spd_cache    LRU_HASH        struct xs_flow_key -> struct xs_flow_val
 *   pol_stats    ARRAY[XS_MAX_POLICY] struct xs_pol_stats
 *   sa_in        HASH            struct xs_sa_in_key -> struct xs_sa_ref
 *   sa_out       HASH            struct xs_sa_out_key -> struct xs_sa_ref
 *   sa_stats     ARRAY[XS_MAX_SA] struct xs_sa_stats (mmapable)
 *   wstats       ARRAY[XS_WSTATS_ROWS] struct xs_stats (mmapable): the
 *                crypto workers' counters, two rows per worker: row w
 *                for ESP (and what no SA is known for), row
 *                XS_WSTATS_AH + w for AH SAs (xdpsecctl stat -p esp|ah)
 *   acquire      RINGBUF[XS_ACQUIRE_RB_SIZE] struct xs_acquire_ev records
 *   acquire_rl   LRU_HASH        policy id -> __u64 ns of its last event
 *   sock_policy  SK_STORAGE      socket -> struct xs_sock_policy
 *
 * No key material is ever placed in a map: SAs are referenced by slot and
 * the keys stay in the controller.
 *
 * SPD lookup is a tuple space search: policies are grouped by "mask" (the
 * family, direction, prefix lengths and which of protocol/ports are exact).
 * Each mask is one hash probe of spd_rules with the packet's fields masked.
 * Tuple-space pruning (Srinivasan) picks the masks worth probing: the
 * longest match of the packet's source in spd_prune_src gives a bitmap of
 * the masks (bit = mask id & 63) of every rule whose source prefix covers
 * that address, likewise for the destination; only the masks of both
 * bitmaps are probed, so the cost does not grow with the number of masks.
 * A prefix's bitmap holds the bits of its own rules and of every shorter
 * prefix covering it (set pruning), so one longest match is complete.
 * Masks whose best rank cannot beat the best rule found are skipped.
 * Results are cached per flow in spd_cache, tagged with state.spd_gen; the
 * controller bumps spd_gen after every SPD change, which invalidates every
 * cached result at once.
 *
 * Rank: (priority << 32 | insertion seq); lower wins.  Priority is the
 * PF_KEY sadb_x_policy_priority (setkey "prio", default 0x80000000).
 */
#ifndef _UAPI_XDPSEC_H
#define _UAPI_XDPSEC_H

#include <linux/types.h>
#include <linux/ipsec.h>
#include "counters.h"
#include "sysctl.h"

#define XS_AF_INET 2
#define XS_AF_INET6 10

enum {
	XS_MAX_SA = 131072, /* SA slots */
	XS_MAX_POLICY = 131072, /* policy slots */
	XS_SPD_MAX_MASKS = 64, /* selector masks: the bits of a __u64 */
	XS_SPD_CACHE_SIZE = 65536, /* cached flows */
	XS_MAX_TMPL = 4, /* ipsec requests per policy (bundles) */
	XS_MAX_IFACES = 16, /* attached NICs */
	XS_MAX_QUEUES = 64, /* queues per NIC or hand-off device */
	XS_MAX_WORKERS = 64, /* crypto worker threads */
	XS_WSTATS_AH = XS_MAX_WORKERS, /* first AH row of wstats */
	XS_WSTATS_ROWS = 2 * XS_MAX_WORKERS,
	XS_SLOT_NONE = 0xffffffffu,
};

/* Directions as indexes (PF_KEY IPSEC_DIR_* minus one). */
enum xs_dir {
	XS_DIR_IN = IPSEC_DIR_INBOUND - 1,
	XS_DIR_OUT = IPSEC_DIR_OUTBOUND - 1,
	XS_DIR_FWD = IPSEC_DIR_FWD - 1,
	XS_DIR_MAX,
};

/* ------------------------------------------------------------------ */
/* Runtime state, written by xdpsecd only.                             */

struct xs_state {
	__u32 spd_gen; /* bumped after each SPD change */
	__u32 handoff_ifindex; /* TC egress redirects protected traffic here;
				 * 0 = no hand-off device: drop (fail closed) */
	__u32 handoff_slot; /* xsks base slot of the hand-off device */
	__u32 spd_active; /* live half of the mask ids: 0 or 1 */
};
_Static_assert(sizeof(struct xs_state) == 16, "xs_state size");

/* Prefix lengths of the SPD: addresses are compared as 16 bytes, so an
 * IPv4 /24 masks the first 3 bytes and all of the (zero) remainder. */
static inline void xs_addr_mask(__u8 a[16], __u32 plen)
{
	__u32 i;

	for (i = 0; i < 16; i++) {
		if (plen >= 8) {
			plen -= 8;
			continue;
		}
		a[i] &= (__u8)(0xff00u >> plen);
		plen = 0;
	}
}

/* An attached device: which block of the xsks map serves its queues. */
struct xs_iface {
	__u32 slot; /* 0..XS_MAX_IFACES (the hand-off is one too) */
	__u32 flags; /* XS_IFACE_* */
	__u8 mac[6]; /* a NIC's address when registered (fastforward takes
		      * only frames sent to it) */
	__u16 _pad;
};
_Static_assert(sizeof(struct xs_iface) == 16, "xs_iface size");

enum {
	XS_IFACE_NIC = 1 << 0, /* a protected NIC (XDP ingress + TC egress) */
	XS_IFACE_HANDOFF = 1 << 1, /* the far end of the enc/hand-off pair */
};

static inline __u32 xs_xsk_slot(__u32 iface_slot, __u32 queue)
{
	return iface_slot * XS_MAX_QUEUES + queue;
}

/* ------------------------------------------------------------------ */
/* Security policy database.                                          */

/* One ipsec request ("esp/transport//require"). */
struct xs_tmpl {
	__u8 proto; /* IPPROTO_ESP / IPPROTO_AH */
	__u8 mode; /* IPSEC_MODE_TRANSPORT / _TUNNEL */
	__u8 level; /* IPSEC_LEVEL_* (DEFAULT resolved via config) */
	__u8 family; /* tunnel endpoints' family, 0 in transport mode */
	__u32 reqid; /* 0 unless level is unique */
	__u8 saddr[16]; /* tunnel endpoints */
	__u8 daddr[16];
};
_Static_assert(sizeof(struct xs_tmpl) == 40, "xs_tmpl size");

/* spd_policies[slot]: what to do with a matching packet. */
struct xs_policy {
	__u32 id; /* PF_KEY policy id (sadb_x_policy_id) */
	__u8 action; /* IPSEC_POLICY_DISCARD/NONE/IPSEC/ENTRUST/BYPASS */
	__u8 dir; /* enum xs_dir */
	__u8 ntmpl; /* valid entries in tmpl[] */
	__u8 _pad;
	struct xs_tmpl tmpl[XS_MAX_TMPL];
};
_Static_assert(sizeof(struct xs_policy) == 8 + 40 * XS_MAX_TMPL,
	       "xs_policy size");

/*
 * spd_masks: one group of policies that share which fields are exact.
 * A mask id is half << 15 | bit (bit < XS_SPD_MAX_MASKS); its entry is
 * spd_masks[xs_spd_mask_idx(id)].  The datapath uses the half of
 * state.spd_active only; a controller taking over from a previous run
 * fills the other half (masks, rules, prune bitmaps) and then flips
 * spd_active.  Within the live half, a mask's entry is written before any
 * rule or bitmap names it, and its bits are cleared from every bitmap
 * before its id is freed.  (A reader still holding a bitmap read before
 * the clear may probe a reused id with its new parameters: any rule it
 * finds there does match the packet.)
 */
struct xs_spd_mask {
	__u8 in_use; /* 0: a free id (probe nothing) */
	__u8 family;
	__u8 dir; /* enum xs_dir */
	__u8 src_plen;
	__u8 dst_plen;
	__u8 proto_exact; /* 1: key.proto must equal the packet's */
	__u8 sport_exact; /* 1: key.sport must equal (ICMP: type) */
	__u8 dport_exact; /* 1: key.dport must equal (ICMP: code) */
	__u16 id; /* half << 15 | bit, goes into xs_spd_key.mask */
	__u8 _pad[6];
	__u64 best_rank; /* lowest rank of the rules in this mask */
};
_Static_assert(sizeof(struct xs_spd_mask) == 24, "xs_spd_mask size");

#define XS_SPD_ID_HALF 0x8000 /* the high half of the mask ids */
_Static_assert(XS_SPD_MAX_MASKS == 64, "one prune bitmap bit per mask");

static inline __u32 xs_spd_mask_idx(__u32 id)
{
	return (id & XS_SPD_ID_HALF ? XS_SPD_MAX_MASKS : 0) +
	       (id & (XS_SPD_MAX_MASKS - 1));
}

/*
 * spd_prune_src / spd_prune_dst key (LPM trie): prefixlen counts the 32
 * bits of dir, family, half and _pad too (XS_SPD_PFX_HDR_BITS + address
 * prefix length), so each (half, dir, family) is a subtree of its own.
 * The value, a __u64, has bit b set when a rule of mask id (half << 15 |
 * b) has a source (destination) prefix equal to or shorter than this one
 * and covering it.
 */
struct xs_spd_pfx_key {
	__u32 prefixlen;
	__u8 dir; /* enum xs_dir */
	__u8 family;
	__u8 half; /* the mask ids' half: state.spd_active when live */
	__u8 _pad;
	__u8 addr[16];
};
_Static_assert(sizeof(struct xs_spd_pfx_key) == 24, "xs_spd_pfx_key size");

enum { XS_SPD_PFX_HDR_BITS = 32 };

/* spd_rules key: the selector with the mask applied. */
struct xs_spd_key {
	__u16 mask; /* xs_spd_mask.id */
	__u8 dir;
	__u8 family;
	__u8 proto; /* 0 when the mask's protocol is "any" */
	__u8 _pad[3];
	__be16 sport; /* 0 when not exact */
	__be16 dport;
	__u8 src[16]; /* masked to src_plen */
	__u8 dst[16];
};
_Static_assert(sizeof(struct xs_spd_key) == 44, "xs_spd_key size");

struct xs_spd_rule {
	__u64 rank;
	__u32 slot; /* index in spd_policies */
	__u32 _pad;
};
_Static_assert(sizeof(struct xs_spd_rule) == 16, "xs_spd_rule size");

/* spd_cache: a flow's classification result. */
struct xs_flow_key {
	__u8 dir;
	__u8 family;
	__u8 proto;
	__u8 _pad;
	__be16 sport;
	__be16 dport;
	__u8 src[16];
	__u8 dst[16];
};
_Static_assert(sizeof(struct xs_flow_key) == 40, "xs_flow_key size");

struct xs_flow_val {
	__u32 gen; /* state.spd_gen when cached */
	__u32 slot; /* policy slot, XS_SLOT_NONE = no policy */
};
_Static_assert(sizeof(struct xs_flow_val) == 8, "xs_flow_val size");

struct xs_pol_stats {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct xs_pol_stats) == 16, "xs_pol_stats size");

/* ------------------------------------------------------------------ */
/* Security association index (keys stay in userspace).               */

/* sa_in: inbound lookup by SPI, protocol and destination (RFC 4301 4.1). */
struct xs_sa_in_key {
	__be32 spi;
	__u8 proto; /* IPPROTO_ESP / IPPROTO_AH */
	__u8 family;
	__u8 _pad[2];
	__u8 daddr[16];
};
_Static_assert(sizeof(struct xs_sa_in_key) == 24, "xs_sa_in_key size");

/* sa_out: outbound lookup for a policy's request.  In transport mode the
 * addresses are the packet's, in tunnel mode the template's endpoints.
 * reqid is 0 except for "unique" requests; the controller keeps the
 * preferred (newest mature) SA of each pair under reqid 0 as well. */
struct xs_sa_out_key {
	__u8 proto;
	__u8 mode;
	__u8 family;
	__u8 _pad;
	__u32 reqid;
	__u8 saddr[16];
	__u8 daddr[16];
};
_Static_assert(sizeof(struct xs_sa_out_key) == 40, "xs_sa_out_key size");

struct xs_sa_ref {
	__u32 slot; /* index in sa_stats and the controller's SA table */
	__u8 mode;
	__u8 flags; /* XS_SA_F_* */
	__u8 _pad[2];
};

enum {
	/* ESP in UDP (RFC 3948): in sa_in, the SA accepts only packets that
	 * arrive UDP-encapsulated to XS_NATT_PORT; the others only plain */
	XS_SA_F_NATT = 1 << 0,
};

/* The port xdp_ingress takes UDP-encapsulated ESP on (RFC 3948 / 3947).
 * UDP to it whose first 4 payload bytes are not 0 (the non-ESP marker)
 * is ESP; a 1-byte 0xff payload is a NAT keepalive (consumed and
 * counted); the rest (IKE) goes through the inbound SPD as usual. */
#define XS_NATT_PORT 4500
_Static_assert(sizeof(struct xs_sa_ref) == 8, "xs_sa_ref size");

/* sa_stats[slot]: updated atomically by BPF and by the workers (mmap). */
struct xs_sa_stats {
	__u64 rx_packets; /* steered to / processed by a worker */
	__u64 rx_bytes;
	__u64 tx_packets;
	__u64 tx_bytes;
	__u64 drops; /* any drop attributed to this SA */
	__u64 seq_exhausted; /* a worker ran out of sequence numbers
				 * (2^32 - 1 sent, no ESN): the controller's
				 * lifetime check expires the SA hard */
	__u64 _reserved[2];
};
_Static_assert(sizeof(struct xs_sa_stats) == 64, "xs_sa_stats size");

/* ------------------------------------------------------------------ */
/* What the programs tell the crypto workers about a frame.            */

/*
 * Inbound (xdp_ingress -> NIC socket): XDP metadata in front of the frame
 * (bpf_xdp_adjust_meta; copy-mode AF_XDP copies it), naming the SA the SPI
 * lookup found.  Fragments carry sa_slot XS_SLOT_NONE: the worker
 * reassembles them and looks the SA up itself.
 */
struct xs_xdp_meta {
	__u32 magic; /* XS_META_MAGIC */
	__u32 sa_slot;
};
_Static_assert(sizeof(struct xs_xdp_meta) == 8, "xs_xdp_meta size");
#define XS_META_MAGIC 0x58534d31u /* "XSM1" */
/* net.inet.ipsec.fastforward: a cleartext frame xdp_ingress forwards to
 * the worker to be protected, its Ethernet header as tc_egress writes it
 * (XS_ETH_META_MARK below; the TTL or hop limit already decremented) and
 * sa_slot its first SA.  Only XDP writes metadata: a frame from the wire
 * cannot claim to be one. */
#define XS_META_MAGIC_FWD 0x58534631u /* "XSF1" */

/*
 * Outbound (tc_egress -> enc -> hand-off socket): TC cannot write XDP
 * metadata, so it rewrites the Ethernet source address, which the worker
 * replaces with the NIC's own anyway:
 *   h_source[0] = XS_ETH_META_MARK (locally administered, unicast)
 *   h_source[1] = slot of the egress NIC in the ifaces map, ORed with
 *                 XS_ETH_META_TUNNEL when that request is tunnel mode
 *                 (a mode-ANY SA then encapsulates)
 *   h_source[2..5] = SA slot of the (first) request, big endian
 * The destination MAC is the next hop the kernel resolved for the packet;
 * when the policy has a tunnel-mode request, tc_egress replaces it with
 * the next hop towards the outermost tunnel's destination
 * (bpf_fib_lookup; the kernel forwarding the packet has already
 * decremented its TTL, the datapath does not do it again).
 */
#define XS_ETH_META_MARK 0x5a
#define XS_ETH_META_TUNNEL 0x80

/*
 * Decrypted (worker -> hand-off -> enc): the worker writes the NIC the ESP
 * arrived on into the source MAC, h_source[0] = XS_ETH_META_MARK,
 * h_source[1] = 0, h_source[2..5] = its ifindex (big endian), and the
 * NIC's own address as destination.  tc_enc_ingress on the enc side
 * redirects the frame into that NIC's ingress, so the stack sees it
 * arrive where its route points (reverse-path filters pass) while
 * `tcpdump -i <enc>` still shows it in clear.
 */

/*
 * Protocol bits a worker puts in h_source[1] of a decrypted frame:
 * XS_ETH_DELIVER_KNOWN | XS_ETH_DELIVER_ESP if ESP was removed,
 * | XS_ETH_DELIVER_AH if AH was; 0 for a frame the worker made itself
 * (ICMP too big), which tc_enc_ingress does not mark.  tc_enc_ingress copies h_source[1] into
 * the top byte of skb->mark with XS_DEC_MARK (the rest of the mark is
 * kept), which survives the same-netns redirect into the NIC's ingress;
 * cg_skb_in reads it to know that a packet was decrypted by xdpsec (a
 * packet from another namespace arrives with mark 0).
 */
#define XS_ETH_DELIVER_ESP 0x01
#define XS_ETH_DELIVER_AH 0x02
#define XS_ETH_DELIVER_KNOWN 0x04
#define XS_DEC_MARK 0x58000000u /* top five bits 01011: decrypted */
#define XS_DEC_MARK_MAGIC 0xf8000000u /* the bits XS_DEC_MARK occupies */
#define XS_DEC_MARK_MASK 0xff000000u /* all xdpsec's bits of the mark */
#define XS_DEC_MARK_SHIFT 24 /* XS_ETH_DELIVER_* << 24 */

/* ------------------------------------------------------------------ */
/* Per-socket policy (options in include/xdpsec/socket.h).            */

/*
 * sock_policy (SK_STORAGE, cloned into accepted sockets): written by
 * cg_sockopt when a socket sets IP_IPSEC_POLICY / IPV6_IPSEC_POLICY or a
 * level option; read by tc_egress through skb->sk and by cg_skb_in.
 *   out       what tc_egress applies instead of the SPD when flags has
 *             XS_SOCK_F_OUT: the "out" policy unless it is entrust, else
 *             one built from the levels (esp/transport then ah/transport,
 *             AVAIL and USE -> use, REQUIRE and UNIQUE -> require; all
 *             levels set BYPASS -> bypass)
 *   pol[dir]  the parsed IP_IPSEC_POLICY of direction dir (XS_DIR_IN,
 *             XS_DIR_OUT), valid when buflen[dir] != 0; buf[dir] is the
 *             buffer as set, for getsockopt
 *   in_need   XS_SOCK_NEED_* from the levels (REQUIRE or UNIQUE)
 */
enum {
	XS_SOCK_POLBUF = 320, /* 16 + 4 IPv6 tunnel requests of 72 = 304 */
	XS_SL_AUTH = 0, /* level[] indexes */
	XS_SL_ESP_TRANS = 1,
	XS_SL_ESP_NET = 2,
	XS_SL_MAX = 3,
	XS_SOCK_F_OUT = 1 << 0, /* flags: out is in force */
	XS_SOCK_NEED_ESP = 1 << 0, /* inbound: decrypted, ESP */
	XS_SOCK_NEED_AH = 1 << 1, /* inbound: decrypted, AH */
	XS_SOCK_NEED_AUTH = 1 << 2, /* inbound: decrypted, AH or ESP */
	XS_SOCK_NEED_DISCARD = 1 << 3, /* inbound: nothing */
};

struct xs_sock_policy {
	__u8 flags; /* XS_SOCK_F_* */
	__u8 level_set; /* bit 1 << XS_SL_*: that level was set */
	__u8 level[XS_SL_MAX]; /* OpenBSD levels as set (socket.h) */
	__u8 in_need; /* XS_SOCK_NEED_* from the levels */
	__u16 buflen[2]; /* bytes in buf[dir], 0: not set */
	__u8 _pad[2];
	struct xs_policy out;
	struct xs_policy pol[2];
	__u8 buf[2][XS_SOCK_POLBUF];
};
_Static_assert(sizeof(struct xs_sock_policy) ==
		       12 + 3 * sizeof(struct xs_policy) + 2 * XS_SOCK_POLBUF,
	       "xs_sock_policy size");

/* ------------------------------------------------------------------ */
/* ACQUIRE: tc_egress asks the controller for an SA (or a neighbour).  */

/*
 * When an outbound ipsec policy's request finds no SA in sa_out
 * (level require/unique: the packet is dropped; use: it goes on without
 * that request), tc_egress writes one record to the acquire ring buffer,
 * at most one per policy per XS_ACQUIRE_INTERVAL_NS (acquire_rl holds
 * each policy's last time).  xdpsecd turns it into SADB_ACQUIRE.
 */
#define XS_ACQUIRE_RB_SIZE (64 * 1024) /* bytes, a power of 2 */
#define XS_ACQUIRE_RL_SIZE 4096 /* policies remembered */
#define XS_ACQUIRE_INTERVAL_NS 1000000000ull

/*
 * Records of kind XS_EV_RESOLVE ask for a neighbour instead: the next hop
 * towards a tunnel endpoint that bpf_fib_lookup found unresolved (the
 * packet is dropped, drop_no_neigh).  xdpsecd asks the kernel to resolve
 * it (RTM_NEWNEIGH with NTF_USE).  Then sa.family and sa.daddr are the
 * next hop, sa.reqid its ifindex; rate-limited per next hop in acquire_rl
 * under key XS_EV_RESOLVE_KEY(last 32 bits of the address, as stored).
 */
enum {
	XS_EV_ACQUIRE = 0,
	XS_EV_RESOLVE = 1,
};
#define XS_EV_RESOLVE_KEY(a32) ((a32) | 0x80000000u)

struct xs_acquire_ev {
	__u32 policy_id; /* sadb_x_policy_id (xs_policy.id) */
	__u8 req; /* index of the request in the policy */
	__u8 level; /* IPSEC_LEVEL_* in force (default resolved) */
	__u8 ulproto; /* the packet's upper-layer protocol */
	__u8 kind; /* XS_EV_* */
	struct xs_sa_out_key sa; /* the SA looked for: proto, mode, family,
				  * reqid (unique only), endpoints */
};
_Static_assert(sizeof(struct xs_acquire_ev) == 48, "xs_acquire_ev size");

/* ------------------------------------------------------------------ */
/* Per-packet trace (the debug knobs).                                */

/*
 * With net.inet.ipsec.debug (IPv4) or net.inet6.ipsec6.debug (IPv6) set,
 * xdp_ingress and tc_egress write one xs_trace_ev per IP packet of that
 * family to the trace ring buffer: where, the packet's selector and the
 * verdict or drop reason it was counted under (`xdpsecctl trace`).  Off,
 * the cost is a test of the config the programs read anyway, plus the
 * per-CPU store of trace_last that every xs_count() makes: it holds the
 * counter bumped last, which is the packet's verdict.
 */
#define XS_TRACE_RB_SIZE (256 * 1024)

enum {
	XS_HOOK_XDP_INGRESS = 1,
	XS_HOOK_TC_EGRESS = 2,
};

struct xs_trace_ev {
	__u64 ns; /* bpf_ktime_get_ns() */
	__u32 ifindex;
	__u16 counter; /* enum xs_counter: the verdict */
	__u8 hook; /* XS_HOOK_* */
	__u8 family;
	__u8 proto;
	__u8 frag;
	__be16 sport; /* ICMP: type, code */
	__be16 dport;
	__u8 _pad[2];
	__u8 src[16];
	__u8 dst[16];
};
_Static_assert(sizeof(struct xs_trace_ev) == 56, "xs_trace_ev size");

#endif /* _UAPI_XDPSEC_H */
