// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ESP transforms, one per xform of the algorithm table:
 *
 *  AEAD  AES-GCM (RFC 4106), ChaCha20-Poly1305 (RFC 7634): nonce = salt |
 *        IV, AAD = SPI | seq, tag = ICV.
 *  GMAC  AES-GMAC (RFC 4543): GCM with no plaintext, AAD = SPI | seq | IV |
 *        payload | padding | pad length | next header; payload in clear.
 *  CBC   AES-CBC (RFC 3602): random 16-byte IV, payload padded to 16.
 *  CTR   AES-CTR (RFC 3686): key = AES key | 4-byte nonce, counter block
 *        nonce | IV | 00000001.
 *  NULL  RFC 2410: payload in clear.
 * CBC, CTR and NULL take an HMAC (RFC 2404, 2403, 4868) over SPI | seq |
 * IV | ciphertext (encrypt-then-MAC, RFC 4303 3.3.2.1), verified with
 * CRYPTO_memcmp before anything is decrypted.
 *
 * With the ipsec-mb backend (xs_esp_backend_set), the AEAD transform and
 * AES-CBC with HMAC-SHA1/256/384/512 run in crypto_mb.c / crypto_mb_cbc.c
 * instead of EVP and the HMAC states below: the same nonce, AAD and tag,
 * built here, or the same encrypt-then-MAC ICV (seq_hi passed along).
 *
 * Nothing is allocated per packet.  The cipher contexts are keyed once and
 * only get a new IV per packet.  OpenSSL 3.0's EVP_MAC_init(ctx, NULL...),
 * HMAC_Init_ex(ctx, NULL...), EVP_MD_CTX_copy_ex and EVP_DigestInit_ex
 * each allocate (a provider context dup) on every call, as counted with
 * CRYPTO_set_mem_functions; so the HMAC is computed from the inner and
 * outer digest states precomputed at set-up (K ^ ipad and K ^ opad
 * absorbed), copied by value per packet and finished with the low-level
 * SHA1/SHA256/SHA512/MD5 functions: no allocation, and two compression
 * functions per packet fewer than a keyed re-init.  Those functions are
 * deprecated in OpenSSL 3.0, hence OPENSSL_SUPPRESS_DEPRECATED in this file
 * only.  The CBC IV comes from RAND_bytes, the thread's own DRBG (no
 * allocation after its first use, no lock).
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/md5.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include "crypto_mb.h"
#include "esp_crypto.h"

#define MD_BLOCK_MAX 128 /* SHA-512 */
#define CTR_BLOCK 16

/* ---------------------------------------------------------------- HMAC */

union md_state {
	SHA_CTX sha1;
	SHA256_CTX sha256;
	SHA512_CTX sha512;
	MD5_CTX md5;
};

struct md_ops {
	const char *name; /* the table's evp_name */
	size_t block, len;
	int (*init)(union md_state *s);
	int (*update)(union md_state *s, const void *p, size_t n);
	int (*final)(uint8_t *md, union md_state *s);
};

#define MD_WRAP(n, f, I, U, F)                                            \
	static int n##_init(union md_state *s)                            \
	{                                                                 \
		return I(&s->f);                                          \
	}                                                                 \
	static int n##_update(union md_state *s, const void *p, size_t l) \
	{                                                                 \
		return U(&s->f, p, l);                                    \
	}                                                                 \
	static int n##_final(uint8_t *md, union md_state *s)              \
	{                                                                 \
		return F(md, &s->f);                                      \
	}

MD_WRAP(sha1, sha1, SHA1_Init, SHA1_Update, SHA1_Final)
MD_WRAP(sha256, sha256, SHA256_Init, SHA256_Update, SHA256_Final)
MD_WRAP(sha384, sha512, SHA384_Init, SHA384_Update, SHA384_Final)
MD_WRAP(sha512, sha512, SHA512_Init, SHA512_Update, SHA512_Final)
MD_WRAP(md5, md5, MD5_Init, MD5_Update, MD5_Final)

