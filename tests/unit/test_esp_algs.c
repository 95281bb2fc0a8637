// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Every ESP algorithm of the table beyond aes-gcm-16 (test_esp.c):
 * published vectors (RFC 2202 / RFC 4231 HMACs, RFC 3602 AES-CBC, RFC 3686
 * AES-CTR, RFC 7634 appendix A ChaCha20-Poly1305, draft-mcgrew-gcm-test-01
 * truncated to the 8 and 12-byte ICVs, the IEEE 802.1AE GCM-AES integrity
 * vectors for AES-GMAC through a test hook of esp_crypto.c, since their AAD
 * is not an ESP header; tests/e2e/esp_scapy.py checks whole GMAC packets
 * against python3-cryptography),
 * round trips over IPv4/IPv6 and payloads of 0..1500 bytes, a bad ICV for
 * every tampered byte, truncation, CBC padding, and the SA refusals (AEAD
 * with an HMAC, a cipher without one, unimplemented rows, key lengths).
 * The whole group runs twice: OpenSSL backend, then ipsec-mb (the AEAD
 * and AES-CBC + HMAC-SHA* SAs' contexts must then be crypto_mb.c's,
 * checked in fix_sa).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "../lib/backends.h"
#include <openssl/crypto.h>
#include "../../ctl/daemon/esp_crypto.h"

#define BUF 2048

struct fix {
	struct xs_sa_rt *rt;
	struct xs_esp_ctx c;
};

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned int v;

	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		assert_true(n < cap);
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* An ESP SA of enc/auth (names; auth may be NULL) with the given keys in
 * hex, or generated keys of enc_len/auth_len bytes when the hex is NULL. */
static int make_sa(struct xs_sa *sa, const char *enc, const char *ekey,
		   size_t elen, const char *auth, const char *akey, size_t alen)
{
	const struct xs_alg *e = xs_alg_by_name(XS_ALG_ENC, enc);
	const struct xs_alg *a = auth ? xs_alg_by_name(XS_ALG_AUTH, auth) :
					NULL;
	size_t i;

	assert_non_null(e);
	memset(sa, 0, sizeof(*sa));
	sa->satype = SADB_SATYPE_ESP;
	sa->mode = IPSEC_MODE_TRANSPORT;
	sa->state = SADB_SASTATE_MATURE;
	sa->replay = 8;
	sa->spi = 0x1234;
	sa->enc_alg = e->id;
	if (ekey) {
		elen = unhex(ekey, sa->enc_key, XS_KEY_MAX);
	} else {
		for (i = 0; i < elen; i++)
			sa->enc_key[i] = (uint8_t)(i * 31 + 7);
	}
	sa->enc_keylen = (uint16_t)elen;
	if (a) {
		sa->auth_alg = a->id;
		if (akey) {
			alen = unhex(akey, sa->auth_key, XS_KEY_MAX);
		} else {
			for (i = 0; i < alen; i++)
				sa->auth_key[i] = (uint8_t)(i * 17 + 3);
		}
		sa->auth_keylen = (uint16_t)alen;
	}
	return 0;
}

/* An SA on ipsec-mb (xt_expect_mb) has no EVP context or HMAC state. */
static void check_backend(const struct xs_esp_ctx *c, const struct xs_sa_rt *rt)
{
	bool mb = xt_expect_mb(rt);

	assert_int_equal(c->mb != NULL, mb);
	if (mb)
		assert_true(!c->enc && !c->dec && !c->mac);
}

static void fix_sa(struct fix *f, struct xs_sa *sa, uint32_t spi)
{
	sa->spi = spi;
	f->rt = xs_sa_rt_new(sa, 1);
	xs_sa_wipe(sa);
	if (!f->rt)
		fail_msg("rt: %s", strerror(errno));
	assert_int_equal(xs_esp_ctx_init(&f->c, f->rt), 0);
	check_backend(&f->c, f->rt);
}

static void fix_close(struct fix *f)
{
	xs_esp_ctx_fini(&f->c);
	xs_sa_rt_free(f->rt);
}

/* ------------------------------------------------------------ HMAC */

