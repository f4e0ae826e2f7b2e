/*
 * tests/sim/test_stats.c - Welford tallies against two-pass statistics,
 * tally merging, time-weighted levels, windowed series and Student-t
 * intervals against tabulated quantiles.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/stats.h"

static void test_tally_matches_two_pass(void **state)
{
	(void)state;
	/* Values with a large offset: the naive sum of squares would cancel. */
	double x[1000];
	for (int i = 0; i < 1000; i++)
		x[i] = 1e9 + (double)((i * 7919) % 1000) / 10.0;
	tally t, a, b;
	tally_init(&t);
	tally_init(&a);
	tally_init(&b);
	for (int i = 0; i < 1000; i++) {
		tally_add(&t, x[i]);
		tally_add(i < 300 ? &a : &b, x[i]);
	}
	double mean = gsl_stats_mean(x, 1, 1000);
	double var = gsl_stats_variance(x, 1, 1000);
	assert_true(fabs(t.mean - mean) < 1e-6);
	assert_true(fabs(tally_variance(&t) - var) < 1e-6 * var);
	tally_merge(&a, &b);
	assert_int_equal(a.n, 1000);
	assert_true(fabs(a.mean - mean) < 1e-6);
	assert_true(fabs(tally_variance(&a) - var) < 1e-6 * var);
	assert_true(a.min == t.min && a.max == t.max);
}

static void test_level_time_average(void **state)
{
	(void)state;
	level l;
	level_init(&l, 0, 0);
	level_set(&l, 10, 4);  /* 0 for 10 ns */
	level_set(&l, 20, 2);  /* 4 for 10 ns */
	/* then 2 for 20 ns: (0*10 + 4*10 + 2*20) / 40 = 2 */
	assert_true(fabs(level_mean(&l, 40) - 2.0) < 1e-12);
	assert_true(l.max == 4 && l.min == 0);
	level_restart(&l, 40);
	assert_true(fabs(level_mean(&l, 50) - 2.0) < 1e-12);
}

static void test_series_windows(void **state)
{
	(void)state;
	series s;
	assert_int_equal(series_init(&s, 1000, 100), 0);
	series_add(&s, 999, 5);   /* before start: ignored */
	series_add(&s, 1000, 1);
	series_add(&s, 1099, 2);
	series_add(&s, 1350, 4);
	assert_int_equal(s.nwindows, 4);
	assert_true(s.sum[0] == 3 && s.count[0] == 2);
	assert_true(s.sum[1] == 0 && s.count[1] == 0);
	assert_true(s.sum[3] == 4 && s.count[3] == 1);
	series_free(&s);
}

static void test_student_t_interval(void **state)
{
	(void)state;
	/* n = 5, t(0.975, 4) = 2.776445 (tables); sd of 1..5 = sqrt(2.5). */
	double x[] = {1, 2, 3, 4, 5};
	ci c = ci_student_t(x, 5, 0.95);
	assert_true(fabs(c.mean - 3.0) < 1e-12);
	assert_true(fabs(c.half_width - 2.776445 * sqrt(2.5) / sqrt(5.0)) < 1e-5);
	tally t;
	tally_init(&t);
	for (int i = 0; i < 5; i++)
		tally_add(&t, x[i]);
	ci c2 = ci_from_tally(&t, 0.95);
	assert_true(fabs(c2.half_width - c.half_width) < 1e-12);
	/* One replication has no interval. */
	assert_true(isnan(ci_student_t(x, 1, 0.95).half_width));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tally_matches_two_pass),
		cmocka_unit_test(test_level_time_average),
		cmocka_unit_test(test_series_windows),
		cmocka_unit_test(test_student_t_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