#define MD_ROW(nm, n, b, l)                               \
	{                                                 \
		nm, b, l, n##_init, n##_update, n##_final \
	}

static const struct md_ops mds[] = {
	MD_ROW("SHA1", sha1, 64, 20),	   MD_ROW("SHA256", sha256, 64, 32),
	MD_ROW("SHA384", sha384, 128, 48), MD_ROW("SHA512", sha512, 128, 64),
	MD_ROW("MD5", md5, 64, 16),
};

struct xs_esp_mac {
	const struct md_ops *md;
	size_t icv_len;
	union md_state in, out; /* after K ^ ipad, K ^ opad */
};

static const struct md_ops *md_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(mds) / sizeof(mds[0]); i++)
		if (!strcmp(mds[i].name, name))
			return &mds[i];
	return NULL;
}

static int pad_state(const struct md_ops *md, union md_state *s,
		     const uint8_t *k, size_t klen, uint8_t x)
{
	uint8_t blk[MD_BLOCK_MAX];
	size_t i;
	int ok;

	memset(blk, x, md->block);
	for (i = 0; i < klen; i++)
		blk[i] ^= k[i];
	ok = md->init(s) && md->update(s, blk, md->block);
	OPENSSL_cleanse(blk, sizeof(blk));
	return ok ? 0 : -EIO;
}

static int mac_new(struct xs_esp_mac **out, const struct xs_alg *a,
		   const uint8_t *key, size_t klen)
{
	const struct md_ops *md = md_find(a->evp_name);
	struct xs_esp_mac *m;
	int err;

	if (!md || a->xform != XS_XF_HMAC || a->icv_len > md->len ||
	    a->icv_len > XS_ESP_ICV_MAX || klen > md->block)
		return -EOPNOTSUPP; /* keys longer than a block: not ours */
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->md = md;
	m->icv_len = a->icv_len;
	err = pad_state(md, &m->in, key, klen, 0x36);
	if (!err)
		err = pad_state(md, &m->out, key, klen, 0x5c);
	if (err) {
		OPENSSL_cleanse(m, sizeof(*m));
		free(m);
		return err;
	}
	*out = m;
	return 0;
}

static void mac_free(struct xs_esp_mac *m)
{
	if (!m)
		return;
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
}

/* The full (untruncated) HMAC of p/n into md. */
static int mac_compute(const struct xs_esp_mac *m, const uint8_t *p, size_t n,
		       uint8_t *md)
{
	const struct md_ops *o = m->md;
	uint8_t inner[SHA512_DIGEST_LENGTH];
	union md_state s = m->in;
	int ok;

	ok = o->update(&s, p, n) && o->final(inner, &s);
	s = m->out;
	ok = ok && o->update(&s, inner, o->len) && o->final(md, &s);
	OPENSSL_cleanse(&s, sizeof(s));
	OPENSSL_cleanse(inner, sizeof(inner));
	return ok ? 0 : -EIO;
}

int xs_esp_mac_v(const struct xs_esp_ctx *c, const struct iovec *v, int n,
		 uint8_t *md)
{
	const struct md_ops *o;
	uint8_t inner[SHA512_DIGEST_LENGTH];
	union md_state s;
	int i, ok = 1;

	if (!c->mac)
		return -EINVAL;
	o = c->mac->md;
	s = c->mac->in;
	for (i = 0; i < n && ok; i++)
		ok = o->update(&s, v[i].iov_base, v[i].iov_len);
	ok = ok && o->final(inner, &s);
	s = c->mac->out;
	ok = ok && o->update(&s, inner, o->len) && o->final(md, &s);
	OPENSSL_cleanse(&s, sizeof(s));
	OPENSSL_cleanse(inner, sizeof(inner));
	return ok ? 0 : -EIO;
}

