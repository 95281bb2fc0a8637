// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * setkey(8) statements and the SA commands (add, get, delete, deleteall,
 * flush, dump).  The grammar is recursive descent over lex.c's tokens;
 * each statement is built into a zeroed xs_setkey_cmd and handed to the
 * callback only when complete.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <openssl/crypto.h>
#include "../lib/alg.h"
#include "../lib/pfkey_msg.h"
#include "parse_int.h"

/* -R packets: XS_REPLAY_MAX of ctl/daemon/replay.h */
#define XS_SETKEY_REPLAY_MAX 4096

static const char *const op_names[] = {
	[XS_SK_ADD] = "add",
	[XS_SK_GET] = "get",
	[XS_SK_DELETE] = "delete",
	[XS_SK_DELETEALL] = "deleteall",
	[XS_SK_FLUSH] = "flush",
	[XS_SK_DUMP] = "dump",
	[XS_SK_SPDADD] = "spdadd",
	[XS_SK_SPDUPDATE] = "spdupdate",
	[XS_SK_SPDDELETE] = "spddelete",
	[XS_SK_SPDFLUSH] = "spdflush",
	[XS_SK_SPDDUMP] = "spddump",
};

const char *xs_setkey_op_name(enum xs_setkey_op op)
{
	if ((size_t)op >= sizeof(op_names) / sizeof(op_names[0]))
		return "?";
	return op_names[op];
}

/* esp | esp-udp (*udp set) | ah; the other setkey protocols are refused. */
static int parse_proto(struct xs_skparser *p, uint8_t *satype, bool *udp)
{
	int len = (int)p->tok.len;

	*udp = false;
	switch (p->tok.kw) {
	case XS_KW_ESP:
		*satype = SADB_SATYPE_ESP;
		break;
	case XS_KW_ESP_UDP:
		*satype = SADB_SATYPE_ESP;
		*udp = true;
		break;
	case XS_KW_AH:
		*satype = SADB_SATYPE_AH;
		break;
	case XS_KW_ESP_OLD:
	case XS_KW_AH_OLD:
	case XS_KW_IPCOMP:
	case XS_KW_TCP:
		return xs_skp_error_tok(p, "protocol '%.*s' is not supported",
					len, p->tok.s);
	default:
		return xs_skp_expected(p, "protocol (esp, esp-udp or ah)");
	}
	xs_skp_next(p);
	return 0;
}

static int parse_num(struct xs_skparser *p, const char *what, uint64_t max,
		     uint64_t *out)
{
	char buf[32];
	int ret;

	ret = xs_skp_word(p, what, buf, sizeof(buf));
	if (ret)
		return ret;
	ret = xs_skp_number(buf, max, out);
	if (ret == -ERANGE)
		return xs_skp_error(p, "%s %s out of range (max %llu)", what,
				    buf, (unsigned long long)max);
	if (ret)
		return xs_skp_error(p, "bad %s '%s'", what, buf);
	return 0;
}

static int parse_spi(struct xs_skparser *p, uint32_t *spi)
{
	uint64_t v;
	int ret;

	ret = parse_num(p, "spi", UINT32_MAX, &v);
	if (ret)
		return ret;
	if (v < 256)
		return xs_skp_error(p, "spi %llu is reserved (must be >= 256)",
				    (unsigned long long)v);
	*spi = (uint32_t)v;
	return 0;
}

/* "[port]" (1..65535) cut off the end of buf into *port; 0 if none. */
static int split_port(struct xs_skparser *p, char *buf, uint16_t *port)
{
	char *b = strchr(buf, '[');
	size_t n;
	uint64_t v;

	*port = 0;
	if (!b)
		return 0;
	n = strlen(b);
	if (n < 3 || b[n - 1] != ']')
		return xs_skp_error(p, "bad port in '%s'", buf);
	b[n - 1] = '\0';
	if (xs_skp_number(b + 1, 65535, &v) || !v)
		return xs_skp_error(p, "bad port '%s' (1 to 65535)", b + 1);
	*b = '\0';
	*port = (uint16_t)v;
	return 0;
}

