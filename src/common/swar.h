/* SPDX-License-Identifier: MIT */
/*
 * swar.h: byte tests eight lanes at a time in a 64-bit word, without a branch or a table per
 * byte. The range helpers take words whose lanes are all below 0x80 (clear the top bits first
 * and handle those bytes on their own), so no sum or difference crosses from one lane into the
 * next; ra_lanes_eq and ra_lanes_ctl take any bytes and do that themselves.
 */
#ifndef RA_COMMON_SWAR_H
#define RA_COMMON_SWAR_H

#include <stdint.h>
#include <string.h>

/* The byte b in every lane; RA_LANES_HIGH is the top bit of every lane. */
#define RA_LANES(b) (0x0101010101010101ull * (uint64_t)(b))
#define RA_LANES_HIGH RA_LANES(0x80)

/* Eight bytes from p, lane 0 the first, whatever the machine's byte order. */
static inline uint64_t
ra_lanes_load(const void *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof(x));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

/* 0x80 in each lane of x that is >= lo (1 <= lo <= 0x80): the sum stays within its lane and
 * reaches 0x80 exactly when the lane is >= lo. */
static inline uint64_t
ra_lanes_ge(uint64_t x, unsigned lo)
{
    return (x + RA_LANES(0x80 - lo)) & RA_LANES_HIGH;
}

/* 0x80 in each lane of x in [lo, hi] (1 <= lo <= hi < 0x80). */
static inline uint64_t
ra_lanes_in(uint64_t x, unsigned lo, unsigned hi)
{
    return ra_lanes_ge(x, lo) & ~ra_lanes_ge(x, hi + 1);
}

/* 0x80 in each lane of x (any bytes) equal to c (c < 0x80). */
static inline uint64_t
ra_lanes_eq(uint64_t x, unsigned c)
{
    return ra_lanes_in(x & ~RA_LANES_HIGH, c, c) & ~x & RA_LANES_HIGH;
}

/* 0x80 in each lane of x (any bytes) that is a control (0x00-0x1F) or DEL; bytes 0x80-0xFF
 * never are. */
static inline uint64_t
ra_lanes_ctl(uint64_t x)
{
    uint64_t y = x & ~RA_LANES_HIGH;
    return (~ra_lanes_ge(y, 0x20) | ra_lanes_ge(y, 0x7f)) & ~x & RA_LANES_HIGH;
}

/* A mask of 0x80 lanes widened to 0xFF lanes. */
static inline uint64_t
ra_lanes_widen(uint64_t m)
{
    return (m >> 7) * 0xFF;
}

#endif
