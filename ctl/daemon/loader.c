// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Load, pin, attach, detach.  See loader.h.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "loader.h"
#include "../lib/log.h"
#include "../lib/sysctl.h"
#include "xdp_ingress.skel.h"
#include "tc_egress.skel.h"
#include "xdp_handoff.skel.h"
#include "tc_enc_ingress.skel.h"
#include "cg_sockopt.skel.h"
#include "cg_skb_in.skel.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* the pinned cgroup links (under pin_dir), in xs_loader_attach_cgroup()'s
 * program order */
static const char *const cg_links[] = {
	"link_cg_setsockopt",
	"link_cg_getsockopt",
	"link_cg_skb_ingress",
};

static bool on_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

static int mkdir_p(const char *dir)
{
	char tmp[256];
	char *p;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * The pin directory must be on a bpffs.  /sys/fs/bpf is not mounted at
 * boot here, and `ip netns exec` gives a private /sys without it: mount
 * one on the parent when the parent is /sys/fs/bpf, else on dir itself.
 */
int xs_loader_bpffs(const char *dir)
{
	char parent[256];
	char *slash;
	int err;

	if (snprintf(parent, sizeof(parent), "%s", dir) >= (int)sizeof(parent))
		return -ENAMETOOLONG;
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	err = mkdir_p(parent);
	if (err)
		return err;
	if (!on_bpffs(parent) && !strcmp(parent, "/sys/fs/bpf")) {
		if (mount("bpf", parent, "bpf", 0, "mode=0700"))
			return -errno;
		xs_log_info("mounted bpffs on %s", parent);
	}
	err = mkdir_p(dir);
	if (err)
		return err;
	if (!on_bpffs(dir)) {
		if (mount("bpf", dir, "bpf", 0, "mode=0700"))
			return -errno;
		xs_log_info("mounted bpffs on %s", dir);
	}
	return 0;
}

static void fill_dp(struct xs_dp *dp, struct bpf_object *obj)
{
	struct {
		const char *name;
		int *fd;
	} m[] = {
		{ "config", &dp->config },
		{ "state", &dp->state },
		{ "stats", &dp->stats },
		{ "ifaces", &dp->ifaces },
		{ "xsks", &dp->xsks },
		{ "spd_masks", &dp->spd_masks },
		{ "spd_rules", &dp->spd_rules },
		{ "spd_prune_src", &dp->spd_prune_src },
		{ "spd_prune_dst", &dp->spd_prune_dst },
		{ "spd_policies", &dp->spd_policies },
		{ "spd_cache", &dp->spd_cache },
		{ "pol_stats", &dp->pol_stats },
		{ "sa_in", &dp->sa_in },
		{ "sa_out", &dp->sa_out },
		{ "sa_stats", &dp->sa_stats },
		{ "wstats", &dp->wstats },
	};
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct bpf_map *map =
			bpf_object__find_map_by_name(obj, m[i].name);
		int fd = map ? bpf_map__fd(map) : -1;

		*m[i].fd = fd >= 0 ? dup(fd) : -1;
	}
}

static int check_dp(const struct xs_dp *dp)
{
	const int *fd = (const int *)dp;
	size_t i;

	for (i = 0; i < sizeof(*dp) / sizeof(int); i++)
		if (fd[i] < 0)
			return -ENOENT;
	return 0;
}

static void *map_mmap(int fd, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int write_defaults(struct xs_dp *dp)
{
	struct xs_state s = { 0 };
	struct xs_config c;

	xs_sysctl_defaults(&c);
	if (xs_dp_config_set(dp, &c) || xs_dp_state_set(dp, &s))
		return -errno;
	return 0;
}

/* A config map nobody wrote: esp_trans_deflev is never 0 once set. */
static bool config_unset(struct xs_dp *dp)
{
	struct xs_config c;

	return !xs_dp_config_get(dp, &c) && c.ip4_esp_trans_deflev == 0;
}

/* The cookie of this network namespace: the cgroup sockopt programs
 * serve only its sockets (0 if unknown: every namespace's). */
static __u64 netns_cookie(void)
{
	__u64 cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len))
		cookie = 0;
	close(fd);
	return cookie;
}

