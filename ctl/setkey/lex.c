// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * setkey(8) tokenizer: words, quoted strings, ';', comments; keywords by
 * bsearch in a sorted table.
 */
#include <stdlib.h>
#include <string.h>
#include "lex.h"

struct keyword {
	const char *name;
	enum xs_skkw kw;
};

/* Sorted by strcmp(): keep it so (test_setkey_parse checks it). */
static const struct keyword keywords[] = {
	{ "-4", XS_KW_OPT_4 },
	{ "-6", XS_KW_OPT_6 },
	{ "-A", XS_KW_OPT_A },
	{ "-C", XS_KW_OPT_C },
	{ "-E", XS_KW_OPT_E },
	{ "-P", XS_KW_OPT_P },
	{ "-R", XS_KW_OPT_RPKTS },
	{ "-bh", XS_KW_OPT_BH },
	{ "-bs", XS_KW_OPT_BS },
	{ "-esn", XS_KW_OPT_ESN },
	{ "-f", XS_KW_OPT_F },
	{ "-lh", XS_KW_OPT_LH },
	{ "-ls", XS_KW_OPT_LS },
	{ "-m", XS_KW_OPT_M },
	{ "-n", XS_KW_OPT_N },
	{ "-natt_oa", XS_KW_OPT_NATT_OA },
	{ "-r", XS_KW_OPT_R },
	{ "-u", XS_KW_OPT_U },
	{ "add", XS_KW_ADD },
	{ "ah", XS_KW_AH },
	{ "ah-old", XS_KW_AH_OLD },
	{ "any", XS_KW_ANY },
	{ "bypass", XS_KW_BYPASS },
	{ "delete", XS_KW_DELETE },
	{ "deleteall", XS_KW_DELETEALL },
	{ "discard", XS_KW_DISCARD },
	{ "dump", XS_KW_DUMP },
	{ "entrust", XS_KW_ENTRUST },
	{ "esp", XS_KW_ESP },
	{ "esp-old", XS_KW_ESP_OLD },
	{ "esp-udp", XS_KW_ESP_UDP },
	{ "flush", XS_KW_FLUSH },
	{ "fwd", XS_KW_FWD },
	{ "get", XS_KW_GET },
	{ "in", XS_KW_IN },
	{ "ipcomp", XS_KW_IPCOMP },
	{ "ipsec", XS_KW_IPSEC },
	{ "none", XS_KW_POL_NONE },
	{ "out", XS_KW_OUT },
	{ "prio", XS_KW_PRIO },
	{ "spdadd", XS_KW_SPDADD },
	{ "spddelete", XS_KW_SPDDELETE },
	{ "spddump", XS_KW_SPDDUMP },
	{ "spdflush", XS_KW_SPDFLUSH },
	{ "spdupdate", XS_KW_SPDUPDATE },
	{ "tcp", XS_KW_TCP },
	{ "transport", XS_KW_TRANSPORT },
	{ "tunnel", XS_KW_TUNNEL },
};

struct kwkey {
	const char *s;
	size_t len;
};

static int kwcmp(const void *a, const void *b)
{
	const struct kwkey *k = a;
	const struct keyword *kw = b;
	size_t n = strlen(kw->name);
	int r = strncmp(k->s, kw->name, k->len < n ? k->len : n);

	if (r)
		return r;
	return k->len < n ? -1 : k->len > n;
}

enum xs_skkw xs_sklex_keyword(const char *s, size_t len)
{
	struct kwkey k = { s, len };
	const struct keyword *kw;

	kw = bsearch(&k, keywords, sizeof(keywords) / sizeof(keywords[0]),
		     sizeof(keywords[0]), kwcmp);
	return kw ? kw->kw : XS_KW_NONE;
}

const char *xs_sklex_keyword_at(size_t i)
{
	return i < sizeof(keywords) / sizeof(keywords[0]) ? keywords[i].name :
							    NULL;
}

void xs_sklex_init(struct xs_sklex *lx, const char *text, size_t len)
{
	lx->p = text;
	lx->end = text + len;
	lx->line = 1;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	       c == '\v' || c == '\0';
}

static int is_delim(char c)
{
	return is_blank(c) || c == ';' || c == '"' || c == '#';
}

/* Skip blanks and comments, counting lines. */
static void skip_space(struct xs_sklex *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
			continue;
		}
		if (!is_blank(c))
			return;
		if (c == '\n')
			lx->line++;
		lx->p++;
	}
}

static void lex_string(struct xs_sklex *lx, struct xs_sktok *t)
{
	const char *q = ++lx->p;

	while (q < lx->end && *q != '"' && *q != '\n')
		q++;
	if (q >= lx->end || *q != '"') {
		t->type = XS_TOK_ERROR;
		t->s = "unterminated quoted string";
		t->len = strlen(t->s);
		lx->p = q;
		return;
	}
	t->type = XS_TOK_STRING;
	t->s = lx->p;
	t->len = (size_t)(q - lx->p);
	lx->p = q + 1;
}

void xs_sklex_next(struct xs_sklex *lx, struct xs_sktok *t)
{
	const char *q;

	skip_space(lx);
	t->line = lx->line;
	t->kw = XS_KW_NONE;
	t->s = lx->p;
	t->len = 0;
	if (lx->p >= lx->end) {
		t->type = XS_TOK_EOF;
		return;
	}
	if (*lx->p == ';') {
		t->type = XS_TOK_SEMI;
		t->len = 1;
		lx->p++;
		return;
	}
	if (*lx->p == '"') {
		lex_string(lx, t);
		return;
	}
	for (q = lx->p; q < lx->end && !is_delim(*q); q++)
		;
	t->type = XS_TOK_WORD;
	t->len = (size_t)(q - lx->p);
	t->kw = xs_sklex_keyword(t->s, t->len);
	lx->p = q;
}
