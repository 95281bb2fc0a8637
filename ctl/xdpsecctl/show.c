// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ipsecctl-style views (see show.h).
 *
 *   esp tunnel from 192.0.2.1 to 198.51.100.1 spi 0x00001001 enc aes-gcm-16
 *   flow esp out from 10.1.0.0/24 to 10.2.0.0/24 peer 198.51.100.1 type require
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "show.h"
#include "../lib/alg.h"
#include "../setkey/client.h"

static void put_addr(FILE *o, const struct xs_addr *a, bool plen)
{
	char s[INET6_ADDRSTRLEN];
	unsigned int full = a->family == AF_INET ? 32 : 128;

	if (!a->family) {
		fputs("any", o);
		return;
	}
	inet_ntop(a->family, a->a, s, sizeof(s));
	if (plen && !a->plen)
		fputs("any", o);
	else
		fputs(s, o);
	if (plen && a->plen && a->plen != full)
		fprintf(o, "/%u", a->plen);
	if (a->port)
		fprintf(o, " port %u", a->port);
}

static const char *mode_name(uint8_t mode)
{
	return mode == IPSEC_MODE_TUNNEL    ? "tunnel" :
	       mode == IPSEC_MODE_TRANSPORT ? "transport" :
					      "any";
}

static int print_sa(const struct xs_pfkey_msg *m, void *arg)
{
	const struct xs_alg *enc, *auth;
	FILE *o = arg;
	struct xs_sa sa;
	int err;

	err = xs_pfkey_get_sa(m, &sa);
	if (err) {
		xs_sa_wipe(&sa);
		return 0; /* an SA we cannot read is skipped, not fatal */
	}
	enc = xs_alg_by_id(XS_ALG_ENC, sa.enc_alg);
	auth = xs_alg_by_id(XS_ALG_AUTH, sa.auth_alg);
	fprintf(o, "%s %s from ",
		sa.satype == SADB_SATYPE_AH ? "ah" :
		sa.natt_type		    ? "esp-udp" :
					      "esp",
		mode_name(sa.mode));
	put_addr(o, &sa.src, false);
	fputs(" to ", o);
	put_addr(o, &sa.dst, false);
	fprintf(o, " spi 0x%08x", sa.spi);
	if (auth && sa.auth_alg)
		fprintf(o, " auth %s", auth->name);
	if (enc && sa.satype != SADB_SATYPE_AH)
		fprintf(o, " enc %s", enc->name);
	if (sa.natt_type)
		fprintf(o, " udpencap port %u", sa.natt_dport);
	fprintf(o, " bytes %llu\n", (unsigned long long)sa.cur.bytes);
	xs_sa_wipe(&sa);
	return 0;
}

static const char *level_name(uint8_t level)
{
	switch (level) {
	case IPSEC_LEVEL_USE:
		return "use";
	case IPSEC_LEVEL_REQUIRE:
		return "require";
	case IPSEC_LEVEL_UNIQUE:
		return "unique";
	default:
		return "default";
	}
}

static void print_flow_req(FILE *o, const struct xs_spolicy *sp,
			   const struct xs_ipsecreq *r, const char *dir)
{
	fprintf(o, "flow %s %s",
		r && r->proto == IPPROTO_AH ? "ah" :
		r			    ? "esp" :
					      "esp",
		dir);
	if (sp->sel.proto != IPSEC_ULPROTO_ANY)
		fprintf(o, " proto %u", sp->sel.proto);
	fputs(" from ", o);
	put_addr(o, &sp->sel.src, true);
	fputs(" to ", o);
	put_addr(o, &sp->sel.dst, true);
	if (r && r->mode == IPSEC_MODE_TUNNEL && r->dst.family) {
		fputs(" peer ", o);
		put_addr(o, sp->dir == IPSEC_DIR_INBOUND ? &r->src : &r->dst,
			 false);
	}
	if (!r)
		fprintf(o, " type %s\n",
			sp->type == IPSEC_POLICY_DISCARD ? "deny" : "bypass");
	else
		fprintf(o, " type %s\n", level_name(r->level));
}

static int print_flow(const struct xs_pfkey_msg *m, void *arg)
{
	FILE *o = arg;
	struct xs_spolicy sp;
	const char *dir;
	int i;

	if (xs_pfkey_get_policy(m, &sp))
		return 0;
	dir = sp.dir == IPSEC_DIR_INBOUND  ? "in" :
	      sp.dir == IPSEC_DIR_OUTBOUND ? "out" :
					     "fwd";
	if (sp.type != IPSEC_POLICY_IPSEC) {
		if (sp.type == IPSEC_POLICY_DISCARD ||
		    sp.type == IPSEC_POLICY_NONE ||
		    sp.type == IPSEC_POLICY_BYPASS)
			print_flow_req(o, &sp, NULL, dir);
		return 0;
	}
	for (i = 0; i < sp.nreq && i < XS_MAX_TMPL; i++)
		print_flow_req(o, &sp, &sp.req[i], dir);
	return 0;
}

