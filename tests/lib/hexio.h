/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Hex text in and out for the test tools (tests/prog): packets and keys
 * travel between them and the Python/shell tests as hex.
 */
#ifndef XT_HEXIO_H
#define XT_HEXIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Hex digits of s (white space skipped) into out: the bytes written, or
 * -1 if s is malformed (odd count, a non-hex character) or over cap. */
long xt_unhex(const char *s, uint8_t *out, size_t cap);
/* All of f (at most 2 * cap + 4096 characters) as hex into out: the
 * bytes, or -1 (nothing, malformed, too long). */
long xt_read_hex(FILE *f, uint8_t *out, size_t cap);
/* b as one line of hex on f. */
void xt_print_hex(FILE *f, const uint8_t *b, size_t n);

#endif /* XT_HEXIO_H */