/* RFC 2202 (SHA-1, MD5) and RFC 4231 (SHA-2) test cases 1 and 2. */
static const struct hmac_vec {
	const char *alg, *key, *data, *md;
} hmac_vecs[] = {
	{ "hmac-sha1", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
	  "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ "hmac-sha1", "4a656665", "what do ya want for nothing?",
	  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	{ "hmac-md5", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
	  "9294727a3638bb1c13f48ef8158bfc9d" },
	{ "hmac-md5", "4a656665", "what do ya want for nothing?",
	  "750c783e6ab0b503eaa86e310a5db738" },
	{ "hmac-sha256", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ "hmac-sha256", "4a656665", "what do ya want for nothing?",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ "hmac-sha384", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
	  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	  "faea9ea9076ede7f4af152e8b2fa9cb6" },
	{ "hmac-sha384", "4a656665", "what do ya want for nothing?",
	  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	  "8e2240ca5e69e2c78b3239ecfab21649" },
	{ "hmac-sha512", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ "hmac-sha512", "4a656665", "what do ya want for nothing?",
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
};

static void test_hmac_vectors(void **state)
{
	uint8_t key[64], want[64], md[64];
	size_t i, klen, n;

	(void)state;
	for (i = 0; i < sizeof(hmac_vecs) / sizeof(hmac_vecs[0]); i++) {
		const struct hmac_vec *v = &hmac_vecs[i];
		const struct xs_alg *a = xs_alg_by_name(XS_ALG_AUTH, v->alg);

		assert_non_null(a);
		klen = unhex(v->key, key, sizeof(key));
		n = unhex(v->md, want, sizeof(want));
		assert_int_equal(xs_esp_hmac(a, key, klen,
					     (const uint8_t *)v->data,
					     strlen(v->data), md),
				 0);
		if (memcmp(md, want, n))
			fail_msg("hmac case %zu (%s) differs", i, v->alg);
		assert_true(a->icv_len * 2 == n ||
			    (a->icv_len == 12 && n <= 20));
	}
}

/* ------------------------------------------------------------ ciphers */

/* RFC 3602 section 4 cases 1-2 (AES-CBC) and RFC 3686 section 6 test
 * vectors 1-2 (AES-CTR: key | nonce), sealed as ESP payloads with an
 * HMAC-SHA-1-96 ICV: the ciphertext must be the published one and the
 * ICV the HMAC of SPI | seq | IV | ciphertext. */
static const struct cipher_vec {
	const char *name, *enc, *key, *iv, *pt, *ct;
} cipher_vecs[] = {
	{ "RFC 3602 case 1", "aes-cbc", "06a9214036b8a15b512e03d534120006",
	  "3dafba429d9eb430b422da802c9fac41",
	  "53696e676c6520626c6f636b206d7367", /* "Single block msg" */
	  "e353779c1079aeb82708942dbe77181a" },
	{ "RFC 3602 case 2", "rijndael-cbc", "c286696d887c9aa0611bbb3e2025a45a",
	  "562e17996d093d28ddb3ba695a2e6f58",
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1" },
	{ "RFC 3686 vector 1", "aes-ctr",
	  "ae6852f8121067cc4bf7a5765577f39e 00000030", "0000000000000000",
	  "53696e676c6520626c6f636b206d7367",
	  "e4095d4fb7a7b3792d6175a3261311b8" },
	{ "RFC 3686 vector 2", "aes-ctr",
	  "7e24067817fae0d743d6ce1f32539163 006cb6db", "c0543b59da48d90b",
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "5104a106168a72d9790d41ee8edad388eb2e1efc46da57c8fce630df9141be28" },
};

static void test_cipher_vectors(void **state)
{
	static const char akey[] = "0102030405060708090a0b0c0d0e0f1011121314";
	const struct xs_alg *sha1 = xs_alg_by_name(XS_ALG_AUTH, "hmac-sha1");
	uint8_t iv[16], pt[64], ct[64], out[256], dec[256], md[64], k[20];
	size_t i, ivlen, ptlen, hdr;
	struct xs_sa sa;
	struct fix f;
	int n;

	(void)state;
	unhex(akey, k, sizeof(k));
	for (i = 0; i < sizeof(cipher_vecs) / sizeof(cipher_vecs[0]); i++) {
		const struct cipher_vec *v = &cipher_vecs[i];

		make_sa(&sa, v->enc, v->key, 0, "hmac-sha1", akey, 0);
		fix_sa(&f, &sa, 0x4242);
		ivlen = unhex(v->iv, iv, sizeof(iv));
		ptlen = unhex(v->pt, pt, sizeof(pt));
		assert_int_equal(unhex(v->ct, ct, sizeof(ct)), ptlen);
		assert_int_equal(ivlen, f.rt->enc->iv_len);
		hdr = 8 + ivlen;
		n = xs_esp_seal_iv(&f.c, 7, iv, pt, ptlen, out, sizeof(out));
		assert_int_equal(n, (int)(hdr + ptlen + 12));
		assert_memory_equal(out, "\0\0\x42\x42\0\0\0\x07", 8);
		assert_memory_equal(out + 8, iv, ivlen);
		if (memcmp(out + hdr, ct, ptlen))
			fail_msg("%s: ciphertext differs", v->name);
		assert_int_equal(xs_esp_hmac(sha1, k, 20, out, hdr + ptlen, md),
				 0);
		assert_memory_equal(out + hdr + ptlen, md, 12);
		assert_int_equal(xs_esp_open(&f.c, out, (size_t)n, dec,
					     sizeof(dec)),
				 (int)ptlen);
		assert_memory_equal(dec, pt, ptlen);
		fix_close(&f);
	}
}

/* draft-mcgrew-gcm-test-01 (AES-128 p.8, AES-256 p.9): a GCM tag cut to
 * 8 or 12 bytes is its prefix (RFC 4106 3.3), so the aes-gcm-8/-12 packet
 * is the draft's packet with the ICV cut. */
static void test_gcm_short_icv(void **state)
{
	static const struct {
		const char *key;
		uint32_t spi, seq;
		const char *iv, *pt, *packet;
	} v[] = {
		{ "feffe9928665731c6d6a8f9467308308 cafebabe", 0x0000a5f8, 0x0a,
		  "facedbaddecaf888",
		  "4500003e698f000080114dccc0a80102c0a801010a980035002a2343"
		  "b2d001000001000000000000037369700963796265726369747902646b"
		  "00000100010001",
		  "0000a5f80000000afacedbaddecaf888deb22cd9b07c72c16e3a65be"
		  "eb8df304a5a5897d33ae530f1ba76d5d114d2a5c3de81827c10e9a4f"
		  "51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd183b70d3a"
		  "a8bc6ee4c309e9d85a41ad4a" },
		{ "abbccddef00112233445566778899aababbccddef00112233445566778"
		  "899aab 11223344",
		  0x4a2cbfe3, 2, "0102030405060708",
		  "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee0"
		  "000000007002400020bf0000020405b40101040201020201",
		  "4a2cbfe3000000020102030405060708ff425c9b724599df7a3bcd51"
		  "0194e00d6a78107f1b0b1cbf06efae9d65a5d763748a637985771d34"
		  "7f0545659f14e99def842d8eb335f4eecfdbf831824b4c4915956c96" },
	};
	static const char *const names[] = { "aes-gcm-8", "aes-gcm-12" };
	uint8_t iv[8], pt[128], pkt[160], out[160], dec[160];
	size_t i, j, ptlen, pktlen, cut;
	struct xs_sa sa;
	struct fix f;
	int n;

	(void)state;
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 2; j++) {
			make_sa(&sa, names[j], v[i].key, 0, NULL, NULL, 0);
			fix_sa(&f, &sa, v[i].spi);
			unhex(v[i].iv, iv, sizeof(iv));
			ptlen = unhex(v[i].pt, pt, sizeof(pt));
			pktlen = unhex(v[i].packet, pkt, sizeof(pkt));
			cut = 16 - f.rt->enc->icv_len;
			n = xs_esp_seal_iv(&f.c, v[i].seq, iv, pt, ptlen, out,
					   sizeof(out));
			if (n != (int)(pktlen - cut) ||
			    memcmp(out, pkt, pktlen - cut))
				fail_msg("%s vector %zu differs", names[j], i);
			assert_int_equal(xs_esp_open(&f.c, pkt, pktlen - cut,
						     dec, sizeof(dec)),
					 (int)ptlen);
			assert_memory_equal(dec, pt, ptlen);
			pkt[pktlen - cut - 1] ^= 1;
			assert_int_equal(xs_esp_open(&f.c, pkt, pktlen - cut,
						     dec, sizeof(dec)),
					 -EBADMSG);
			fix_close(&f);
		}
	}
}

/*
 * AES-GMAC (RFC 4543 = GCM with empty plaintext, all data AAD): "MACsec
 * GCM-AES Test Vectors", K. Randall, IEEE P802.1, 11 April 2011
 * (ieee802.org/1/files/public/docs2011/bn-randall-test-vectors-0511-v1.pdf),
 * 2.1.1 and 2.1.2 "54-byte Packet Authentication Using GCM-AES-128/-256":
 * key, IV = SCI | PN, AAD = DA | SA | SecTAG | user data, ICV.  The 12-byte
 * IV is the SA's 4-byte salt (the end of the KAME key) and 8-byte ESP IV.
 */
int xs_esp_gmac_tag(struct xs_esp_ctx *c, const uint8_t *iv, const uint8_t *aad,
		    size_t aadlen, uint8_t *tag);

static const struct gmac_vec {
	const char *name, *key; /* AES key | salt (IV bytes 0-3) */
} gmac_vecs[] = {
	{ "802.1AE 2.1.1 GCM-AES-128", "ad7a2bd03eac835a6f620fdcb506b345"
				       "12153524" },
	{ "802.1AE 2.1.2 GCM-AES-256",
	  "e3c08a8f06c6e3ad95a70557b23f75483ce33021a9c72b7025666204c69c0b72"
	  "12153524" },
};

static const char gmac_iv[] = "c0895e81b2c28465"; /* IV bytes 4-11 */
static const char gmac_aad[] =
	"d609b1f056637a0d46df998d88e5222ab2c2846512153524c0895e8108000f10"
	"1112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30"
	"313233340001";
static const char *const gmac_icv[] = {
	"f09478a9b09007d06f46e9b6a1da25dd",
	"2f0bc5af409e06d609ea8b7d0fa5ea50",
};

static void test_gmac_vector(void **state)
{
	uint8_t iv[8], aad[80], want[16], tag[16];
	struct xs_sa sa;
	struct fix f;
	size_t i, alen;

	(void)state;
	assert_int_equal(unhex(gmac_iv, iv, sizeof(iv)), 8);
	alen = unhex(gmac_aad, aad, sizeof(aad));
	assert_int_equal(alen, 70);
	for (i = 0; i < sizeof(gmac_vecs) / sizeof(gmac_vecs[0]); i++) {
		make_sa(&sa, "aes-gmac", gmac_vecs[i].key, 0, NULL, NULL, 0);
		fix_sa(&f, &sa, 0x1234);
		assert_int_equal(xs_esp_icv_len(f.rt), 16);
		assert_int_equal(unhex(gmac_icv[i], want, sizeof(want)), 16);
		assert_int_equal(xs_esp_gmac_tag(&f.c, iv, aad, alen, tag), 0);
		if (memcmp(tag, want, sizeof(want)))
			fail_msg("%s: tag differs", gmac_vecs[i].name);
		aad[alen - 1] ^= 1; /* one AAD bit: another tag */
		assert_int_equal(xs_esp_gmac_tag(&f.c, iv, aad, alen, tag), 0);
		assert_memory_not_equal(tag, want, sizeof(want));
		aad[alen - 1] ^= 1;
		fix_close(&f);
	}
	/* not a GMAC SA: refused */
	make_sa(&sa, "aes-gcm-16", gmac_vecs[0].key, 0, NULL, NULL, 0);
	fix_sa(&f, &sa, 0x1234);
	assert_int_equal(xs_esp_gmac_tag(&f.c, iv, aad, alen, tag), -EINVAL);
	fix_close(&f);
}

/* RFC 7634 appendix A: the ESP example (SPI 0x01020304, seq 5; its
 * trailer 01 02 02 04 is a tunnel-mode one, the transform does not care). */
static void test_chacha_vector(void **state)
{
	static const char key[] =
		"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
		"a0a1a2a3";
	static const char pthex[] =
		"45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec10"
		"0007362708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
		"2425262728292a2b2c2d2e2f303132333435363701020204";
	static const char packet[] =
		"0102030400000005 1011121314151617"
		"24039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c6"
		"14ee8099d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3"
		"cbec163fac469b502773f6fb94e664da9165b82829f641e0"
		"76aaa8266b7fb0f7b11b369907e1ad43";
	static const uint8_t iv[8] = { 0x10, 0x11, 0x12, 0x13,
				       0x14, 0x15, 0x16, 0x17 };
	uint8_t pt[128], pkt[160], out[160], dec[160];
	size_t ptlen, pktlen;
	struct xs_sa sa;
	struct fix f;
	int n;

	(void)state;
	make_sa(&sa, "chacha20-poly1305", key, 0, NULL, NULL, 0);
	fix_sa(&f, &sa, 0x01020304);
	ptlen = unhex(pthex, pt, sizeof(pt));
	pktlen = unhex(packet, pkt, sizeof(pkt));
	assert_int_equal(ptlen, 88);
	n = xs_esp_seal_iv(&f.c, 5, iv, pt, ptlen, out, sizeof(out));
	if (n != (int)pktlen || memcmp(out, pkt, pktlen))
		fail_msg("RFC 7634 A: seal differs (%d)", n);
	assert_int_equal(xs_esp_open(&f.c, pkt, pktlen, dec, sizeof(dec)),
			 (int)ptlen);
	assert_memory_equal(dec, pt, ptlen);
	pkt[20] ^= 0x01;
	assert_int_equal(xs_esp_open(&f.c, pkt, pktlen, dec, sizeof(dec)),
			 -EBADMSG);
	fix_close(&f);
}

/* ------------------------------------------------------------ suites */

/* Every implemented combination: enc, key length, auth, key length. */
static const struct combo {
	const char *enc;
	size_t elen;
	const char *auth;
	size_t alen;
} combos[] = {
	{ "aes-gcm-12", 20, NULL, 0 },
	{ "aes-gcm-8", 36, NULL, 0 },
	{ "chacha20-poly1305", 36, NULL, 0 },
	{ "aes-gmac", 20, NULL, 0 },
	{ "aes-gmac", 36, NULL, 0 },
	{ "rijndael-cbc", 16, "hmac-sha1", 20 },
	{ "aes-cbc", 24, "hmac-sha256", 32 },
	{ "aes-cbc", 32, "hmac-sha384", 48 },
	{ "aes-cbc", 32, "hmac-sha512", 64 },
	{ "aes-cbc", 16, "hmac-sha512", 64 },
	{ "aes-cbc", 24, "hmac-sha384", 48 },
	{ "aes-cbc", 32, "hmac-sha256", 32 },
	{ "aes-cbc", 16, "hmac-md5", 16 },
	{ "aes-ctr", 20, "hmac-sha256", 32 },
	{ "aes-ctr", 36, "hmac-sha1", 20 },
	{ "null", 0, "hmac-sha512", 64 },
	{ "null", 0, "hmac-sha256", 32 },
};

#define NCOMBOS (sizeof(combos) / sizeof(combos[0]))

static void combo_open(struct fix *f, size_t i, uint32_t spi)
{
	const struct combo *c = &combos[i];
	struct xs_sa sa;

	make_sa(&sa, c->enc, NULL, c->elen, c->auth, NULL, c->alen);
	fix_sa(f, &sa, spi);
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static size_t build(uint8_t *b, bool v6, uint8_t proto, size_t plen)
{
	size_t h = v6 ? 40 : 20, i;

	memset(b, 0, h);
	if (!v6) {
		b[0] = 0x45;
		b[2] = (uint8_t)((h + plen) >> 8);
		b[3] = (uint8_t)(h + plen);
		b[8] = 64;
		b[9] = proto;
		memcpy(b + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
		b[10] = csum(b, h) >> 8;
		b[11] = csum(b, h) & 0xff;
	} else {
		b[0] = 0x60;
		b[4] = (uint8_t)(plen >> 8);
		b[5] = (uint8_t)plen;
		b[6] = proto;
		b[7] = 64;
		b[8] = 0x20;
		b[23] = 1;
		b[24] = 0x20;
		b[39] = 2;
	}
	for (i = 0; i < plen; i++)
		b[h + i] = (uint8_t)(i * 7 + proto);
	return h + plen;
}

/* The ESP length xs_esp_output must produce for plen bytes of payload. */
static size_t esp_len(const struct xs_sa_rt *rt, size_t plen)
{
	size_t unit = xs_esp_pad_unit(rt);

	return 8 + rt->enc->iv_len + (plen + 2 + unit - 1) / unit * unit +
	       xs_esp_icv_len(rt);
}

static void round_trip(struct fix *f, size_t ci, bool v6, size_t plen)
{
	uint8_t in[BUF], enc[BUF], dec[BUF];
	size_t len = build(in, v6, IPPROTO_UDP, plen), h = v6 ? 40 : 20;
	enum xs_counter why;
	int n, m;

	n = xs_esp_output(&f->c, f->rt, in, len, enc, sizeof(enc), &why);
	if (n != (int)(h + esp_len(f->rt, plen)))
		fail_msg("%s/%s v6 %d plen %zu: output %d", combos[ci].enc,
			 combos[ci].auth ?: "-", v6, plen, n);
	assert_true((size_t)n - len <= xs_esp_overhead(f->rt));
	assert_int_equal(enc[v6 ? 6 : 9], IPPROTO_ESP);
	if (f->rt->enc->xform == XS_XF_GMAC || f->rt->enc->xform == XS_XF_NULL)
		assert_memory_equal(enc + h + 8 + f->rt->enc->iv_len, in + h,
				    plen); /* integrity only: in clear */
	else if (plen >= 16)
		assert_memory_not_equal(enc + h + 8 + f->rt->enc->iv_len,
					in + h, 16);
	m = xs_esp_input(&f->c, f->rt, enc, (size_t)n, dec, sizeof(dec), &why);
	if (m != (int)len || memcmp(dec, in, len))
		fail_msg("%s/%s v6 %d plen %zu: input %d (%d)", combos[ci].enc,
			 combos[ci].auth ?: "-", v6, plen, m, why);
	assert_int_equal(why, XS_CNT_rx_decrypt);
}

static void test_round_trips(void **state)
{
	struct fix f;
	size_t i, plen;
	int v6;

	(void)state;
	for (i = 0; i < NCOMBOS; i++) {
		combo_open(&f, i, 0x1000 + (uint32_t)i);
		for (v6 = 0; v6 < 2; v6++)
			for (plen = 0; plen <= 1500; plen++)
				round_trip(&f, i, v6, plen);
		fix_close(&f);
	}
}

static int encrypt_one(struct fix *f, uint8_t *enc, size_t plen, bool v6)
{
	uint8_t in[BUF];
	size_t len = build(in, v6, IPPROTO_UDP, plen);
	enum xs_counter why;
	int n;

	n = xs_esp_output(&f->c, f->rt, in, len, enc, BUF, &why);
	assert_true(n > 0);
	return n;
}

static void expect_drop(struct fix *f, const uint8_t *p, size_t len, int err,
			enum xs_counter cnt, const char *what)
{
	uint8_t out[BUF];
	enum xs_counter why = XS_CNT_MAX;
	int n;

	n = xs_esp_input(&f->c, f->rt, p, len, out, sizeof(out), &why);
	if (n != err || why != cnt)
		fail_msg("%s len %zu: got %d/%d, want %d/%d", what, len, n, why,
			 err, cnt);
}

/* Every byte after the SPI flipped: bad ICV, and the window untouched. */
static void test_tamper(void **state)
{
	uint8_t enc[BUF], bad[BUF], out[BUF];
	enum xs_counter why;
	struct fix f;
	size_t i, b, h;
	int n, v6;

	(void)state;
	for (i = 0; i < NCOMBOS; i++) {
		combo_open(&f, i, 0x2000 + (uint32_t)i);
		for (v6 = 0; v6 < 2; v6++) {
			h = v6 ? 40 : 20;
			n = encrypt_one(&f, enc, 100, v6);
			for (b = h + 4; b < (size_t)n; b++) {
				memcpy(bad, enc, (size_t)n);
				bad[b] ^= 0x80;
				expect_drop(&f, bad, (size_t)n, -EBADMSG,
					    XS_CNT_drop_bad_icv, combos[i].enc);
			}
			assert_int_equal(xs_esp_input(&f.c, f.rt, enc,
						      (size_t)n, out,
						      sizeof(out), &why),
					 (int)h + 100);
		}
		fix_close(&f);
	}
}

/* Every length below the shortest packet, with a consistent IP length. */
static void test_truncated(void **state)
{
	uint8_t enc[BUF], t[BUF];
	struct fix f;
	size_t i, len;
	int n;

	(void)state;
	for (i = 0; i < NCOMBOS; i++) {
		combo_open(&f, i, 0x3000 + (uint32_t)i);
		n = encrypt_one(&f, enc, 0, false);
		assert_int_equal(n, (int)(20 + esp_len(f.rt, 0)));
		for (len = 20; len < (size_t)n; len++) {
			memcpy(t, enc, len);
			t[2] = (uint8_t)(len >> 8);
			t[3] = (uint8_t)len;
			expect_drop(&f, t, len, -EINVAL, XS_CNT_drop_malformed,
				    combos[i].enc);
		}
		fix_close(&f);
	}
}

/* CBC: authentic packets whose decrypted trailer is wrong. */
static void test_cbc_bad_pad(void **state)
{
	static const struct {
		const char *pt;
		bool valid;
	} cases[] = {
		/* 1 */ { "aabbccddeeff00 01020304050607 07 11", true },
		/* 2 */ { "aabbccddeeff00 01020304050607 06 11", false },
		/* 3 */ { "aabbccddeeff00 01020304050608 07 11", false },
		/* 4 */ { "aabbccddeeff 2233445566778899 ff 11", false },
		/* 5 */ { "0102030405060708090a0b0c0d0f 0e 06", false },
		/* 6 */ { "0000000000000000000000000000 00 06", true },
	};
	uint8_t pt[64], p[BUF], out[BUF], iv[16] = { 1, 2, 3 };
	enum xs_counter why;
	struct xs_sa sa;
	struct fix f;
	size_t i, ptlen;
	int n, r;

	(void)state;
	make_sa(&sa, "aes-cbc", NULL, 16, "hmac-sha256", NULL, 32);
	fix_sa(&f, &sa, 0x6000);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ptlen = unhex(cases[i].pt, pt, sizeof(pt));
		assert_int_equal(ptlen % 16, 0);
		build(p, false, IPPROTO_ESP, 0);
		n = xs_esp_seal_iv(&f.c, (uint32_t)i + 1, iv, pt, ptlen, p + 20,
				   BUF - 20);
		assert_true(n > 0);
		p[2] = (uint8_t)((n + 20) >> 8);
		p[3] = (uint8_t)(n + 20);
		why = XS_CNT_MAX;
		r = xs_esp_input(&f.c, f.rt, p, (size_t)n + 20, out,
				 sizeof(out), &why);
		if (cases[i].valid ?
			    r <= 0 :
			    (r != -EINVAL || why != XS_CNT_drop_bad_pad))
			fail_msg("pad case %zu: %d/%d", i + 1, r, why);
	}
	/* the 16-byte block: a 15-byte ciphertext is malformed */
	assert_int_equal(xs_esp_seal_iv(&f.c, 99, iv, pt, 12, p, BUF), -EINVAL);
	fix_close(&f);
}

/* CBC IVs are random: the same datagram twice gives two IVs. */
static void test_cbc_iv(void **state)
{
	uint8_t a[BUF], b[BUF];
	struct xs_sa sa;
	struct fix f;

	(void)state;
	make_sa(&sa, "aes-cbc", NULL, 32, "hmac-sha1", NULL, 20);
	fix_sa(&f, &sa, 0x7000);
	encrypt_one(&f, a, 64, false);
	encrypt_one(&f, b, 64, false);
	assert_memory_not_equal(a + 28, b + 28, 16);
	assert_int_equal(xs_esp_overhead(f.rt), 8 + 16 + 15 + 2 + 12);
	fix_close(&f);
}

#define NIV 1000 /* about four of the thread's 4 KiB IV pools */

static int iv_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* CBC IVs come from a per-thread pool: across refills no IV repeats or is
 * zero (each byte handed out once), and a forked child does not send the
 * IVs its parent is about to. */
static void test_cbc_iv_pool(void **state)
{
	static uint8_t iv[NIV][16];
	uint8_t zero[16] = { 0 }, kid[16];
	int fd[2], st;
	struct xs_sa sa;
	struct fix f;
	size_t i;
	pid_t pid;

	(void)state;
	make_sa(&sa, "aes-cbc", NULL, 16, "hmac-sha256", NULL, 32);
	fix_sa(&f, &sa, 0x7001);
	for (i = 0; i < NIV; i++)
		assert_int_equal(xs_esp_make_iv(f.rt, i + 1, iv[i]), 0);
	qsort(iv, NIV, 16, iv_cmp);
	for (i = 0; i < NIV; i++) {
		assert_memory_not_equal(iv[i], zero, 16);
		if (i)
			assert_memory_not_equal(iv[i - 1], iv[i], 16);
	}
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		st = xs_esp_make_iv(f.rt, 1, kid) ||
		     write(fd[1], kid, 16) != 16;
		_exit(st);
	}
	assert_int_equal(xs_esp_make_iv(f.rt, 1, iv[0]), 0);
	assert_int_equal(read(fd[0], kid, 16), 16);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && !WEXITSTATUS(st));
	assert_memory_not_equal(iv[0], kid, 16);
	close(fd[0]);
	close(fd[1]);
	fix_close(&f);
}

