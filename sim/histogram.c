/*
 * sim/histogram.c - log-linear histogram. See histogram.h.
 *
 * Index layout: values 0..2047 map to themselves. A value v >= 2048 with
 * highest set bit m (m >= 11) has e = m - 10 low bits below the 11 that are
 * kept; it maps to 2048 + (e - 1) * 1024 + ((v >> e) - 1024). So bucket
 * widths are 1 up to 2047 and 2^e above, never more than v / 1024.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "histogram.h"

#define EXACT_LIMIT 2048 /* values below are counted exactly */

uint32_t hist_bucket_of(int64_t value)
{
	if (value < EXACT_LIMIT)
		return value < 0 ? 0u : (uint32_t)value;
	unsigned m = 63u - (unsigned)__builtin_clzll((uint64_t)value);
	unsigned e = m - 10;
	return EXACT_LIMIT + (e - 1) * HIST_SUB_BUCKETS + (uint32_t)((value >> e) - HIST_SUB_BUCKETS);
}

void hist_bucket_range(uint32_t index, int64_t *lo, int64_t *hi)
{
	if (index < EXACT_LIMIT) {
		*lo = *hi = index;
		return;
	}
	uint32_t e = (index - EXACT_LIMIT) / HIST_SUB_BUCKETS + 1;
	int64_t mantissa = (int64_t)((index - EXACT_LIMIT) % HIST_SUB_BUCKETS) + HIST_SUB_BUCKETS;
	*lo = mantissa << e;
	*hi = *lo + ((int64_t)1 << e) - 1;
}

int hist_init(histogram *h, int64_t highest)
{
	memset(h, 0, sizeof(*h));
	if (highest < 1)
		return -1;
	uint32_t top = hist_bucket_of(highest);
	int64_t lo, hi;
	hist_bucket_range(top, &lo, &hi);
	h->nbuckets = top + 1;
	h->highest = hi;
	h->counts = calloc(h->nbuckets, sizeof(*h->counts));
	if (!h->counts)
		return -1;
	h->min = INT64_MAX;
	return 0;
}

void hist_free(histogram *h)
{
	free(h->counts);
	memset(h, 0, sizeof(*h));
}

void hist_reset(histogram *h)
{
	memset(h->counts, 0, h->nbuckets * sizeof(*h->counts));
	h->count = h->clamped = 0;
	h->min = INT64_MAX;
	h->max = 0;
	h->sum = h->sumsq = 0;
}

void hist_record_n(histogram *h, int64_t value, uint64_t n)
{
	if (n == 0)
		return;
	if (value < 0)
		value = 0;
	uint32_t index;
	if (value > h->highest) {
		index = h->nbuckets - 1;
		h->clamped += n;
	} else {
		index = hist_bucket_of(value);
	}
	h->counts[index] += n;
	h->count += n;
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
	h->sum += (double)value * (double)n;
	h->sumsq += (double)value * (double)value * (double)n;
}

int64_t hist_quantile(const histogram *h, double q)
{
	if (h->count == 0)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	/* Nearest rank: the smallest sample with at least q * n samples at or
	 * below it. */
	uint64_t rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	uint64_t seen = 0;
	for (uint32_t i = 0; i < h->nbuckets; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			int64_t lo, hi;
			hist_bucket_range(i, &lo, &hi);
			int64_t mid = lo + (hi - lo) / 2;
			/* Never report outside what was recorded. */
			if (mid < h->min)
				mid = h->min;
			if (mid > h->max)
				mid = h->max;
			return mid;
		}
	}
	return h->max;
}

double hist_mean(const histogram *h)
{
	return h->count ? h->sum / (double)h->count : 0.0;
}

double hist_stddev(const histogram *h)
{
	if (h->count < 2)
		return 0.0;
	double n = (double)h->count;
	double var = (h->sumsq - h->sum * h->sum / n) / (n - 1);
	return var > 0 ? sqrt(var) : 0.0;
}

int hist_merge(histogram *dst, const histogram *src)
{
	if (dst->nbuckets != src->nbuckets)
		return -1;
	for (uint32_t i = 0; i < src->nbuckets; i++)
		dst->counts[i] += src->counts[i];
	dst->count += src->count;
	dst->clamped += src->clamped;
	if (src->count) {
		if (src->min < dst->min)
			dst->min = src->min;
		if (src->max > dst->max)
			dst->max = src->max;
	}
	dst->sum += src->sum;
	dst->sumsq += src->sumsq;
	return 0;
}

/* --- serialisation
 *
 * Blob layout (all integers little-endian):
 *   "MSH1"                 magic and format version
 *   u64 highest, u64 count, u64 clamped, i64 min, i64 max
 *   f64 sum, f64 sumsq     (IEEE 754 bit patterns)
 *   varint runs: (gap from the previous non-empty index, count) pairs
 * Varints are LEB128 (7 bits per byte, low bits first).
 */

#define MAGIC "MSH1"
#define HEADER_BYTES (4 + 5 * 8 + 2 * 8)

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint64_t double_bits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof(u));
	return u;
}

static double bits_double(uint64_t u)
{
	double d;
	memcpy(&d, &u, sizeof(d));
	return d;
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t result = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return -1;
		uint8_t byte = *(*p)++;
		result |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			*v = result;
			return 0;
		}
	}
	return -1;
}

size_t hist_encode(const histogram *h, uint8_t **blob)
{
	size_t nonzero = 0;
	for (uint32_t i = 0; i < h->nbuckets; i++)
		nonzero += h->counts[i] != 0;
	uint8_t *buf = malloc(HEADER_BYTES + nonzero * 20);
	if (!buf)
		return 0;
	memcpy(buf, MAGIC, 4);
	put_u64(buf + 4, (uint64_t)h->highest);
	put_u64(buf + 12, h->count);
	put_u64(buf + 20, h->clamped);
	put_u64(buf + 28, (uint64_t)h->min);
	put_u64(buf + 36, (uint64_t)h->max);
	put_u64(buf + 44, double_bits(h->sum));
	put_u64(buf + 52, double_bits(h->sumsq));
	size_t n = HEADER_BYTES;
	uint32_t prev = 0;
	for (uint32_t i = 0; i < h->nbuckets; i++) {
		if (!h->counts[i])
			continue;
		n += put_varint(buf + n, i - prev);
		n += put_varint(buf + n, h->counts[i]);
		prev = i;
	}
	*blob = buf;
	return n;
}

int hist_decode(histogram *h, const uint8_t *blob, size_t len)
{
	memset(h, 0, sizeof(*h));
	if (len < HEADER_BYTES || memcmp(blob, MAGIC, 4) != 0)
		return -1;
	int64_t highest = (int64_t)get_u64(blob + 4);
	if (highest < 1 || hist_init(h, highest) != 0)
		return -1;
	h->count = get_u64(blob + 12);
	h->clamped = get_u64(blob + 20);
	h->min = (int64_t)get_u64(blob + 28);
	h->max = (int64_t)get_u64(blob + 36);
	h->sum = bits_double(get_u64(blob + 44));
	h->sumsq = bits_double(get_u64(blob + 52));
	const uint8_t *p = blob + HEADER_BYTES, *end = blob + len;
	uint64_t index = 0, total = 0;
	while (p < end) {
		uint64_t gap, count;
		if (get_varint(&p, end, &gap) != 0 || get_varint(&p, end, &count) != 0)
			goto bad;
		index += gap;
		if (index >= h->nbuckets)
			goto bad;
		h->counts[index] += count;
		total += count;
	}
	if (total != h->count)
		goto bad;
	return 0;
bad:
	hist_free(h);
	return -1;
}
