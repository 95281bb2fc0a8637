// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The Prometheus exposition of the pinned maps (see metrics.h): the
 * formatter, and the walk of stats, wstats, sa_in, sa_out and sa_stats.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "../daemon/dp.h"
#include "metrics.h"
#include "../lib/counter.h"

void xs_metrics_out_init(struct xs_mout *o, char *buf, size_t cap,
			 int (*flush)(void *, const char *, size_t), void *ctx)
{
	o->buf = buf;
	o->len = 0;
	o->cap = cap;
	o->flush = flush;
	o->ctx = ctx;
	o->err = 0;
}

int xs_metrics_out_flush(struct xs_mout *o)
{
	if (!o->err && o->len)
		o->err = o->flush(o->ctx, o->buf, o->len);
	o->len = 0;
	return o->err;
}

static void put(struct xs_mout *o, const char *p, size_t n)
{
	while (n && !o->err) {
		size_t room = o->cap - o->len, k = n < room ? n : room;

		memcpy(o->buf + o->len, p, k);
		o->len += k;
		p += k;
		n -= k;
		if (o->len == o->cap)
			xs_metrics_out_flush(o);
	}
}

static void putf(struct xs_mout *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void putf(struct xs_mout *o, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* HELP text: '\' and newline escaped; label values: '"' as well. */
static void put_escaped(struct xs_mout *o, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			put(o, "\\\\", 2);
		else if (*s == '\n')
			put(o, "\\n", 2);
		else if (quote && *s == '"')
			put(o, "\\\"", 2);
		else
			put(o, s, 1);
	}
}

static void family(struct xs_mout *o, const char *name, const char *help)
{
	putf(o, "# HELP %s ", name);
	put_escaped(o, help, 0);
	putf(o, "\n# TYPE %s counter\n", name);
}

static void label(struct xs_mout *o, int first, const char *k, const char *v)
{
	putf(o, "%s%s=\"", first ? "{" : ",", k);
	put_escaped(o, v, 1);
	put(o, "\"", 1);
}

static void value(struct xs_mout *o, uint64_t v)
{
	putf(o, "} %llu\n", (unsigned long long)v);
}

static int is_drop(size_t i)
{
	return !strncmp(xs_counter_at(i)->field, "drop_", 5);
}

void xs_metrics_write_counters(struct xs_mout *o, const struct xs_stats *st)
{
	const __u64 *v = (const __u64 *)st;
	char name[96];
	size_t i;

	for (i = 0; i < XS_CNT_MAX; i++) {
		if (is_drop(i))
			continue;
		snprintf(name, sizeof(name), "xdpsec_%s_total",
			 xs_counter_at(i)->field);
		family(o, name, xs_counter_at(i)->text);
		putf(o, "%s %llu\n", name, (unsigned long long)v[i]);
	}
	family(o, "xdpsec_drops_total",
	       "packets dropped by the datapath, by reason (each packet once)");
	for (i = 0; i < XS_CNT_MAX; i++) {
		if (!is_drop(i))
			continue;
		put(o, "xdpsec_drops_total", 18);
		label(o, 1, "reason", xs_counter_at(i)->name + 5);
		value(o, v[i]);
	}
}

static int row_is_zero(const struct xs_stats *row)
{
	const __u64 *v = (const __u64 *)row;
	size_t i;

	for (i = 0; i < XS_CNT_MAX; i++)
		if (v[i])
			return 0;
	return 1;
}

void xs_metrics_write_workers(struct xs_mout *o, const struct xs_stats *rows,
			      unsigned int n)
{
	char w[16];
	unsigned int r;
	size_t i;

	family(o, "xdpsec_worker_packets_total",
	       "crypto worker counters, one series per worker and counter");
	for (r = 0; r < n; r++) {
		const __u64 *v = (const __u64 *)&rows[r];

		if (row_is_zero(&rows[r]))
			continue;
		snprintf(w, sizeof(w), "%u", r);
		for (i = XS_CNT_rx_decrypt; i <= XS_CNT_drop_unsupported; i++) {
			put(o, "xdpsec_worker_packets_total", 27);
			label(o, 1, "worker", w);
			label(o, 0, "counter", xs_counter_at(i)->name);
			value(o, v[i]);
		}
	}
}

static const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_AH ? "ah" : proto == IPPROTO_ESP ? "esp" : "?";
}

static void sa_labels(struct xs_mout *o, const struct xs_metrics_sa *sa)
{
	char buf[INET6_ADDRSTRLEN];
	int af = sa->family == AF_INET6 ? AF_INET6 : AF_INET;

	snprintf(buf, sizeof(buf), "%u", sa->slot);
	label(o, 1, "slot", buf);
	label(o, 0, "direction", sa->dir == XS_DIR_IN ? "rx" : "tx");
	label(o, 0, "proto", proto_name(sa->proto));
	if (sa->spi) {
		snprintf(buf, sizeof(buf), "0x%08x", sa->spi);
		label(o, 0, "spi", buf);
	}
	if (sa->has_saddr && inet_ntop(af, sa->saddr, buf, sizeof(buf)))
		label(o, 0, "src", buf);
	if (inet_ntop(af, sa->daddr, buf, sizeof(buf)))
		label(o, 0, "dst", buf);
}

enum sa_kind { SA_PACKETS, SA_BYTES, SA_DROPS, SA_KINDS };

