// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * SADB_ACQUIRE messages (see pfkey_acquire.h).
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "alg.h"
#include "pfkey_acquire.h"

uint8_t xs_acquire_satype(const struct xs_acquire_ev *ev)
{
	if (ev->sa.proto == IPPROTO_ESP)
		return SADB_SATYPE_ESP;
	if (ev->sa.proto == IPPROTO_AH)
		return SADB_SATYPE_AH;
	return 0;
}

static uint16_t bits(uint16_t bytes, uint8_t salt)
{
	return (uint16_t)((bytes - salt) * 8);
}

static void comb_fill(struct sadb_comb *c, const struct xs_alg *auth,
		      const struct xs_alg *enc)
{
	memset(c, 0, sizeof(*c));
	if (auth) {
		c->sadb_comb_auth = auth->id;
		c->sadb_comb_auth_minbits = bits(auth->key_min, 0);
		c->sadb_comb_auth_maxbits = bits(auth->key_max, 0);
	}
	if (enc) {
		c->sadb_comb_encrypt = enc->id;
		c->sadb_comb_encrypt_minbits =
			bits(enc->key_min, enc->salt_len);
		c->sadb_comb_encrypt_maxbits =
			bits(enc->key_max, enc->salt_len);
	}
	c->sadb_comb_hard_addtime = XS_ACQ_HARD_ADDTIME;
	c->sadb_comb_soft_addtime = XS_ACQ_SOFT_ADDTIME;
	c->sadb_comb_hard_usetime = XS_ACQ_HARD_USETIME;
	c->sadb_comb_soft_usetime = XS_ACQ_SOFT_USETIME;
}

static bool usable(const struct xs_alg *a, enum xs_alg_kind kind)
{
	return a->kind == kind && a->implemented && a->id;
}

/* Visit every combination of satype; returns how many there are.
 * out (may be NULL) receives up to max of them. */
static size_t combs(uint8_t satype, struct sadb_comb *out, size_t max)
{
	const struct xs_alg *e, *a;
	size_t i, j, n = 0;

	for (i = 0; (e = xs_alg_at(i)); i++) {
		if (satype == SADB_SATYPE_AH) {
			if (!usable(e, XS_ALG_AUTH))
				continue;
			if (out && n < max)
				comb_fill(&out[n], e, NULL);
			n++;
			continue;
		}
		if (!usable(e, XS_ALG_ENC))
			continue;
		if (e->aead) {
			if (out && n < max)
				comb_fill(&out[n], NULL, e);
			n++;
			continue;
		}
		for (j = 0; (a = xs_alg_at(j)); j++) {
			if (!usable(a, XS_ALG_AUTH))
				continue;
			if (out && n < max)
				comb_fill(&out[n], a, e);
			n++;
		}
	}
	return n;
}

static void put_proposal(struct xs_msgbuf *b, uint8_t satype)
{
	size_t n = combs(satype, NULL, 0);
	struct sadb_prop *p;

	p = xs_pfkey_put_ext(b, SADB_EXT_PROPOSAL,
			     sizeof(*p) + n * sizeof(struct sadb_comb));
	if (!p)
		return;
	p->sadb_prop_replay = 32; /* bytes (KAME unit): 256 packets */
	combs(satype, (struct sadb_comb *)(p + 1), n);
}

static void put_endpoint(struct xs_msgbuf *b, uint16_t exttype, uint8_t family,
			 const uint8_t a[16])
{
	struct xs_addr x = { .family = family };

	x.plen = family == AF_INET6 ? 128 : 32;
	memcpy(x.a, a, 16);
	xs_pfkey_put_address(b, exttype, &x, IPSEC_ULPROTO_ANY);
}

int xs_acquire_build(struct xs_msgbuf *b, const struct xs_acquire_ev *ev,
		     const struct xs_spolicy *sp, uint32_t seq)
{
	uint8_t satype = xs_acquire_satype(ev);

	if (!satype || (ev->sa.family != AF_INET && ev->sa.family != AF_INET6))
		return -EINVAL;
	b->len = 0;
	b->err = 0;
	xs_pfkey_begin(b, SADB_ACQUIRE, satype, seq, 0);
	put_endpoint(b, SADB_EXT_ADDRESS_SRC, ev->sa.family, ev->sa.saddr);
	put_endpoint(b, SADB_EXT_ADDRESS_DST, ev->sa.family, ev->sa.daddr);
	xs_pfkey_put_policy_ext(b, sp);
	put_proposal(b, satype);
	return xs_pfkey_end(b);
}