/* The per-socket policy objects (bpf/cg_sockopt, bpf/cg_skb_in). */
static int load_cgroup_objs(struct xs_loader *l,
			    const struct bpf_object_open_opts *opts)
{
	int err;

	l->sockopt = cg_sockopt_bpf__open_opts(opts);
	if (!l->sockopt)
		return -errno;
	l->sockopt->rodata->netns_cookie = netns_cookie();
	err = cg_sockopt_bpf__load(l->sockopt);
	if (err)
		return err;
	l->skb_in = cg_skb_in_bpf__open_opts(opts);
	return l->skb_in ? cg_skb_in_bpf__load(l->skb_in) : -errno;
}

int xs_loader_load(struct xs_loader *l)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = l->pin_dir);
	char probe[300];
	int err;

	xs_dp_init_none(&l->dp);
	err = xs_loader_bpffs(l->pin_dir);
	if (err) {
		xs_log_err("pin dir %s: %s", l->pin_dir, strerror(-err));
		return err;
	}
	snprintf(probe, sizeof(probe), "%s/config", l->pin_dir);
	l->fresh = access(probe, F_OK) != 0;

	l->ingress = xdp_ingress_bpf__open_opts(&opts);
	err = l->ingress ? xdp_ingress_bpf__load(l->ingress) : -errno;
	if (!err) {
		l->egress = tc_egress_bpf__open_opts(&opts);
		err = l->egress ? tc_egress_bpf__load(l->egress) : -errno;
	}
	if (!err) {
		l->handoff = xdp_handoff_bpf__open_opts(&opts);
		err = l->handoff ? xdp_handoff_bpf__load(l->handoff) : -errno;
	}
	if (!err) {
		l->enc_ingress = tc_enc_ingress_bpf__open_opts(&opts);
		err = l->enc_ingress ?
			      tc_enc_ingress_bpf__load(l->enc_ingress) :
			      -errno;
	}
	if (!err)
		err = load_cgroup_objs(l, &opts);
	if (err) {
		xs_log_err("loading BPF objects: %s", strerror(-err));
		goto fail;
	}
	fill_dp(&l->dp, l->ingress->obj);
	err = check_dp(&l->dp);
	if (err) {
		xs_log_err("a datapath map is missing from the object");
		goto fail;
	}
	l->wstats = map_mmap(l->dp.wstats, XS_WSTATS_ROWS * sizeof(*l->wstats));
	l->sa_stats =
		map_mmap(l->dp.sa_stats, XS_MAX_SA * sizeof(*l->sa_stats));
	if (!l->wstats || !l->sa_stats) {
		err = -errno;
		xs_log_err("mmap of the statistics maps: %s", strerror(errno));
		goto fail;
	}
	/* fresh maps, or maps iproute2 created (ip link ... obj): the
	 * sysctl knobs start at their ipsec(4) defaults */
	if (l->fresh || config_unset(&l->dp)) {
		err = write_defaults(&l->dp);
		if (err)
			goto fail;
	}
	xs_log_info("datapath loaded, maps %s under %s",
		    l->fresh ? "created" : "reused", l->pin_dir);
	return 0;
fail:
	xs_loader_close(l);
	return err;
}

static struct bpf_program *first_prog(struct bpf_object *obj)
{
	return bpf_object__next_program(obj, NULL);
}

/* Attach prog as the driver-mode XDP program of ifindex.  An xdpsec
 * program of the same name is replaced atomically; anything else attached
 * there is left alone and reported (XDP_FLAGS_UPDATE_IF_NOEXIST). */
