// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cg_skb_in: inbound per-socket policy (cgroup_skb/ingress).  XDP runs
 * before there is a socket, so a socket's own "in" policy and its levels
 * are checked here, when the stack hands a packet to the socket:
 *
 *   no sock_policy storage, or nothing required     pass
 *   "in discard"                                      drop
 *   "in ipsec" with a request whose level is require/unique, or a level
 *   REQUIRE/UNIQUE: the packet must have been decrypted by xdpsec
 *   (XS_DEC_MARK in skb->mark, set by tc_enc_ingress); when the worker
 *   said which protocols it removed, ESP/AH must be among them, else
 *   any decrypted packet counts                       else drop
 *
 * Drops are counted as drop_sock_policy.  A TCP SYN for a listener
 * is checked against the listener's policy (the stack filters with the
 * listener until the connection is accepted); accepted sockets carry a
 * copy of it (BPF_F_CLONE).
 */
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include "lib/config.h"
#include "lib/stats.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* What the socket's "in" IP_IPSEC_POLICY requires of a packet. */
static __always_inline __u8 policy_need(const struct xs_sock_policy *sp,
					__u8 family)
{
	const struct xs_policy *pol = &sp->pol[XS_DIR_IN];
	const struct xs_config *c;
	__u8 need = 0, i;

	if (!sp->buflen[XS_DIR_IN])
		return 0;
	if (pol->action == IPSEC_POLICY_DISCARD)
		return XS_SOCK_NEED_DISCARD;
	if (pol->action != IPSEC_POLICY_IPSEC)
		return 0;
	c = xs_config_get();
	for (i = 0; i < XS_MAX_TMPL; i++) {
		if (i >= pol->ntmpl)
			break;
		if (xs_level(c, &pol->tmpl[i], family) == IPSEC_LEVEL_USE)
			continue;
		need |= pol->tmpl[i].proto == IPPROTO_AH ? XS_SOCK_NEED_AH :
							   XS_SOCK_NEED_ESP;
	}
	return need;
}

/* Does the packet's mark satisfy need? */
static __always_inline bool decrypted_ok(__u32 mark, __u8 need)
{
	__u32 esp = XS_ETH_DELIVER_ESP << XS_DEC_MARK_SHIFT;
	__u32 ah = XS_ETH_DELIVER_AH << XS_DEC_MARK_SHIFT;

	if ((mark & XS_DEC_MARK_MAGIC) != XS_DEC_MARK)
		return false;
	if (!(mark & (XS_ETH_DELIVER_KNOWN << XS_DEC_MARK_SHIFT)))
		return true; /* the worker did not say which protocols */
	if ((need & XS_SOCK_NEED_ESP) && !(mark & esp))
		return false;
	if ((need & XS_SOCK_NEED_AH) && !(mark & ah))
		return false;
	if ((need & XS_SOCK_NEED_AUTH) && !(mark & (esp | ah)))
		return false;
	return true;
}

SEC("cgroup_skb/ingress")
int xs_sock_ingress(struct __sk_buff *skb)
{
	const struct xs_sock_policy *sp;
	struct bpf_sock *sk = skb->sk;
	__u8 need, family;

	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 1;
	sp = bpf_sk_storage_get(&sock_policy, sk, 0, 0);
	if (!sp)
		return 1;
	family = skb->protocol == bpf_htons(ETH_P_IPV6) ? XS_AF_INET6 :
							  XS_AF_INET;
	need = sp->in_need | policy_need(sp, family);
	if (!need)
		return 1;
	if (!(need & XS_SOCK_NEED_DISCARD) && decrypted_ok(skb->mark, need))
		return 1;
	xs_count(XS_CNT_drop_sock_policy);
	return 0;
}
