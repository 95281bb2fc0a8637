// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: the policy formats of ipsec_set_policy(3).
 *  - text: ipsec_set_policy(); an accepted policy must dump and parse back
 *    to the very same buffer;
 *  - buffers: ipsec_dump_policy() on raw bytes framed as an X_POLICY
 *    extension (lengths as the input says), which must never read past
 *    them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pfkeyv2.h>
#include "../ctl/libipsec/ipsec_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void text(const uint8_t *data, size_t size)
{
	char *buf, *s, *again;

	buf = ipsec_set_policy((const char *)data, (int)size);
	if (!buf)
		return;
	s = ipsec_dump_policy(buf, NULL);
	if (!s)
		abort();
	again = ipsec_set_policy(s, (int)strlen(s));
	if (!again || ipsec_get_policylen(again) != ipsec_get_policylen(buf) ||
	    memcmp(again, buf, (size_t)ipsec_get_policylen(buf))) {
		fprintf(stderr, "fuzz_policy: '%s' does not parse back\n", s);
		abort();
	}
	free(again);
	free(s);
	free(buf);
}

static void buffer(const uint8_t *data, size_t size)
{
	struct sadb_x_policy *x;
	char *copy, *s;

	size &= ~(size_t)7;
	if (size < sizeof(*x) || size > 4096)
		return;
	copy = malloc(size); /* exact size: ASan sees any over-read */
	if (!copy)
		return;
	memcpy(copy, data, size);
	x = (void *)copy;
	x->sadb_x_policy_len = (uint16_t)(size / 8);
	x->sadb_x_policy_exttype = SADB_X_EXT_POLICY;
	s = ipsec_dump_policy(copy, data[0] & 1 ? "\n" : NULL);
	free(s);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && data[0] == 0xff)
		buffer(data + 1, size - 1);
	else
		text(data, size);
	return 0;
}