static int attach_xdp(int ifindex, const char *ifname, struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), id = 0;
	__u32 flags = XDP_FLAGS_DRV_MODE;
	int err, old = -1;

	err = bpf_xdp_query_id(ifindex, XDP_FLAGS_DRV_MODE, &id);
	if (err)
		return err;
	if (id) {
		old = bpf_prog_get_fd_by_id(id);
		if (old < 0)
			return -errno;
		if (bpf_obj_get_info_by_fd(old, &info, &len) ||
		    strncmp(info.name, bpf_program__name(prog),
			    sizeof(info.name) - 1)) {
			xs_log_err("%s: another XDP program (id %u, %s) is "
				   "attached; not replacing it",
				   ifname, id, info.name);
			close(old);
			return -EBUSY;
		}
		opts.old_prog_fd = old;
		flags |= XDP_FLAGS_REPLACE;
	} else {
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(prog), flags, &opts);
	if (old >= 0)
		close(old);
	return err;
}

static int attach_tc(int ifindex, enum bpf_tc_attach_point where,
		     struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XS_TC_HANDLE,
		    .priority = XS_TC_PRIO, .flags = BPF_TC_F_REPLACE,
		    .prog_fd = bpf_program__fd(prog));
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &opts);
}

/* mac: the device's address, or NULL */
static int iface_register(struct xs_loader *l, int ifindex, __u32 flags,
			  const uint8_t *mac, __u32 *slot_out)
{
	struct xs_iface v = { 0 }, old;
	bool used[XS_MAX_IFACES] = { false };
	__u32 key, next, *prev = NULL;

	if (mac)
		memcpy(v.mac, mac, sizeof(v.mac));
	/* keep the slot a previous run gave this device */
	if (!bpf_map_lookup_elem(l->dp.ifaces, &ifindex, &old)) {
		*slot_out = old.slot;
		v.slot = old.slot;
		v.flags = flags;
		return bpf_map_update_elem(l->dp.ifaces, &ifindex, &v, 0);
	}
	while (!bpf_map_get_next_key(l->dp.ifaces, prev, &next)) {
		if (!bpf_map_lookup_elem(l->dp.ifaces, &next, &old) &&
		    old.slot < XS_MAX_IFACES)
			used[old.slot] = true;
		key = next;
		prev = &key;
	}
	for (v.slot = 0; v.slot < XS_MAX_IFACES && used[v.slot]; v.slot++)
		;
	if (v.slot == XS_MAX_IFACES)
		return -ENOSPC;
	v.flags = flags;
	*slot_out = v.slot;
	return bpf_map_update_elem(l->dp.ifaces, &ifindex, &v, 0) ? -errno : 0;
}

/* No IPv6 autoconf noise on the pair: it carries only what TC steers and
 * what the workers deliver (which tc_enc_ingress moves to the NIC, so
 * reverse-path filters see the right interface). */
static void enc_sysctls(const char *name)
{
	static const char *const knobs[][2] = {
		{ "ipv6/conf/%s/accept_ra", "0" },
		{ "ipv6/conf/%s/addr_gen_mode", "1" },
		{ "ipv6/conf/%s/dad_transmits", "0" },
	};
	char path[128], rel[96];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(rel, sizeof(rel), knobs[i][0], name);
		snprintf(path, sizeof(path), "/proc/sys/net/%s", rel);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, knobs[i][1], 1) != 1)
			xs_log_warn("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
}

/*
 * --enc-rps: the CPUs that run the stack's receive of decrypted packets
 * (RPS on every rx queue of the enc side).  Without it that work runs on
 * the worker that sent the packet, in its sendto().
 */
static int enc_rps(const struct xs_loader *l, uint32_t nq)
{
	char path[96], buf[16] = "";
	size_t len = strlen(l->enc_rps);
	uint32_t q;
	int fd, err = 0;

	/* /sys shows the namespace it was mounted in (nsenter keeps the
	 * caller's): refuse to write another namespace's device */
	snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", l->enc_name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0 ||
	    strtol(buf, NULL, 10) != (long)l->enc.ifindex) {
		xs_log_err("--enc-rps: %s is not this network namespace's %s "
			   "(mount sysfs in it, e.g. ip netns exec)",
			   path, l->enc_name);
		err = -EXDEV;
	}
	if (fd >= 0)
		close(fd);
	for (q = 0; !err && q < nq; q++) {
		snprintf(path, sizeof(path),
			 "/sys/class/net/%s/queues/rx-%u/rps_cpus", l->enc_name,
			 q);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, l->enc_rps, len) != (ssize_t)len)
			err = -errno;
		if (fd >= 0)
			close(fd);
		if (err)
			xs_log_err("--enc-rps %s: %s: %s", l->enc_rps, path,
				   strerror(-err));
	}
	return err;
}

