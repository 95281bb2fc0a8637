// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The bench's traffic generator: an AF_PACKET flood of pre-built frames
 * (PACKET_QDISC_BYPASS, sendmmsg batches of 64) out of one interface.
 *
 *   xgen -i IFACE -d DSTMAC -a SRCIP -b DSTIP -s SIZE|imix -t SECONDS
 *        [-e SPI:ENC:KEYHEX[:AUTH:KEYHEX]] [-n FRAMES] [-L]
 *   xgen -D IFACE        attach an XDP_DROP sink (native) and exit
 *
 * -L sends with an XDP program in BPF_PROG_TEST_RUN live-frames mode
 * instead (each frame BURST times in a row): slower here, the CPU idles
 * in it.
 *
 * Frames are Ethernet + IPv4 + UDP (checksum 0, ports 4000-4063 -> 5000) of
 * SIZE bytes; imix cycles 7 x 64, 4 x 576, 1 x 1400.  With -e the IP
 * datagram is sealed once, at start, as transport-mode ESP
 * (aes-gcm-16, KEYHEX = key + 4-byte salt as setkey takes it) with the
 * project's xs_esp_output: FRAMES frames with sequence numbers 1..FRAMES
 * (default 4096) sent round and round, for an SA whose replay window is
 * off (-r 0).  Prints "pps=N sent=N" (what the interface accepted).
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
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <openssl/crypto.h>
#include "../ctl/daemon/esp.h"
#include "../ctl/lib/alg.h"
#include "xdpraw.h"

#define BATCH 64
#define FRMAX 2048

static const unsigned int imix[] = { 64, 64,  64,  64,	64,  64,
				     64, 576, 576, 576, 576, 1400 };
#define NIMIX (sizeof(imix) / sizeof(imix[0]))

struct gen {
	const char *ifname;
	uint8_t smac[6], dmac[6];
	struct in_addr src, dst;
	bool mix, esp;
	unsigned int size, nframes;
	double secs;
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
	while (t - t0 < g->secs) {
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
		t = now();
	}
	printf("pps=%.0f sent=%llu mode=af-packet\n", (double)sent / (t - t0),
	       sent);
	return 0;
}

/*
 * The fast path: an XDP program run by BPF_PROG_TEST_RUN in live-frames
 * mode redirects each copy of a frame out of the interface (what
 * xdp-trafficgen does).  BURST copies of one frame per call, frames in
 * turn.  -EOPNOTSUPP/-EINVAL when the kernel refuses: use AF_PACKET.
 */
#define BURST 8192
static int flood_live(struct gen *g, int ifindex)
{
	struct xdp_md md = { .ingress_ifindex = (uint32_t)ifindex };
	unsigned long long sent = 0;
	double t0 = now(), t = t0;
	unsigned int f = 0;
	int prog, err = 0;

	prog = xb_xdp_redirect_prog(ifindex);
	if (prog < 0)
		return prog;
	while (t - t0 < g->secs) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = g->frames[f],
			    .data_size_in = g->lens[f], .ctx_in = &md,
			    .ctx_size_in = sizeof(md), .repeat = BURST,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

		md.data_end = g->lens[f];
		if (bpf_prog_test_run_opts(prog, &o)) {
			err = -errno;
			break;
		}
		sent += BURST;
		f = (f + 1) % g->nframes;
		t = now();
	}
	close(prog);
	if (!err)
		printf("pps=%.0f sent=%llu mode=xdp-live\n",
		       (double)sent / (t - t0), sent);
	return err;
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
			"       [-n FRAMES] [-L]\n"
			"       xgen -D IFACE\n");
	return 64;
}

int main(int argc, char **argv)
{
	static struct gen g = { .nframes = 4096, .secs = 1 };
	int c, fd, one = 1, ifindex, err;
	const char *esp = NULL;
	bool live = false;

	while ((c = getopt(argc, argv, "i:d:a:b:s:t:e:n:D:L")) != -1) {
		switch (c) {
		case 'D':
			ifindex = (int)if_nametoindex(optarg);
			err = ifindex ? xb_xdp_attach(ifindex, -1) : -ENODEV;
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
		default:
			return usage();
		}
	}
	if (!g.ifname || (!g.mix && (g.size < 64 || g.size > 1500)) ||
	    !g.nframes || g.nframes > 65536)
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
	if (!err && live)
		err = flood_live(&g, ifindex);
	else if (!err)
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
