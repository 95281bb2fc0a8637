/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The crypto backends as cmocka group set-ups: a test program runs its
 * whole group once on OpenSSL and once on ipsec-mb (esp_crypto.h).
 * Include after <cmocka.h>.
 */
#ifndef XT_BACKENDS_H
#define XT_BACKENDS_H

#include <stdbool.h>

struct xs_sa_rt;

int xt_use_openssl(void **state);
int xt_use_mb(void **state);

/* Must rt's SA run on ipsec-mb: the backend is ipsec-mb and the transform
 * is an AEAD or AES-CBC with HMAC-SHA1/SHA-256 (the rest, HMAC-SHA-384/512
 * included, stays on OpenSSL)?  The tests' own statement of the rule. */
bool xt_expect_mb(const struct xs_sa_rt *rt);

/* tests: a CMUnitTest array (cmocka needs its size, hence a macro) */
#define xt_run_on_both_backends(tests)                                         \
	(cmocka_run_group_tests_name("openssl", tests, xt_use_openssl, NULL) + \
	 cmocka_run_group_tests_name("ipsec-mb", tests, xt_use_mb, NULL))

#endif /* XT_BACKENDS_H */
