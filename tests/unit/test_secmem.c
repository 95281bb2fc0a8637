// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The secrets arena (ctl/daemon/secmem.h): objects are zeroed, aligned,
 * distinct, wiped when freed and reused; the memory is MADV_DONTDUMP (and
 * locked when running as root); large objects get pages of their own; the
 * statistics add up; two threads allocating and freeing at once.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "../../ctl/daemon/secmem.h"

#if defined(__SANITIZE_ADDRESS__) /* gcc */
#define ASAN 1
#elif defined(__has_feature) /* clang */
#if __has_feature(address_sanitizer)
#define ASAN 1
#endif
#endif
#ifndef ASAN
#define ASAN 0
#endif

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* The VmFlags of the smaps entry holding p, in flags; false if none. */
static bool vm_flags(const void *p, char *flags, size_t n)
{
	uintptr_t a = (uintptr_t)p, lo, hi;
	bool in = false, found = false;
	char line[512];
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = a >= lo && a < hi; /* a mapping's first line */
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			strncpy(flags, line + 8, n - 1);
			flags[n - 1] = 0;
			found = true;
		}
	}
	fclose(f);
	return found;
}

static void test_alloc_basic(void **state)
{
	static const size_t sizes[] = { 1, 63, 64, 65, 664, 1024, 2047, 2048 };
	struct xs_secmem_stats before, after;
	uint8_t *p[8];
	size_t i;

	(void)state;
	xs_secmem_stats(&before);
	for (i = 0; i < 8; i++) {
		p[i] = xs_secmem_alloc(sizes[i]);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 64, 0);
		assert_true(all_zero(p[i], sizes[i]));
		memset(p[i], 0xa5, sizes[i]);
	}
	xs_secmem_stats(&after);
	assert_int_equal(after.objects, before.objects + 8);
	/* classes 64, 64, 64, 128, 1024, 1024, 2048, 2048 */
	assert_int_equal(after.used - before.used,
			 64 * 3 + 128 + 1024 * 2 + 2048 * 2);
	for (i = 0; i < 8; i++)
		xs_secmem_free(p[i], sizes[i]);
	xs_secmem_stats(&after);
	assert_int_equal(after.objects, before.objects);
	assert_int_equal(after.used, before.used);
	xs_secmem_free(NULL, 12); /* ignored */
}

static void test_zero_size(void **state)
{
	(void)state;
	errno = 0;
	assert_null(xs_secmem_alloc(0));
	assert_int_equal(errno, EINVAL);
}

/* A freed slot is wiped, then handed to the next object of its class. */
static void test_wipe_and_reuse(void **state)
{
	uint8_t *p, *q;

	(void)state;
	p = xs_secmem_alloc(700);
	assert_non_null(p);
	memset(p, 0x5a, 700);
	xs_secmem_free(p, 700);
	/* all but the free-list link (the first pointer) is zero now */
	assert_true(all_zero(p + sizeof(void *), 1024 - sizeof(void *)));
	q = xs_secmem_alloc(900); /* same class: the slot just freed */
	assert_ptr_equal(p, q);
	assert_true(all_zero(q, 1024));
	xs_secmem_free(q, 900);
}

/* Enough objects to need several chunks: distinct, no overlap, and the
 * arena maps little more than it hands out. */
static void test_many(void **state)
{
	enum { N = 2000, SZ = 792 };
	struct xs_secmem_stats before, mid;
	uint8_t **p = calloc(N, sizeof(*p));
	size_t i;

	(void)state;
	assert_non_null(p);
	xs_secmem_stats(&before);
	for (i = 0; i < N; i++) {
		p[i] = xs_secmem_alloc(SZ);
		assert_non_null(p[i]);
		memset(p[i], (int)(i & 0xff) | 1, SZ);
	}
	for (i = 0; i < N; i++) /* nobody overwrote anybody */
		assert_int_equal(p[i][0], (int)(i & 0xff) | 1);
	for (i = 0; i < N; i++)
		assert_int_equal(p[i][SZ - 1], (int)(i & 0xff) | 1);
	xs_secmem_stats(&mid);
	assert_int_equal(mid.used - before.used, (size_t)N * 1024);
	assert_true(mid.mapped - before.mapped <=
		    (size_t)N * 1024 + XS_SECMEM_CHUNK);
	for (i = 0; i < N; i++)
		xs_secmem_free(p[i], SZ);
	free(p);
}

static void test_large(void **state)
{
	struct xs_secmem_stats before, mid, after;
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *p;

	(void)state;
	xs_secmem_stats(&before);
	p = xs_secmem_alloc(5000);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % (uintptr_t)page, 0);
	assert_true(all_zero(p, 5000));
	memset(p, 0xff, 5000);
	xs_secmem_stats(&mid);
	assert_int_equal(mid.mapped - before.mapped, 2 * (size_t)page);
	xs_secmem_free(p, 5000);
	xs_secmem_stats(&after);
	assert_int_equal(after.mapped, before.mapped);
	assert_int_equal(after.objects, before.objects);
}

/* Kept out of core files; locked too when the limit allows (root). */
static void test_dontdump(void **state)
{
	uint8_t *small = xs_secmem_alloc(100), *large = xs_secmem_alloc(9000);
	char flags[512];

	(void)state;
	assert_non_null(small);
	assert_non_null(large);
	assert_true(vm_flags(small, flags, sizeof(flags)));
	assert_non_null(strstr(flags, " dd"));
	if (geteuid() == 0 && !ASAN) /* ASan's mlock does nothing */
		assert_non_null(strstr(flags, " lo"));
	assert_true(vm_flags(large, flags, sizeof(flags)));
	assert_non_null(strstr(flags, " dd"));
	xs_secmem_free(small, 100);
	xs_secmem_free(large, 9000);
}

static void *churn(void *arg)
{
	uint8_t *p[64];
	int round, i, tag = *(int *)arg;

	for (round = 0; round < 200; round++) {
		for (i = 0; i < 64; i++) {
			p[i] = xs_secmem_alloc(200);
			if (!p[i])
				return (void *)1;
			memset(p[i], tag, 200);
		}
		for (i = 0; i < 64; i++) {
			if (p[i][0] != tag || p[i][199] != tag)
				return (void *)1;
			xs_secmem_free(p[i], 200);
		}
	}
	return NULL;
}

static void test_threads(void **state)
{
	int tag[2] = { 0x11, 0x22 };
	void *r0, *r1;
	pthread_t t0, t1;

	(void)state;
	assert_int_equal(pthread_create(&t0, NULL, churn, &tag[0]), 0);
	assert_int_equal(pthread_create(&t1, NULL, churn, &tag[1]), 0);
	pthread_join(t0, &r0);
	pthread_join(t1, &r1);
	assert_null(r0);
	assert_null(r1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_basic),
		cmocka_unit_test(test_zero_size),
		cmocka_unit_test(test_wipe_and_reuse),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_dontdump),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