static uint64_t sa_value(const struct xs_metrics_sa *sa, enum sa_kind k)
{
	int in = sa->dir == XS_DIR_IN;

	if (k == SA_PACKETS)
		return in ? sa->st.rx_packets : sa->st.tx_packets;
	if (k == SA_BYTES)
		return in ? sa->st.rx_bytes : sa->st.tx_bytes;
	return sa->st.drops;
}

int xs_metrics_write_sas(struct xs_mout *o, const struct xs_metrics_sa_src *s)
{
	static const struct {
		const char *name, *help;
	} fam[SA_KINDS] = {
		{ "xdpsec_sa_packets_total", "packets processed per SA" },
		{ "xdpsec_sa_bytes_total", "bytes processed per SA" },
		{ "xdpsec_sa_drops_total", "drops attributed to an SA" },
	};
	struct xs_metrics_sa sa;
	int k, r;

	for (k = 0; k < SA_KINDS; k++) {
		family(o, fam[k].name, fam[k].help);
		s->rewind(s->ctx);
		while ((r = s->next(s->ctx, &sa)) > 0) {
			put(o, fam[k].name, strlen(fam[k].name));
			sa_labels(o, &sa);
			value(o, sa_value(&sa, (enum sa_kind)k));
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The maps as an SA source: sa_in, then sa_out (deduplicated by slot). */

struct map_src {
	struct xs_dp *dp;
	int phase; /* 0: sa_in, 1: sa_out, 2: done */
	int have_key;
	unsigned int steps;
	union {
		struct xs_sa_in_key in;
		struct xs_sa_out_key out;
	} key;
};

/* 1 bit per slot: an sa_out slot already reported (reqid 0 + unique) */
static uint64_t seen[XS_MAX_SA / 64];

static void map_rewind(void *ctx)
{
	struct map_src *m = ctx;

	m->phase = 0;
	m->have_key = 0;
	m->steps = 0;
	memset(seen, 0, sizeof(seen));
}

static int seen_once(uint32_t slot)
{
	uint64_t bit = 1ULL << (slot % 64);

	if (slot >= XS_MAX_SA || (seen[slot / 64] & bit))
		return 0;
	seen[slot / 64] |= bit;
	return 1;
}

static void fill_in(struct xs_metrics_sa *sa, const struct xs_sa_in_key *k)
{
	sa->dir = XS_DIR_IN;
	sa->spi = ntohl(k->spi);
	sa->proto = k->proto;
	sa->family = k->family;
	sa->has_saddr = 0;
	memcpy(sa->daddr, k->daddr, 16);
}

static void fill_out(struct xs_metrics_sa *sa, const struct xs_sa_out_key *k)
{
	sa->dir = XS_DIR_OUT;
	sa->spi = 0;
	sa->proto = k->proto;
	sa->family = k->family;
	sa->has_saddr = 1;
	memcpy(sa->saddr, k->saddr, 16);
	memcpy(sa->daddr, k->daddr, 16);
}

/* The current phase's next SA: 1 and *sa filled, 0 phase over, -errno. */
static int map_step(struct map_src *m, struct xs_metrics_sa *sa)
{
	int fd = m->phase ? m->dp->sa_out : m->dp->sa_in;
	struct xs_sa_ref ref;
	__typeof__(m->key) next;

	/* a map changing under us can restart the walk: bound it */
	while (fd >= 0 && m->steps++ <= XS_MAX_SA) {
		if (bpf_map_get_next_key(fd, m->have_key ? &m->key : NULL,
					 &next))
			return errno == ENOENT ? 0 : -errno;
		m->key = next;
		m->have_key = 1;
		if (bpf_map_lookup_elem(fd, &m->key, &ref)) {
			if (errno == ENOENT)
				continue; /* deleted meanwhile */
			return -errno;
		}
		if (!seen_once(ref.slot))
			continue;
		sa->slot = ref.slot;
		if (m->phase)
			fill_out(sa, &m->key.out);
		else
			fill_in(sa, &m->key.in);
		if (xs_dp_sa_stats_get(m->dp, ref.slot, &sa->st))
			memset(&sa->st, 0, sizeof(sa->st));
		return 1;
	}
	return 0;
}

static int map_next(void *ctx, struct xs_metrics_sa *sa)
{
	struct map_src *m = ctx;
	int r;

	while (m->phase < 2) {
		r = map_step(m, sa);
		if (r)
			return r;
		m->phase++;
		m->have_key = 0;
		m->steps = 0;
		memset(seen, 0, sizeof(seen));
	}
	return 0;
}

static struct xs_stats wrows[XS_MAX_WORKERS];

static unsigned int read_workers(struct xs_dp *dp)
{
	unsigned int i;

	if (dp->wstats < 0)
		return 0;
	for (i = 0; i < XS_MAX_WORKERS; i++)
		if (bpf_map_lookup_elem(dp->wstats, &i, &wrows[i]))
			break;
	return i;
}

int xs_metrics_collect(struct xs_dp *dp, struct xs_mout *o)
{
	struct map_src m = { .dp = dp };
	struct xs_metrics_sa_src src = { map_rewind, map_next, &m };
	struct xs_stats st;
	int err;

	err = xs_dp_stats_get(dp, &st);
	if (err)
		return err;
	xs_metrics_write_counters(o, &st);
	xs_metrics_write_workers(o, wrows, read_workers(dp));
	err = xs_metrics_write_sas(o, &src);
	if (err)
		return err;
	return xs_metrics_out_flush(o);
}
