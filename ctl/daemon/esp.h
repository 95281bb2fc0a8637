/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ESP (RFC 4303) transforms for the crypto workers: packet in, packet out,
 * no I/O.  Transport mode, IPv4 and IPv6, every algorithm the table in
 * ctl/lib/alg.h marks implemented (esp_crypto.c runs them); nothing here
 * names one outside that table's data.
 *
 * struct xs_sa_rt is a live SA as all workers share it: immutable
 * parameters, key material in locked non-dumpable memory (secmem.h), the
 * outbound sequence counter (one atomic per SA) and the inbound replay
 * window (its own lock: one SA's packets may arrive on several queues).
 * struct xs_esp_ctx is one worker's EVP and HMAC state for one SA,
 * initialised once; per packet only the IV and the AAD change and nothing
 * is allocated.
 */
#ifndef XS_ESP_H
#define XS_ESP_H

#include <stdbool.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include "replay.h"
#include "../lib/alg.h"
#include "../lib/types.h"

struct xs_sa_rt {
	uint32_t slot; /* SA slot (sa_stats index) */
	uint32_t spi; /* host order */
	uint8_t satype; /* SADB_SATYPE_ESP / _AH */
	uint8_t mode; /* IPSEC_MODE_* */
	uint8_t family; /* of src/dst */
	uint8_t esn; /* SADB_X_SAFLAGS_ESN: 64-bit sequence numbers */
	uint8_t natt_type; /* UDP_ENCAP_ESPINUDP: ESP in UDP (natt.c) */
	uint16_t natt_sport, natt_dport; /* host order */
	struct xs_addr src, dst;
	const struct xs_alg *enc, *auth;
	uint16_t enc_keylen, auth_keylen;
	uint8_t *enc_key, *auth_key; /* after the rt, in secmem.c's arena */
	uint64_t seq_out; /* last sequence number sent (atomic), 64-bit
				 * with ESN, else at most 2^32 - 1 */
	struct xs_replay replay; /* inbound window */
};

/* From a validated SA (sadb.c); copies the keys.  NULL and errno on error
 * (EOPNOTSUPP for an algorithm the workers do not run, EINVAL for a key
 * length or combination the row does not allow: AEAD with an HMAC, or a
 * non-AEAD cipher without one). */
struct xs_sa_rt *xs_sa_rt_new(const struct xs_sa *sa, uint32_t slot);
/* Wipes the keys and frees. */
void xs_sa_rt_free(struct xs_sa_rt *rt);
/* Are there AH SAs at all?  (The workers look for ESP+AH bundles only
 * then.) */
bool xs_sa_rt_ah_live(void);

struct xs_esp_mac; /* esp_crypto.c: precomputed HMAC states */
struct xs_mb_sa; /* crypto_mb.c: ipsec-mb key data */

struct xs_esp_ctx {
	EVP_CIPHER_CTX *enc; /* seal direction, key set; NULL for null */
	EVP_CIPHER_CTX *dec; /* open direction, key set */
	struct xs_esp_mac *mac; /* HMAC, for the non-AEAD transforms */
	struct xs_mb_sa *mb; /* AEAD or AES-CBC + HMAC on ipsec-mb (enc,
			      * dec, mac NULL then) */
	const struct xs_sa_rt *rt;
	uint32_t seq_hi; /* ESN: high half of the packet's sequence number,
			  * set before each seal/open (RFC 4303 2.2.1) */
};

int xs_esp_ctx_init(struct xs_esp_ctx *c, const struct xs_sa_rt *rt);
void xs_esp_ctx_fini(struct xs_esp_ctx *c);

/*
 * Transport-mode output.  ip/len: a whole IPv4 or IPv6 datagram (no L2).
 * Writes the ESP datagram to out (must not overlap ip): IP header (IPv4
 * options / IPv6 extension headers that precede ESP kept), ESP header,
 * IV (the 64-bit sequence number; random for CBC), encrypted payload +
 * padding to the pad unit (4, the block for CBC) + pad length + next
 * header, ICV; IPv4 total length, protocol and header
 * checksum / IPv6 payload length and next header fixed.  Takes the next
 * sequence number from rt->seq_out.  Returns the length, or -errno with
 * *why = the counter that explains the drop (XS_CNT_drop_*).
 */
int xs_esp_output(struct xs_esp_ctx *c, struct xs_sa_rt *rt, const uint8_t *ip,
		  size_t len, uint8_t *out, size_t cap, enum xs_counter *why);

/*
 * Transport-mode input.  ip/len: an ESP datagram addressed to rt.  Checks
 * the replay window, verifies the ICV, then updates the window, checks the
 * padding and next header, and writes the decrypted datagram (IP header
 * rebuilt: protocol/next header, lengths, checksum) to out.  Returns its
 * length, 0 for a dummy packet (next header 59, *why = drop_dummy), or
 * -errno with *why set.
 */
int xs_esp_input(struct xs_esp_ctx *c, struct xs_sa_rt *rt, const uint8_t *ip,
		 size_t len, uint8_t *out, size_t cap, enum xs_counter *why);

/* Per-packet overhead of rt in bytes at most (ESP header, IV, padding,
 * trailer, ICV), for MTU checks. */
size_t xs_esp_overhead(const struct xs_sa_rt *rt);

/*
 * Shared with AH (ah.c).  struct xs_l3: where the IPsec header sits in a
 * transport-mode datagram.  xs_ip_parse: 0, or the counter that explains
 * why ip cannot be handled (in: walk every destination options header in
 * front, as on input).  xs_ip_fix: out holds a rewritten datagram of
 * total bytes; sets the protocol / next header after the kept headers to
 * proto and fixes the lengths (and the IPv4 checksum).  xs_sa_next_seq:
 * the next outbound sequence number, 0 once 2^32 - 1 has been used.
 */
struct xs_l3 {
	size_t off; /* bytes before ESP/AH: IP header and kept headers */
	size_t total; /* datagram length from its header */
	size_t nh_off; /* the protocol / next header byte to rewrite */
	uint8_t nh; /* protocol after the kept headers */
	bool v6;
};

int xs_ip_parse(const struct xs_sa_rt *rt, const uint8_t *ip, size_t len,
		struct xs_l3 *l, bool in);
void xs_ip_fix(uint8_t *out, const struct xs_l3 *l, size_t total,
	       uint8_t proto);

/* The errno that goes with an xs_ip_parse() refusal. */
static inline int xs_ip_parse_errno(int cnt)
{
	return cnt == XS_CNT_drop_unsupported ? -EOPNOTSUPP : -EINVAL;
}

/* A transform's refusal: *why = the counter, returns err. */
static inline int xs_esp_drop(enum xs_counter *why, enum xs_counter cnt,
			      int err)
{
	*why = cnt;
	return err;
}
uint64_t xs_sa_next_seq(struct xs_sa_rt *rt);
/* ESN: the 64-bit sequence number of a received low half (RFC 4303
 * appendix A2.1, from rt's window); without ESN seql itself. */
uint64_t xs_sa_seq_in(struct xs_sa_rt *rt, uint32_t seql);

/*
 * The ESP core under xs_esp_output/xs_esp_input, for test vectors and
 * tools.  xs_esp_seal_iv: pt/ptlen is the ESP payload with its padding and
 * trailer already appended (ptlen a multiple of the pad unit); writes SPI, seq, the
 * given IV (rt->enc->iv_len bytes), ciphertext and ICV to out.  Returns
 * the ESP length or -errno (-ENOSPC if cap is short, -EINVAL).
 * xs_esp_open: esp/len is an ESP header onwards; verifies the ICV and
 * writes the plaintext (payload, padding, trailer) to out.  Returns its
 * length, -EINVAL if malformed, -EBADMSG if the ICV does not verify,
 * -ENOSPC if cap is short.  Neither looks at the replay window or the
 * SPI.
 */
int xs_esp_seal_iv(struct xs_esp_ctx *c, uint32_t seq, const uint8_t *iv,
		   const uint8_t *pt, size_t ptlen, uint8_t *out, size_t cap);
int xs_esp_open(struct xs_esp_ctx *c, const uint8_t *esp, size_t len,
		uint8_t *out, size_t cap);

#endif /* XS_ESP_H */
