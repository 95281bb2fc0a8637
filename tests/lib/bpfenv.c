// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * BPF test environment (see bpfenv.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>
#include "xdp_ingress.skel.h"
#include "tc_egress.skel.h"
#include "xdp_handoff.skel.h"
#include "bpfenv.h"

void xt_config_defaults(struct xs_config *c)
{
	memset(c, 0, sizeof(*c));
#define XT_DEF(f, n, d, lo, hi, t) c->f = d;
	XS_FOREACH_SYSCTL(XT_DEF)
#undef XT_DEF
}

static int env_mount(struct xt_env *e)
{
	snprintf(e->dir, sizeof(e->dir), "/tmp/xdpsec-bpft.XXXXXX");
	if (!mkdtemp(e->dir))
		return -errno;
	if (mount("bpf", e->dir, "bpf", 0, "mode=0700")) {
		int err = -errno;

		rmdir(e->dir);
		return err;
	}
	e->mounted = true;
	return 0;
}

static int env_load(struct xt_env *e)
{
	LIBBPF_OPTS(bpf_object_open_opts, o, .pin_root_path = e->dir);

	e->in = xdp_ingress_bpf__open_opts(&o);
	if (!e->in || xdp_ingress_bpf__load(e->in))
		return -EINVAL;
	e->eg = tc_egress_bpf__open_opts(&o);
	if (!e->eg || tc_egress_bpf__load(e->eg))
		return -EINVAL;
	e->ho = xdp_handoff_bpf__open_opts(&o);
	if (!e->ho || xdp_handoff_bpf__load(e->ho))
		return -EINVAL;
	return 0;
}

static void env_fill_dp(struct xt_env *e)
{
#define FD(n) e->dp.n = bpf_map__fd(e->in->maps.n)
	FD(config);
	FD(state);
	FD(stats);
	FD(ifaces);
	FD(xsks);
	FD(spd_masks);
	FD(spd_rules);
	FD(spd_prune_src);
	FD(spd_prune_dst);
	FD(spd_policies);
	FD(spd_cache);
	FD(pol_stats);
	FD(sa_in);
	FD(sa_out);
	FD(sa_stats);
#undef FD
}

static int env_init_maps(struct xt_env *e)
{
	struct xs_iface ifc = { .slot = 0, .flags = XS_IFACE_NIC };
	struct xs_state st = { .spd_gen = 1, .handoff_slot = 1 };
	struct xs_config c;
	int err;

	xt_config_defaults(&c);
	err = xs_dp_config_set(&e->dp, &c);
	if (!err)
		err = xs_dp_state_set(&e->dp, &st);
	if (!err && bpf_map_update_elem(e->dp.ifaces, &e->ifindex, &ifc, 0))
		err = -errno;
	return err;
}

int xt_env_setup(struct xt_env *e)
{
	int err;

	memset(e, 0, sizeof(*e));
	xs_dp_init_none(&e->dp);
	e->ifindex = if_nametoindex("lo");
	if (!e->ifindex)
		return -ENODEV;
	err = env_mount(e);
	if (err)
		return err;
	err = env_load(e);
	if (err)
		goto fail;
	env_fill_dp(e);
	err = env_init_maps(e);
	if (err)
		goto fail;
	return 0;
fail:
	xt_env_teardown(e);
	return err;
}

void xt_env_teardown(struct xt_env *e)
{
	xdp_handoff_bpf__destroy(e->ho);
	tc_egress_bpf__destroy(e->eg);
	xdp_ingress_bpf__destroy(e->in);
	e->ho = NULL;
	e->eg = NULL;
	e->in = NULL;
	xs_dp_init_none(&e->dp); /* the fds were the skeletons' */
	if (e->mounted) {
		umount2(e->dir, MNT_DETACH);
		rmdir(e->dir);
		e->mounted = false;
	}
}

static struct bpf_object *env_obj(const struct xt_env *e, enum xt_prog p)
{
	switch (p) {
	case XT_INGRESS:
		return e->in->obj;
	case XT_EGRESS:
		return e->eg->obj;
	case XT_HANDOFF:
		return e->ho->obj;
	default:
		return NULL;
	}
}

int xt_env_prog_fd(const struct xt_env *e, enum xt_prog p)
{
	switch (p) {
	case XT_INGRESS:
		return bpf_program__fd(e->in->progs.xdp_ingress);
	case XT_EGRESS:
		return bpf_program__fd(e->eg->progs.tc_egress);
	case XT_HANDOFF:
		return bpf_program__fd(e->ho->progs.xdp_handoff);
	default:
		return -EINVAL;
	}
}

