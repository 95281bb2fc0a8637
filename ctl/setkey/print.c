// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * setkey -D / -DP output in the KAME layout (see print.h for the few
 * deliberate differences).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "../lib/alg.h"
#include "../lib/pfkey_msg.h"
#include "print.h"

#define ADDRSTR 64
#define TIMESTR 32

static const char *addr_str(const struct xs_addr *a, char *buf, size_t size)
{
	int af = a->family == AF_INET6 ? AF_INET6 : AF_INET;

	if (!inet_ntop(af, a->a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

/* ctime(3) without the weekday ("Nov 23 18:32:06 2026"); 0 is blank. */
static const char *time_str(uint64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !localtime_r(&tt, &tm) ||
	    !strftime(buf, size, "%b %e %H:%M:%S %Y", &tm))
		snprintf(buf, size, "%20s", "");
	return buf;
}

static const char *name_at(const char *const *names, size_t n, unsigned int i,
			   char *buf, size_t size)
{
	if (i < n && names[i])
		return names[i];
	snprintf(buf, size, "%u", i);
	return buf;
}

#define NAME(tab, i, buf) \
	name_at(tab, sizeof(tab) / sizeof(tab[0]), i, buf, sizeof(buf))

static const char *const satype_names[] = {
	[SADB_SATYPE_AH] = "ah",
	[SADB_SATYPE_ESP] = "esp",
};
static const char *const mode_names[] = { "any", "transport", "tunnel" };
static const char *const state_names[] = { "larval", "mature", "dying",
					   "dead" };
static const char *const dir_names[] = { "any", "in", "out", "fwd" };
static const char *const policy_names[] = { "discard", "none", "ipsec",
					    "entrust", "bypass" };
static const char *const level_names[] = { "default", "use", "require",
					   "unique" };

static void print_alg(FILE *f, const char *tag, enum xs_alg_kind kind,
		      uint8_t id)
{
	const struct xs_alg *alg = xs_alg_by_id(kind, id);

	if (alg)
		fprintf(f, "\t%s: %s\n", tag, alg->name);
	else
		fprintf(f, "\t%s: %u\n", tag, id);
}

static void print_sa_lifetimes(FILE *f, const struct xs_sa *sa, time_t now)
{
	const struct xs_lifetime *c = &sa->cur, *h = &sa->hard, *s = &sa->soft;
	char t1[TIMESTR], t2[TIMESTR];
	uint64_t diff = 0;

	if (c->addtime && (uint64_t)now > c->addtime)
		diff = (uint64_t)now - c->addtime;
	fprintf(f, "\tcreated: %s\tcurrent: %s\n",
		time_str(c->addtime, t1, sizeof(t1)),
		time_str((uint64_t)now, t2, sizeof(t2)));
	fprintf(f,
		"\tdiff: %" PRIu64 "(s)\thard: %" PRIu64 "(s)\tsoft: %" PRIu64
		"(s)\n",
		diff, h->addtime, s->addtime);
	fprintf(f, "\tlast: %s\thard: %" PRIu64 "(s)\tsoft: %" PRIu64 "(s)\n",
		time_str(c->usetime, t1, sizeof(t1)), h->usetime, s->usetime);
	fprintf(f,
		"\tcurrent: %" PRIu64 "(bytes)\thard: %" PRIu64
		"(bytes)\tsoft: %" PRIu64 "(bytes)\n",
		c->bytes, h->bytes, s->bytes);
	fprintf(f, "\tallocated: %u\thard: %u\tsoft: %u\n", c->allocations,
		h->allocations, s->allocations);
}

/* "src dst", or with NAT-T "src[sport] dst[dport]" (ipsec-tools). */
static void print_sa_addrs(FILE *f, const struct xs_sa *sa)
{
	char a1[ADDRSTR], a2[ADDRSTR];

	fputs(addr_str(&sa->src, a1, sizeof(a1)), f);
	if (sa->natt_type)
		fprintf(f, "[%u]", sa->natt_sport);
	fprintf(f, " %s", addr_str(&sa->dst, a2, sizeof(a2)));
	if (sa->natt_type)
		fprintf(f, "[%u]", sa->natt_dport);
	fputc('\n', f);
}

void xs_setkey_print_sa(FILE *f, const struct xs_sa *sa, time_t now)
{
	char a1[ADDRSTR], n1[16], n2[16];
	const char *proto = NAME(satype_names, sa->satype, n1);

	print_sa_addrs(f, sa);
	if (sa->natt_type && sa->satype == SADB_SATYPE_ESP)
		proto = "esp-udp";
	fprintf(f, "\t%s mode=%s spi=%u(0x%08x) reqid=%u(0x%08x)\n", proto,
		NAME(mode_names, sa->mode, n2), sa->spi, sa->spi, sa->reqid,
		sa->reqid);
	if (sa->natt_type && sa->natt_oa.family)
		fprintf(f, "\tNAT OA=%s\n",
			addr_str(&sa->natt_oa, a1, sizeof(a1)));
	if (sa->satype == SADB_SATYPE_ESP && sa->enc_alg != SADB_EALG_NONE)
		print_alg(f, "E", XS_ALG_ENC, sa->enc_alg);
	if (sa->auth_alg != SADB_AALG_NONE)
		print_alg(f, "A", XS_ALG_AUTH, sa->auth_alg);
	fprintf(f, "\tseq=0x%08x replay=%u window=%u flags=0x%08x state=%s%s\n",
		0u, sa->replay,
		sa->replay_win ? sa->replay_win : sa->replay * 8u, sa->flags,
		NAME(state_names, sa->state, n1),
		sa->flags & SADB_X_SAFLAGS_ESN ? " esn" : "");
	print_sa_lifetimes(f, sa, now);
	fprintf(f, "\tsadb_seq=%u pid=%u refcnt=0\n", sa->seq, sa->pid);
}

void xs_setkey_format_prio(char *buf, size_t size, uint32_t prio)
{
	const char *name;
	int64_t base, off;

	if (!prio) {
		snprintf(buf, size, "%s", "");
		return;
	}
	if (prio < XS_PRIORITY_DEFAULT / 4 * 3) {
		base = XS_PRIORITY_HIGH;
		name = "prio high";
	} else if (prio < XS_PRIORITY_DEFAULT / 4 * 5) {
		base = XS_PRIORITY_DEFAULT;
		name = "prio def";
	} else {
		base = XS_PRIORITY_LOW;
		name = "prio low";
	}
	off = base - (int64_t)prio; /* "+ n" is more urgent */
	if (!off)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%s %c %" PRId64, name, off > 0 ? '+' : '-',
			 off > 0 ? off : -off);
}

static int is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6 ||
	       proto == IPPROTO_MH || proto == IPPROTO_GRE;
}

