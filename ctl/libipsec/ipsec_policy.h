/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * KAME libipsec's policy API, for programs that set per-socket or SPD
 * policy with the BSD calls (ipsec_set_policy(3)).  Same signatures and
 * buffer format: the buffer is a PF_KEY v2 X_POLICY extension (struct
 * sadb_x_policy followed by struct sadb_x_ipsecrequest entries, Linux
 * <linux/pfkeyv2.h> layout), malloc()ed, to be free()d by the caller.
 *
 *   char *p = ipsec_set_policy("out ipsec esp/transport//require", len);
 *   if (!p) errx(1, "%s", ipsec_strerror());
 *   ... ipsec_get_policylen(p) bytes ...
 *   char *s = ipsec_dump_policy(p, NULL);	// "out prio def ipsec esp/..."
 *
 * Link with -lxdpsec-ipsec -lcrypto.
 */
#ifndef XDPSEC_IPSEC_POLICY_H
#define XDPSEC_IPSEC_POLICY_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parse policy[0..len) into a new buffer; NULL and ipsec_strerror() on
 * error. */
caddr_t ipsec_set_policy(const char *policy, int len);
/* Length in bytes of a buffer from ipsec_set_policy(), -1 if NULL. */
int ipsec_get_policylen(caddr_t buf);
/* Human-readable form, parts separated by delimiter (NULL: " "); a new
 * string, NULL and ipsec_strerror() on error. */
char *ipsec_dump_policy(caddr_t buf, const char *delimiter);
/* The last error of this thread, "no error" if none. */
const char *ipsec_strerror(void);

#ifdef __cplusplus
}
#endif

#endif /* XDPSEC_IPSEC_POLICY_H */
