// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The bench's traffic generator: a flood of pre-built frames out of one
 * interface, flat out or at -p PPS.
 *
 *   xgen -i IFACE -d DSTMAC -a SRCIP -b DSTIP -s SIZE|imix -t SECONDS
 *        [-e SPI:ENC:KEYHEX[:AUTH:KEYHEX]] [-n FRAMES] [-p PPS] [-L]
 *   xgen -D IFACE        attach an XDP_DROP sink (native) and exit
 *   xgen -P IFACE        attach an XDP_PASS program (native) and exit
 *
 * By default AF_PACKET (PACKET_QDISC_BYPASS, sendmmsg batches of 64).
 * -L runs bench/bpf/xgen_live.bpf.c with BPF_PROG_TEST_RUN in live-frames
 * mode instead (kernel >= 5.18): the frames are XDP-redirected out of
 * IFACE, several times faster; the receiving veth needs an XDP program
 * (-D, -P, or the receiver's own).  If the kernel refuses, xgen says so
 * on stderr and uses AF_PACKET.  With -p, AF_PACKET waits between its
 * batches; live frames are spaced by the XDP program (a stall of the CPU
 * over 1 ms loses its frames: the output says what was sent).
 *
 * Frames are Ethernet + IPv4 + UDP (checksum 0, ports 4000-4063 -> 5000) of
 * SIZE bytes; imix cycles 7 x 64, 4 x 576, 1 x 1400.  With -e the IP
 * datagram is sealed once, at start, as transport-mode ESP
 * (aes-gcm-16, KEYHEX = key + 4-byte salt as setkey takes it) with the
 * project's xs_esp_output: FRAMES frames with sequence numbers 1..FRAMES
 * (default 4096) sent round and round, for an SA whose replay window is
 * off (-r 0).  Prints "pps=N sent=N mode=af-packet|xdp-live" (what the
 * interface accepted).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <openssl/crypto.h>
#include "../ctl/daemon/esp.h"
#include "../ctl/lib/alg.h"
#include "xdpraw.h"
#include "bpf/xgen_live.h"
#include "bench/xgen_live.skel.h"

#define BATCH 64
#define FRMAX XGEN_FRMAX

static const unsigned int imix[] = { 64, 64,  64,  64,	64,  64,
				     64, 576, 576, 576, 576, 1400 };
#define NIMIX (sizeof(imix) / sizeof(imix[0]))

struct gen {
	const char *ifname;
	uint8_t smac[6], dmac[6];
	struct in_addr src, dst;
	bool mix, esp;
	unsigned int size, nframes;
	double secs, pps;
	struct xs_sa_rt *rt;
	struct xs_esp_ctx ctx;
	uint8_t (*frames)[FRMAX];
	unsigned int *lens;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint16_t ip_csum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

/* IPv4 + UDP datagram of len bytes (len >= 28) into p. */
static void build_ip(const struct gen *g, uint8_t *p, unsigned int len,
		     unsigned int id)
{
	struct iphdr *ip = (struct iphdr *)p;
	struct udphdr *udp = (struct udphdr *)(p + sizeof(*ip));

	memset(p, 0, len);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((uint16_t)len);
	ip->id = htons((uint16_t)id);
	ip->saddr = g->src.s_addr;
	ip->daddr = g->dst.s_addr;
	ip->check = ip_csum(ip, sizeof(*ip));
	udp->source = htons((uint16_t)(4000 + id % 64)); /* 64 flows */
	udp->dest = htons(5000);
	udp->len = htons((uint16_t)(len - sizeof(*ip)));
}

static int build(struct gen *g)
{
	/* aligned for the header structs (the frame's IP header is not) */
	static uint8_t clear[FRMAX] __attribute__((aligned(8)));
	enum xs_counter why;
	unsigned int i, sz;
	int n;

	g->frames = calloc(g->nframes, FRMAX);
	g->lens = calloc(g->nframes, sizeof(*g->lens));
	if (!g->frames || !g->lens)
		return -ENOMEM;
	for (i = 0; i < g->nframes; i++) {
		uint8_t *f = g->frames[i];

		sz = g->mix ? imix[i % NIMIX] : g->size;
		memcpy(f, g->dmac, 6);
		memcpy(f + 6, g->smac, 6);
		f[12] = 0x08;
		f[13] = 0x00;
		build_ip(g, clear, sz - ETH_HLEN, i);
		if (!g->esp) {
			memcpy(f + ETH_HLEN, clear, sz - ETH_HLEN);
			g->lens[i] = sz;
			continue;
		}
		n = xs_esp_output(&g->ctx, g->rt, clear, sz - ETH_HLEN,
				  f + ETH_HLEN, FRMAX - ETH_HLEN, &why);
		if (n <= 0)
			return n ? n : -EINVAL;
		g->lens[i] = (unsigned int)n + ETH_HLEN;
	}
	return 0;
}

static int hexval(int c)
{
	if (isdigit(c))
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Hex digits into out (at most cap bytes); the count, or -1. */
static long unhex(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t i;

	if (n % 2 || n / 2 > cap)
		return -1;
	for (i = 0; i < n; i += 2) {
		if (hexval(s[i]) < 0 || hexval(s[i + 1]) < 0)
			return -1;
		out[i / 2] = (uint8_t)(hexval(s[i]) << 4 | hexval(s[i + 1]));
	}
	return (long)(n / 2);
}

/* "SPI:ENC:KEYHEX[:AUTH:KEYHEX]" with setkey's algorithm names. */
static int esp_setup(struct gen *g, const char *arg)
{
	char buf[512], *f[5] = { NULL }, *save = NULL, *tok;
	const struct xs_alg *enc, *auth = NULL;
	struct xs_sa sa;
	long kl, al = 0;
	int n = 0, err;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ":", &save); tok && n < 5;
	     tok = strtok_r(NULL, ":", &save))
		f[n++] = tok;
	if (n != 3 && n != 5)
		return -EINVAL;
	enc = xs_alg_by_name(XS_ALG_ENC, f[1]);
	if (n == 5)
		auth = xs_alg_by_name(XS_ALG_AUTH, f[3]);
	if (!enc || (n == 5 && !auth))
		return -EINVAL;
	memset(&sa, 0, sizeof(sa));
	sa.satype = SADB_SATYPE_ESP;
	sa.mode = IPSEC_MODE_TRANSPORT;
	sa.state = SADB_SASTATE_MATURE;
	sa.spi = (uint32_t)strtoul(f[0], NULL, 0);
	sa.enc_alg = enc->id;
	sa.auth_alg = auth ? auth->id : SADB_AALG_NONE;
	kl = unhex(f[2], strlen(f[2]), sa.enc_key, sizeof(sa.enc_key));
	if (auth)
		al = unhex(f[4], strlen(f[4]), sa.auth_key,
			   sizeof(sa.auth_key));
	if (kl < 0 || al < 0) {
		xs_sa_wipe(&sa);
		return -EINVAL;
	}
	sa.enc_keylen = (uint16_t)kl;
	sa.auth_keylen = (uint16_t)al;
	g->rt = xs_sa_rt_new(&sa, 0);
	xs_sa_wipe(&sa);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!g->rt)
		return -errno;
	err = xs_esp_ctx_init(&g->ctx, g->rt);
	g->esp = !err;
	return err;
}

