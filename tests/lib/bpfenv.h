/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * BPF test environment: the three datapath objects loaded with their maps
 * pinned under a private bpffs (mkdtemp + mount), never the system's
 * /sys/fs/bpf/xdpsec; helpers to fill the maps and to run a program on a
 * packet with bpf_prog_test_run_opts.
 */
#ifndef XT_BPFENV_H
#define XT_BPFENV_H

#include <stdbool.h>
#include <stdint.h>
#include <xdp/xsk.h>
#include "../../ctl/daemon/dp.h"

enum xt_prog { XT_INGRESS, XT_EGRESS, XT_HANDOFF, XT_NPROG };

struct xt_env {
	char dir[64]; /* the private bpffs mount point */
	bool mounted;
	struct xdp_ingress_bpf *in;
	struct tc_egress_bpf *eg;
	struct xdp_handoff_bpf *ho;
	struct xs_dp dp; /* map fds (owned by the skeletons) */
	uint32_t ifindex; /* a real device for XDP ctx (lo) */
};

/* Mount, load, fill config (sysctl defaults), state and ifaces. */
int xt_env_setup(struct xt_env *e);
void xt_env_teardown(struct xt_env *e);
int xt_env_prog_fd(const struct xt_env *e, enum xt_prog p);
/* Map id of a map of the given object (to check the maps are shared). */
int xt_env_map_id(const struct xt_env *e, enum xt_prog p, const char *name,
		  uint32_t *id);

/* Instructions the verifier processed to load the program. */
int xt_env_verified_insns(const struct xt_env *e, enum xt_prog p, uint32_t *n);

/* The sysctl defaults as XS_FOREACH_SYSCTL gives them. */
void xt_config_defaults(struct xs_config *c);

/* Run prog on a frame: XDP with ingress_ifindex = e->ifindex and rx
 * queue 0, TC without ctx.  *ret is the program's return value. */
int xt_run(struct xt_env *e, enum xt_prog p, const void *pkt, size_t len,
	   uint32_t *ret);

/* The same with the frame as the program left it. */
struct xt_out {
	uint32_t ret;
	uint32_t len; /* bytes in data */
	uint32_t meta; /* XDP: metadata bytes at the start of data */
	uint8_t data[2048];
};

int xt_run_out(struct xt_env *e, enum xt_prog p, const void *pkt, size_t len,
	       struct xt_out *out);

int xt_sa_in_add(struct xt_env *e, uint8_t proto, const char *daddr,
		 uint32_t spi, uint32_t slot);
/* The same with xs_sa_ref.flags (XS_SA_F_*). */
int xt_sa_in_add_flags(struct xt_env *e, uint8_t proto, const char *daddr,
		       uint32_t spi, uint32_t slot, uint8_t flags);
int xt_sa_out_add(struct xt_env *e, uint8_t proto, uint8_t mode, uint32_t reqid,
		  const char *saddr, const char *daddr, uint32_t slot);

/* Address string to 16 bytes and family (XS_AF_INET / XS_AF_INET6). */
int xt_addr(const char *s, uint8_t out[16], uint8_t *family);

/* An AF_XDP socket bound to the env's device, queue 0, copy mode, put in
 * the xsks map at slot: makes bpf_redirect_map() find a worker. */
struct xt_xsk {
	void *area;
	size_t size;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	uint32_t slot;
};

int xt_xsk_open(struct xt_env *e, uint32_t slot, struct xt_xsk *x);
void xt_xsk_close(struct xt_env *e, struct xt_xsk *x);
#endif /* XT_BPFENV_H */
