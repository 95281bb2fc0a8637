/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Loading, pinning, attaching and detaching the datapath.
 *
 * The BPF objects (xdp_ingress, tc_egress, xdp_handoff, tc_enc_ingress,
 * cg_sockopt, cg_skb_in) share their maps through pinning by name under
 * the pin directory.  Attachments are
 * netlink attachments, independent of any process: they outlive xdpsecd
 * (fail closed: with no worker, protected traffic is dropped), and a
 * restarted xdpsecd replaces its own programs in place.  A foreign XDP
 * program on a NIC is never replaced.  The cgroup programs hang on bpf
 * links pinned in the same directory, so they outlive xdpsecd too.
 * xs_loader_detach() removes everything: programs, cgroup links, the
 * hand-off pair and the pins.
 */
#ifndef XS_LOADER_H
#define XS_LOADER_H

#include <stdbool.h>
#include "dp.h"
#include "netlink.h"

#define XS_PIN_DIR_DEFAULT "/sys/fs/bpf/xdpsec"
#define XS_ENC_NAME_DEFAULT "xsenc0" /* the enc interface (stack side) */
#define XS_TC_HANDLE 0x5853 /* "XS" */
#define XS_TC_PRIO 0x5853
/* the cgroup v2 mount: hybrid layout first, then pure v2 */
#define XS_CGROUP2_HYBRID "/sys/fs/cgroup/unified"
#define XS_CGROUP2_PURE "/sys/fs/cgroup"

struct xs_loader {
	char pin_dir[256];
	char enc_name[16]; /* enc side; the worker side is enc_name + "w" */
	char enc_rps[64]; /* --enc-rps: rps_cpus of the enc side, "" = keep */
	bool fresh; /* maps were created, not reused */
	bool attached; /* NIC programs attached by ip link / tc */
	struct xs_dp dp;
	struct xs_link enc, encw;
	uint32_t encw_slot;
	int nnic;
	struct xs_link nic[XS_MAX_IFACES - 1];
	uint32_t nic_slot[XS_MAX_IFACES - 1];
	struct xs_stats *wstats; /* mmap of the wstats map */
	struct xs_sa_stats *sa_stats; /* mmap of the sa_stats map */
	/* private */
	struct xdp_ingress_bpf *ingress;
	struct tc_egress_bpf *egress;
	struct xdp_handoff_bpf *handoff;
	struct tc_enc_ingress_bpf *enc_ingress;
	struct cg_sockopt_bpf *sockopt;
	struct cg_skb_in_bpf *skb_in;
	char cgroup[256]; /* per-socket policy programs go here; "": the
			   * cgroup v2 mount (XS_CGROUP2_*) */
};

/* Make sure dir is on a bpffs (mounting one if needed) and exists. */
int xs_loader_bpffs(const char *dir);
/* Load the objects with their maps pinned under l->pin_dir; fills l->dp.
 * Writes the sysctl defaults to a freshly created config map. */
int xs_loader_load(struct xs_loader *l);
/* Create (or reuse) the enc pair with nq queues and attach the hand-off
 * program; an existing pair with another queue count is recreated. */
int xs_loader_setup_enc(struct xs_loader *l, uint32_t nq);
/* Attach XDP ingress and TC egress to a NIC (with l->attached: check
 * that ip link attached xdpsec's ingress program on these maps). */
int xs_loader_attach_nic(struct xs_loader *l, const char *ifname);
/* Attach the per-socket policy programs (cgroup setsockopt, getsockopt,
 * skb ingress) to l->cgroup through bpf links pinned under pin_dir; a
 * restarted xdpsecd replaces its programs in place.  With no cgroup
 * given and no cgroup v2 mount it warns and goes on without them. */
int xs_loader_attach_cgroup(struct xs_loader *l);
/* Close fds and free the objects; attachments and pins stay. */
void xs_loader_close(struct xs_loader *l);
/* Remove programs from every device in the ifaces map, the enc pair and
 * the pins under pin_dir.  Works without a loaded loader. */
int xs_loader_detach(const char *pin_dir);

#endif /* XS_LOADER_H */
