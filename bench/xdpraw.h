/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Two tiny XDP programs for the bench, built from raw instructions so no
 * object file is needed: "drop everything" (a sink whose veth counts
 * what reached it: ethtool -S <dev> xdp_drops) and "redirect to the
 * AF_XDP socket at XSKMAP slot 0, else pass" (the echo ceiling).
 */
#ifndef XB_XDPRAW_H
#define XB_XDPRAW_H

#include <errno.h>
#include <string.h>
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

/* Load and attach (native mode); the program fd, or -errno. */
static inline int xb_xdp_attach(int ifindex, int xsks_fd)
{
	struct bpf_insn drop[] = {
		XB_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_DROP),
		XB_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	struct bpf_insn redir[] = {
		XB_INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0,
			xsks_fd),
		XB_INSN(0, 0, 0, 0, 0),
		XB_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0),
		XB_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, XDP_PASS),
		XB_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect_map),
		XB_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	int fd;

	if (xsks_fd >= 0)
		fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xb_redir", "GPL", redir,
				   sizeof(redir) / sizeof(redir[0]), NULL);
	else
		fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xb_drop", "GPL", drop,
				   sizeof(drop) / sizeof(drop[0]), NULL);
	if (fd < 0)
		return -errno;
	if (bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* A program that sends every frame out of ifindex (bpf_redirect): run
 * with BPF_F_TEST_XDP_LIVE_FRAMES it is a generator.  Its fd or -errno. */
static inline int xb_xdp_redirect_prog(int ifindex)
{
	struct bpf_insn insns[] = {
		XB_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, ifindex),
		XB_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0),
		XB_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect),
		XB_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xb_gen", "GPL", insns,
			       sizeof(insns) / sizeof(insns[0]), NULL);

	return fd < 0 ? -errno : fd;
}

#endif /* XB_XDPRAW_H */
