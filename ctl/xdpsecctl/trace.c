// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The per-packet trace reader (see trace.h):
 *
 *   12.345678 xdp_ingress v1 udp 10.1.0.2.1000 > 10.2.0.2.53 drop-in-clear
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "trace.h"
#include "../lib/counter.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *proto_name(uint8_t p, char *buf, size_t cap)
{
	switch (p) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmp6";
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	default:
		snprintf(buf, cap, "proto-%u", p);
		return buf;
	}
}

static bool has_ports(uint8_t p)
{
	return p == IPPROTO_TCP || p == IPPROTO_UDP;
}

int xs_trace_format(const struct xs_trace_ev *ev, char *buf, size_t cap)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], ifn[IF_NAMESIZE];
	char pbuf[16], sp[8] = "", dp[8] = "";
	int af = ev->family == XS_AF_INET ? AF_INET : AF_INET6;
	const char *cnt = xs_counter_name(ev->counter);

	inet_ntop(af, ev->src, src, sizeof(src));
	inet_ntop(af, ev->dst, dst, sizeof(dst));
	if (!if_indextoname(ev->ifindex, ifn))
		snprintf(ifn, sizeof(ifn), "if%u", ev->ifindex);
	if (has_ports(ev->proto) && !ev->frag) {
		snprintf(sp, sizeof(sp), ".%u", ntohs(ev->sport));
		snprintf(dp, sizeof(dp), ".%u", ntohs(ev->dport));
	}
	return snprintf(buf, cap, "%llu.%06llu %s %s %s%s %s%s > %s%s %s",
			(unsigned long long)(ev->ns / 1000000000ull),
			(unsigned long long)(ev->ns / 1000 % 1000000),
			ev->hook == XS_HOOK_XDP_INGRESS ? "xdp_ingress" :
							  "tc_egress",
			ifn, proto_name(ev->proto, pbuf, sizeof(pbuf)),
			ev->frag ? " frag" : "", src, sp, dst, dp, cnt);
}

struct reader {
	long left; /* records still wanted, < 0: no limit */
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct reader *r = ctx;
	char line[256];

	if (size < sizeof(struct xs_trace_ev))
		return 0;
	xs_trace_format(data, line, sizeof(line));
	puts(line);
	if (r->left > 0 && --r->left == 0)
		stop = 1;
	return 0;
}

int xs_trace_main(const char *pin_dir, int argc, char **argv)
{
	struct reader r = { .left = -1 };
	struct ring_buffer *rb;
	long secs = 0;
	char path[512];
	time_t end;
	int fd, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc)
			secs = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-c") && i + 1 < argc)
			r.left = strtol(argv[++i], NULL, 10);
		else
			return 2;
	}
	if (secs < 0 || r.left == 0)
		return 2;
	snprintf(path, sizeof(path), "%s/trace", pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fprintf(stderr, "xdpsecctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	rb = ring_buffer__new(fd, on_record, &r, NULL);
	if (!rb) {
		fprintf(stderr, "xdpsecctl: trace ring buffer: %s\n",
			strerror(errno));
		close(fd);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	end = time(NULL) + secs;
	while (!stop && (!secs || time(NULL) < end))
		if (ring_buffer__poll(rb, 200) < 0 && errno != EINTR)
			break;
	ring_buffer__free(rb);
	close(fd);
	return 0;
}