int xs_esp_hmac(const struct xs_alg *a, const uint8_t *key, size_t klen,
		const uint8_t *p, size_t n, uint8_t *md)
{
	struct xs_esp_mac *m;
	int err;

	err = mac_new(&m, a, key, klen);
	if (err)
		return err;
	err = mac_compute(m, p, n, md);
	mac_free(m);
	return err;
}

/* ---------------------------------------------------------------- backend */

static enum xs_esp_backend backend = XS_BACKEND_DEFAULT;

int xs_esp_backend_set(enum xs_esp_backend b, const char **arch)
{
	int err;

	if (arch)
		*arch = "";
	if (b == XS_BACKEND_IPSEC_MB) {
		err = xs_mb_probe(arch);
		if (err)
			return err;
	} else if (b != XS_BACKEND_OPENSSL) {
		return -EINVAL;
	}
	backend = b;
	return 0;
}

enum xs_esp_backend xs_esp_backend_get(void)
{
	return backend;
}

const char *xs_esp_backend_name(enum xs_esp_backend b)
{
	return b == XS_BACKEND_IPSEC_MB ? "ipsec-mb" : "openssl";
}

int xs_esp_backend_parse(const char *name, enum xs_esp_backend *b)
{
	if (!strcmp(name, "openssl"))
		*b = XS_BACKEND_OPENSSL;
	else if (!strcmp(name, "ipsec-mb"))
		*b = XS_BACKEND_IPSEC_MB;
	else
		return -EINVAL;
	return 0;
}

/* ---------------------------------------------------------------- set-up */

size_t xs_esp_icv_len(const struct xs_sa_rt *rt)
{
	if (rt->enc && rt->enc->aead)
		return rt->enc->icv_len;
	return rt->auth ? rt->auth->icv_len : 0;
}

size_t xs_esp_pad_unit(const struct xs_sa_rt *rt)
{
	return rt->enc->block_len > 4 ? rt->enc->block_len : 4;
}

/* "AES-GCM" with a 32-byte key -> "AES-256-GCM". */
static int cipher_name(const char *evp, size_t keylen, char *buf, size_t n)
{
	int r;

	if (!strncmp(evp, "AES-", 4))
		r = snprintf(buf, n, "AES-%zu-%s", keylen * 8, evp + 4);
	else
		r = snprintf(buf, n, "%s", evp);
	return r < 0 || (size_t)r >= n ? -EINVAL : 0;
}

static int key_ctx(EVP_CIPHER_CTX *x, const EVP_CIPHER *ciph,
		   const struct xs_alg *a, const uint8_t *key, int enc)
{
	int ivlen = a->salt_len + a->iv_len;

	if (!EVP_CipherInit_ex(x, ciph, NULL, NULL, NULL, enc))
		return -EIO;
	if ((a->xform == XS_XF_AEAD || a->xform == XS_XF_GMAC) &&
	    !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, ivlen, NULL))
		return -EIO;
	if (!EVP_CipherInit_ex(x, NULL, NULL, key, NULL, enc) ||
	    !EVP_CIPHER_CTX_set_padding(x, 0))
		return -EIO;
	return 0;
}

static int cipher_init(struct xs_esp_ctx *c, const struct xs_sa_rt *rt)
{
	const struct xs_alg *a = rt->enc;
	EVP_CIPHER *ciph;
	size_t klen;
	char name[32];
	int err;

	if (rt->enc_keylen <= a->salt_len || !a->evp_name)
		return -EINVAL;
	klen = rt->enc_keylen - a->salt_len;
	err = cipher_name(a->evp_name, klen, name, sizeof(name));
	if (err)
		return err;
	ciph = EVP_CIPHER_fetch(NULL, name, NULL);
	if (!ciph)
		return -EOPNOTSUPP;
	err = -EINVAL;
	if ((size_t)EVP_CIPHER_get_key_length(ciph) != klen)
		goto out;
	err = -ENOMEM;
	c->enc = EVP_CIPHER_CTX_new();
	c->dec = EVP_CIPHER_CTX_new();
	if (!c->enc || !c->dec)
		goto out;
	err = key_ctx(c->enc, ciph, a, rt->enc_key, 1);
	if (!err)
		err = key_ctx(c->dec, ciph, a, rt->enc_key, 0);
out:
	EVP_CIPHER_free(ciph); /* the contexts hold their own references */
	return err;
}

