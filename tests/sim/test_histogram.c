/*
 * tests/sim/test_histogram.c - percentiles against exact sorted
 * percentiles, bucket geometry, merging and the blob round trip.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>

#include "sim/histogram.h"
#include "sim/rng.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted data. */
static int64_t exact_quantile(const int64_t *sorted, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n);
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

static int64_t *lognormal_sample(size_t n, uint64_t seed)
{
	gsl_rng *r = sim_stream_new((sim_stream_key){seed, 0, "hist-test", 0});
	int64_t *x = malloc(n * sizeof(*x));
	for (size_t i = 0; i < n; i++)
		x[i] = (int64_t)gsl_ran_lognormal(r, log(2e6), 1.5); /* ~2 ms median */
	gsl_rng_free(r);
	return x;
}

static void test_bucket_geometry(void **state)
{
	(void)state;
	/* Buckets tile the integers without gaps, each no wider than 1/1024
	 * of its lower bound (three significant digits). */
	int64_t expect_lo = 0;
	for (uint32_t i = 0; i < 2048 + 40 * 1024; i++) {
		int64_t lo, hi;
		hist_bucket_range(i, &lo, &hi);
		assert_int_equal(lo, expect_lo);
		assert_true(hi >= lo);
		assert_true((double)(hi - lo + 1) <= (lo > 0 ? (double)lo / 1024.0 : 1.0) || hi == lo);
		assert_int_equal(hist_bucket_of(lo), i);
		assert_int_equal(hist_bucket_of(hi), i);
		expect_lo = hi + 1;
	}
}

static void test_percentiles_within_stated_error(void **state)
{
	(void)state;
	size_t n = 200000;
	int64_t *x = lognormal_sample(n, 1);
	histogram h;
	assert_int_equal(hist_init(&h, 3600 * (int64_t)1000000000), 0);
	for (size_t i = 0; i < n; i++)
		hist_record(&h, x[i]);
	qsort(x, n, sizeof(*x), cmp_i64);

	const double qs[] = {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999};
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		int64_t exact = exact_quantile(x, n, qs[k]);
		int64_t got = hist_quantile(&h, qs[k]);
		/* Stated error: half a bucket, at most value / 2048. */
		double err = fabs((double)(got - exact));
		assert_true(err <= (double)exact / 2048.0 + 0.5);
	}
	assert_int_equal(hist_quantile(&h, 0), x[0]);
	assert_int_equal(hist_quantile(&h, 1), x[n - 1]);
	assert_int_equal(h.count, n);

	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += (double)x[i];
	assert_true(fabs(hist_mean(&h) - sum / (double)n) < 1e-6 * sum / (double)n);
	hist_free(&h);
	free(x);
}

static void test_small_values_exact(void **state)
{
	(void)state;
	histogram h;
	assert_int_equal(hist_init(&h, 1000000), 0);
	for (int64_t v = 1; v <= 100; v++)
		hist_record(&h, v);
	assert_int_equal(hist_quantile(&h, 0.5), 50);
	assert_int_equal(hist_quantile(&h, 0.99), 99);
	assert_int_equal(hist_quantile(&h, 0.991), 100);
	/* Out of range values are kept (clamped), not lost. */
	hist_record(&h, 5000000);
	assert_int_equal(h.clamped, 1);
	assert_int_equal(h.count, 101);
	assert_int_equal(hist_quantile(&h, 1.0), 5000000);
	hist_free(&h);
}

static void test_merge_equals_histogram_of_merged_data(void **state)
{
	(void)state;
	size_t n = 50000;
	int64_t *a = lognormal_sample(n, 2), *b = lognormal_sample(n, 3);
	histogram ha, hb, hall;
	int64_t top = 60 * (int64_t)1000000000;
	hist_init(&ha, top);
	hist_init(&hb, top);
	hist_init(&hall, top);
	for (size_t i = 0; i < n; i++) {
		hist_record(&ha, a[i]);
		hist_record(&hb, b[i]);
		hist_record(&hall, a[i]);
		hist_record(&hall, b[i]);
	}
	assert_int_equal(hist_merge(&ha, &hb), 0);
	assert_int_equal(ha.nbuckets, hall.nbuckets);
	assert_memory_equal(ha.counts, hall.counts, ha.nbuckets * sizeof(uint64_t));
	assert_int_equal(ha.count, hall.count);
	assert_int_equal(ha.min, hall.min);
	assert_int_equal(ha.max, hall.max);
	assert_int_equal(hist_quantile(&ha, 0.99), hist_quantile(&hall, 0.99));

	histogram other;
	hist_init(&other, 1000);
	assert_int_equal(hist_merge(&ha, &other), -1); /* ranges differ */
	hist_free(&other);
	hist_free(&ha);
	hist_free(&hb);
	hist_free(&hall);
	free(a);
	free(b);
}

static void test_encode_decode_round_trip(void **state)
{
	(void)state;
	size_t n = 10000;
	int64_t *x = lognormal_sample(n, 4);
	histogram h, back;
	hist_init(&h, 10 * (int64_t)1000000000);
	for (size_t i = 0; i < n; i++)
		hist_record(&h, x[i]);
	uint8_t *blob;
	size_t len = hist_encode(&h, &blob);
	assert_true(len > 0);
	assert_true(len < h.nbuckets * sizeof(uint64_t)); /* sparse coding pays */
	assert_int_equal(hist_decode(&back, blob, len), 0);
	assert_int_equal(back.nbuckets, h.nbuckets);
	assert_memory_equal(back.counts, h.counts, h.nbuckets * sizeof(uint64_t));
	assert_int_equal(back.count, h.count);
	assert_int_equal(back.min, h.min);
	assert_int_equal(back.max, h.max);
	assert_true(back.sum == h.sum && back.sumsq == h.sumsq);

	/* Corrupt blobs are refused, never half-read. */
	histogram bad;
	assert_int_equal(hist_decode(&bad, blob, 10), -1);
	assert_int_equal(hist_decode(&bad, blob, len - 1), -1);
	blob[0] = 'X';
	assert_int_equal(hist_decode(&bad, blob, len), -1);
	free(blob);
	hist_free(&back);
	hist_free(&h);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_geometry),
		cmocka_unit_test(test_percentiles_within_stated_error),
		cmocka_unit_test(test_small_values_exact),
		cmocka_unit_test(test_merge_equals_histogram_of_merged_data),
		cmocka_unit_test(test_encode_decode_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