static int own_mac(struct gen *g, int fd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", g->ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		return -errno;
	memcpy(g->smac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static int flood(struct gen *g, int fd, int ifindex)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_ifindex = ifindex,
				   .sll_halen = 6 };
	static struct mmsghdr msgs[BATCH];
	static struct iovec iov[BATCH];
	unsigned long long sent = 0;
	unsigned int next = 0, i;
	double t0 = now(), t = t0;
	int n;

	memcpy(sll.sll_addr, g->dmac, 6);
	for (; t - t0 < g->secs; t = now()) {
		if (g->pps && (double)sent >= g->pps * (t - t0)) {
			usleep(100);
			continue;
		}
		for (i = 0; i < BATCH; i++) {
			unsigned int f = (next + i) % g->nframes;

			iov[i].iov_base = g->frames[f];
			iov[i].iov_len = g->lens[f];
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &sll;
			msgs[i].msg_hdr.msg_namelen = sizeof(sll);
		}
		n = sendmmsg(fd, msgs, BATCH, 0);
		if (n < 0 && errno != ENOBUFS && errno != EAGAIN)
			return -errno;
		if (n > 0) {
			sent += (unsigned int)n;
			next = (next + (unsigned int)n) % g->nframes;
		}
	}
	printf("pps=%.0f sent=%llu mode=af-packet\n", (double)sent / (t - t0),
	       sent);
	return 0;
}

/*
 * What the veth accepted from XDP: the sum of its tx_queue_N_xdp_xmit
 * counters (frames put in the peer's ring; a full ring or a peer without
 * XDP counts in _xdp_xmit_errors instead), or -1 when there are none.
 */
