// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Ceiling A of `make bench`: how many packets per second one core can
 * seal with a cipher when nothing else is done, the figure `openssl speed
 * -evp` gives, but per packet as ESP does it: a fresh IV per packet, 8
 * bytes of AAD (SPI + sequence number), the tag appended.
 *
 *   evp_loop [--backend openssl|ipsec-mb] CIPHER SIZE SECONDS
 *
 * CIPHER: aes-128-gcm, aes-256-gcm, chacha20-poly1305 (plain EVP), or
 * aes-128-cbc-sha256: AES-128-CBC then HMAC-SHA-256-128, ESP's
 * encrypt-then-MAC, through the workers' own ESP core (xs_esp_seal_iv:
 * EVP for the cipher, precomputed HMAC states) with a random IV per
 * packet (xs_esp_make_iv) - a plain EVP_MAC re-keyed per packet would
 * understate what the workers reach.
 * --backend ipsec-mb: through Intel's multi-buffer library as the
 * workers call it with --crypto ipsec-mb: the AEAD ciphers by crypto_mb.c's
 * xs_mb_seal (one direct-API call per packet, in place) with the same
 * 12-byte nonce, 8 bytes of AAD and 16-byte tag; aes-128-cbc-sha256
 * through the same ESP core, whose context is then crypto_mb_cbc.c's (one
 * CBC-then-HMAC job per packet).  Without --backend (or with openssl)
 * everything is on OpenSSL, whatever the workers' default.
 * SIZE: bytes encrypted per packet, or "imix" (7 x 64, 4 x 576, 1 x 1400).
 * Prints one line: "pps=N gbps=X bytes=AVG".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "../ctl/daemon/crypto_mb.h"
#include "../ctl/daemon/esp_crypto.h"

#define MAXSZ 9000

static const unsigned int imix[] = { 64, 64,  64,  64,	64,  64,
				     64, 576, 576, 576, 576, 1400 };
#define NIMIX (sizeof(imix) / sizeof(imix[0]))