/* address[/plen][[port]] as KAME's str_prefport() */
static void print_range(FILE *f, const struct xs_addr *a, uint8_t proto)
{
	char buf[ADDRSTR];
	unsigned int full = a->family == AF_INET6 ? 128 : 32;

	fputs(addr_str(a, buf, sizeof(buf)), f);
	if (a->plen != full)
		fprintf(f, "/%u", a->plen);
	if (is_icmp(proto))
		return;
	if (a->port == IPSEC_PORT_ANY)
		fputs("[any]", f);
	else
		fprintf(f, "[%u]", a->port);
}

static void print_upper(FILE *f, const struct xs_selector *sel)
{
	switch (sel->proto) {
	case IPSEC_ULPROTO_ANY:
		fputs("any", f);
		break;
	case IPPROTO_TCP:
		fputs("tcp", f);
		break;
	case IPPROTO_UDP:
		fputs("udp", f);
		break;
	case IPPROTO_ICMP:
		fputs("icmp", f);
		break;
	case IPPROTO_ICMPV6:
		fputs("icmp6", f);
		break;
	default:
		fprintf(f, "%u", sel->proto);
		break;
	}
	if (is_icmp(sel->proto) && sel->proto != IPPROTO_GRE &&
	    (sel->src.port || sel->dst.port))
		fprintf(f, " %u,%u", sel->src.port, sel->dst.port);
}

