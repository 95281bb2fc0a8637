/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Prometheus text exposition (format 0.0.4) of the datapath counters.
 *
 * Families (every sample is a counter):
 *   xdpsec_<counter>_total           one per verdict/worker/health counter
 *                                    of XS_FOREACH_COUNTER (not drop_*)
 *   xdpsec_drops_total{reason}       the drop_* counters, reason = the
 *                                    counter name without "drop-"
 *   xdpsec_worker_packets_total{worker,counter}
 *                                    per crypto worker (wstats rows that
 *                                    are not all zero)
 *   xdpsec_sa_packets_total, xdpsec_sa_bytes_total, xdpsec_sa_drops_total
 *        {slot,direction,proto,spi,src,dst}: per SA slot; direction "rx"
 *        for the SAs in sa_in (labels spi, dst), "tx" for those in sa_out
 *        (labels src, dst; the SPI of an outbound SA is not in any map)
 *
 * Output goes through a caller-supplied bounded buffer that is flushed
 * (to a socket, a FILE, a test buffer) whenever it fills: memory does not
 * grow with the number of SAs.
 */
#ifndef XS_METRICS_H
#define XS_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "xdpsec/xdpsec.h"

struct xs_dp;

/* Bounded output buffer; flush returns 0 or -errno (then sticky in err). */
struct xs_mout {
	char *buf;
	size_t len, cap;
	int (*flush)(void *ctx, const char *p, size_t n);
	void *ctx;
	int err;
};

void xs_metrics_out_init(struct xs_mout *o, char *buf, size_t cap,
			 int (*flush)(void *, const char *, size_t), void *ctx);
/* Flush what is buffered; returns the first error seen, or 0. */
int xs_metrics_out_flush(struct xs_mout *o);

/* One SA as the metrics see it (no key material anywhere). */
struct xs_metrics_sa {
	uint32_t slot;
	uint32_t spi; /* host order; 0: unknown (outbound) */
	uint8_t dir; /* XS_DIR_IN or XS_DIR_OUT */
	uint8_t proto; /* IPPROTO_ESP / IPPROTO_AH */
	uint8_t family; /* AF_INET / AF_INET6 */
	uint8_t has_saddr;
	uint8_t saddr[16], daddr[16];
	struct xs_sa_stats st;
};

/*
 * SA source: rewind() starts over, next() fills *sa and returns 1, 0 at
 * the end, or -errno.  Walked once per SA family.
 */
struct xs_metrics_sa_src {
	void (*rewind)(void *ctx);
	int (*next)(void *ctx, struct xs_metrics_sa *sa);
	void *ctx;
};

/* Counter families from the summed stats. */
void xs_metrics_write_counters(struct xs_mout *o, const struct xs_stats *st);
/* Per-worker family from n wstats rows. */
void xs_metrics_write_workers(struct xs_mout *o, const struct xs_stats *rows,
			      unsigned int n);
/* Per-SA families; returns 0 or the source's -errno. */
int xs_metrics_write_sas(struct xs_mout *o, const struct xs_metrics_sa_src *s);

/* The whole exposition from the maps of dp; 0 or -errno. */
int xs_metrics_collect(struct xs_dp *dp, struct xs_mout *o);

/* xdpsecctl metrics [--once] [--listen ADDR:PORT]: exit status. */
int xs_metrics_main(const char *pin_dir, int argc, char **argv);

#endif /* XS_METRICS_H */