int xs_loader_setup_enc(struct xs_loader *l, uint32_t nq)
{
	char wname[IF_NAMESIZE];
	struct xs_state s;
	__u32 slot;
	int err;

	if (snprintf(wname, sizeof(wname), "%sw", l->enc_name) >=
	    (int)sizeof(wname))
		return -ENAMETOOLONG;
	err = xs_nl_link_get(l->enc_name, 0, &l->enc);
	if (!err && l->enc.nq != nq) {
		xs_log_info("%s: recreating with %u queues", l->enc_name, nq);
		err = xs_nl_link_del(l->enc.ifindex);
		if (!err)
			err = -ENODEV;
	}
	if (err == -ENODEV) {
		err = xs_nl_veth_create(l->enc_name, wname, nq);
		if (!err && nq > 1)
			err = xs_nl_set_queues(l->enc_name, nq);
		if (!err && nq > 1)
			err = xs_nl_set_queues(wname, nq);
		if (!err)
			err = xs_nl_link_get(l->enc_name, 0, &l->enc);
		if (!err) {
			enc_sysctls(l->enc_name);
			enc_sysctls(wname);
		}
	}
	if (!err)
		err = xs_nl_link_get(wname, 0, &l->encw);
	if (err) {
		xs_log_err("enc interface %s/%s: %s", l->enc_name, wname,
			   strerror(-err));
		return err;
	}
	err = xs_nl_offloads_off(l->enc_name);
	if (err)
		xs_log_warn("%s: turning offloads off: %s", l->enc_name,
			    strerror(-err));
	if (l->enc_rps[0] && enc_rps(l, nq))
		return -EINVAL;
	err = attach_xdp(l->encw.ifindex, wname, first_prog(l->handoff->obj));
	if (!err)
		err = attach_tc(l->enc.ifindex, BPF_TC_INGRESS,
				first_prog(l->enc_ingress->obj));
	if (!err)
		err = iface_register(l, l->encw.ifindex, XS_IFACE_HANDOFF, NULL,
				     &slot);
	if (!err)
		err = xs_nl_link_set_up(l->encw.ifindex, 1);
	if (!err)
		err = xs_nl_link_set_up(l->enc.ifindex, 1);
	if (!err)
		err = xs_dp_state_get(&l->dp, &s);
	if (err) {
		xs_log_err("enc interface %s: %s", l->enc_name, strerror(-err));
		return err;
	}
	s.handoff_ifindex = l->enc.ifindex;
	s.handoff_slot = slot;
	l->encw_slot = slot;
	return xs_dp_state_set(&l->dp, &s);
}

/* Does the program use the map fd refers to? */
static bool prog_uses_map(int prog_fd, int map_fd)
{
	struct bpf_prog_info pi = { 0 };
	struct bpf_map_info mi = { 0 };
	__u32 ids[64], plen = sizeof(pi), mlen = sizeof(mi), i;

	pi.nr_map_ids = 64;
	pi.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &pi, &plen) ||
	    bpf_obj_get_info_by_fd(map_fd, &mi, &mlen))
		return false;
	for (i = 0; i < pi.nr_map_ids && i < 64; i++)
		if (ids[i] == mi.id)
			return true;
	return false;
}

/*
 * --attached: ip link / tc attached the programs (iproute2 pins their maps
 * by name, e.g. under /sys/fs/bpf/tc/globals, which must be the pin
 * directory).  Check that the XDP program is xdpsec's ingress program and
 * uses these maps; TC egress is the operator's to attach.
 */