/* OpenSSL allocations (counted through CRYPTO_set_mem_functions, set
 * first thing in main) per packet once an SA's context is set up: none,
 * for every transform (a warm-up packet lets the thread's DRBG start). */
static long n_alloc;

static void *count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	__atomic_add_fetch(&n_alloc, 1, __ATOMIC_RELAXED);
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	__atomic_add_fetch(&n_alloc, 1, __ATOMIC_RELAXED);
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

static void test_no_alloc(void **state)
{
	uint8_t in[BUF], enc[BUF], dec[BUF];
	size_t len = build(in, false, IPPROTO_TCP, 1000);
	enum xs_counter why;
	struct fix f;
	long before = 0;
	size_t i;
	int k, n;

	(void)state;
	for (i = 0; i < NCOMBOS; i++) {
		combo_open(&f, i, 0x8000 + (uint32_t)i);
		for (k = 0; k < 21; k++) {
			if (k == 1)
				before = __atomic_load_n(&n_alloc,
							 __ATOMIC_RELAXED);
			n = xs_esp_output(&f.c, f.rt, in, len, enc, sizeof(enc),
					  &why);
			assert_true(n > 0);
			assert_int_equal(xs_esp_input(&f.c, f.rt, enc,
						      (size_t)n, dec,
						      sizeof(dec), &why),
					 (int)len);
		}
		if (__atomic_load_n(&n_alloc, __ATOMIC_RELAXED) != before)
			fail_msg("%s/%s: %ld allocations in 20 packets",
				 combos[i].enc, combos[i].auth ?: "-",
				 n_alloc - before);
		fix_close(&f);
	}
}