static bool row_fits(const struct xs_alg *a)
{
	return a->salt_len + a->iv_len <= EVP_MAX_IV_LENGTH &&
	       a->iv_len <= XS_ESP_IV_MAX && a->icv_len <= XS_ESP_ICV_MAX;
}

int xs_esp_ctx_init(struct xs_esp_ctx *c, const struct xs_sa_rt *rt)
{
	const struct xs_alg *a = rt->enc;
	bool hmac;
	int err = 0;

	memset(c, 0, sizeof(*c));
	if (rt->satype == SADB_SATYPE_AH) { /* AH: the HMAC alone */
		if (a || !rt->auth)
			return -EINVAL;
		err = mac_new(&c->mac, rt->auth, rt->auth_key, rt->auth_keylen);
		if (!err)
			c->rt = rt;
		return err;
	}
	if (!a || !a->implemented || a->xform == XS_XF_NONE ||
	    a->xform == XS_XF_HMAC)
		return -EOPNOTSUPP;
	if (!row_fits(a))
		return -EINVAL;
	hmac = !a->aead;
	if (hmac != (rt->auth != NULL))
		return -EINVAL; /* AEAD alone; others need an HMAC */
	if (backend == XS_BACKEND_IPSEC_MB && xs_mb_fits(rt))
		err = xs_mb_init(&c->mb, rt);
	else if (a->xform != XS_XF_NULL)
		err = cipher_init(c, rt);
	if (!err && hmac && !c->mb) /* ipsec-mb: its own HMAC states */
		err = mac_new(&c->mac, rt->auth, rt->auth_key, rt->auth_keylen);
	if (err) {
		xs_esp_ctx_fini(c);
		return err;
	}
	c->rt = rt;
	return 0;
}

void xs_esp_ctx_fini(struct xs_esp_ctx *c)
{
	EVP_CIPHER_CTX_free(c->enc); /* cleanses the key schedule */
	EVP_CIPHER_CTX_free(c->dec);
	mac_free(c->mac);
	xs_mb_fini(c->mb);
	memset(c, 0, sizeof(*c));
}

/* ---------------------------------------------------------------- IV */

/*
 * CBC IVs (RFC 3602 3: unpredictable).  RAND_bytes costs the provider's
 * parameter lookups and a getpid() per call, most of a 64-byte packet's
 * time, so each thread draws IV_POOL bytes at a time from its DRBG and
 * hands each byte out once.  A fork empties the forking thread's pool in
 * the child (the only thread there), so parent and child never send the
 * same IVs.
 */
#define IV_POOL 4096

static __thread uint8_t iv_pool[IV_POOL];
static __thread size_t iv_left;
static pthread_once_t iv_once = PTHREAD_ONCE_INIT;

static void iv_pool_forget(void)
{
	OPENSSL_cleanse(iv_pool, sizeof(iv_pool));
	iv_left = 0;
}

static void iv_atfork(void)
{
	pthread_atfork(NULL, NULL, iv_pool_forget);
}

static int random_iv(uint8_t *iv, size_t n)
{
	if (n > IV_POOL)
		return -EIO;
	if (iv_left < n) {
		if (pthread_once(&iv_once, iv_atfork) ||
		    RAND_bytes(iv_pool, IV_POOL) != 1) {
			iv_left = 0;
			return -EIO;
		}
		iv_left = IV_POOL;
	}
	memcpy(iv, iv_pool + IV_POOL - iv_left, n);
	memset(iv_pool + IV_POOL - iv_left, 0, n);
	iv_left -= n;
	return 0;
}

