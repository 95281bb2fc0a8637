// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ESP AES-CBC (RFC 3602) with HMAC-SHA1-96 or HMAC-SHA-256-128 (RFC 2404,
 * RFC 4868) through ipsec-mb's job API: encrypt
 * then MAC, the ICV over SPI | seq | IV | ciphertext (RFC 4303 3.3.2.1).
 * See crypto_mb.h.
 *
 * Per SA (xs_mb_etm_init): IMB_AES_KEYEXP_128/192/256 gives the encrypt
 * and decrypt key schedules; the HMAC key (hashed first when longer than
 * the block, RFC 2104 2) XOR ipad and XOR opad, one block each through
 * IMB_SHA*_ONE_BLOCK, gives the two digest states every HMAC job starts
 * from, as ipsec-mb's own tests and DPDK's aesni_mb PMD do.
 *
 * Per packet, jobs on the thread's HMAC manager (xs_mb_mgr_hmac: an SSE
 * one when the CPU has SHA-NI, which ipsec-mb 1.3 uses there only; the
 * keys are set up on it too).  Seal: one job, CBC encrypt in
 * place then the HMAC (IMB_ORDER_CIPHER_HASH).  Open: an HMAC-only job, the
 * ICV compared with CRYPTO_memcmp, and only then a CBC-decrypt-only job
 * into out; a packet that does not verify is never decrypted (one
 * IMB_ORDER_HASH_CIPHER job would decrypt before the compare).  CBC
 * encryption and the HMACs are multi-buffer: the manager may hold a job
 * until its lanes fill, so run_job flushes until the submitted job comes
 * back: one packet in, its result out, the queue empty between calls.
 *
 * ESN: the MAC input is SPI | seq | IV | ciphertext | seq_hi (RFC 4303
 * 2.2.1), not contiguous in the packet, and a job hashes one contiguous
 * range.  Seal puts seq_hi where the ICV goes (ICVs are 12 bytes or more),
 * hashes through it, and writes the tag (computed on the stack) over it.
 * Open must not write the packet (const; esp.c's ESN resynchronisation
 * opens it a second time), so it copies SPI .. ciphertext | seq_hi to a
 * per-thread scratch buffer (allocated on the thread's first ESN open,
 * freed at its exit) and hashes that: one memcpy per packet.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "crypto_mb_int.h"

#define ESP_HDR 8 /* SPI | seq */
#define CBC_IV 16
#define CT_OFF (ESP_HDR + CBC_IV)
#define SEQ_HI 4
#define ICV_MAX 16 /* HMAC-SHA-256-128 */
#define BLOCK_MAX 64 /* SHA-1, SHA-256 */
#define DIGEST_MAX 32
#define SCRATCH (65535 + SEQ_HI) /* an ESP packet fits an IP datagram */

/* The HMACs, by the auth row's evp_name; icv: the ESP truncation, one of
 * the tag lengths ipsec-mb accepts.  HMAC-SHA-384/512 stay on OpenSSL:
 * ipsec-mb 1.3 has no one-buffer SHA-512 code, and one packet per job took
 * 1.7-2x OpenSSL's time here (SHA-NI does SHA-1/256 only). */
static const struct mb_hmac {
	const char *evp;
	IMB_HASH_ALG alg;
	uint8_t block, len, icv;
} hmacs[] = {
	{ "SHA1", IMB_AUTH_HMAC_SHA_1, 64, 20, 12 },
	{ "SHA256", IMB_AUTH_HMAC_SHA_256, 64, 32, 16 },
};

static const struct mb_hmac *hmac_find(const struct xs_alg *a)
{
	size_t i;

	for (i = 0; a && a->evp_name && i < sizeof(hmacs) / sizeof(hmacs[0]);
	     i++)
		if (a->xform == XS_XF_HMAC &&
		    !strcmp(a->evp_name, hmacs[i].evp))
			return &hmacs[i];
	return NULL;
}

bool xs_mb_etm_fits(const struct xs_sa_rt *rt)
{
	const struct xs_alg *a = rt->enc;
	const struct mb_hmac *h = hmac_find(rt->auth);

	return a->xform == XS_XF_CBC && !a->salt_len && a->iv_len == CBC_IV &&
	       h && rt->auth->icv_len == h->icv &&
	       (rt->enc_keylen == 16 || rt->enc_keylen == 24 ||
		rt->enc_keylen == 32);
}

/* ---------------------------------------------------------------- SA */

