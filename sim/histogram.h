/*
 * sim/histogram.h - a mergeable log-linear histogram of non-negative
 * integers (latencies in nanoseconds), in the manner of HdrHistogram.
 *
 * Values below 2048 are counted exactly. Above, each power-of-two range
 * [2^k, 2^(k+1)) is split into 1024 equal sub-buckets, so any recorded
 * value is known to within 1/1024 of itself: three significant decimal
 * digits. Percentiles are reported as the midpoint of the bucket that holds
 * the nearest-rank sample, so |reported - exact| <= value / 2048.
 *
 * Values above the histogram's highest trackable value are counted in the
 * top bucket and in `clamped`, never dropped silently. Count, min, max and
 * sum are exact.
 *
 * Two histograms with the same highest trackable value merge exactly:
 * merging gives the histogram of the merged data. The blob format is
 * portable (little-endian, varint-coded runs) and versioned.
 */
#ifndef MESHSIM_SIM_HISTOGRAM_H
#define MESHSIM_SIM_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BUCKETS 1024 /* per power of two: 3 significant digits */

typedef struct histogram {
	uint64_t *counts;
	uint32_t nbuckets;
	int64_t highest;     /* highest trackable value (rounded up) */
	uint64_t count;
	uint64_t clamped;    /* values recorded above `highest` */
	int64_t min, max;    /* INT64_MAX / 0 when empty */
	double sum;          /* of recorded (unclamped) values */
	double sumsq;
} histogram;

/* Sets up an empty histogram for values in [0, highest]. Returns 0, or -1
 * when out of memory or highest < 1. */
int hist_init(histogram *h, int64_t highest);
void hist_free(histogram *h);
void hist_reset(histogram *h);

/* Records `n` occurrences of `value` (negative values count as 0). */
void hist_record_n(histogram *h, int64_t value, uint64_t n);
static inline void hist_record(histogram *h, int64_t value) { hist_record_n(h, value, 1); }

/* Value at quantile q in [0, 1] (nearest rank, bucket midpoint); 0 when
 * empty. q = 0 gives min, q = 1 gives max. */
int64_t hist_quantile(const histogram *h, double q);
double hist_mean(const histogram *h);
double hist_stddev(const histogram *h);

/* Adds src into dst. Returns 0, or -1 if their ranges differ. */
int hist_merge(histogram *dst, const histogram *src);

/* Bucket geometry, for exports: bucket index of a value, and the inclusive
 * range of values that bucket holds. */
uint32_t hist_bucket_of(int64_t value);
void hist_bucket_range(uint32_t index, int64_t *lo, int64_t *hi);

/* Serialises into a malloc'd blob. Returns its size, or 0 on failure. */
size_t hist_encode(const histogram *h, uint8_t **blob);

/* Decodes a blob into an uninitialised histogram. Returns 0, or -1 if the
 * blob is malformed or memory runs out (h is then left empty). */
int hist_decode(histogram *h, const uint8_t *blob, size_t len);

#endif
