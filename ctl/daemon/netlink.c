// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Minimal rtnetlink: one request, one answer, on a short-lived socket.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/veth.h>
#include "netlink.h"

#define NL_BUF 8192

/* A request: nlmsghdr + ifinfomsg + attributes, in one aligned buffer. */
struct nlreq {
	char buf[1024] __attribute__((aligned(NLMSG_ALIGNTO)));
};

static struct nlmsghdr *req_init(struct nlreq *r, uint16_t type, uint16_t flags,
				 int ifindex)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)r->buf;
	struct ifinfomsg *ifi;

	memset(r, 0, sizeof(*r));
	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	nh->nlmsg_type = type;
	nh->nlmsg_flags = flags;
	ifi = NLMSG_DATA(nh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nh;
}

static struct ifinfomsg *req_ifi(struct nlmsghdr *nh)
{
	return NLMSG_DATA(nh);
}

static struct rtattr *addattr(struct nlmsghdr *nh, size_t cap, int type,
			      const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(nh->nlmsg_len);
	struct rtattr *rta = (struct rtattr *)((char *)nh + off);

	if (off + RTA_SPACE(len) > cap)
		return NULL;
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = off + RTA_SPACE(len);
	return rta;
}

static void nest_end(struct nlmsghdr *nh, struct rtattr *nest)
{
	nest->rta_len = (char *)nh + nh->nlmsg_len - (char *)nest;
}

/* Send nh, read the answer into buf; returns bytes of answer or -errno. */
static int nl_talk(struct nlmsghdr *nh, char *buf, size_t cap)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlmsghdr *ans;
	int fd, n, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	nh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nh->nlmsg_seq = 1;
	if (sendto(fd, nh, nh->nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	n = recv(fd, buf, cap, 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	ans = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(ans, (unsigned int)n)) {
		err = -EBADMSG;
		goto out;
	}
	if (ans->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(ans);

		err = e->error;
		goto out;
	}
	err = n;
out:
	close(fd);
	return err;
}

static void parse_link(struct nlmsghdr *nh, struct xs_link *out)
{
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = IFLA_PAYLOAD(nh);
	struct rtattr *rta;

	memset(out, 0, sizeof(*out));
	out->ifindex = ifi->ifi_index;
	out->flags = ifi->ifi_flags;
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		void *d = RTA_DATA(rta);

		switch (rta->rta_type) {
		case IFLA_IFNAME:
			snprintf(out->name, sizeof(out->name), "%.*s",
				 (int)RTA_PAYLOAD(rta), (char *)d);
			break;
		case IFLA_ADDRESS:
			if (RTA_PAYLOAD(rta) == 6)
				memcpy(out->mac, d, 6);
			break;
		case IFLA_MTU:
			memcpy(&out->mtu, d, 4);
			break;
		case IFLA_NUM_RX_QUEUES:
			memcpy(&out->num_rx_queues, d, 4);
			break;
		case IFLA_NUM_TX_QUEUES:
			memcpy(&out->num_tx_queues, d, 4);
			break;
		}
	}
}

/* The queues a device really uses (real_num_rx/tx_queues), which AF_XDP
 * bind checks: ETHTOOL_GCHANNELS; devices without it use them all. */
static uint32_t queues_in_use(const struct xs_link *l)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = { 0 };
	uint32_t rx, tx;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", l->name);
	ifr.ifr_data = (void *)&ch;
	if (ioctl(fd, SIOCETHTOOL, &ifr)) {
		close(fd);
		rx = l->num_rx_queues;
		tx = l->num_tx_queues;
	} else {
		close(fd);
		rx = ch.rx_count + ch.combined_count;
		tx = ch.tx_count + ch.combined_count;
	}
	rx = rx < tx ? rx : tx;
	return rx ? rx : 1;
}

int xs_nl_link_get(const char *name, int ifindex, struct xs_link *out)
{
	struct nlreq req;
	struct nlmsghdr *nh = req_init(&req, RTM_GETLINK, 0, ifindex);
	char buf[NL_BUF];
	int n;

	if (!ifindex && name) {
		if (strlen(name) >= IF_NAMESIZE)
			return -ENAMETOOLONG;
		addattr(nh, sizeof(req), IFLA_IFNAME, name, strlen(name) + 1);
	}
	n = nl_talk(nh, buf, sizeof(buf));
	if (n == -ENODEV || n == -ENOENT)
		return -ENODEV;
	if (n < 0)
		return n;
	if (((struct nlmsghdr *)buf)->nlmsg_type != RTM_NEWLINK)
		return -EBADMSG;
	parse_link((struct nlmsghdr *)buf, out);
	out->nq = queues_in_use(out);
	return 0;
}