int xs_esp_make_iv(const struct xs_sa_rt *rt, uint64_t seq, uint8_t *iv)
{
	uint64_t v = seq;
	size_t i;

	if (rt->enc->xform == XS_XF_CBC)
		return random_iv(iv, rt->enc->iv_len);
	for (i = rt->enc->iv_len; i-- > 0; v >>= 8)
		iv[i] = v & 0xff;
	return 0;
}

/* The cipher's IV for an ESP IV: salt | IV (AEAD, GMAC), nonce | IV | 1
 * (CTR), the IV itself (CBC). */
static void cipher_iv(const struct xs_sa_rt *rt, const uint8_t *iv,
		      uint8_t *out)
{
	const struct xs_alg *a = rt->enc;

	memcpy(out, rt->enc_key + rt->enc_keylen - a->salt_len, a->salt_len);
	memcpy(out + a->salt_len, iv, a->iv_len);
	if (a->xform == XS_XF_CTR) {
		memset(out + a->salt_len + a->iv_len, 0,
		       CTR_BLOCK - a->salt_len - a->iv_len);
		out[CTR_BLOCK - 1] = 1;
	}
}

/* ---------------------------------------------------------------- ESN */

/* The AAD's header: SPI | seq, or SPI | seq_hi | seq_lo with ESN. */
static int aad_hdr(const struct xs_esp_ctx *c, const uint8_t *esp, uint8_t *out)
{
	uint32_t hi = c->seq_hi;

	if (!c->rt->esn) {
		memcpy(out, esp, XS_ESP_HDR);
		return XS_ESP_HDR;
	}
	memcpy(out, esp, 4);
	out[4] = (uint8_t)(hi >> 24);
	out[5] = (uint8_t)(hi >> 16);
	out[6] = (uint8_t)(hi >> 8);
	out[7] = (uint8_t)hi;
	memcpy(out + 8, esp + 4, 4);
	return XS_ESP_HDR + 4;
}

/* seq_hi big-endian into hi; hi, or NULL without ESN. */
static const uint8_t *seq_hi(const struct xs_esp_ctx *c, uint8_t *hi)
{
	hi[0] = (uint8_t)(c->seq_hi >> 24);
	hi[1] = (uint8_t)(c->seq_hi >> 16);
	hi[2] = (uint8_t)(c->seq_hi >> 8);
	hi[3] = (uint8_t)c->seq_hi;
	return c->rt->esn ? hi : NULL;
}

/* HMAC of p/n, then seq_hi with ESN (RFC 4303 2.2.1: "appended"). */
static int mac_esn(const struct xs_esp_ctx *c, const uint8_t *p, size_t n,
		   uint8_t *md)
{
	uint8_t hi[4];
	struct iovec v[2] = { { (void *)p, n }, { hi, sizeof(hi) } };

	return xs_esp_mac_v(c, v, seq_hi(c, hi) ? 2 : 1, md);
}

/* ---------------------------------------------------------------- seal */

/* Seal under x with nonce civ: AAD v[0..nv), ptlen bytes at ct encrypted
 * in place (none for GMAC), the tag (taglen bytes) to tag. */
static int aead_seal(EVP_CIPHER_CTX *x, const uint8_t *civ,
		     const struct iovec *v, int nv, uint8_t *ct, size_t ptlen,
		     uint8_t *tag, size_t taglen)
{
	int i, n = 0, fin;

	if (!EVP_EncryptInit_ex(x, NULL, NULL, NULL, civ))
		return -EIO;
	for (i = 0; i < nv; i++)
		if (!EVP_EncryptUpdate(x, NULL, &n, v[i].iov_base,
				       (int)v[i].iov_len))
			return -EIO;
	n = 0;
	if (ptlen && !EVP_EncryptUpdate(x, ct, &n, ct, (int)ptlen))
		return -EIO;
	if (!EVP_EncryptFinal_ex(x, ct + n, &fin) ||
	    !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, (int)taglen, tag))
		return -EIO;
	return 0;
}