int xt_env_map_id(const struct xt_env *e, enum xt_prog p, const char *name,
		  uint32_t *id)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	struct bpf_map *m;

	m = bpf_object__find_map_by_name(env_obj(e, p), name);
	if (!m)
		return -ENOENT;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len))
		return -errno;
	*id = info.id;
	return 0;
}

int xt_run_out(struct xt_env *e, enum xt_prog p, const void *pkt, size_t len,
	       struct xt_out *out)
{
	struct xdp_md md = { .data_end = (__u32)len,
			     .ingress_ifindex = e->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt,
		    .data_size_in = (__u32)len, .data_out = out->data,
		    .data_size_out = sizeof(out->data), .repeat = 1);
	int err;

	if (p != XT_EGRESS) {
		o.ctx_in = &md;
		o.ctx_size_in = sizeof(md);
		o.ctx_out = &md;
		o.ctx_size_out = sizeof(md);
	}
	err = bpf_prog_test_run_opts(xt_env_prog_fd(e, p), &o);
	if (err)
		return -errno;
	out->ret = o.retval;
	out->len = o.data_size_out;
	/* XDP: data_out starts with the metadata, md.data is its length */
	out->meta = p != XT_EGRESS ? md.data : 0;
	return 0;
}

int xt_run(struct xt_env *e, enum xt_prog p, const void *pkt, size_t len,
	   uint32_t *ret)
{
	static struct xt_out out;
	int err;

	err = xt_run_out(e, p, pkt, len, &out);
	if (!err)
		*ret = out.ret;
	return err;
}

int xt_addr(const char *s, uint8_t out[16], uint8_t *family)
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1) {
		*family = XS_AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		*family = XS_AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int xt_sa_in_add(struct xt_env *e, uint8_t proto, const char *daddr,
		 uint32_t spi, uint32_t slot)
{
	return xt_sa_in_add_flags(e, proto, daddr, spi, slot, 0);
}

int xt_sa_in_add_flags(struct xt_env *e, uint8_t proto, const char *daddr,
		       uint32_t spi, uint32_t slot, uint8_t flags)
{
	struct xs_sa_in_key k = { .spi = htonl(spi), .proto = proto };
	struct xs_sa_ref r = { .slot = slot, .flags = flags };

	if (xt_addr(daddr, k.daddr, &k.family))
		return -EINVAL;
	return xs_dp_sa_in_set(&e->dp, &k, &r);
}

int xt_sa_out_add(struct xt_env *e, uint8_t proto, uint8_t mode, uint32_t reqid,
		  const char *saddr, const char *daddr, uint32_t slot)
{
	struct xs_sa_out_key k = { .proto = proto,
				   .mode = mode,
				   .reqid = reqid };
	struct xs_sa_ref r = { .slot = slot, .mode = mode };
	uint8_t fam2;

	if (xt_addr(saddr, k.saddr, &k.family) ||
	    xt_addr(daddr, k.daddr, &fam2) || fam2 != k.family)
		return -EINVAL;
	return xs_dp_sa_out_set(&e->dp, &k, &r);
}

int xt_xsk_open(struct xt_env *e, uint32_t slot, struct xt_xsk *x)
{
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY,
	};
	char ifname[IF_NAMESIZE];
	int err, fd;

	memset(x, 0, sizeof(*x));
	x->slot = slot;
	x->size = 64 * XSK_UMEM__DEFAULT_FRAME_SIZE;
	x->area = mmap(NULL, x->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		return -errno;
	}
	err = xsk_umem__create(&x->umem, x->area, x->size, &x->fq, &x->cq,
			       NULL);
	if (err)
		goto fail;
	if (!if_indextoname(e->ifindex, ifname)) {
		err = -errno;
		goto fail;
	}
	err = xsk_socket__create(&x->xsk, ifname, 0, x->umem, &x->rx, &x->tx,
				 &cfg);
	if (err)
		goto fail;
	fd = xsk_socket__fd(x->xsk);
	if (bpf_map_update_elem(e->dp.xsks, &slot, &fd, 0)) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	xt_xsk_close(e, x);
	return err;
}

void xt_xsk_close(struct xt_env *e, struct xt_xsk *x)
{
	if (e->dp.xsks >= 0)
		bpf_map_delete_elem(e->dp.xsks, &x->slot);
	if (x->xsk)
		xsk_socket__delete(x->xsk);
	if (x->umem)
		xsk_umem__delete(x->umem);
	if (x->area)
		munmap(x->area, x->size);
	memset(x, 0, sizeof(*x));
}

int xt_env_verified_insns(const struct xt_env *e, enum xt_prog p, uint32_t *n)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(xt_env_prog_fd(e, p), &info, &len))
		return -errno;
	*n = info.verified_insns;
	return 0;
}
