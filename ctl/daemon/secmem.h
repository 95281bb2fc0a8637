/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Memory for secrets: the SAs' keys and everything that holds a copy of
 * them (struct xs_sa_rt, the SADB's entries).  Locked (mlock, where the
 * limit allows), marked MADV_DONTDUMP so a core file never holds a key,
 * zeroed on allocation and wiped with OPENSSL_cleanse on free.
 *
 * A slab arena rather than a page per object: 100 000 SAs cost about
 * 1.5 KiB each instead of a 4 KiB page.  Objects up to XS_SECMEM_MAX bytes
 * come from power-of-two size classes carved out of XS_SECMEM_CHUNK-byte
 * chunks; larger ones get pages of their own.  Chunks are kept once mapped
 * (a freed object's slot is reused by the next object of its class).
 * Thread-safe; not async-signal-safe.
 */
#ifndef XS_SECMEM_H
#define XS_SECMEM_H

#include <stddef.h>

#define XS_SECMEM_MIN 64 /* smallest class: one cache line */
#define XS_SECMEM_MAX 2048 /* largest class */
#define XS_SECMEM_CHUNK (256 * 1024)

/* n zeroed bytes aligned to 64 (to the page above XS_SECMEM_MAX), or NULL
 * with errno ENOMEM (EINVAL for n == 0). */
void *xs_secmem_alloc(size_t n);
/* Wipes n bytes at p (n as allocated) and gives the memory back; NULL is
 * ignored. */
void xs_secmem_free(void *p, size_t n);

struct xs_secmem_stats {
	size_t mapped; /* bytes mapped, chunks and large objects */
	size_t used; /* bytes in live objects, rounded to their class */
	size_t objects; /* live objects */
};
void xs_secmem_stats(struct xs_secmem_stats *s);

#endif /* XS_SECMEM_H */