/* ------------------------------------------------------------ refusals */

static void test_refused(void **state)
{
	static const struct {
		const char *enc;
		size_t elen;
		const char *auth;
		size_t alen;
		int err;
	} cases[] = {
		/* 1 */ { "aes-gcm-16", 20, "hmac-sha256", 32, EINVAL },
		/* 2 */ { "aes-gmac", 20, "hmac-sha1", 20, EINVAL },
		/* 3 */ { "chacha20-poly1305", 36, "hmac-sha1", 20, EINVAL },
		/* 4 */ { "aes-cbc", 16, NULL, 0, EINVAL },
		/* 5 */ { "aes-ctr", 20, NULL, 0, EINVAL },
		/* 6 */ { "null", 0, NULL, 0, EINVAL },
		/* 7 */ { "3des-cbc", 24, "hmac-sha1", 20, EOPNOTSUPP },
		/* 8 */ { "des-cbc", 8, "hmac-sha1", 20, EOPNOTSUPP },
		/* 9 */ { "aes-cbc", 16, "aes-xcbc-mac", 16, EOPNOTSUPP },
		/* 10 */ { "aes-cbc", 16, "tcp-md5", 16, EOPNOTSUPP },
		/* 11 */ { "aes-cbc", 20, "hmac-sha1", 20, EINVAL },
		/* 12 */ { "aes-cbc", 16, "hmac-sha256", 20, EINVAL },
		/* 13 */ { "chacha20-poly1305", 32, NULL, 0, EINVAL },
		/* 14 */ { "aes-ctr", 16, "hmac-sha1", 20, EINVAL },
		/* 15 */ { "aes-gcm-8", 22, NULL, 0, EINVAL },
		/* 16 */ { "null", 4, "hmac-sha1", 20, EINVAL },
		/* 17 */ { "aes-cbc", 16, "hmac-md5", 20, EINVAL },
	};
	struct xs_sa_rt *rt;
	struct xs_sa sa;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_sa(&sa, cases[i].enc, NULL, cases[i].elen, cases[i].auth,
			NULL, cases[i].alen);
		errno = 0;
		rt = xs_sa_rt_new(&sa, 1);
		xs_sa_wipe(&sa);
		if (rt || errno != cases[i].err)
			fail_msg("refusal case %zu: %p errno %d", i + 1,
				 (void *)rt, errno);
	}
}

