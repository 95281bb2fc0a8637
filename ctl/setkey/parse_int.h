/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Internals shared by parse.c (statements, SA commands) and parse_spd.c
 * (selectors and policies).  Not an API.
 */
#ifndef XS_SETKEY_PARSE_INT_H
#define XS_SETKEY_PARSE_INT_H

#include <stddef.h>
#include <stdint.h>
#include "lex.h"
#include "parse.h"

#define XS_SKP_WORD_MAX 128 /* longest word copied out of the text */

struct xs_skparser {
	struct xs_sklex lx;
	struct xs_sktok tok; /* current token */
	const char *fname;
	char *err;
	size_t errlen;
	int wline; /* line of the last consumed token */
	uint8_t family; /* from -4/-6, 0 = either */
};

/* Format "fname:line: message" into err and return -EINVAL.  _error()
 * blames the last consumed token (the word just parsed), _error_tok() the
 * current one. */
int xs_skp_error(struct xs_skparser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int xs_skp_error_tok(struct xs_skparser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Error "expected <what>, got <current token>"; -EINVAL. */
int xs_skp_expected(struct xs_skparser *p, const char *what);
void xs_skp_next(struct xs_skparser *p);
/* Copy the current word (NUL terminated) into buf and advance. */
int xs_skp_word(struct xs_skparser *p, const char *what, char *buf,
		size_t size);
/* Decimal or 0x hex, <= max. */
int xs_skp_number(const char *s, uint64_t max, uint64_t *out);
/* An IPv4/IPv6 literal into a (full prefix length, no port). */
int xs_skp_addr(const char *s, struct xs_addr *a);
/* Check a's family against -4/-6 and against other (if set). */
int xs_skp_family(struct xs_skparser *p, const struct xs_addr *a,
		  const struct xs_addr *other);
/* Options -4, -6 (sets family), -n (no-op: addresses are literals). */
void xs_skp_af_opts(struct xs_skparser *p);
/* Expect ';' and advance past it. */
int xs_skp_end(struct xs_skparser *p);

/* spdadd/spdupdate/spddelete bodies (after the options). */
int xs_skp_spd(struct xs_skparser *p, struct xs_setkey_cmd *cmd);

#endif /* XS_SETKEY_PARSE_INT_H */
