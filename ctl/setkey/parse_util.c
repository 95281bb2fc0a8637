// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Parser helpers: "file:line:" errors, token expectations, numbers and
 * address literals.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "parse_int.h"

static int verror(struct xs_skparser *p, int line, const char *fmt, va_list ap)
{
	int n;

	if (!p->errlen)
		return -EINVAL;
	n = snprintf(p->err, p->errlen, "%s:%d: ", p->fname, line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -EINVAL;
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	return -EINVAL;
}

int xs_skp_error(struct xs_skparser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(p, p->wline ? p->wline : p->tok.line, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int xs_skp_error_tok(struct xs_skparser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(p, p->tok.line, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int xs_skp_expected(struct xs_skparser *p, const char *what)
{
	const struct xs_sktok *t = &p->tok;
	int len = t->len > 40 ? 40 : (int)t->len;

	switch (t->type) {
	case XS_TOK_EOF:
		return xs_skp_error_tok(p,
					"expected %s, got end of file "
					"(missing ';'?)",
					what);
	case XS_TOK_SEMI:
		return xs_skp_error_tok(p, "expected %s, got ';'", what);
	case XS_TOK_STRING:
		return xs_skp_error_tok(p, "expected %s, got a quoted string",
					what);
	case XS_TOK_ERROR:
		return xs_skp_error_tok(p, "%.*s", len, t->s);
	default:
		return xs_skp_error_tok(p, "expected %s, got '%.*s'", what, len,
					t->s);
	}
}

void xs_skp_next(struct xs_skparser *p)
{
	p->wline = p->tok.line;
	xs_sklex_next(&p->lx, &p->tok);
}

int xs_skp_word(struct xs_skparser *p, const char *what, char *buf, size_t size)
{
	if (p->tok.type != XS_TOK_WORD)
		return xs_skp_expected(p, what);
	if (p->tok.len >= size)
		return xs_skp_error(p, "%s too long", what);
	memcpy(buf, p->tok.s, p->tok.len);
	buf[p->tok.len] = '\0';
	xs_skp_next(p);
	return 0;
}

int xs_skp_number(const char *s, uint64_t max, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return -EINVAL;
		if (v > (max - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

int xs_skp_addr(const char *s, struct xs_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1) {
		a->family = AF_INET;
		a->plen = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->a) == 1) {
		a->family = AF_INET6;
		a->plen = 128;
		return 0;
	}
	return -EINVAL;
}

int xs_skp_family(struct xs_skparser *p, const struct xs_addr *a,
		  const struct xs_addr *other)
{
	if (p->family && a->family != p->family)
		return xs_skp_error(p, "address family does not match -%c",
				    p->family == AF_INET ? '4' : '6');
	if (other && other->family && other->family != a->family)
		return xs_skp_error(p, "address family mismatch between "
				       "source and destination");
	return 0;
}

void xs_skp_af_opts(struct xs_skparser *p)
{
	for (;; xs_skp_next(p)) {
		if (p->tok.kw == XS_KW_OPT_4)
			p->family = AF_INET;
		else if (p->tok.kw == XS_KW_OPT_6)
			p->family = AF_INET6;
		else if (p->tok.kw != XS_KW_OPT_N)
			return;
	}
}

int xs_skp_end(struct xs_skparser *p)
{
	if (p->tok.type != XS_TOK_SEMI)
		return xs_skp_expected(p, "';'");
	xs_skp_next(p);
	return 0;
}
