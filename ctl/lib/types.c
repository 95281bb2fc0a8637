// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <openssl/crypto.h>
#include "types.h"

void xs_sa_wipe(struct xs_sa *sa)
{
	OPENSSL_cleanse(sa->auth_key, sizeof(sa->auth_key));
	OPENSSL_cleanse(sa->enc_key, sizeof(sa->enc_key));
	sa->auth_keylen = 0;
	sa->enc_keylen = 0;
}
