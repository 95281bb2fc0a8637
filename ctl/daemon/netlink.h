/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The little rtnetlink xdpsecd needs: interface facts (ifindex, MAC, MTU,
 * queue counts) and the hand-off veth pair.  Nothing is read from /sys.
 */
#ifndef XS_NETLINK_H
#define XS_NETLINK_H

#include <stdint.h>
#include <net/if.h>

struct xs_link {
	int ifindex;
	char name[IF_NAMESIZE];
	uint8_t mac[6];
	uint32_t mtu;
	uint32_t num_rx_queues;
	uint32_t num_tx_queues;
	uint32_t nq; /* queues in use (ethtool channels): AF_XDP binds here */
	uint32_t flags; /* IFF_* */
};

/* By name (ifindex 0) or by index. -ENODEV if absent. */
int xs_nl_link_get(const char *name, int ifindex, struct xs_link *out);
/* Create a veth pair "name" <-> "peer" with nq queues each; -EEXIST if
 * "name" exists already. */
int xs_nl_veth_create(const char *name, const char *peer, uint32_t nq);
int xs_nl_link_set_up(int ifindex, int up);
/* Use nq rx and nq tx queues (ETHTOOL_SCHANNELS). */
int xs_nl_set_queues(const char *name, uint32_t nq);
int xs_nl_link_del(int ifindex);
/* Have the kernel resolve addr (4 or 16 bytes by family) on ifindex
 * (RTM_NEWNEIGH with NTF_USE: an ARP / neighbour solicitation goes out
 * unless the entry is valid). */
int xs_nl_neigh_resolve(int ifindex, int family, const uint8_t *addr);
/* Turn off tx checksum, scatter-gather, TSO and GSO (ethtool ioctl), so
 * the kernel completes checksums and segments before the device. */
int xs_nl_offloads_off(const char *name);

#endif /* XS_NETLINK_H */
