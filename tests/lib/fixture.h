/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Datapath fixtures: a packet described by one table row, a policy in
 * setkey terms, and a runner that checks a program's verdict and that
 * exactly one verdict/drop counter moved, by one.
 */
#ifndef XT_FIXTURE_H
#define XT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xdpsec/xdpsec.h"
#include "bpfenv.h"
#include "pkt.h"

struct xs_spd;

/* A test packet.  Family from the address syntax; proto 0 = UDP. */
struct xt_spec {
	const char *src, *dst; /* NULL: not IP (see arp / ethertype) */
	bool arp;
	uint16_t ethertype; /* non-IP frame when src is NULL and !arp */
	uint8_t proto;
	uint16_t sport, dport; /* ICMP/ICMPv6: type, code */
	uint32_t spi; /* ESP/AH */
	uint8_t nvlan; /* 0..3 VLAN tags (802.1ad outer) */
	uint8_t next; /* IPv6 destination-options headers */
	uint16_t frag; /* fragment offset in 8-byte units */
	bool mf; /* more fragments (or an IPv6 fragment header) */
	size_t v4opt; /* IPv4 option bytes */
	size_t trunc; /* cut the frame to this many bytes */
	size_t payload;
	bool marked; /* source MAC carries tc_egress's mark (hand-off) */
	uint8_t natt; /* UDP payload: XT_NATT_* */
};

enum {
	XT_NATT_NONE,
	XT_NATT_ESP, /* ESP header with .spi (RFC 3948 ESP in UDP) */
	XT_NATT_KEEPALIVE, /* the single byte 0xff */
	XT_NATT_IKE, /* the 4-byte non-ESP marker, then payload */
};

void xt_build(struct xt_pkt *p, const struct xt_spec *s);

/* A policy: setkey's "spdadd src/plen[sport] dst/plen[dport] proto
 * -P dir [prio N] type req...". */
struct xt_req {
	uint8_t proto, mode, level;
	uint32_t reqid;
	const char *tsrc, *tdst; /* tunnel endpoints */
};

struct xt_pol {
	uint8_t dir; /* IPSEC_DIR_INBOUND / OUTBOUND */
	const char *src, *dst;
	uint8_t splen, dplen;
	uint8_t proto; /* 0 = any */
	uint16_t sport, dport;
	uint8_t type; /* IPSEC_POLICY_* */
	uint32_t prio; /* 0 = default */
	uint8_t nreq;
	struct xt_req req[2];
};

int xt_pol_add(struct xs_spd *spd, const struct xt_pol *p);

struct xt_case {
	const char *name;
	enum xt_prog prog;
	struct xt_spec pkt;
	uint32_t verdict;
	enum xs_counter counter;
};

/* Run one case; on mismatch print why (with the case name) and return
 * -1. */
int xt_case_run(struct xt_env *e, const struct xt_case *c);
/* Run a table; the number of failed cases. */
int xt_run_table(struct xt_env *e, const struct xt_case *t, size_t n);
/* The counters summed over CPUs (compare before/after a run). */
int xt_stats(struct xt_env *e, struct xs_stats *s);

#endif /* XT_FIXTURE_H */