static void one_block(IMB_MGR *mgr, IMB_HASH_ALG h, const uint8_t *blk,
		      uint8_t *out)
{
	switch (h) {
	case IMB_AUTH_HMAC_SHA_1:
		IMB_SHA1_ONE_BLOCK(mgr, blk, out);
		break;
	default:
		IMB_SHA256_ONE_BLOCK(mgr, blk, out);
		break;
	}
}

/* The plain digest of a key longer than the block (RFC 2104 2). */
static void key_digest(IMB_MGR *mgr, IMB_HASH_ALG h, const uint8_t *k, size_t n,
		       uint8_t *out)
{
	switch (h) {
	case IMB_AUTH_HMAC_SHA_1:
		IMB_SHA1(mgr, k, n, out);
		break;
	default:
		IMB_SHA256(mgr, k, n, out);
		break;
	}
}

static void pad_state(IMB_MGR *mgr, const struct mb_hmac *h, const uint8_t *k,
		      size_t klen, uint8_t x, uint8_t *out)
{
	uint8_t blk[BLOCK_MAX];
	size_t i;

	memset(blk, x, h->block);
	for (i = 0; i < klen; i++)
		blk[i] ^= k[i];
	one_block(mgr, h->alg, blk, out);
	OPENSSL_cleanse(blk, sizeof(blk));
}

int xs_mb_etm_init(struct mb_etm *e, const struct xs_sa_rt *rt)
{
	const struct mb_hmac *h = hmac_find(rt->auth);
	const uint8_t *k = rt->auth_key;
	uint8_t kd[DIGEST_MAX];
	size_t klen = rt->auth_keylen;
	IMB_MGR *mgr;
	int err = xs_mb_mgr_hmac(&mgr);

	if (err)
		return err;

	e->key_len = (uint8_t)rt->enc_keylen;
	if (e->key_len == 16)
		IMB_AES_KEYEXP_128(mgr, rt->enc_key, e->enc_keys, e->dec_keys);
	else if (e->key_len == 24)
		IMB_AES_KEYEXP_192(mgr, rt->enc_key, e->enc_keys, e->dec_keys);
	else
		IMB_AES_KEYEXP_256(mgr, rt->enc_key, e->enc_keys, e->dec_keys);
	e->hash = h->alg;
	e->icv_len = h->icv;
	if (klen > h->block) {
		key_digest(mgr, h->alg, k, klen, kd);
		k = kd;
		klen = h->len;
	}
	pad_state(mgr, h, k, klen, 0x36, e->ipad);
	pad_state(mgr, h, k, klen, 0x5c, e->opad);
	OPENSSL_cleanse(kd, sizeof(kd));
	return 0;
}

/* ---------------------------------------------------------------- jobs */

/* The CBC half: n bytes from CT_OFF of esp (IV before them) to dst; no
 * cipher when n is 0. */
static void job_cbc(IMB_JOB *j, const struct mb_etm *e,
		    IMB_CIPHER_DIRECTION dir, const uint8_t *esp, uint8_t *dst,
		    size_t n)
{
	j->cipher_mode = n ? IMB_CIPHER_CBC : IMB_CIPHER_NULL;
	j->cipher_direction = dir;
	j->enc_keys = e->enc_keys;
	j->dec_keys = e->dec_keys;
	j->key_len_in_bytes = e->key_len;
	j->src = esp;
	j->dst = dst;
	j->cipher_start_src_offset_in_bytes = CT_OFF;
	j->msg_len_to_cipher_in_bytes = n;
	j->iv = esp + ESP_HDR;
	j->iv_len_in_bytes = CBC_IV;
}

/* The HMAC half: over the job's src, n bytes, tag to tag; none when tag
 * is NULL. */
static void job_hmac(IMB_JOB *j, const struct mb_etm *e, size_t n, uint8_t *tag)
{
	j->hash_alg = tag ? e->hash : IMB_AUTH_NULL;
	j->hash_start_src_offset_in_bytes = 0;
	j->msg_len_to_hash_in_bytes = tag ? n : 0;
	j->auth_tag_output = tag;
	j->auth_tag_output_len_in_bytes = tag ? e->icv_len : 0;
	j->u.HMAC._hashed_auth_key_xor_ipad = e->ipad;
	j->u.HMAC._hashed_auth_key_xor_opad = e->opad;
}

/* Submits job and flushes until it is back (jobs come back in order, and
 * every call leaves the queue empty).  0 or -EIO. */
static int run_job(IMB_MGR *mgr, IMB_JOB *job)
{
	IMB_JOB *j = IMB_SUBMIT_JOB(mgr);

	while (j != job) {
		j = IMB_FLUSH_JOB(mgr);
		if (!j)
			return -EIO;
	}
	return job->status == IMB_STATUS_COMPLETED ? 0 : -EIO;
}