static long long xdp_xmitted(int fd, const char *ifname)
{
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	struct ethtool_gstrings *names = NULL;
	struct ethtool_stats *st = NULL;
	long long sum = -1;
	struct ifreq ifr;
	size_t len;
	__u32 i, n;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&di;
	if (ioctl(fd, SIOCETHTOOL, &ifr) || !di.n_stats)
		return -1;
	n = di.n_stats;
	names = calloc(1, sizeof(*names) + (size_t)n * ETH_GSTRING_LEN);
	st = calloc(1, sizeof(*st) + (size_t)n * sizeof(__u64));
	if (!names || !st)
		goto out;
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_STATS;
	names->len = n;
	st->cmd = ETHTOOL_GSTATS;
	st->n_stats = n;
	ifr.ifr_data = (void *)names;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		goto out;
	ifr.ifr_data = (void *)st;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		goto out;
	for (i = 0; i < n; i++) {
		const char *name =
			(const char *)names->data + (size_t)i * ETH_GSTRING_LEN;

		len = strnlen(name, ETH_GSTRING_LEN);
		if (!strncmp(name, "tx_queue_", 9) && len > 9 &&
		    !strcmp(name + len - 9, "_xdp_xmit"))
			sum = (sum < 0 ? 0 : sum) + (long long)st->data[i];
	}
out:
	free(names);
	free(st);
	return sum;
}

/* The generator program with the frames in its map; NULL and errno. */
static struct xgen_live_bpf *live_load(const struct gen *g, int ifindex)
{
	struct xgen_live_bpf *skel = xgen_live_bpf__open();
	struct xgen_frame *v = calloc(1, sizeof(*v));
	unsigned int i;
	int err = -ENOMEM;

	if (!skel || !v)
		goto fail;
	skel->rodata->ifindex = (__u32)ifindex;
	skel->rodata->nframes = g->nframes;
	/* -p: frames evenly spaced, a stall of up to 1 ms (64 frames at
	 * least) made up for */
	skel->rodata->gap_ns = g->pps ? (__u64)(1e9 / g->pps) : 0;
	skel->rodata->slack_ns = skel->rodata->gap_ns * 64 > 1000000 ?
					 skel->rodata->gap_ns * 64 :
					 1000000;
	err = bpf_map__set_max_entries(skel->maps.frames, g->nframes);
	if (!err)
		err = xgen_live_bpf__load(skel);
	for (i = 0; !err && i < g->nframes; i++) {
		v->len = g->lens[i];
		memcpy(v->data, g->frames[i], g->lens[i]);
		err = bpf_map_update_elem(bpf_map__fd(skel->maps.frames), &i, v,
					  BPF_ANY) ?
			      -errno :
			      0;
	}
	if (err)
		goto fail;
	free(v);
	return skel;
fail:
	free(v);
	xgen_live_bpf__destroy(skel);
	errno = err < 0 ? -err : ENOMEM;
	return NULL;
}

/* One BPF_PROG_TEST_RUN of repeat live frames; 0 or -errno, *ns the
 * kernel's time per frame (set-up excluded). */
static int live_run(int prog, const struct gen *g, unsigned int len,
		    int ifindex, __u32 repeat, __u32 *ns)
{
	struct xdp_md md = { .data_end = len,
			     .ingress_ifindex = (__u32)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = g->frames[0],
		    .data_size_in = len, .ctx_in = &md,
		    .ctx_size_in = sizeof(md), .repeat = repeat,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

	if (bpf_prog_test_run_opts(prog, &o))
		return -errno;
	*ns = o.duration;
	return 0;
}

/*
 * How many runs the next call gets, 0 to stop.  Each call costs ovh s of
 * idle time (~25 ms: the kernel swaps the XDP dispatcher in and out, two
 * RCU grace periods), so calls last a second, the last ones 0.25 s to
 * end on time; rate is runs per second of wall time while running (other
 * tasks on the CPU included).  With -p the program paces itself.
 */
static __u32 live_chunk(const struct gen *g, double el, double rate, double ovh)
{
	double left = g->secs - el, span, n;

	if (rate > 0) {
		if (left <= ovh)
			return 0;
		span = left > 1.25 ? 1 : left > 0.25 ? 0.25 : left;
		n = rate * (span - ovh);
		if (n < 64)
			n = 64;
	} else {
		n = 65536;
	}
	return n > 1e9 ? 1000000000u : (__u32)n;
}

/*
 * The fast path: xgen_live.bpf.c run by BPF_PROG_TEST_RUN in live-frames
 * mode writes each frame in turn and redirects it out of the interface
 * (what xdp-trafficgen does, without its tracepoint).  The receiving
 * veth's NAPI runs in softirq on this CPU.  -errno with nothing sent when
 * the kernel refuses: the caller falls back to AF_PACKET.
 */
static int flood_live(struct gen *g, int fd, int ifindex)
{
	unsigned long long runs = 0, sent;
	unsigned int i, len = 0;
	struct xgen_live_bpf *skel;
	long long x0, x1;
	double t0, t, c, el, rate = 0, ovh = 0.1, o;
	int prog, err = 0;
	__u32 n, ns = 0;

	skel = live_load(g, ifindex);
	if (!skel)
		return -errno;
	prog = bpf_program__fd(skel->progs.xgen_live);
	for (i = 0; i < g->nframes; i++)
		if (g->lens[i] > len)
			len = g->lens[i];
	x0 = xdp_xmitted(fd, g->ifname);
	t0 = now();
	for (t = t0; (el = t - t0) < g->secs - 0.002; t = now()) {
		n = live_chunk(g, el, rate, ovh);
		if (!n)
			break;
		err = live_run(prog, g, len, ifindex, n, &ns);
		if (err)
			break;
		runs += n;
		/* the fixed cost: the least seen of wall minus run time */
		c = now() - t;
		o = c - (double)n * ns / 1e9;
		ovh = o < 0 ? 0 : o < ovh ? o : ovh;
		rate = c > ovh ? n / (c - ovh) : 0;
	}
	x1 = xdp_xmitted(fd, g->ifname);
	sent = skel->bss->sent;
	xgen_live_bpf__destroy(skel);
	if (err && !runs)
		return err;
	if (err)
		fprintf(stderr, "xgen: live frames stopped after %.2f s: %s\n",
			t - t0, strerror(-err));
	if (x0 >= 0 && x1 >= x0) /* what the veth took, else redirected */
		sent = (unsigned long long)(x1 - x0);
	printf("pps=%.0f sent=%llu mode=xdp-live\n", (double)sent / (t - t0),
	       sent);
	return 0;
}

static int parse_mac(const char *s, uint8_t *m)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2],
		      &m[3], &m[4], &m[5]) == 6 ?
		       0 :
		       -EINVAL;
}