/* address, or address[port] when port is not NULL */
static int parse_host(struct xs_skparser *p, const char *what,
		      struct xs_addr *a, const struct xs_addr *other,
		      uint16_t *port)
{
	char buf[XS_SKP_WORD_MAX];
	int ret;

	ret = xs_skp_word(p, what, buf, sizeof(buf));
	if (!ret && port)
		ret = split_port(p, buf, port);
	if (ret)
		return ret;
	if (xs_skp_addr(buf, a))
		return xs_skp_error(p, "bad %s '%s'", what, buf);
	return xs_skp_family(p, a, other);
}

/*
 * [-46n] src[[port]] dst[[port]] protocol.  Ports only with esp-udp
 * (ipsec-tools): "add" makes the SA ESP in UDP (NAT-T type
 * UDP_ENCAP_ESPINUDP) with those ports, 4500 when not given; for the
 * other commands esp-udp means esp and the ports are ignored.
 */
static int parse_sa_head(struct xs_skparser *p, struct xs_setkey_cmd *cmd)
{
	uint16_t sport = 0, dport = 0;
	bool udp = false;
	int ret;

	xs_skp_af_opts(p);
	ret = parse_host(p, "source address", &cmd->sa.src, NULL, &sport);
	if (!ret)
		ret = parse_host(p, "destination address", &cmd->sa.dst,
				 &cmd->sa.src, &dport);
	if (!ret)
		ret = parse_proto(p, &cmd->satype, &udp);
	cmd->sa.satype = cmd->satype;
	if (ret)
		return ret;
	if ((sport || dport) && !udp)
		return xs_skp_error(p, "[port] on an SA address needs "
				       "protocol esp-udp");
	if (udp && cmd->op == XS_SK_ADD) {
		cmd->sa.natt_type = UDP_ENCAP_ESPINUDP;
		cmd->sa.natt_sport = sport ? sport : XS_NATT_PORT;
		cmd->sa.natt_dport = dport ? dport : XS_NATT_PORT;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 0x hex or "string" into key[XS_KEY_MAX]. */
static int parse_key(struct xs_skparser *p, uint8_t *key, uint16_t *keylen)
{
	const struct xs_sktok *t = &p->tok;
	size_t i, n;

	if (t->type == XS_TOK_STRING) {
		if (t->len > XS_KEY_MAX)
			return xs_skp_error_tok(
				p, "key too long (max %d bytes)", XS_KEY_MAX);
		memcpy(key, t->s, t->len);
		*keylen = (uint16_t)t->len;
		xs_skp_next(p);
		return 0;
	}
	if (t->type != XS_TOK_WORD || t->len < 2 || t->s[0] != '0' ||
	    (t->s[1] != 'x' && t->s[1] != 'X'))
		return xs_skp_expected(p, "key (0x hex or \"string\")");
	n = t->len - 2;
	if (n % 2)
		return xs_skp_error_tok(p, "odd number of hex digits in key");
	if (n / 2 > XS_KEY_MAX)
		return xs_skp_error_tok(p, "key too long (max %d bytes)",
					XS_KEY_MAX);
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(t->s[2 + 2 * i]), lo = hexval(t->s[3 + 2 * i]);

		if (hi < 0 || lo < 0)
			return xs_skp_error_tok(p, "bad hex digit in key");
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	*keylen = (uint16_t)(n / 2);
	xs_skp_next(p);
	return 0;
}

static int keylen_error(struct xs_skparser *p, const struct xs_alg *alg,
			size_t got)
{
	unsigned int s = alg->salt_len;

	if (alg->key_min == alg->key_max)
		return xs_skp_error(p, "%s: key must be %u bytes, got %zu",
				    alg->name, alg->key_min, got);
	if (alg->evp_name && !strncmp(alg->evp_name, "AES", 3))
		return xs_skp_error(p,
				    "%s: key must be %u, %u or %u bytes "
				    "(AES key + %u-byte salt), got %zu",
				    alg->name, 16 + s, 24 + s, 32 + s, s, got);
	return xs_skp_error(p, "%s: key must be %u to %u bytes, got %zu",
			    alg->name, alg->key_min, alg->key_max, got);
}

/* -E/-A argument: algorithm name and key. */
static int parse_alg(struct xs_skparser *p, enum xs_alg_kind kind, uint8_t *id,
		     uint8_t *key, uint16_t *keylen, const struct xs_alg **out)
{
	const char *what = kind == XS_ALG_ENC ? "encryption algorithm" :
						"authentication algorithm";
	char name[XS_SKP_WORD_MAX];
	const struct xs_alg *alg;
	int ret;

	ret = xs_skp_word(p, what, name, sizeof(name));
	if (ret)
		return ret;
	alg = xs_alg_by_name(kind, name);
	if (!alg)
		return xs_skp_error(p, "unknown %s '%s'", what, name);
	if (!alg->implemented)
		return xs_skp_error(p,
				    "%s '%s' is not supported by the "
				    "datapath",
				    what, name);
	/* a keyless algorithm (null) takes no key, as in KAME's grammar;
	 * an empty one ("" or 0x) is accepted too */
	if (alg->key_max == 0 && p->tok.type != XS_TOK_STRING &&
	    !(p->tok.type == XS_TOK_WORD && p->tok.len >= 2 &&
	      p->tok.s[0] == '0' && (p->tok.s[1] == 'x' || p->tok.s[1] == 'X')))
		*keylen = 0;
	else if ((ret = parse_key(p, key, keylen)))
		return ret;
	if (xs_alg_check_keylen(alg, *keylen))
		return keylen_error(p, alg, *keylen);
	*id = alg->id;
	*out = alg;
	return 0;
}

struct algs {
	const struct xs_alg *enc, *auth;
};

static int parse_mode(struct xs_skparser *p, uint8_t *mode)
{
	if (p->tok.kw == XS_KW_TRANSPORT)
		*mode = IPSEC_MODE_TRANSPORT;
	else if (p->tok.kw == XS_KW_TUNNEL)
		*mode = IPSEC_MODE_TUNNEL;
	else if (p->tok.kw == XS_KW_ANY)
		*mode = IPSEC_MODE_ANY;
	else
		return xs_skp_expected(p, "mode (transport, tunnel or any)");
	xs_skp_next(p);
	return 0;
}

static int parse_lifetime(struct xs_skparser *p, enum xs_skkw kw,
			  struct xs_sa *sa)
{
	bool hard = kw == XS_KW_OPT_LH || kw == XS_KW_OPT_BH;
	struct xs_lifetime *lt = hard ? &sa->hard : &sa->soft;
	uint64_t v;
	int ret;

	if (kw == XS_KW_OPT_LH || kw == XS_KW_OPT_LS)
		ret = parse_num(p, "lifetime", UINT64_MAX, &v);
	else
		ret = parse_num(p, "byte lifetime", UINT64_MAX, &v);
	if (ret)
		return ret;
	if (kw == XS_KW_OPT_LH || kw == XS_KW_OPT_LS)
		lt->addtime = v;
	else
		lt->bytes = v;
	if (hard)
		sa->has_hard = true;
	else
		sa->has_soft = true;
	return 0;
}

/* One extension or algorithm option of "add". */
static int parse_sa_opt(struct xs_skparser *p, struct xs_sa *sa,
			struct algs *algs)
{
	enum xs_skkw kw = p->tok.kw;
	uint64_t v;
	int ret;

	if (kw < XS_KW_OPT_M || kw > XS_KW_OPT_C)
		return xs_skp_error_tok(
			p, "unknown option '%.*s'",
			(int)(p->tok.len > 40 ? 40 : p->tok.len), p->tok.s);
	xs_skp_next(p);
	switch (kw) {
	case XS_KW_OPT_M:
		return parse_mode(p, &sa->mode);
	case XS_KW_OPT_R:
		ret = parse_num(p, "replay window size", 255, &v);
		sa->replay = (uint8_t)v;
		return ret;
	case XS_KW_OPT_RPKTS: /* xdpsec: SADB_X_EXT_XS_REPLAY */
		ret = parse_num(p, "replay window (packets)",
				XS_SETKEY_REPLAY_MAX, &v);
		sa->replay_win = (uint32_t)v;
		return ret;
	case XS_KW_OPT_ESN: /* xdpsec: SADB_X_SAFLAGS_ESN */
		sa->flags |= SADB_X_SAFLAGS_ESN;
		return 0;
	case XS_KW_OPT_NATT_OA: /* SADB_X_EXT_NAT_T_OA */
		if (sa->natt_oa.family)
			return xs_skp_error(p, "duplicate -natt_oa");
		if (!sa->natt_type)
			return xs_skp_error(p,
					    "-natt_oa needs protocol esp-udp");
		ret = parse_host(p, "NAT-T original address", &sa->natt_oa,
				 NULL, NULL);
		if (!ret && sa->natt_oa.family != sa->dst.family)
			return xs_skp_error(p, "-natt_oa address family "
					       "differs from the SA's");
		return ret;
	case XS_KW_OPT_U:
		ret = parse_num(p, "reqid", UINT32_MAX, &v);
		sa->reqid = (uint32_t)v;
		return ret;
	case XS_KW_OPT_LH:
	case XS_KW_OPT_LS:
	case XS_KW_OPT_BH:
	case XS_KW_OPT_BS:
		return parse_lifetime(p, kw, sa);
	case XS_KW_OPT_E:
		if (algs->enc)
			return xs_skp_error(p, "duplicate -E");
		return parse_alg(p, XS_ALG_ENC, &sa->enc_alg, sa->enc_key,
				 &sa->enc_keylen, &algs->enc);
	case XS_KW_OPT_A:
		if (algs->auth)
			return xs_skp_error(p, "duplicate -A");
		if (algs->enc && algs->enc->aead)
			return xs_skp_error(p, "%s is an AEAD algorithm: no -A",
					    algs->enc->name);
		return parse_alg(p, XS_ALG_AUTH, &sa->auth_alg, sa->auth_key,
				 &sa->auth_keylen, &algs->auth);
	case XS_KW_OPT_F:
		return xs_skp_error(p, "-f (padding/sequence options) is not "
				       "supported");
	case XS_KW_OPT_C:
		return xs_skp_error(p, "-C (IPComp) is not supported");
	default:
		return -EINVAL; /* not reached: checked by the caller */
	}
}

static int check_algs(struct xs_skparser *p, const struct xs_sa *sa,
		      const struct algs *algs)
{
	if (sa->satype == SADB_SATYPE_AH) {
		if (algs->enc)
			return xs_skp_error(p, "ah takes no -E");
		if (!algs->auth)
			return xs_skp_error(p, "ah needs -A algorithm key");
		return 0;
	}
	if (!algs->enc)
		return xs_skp_error(p, "esp needs -E algorithm key");
	if (algs->enc->aead && algs->auth)
		return xs_skp_error(p, "%s is an AEAD algorithm: no -A",
				    algs->enc->name);
	return 0;
}

/* add [-46n] src dst protocol spi [extensions] algorithms ; */
static int parse_add(struct xs_skparser *p, struct xs_setkey_cmd *cmd)
{
	struct xs_sa *sa = &cmd->sa;
	struct algs algs = { NULL, NULL };
	int ret;

	sa->mode = IPSEC_MODE_ANY;
	sa->state = SADB_SASTATE_MATURE;
	ret = parse_sa_head(p, cmd);
	if (!ret)
		ret = parse_spi(p, &sa->spi);
	while (!ret && p->tok.type == XS_TOK_WORD && p->tok.s[0] == '-')
		ret = parse_sa_opt(p, sa, &algs);
	if (ret)
		return ret;
	if (p->tok.type == XS_TOK_WORD && p->tok.kw >= XS_KW_ADD &&
	    p->tok.kw <= XS_KW_SPDDUMP)
		return xs_skp_error_tok(p, "missing ';' before '%.*s'",
					(int)p->tok.len, p->tok.s);
	if (p->tok.type != XS_TOK_SEMI)
		return xs_skp_expected(p, "option or ';'");
	return check_algs(p, sa, &algs);
}

/* get/delete: [-46n] src dst protocol spi ; deleteall: no spi. */
static int parse_sa_ident(struct xs_skparser *p, struct xs_setkey_cmd *cmd,
			  bool spi)
{
	int ret;

	ret = parse_sa_head(p, cmd);
	if (!ret && spi)
		ret = parse_spi(p, &cmd->sa.spi);
	return ret;
}

/* flush/dump [protocol] ; */
static int parse_opt_proto(struct xs_skparser *p, struct xs_setkey_cmd *cmd)
{
	bool udp;

	cmd->satype = SADB_SATYPE_UNSPEC;
	if (p->tok.type == XS_TOK_SEMI)
		return 0;
	return parse_proto(p, &cmd->satype, &udp);
}

static const enum xs_setkey_op kw_ops[] = {
	[XS_KW_ADD] = XS_SK_ADD,
	[XS_KW_GET] = XS_SK_GET,
	[XS_KW_DELETE] = XS_SK_DELETE,
	[XS_KW_DELETEALL] = XS_SK_DELETEALL,
	[XS_KW_FLUSH] = XS_SK_FLUSH,
	[XS_KW_DUMP] = XS_SK_DUMP,
	[XS_KW_SPDADD] = XS_SK_SPDADD,
	[XS_KW_SPDUPDATE] = XS_SK_SPDUPDATE,
	[XS_KW_SPDDELETE] = XS_SK_SPDDELETE,
	[XS_KW_SPDFLUSH] = XS_SK_SPDFLUSH,
	[XS_KW_SPDDUMP] = XS_SK_SPDDUMP,
};

static int statement(struct xs_skparser *p, struct xs_setkey_cmd *cmd)
{
	int ret;

	if (p->tok.type != XS_TOK_WORD || p->tok.kw < XS_KW_ADD ||
	    p->tok.kw > XS_KW_SPDDUMP) {
		if (p->tok.type == XS_TOK_WORD)
			return xs_skp_error_tok(
				p, "unknown command '%.*s'",
				(int)(p->tok.len > 40 ? 40 : p->tok.len),
				p->tok.s);
		return xs_skp_expected(p, "a command");
	}
	cmd->op = kw_ops[p->tok.kw];
	cmd->line = p->tok.line;
	p->family = 0;
	xs_skp_next(p);
	switch (cmd->op) {
	case XS_SK_ADD:
		ret = parse_add(p, cmd);
		break;
	case XS_SK_GET:
	case XS_SK_DELETE:
		ret = parse_sa_ident(p, cmd, true);
		break;
	case XS_SK_DELETEALL:
		ret = parse_sa_ident(p, cmd, false);
		break;
	case XS_SK_FLUSH:
	case XS_SK_DUMP:
		ret = parse_opt_proto(p, cmd);
		break;
	case XS_SK_SPDFLUSH:
	case XS_SK_SPDDUMP:
		ret = 0;
		break;
	default:
		ret = xs_skp_spd(p, cmd);
		break;
	}
	return ret ? ret : xs_skp_end(p);
}

int xs_setkey_parse(const char *text, size_t len, const char *fname,
		    int (*cb)(const struct xs_setkey_cmd *cmd, void *arg),
		    void *arg, char *err, size_t errlen)
{
	struct xs_skparser p = {
		.fname = fname ? fname : "-",
		.err = err,
		.errlen = errlen,
	};
	struct xs_setkey_cmd cmd;
	int ret = 0;

	if (errlen)
		err[0] = '\0';
	xs_sklex_init(&p.lx, text, len);
	xs_skp_next(&p);
	while (p.tok.type != XS_TOK_EOF) {
		if (p.tok.type == XS_TOK_SEMI) { /* empty statement */
			xs_skp_next(&p);
			continue;
		}
		memset(&cmd, 0, sizeof(cmd));
		ret = statement(&p, &cmd);
		if (!ret)
			ret = cb(&cmd, arg);
		OPENSSL_cleanse(&cmd, sizeof(cmd));
		if (ret)
			break;
	}
	return ret;
}