/* The rows themselves: HMAC truncations of RFC 2404/4868, weak MD5. */
static void test_table(void **state)
{
	static const struct {
		const char *name;
		unsigned int icv, key;
	} auth[] = {
		{ "hmac-sha1", 12, 20 },     { "hmac-sha256", 16, 32 },
		{ "hmac-sha2-256", 16, 32 }, { "hmac-sha384", 24, 48 },
		{ "hmac-sha512", 32, 64 },   { "hmac-md5", 12, 16 },
	};
	const struct xs_alg *a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(auth) / sizeof(auth[0]); i++) {
		a = xs_alg_by_name(XS_ALG_AUTH, auth[i].name);
		assert_non_null(a);
		assert_true(a->implemented);
		assert_int_equal(a->icv_len, auth[i].icv);
		assert_int_equal(a->key_min, auth[i].key);
		assert_int_equal(a->weak, !strcmp(a->name, "hmac-md5"));
	}
	a = xs_alg_by_name(XS_ALG_ENC, "chacha20-poly1305");
	assert_non_null(a);
	assert_int_equal(a->id, XS_EALG_CHACHA20_POLY1305);
	assert_ptr_equal(xs_alg_by_id(XS_ALG_ENC, a->id), a);
	assert_int_equal(xs_alg_by_name(XS_ALG_ENC, "aes-cbc")->block_len, 16);
	assert_false(xs_alg_by_name(XS_ALG_ENC, "3des-cbc")->implemented);
	assert_false(xs_alg_by_name(XS_ALG_AUTH, "aes-xcbc-mac")->implemented);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_vectors),
		cmocka_unit_test(test_cipher_vectors),
		cmocka_unit_test(test_gcm_short_icv),
		cmocka_unit_test(test_chacha_vector),
		cmocka_unit_test(test_gmac_vector),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_cbc_bad_pad),
		cmocka_unit_test(test_cbc_iv),
		cmocka_unit_test(test_cbc_iv_pool),
		cmocka_unit_test(test_no_alloc),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_table),
	};

	if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free))
		return 1;
	return xt_run_on_both_backends(tests);
}
