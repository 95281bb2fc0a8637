// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stddef.h>
#include <string.h>
#include "../../ctl/daemon/esp.h"
#include "../../ctl/daemon/esp_crypto.h"
#include "backends.h"

int xt_use_openssl(void **state)
{
	(void)state;
	return xs_esp_backend_set(XS_BACKEND_OPENSSL, NULL);
}

int xt_use_mb(void **state)
{
	(void)state;
	return xs_esp_backend_set(XS_BACKEND_IPSEC_MB, NULL);
}

bool xt_expect_mb(const struct xs_sa_rt *rt)
{
	const char *auth = rt->auth ? rt->auth->name : "";

	if (xs_esp_backend_get() != XS_BACKEND_IPSEC_MB || !rt->enc)
		return false;
	if (rt->enc->xform == XS_XF_AEAD)
		return true;
	return !strcmp(rt->enc->name, "rijndael-cbc") &&
	       (!strcmp(auth, "hmac-sha1") || !strcmp(auth, "hmac-sha256"));
}
