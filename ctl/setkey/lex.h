/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * setkey(8) tokenizer.  The input is split into words (anything between
 * blanks, ';', '"' and '#'), quoted strings, ';' and end of file.  '#'
 * starts a comment that runs to the end of the line.  Statements may span
 * lines; each token carries the line it starts on.  Words that are
 * keywords are looked up in one sorted table (bsearch).  No allocation,
 * no global state: tokens point into the caller's text.
 */
#ifndef XS_SETKEY_LEX_H
#define XS_SETKEY_LEX_H

#include <stddef.h>

enum xs_sktok_type {
	XS_TOK_EOF,
	XS_TOK_SEMI,
	XS_TOK_WORD,
	XS_TOK_STRING, /* s/len exclude the quotes */
	XS_TOK_ERROR, /* unterminated string */
};

/* Keywords, in no particular order (the table in lex.c is sorted). */
enum xs_skkw {
	XS_KW_NONE,
	/* commands */
	XS_KW_ADD,
	XS_KW_GET,
	XS_KW_DELETE,
	XS_KW_DELETEALL,
	XS_KW_FLUSH,
	XS_KW_DUMP,
	XS_KW_SPDADD,
	XS_KW_SPDUPDATE,
	XS_KW_SPDDELETE,
	XS_KW_SPDFLUSH,
	XS_KW_SPDDUMP,
	/* options */
	XS_KW_OPT_4,
	XS_KW_OPT_6,
	XS_KW_OPT_N,
	XS_KW_OPT_M,
	XS_KW_OPT_R,
	XS_KW_OPT_RPKTS, /* -R: xdpsec, window in packets */
	XS_KW_OPT_ESN, /* -esn: xdpsec, SADB_X_SAFLAGS_ESN */
	XS_KW_OPT_NATT_OA, /* -natt_oa: SADB_X_EXT_NAT_T_OA */
	XS_KW_OPT_U,
	XS_KW_OPT_F,
	XS_KW_OPT_LH,
	XS_KW_OPT_LS,
	XS_KW_OPT_BH,
	XS_KW_OPT_BS,
	XS_KW_OPT_E,
	XS_KW_OPT_A,
	XS_KW_OPT_C,
	XS_KW_OPT_P,
	/* security protocols */
	XS_KW_ESP,
	XS_KW_ESP_UDP, /* ESP in UDP (RFC 3948), ipsec-tools */
	XS_KW_AH,
	XS_KW_ESP_OLD,
	XS_KW_AH_OLD,
	XS_KW_IPCOMP,
	XS_KW_TCP,
	/* modes */
	XS_KW_TRANSPORT,
	XS_KW_TUNNEL,
	XS_KW_ANY,
	/* policies */
	XS_KW_IN,
	XS_KW_OUT,
	XS_KW_FWD,
	XS_KW_PRIO,
	XS_KW_DISCARD,
	XS_KW_POL_NONE,
	XS_KW_IPSEC,
	XS_KW_ENTRUST,
	XS_KW_BYPASS,
};

struct xs_sktok {
	enum xs_sktok_type type;
	enum xs_skkw kw; /* words only, XS_KW_NONE if not a keyword */
	const char *s;
	size_t len;
	int line;
};

struct xs_sklex {
	const char *p, *end;
	int line;
};

void xs_sklex_init(struct xs_sklex *lx, const char *text, size_t len);
/* Next token; never fails except for XS_TOK_ERROR tokens. */
void xs_sklex_next(struct xs_sklex *lx, struct xs_sktok *t);
/* The keyword spelled s[0..len), or XS_KW_NONE. */
enum xs_skkw xs_sklex_keyword(const char *s, size_t len);

/* The i-th name of the keyword table, NULL past the end (for tests). */
const char *xs_sklex_keyword_at(size_t i);

#endif /* XS_SETKEY_LEX_H */