static int check_attached(struct xs_loader *l, int ifindex, const char *ifname)
{
	struct bpf_prog_info info = { 0 };
	__u32 id = 0, len = sizeof(info);
	int fd, ok;

	if (bpf_xdp_query_id(ifindex, XDP_FLAGS_DRV_MODE, &id) || !id) {
		xs_log_err("%s: --attached, but no XDP program is attached",
			   ifname);
		return -ENOENT;
	}
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	ok = !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	     !strncmp(info.name, bpf_program__name(first_prog(l->ingress->obj)),
		      sizeof(info.name) - 1) &&
	     prog_uses_map(fd, l->dp.stats);
	close(fd);
	if (!ok) {
		xs_log_err("%s: the attached XDP program (id %u, %s) is not "
			   "xdpsec's ingress program on the maps under %s",
			   ifname, id, info.name, l->pin_dir);
		return -EINVAL;
	}
	return 0;
}

int xs_loader_attach_nic(struct xs_loader *l, const char *ifname)
{
	struct xs_link *link;
	__u32 slot;
	int err;

	if (l->nnic >= (int)(sizeof(l->nic) / sizeof(l->nic[0])))
		return -ENOSPC;
	link = &l->nic[l->nnic];
	err = xs_nl_link_get(ifname, 0, link);
	if (err) {
		xs_log_err("%s: %s", ifname, strerror(-err));
		return err;
	}
	if (link->num_rx_queues > XS_MAX_QUEUES) {
		xs_log_err("%s: %u queues, at most %d supported", ifname,
			   link->num_rx_queues, XS_MAX_QUEUES);
		return -E2BIG;
	}
	/* register first: the ingress program needs its slot at once */
	err = iface_register(l, link->ifindex, XS_IFACE_NIC, link->mac, &slot);
	if (!err && l->attached)
		err = check_attached(l, link->ifindex, ifname);
	if (!err && !l->attached)
		err = attach_tc(link->ifindex, BPF_TC_EGRESS,
				first_prog(l->egress->obj));
	if (!err && !l->attached)
		err = attach_xdp(link->ifindex, ifname,
				 first_prog(l->ingress->obj));
	if (err) {
		xs_log_err("%s: attaching: %s", ifname, strerror(-err));
		return err;
	}
	xs_log_info("%s: %s (ifindex %d, %u queues, slot %u)", ifname,
		    l->attached ? "using the attached programs" : "attached",
		    link->ifindex, link->nq, slot);
	l->nic_slot[l->nnic++] = slot;
	return 0;
}

void xs_loader_close(struct xs_loader *l)
{
	if (l->wstats)
		munmap(l->wstats, XS_WSTATS_ROWS * sizeof(*l->wstats));
	if (l->sa_stats)
		munmap(l->sa_stats, XS_MAX_SA * sizeof(*l->sa_stats));
	l->wstats = NULL;
	l->sa_stats = NULL;
	xs_dp_close(&l->dp);
	xdp_ingress_bpf__destroy(l->ingress);
	tc_egress_bpf__destroy(l->egress);
	xdp_handoff_bpf__destroy(l->handoff);
	tc_enc_ingress_bpf__destroy(l->enc_ingress);
	cg_sockopt_bpf__destroy(l->sockopt);
	cg_skb_in_bpf__destroy(l->skb_in);
	l->sockopt = NULL;
	l->skb_in = NULL;
	l->enc_ingress = NULL;
	l->ingress = NULL;
	l->egress = NULL;
	l->handoff = NULL;
}

/* ------------------------------------------------------------ cgroup */

static bool is_cgroup2(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == CGROUP2_SUPER_MAGIC;
}

/* l->cgroup, or the cgroup v2 mount when it is empty; NULL if none. */
static const char *cgroup_path(const struct xs_loader *l)
{
	if (l->cgroup[0])
		return l->cgroup;
	if (is_cgroup2(XS_CGROUP2_HYBRID))
		return XS_CGROUP2_HYBRID;
	if (is_cgroup2(XS_CGROUP2_PURE))
		return XS_CGROUP2_PURE;
	return NULL;
}

