// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * setkey(8) policy commands: spdadd, spdupdate, spddelete.  Selectors
 * (address[/plen][[port]], upper-layer spec) and the policy string of
 * ipsec_set_policy(3): -P dir [prio ...] action [proto/mode/src-dst/level]...
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include "parse_int.h"

/* "[port]" or "[any]" at the end of s (which is cut there). */
static int split_port(struct xs_skparser *p, char *s, uint16_t *port)
{
	char *b = strchr(s, '['), *e;
	uint64_t v;

	*port = IPSEC_PORT_ANY;
	if (!b)
		return 0;
	e = strchr(b, ']');
	if (!e || e[1])
		return xs_skp_error(p, "bad port in '%s'", s);
	*b = *e = '\0';
	if (!strcmp(b + 1, "any"))
		return 0;
	if (xs_skp_number(b + 1, 65535, &v))
		return xs_skp_error(p, "bad port '%s'", b + 1);
	*port = (uint16_t)v;
	return 0;
}

/* address[/prefixlen][[port]] */
static int parse_range(struct xs_skparser *p, const char *what,
		       struct xs_addr *a, const struct xs_addr *other)
{
	char buf[XS_SKP_WORD_MAX], *slash;
	uint16_t port;
	uint64_t plen = 0;
	int ret;

	ret = xs_skp_word(p, what, buf, sizeof(buf));
	if (!ret)
		ret = split_port(p, buf, &port);
	if (ret)
		return ret;
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		if (xs_skp_number(slash, 255, &plen))
			return xs_skp_error(p, "bad prefix length '%s'", slash);
	}
	if (xs_skp_addr(buf, a))
		return xs_skp_error(p, "bad %s '%s'", what, buf);
	if (slash) {
		if (plen > a->plen)
			return xs_skp_error(p, "bad prefix length /%llu for %s",
					    (unsigned long long)plen, buf);
		a->plen = (uint8_t)plen;
	}
	a->port = port;
	return xs_skp_family(p, a, other);
}

struct ulp_name {
	const char *name;
	uint8_t proto;
};

static const struct ulp_name ulp_names[] = {
	{ "any", IPSEC_ULPROTO_ANY }, { "icmp", IPPROTO_ICMP },
	{ "icmp6", IPPROTO_ICMPV6 },  { "ipv6-icmp", IPPROTO_ICMPV6 },
	{ "tcp", IPPROTO_TCP },	      { "udp", IPPROTO_UDP },
};

/* "type[,code]" of icmp/icmp6, as source/destination "ports". */
static int parse_icmp(struct xs_skparser *p, struct xs_selector *sel)
{
	char buf[32], *comma;
	uint64_t type, code = 0;
	int ret;

	ret = xs_skp_word(p, "icmp type", buf, sizeof(buf));
	if (ret)
		return ret;
	comma = strchr(buf, ',');
	if (comma)
		*comma++ = '\0';
	if (xs_skp_number(buf, 255, &type) ||
	    (comma && xs_skp_number(comma, 255, &code)))
		return xs_skp_error(p, "bad icmp type,code '%s%s%s'", buf,
				    comma ? "," : "", comma ? comma : "");
	if (sel->src.port || sel->dst.port)
		return xs_skp_error(p, "ports and icmp type/code are "
				       "exclusive");
	sel->src.port = (uint16_t)type;
	sel->dst.port = (uint16_t)code;
	return 0;
}

static int parse_upper(struct xs_skparser *p, struct xs_selector *sel)
{
	char buf[32];
	uint64_t v;
	size_t i;
	int ret;

	ret = xs_skp_word(p, "upper-layer protocol", buf, sizeof(buf));
	if (ret)
		return ret;
	for (i = 0; i < sizeof(ulp_names) / sizeof(ulp_names[0]); i++)
		if (!strcmp(buf, ulp_names[i].name))
			break;
	if (i < sizeof(ulp_names) / sizeof(ulp_names[0]))
		sel->proto = ulp_names[i].proto;
	else if (!xs_skp_number(buf, 255, &v))
		sel->proto = (uint8_t)v;
	else
		return xs_skp_error(p, "unknown upper-layer protocol '%s'",
				    buf);
	if ((sel->proto == IPPROTO_ICMP || sel->proto == IPPROTO_ICMPV6) &&
	    p->tok.type == XS_TOK_WORD && p->tok.s[0] != '-')
		return parse_icmp(p, sel);
	return 0;
}

static int parse_offset(struct xs_skparser *p, const char *s, int64_t *off)
{
	uint64_t v;

	if (xs_skp_number(s, UINT32_MAX, &v))
		return xs_skp_error(p, "bad priority offset '%s'", s);
	*off = (int64_t)v;
	return 0;
}

/*
 * prio def|default|high|low [+|- n] | prio [-|+]n.  As ipsec-tools: "+ n"
 * is more urgent (value base - n), a bare n is def - n, -n is def + n.
 */
