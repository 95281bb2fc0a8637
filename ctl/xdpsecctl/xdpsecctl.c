// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdpsecctl: inspect and tune a running xdpsec datapath through its pinned
 * maps (no daemon needed).
 *
 *   xdpsecctl [--pin-dir DIR] sysctl -a
 *   xdpsecctl [--pin-dir DIR] sysctl NAME [NAME=VALUE ...]
 *   xdpsecctl [--pin-dir DIR] stat [-a]
 *   xdpsecctl [--pin-dir DIR] stat -p esp|ah
 *   xdpsecctl [--pin-dir DIR] [--pfkey-socket PATH] show sa|flow|mem
 *   xdpsecctl [--pin-dir DIR] trace [-t SECONDS] [-c COUNT]
 *   xdpsecctl [--pin-dir DIR] detach
 *   xdpsecctl [--pin-dir DIR] metrics --once | --listen ADDR:PORT
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../daemon/dp.h"
#include "../daemon/loader.h"
#include "protostat.h"
#include "show.h"
#include "trace.h"
#include "../lib/counter.h"
#include "../lib/log.h"
#include "../lib/sysctl.h"
#include "metrics.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xdpsecctl [--pin-dir DIR] COMMAND\n"
		"  sysctl -a                  print every ipsec(4) knob\n"
		"  sysctl NAME ...            print knobs\n"
		"  sysctl [-w] NAME=VALUE ... set knobs (BPF: next packet; workers: <= 1 s)\n"
		"  stat [-a]                  datapath counters (-a: zeros too)\n"
		"  stat -p esp|ah             one protocol, as netstat -s -p\n"
		"  show sa|flow               SAs / flows as ipsecctl -s (PF_KEY)\n"
		"  show mem                   the datapath tables' entries and memory\n"
		"  trace [-t SECS] [-c N]     per-packet trace while a debug knob is on\n"
		"  detach                     remove programs, enc pair, pins\n"
		"  metrics --once             Prometheus text exposition on stdout\n"
		"  metrics --listen ADDR:PORT serve it on GET /metrics\n"
		"Pin directory: %s by default.\n",
		XS_PIN_DIR_DEFAULT);
}

static int print_all(const struct xs_config *c)
{
	const struct xs_sysctl_desc *d;
	size_t i;

	for (i = 0; (d = xs_sysctl_at(i)); i++)
		printf("%s = %u\n", d->name, xs_sysctl_get(c, d));
	return 0;
}

/* NAME=VALUE: set in c; NAME: print. */
static int one_arg(struct xs_config *c, char *arg, int *dirty)
{
	const struct xs_sysctl_desc *d;
	char *eq = strchr(arg, '='), *end;
	unsigned long v;

	if (eq)
		*eq = '\0';
	d = xs_sysctl_find(arg);
	if (!d) {
		fprintf(stderr, "xdpsecctl: unknown oid '%s'\n", arg);
		return -ENOENT;
	}
	if (!eq) {
		printf("%s = %u\n", d->name, xs_sysctl_get(c, d));
		return 0;
	}
	errno = 0;
	v = strtoul(eq + 1, &end, 0);
	if (errno || end == eq + 1 || *end || v > UINT32_MAX ||
	    xs_sysctl_set(c, d, (uint32_t)v)) {
		fprintf(stderr, "xdpsecctl: %s: invalid value '%s' (%u..%u)\n",
			d->name, eq + 1, d->min, d->max);
		return -ERANGE;
	}
	printf("%s: %lu\n", d->name, v);
	*dirty = 1;
	return 0;
}

static int cmd_sysctl(struct xs_dp *dp, int argc, char **argv)
{
	struct xs_config c;
	int i, err, dirty = 0, first = 1;

	err = xs_dp_config_get(dp, &c);
	if (err) {
		fprintf(stderr, "xdpsecctl: reading config: %s\n",
			strerror(-err));
		return 1;
	}
	if (argc == 2 && !strcmp(argv[1], "-a"))
		return print_all(&c);
	if (argc > 1 && !strcmp(argv[1], "-w"))
		first = 2;
	if (argc <= first) {
		usage(stderr);
		return 2;
	}
	for (i = first; i < argc; i++) {
		err = one_arg(&c, argv[i], &dirty);
		if (err)
			return 1;
	}
	if (dirty) {
		err = xs_dp_config_set(dp, &c);
		if (err) {
			fprintf(stderr, "xdpsecctl: writing config: %s\n",
				strerror(-err));
			return 1;
		}
	}
	return 0;
}

static int cmd_stat(struct xs_dp *dp, int argc, char **argv)
{
	int all = argc > 1 && !strcmp(argv[1], "-a");
	struct xs_stats st;
	const __u64 *v = (const __u64 *)&st;
	int i, err;

	if (argc > 1 && !strcmp(argv[1], "-p")) {
		err = argc == 3 ? xs_protostat_print(dp, argv[2], stdout) : 2;
		if (err == 2)
			usage(stderr);
		return err;
	}
	err = xs_dp_stats_get(dp, &st);
	if (err) {
		fprintf(stderr, "xdpsecctl: reading stats: %s\n",
			strerror(-err));
		return 1;
	}
	for (i = 0; i < XS_CNT_MAX; i++)
		if (all || v[i])
			printf("%20llu %-22s %s\n", (unsigned long long)v[i],
			       xs_counter_at(i)->name, xs_counter_at(i)->text);
	return 0;
}

static int cmd_show(const char *what, const char *sock)
{
	int err = xs_show_pfkey(what, sock, stdout);

	if (err == -EINVAL) {
		usage(stderr);
		return 2;
	}
	if (err) {
		fprintf(stderr, "xdpsecctl: show %s: %s\n", what,
			strerror(-err));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "pfkey-socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *pin_dir = XS_PIN_DIR_DEFAULT, *sock = NULL;
	struct xs_dp dp;
	int c, err, ret;

	xs_log_init("xdpsecctl", XS_LOG_INFO);
	while ((c = getopt_long(argc, argv, "+p:s:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pin_dir = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[0], "detach"))
		return xs_loader_detach(pin_dir) ? 1 : 0;
	if (!strcmp(argv[0], "metrics"))
		return xs_metrics_main(pin_dir, argc, argv);
	if (!strcmp(argv[0], "trace")) {
		ret = xs_trace_main(pin_dir, argc, argv);
		if (ret == 2)
			usage(stderr);
		return ret;
	}
	if (!strcmp(argv[0], "show") && argc == 2 && strcmp(argv[1], "mem"))
		return cmd_show(argv[1], sock);
	err = xs_dp_open_pinned(&dp, pin_dir);
	if (err) {
		fprintf(stderr, "xdpsecctl: %s: no xdpsec datapath (%s)\n",
			pin_dir, strerror(-err));
		return 1;
	}
	if (!strcmp(argv[0], "sysctl")) {
		ret = cmd_sysctl(&dp, argc, argv);
	} else if (!strcmp(argv[0], "stat")) {
		ret = cmd_stat(&dp, argc, argv);
	} else if (!strcmp(argv[0], "show") && argc == 2) {
		ret = xs_show_mem(&dp, pin_dir, sock, stdout) ? 1 : 0;
	} else {
		usage(stderr);
		ret = 2;
	}
	xs_dp_close(&dp);
	return ret;
}
