// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * IPv4/IPv6 reassembly for one worker (see frag.h).
 *
 * Memory: xs_reasm_new() preallocates max_dgrams slots (hash chain and
 * age list links, no payload).  A slot gets its buffer (struct dgbuf:
 * ~70 KiB, the largest datagram plus three 1 KiB bitmaps) the first time
 * it is used and keeps it for reuse, so the table never holds more than
 * max_dgrams buffers and a fragment allocates nothing.  max_bytes bounds
 * the fragment bytes held (whole fragment length, headers included);
 * going over it, or over max_dgrams, evicts the oldest datagrams first.
 *
 * Received ranges are tracked in 8-byte units (fragment offsets are
 * multiples of 8; only the last fragment may end inside a unit): a
 * "cover" bitmap gives overlaps (RFC 5722: drop the whole datagram), a
 * "start" and an "end" bitmap mark where fragments begin and end, which
 * is enough to recognise an exact duplicate, as held ranges never
 * overlap.  A datagram is complete when its first and last fragments are
 * in and the payload bytes received add up to the end of the last.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <netinet/in.h>
#include "../lib/bytes.h"
#include "frag.h"
#include "hash.h"
#include "pkt.h"

#define HDR_MAX 512 /* IPv4 header, IPv6 unfragmentable part */
#define UNITS (65536 / 8)
#define WORDS (UNITS / 64 + 1) /* end marks go up to UNITS inclusive */
#define MAX_EXTHDRS 8
#define IP4_DF 0x4000
#define IP4_MF 0x2000
#define IP4_OFFSET 0x1fff
#define NIL (-1)

struct dgbuf {
	uint64_t cover[WORDS], start[WORDS], end[WORDS];
	uint8_t hdr[HDR_MAX];
	uint8_t data[XS_REASM_MAX_LEN];
};

struct key {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t family, proto; /* proto: IPv4 only */
	uint8_t pad[2];
};

struct dgram {
	struct key key;
	struct dgbuf *b;
	uint64_t created;
	int32_t hnext; /* hash chain */
	int32_t prev, next; /* age list, oldest first; free list (next) */
	uint32_t bucket;
	uint32_t nfrags, held; /* fragments and bytes held */
	uint32_t got, total; /* payload bytes received, end of the last */
	uint32_t maxend; /* highest fragment end seen */
	uint16_t hlen; /* bytes in b->hdr (first fragment) */
	uint32_t nhoff; /* IPv6: next-header byte to restore */
	uint16_t frag_off; /* IPv4: the first fragment's flags */
	uint8_t nexthdr; /* IPv6: the fragment header's */
	bool has_first, has_last;
};

struct xs_reasm {
	struct dgram *d;
	int32_t *heads;
	size_t nd, inuse, nbuckets;
	size_t max_bytes, bytes;
	uint32_t timeout;
	int32_t oldest, newest, freelist;
	uint64_t seed;
	struct xs_reasm_stats st;
};

/* One fragment, parsed. */
struct frag {
	struct key key;
	const uint8_t *ip;
	size_t len; /* the datagram (tot_len / 40 + payload_len) */
	size_t hlen; /* IPv4 header / IPv6 bytes before the frag header */
	const uint8_t *pl; /* fragment payload */
	uint32_t off, plen; /* payload offset and length */
	bool mf, isfrag;
	uint8_t nexthdr; /* IPv6 */
	uint32_t nhoff; /* IPv6: next header byte before the frag header */
	uint16_t frag_off; /* IPv4 */
};

/* ------------------------------------------------------------ parsing */

