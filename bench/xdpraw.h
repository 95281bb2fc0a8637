/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Tiny XDP programs for the bench, built from raw instructions so no
 * object file is needed: "drop everything" (a sink whose veth counts
 * what reached it: ethtool -S <dev> xdp_drops), "pass everything" and
 * "redirect to the AF_XDP socket at XSKMAP slot 0, else pass" (the echo
 * ceiling).  The generator's own program is bench/bpf/xgen_live.bpf.c.
 */
#ifndef XB_XDPRAW_H
#define XB_XDPRAW_H

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>

#define XB_INSN(c, d, s, o, i)              \
	((struct bpf_insn){ .code = (c),    \
			    .dst_reg = (d), \
			    .src_reg = (s), \
			    .off = (o),     \
			    .imm = (i) })

/* Load insns as an XDP program and attach it (native mode); its fd, or
 * -errno. */
static inline int xb_xdp_load_attach(int ifindex, const char *name,
				     const struct bpf_insn *insns, size_t n)
{
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", insns, n, NULL);

	if (fd < 0)
		return -errno;
	if (bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* "return verdict" (XDP_DROP: a sink; XDP_PASS: lets frames that XDP
 * sent into a veth reach the stack, see MACHINE-FACTS trap 3). */
static inline int xb_xdp_attach_verdict(int ifindex, int verdict)
{
	struct bpf_insn insns[] = {
		XB_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, verdict),
		XB_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};

	return xb_xdp_load_attach(ifindex, "xb_verdict", insns,
				  sizeof(insns) / sizeof(insns[0]));
}

/* Load and attach (native mode); the program fd, or -errno. */
static inline int xb_xdp_attach(int ifindex, int xsks_fd)
{
	struct bpf_insn redir[] = {
		XB_INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0,
			xsks_fd),
		XB_INSN(0, 0, 0, 0, 0),
		XB_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0),
		XB_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, XDP_PASS),
		XB_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect_map),
		XB_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};

	if (xsks_fd < 0)
		return xb_xdp_attach_verdict(ifindex, XDP_DROP);
	return xb_xdp_load_attach(ifindex, "xb_redir", redir,
				  sizeof(redir) / sizeof(redir[0]));
}

#endif /* XB_XDPRAW_H */
