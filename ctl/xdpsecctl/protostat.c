// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Per-protocol statistics (see protostat.h).  The workers count each SA's
 * packets in the row of its protocol (wstats: ESP rows, AH rows); what the
 * XDP/TC programs count before an SA is known (unknown SPI, malformed) is
 * not split by protocol and is shown by `xdpsecctl stat`, except the
 * protocol-disabled drops, which are.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "protostat.h"

/* One line: counter, OpenBSD's wording (%s: the protocol's name). */
static const struct line {
	enum xs_counter c;
	const char *text;
} lines[] = {
	{ XS_CNT_rx_decrypt, "input %s packets" },
	{ XS_CNT_tx_encrypt, "output %s packets" },
	{ XS_CNT_rx_bytes, "input bytes" },
	{ XS_CNT_tx_bytes, "output bytes" },
	{ XS_CNT_drop_no_sa, "packets for which no SA was found" },
	{ XS_CNT_drop_selector, "packets dropped due to policy" },
	{ XS_CNT_drop_bad_icv, "packets that failed verification received" },
	{ XS_CNT_drop_replay, "possibly replayed packets received" },
	{ XS_CNT_drop_seq_wrap, "packets where counter wrapping was detected" },
	{ XS_CNT_drop_bad_pad, "packets with bad padding" },
	{ XS_CNT_drop_dummy, "dummy packets (next header 59) dropped" },
	{ XS_CNT_drop_malformed, "packets shorter than header or malformed" },
	{ XS_CNT_drop_unsupported, "packets for unknown/unsupported protocol" },
	{ XS_CNT_drop_too_big, "packets too big once encapsulated" },
	{ XS_CNT_drop_ecn, "tunnel packets dropped by the ECN rules" },
	{ XS_CNT_drop_tx_full, "packets dropped due to full output queue" },
	{ XS_CNT_esn_resync, "ESN resynchronisations" },
};

int xs_protostat_print(struct xs_dp *dp, const char *proto, FILE *out)
{
	bool ah = !strcmp(proto, "ah");
	struct xs_stats w, all;
	const uint64_t *v = (const uint64_t *)&w;
	const uint64_t *a = (const uint64_t *)&all;
	size_t i;
	int err;

	if (!ah && strcmp(proto, "esp"))
		return 2;
	err = xs_dp_wstats_get(dp, ah, &w);
	if (!err)
		err = xs_dp_stats_get(dp, &all);
	if (err) {
		fprintf(stderr, "xdpsecctl: reading stats: %s\n",
			strerror(-err));
		return 1;
	}
	fprintf(out, "%s:\n", proto);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		fprintf(out, "\t%llu ", (unsigned long long)v[lines[i].c]);
		fprintf(out, lines[i].text, ah ? "AH" : "ESP");
		fputc('\n', out);
	}
	fprintf(out, "\t%llu packets dropped: protocol disabled\n",
		(unsigned long long)a[ah ? XS_CNT_drop_ah_disabled :
					   XS_CNT_drop_esp_disabled]);
	return 0;
}