static int parse_prio(struct xs_skparser *p, uint32_t *prio)
{
	char buf[32], sign = '+';
	int64_t base = XS_PRIORITY_DEFAULT, off = 0, r;
	const char *num = NULL;
	int ret;

	ret = xs_skp_word(p, "priority", buf, sizeof(buf));
	if (ret)
		return ret;
	if (!strcmp(buf, "def") || !strcmp(buf, "default") ||
	    !strcmp(buf, "high") || !strcmp(buf, "low")) {
		if (buf[0] == 'h')
			base = XS_PRIORITY_HIGH;
		else if (buf[0] == 'l')
			base = XS_PRIORITY_LOW;
		if (p->tok.type == XS_TOK_WORD &&
		    (p->tok.s[0] == '+' || p->tok.s[0] == '-')) {
			ret = xs_skp_word(p, "priority offset", buf,
					  sizeof(buf));
			if (ret)
				return ret;
			sign = buf[0];
			num = buf + 1;
			if (!*num) {
				ret = xs_skp_word(p, "priority offset", buf,
						  sizeof(buf));
				if (ret)
					return ret;
				num = buf;
			}
		}
	} else {
		num = buf;
		if (buf[0] == '+' || buf[0] == '-') {
			sign = buf[0];
			num++;
		}
	}
	if (num && (ret = parse_offset(p, num, &off)))
		return ret;
	r = sign == '+' ? base - off : base + off;
	if (r < 0 || r > UINT32_MAX)
		return xs_skp_error(p, "priority out of range");
	*prio = (uint32_t)r;
	return 0;
}

/* "a-b" tunnel endpoints. */
static int parse_endpoints(struct xs_skparser *p, char *s,
			   struct xs_ipsecreq *r)
{
	char *dash = strchr(s, '-');

	if (!dash)
		return xs_skp_error(p, "bad tunnel endpoints '%s' (src-dst)",
				    s);
	*dash++ = '\0';
	if (xs_skp_addr(s, &r->src))
		return xs_skp_error(p, "bad tunnel source '%s'", s);
	if (xs_skp_addr(dash, &r->dst))
		return xs_skp_error(p, "bad tunnel destination '%s'", dash);
	if (r->src.family != r->dst.family)
		return xs_skp_error(p, "address family mismatch in tunnel "
				       "endpoints");
	return 0;
}

static int parse_level(struct xs_skparser *p, const char *s,
		       struct xs_ipsecreq *r)
{
	uint64_t id;

	if (!*s || !strcmp(s, "default"))
		r->level = IPSEC_LEVEL_DEFAULT;
	else if (!strcmp(s, "use"))
		r->level = IPSEC_LEVEL_USE;
	else if (!strcmp(s, "require"))
		r->level = IPSEC_LEVEL_REQUIRE;
	else if (!strcmp(s, "unique"))
		r->level = IPSEC_LEVEL_UNIQUE;
	else if (!strncmp(s, "unique:", 7)) {
		if (xs_skp_number(s + 7, IPSEC_MANUAL_REQID_MAX, &id) || !id)
			return xs_skp_error(p, "bad unique id '%s' (1..%d)",
					    s + 7, IPSEC_MANUAL_REQID_MAX);
		r->level = IPSEC_LEVEL_UNIQUE;
		r->reqid = (uint32_t)id;
	} else
		return xs_skp_error(p, "unknown level '%s'", s);
	return 0;
}

/* protocol/mode[/[src-dst][/[level]]] */
static int parse_request(struct xs_skparser *p, struct xs_ipsecreq *r)
{
	char buf[XS_SKP_WORD_MAX], *f[4] = { buf, NULL, NULL, NULL };
	int n = 1, ret;

	ret = xs_skp_word(p, "ipsec request", buf, sizeof(buf));
	if (ret)
		return ret;
	for (char *s = buf; (s = strchr(s, '/')) && n <= 4; n++) {
		if (n == 4)
			return xs_skp_error(p, "too many '/' in request");
		*s++ = '\0';
		f[n] = s;
	}
	if (!strcmp(f[0], "esp"))
		r->proto = IPPROTO_ESP;
	else if (!strcmp(f[0], "ah"))
		r->proto = IPPROTO_AH;
	else if (!strcmp(f[0], "ipcomp"))
		return xs_skp_error(p, "ipcomp is not supported");
	else
		return xs_skp_error(p, "unknown protocol '%s' in request",
				    f[0]);
	if (!f[1])
		return xs_skp_error(p, "request needs protocol/mode");
	if (!strcmp(f[1], "transport"))
		r->mode = IPSEC_MODE_TRANSPORT;
	else if (!strcmp(f[1], "tunnel"))
		r->mode = IPSEC_MODE_TUNNEL;
	else
		return xs_skp_error(p, "bad mode '%s' (transport or tunnel)",
				    f[1]);
	if (f[2] && *f[2] && (ret = parse_endpoints(p, f[2], r)))
		return ret;
	if (r->mode == IPSEC_MODE_TUNNEL && !r->src.family)
		return xs_skp_error(p, "tunnel mode needs endpoints "
				       "(esp/tunnel/src-dst/level)");
	return parse_level(p, f[3] ? f[3] : "", r);
}

