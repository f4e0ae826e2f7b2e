/*
 * tests/models/kernels/test_fit.c - the least-squares fit recovers known
 * coefficients from synthetic data, with and without weights and noise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "models/kernels/fit.h"

static void exact_line(void **state)
{
	(void)state;
	double x[] = {64, 256, 1024, 4096, 16384};
	double y[5];
	for (int i = 0; i < 5; i++)
		y[i] = 150.0 + 0.25 * x[i];
	fit_result f;
	assert_int_equal(fit_linear(x, y, NULL, 5, &f), 0);
	assert_true(fabs(f.fixed - 150.0) < 1e-9);
	assert_true(fabs(f.per_unit - 0.25) < 1e-12);
	assert_true(fabs(f.r2 - 1.0) < 1e-12);
	assert_int_equal((int)f.n, 5);
	/* weighted: the same exact line */
	double w[5];
	for (int i = 0; i < 5; i++)
		w[i] = 1.0 / (y[i] * y[i]);
	assert_int_equal(fit_linear(x, y, w, 5, &f), 0);
	assert_true(fabs(f.fixed - 150.0) < 1e-7);
	assert_true(fabs(f.per_unit - 0.25) < 1e-10);
}

/* Deterministic +-2 % multiplicative noise, 7 repetitions per size: the 95 %
 * intervals contain the truth and are narrow. */
static void noisy_line(void **state)
{
	(void)state;
	const double sizes[] = {64, 256, 1024, 4096, 16384};
	double x[35], y[35], w[35];
	int n = 0;
	for (int s = 0; s < 5; s++)
		for (int r = 0; r < 7; r++) {
			double truth = 400.0 + 0.19 * sizes[s];
			double noise = 0.02 * sin(1.7 * n + 0.3);
			x[n] = sizes[s];
			y[n] = truth * (1.0 + noise);
			w[n] = 1.0 / (truth * truth);
			n++;
		}
	fit_result f;
	assert_int_equal(fit_linear(x, y, w, (size_t)n, &f), 0);
	assert_true(f.fixed_lo <= 400.0 && 400.0 <= f.fixed_hi);
	assert_true(f.per_unit_lo <= 0.19 && 0.19 <= f.per_unit_hi);
	assert_true(fabs(f.fixed - 400.0) < 20.0);
	assert_true(fabs(f.per_unit - 0.19) < 0.01);
	assert_true(f.r2 > 0.99 && f.r2 <= 1.0);
	assert_true(f.fixed_hi - f.fixed_lo < 40.0);
}

static void degenerate(void **state)
{
	(void)state;
	double x[] = {1, 1, 1}, y[] = {1, 2, 3}, w[] = {1, 0, 1};
	fit_result f;
	assert_int_equal(fit_linear(x, y, NULL, 3, &f), -1); /* one distinct x */
	assert_int_equal(fit_linear(x, y, NULL, 1, &f), -1);
	double x2[] = {1, 2, 3};
	assert_int_equal(fit_linear(x2, y, w, 3, &f), -1); /* zero weight */
	/* two points: a line but no interval */
	assert_int_equal(fit_linear(x2, y, NULL, 2, &f), 0);
	assert_true(fabs(f.per_unit - 1.0) < 1e-12);
	assert_true(isnan(f.fixed_lo));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_line),
		cmocka_unit_test(noisy_line),
		cmocka_unit_test(degenerate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