int xs_show_pfkey(const char *what, const char *sock, FILE *out)
{
	struct sadb_msg req = { .sadb_msg_version = PF_KEY_V2,
				.sadb_msg_len = sizeof(req) / 8 };
	int (*cb)(const struct xs_pfkey_msg *, void *);
	struct xs_skclient c;
	int err;

	if (!strcmp(what, "sa")) {
		req.sadb_msg_type = SADB_DUMP;
		req.sadb_msg_satype = SADB_SATYPE_UNSPEC;
		cb = print_sa;
	} else if (!strcmp(what, "flow")) {
		req.sadb_msg_type = SADB_X_SPDDUMP;
		cb = print_flow;
	} else {
		return -EINVAL;
	}
	err = xs_skclient_open(&c, sock);
	if (err)
		return err;
	req.sadb_msg_pid = c.pid;
	req.sadb_msg_seq = ++c.seq;
	err = xs_skclient_request(&c, &req, sizeof(req), cb, out);
	xs_skclient_close(&c);
	return err == -ENOENT ? 0 : err; /* an empty database */
}

/* Kernel memory of a map from its fdinfo ("memlock:"), 0 if unknown. */
static unsigned long long memlock(int fd)
{
	unsigned long long v = 0;
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Entries of a hash map (keys walked), or max_entries for an array. */
static unsigned long long entries(int fd, const struct bpf_map_info *in)
{
	uint8_t key[256], next[256];
	unsigned long long n = 0;
	void *prev = NULL;

	if (in->type == BPF_MAP_TYPE_ARRAY ||
	    in->type == BPF_MAP_TYPE_PERCPU_ARRAY)
		return in->max_entries;
	if (in->key_size > sizeof(key) || in->type == BPF_MAP_TYPE_RINGBUF)
		return 0;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, in->key_size);
		prev = key;
		n++;
	}
	return n;
}

/* xdpsecd's pid: the PF_KEY socket's peer credentials; 0 if unknown. */
static pid_t daemon_pid(const char *sock)
{
	struct xs_skclient c;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	pid_t pid = 0;

	if (xs_skclient_open(&c, sock))
		return 0;
	if (!getsockopt(c.fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		pid = cr.pid;
	xs_skclient_close(&c);
	return pid;
}

/* The controller's share: resident and locked memory (the SADB, the SPD,
 * the workers' SA pages and UMEMs), from /proc. */
static void show_daemon_mem(const char *sock, FILE *out)
{
	char path[64], line[128];
	pid_t pid = daemon_pid(sock);
	FILE *f;

	if (!pid) {
		fprintf(out, "xdpsecd: not reachable over PF_KEY\n");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6) || !strncmp(line, "VmLck:", 6))
			fprintf(out, "xdpsecd (pid %d) %s", (int)pid, line);
	fclose(f);
}

int xs_show_mem(struct xs_dp *dp, const char *pin_dir, const char *sock,
		FILE *out)
{
	static const char *const maps[] = {
		"sa_in",	 "sa_out",	  "sa_stats",  "spd_rules",
		"spd_masks",	 "spd_policies",  "spd_cache", "pol_stats",
		"stats",	 "wstats",	  "acquire",   "acquire_rl",
		"spd_prune_src", "spd_prune_dst",
	};
	unsigned long long total = 0, mem, n;
	struct bpf_map_info in;
	char path[512];
	uint32_t len;
	size_t i;
	int fd;

	(void)dp;
	fprintf(out, "%-14s %10s %12s %14s\n", "table", "entries", "max",
		"kernel bytes");
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, maps[i]);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		memset(&in, 0, sizeof(in));
		len = sizeof(in);
		if (!bpf_obj_get_info_by_fd(fd, &in, &len)) {
			mem = memlock(fd);
			n = entries(fd, &in);
			fprintf(out, "%-14s %10llu %12u %14llu\n", maps[i], n,
				in.max_entries, mem);
			total += mem;
		}
		close(fd);
	}
	fprintf(out, "%-14s %10s %12s %14llu\n", "total", "", "", total);
	show_daemon_mem(sock, out);
	return 0;
}