static int parse_action(struct xs_skparser *p, uint8_t *type)
{
	switch (p->tok.kw) {
	case XS_KW_DISCARD:
		*type = IPSEC_POLICY_DISCARD;
		break;
	case XS_KW_POL_NONE:
		*type = IPSEC_POLICY_NONE;
		break;
	case XS_KW_IPSEC:
		*type = IPSEC_POLICY_IPSEC;
		break;
	case XS_KW_ENTRUST:
		*type = IPSEC_POLICY_ENTRUST;
		break;
	case XS_KW_BYPASS:
		*type = IPSEC_POLICY_BYPASS;
		break;
	default:
		return xs_skp_expected(
			p, "discard, none, ipsec, entrust or bypass");
	}
	xs_skp_next(p);
	return 0;
}

/* "-P dir" (setkey); need_p false: ipsec_set_policy(3)'s bare "dir". */
static int parse_dir(struct xs_skparser *p, uint8_t *dir, bool need_p)
{
	if (p->tok.kw == XS_KW_OPT_P)
		xs_skp_next(p);
	else if (need_p)
		return xs_skp_expected(p, "-P");
	if (p->tok.kw == XS_KW_IN)
		*dir = IPSEC_DIR_INBOUND;
	else if (p->tok.kw == XS_KW_OUT)
		*dir = IPSEC_DIR_OUTBOUND;
	else if (p->tok.kw == XS_KW_FWD)
		*dir = IPSEC_DIR_FWD;
	else
		return xs_skp_expected(p, "direction (in, out or fwd)");
	xs_skp_next(p);
	return 0;
}

/* -P dir [prio ...] action [requests] (spddelete: -P dir is enough). */
static int parse_policy(struct xs_skparser *p, struct xs_spolicy *sp,
			bool dir_only, bool need_p)
{
	int ret;

	ret = parse_dir(p, &sp->dir, need_p);
	if (ret || (dir_only && p->tok.type == XS_TOK_SEMI))
		return ret;
	if (p->tok.kw == XS_KW_PRIO) {
		xs_skp_next(p);
		ret = parse_prio(p, &sp->priority);
		if (ret)
			return ret;
	}
	ret = parse_action(p, &sp->type);
	if (ret || sp->type != IPSEC_POLICY_IPSEC)
		return ret;
	while (p->tok.type == XS_TOK_WORD) {
		if (sp->nreq == XS_MAX_TMPL)
			return xs_skp_error_tok(p, "too many requests (max %d)",
						XS_MAX_TMPL);
		ret = parse_request(p, &sp->req[sp->nreq]);
		if (ret)
			return ret;
		sp->nreq++;
	}
	if (!sp->nreq)
		return xs_skp_error(p, "ipsec policy needs a request "
				       "(e.g. esp/transport//require)");
	return 0;
}

int xs_skp_spd(struct xs_skparser *p, struct xs_setkey_cmd *cmd)
{
	struct xs_spolicy *sp = &cmd->sp;
	int ret;

	cmd->satype = SADB_SATYPE_UNSPEC;
	sp->priority = XS_PRIORITY_DEFAULT;
	xs_skp_af_opts(p);
	ret = parse_range(p, "source range", &sp->sel.src, NULL);
	if (!ret)
		ret = parse_range(p, "destination range", &sp->sel.dst,
				  &sp->sel.src);
	if (!ret)
		ret = parse_upper(p, &sp->sel);
	if (!ret)
		ret = parse_policy(p, sp, cmd->op == XS_SK_SPDDELETE, true);
	return ret;
}

int xs_setkey_parse_policy(const char *text, size_t len, struct xs_spolicy *sp,
			   char *err, size_t errlen)
{
	struct xs_skparser p = {
		.fname = "policy",
		.err = err,
		.errlen = errlen,
	};
	int ret;

	if (errlen)
		err[0] = '\0';
	memset(sp, 0, sizeof(*sp));
	sp->priority = XS_PRIORITY_DEFAULT;
	xs_sklex_init(&p.lx, text, len);
	xs_skp_next(&p);
	ret = parse_policy(&p, sp, false, false);
	if (!ret && p.tok.type == XS_TOK_SEMI)
		xs_skp_next(&p);
	if (!ret && p.tok.type != XS_TOK_EOF)
		ret = xs_skp_expected(&p, "end of the policy");
	return ret;
}
