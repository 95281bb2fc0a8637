/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xdpsec datapath counters: one list, one place.
 *
 * XS_FOREACH_COUNTER(X) expands X(field, "name", "text") once per counter.
 * It gives each counter
 *   - its enum value    XS_CNT_<FIELD>        (index for xs_count())
 *   - its struct field  struct xs_stats.field (what bpftool prints)
 *   - its name and help text                 (xdpsecctl stat, metrics)
 *
 * Counters are packets, except rx_bytes / tx_bytes.  The "drop_" ones are
 * drop reasons: every packet the datapath drops is counted under exactly
 * one of them.
 */
#ifndef _UAPI_XDPSEC_COUNTERS_H
#define _UAPI_XDPSEC_COUNTERS_H

#include <linux/types.h>

/* one X-macro row per line, aligned by hand: */
/* clang-format off */
#define XS_FOREACH_COUNTER(X)                                                  \
	/* verdicts */                                                         \
	X(rx_pass, "rx-pass", "ingress packets passed to the stack")           \
	X(rx_bypass_nd, "rx-bypass-nd",                                        \
	  "ingress ARP/ND passed by the built-in bypass rule")                  \
	X(rx_steer, "rx-steer", "ingress ESP/AH steered to a crypto worker")   \
	X(rx_steer_frag, "rx-steer-frag",                                      \
	  "ingress ESP/AH fragments steered to a worker for reassembly")        \
	X(tx_pass, "tx-pass", "egress packets passed in clear by policy")      \
	X(tx_bypass_nd, "tx-bypass-nd",                                        \
	  "egress ARP/ND passed by the built-in bypass rule")                   \
	X(tx_steer, "tx-steer", "egress packets steered to be protected")      \
	X(fwd_steer, "fwd-steer",                                              \
	  "forwarded cleartext steered at XDP to be protected (fastforward)")  \
	X(handoff_steer, "handoff-steer",                                      \
	  "hand-off frames delivered to a crypto worker socket")                \
	X(spd_cache_hit, "spd-cache-hit", "SPD lookups answered by the flow cache") \
	X(spd_cache_miss, "spd-cache-miss", "SPD lookups that searched the tables") \
	/* drop reasons */                                                     \
	X(drop_malformed, "drop-malformed",                                    \
	  "truncated or malformed L2/L3/L4 header")                            \
	X(drop_exthdr_chain, "drop-exthdr-chain",                              \
	  "IPv6 extension header chain too long to parse")                     \
	X(drop_unknown_spi, "drop-unknown-spi", "ESP/AH with no inbound SA")   \
	X(drop_esp_disabled, "drop-esp-disabled",                              \
	  "ESP while net.inet.esp.enable=0")                                   \
	X(drop_ah_disabled, "drop-ah-disabled",                                \
	  "AH while net.inet.ah.enable=0")                                     \
	X(drop_policy_discard, "drop-policy-discard",                          \
	  "packet matched a discard policy")                                   \
	X(drop_default_discard, "drop-default-discard",                        \
	  "no policy matched and def_policy is discard")                       \
	X(drop_natt_keepalive, "drop-natt-keepalive",                          \
	  "NAT-T keepalives (RFC 3948 2.3) consumed")                          \
	X(drop_in_clear, "drop-in-clear",                                      \
	  "cleartext that an inbound policy requires to be protected")         \
	X(drop_no_sa_out, "drop-no-sa-out",                                    \
	  "outbound packet requires an SA that does not exist")                \
	X(drop_no_worker, "drop-no-worker",                                    \
	  "no crypto worker is running (fail closed)")                         \
	X(drop_internal, "drop-internal", "map or helper failure in the datapath") \
	X(drop_no_neigh, "drop-no-neigh",                                      \
	  "tunnel next hop not resolved yet (xdpsecd asked the kernel)")       \
	X(drop_tun_route, "drop-tun-route",                                    \
	  "no route to the tunnel endpoint through this NIC")                  \
	X(tx_sock_policy, "tx-sock-policy",                                    \
	  "egress packets classified by their socket's own policy")            \
	X(drop_sock_policy, "drop-sock-policy",                                \
	  "inbound packet refused by its socket's policy (not decrypted)")     \
	/* crypto workers (counted in the wstats map, one row per worker) */ \
	X(rx_decrypt, "rx-decrypt", "ESP packets decrypted and delivered")    \
	X(tx_encrypt, "tx-encrypt", "packets encrypted and sent as ESP")      \
	X(rx_bytes, "rx-bytes", "bytes delivered after ESP/AH (not packets)")  \
	X(tx_bytes, "tx-bytes", "bytes sent as ESP/AH (not packets)")          \
	X(rx_reasm, "rx-reasm", "inbound ESP/AH datagrams reassembled")        \
	X(tx_reasm, "tx-reasm", "outbound fragments reassembled before ESP")   \
	X(tx_frag, "tx-frag", "outer fragments sent after ESP")               \
	X(tx_icmp_too_big, "tx-icmp-too-big",                                 \
	  "ICMP frag-needed / packet-too-big sent to a local sender")          \
	X(esn_resync, "esn-resync", "ESN resynchronised (RFC 4303 A3)")       \
	X(drop_bad_icv, "drop-bad-icv", "ESP ICV did not verify")             \
	X(drop_replay, "drop-replay", "sequence number replayed or too old")  \
	X(drop_bad_pad, "drop-bad-pad", "ESP padding or pad length invalid")  \
	X(drop_dummy, "drop-dummy", "ESP next header 59 (dummy packet)")      \
	X(drop_selector, "drop-selector",                                      \
	  "decrypted packet outside the SA's selectors or inbound policy")     \
	X(drop_no_sa, "drop-no-sa", "worker found no usable SA")              \
	X(drop_seq_wrap, "drop-seq-wrap",                                      \
	  "SA sequence number exhausted (rekey needed)")                       \
	X(drop_too_big, "drop-too-big",                                        \
	  "too big once encapsulated (ICMP sent when DF)")                     \
	X(drop_reasm, "drop-reasm", "fragment reassembly failed or timed out") \
	X(drop_tx_full, "drop-tx-full", "TX ring full")                       \
	X(drop_ecn, "drop-ecn",                                                \
	  "tunnel: outer CE over a not-ECT inner packet (ecn=1, RFC 3168)")    \
	X(drop_unsupported, "drop-unsupported",                                \
	  "feature not handled by the worker (e.g. IPv6 ext headers)")          \
	/* enc pair */                                                         \
	X(handoff_foreign, "handoff-foreign",                                  \
	  "frames on the enc pair not steered by tc_egress, passed")            \
	X(rx_deliver, "rx-deliver",                                            \
	  "decrypted packets handed to the stack on their NIC")                 \
	X(drop_deliver, "drop-deliver",                                        \
	  "decrypted packet for a NIC that is not attached")                   \
	/* worker health (events, not packets; counted by the main thread) */  \
	X(worker_stall, "worker-stall",                                        \
	  "a crypto worker made no progress for > 2 s with frames queued")     \
	X(worker_dead, "worker-dead", "a crypto worker thread exited")

enum xs_counter {
#define XS_CNT_ENUM(f, n, t) XS_CNT_##f,
	XS_FOREACH_COUNTER(XS_CNT_ENUM)
#undef XS_CNT_ENUM
	XS_CNT_MAX
};
/* clang-format on */

/* Value of the per-CPU "stats" map (one entry).  Field i is counter i. */
struct xs_stats {
#define XS_CNT_FIELD(f, n, t) __u64 f;
	XS_FOREACH_COUNTER(XS_CNT_FIELD)
#undef XS_CNT_FIELD
};

_Static_assert(sizeof(struct xs_stats) == XS_CNT_MAX * sizeof(__u64),
	       "struct xs_stats must be an array of __u64 in enum order");

#endif /* _UAPI_XDPSEC_COUNTERS_H */