static int usage(void)
{
	fprintf(stderr, "usage: xgen -i IFACE -d DSTMAC -a SRCIP -b DSTIP "
			"-s SIZE|imix -t SECONDS [-e SPI:ENC:KEY[:AUTH:KEY]]\n"
			"       [-n FRAMES] [-p PPS] [-L]\n"
			"       xgen -D|-P IFACE\n");
	return 64;
}

int main(int argc, char **argv)
{
	static struct gen g = { .nframes = 4096, .secs = 1 };
	int c, fd, one = 1, ifindex, err;
	const char *esp = NULL;
	bool live = false;

	while ((c = getopt(argc, argv, "i:d:a:b:s:t:e:n:p:D:P:L")) != -1) {
		switch (c) {
		case 'D':
		case 'P':
			ifindex = (int)if_nametoindex(optarg);
			err = ifindex ? xb_xdp_attach_verdict(
						ifindex, c == 'D' ? XDP_DROP :
								    XDP_PASS) :
					-ENODEV;
			if (err < 0)
				fprintf(stderr, "xgen: XDP on %s: %s\n", optarg,
					strerror(-err));
			return err < 0;
		case 'L':
			live = true;
			break;
		case 'i':
			g.ifname = optarg;
			break;
		case 'd':
			if (parse_mac(optarg, g.dmac))
				return usage();
			break;
		case 'a':
			if (!inet_aton(optarg, &g.src))
				return usage();
			break;
		case 'b':
			if (!inet_aton(optarg, &g.dst))
				return usage();
			break;
		case 's':
			g.mix = !strcmp(optarg, "imix");
			g.size = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 't':
			g.secs = strtod(optarg, NULL);
			break;
		case 'e':
			esp = optarg;
			break;
		case 'n':
			g.nframes = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'p':
			g.pps = strtod(optarg, NULL);
			break;
		default:
			return usage();
		}
	}
	if (!g.ifname || (!g.mix && (g.size < 64 || g.size > 1500)) ||
	    !g.nframes || g.nframes > 65536 || g.pps < 0)
		return usage();
	if (esp && esp_setup(&g, esp)) {
		fprintf(stderr, "xgen: bad -e SPI:ENC:KEY[:AUTH:KEY]\n");
		return 64;
	}
	ifindex = (int)if_nametoindex(g.ifname);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (!ifindex || fd < 0 || own_mac(&g, fd)) {
		perror("xgen: socket");
		return 1;
	}
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	err = build(&g);
	if (!err && live) {
		int lerr = flood_live(&g, fd, ifindex);

		if (lerr)
			fprintf(stderr,
				"xgen: live frames: %s; using AF_PACKET\n",
				strerror(-lerr));
		live = !lerr;
	}
	if (!err && !live)
		err = flood(&g, fd, ifindex);
	if (err)
		fprintf(stderr, "xgen: %s\n", strerror(-err));
	if (g.esp)
		xs_esp_ctx_fini(&g.ctx);
	xs_sa_rt_free(g.rt);
	free(g.frames);
	free(g.lens);
	close(fd);
	return err ? 1 : 0;
}