struct loop {
	EVP_CIPHER_CTX *ctx;
	struct xs_sa_rt *rt;
	struct xs_esp_ctx esp;
	struct xs_mb_sa *mb; /* --backend ipsec-mb */
	const EVP_CIPHER *cipher;
	bool cbc; /* aes-128-cbc-sha256: the ESP core, l->esp */
	uint8_t key[32], iv[16];
	uint8_t in[MAXSZ], out[MAXSZ + 64];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A mature transport-mode ESP SA, algorithms and keys still to fill. */
static void esp_sa(struct xs_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->satype = SADB_SATYPE_ESP;
	sa->mode = IPSEC_MODE_TRANSPORT;
	sa->state = SADB_SASTATE_MATURE;
	sa->spi = 0x1000;
}

/* AES-128-CBC + HMAC-SHA-256 through the project's ESP core, its context
 * on ipsec-mb (mb) or OpenSSL. */
static int setup_cbc(struct loop *l, bool mb)
{
	struct xs_sa sa;
	int err;

	err = xs_esp_backend_set(mb ? XS_BACKEND_IPSEC_MB : XS_BACKEND_OPENSSL,
				 NULL);
	if (err)
		return err;
	esp_sa(&sa);
	sa.enc_alg = SADB_X_EALG_AESCBC;
	sa.auth_alg = SADB_X_AALG_SHA2_256HMAC;
	sa.enc_keylen = 16;
	sa.auth_keylen = 32;
	if (RAND_bytes(sa.enc_key, 16) != 1 || RAND_bytes(sa.auth_key, 32) != 1)
		return -EIO;
	l->rt = xs_sa_rt_new(&sa, 0);
	xs_sa_wipe(&sa);
	if (!l->rt)
		return -errno;
	err = xs_esp_ctx_init(&l->esp, l->rt);
	if (!err && (l->esp.mb != NULL) != mb) { /* not the backend asked */
		xs_esp_ctx_fini(&l->esp);
		err = -ENOTSUP;
	}
	if (err) {
		xs_sa_rt_free(l->rt);
		l->rt = NULL;
	}
	return err;
}

/* An AEAD ESP SA of the cipher, its key data on ipsec-mb. */
static int setup_mb(struct loop *l, const char *name)
{
	struct xs_sa sa;
	int err;

	esp_sa(&sa);
	sa.enc_keylen = 36;
	if (!strcmp(name, "aes-128-gcm"))
		sa.enc_keylen = 20;
	else if (strcmp(name, "aes-256-gcm") &&
		 strcmp(name, "chacha20-poly1305"))
		return -EINVAL;
	sa.enc_alg = strncmp(name, "aes", 3) ? XS_EALG_CHACHA20_POLY1305 :
					       SADB_X_EALG_AES_GCM_ICV16;
	if (RAND_bytes(sa.enc_key, sa.enc_keylen) != 1)
		return -EIO;
	l->rt = xs_sa_rt_new(&sa, 0);
	xs_sa_wipe(&sa);
	if (!l->rt)
		return -errno;
	err = xs_esp_backend_set(XS_BACKEND_IPSEC_MB, NULL);
	if (!err)
		err = xs_mb_init(&l->mb, l->rt);
	if (err) {
		xs_sa_rt_free(l->rt);
		l->rt = NULL;
	}
	return err;
}

static int setup(struct loop *l, const char *name, bool mb)
{
	if (!strcmp(name, "aes-128-cbc-sha256")) {
		l->cbc = true;
		return setup_cbc(l, mb);
	}
	if (mb)
		return setup_mb(l, name);
	if (!strcmp(name, "aes-128-gcm")) {
		l->cipher = EVP_aes_128_gcm();
	} else if (!strcmp(name, "aes-256-gcm")) {
		l->cipher = EVP_aes_256_gcm();
	} else if (!strcmp(name, "chacha20-poly1305")) {
		l->cipher = EVP_chacha20_poly1305();
	} else {
		return -EINVAL;
	}
	if (RAND_bytes(l->key, sizeof(l->key)) != 1)
		return -EIO;
	l->ctx = EVP_CIPHER_CTX_new();
	if (!l->ctx ||
	    !EVP_EncryptInit_ex(l->ctx, l->cipher, NULL, l->key, NULL))
		return -EIO;
	return 0;
}

/* One packet of n bytes: the IV from the sequence number (GCM, ChaCha)
 * or fresh random bytes (CBC), as the workers make them. */
static int seal(struct loop *l, uint64_t seq, unsigned int n)
{
	uint8_t aad[8];
	int len, fin;

	memcpy(aad, &seq, sizeof(aad));
	if (l->mb && !l->cbc) {
		memcpy(l->iv + 4, &seq, 8);
		return xs_mb_seal(l->mb, l->iv, aad, sizeof(aad), l->out, n,
				  l->out + n);
	}
	if (!l->cbc) {
		memcpy(l->iv + 4, &seq, 8);
		if (!EVP_EncryptInit_ex(l->ctx, NULL, NULL, NULL, l->iv) ||
		    !EVP_EncryptUpdate(l->ctx, NULL, &len, aad, sizeof(aad)) ||
		    !EVP_EncryptUpdate(l->ctx, l->out, &len, l->in, (int)n) ||
		    !EVP_EncryptFinal_ex(l->ctx, l->out + len, &fin) ||
		    !EVP_CIPHER_CTX_ctrl(l->ctx, EVP_CTRL_AEAD_GET_TAG, 16,
					 l->out + n))
			return -EIO;
		return 0;
	}
	/* the payload padded to the block with its 2-byte trailer */
	n = (n + 2 + 15) & ~15u;
	if (xs_esp_make_iv(l->rt, (uint32_t)seq, l->iv) ||
	    xs_esp_seal_iv(&l->esp, (uint32_t)seq, l->iv, l->in, n, l->out,
			   sizeof(l->out)) < 0)
		return -EIO;
	return 0;
}

int main(int argc, char **argv)
{
	static struct loop l;
	unsigned long long pkts = 0, bytes = 0;
	unsigned int size = 0, n;
	double secs, t0, t;
	bool mix, mb = false;

	if (argc == 6 && !strcmp(argv[1], "--backend")) {
		mb = !strcmp(argv[2], "ipsec-mb");
		if (!mb && strcmp(argv[2], "openssl"))
			argc = 0;
		argv += 2;
		argc -= 2;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: evp_loop [--backend openssl|ipsec-mb] "
				"CIPHER SIZE|imix SECONDS\n");
		return 64;
	}
	mix = !strcmp(argv[2], "imix");
	if (!mix)
		size = (unsigned int)strtoul(argv[2], NULL, 0);
	secs = strtod(argv[3], NULL);
	if ((!mix && (size < 16 || size > MAXSZ)) || secs <= 0) {
		fprintf(stderr, "evp_loop: bad size or seconds\n");
		return 64;
	}
	if (setup(&l, argv[1], mb)) {
		fprintf(stderr, "evp_loop: cipher %s unavailable\n", argv[1]);
		return 1;
	}
	t0 = now();
	t = t0;
	while (t - t0 < secs) {
		for (int i = 0; i < 1024; i++) {
			n = mix ? imix[pkts % NIMIX] : size;
			if (seal(&l, pkts, n)) {
				fprintf(stderr, "evp_loop: seal failed\n");
				return 1;
			}
			pkts++;
			bytes += n;
		}
		t = now();
	}
	t -= t0;
	printf("pps=%.0f gbps=%.3f bytes=%.0f\n", (double)pkts / t,
	       (double)bytes * 8 / t / 1e9, (double)bytes / (double)pkts);
	EVP_CIPHER_CTX_free(l.ctx);
	xs_mb_fini(l.mb);
	if (l.rt) {
		xs_esp_ctx_fini(&l.esp); /* zeroed with --backend ipsec-mb */
		xs_sa_rt_free(l.rt);
	}
	OPENSSL_cleanse(l.key, sizeof(l.key));
	return 0;
}