/* ---------------------------------------------------------------- seal */

int xs_mb_etm_seal(const struct xs_mb_sa *m, uint8_t *esp, size_t ptlen,
		   const uint8_t *hi)
{
	const struct mb_etm *e = &m->k.etm;
	size_t covered = CT_OFF + ptlen;
	uint8_t tag[ICV_MAX];
	IMB_MGR *mgr;
	IMB_JOB *j;
	int err;

	if (m->kind != MB_CBC || !ptlen || ptlen % CBC_IV ||
	    xs_mb_mgr_hmac(&mgr))
		return -EIO;
	if (hi) /* in the ICV's place until the ICV is written */
		memcpy(esp + covered, hi, SEQ_HI);
	j = IMB_GET_NEXT_JOB(mgr);
	job_cbc(j, e, IMB_DIR_ENCRYPT, esp, esp + CT_OFF, ptlen);
	job_hmac(j, e, covered + (hi ? SEQ_HI : 0), tag);
	j->chain_order = IMB_ORDER_CIPHER_HASH;
	err = run_job(mgr, j);
	if (!err)
		memcpy(esp + covered, tag, e->icv_len);
	OPENSSL_cleanse(tag, sizeof(tag));
	return err;
}

/* ---------------------------------------------------------------- open */

static pthread_key_t buf_key;
static pthread_once_t buf_once = PTHREAD_ONCE_INIT;
static int buf_key_err;
static __thread uint8_t *tls_buf;

static void buf_key_make(void)
{
	buf_key_err = pthread_key_create(&buf_key, free);
}

/* The thread's scratch buffer holding p/n | hi, or NULL. */
static const uint8_t *esn_input(const uint8_t *p, size_t n, const uint8_t *hi)
{
	uint8_t *b = tls_buf;

	if (n > SCRATCH - SEQ_HI)
		return NULL;
	if (!b) {
		if (pthread_once(&buf_once, buf_key_make) || buf_key_err)
			return NULL;
		b = malloc(SCRATCH);
		if (!b)
			return NULL;
		if (pthread_setspecific(buf_key, b)) { /* freed at exit */
			free(b);
			return NULL;
		}
		tls_buf = b;
	}
	memcpy(b, p, n);
	memcpy(b + n, hi, SEQ_HI);
	return b;
}

/* Does the ICV at icv match the HMAC of p/n?  0 or -EBADMSG. */
static int verify(IMB_MGR *mgr, const struct mb_etm *e, const uint8_t *p,
		  size_t n, const uint8_t *icv)
{
	uint8_t tag[ICV_MAX];
	IMB_JOB *j = IMB_GET_NEXT_JOB(mgr);
	int err;

	job_cbc(j, e, IMB_DIR_DECRYPT, p, NULL, 0);
	job_hmac(j, e, n, tag);
	j->chain_order = IMB_ORDER_HASH_CIPHER;
	err = run_job(mgr, j);
	if (!err && CRYPTO_memcmp(tag, icv, e->icv_len))
		err = -EBADMSG;
	OPENSSL_cleanse(tag, sizeof(tag));
	return err ? -EBADMSG : 0;
}

int xs_mb_etm_open(const struct xs_mb_sa *m, const uint8_t *esp, size_t len,
		   size_t ctlen, const uint8_t *hi, uint8_t *out)
{
	const struct mb_etm *e = &m->k.etm;
	size_t covered = CT_OFF + ctlen;
	const uint8_t *in = esp;
	IMB_MGR *mgr;
	IMB_JOB *j;

	if (m->kind != MB_CBC || len != covered + e->icv_len || !ctlen ||
	    ctlen % CBC_IV || xs_mb_mgr_hmac(&mgr))
		return -EBADMSG;
	if (hi) {
		in = esn_input(esp, covered, hi);
		if (!in)
			return -EBADMSG;
	}
	if (verify(mgr, e, in, covered + (hi ? SEQ_HI : 0), esp + covered))
		return -EBADMSG;
	j = IMB_GET_NEXT_JOB(mgr);
	job_cbc(j, e, IMB_DIR_DECRYPT, esp, out, ctlen);
	job_hmac(j, e, 0, NULL);
	j->chain_order = IMB_ORDER_HASH_CIPHER;
	if (run_job(mgr, j)) {
		OPENSSL_cleanse(out, ctlen);
		return -EBADMSG; /* authentic but not decrypted: not reached */
	}
	return 0;
}
