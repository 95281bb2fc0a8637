// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tc_enc_ingress: on the stack side of the enc pair.  The crypto workers
 * send decrypted packets here, marked with the NIC they arrived on (see
 * include/xdpsec/xdpsec.h); each goes into that NIC's ingress, so the
 * stack receives it as arriving on the NIC, with XS_DEC_MARK in skb->mark
 * (per-socket policy, bpf/cg_skb_in.bpf.c).  Anything else (the kernel's
 * own traffic on the pair) is left alone.
 */
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include "lib/config.h"
#include "lib/stats.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define DELIVER_BITS \
	(XS_ETH_DELIVER_ESP | XS_ETH_DELIVER_AH | XS_ETH_DELIVER_KNOWN)

SEC("tc")
int tc_enc_ingress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	const struct xs_iface *nic;
	__u32 ifindex;

	if ((void *)(eth + 1) > end || eth->h_source[0] != XS_ETH_META_MARK ||
	    (eth->h_source[1] & ~DELIVER_BITS))
		return TC_ACT_OK;
	__builtin_memcpy(&ifindex, &eth->h_source[2], 4);
	ifindex = bpf_ntohl(ifindex);
	nic = bpf_map_lookup_elem(&ifaces, &ifindex);
	if (!nic || !(nic->flags & XS_IFACE_NIC)) {
		xs_count(XS_CNT_drop_deliver);
		return TC_ACT_SHOT;
	}
	/* for cg_skb_in: decrypted by xdpsec (kept by the same-netns
	 * redirect), with the protocols the worker names; a frame the
	 * worker made itself (ICMP too big: no bits) is not marked */
	skb->mark &= ~XS_DEC_MARK_MASK;
	if (eth->h_source[1] & XS_ETH_DELIVER_KNOWN)
		skb->mark |= XS_DEC_MARK |
			     ((__u32)eth->h_source[1] << XS_DEC_MARK_SHIFT);
	xs_count(XS_CNT_rx_deliver);
	return bpf_redirect(ifindex, BPF_F_INGRESS);
}