static int parse4(const uint8_t *ip, size_t len, struct frag *f)
{
	size_t hlen, tot;

	if (len < 20 || (ip[0] >> 4) != 4 || (ip[0] & 15) < 5)
		return -EINVAL;
	hlen = (size_t)(ip[0] & 15) * 4;
	tot = xs_get_be16(ip + 2);
	if (tot < hlen || tot > len || xs_csum(ip, hlen, 0) != 0xffff)
		return -EINVAL;
	f->len = tot;
	f->hlen = hlen;
	f->frag_off = xs_get_be16(ip + 6);
	f->off = (uint32_t)(f->frag_off & IP4_OFFSET) * 8;
	f->mf = f->frag_off & IP4_MF;
	f->isfrag = f->mf || f->off;
	f->pl = ip + hlen;
	f->plen = (uint32_t)(tot - hlen);
	f->key.family = 4;
	f->key.proto = ip[9];
	f->key.id = xs_get_be16(ip + 4);
	memcpy(f->key.src, ip + 12, 4);
	memcpy(f->key.dst, ip + 16, 4);
	return 0;
}

static int parse6(const uint8_t *ip, size_t len, struct frag *f)
{
	size_t tot, off = 40;
	uint8_t nh;
	int i;

	if (len < 40 || (ip[0] >> 4) != 6)
		return -EINVAL;
	nh = ip[6];
	tot = 40 + (size_t)xs_get_be16(ip + 4);
	if (tot == 40 || tot > len)
		return -EINVAL;
	f->len = tot;
	f->nhoff = 6;
	for (i = 0; i < MAX_EXTHDRS && nh != IPPROTO_FRAGMENT; i++) {
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
		    nh != IPPROTO_DSTOPTS)
			return 0; /* not a fragment */
		if ((nh == IPPROTO_HOPOPTS && off != 40) || off + 8 > tot)
			return -EINVAL;
		f->nhoff = (uint32_t)off;
		nh = ip[off];
		off += (size_t)(ip[off + 1] + 1) * 8;
	}
	if (nh != IPPROTO_FRAGMENT || off + 8 > tot)
		return -EINVAL;
	f->hlen = off;
	f->nexthdr = ip[off];
	f->off = xs_get_be16(ip + off + 2) & ~7u;
	f->mf = ip[off + 3] & 1;
	f->isfrag = true;
	f->pl = ip + off + 8;
	f->plen = (uint32_t)(tot - off - 8);
	f->key.family = 6;
	f->key.id = (uint32_t)xs_get_be16(ip + off + 4) << 16 |
		    xs_get_be16(ip + off + 6);
	memcpy(f->key.src, ip + 8, 16);
	memcpy(f->key.dst, ip + 24, 16);
	return 0;
}

static int parse(const uint8_t *ip, size_t len, struct frag *f)
{
	memset(f, 0, sizeof(*f));
	f->ip = ip;
	if (len < 1)
		return -EINVAL;
	switch (ip[0] >> 4) {
	case 4:
		return parse4(ip, len, f);
	case 6:
		return parse6(ip, len, f);
	}
	return -EINVAL;
}

/* Largest payload end that keeps the datagram within 65535 (IPv4 total
 * length, IPv6 payload length) with a header of hlen bytes. */
static uint32_t max_end(uint8_t family, size_t hlen)
{
	size_t base = family == 4 ? hlen : hlen - 40;

	return base > XS_REASM_MAX_LEN ? 0 :
					 (uint32_t)(XS_REASM_MAX_LEN - base);
}

/* Not a fragment (or an IPv6 atomic fragment): out as is, less the
 * fragment header. */
static int whole(const struct frag *f, uint8_t *out, size_t cap)
{
	size_t n = f->isfrag ? f->len - 8 : f->len;

	if (n > cap)
		return -ENOSPC;
	if (!f->isfrag) {
		memcpy(out, f->ip, n);
		return (int)n;
	}
	memcpy(out, f->ip, f->hlen);
	memcpy(out + f->hlen, f->pl, f->plen);
	out[f->nhoff] = f->nexthdr;
	xs_put_be16(out + 4, (uint16_t)(n - 40));
	return (int)n;
}

/* ------------------------------------------------------------ bitmaps */

static bool bit(const uint64_t *bm, uint32_t i)
{
	return bm[i / 64] >> (i % 64) & 1;
}