static int seal_aead(struct xs_esp_ctx *c, uint8_t *esp, size_t ptlen)
{
	const struct xs_alg *a = c->rt->enc;
	uint8_t civ[EVP_MAX_IV_LENGTH], *iv = esp + XS_ESP_HDR;
	uint8_t *ct = iv + a->iv_len, hdr[XS_ESP_HDR + 4];
	bool gmac = a->xform == XS_XF_GMAC; /* IV and payload: AAD too */
	struct iovec aad[2] = { { hdr, (size_t)aad_hdr(c, esp, hdr) },
				{ iv, a->iv_len + ptlen } };

	cipher_iv(c->rt, iv, civ);
	if (c->mb)
		return xs_mb_seal(c->mb, civ, hdr, aad[0].iov_len, ct, ptlen,
				  ct + ptlen);
	return aead_seal(c->enc, civ, aad, gmac ? 2 : 1, ct, gmac ? 0 : ptlen,
			 ct + ptlen, a->icv_len);
}

/*
 * Test hook, declared here and in tests/unit/test_esp_algs.c only: the tag
 * of c's GMAC SA (RFC 4543) over aad, nonce salt | iv (iv: the 8-byte ESP
 * IV), computed by the code seal_aead runs.  A published GMAC vector's AAD
 * does not begin SPI | seq | IV, so it cannot go through an ESP packet.
 * 0, -EINVAL (not GMAC) or -EIO.
 */
int xs_esp_gmac_tag(struct xs_esp_ctx *c, const uint8_t *iv, const uint8_t *aad,
		    size_t aadlen, uint8_t *tag);

int xs_esp_gmac_tag(struct xs_esp_ctx *c, const uint8_t *iv, const uint8_t *aad,
		    size_t aadlen, uint8_t *tag)
{
	const struct xs_alg *a = c->rt->enc;
	uint8_t civ[EVP_MAX_IV_LENGTH], none[EVP_MAX_BLOCK_LENGTH];
	struct iovec v = { (void *)aad, aadlen };

	if (!a || a->xform != XS_XF_GMAC || aadlen > INT32_MAX)
		return -EINVAL;
	cipher_iv(c->rt, iv, civ);
	return aead_seal(c->enc, civ, &v, 1, none, 0, tag, a->icv_len);
}

static int seal_hmac(struct xs_esp_ctx *c, uint8_t *esp, size_t ptlen)
{
	const struct xs_alg *a = c->rt->enc;
	uint8_t civ[EVP_MAX_IV_LENGTH], md[SHA512_DIGEST_LENGTH], hi[4];
	uint8_t *iv = esp + XS_ESP_HDR, *ct = iv + a->iv_len;
	size_t covered = XS_ESP_HDR + a->iv_len + ptlen;
	int n, fin;

	if (c->mb) /* AES-CBC + HMAC on ipsec-mb */
		return xs_mb_etm_seal(c->mb, esp, ptlen, seq_hi(c, hi));
	if (a->xform != XS_XF_NULL) {
		cipher_iv(c->rt, iv, civ);
		if (!EVP_EncryptInit_ex(c->enc, NULL, NULL, NULL, civ) ||
		    !EVP_EncryptUpdate(c->enc, ct, &n, ct, (int)ptlen) ||
		    (size_t)n != ptlen ||
		    !EVP_EncryptFinal_ex(c->enc, ct + n, &fin))
			return -EIO;
	}
	if (mac_esn(c, esp, covered, md))
		return -EIO;
	memcpy(esp + covered, md, c->mac->icv_len);
	return 0;
}

int xs_esp_crypto_seal(struct xs_esp_ctx *c, uint8_t *esp, size_t ptlen)
{
	if (ptlen > INT32_MAX)
		return -EINVAL;
	return c->rt->enc->aead ? seal_aead(c, esp, ptlen) :
				  seal_hmac(c, esp, ptlen);
}