static int nl_ack(struct nlmsghdr *nh)
{
	char buf[NL_BUF];
	int n = nl_talk(nh, buf, sizeof(buf));

	return n < 0 ? n : 0;
}

int xs_nl_veth_create(const char *name, const char *peer, uint32_t nq)
{
	struct nlreq req;
	struct nlmsghdr *nh;
	struct rtattr *li, *data, *pinfo;
	struct ifinfomsg pifi = { .ifi_family = AF_UNSPEC };
	const size_t cap = sizeof(req);

	if (strlen(name) >= IF_NAMESIZE || strlen(peer) >= IF_NAMESIZE)
		return -ENAMETOOLONG;
	nh = req_init(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	addattr(nh, cap, IFLA_IFNAME, name, strlen(name) + 1);
	addattr(nh, cap, IFLA_NUM_TX_QUEUES, &nq, 4);
	addattr(nh, cap, IFLA_NUM_RX_QUEUES, &nq, 4);
	li = addattr(nh, cap, IFLA_LINKINFO, NULL, 0);
	addattr(nh, cap, IFLA_INFO_KIND, "veth", 4);
	data = addattr(nh, cap, IFLA_INFO_DATA, NULL, 0);
	pinfo = addattr(nh, cap, VETH_INFO_PEER, &pifi, sizeof(pifi));
	addattr(nh, cap, IFLA_IFNAME, peer, strlen(peer) + 1);
	addattr(nh, cap, IFLA_NUM_TX_QUEUES, &nq, 4);
	if (!addattr(nh, cap, IFLA_NUM_RX_QUEUES, &nq, 4))
		return -ENOBUFS;
	nest_end(nh, pinfo);
	nest_end(nh, data);
	nest_end(nh, li);
	return nl_ack(nh);
}

int xs_nl_link_set_up(int ifindex, int up)
{
	struct nlreq req;
	struct nlmsghdr *nh = req_init(&req, RTM_NEWLINK, 0, ifindex);

	req_ifi(nh)->ifi_change = IFF_UP;
	req_ifi(nh)->ifi_flags = up ? IFF_UP : 0;
	return nl_ack(nh);
}

int xs_nl_neigh_resolve(int ifindex, int family, const uint8_t *addr)
{
	struct nlreq req;
	struct nlmsghdr *nh;
	struct ndmsg *nd;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	memset(&req, 0, sizeof(req));
	nh = (struct nlmsghdr *)req.buf;
	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*nd));
	nh->nlmsg_type = RTM_NEWNEIGH;
	nh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	nd = NLMSG_DATA(nh);
	nd->ndm_family = (uint8_t)family;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_NONE;
	nd->ndm_flags = NTF_USE;
	if (!addattr(nh, sizeof(req), NDA_DST, addr,
		     family == AF_INET ? 4 : 16))
		return -ENOBUFS;
	return nl_ack(nh);
}

int xs_nl_link_del(int ifindex)
{
	struct nlreq req;

	return nl_ack(req_init(&req, RTM_DELLINK, 0, ifindex));
}

int xs_nl_set_queues(const char *name, uint32_t nq)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = { 0 };
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = (void *)&ch;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		goto fail;
	ch.cmd = ETHTOOL_SCHANNELS;
	if (ch.max_combined) {
		ch.combined_count = nq;
	} else {
		ch.rx_count = nq;
		ch.tx_count = nq;
	}
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		goto fail;
	close(fd);
	return 0;
fail:
	err = -errno;
	close(fd);
	return err;
}

static int ethtool_set(int fd, const char *name, uint32_t cmd, uint32_t val)
{
	struct ethtool_value ev = { .cmd = cmd, .data = val };
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = (void *)&ev;
	return ioctl(fd, SIOCETHTOOL, &ifr) ? -errno : 0;
}

int xs_nl_offloads_off(const char *name)
{
	static const uint32_t cmds[] = {
		ETHTOOL_STXCSUM,
		ETHTOOL_SSG,
		ETHTOOL_STSO,
		ETHTOOL_SGSO,
	};
	size_t i;
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int e = ethtool_set(fd, name, cmds[i], 0);

		if (e && e != -EOPNOTSUPP && !err)
			err = e;
	}
	close(fd);
	return err;
}
