/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Big-endian loads and stores at any alignment (packet headers in frames
 * sit at odd offsets: no casts to wider types).
 */
#ifndef XS_BYTES_H
#define XS_BYTES_H

#include <stdint.h>

static inline uint16_t xs_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t xs_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void xs_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void xs_put_be32(uint8_t *p, uint32_t v)
{
	xs_put_be16(p, (uint16_t)(v >> 16));
	xs_put_be16(p + 2, (uint16_t)v);
}

#endif /* XS_BYTES_H */