int xs_setkey_format_request(char *buf, size_t size,
			     const struct xs_ipsecreq *r)
{
	char a1[ADDRSTR], a2[ADDRSTR], n1[16], n2[16], id[16] = "";
	const char *proto = r->proto == IPPROTO_ESP  ? "esp" :
			    r->proto == IPPROTO_AH   ? "ah" :
			    r->proto == IPPROTO_COMP ? "ipcomp" :
						       "?";

	if (r->reqid)
		snprintf(id, sizeof(id), "%c%u",
			 r->reqid > IPSEC_MANUAL_REQID_MAX ? '#' : ':',
			 r->reqid);
	return snprintf(buf, size, "%s/%s/%s%s%s/%s%s", proto,
			NAME(mode_names, r->mode, n1),
			r->src.family ? addr_str(&r->src, a1, sizeof(a1)) : "",
			r->src.family ? "-" : "",
			r->src.family ? addr_str(&r->dst, a2, sizeof(a2)) : "",
			NAME(level_names, r->level, n2), id);
}

int xs_setkey_format_policy(char *buf, size_t size, const struct xs_spolicy *sp,
			    const char *delim)
{
	char prio[48], n1[16], n2[16];
	size_t off;
	int n, i;

	xs_setkey_format_prio(prio, sizeof(prio), sp->priority);
	n = snprintf(buf, size, "%s%s%s %s", NAME(dir_names, sp->dir, n1),
		     prio[0] ? " " : "", prio,
		     NAME(policy_names, sp->type, n2));
	for (i = 0; n >= 0 && sp->type == IPSEC_POLICY_IPSEC && i < sp->nreq &&
		    i < XS_MAX_TMPL;
	     i++) {
		/* size 0 (buf may be NULL) only measures */
		off = (size_t)n < size ? (size_t)n : size;
		n += snprintf(size ? buf + off : NULL, size - off, "%s", delim);
		off = (size_t)n < size ? (size_t)n : size;
		n += xs_setkey_format_request(size ? buf + off : NULL,
					      size - off, &sp->req[i]);
	}
	return n;
}

static void print_request(FILE *f, const struct xs_ipsecreq *r)
{
	char buf[2 * ADDRSTR + 64];

	xs_setkey_format_request(buf, sizeof(buf), r);
	fprintf(f, "\t%s\n", buf);
}

void xs_setkey_print_policy(FILE *f, const struct xs_spolicy *sp)
{
	char prio[48], t1[TIMESTR], t2[TIMESTR], n1[16], n2[16];
	unsigned int i;

	print_range(f, &sp->sel.src, sp->sel.proto);
	fputc(' ', f);
	print_range(f, &sp->sel.dst, sp->sel.proto);
	fputc(' ', f);
	print_upper(f, &sp->sel);
	fputc('\n', f);
	xs_setkey_format_prio(prio, sizeof(prio), sp->priority);
	fprintf(f, "\t%s%s%s %s\n", NAME(dir_names, sp->dir, n1),
		prio[0] ? " " : "", prio, NAME(policy_names, sp->type, n2));
	for (i = 0;
	     sp->type == IPSEC_POLICY_IPSEC && i < sp->nreq && i < XS_MAX_TMPL;
	     i++)
		print_request(f, &sp->req[i]);
	fprintf(f, "\tcreated: %s  lastused: %s\n",
		time_str(sp->addtime, t1, sizeof(t1)),
		time_str(sp->usetime, t2, sizeof(t2)));
	fprintf(f, "\tlifetime: %llu(s) validtime: %llu(s)\n",
		(unsigned long long)sp->lifetime,
		(unsigned long long)sp->validtime);
	fprintf(f, "\tspid=%u seq=%u pid=%u\n", sp->id, sp->seq, sp->pid);
	fprintf(f, "\trefcnt=1\n");
}