/* Is the pinned link fd attached to the cgroup whose id is cg_id? */
static bool link_on_cgroup(int fd, __u64 cg_id)
{
	struct bpf_link_info info = { 0 };
	__u32 len = sizeof(info);

	return !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       info.type == BPF_LINK_TYPE_CGROUP &&
	       info.cgroup.cgroup_id == cg_id;
}

/* Attach prog to cgroup cgfd (id cg_id) through the link pinned at path:
 * a pinned link on the same cgroup gets the new program in place. */
static int attach_cg(int cgfd, __u64 cg_id, struct bpf_program *prog,
		     const char *path)
{
	struct bpf_link *link = bpf_link__open(path);
	int err;

	if (link && link_on_cgroup(bpf_link__fd(link), cg_id) &&
	    !bpf_link__update_program(link, prog)) {
		bpf_link__destroy(link); /* the fd; the pin keeps it */
		return 0;
	}
	if (link) { /* another cgroup, or not updatable: start afresh */
		bpf_link_detach(bpf_link__fd(link));
		bpf_link__unpin(link);
		bpf_link__destroy(link);
	}
	unlink(path);
	link = bpf_program__attach_cgroup(prog, cgfd);
	if (!link)
		return -errno;
	err = bpf_link__pin(link, path);
	if (err)
		bpf_link_detach(bpf_link__fd(link));
	bpf_link__destroy(link);
	return err;
}

int xs_loader_attach_cgroup(struct xs_loader *l)
{
	struct bpf_program *progs[] = {
		l->sockopt->progs.xs_setsockopt,
		l->sockopt->progs.xs_getsockopt,
		l->skb_in->progs.xs_sock_ingress,
	};
	const char *cg = cgroup_path(l);
	char path[300];
	struct stat st;
	size_t i;
	int fd, err = 0;

	if (!cg) {
		xs_log_warn("no cgroup v2 mount: per-socket policy is off");
		return 0;
	}
	fd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !is_cgroup2(cg)) {
		err = fd < 0 ? -errno : -ENOTDIR;
		xs_log_err("cgroup %s: %s", cg,
			   fd < 0 ? strerror(errno) : "not a cgroup v2");
		goto out;
	}
	for (i = 0; !err && i < sizeof(progs) / sizeof(progs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", l->pin_dir, cg_links[i]);
		err = attach_cg(fd, st.st_ino, progs[i], path);
	}
	if (err)
		xs_log_err("cgroup %s: attaching: %s", cg, strerror(-err));
	else
		xs_log_info("per-socket policy on cgroup %s", cg);
out:
	if (fd >= 0)
		close(fd);
	return err;
}

/* Detach the pinned cgroup links (unpin_all removes the pins). */
static void detach_cgroup(const char *pin_dir)
{
	char path[300];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(cg_links) / sizeof(cg_links[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, cg_links[i]);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		bpf_link_detach(fd);
		close(fd);
	}
}

static void detach_iface(int ifindex, const struct xs_iface *v)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XS_TC_HANDLE,
		    .priority = XS_TC_PRIO);
	struct xs_link link;

	if (xs_nl_link_get(NULL, ifindex, &link))
		return; /* gone already */
	if (v->flags & XS_IFACE_HANDOFF) {
		xs_log_info("%s: deleting the enc pair", link.name);
		xs_nl_link_del(ifindex);
		return;
	}
	xs_log_info("%s: detaching", link.name);
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	bpf_tc_detach(&hook, &opts);
}

static void unpin_all(const char *dir)
{
	char path[600];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	if (rmdir(dir) && errno == EBUSY)
		umount2(dir, MNT_DETACH);
	rmdir(dir);
}

int xs_loader_detach(const char *pin_dir)
{
	__u32 key, next, *prev = NULL;
	struct xs_iface v;
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/ifaces", pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		xs_log_err("%s: no pinned xdpsec datapath", pin_dir);
		return -ENOENT;
	}
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &v))
			detach_iface((int)next, &v);
		key = next;
		prev = &key;
	}
	close(fd);
	detach_cgroup(pin_dir);
	unpin_all(pin_dir);
	xs_log_info("detached; pins under %s removed", pin_dir);
	return 0;
}