static void setbit(uint64_t *bm, uint32_t i)
{
	bm[i / 64] |= 1ull << (i % 64);
}

/* Mask of bits [a, b) within one word, 0 <= a < b <= 64. */
static uint64_t mask(uint32_t a, uint32_t b)
{
	uint64_t hi = b == 64 ? ~0ull : (1ull << b) - 1;

	return hi & ~((1ull << a) - 1);
}

/* Any bit set in [a, b)?  If set, set them all. */
static bool range(uint64_t *bm, uint32_t a, uint32_t b, bool set)
{
	uint32_t w, lo, hi;

	for (; a < b; a = (w + 1) * 64) {
		w = a / 64;
		lo = a % 64;
		hi = b - w * 64 < 64 ? b - w * 64 : 64;
		if (set)
			bm[w] |= mask(lo, hi);
		else if (bm[w] & mask(lo, hi))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ table */

static uint32_t bucket_of(const struct xs_reasm *r, const struct key *k)
{
	return (uint32_t)(xs_hash_bytes(k, sizeof(*k), r->seed) &
			  (r->nbuckets - 1));
}

static int32_t lookup(const struct xs_reasm *r, const struct key *k)
{
	int32_t i;

	for (i = r->heads[bucket_of(r, k)]; i != NIL; i = r->d[i].hnext)
		if (!memcmp(&r->d[i].key, k, sizeof(*k)))
			return i;
	return NIL;
}

static void unlink_dgram(struct xs_reasm *r, int32_t i)
{
	struct dgram *d = &r->d[i];
	int32_t *p = &r->heads[d->bucket];

	while (*p != i)
		p = &r->d[*p].hnext;
	*p = d->hnext;
	if (d->prev != NIL)
		r->d[d->prev].next = d->next;
	else
		r->oldest = d->next;
	if (d->next != NIL)
		r->d[d->next].prev = d->prev;
	else
		r->newest = d->prev;
	r->bytes -= d->held;
	r->inuse--;
	d->next = r->freelist;
	r->freelist = i;
}

/* Drop datagram i; count it in *ctr and its fragments. */
static uint32_t drop(struct xs_reasm *r, int32_t i, uint64_t *ctr)
{
	uint32_t n = r->d[i].nfrags;

	unlink_dgram(r, i);
	(*ctr)++;
	r->st.frags_dropped += n;
	return n;
}

/* Evict the oldest datagrams (but keep) until need more bytes and, if
 * slot, a free slot fit.  Returns the fragments dropped. */
static uint32_t make_room(struct xs_reasm *r, size_t need, bool slot,
			  int32_t keep)
{
	uint32_t n = 0;
	int32_t i = r->oldest, next;

	while (i != NIL && (r->bytes + need > r->max_bytes ||
			    (slot && r->inuse == r->nd))) {
		next = r->d[i].next;
		if (i != keep)
			n += drop(r, i, &r->st.evicted);
		i = next;
	}
	return n;
}

static int32_t create(struct xs_reasm *r, const struct key *k, uint64_t now)
{
	int32_t i = r->freelist;
	struct dgram *d;
	struct dgbuf *b;

	if (i == NIL)
		return -ENOSPC;
	d = &r->d[i];
	b = d->b;
	if (!b) {
		b = malloc(sizeof(*b));
		if (!b)
			return -ENOMEM;
	}
	r->freelist = d->next;
	memset(d, 0, sizeof(*d));
	memset(b->cover, 0, sizeof(b->cover));
	memset(b->start, 0, sizeof(b->start));
	memset(b->end, 0, sizeof(b->end));
	d->b = b;
	d->key = *k;
	d->created = now;
	d->bucket = bucket_of(r, k);
	d->hnext = r->heads[d->bucket];
	r->heads[d->bucket] = i;
	d->next = NIL;
	d->prev = r->newest;
	if (r->newest != NIL)
		r->d[r->newest].next = i;
	else
		r->oldest = i;
	r->newest = i;
	r->inuse++;
	return i;
}

struct xs_reasm *xs_reasm_new(size_t max_bytes, uint32_t timeout_ms,
			      size_t max_dgrams)
{
	struct xs_reasm *r;
	size_t i;

	if (!max_dgrams || max_dgrams > (1u << 20))
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->nbuckets = 16;
	while (r->nbuckets < 2 * max_dgrams)
		r->nbuckets <<= 1;
	r->d = calloc(max_dgrams, sizeof(*r->d));
	r->heads = malloc(r->nbuckets * sizeof(*r->heads));
	if (!r->d || !r->heads)
		goto err;
	if (getrandom(&r->seed, sizeof(r->seed), GRND_NONBLOCK) !=
	    sizeof(r->seed))
		r->seed = (uint64_t)(uintptr_t)r;
	for (i = 0; i < r->nbuckets; i++)
		r->heads[i] = NIL;
	for (i = 0; i < max_dgrams; i++)
		r->d[i].next = i + 1 < max_dgrams ? (int32_t)i + 1 : NIL;
	r->nd = max_dgrams;
	r->max_bytes = max_bytes;
	r->timeout = timeout_ms;
	r->oldest = r->newest = NIL;
	r->freelist = 0;
	return r;
err:
	free(r->heads);
	free(r->d);
	free(r);
	return NULL;
}

void xs_reasm_free(struct xs_reasm *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nd; i++)
		free(r->d[i].b);
	free(r->heads);
	free(r->d);
	free(r);
}

uint32_t xs_reasm_expire(struct xs_reasm *r, uint64_t now_ms)
{
	uint32_t n = 0;
	struct dgram *d;

	while (r->oldest != NIL) {
		d = &r->d[r->oldest];
		if (now_ms < d->created || now_ms - d->created < r->timeout)
			break;
		n += drop(r, r->oldest, &r->st.timed_out);
	}
	return n;
}

size_t xs_reasm_bytes(const struct xs_reasm *r)
{
	return r->bytes;
}

void xs_reasm_stats(const struct xs_reasm *r, struct xs_reasm_stats *st)
{
	*st = r->st;
	st->in_progress = r->inuse;
}

/* ------------------------------------------------------------ adding */

/* Checks of one fragment on its own: 0 or -EINVAL. */
static int check_frag(const struct xs_reasm *r, const struct frag *f)
{
	if (!f->plen || (f->mf && f->plen % 8))
		return -EINVAL;
	if ((size_t)f->off + f->plen > max_end(f->key.family, f->hlen))
		return -EINVAL;
	if (f->off == 0 && f->hlen > HDR_MAX)
		return -EINVAL;
	if (f->len > r->max_bytes)
		return -EINVAL;
	return 0;
}

/* Fragment f against what datagram d holds: 0 to add it, -EALREADY for
 * an exact duplicate, -EINVAL to drop the whole datagram. */
static int check_dgram(const struct dgram *d, const struct frag *f)
{
	uint32_t end = f->off + f->plen, su = f->off / 8, eu = (end + 7) / 8;
	uint32_t hi = end > d->maxend ? end : d->maxend;
	struct dgbuf *b = d->b;

	if (d->has_last && (end > d->total || (!f->mf && end != d->total)))
		return -EINVAL;
	if (!f->mf && d->maxend > end)
		return -EINVAL;
	if (bit(b->start, su) && bit(b->end, eu) &&
	    !range(b->start, su + 1, eu, false) && (f->mf || d->has_last))
		return -EALREADY;
	if (range(b->cover, su, eu, false))
		return -EINVAL;
	if (d->has_first && hi > max_end(f->key.family, d->hlen))
		return -EINVAL;
	if (f->off == 0 && hi > max_end(f->key.family, f->hlen))
		return -EINVAL;
	return 0;
}

static void insert(struct xs_reasm *r, struct dgram *d, const struct frag *f)
{
	uint32_t end = f->off + f->plen;
	struct dgbuf *b = d->b;

	memcpy(b->data + f->off, f->pl, f->plen);
	range(b->cover, f->off / 8, (end + 7) / 8, true);
	setbit(b->start, f->off / 8);
	setbit(b->end, (end + 7) / 8);
	d->got += f->plen;
	d->nfrags++;
	d->held += (uint32_t)f->len;
	r->bytes += f->len;
	if (end > d->maxend)
		d->maxend = end;
	if (!f->mf) {
		d->has_last = true;
		d->total = end;
	}
	if (f->off == 0) {
		d->has_first = true;
		d->hlen = (uint16_t)f->hlen;
		memcpy(b->hdr, f->ip, f->hlen);
		d->nhoff = f->nhoff;
		d->nexthdr = f->nexthdr;
		d->frag_off = f->frag_off;
	}
}

/* The complete datagram into out: its length or -ENOSPC. */
static int finish(const struct dgram *d, uint8_t *out, size_t cap)
{
	size_t n = (size_t)d->hlen + d->total;
	uint8_t *h = out;

	if (n > cap)
		return -ENOSPC;
	memcpy(out, d->b->hdr, d->hlen);
	memcpy(out + d->hlen, d->b->data, d->total);
	if (d->key.family == 4) {
		xs_put_be16(h + 2, (uint16_t)n);
		xs_put_be16(h + 6, d->frag_off & IP4_DF);
		xs_ip4_csum(h, d->hlen);
	} else {
		xs_put_be16(h + 4, (uint16_t)(n - 40));
		h[d->nhoff] = d->nexthdr;
	}
	return (int)n;
}

static int fail(enum xs_counter *why, enum xs_counter c, int err)
{
	if (why)
		*why = c;
	return err;
}

/* The datagram f belongs to, made room for: its slot or -errno (the
 * datagram dropped if -EINVAL, -ENOBUFS). */
static int32_t slot_for(struct xs_reasm *r, const struct frag *f, uint64_t now,
			uint32_t *gone)
{
	int32_t i = lookup(r, &f->key);
	int err;

	if (i == NIL) {
		*gone += make_room(r, f->len, true, NIL);
		return create(r, &f->key, now);
	}
	err = check_dgram(&r->d[i], f);
	if (err == -EINVAL)
		*gone += drop(r, i, &r->st.failed);
	if (err)
		return err;
	*gone += make_room(r, f->len, false, i);
	if (r->bytes + f->len > r->max_bytes) {
		*gone += drop(r, i, &r->st.evicted);
		return -ENOBUFS;
	}
	return i;
}

int xs_reasm_add(struct xs_reasm *r, const uint8_t *ip, size_t len,
		 uint64_t now_ms, uint8_t *out, size_t cap,
		 enum xs_counter *why, uint32_t *expired)
{
	uint32_t gone = xs_reasm_expire(r, now_ms);
	struct dgram *d;
	struct frag f;
	int32_t i;
	int err;

	if (parse(ip, len, &f)) {
		err = fail(why, XS_CNT_drop_malformed, -EINVAL);
		goto out;
	}
	if (!f.isfrag || (!f.off && !f.mf)) {
		err = whole(&f, out, cap); /* a length or -ENOSPC */
		goto out_why;
	}
	err = check_frag(r, &f);
	if (err)
		goto out_why;
	i = slot_for(r, &f, now_ms, &gone);
	if (i < 0) {
		err = i;
		goto out_why;
	}
	d = &r->d[i];
	insert(r, d, &f);
	if (!d->has_first || !d->has_last || d->got != d->total)
		goto out;
	err = finish(d, out, cap);
	if (err < 0) {
		gone += drop(r, i, &r->st.failed) - 1; /* this one: *why */
		goto out_why;
	}
	unlink_dgram(r, i);
	r->st.done++;
	goto out;
out_why:
	if (err < 0)
		fail(why, XS_CNT_drop_reasm, err);
out:
	if (expired)
		*expired = gone;
	return err;
}
