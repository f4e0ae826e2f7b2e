/*
 * models/kernels/fit.h - cost = fixed + per_unit * size, by ordinary least
 * squares (GSL gsl_fit_linear), with R^2 and 95 % confidence intervals
 * (Student t with n - 2 degrees of freedom).
 */
#ifndef MESHSIM_MODELS_KERNELS_FIT_H
#define MESHSIM_MODELS_KERNELS_FIT_H

#include <stddef.h>

typedef struct {
	double fixed, per_unit;           /* the coefficients */
	double fixed_lo, fixed_hi;        /* 95 % CI; NaN when n < 3 */
	double per_unit_lo, per_unit_hi;
	double r2;                        /* coefficient of determination */
	double rmse;                      /* residual standard error */
	size_t n;
} fit_result;

/* Fit y = fixed + per_unit * x over n points (n >= 2, at least two distinct
 * x). Returns 0, or -1 if the data cannot determine a line. */
int fit_linear(const double *x, const double *y, size_t n, fit_result *out);

#endif
