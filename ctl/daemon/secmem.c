// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Slab arena for secrets (secmem.h).  A free slot holds only the link to
 * the next free slot of its class; everything else in it was wiped when
 * it was freed, and it is wiped of the link when handed out again.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "secmem.h"

#define NCLASS 6 /* 64 .. 2048 */
_Static_assert(XS_SECMEM_MIN << (NCLASS - 1) == XS_SECMEM_MAX,
	       "classes span XS_SECMEM_MIN .. XS_SECMEM_MAX");
_Static_assert(XS_SECMEM_CHUNK % XS_SECMEM_MAX == 0, "chunk of whole slots");

struct slot {
	struct slot *next;
};

static struct {
	pthread_mutex_t lock;
	struct slot *free[NCLASS];
	struct xs_secmem_stats st;
} arena = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int class_of(size_t n)
{
	size_t sz = XS_SECMEM_MIN;
	int c = 0;

	while (sz < n) {
		sz <<= 1;
		c++;
	}
	return c;
}

static size_t class_size(int c)
{
	return (size_t)XS_SECMEM_MIN << c;
}

static size_t page_round(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (n + page - 1) / page * page;
}

/* Locked, non-dumpable anonymous memory, or NULL.  mlock may fail under
 * RLIMIT_MEMLOCK without CAP_IPC_LOCK: the memory is still kept out of
 * core files then. */
static void *map_secret(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (madvise(p, len, MADV_DONTDUMP) ||
	    (mlock(p, len) && errno != EPERM && errno != ENOMEM)) {
		munmap(p, len);
		return NULL;
	}
	return p;
}

/* Carves a new chunk into class c's free list (lock held). */
static int grow(int c)
{
	size_t sz = class_size(c), off;
	uint8_t *chunk = map_secret(XS_SECMEM_CHUNK);

	if (!chunk)
		return -ENOMEM;
	for (off = XS_SECMEM_CHUNK; off >= sz; off -= sz) {
		struct slot *s = (struct slot *)(chunk + off - sz);

		s->next = arena.free[c];
		arena.free[c] = s;
	}
	arena.st.mapped += XS_SECMEM_CHUNK;
	return 0;
}

static void *alloc_large(size_t n)
{
	size_t len = page_round(n);
	void *p = map_secret(len);

	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_lock(&arena.lock);
	arena.st.mapped += len;
	arena.st.used += len;
	arena.st.objects++;
	pthread_mutex_unlock(&arena.lock);
	return p;
}

void *xs_secmem_alloc(size_t n)
{
	struct slot *s = NULL;
	int c;

	if (!n) {
		errno = EINVAL;
		return NULL;
	}
	if (n > XS_SECMEM_MAX)
		return alloc_large(n);
	c = class_of(n);
	pthread_mutex_lock(&arena.lock);
	if (arena.free[c] || !grow(c)) {
		s = arena.free[c];
		arena.free[c] = s->next;
		arena.st.used += class_size(c);
		arena.st.objects++;
	}
	pthread_mutex_unlock(&arena.lock);
	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	s->next = NULL; /* the rest was wiped when the slot was freed */
	return s;
}

void xs_secmem_free(void *p, size_t n)
{
	struct slot *s = p;
	int c;

	if (!p)
		return;
	if (n > XS_SECMEM_MAX) {
		size_t len = page_round(n);

		OPENSSL_cleanse(p, len);
		munlock(p, len);
		munmap(p, len);
		pthread_mutex_lock(&arena.lock);
		arena.st.mapped -= len;
		arena.st.used -= len;
		arena.st.objects--;
		pthread_mutex_unlock(&arena.lock);
		return;
	}
	c = class_of(n);
	OPENSSL_cleanse(p, class_size(c));
	pthread_mutex_lock(&arena.lock);
	s->next = arena.free[c];
	arena.free[c] = s;
	arena.st.used -= class_size(c);
	arena.st.objects--;
	pthread_mutex_unlock(&arena.lock);
}

void xs_secmem_stats(struct xs_secmem_stats *s)
{
	pthread_mutex_lock(&arena.lock);
	*s = arena.st;
	pthread_mutex_unlock(&arena.lock);
}