/* ---------------------------------------------------------------- open */

static int open_aead(struct xs_esp_ctx *c, const uint8_t *esp, size_t len,
		     size_t ctlen, uint8_t *out)
{
	const struct xs_alg *a = c->rt->enc;
	const uint8_t *iv = esp + XS_ESP_HDR, *ct = iv + a->iv_len;
	uint8_t civ[EVP_MAX_IV_LENGTH], tag[XS_ESP_ICV_MAX];
	uint8_t hdr[XS_ESP_HDR + 4];
	int n = 0, fin, hlen = aad_hdr(c, esp, hdr);

	cipher_iv(c->rt, iv, civ);
	memcpy(tag, esp + len - a->icv_len, a->icv_len);
	if (c->mb)
		return xs_mb_open(c->mb, civ, hdr, (size_t)hlen, ct, ctlen, tag,
				  out);
	if (!EVP_DecryptInit_ex(c->dec, NULL, NULL, NULL, civ) ||
	    !EVP_DecryptUpdate(c->dec, NULL, &n, hdr, hlen))
		goto bad;
	if (a->xform == XS_XF_GMAC &&
	    !EVP_DecryptUpdate(c->dec, NULL, &n, iv, (int)(a->iv_len + ctlen)))
		goto bad;
	n = 0;
	if (a->xform == XS_XF_AEAD &&
	    !EVP_DecryptUpdate(c->dec, out, &n, ct, (int)ctlen))
		goto bad;
	if (!EVP_CIPHER_CTX_ctrl(c->dec, EVP_CTRL_AEAD_SET_TAG, a->icv_len,
				 tag) ||
	    EVP_DecryptFinal_ex(c->dec, out + n, &fin) <= 0)
		goto bad;
	if (a->xform == XS_XF_GMAC)
		memcpy(out, ct, ctlen);
	return 0;
bad:
	OPENSSL_cleanse(out, ctlen); /* unauthenticated plaintext */
	return -EBADMSG;
}

static int open_hmac(struct xs_esp_ctx *c, const uint8_t *esp, size_t len,
		     size_t ctlen, uint8_t *out)
{
	const struct xs_alg *a = c->rt->enc;
	const uint8_t *iv = esp + XS_ESP_HDR, *ct = iv + a->iv_len;
	uint8_t civ[EVP_MAX_IV_LENGTH], md[SHA512_DIGEST_LENGTH], hi[4];
	size_t icv;
	int n, fin;

	if (c->mb) /* AES-CBC + HMAC on ipsec-mb */
		return xs_mb_etm_open(c->mb, esp, len, ctlen, seq_hi(c, hi),
				      out);
	icv = c->mac->icv_len;
	if (mac_esn(c, esp, len - icv, md) ||
	    CRYPTO_memcmp(md, esp + len - icv, icv))
		return -EBADMSG;
	if (a->xform == XS_XF_NULL) {
		memcpy(out, ct, ctlen);
		return 0;
	}
	cipher_iv(c->rt, iv, civ);
	if (!EVP_DecryptInit_ex(c->dec, NULL, NULL, NULL, civ) ||
	    !EVP_DecryptUpdate(c->dec, out, &n, ct, (int)ctlen) ||
	    (size_t)n != ctlen || !EVP_DecryptFinal_ex(c->dec, out + n, &fin))
		return -EBADMSG; /* authentic but undecryptable: not reached */
	return 0;
}

int xs_esp_crypto_open(struct xs_esp_ctx *c, const uint8_t *esp, size_t len,
		       size_t ctlen, uint8_t *out)
{
	if (ctlen > INT32_MAX || len > INT32_MAX)
		return -EINVAL;
	return c->rt->enc->aead ? open_aead(c, esp, len, ctlen, out) :
				  open_hmac(c, esp, len, ctlen, out);
}
