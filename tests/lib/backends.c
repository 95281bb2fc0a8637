// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stddef.h>
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
