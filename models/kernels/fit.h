/*
 * models/kernels/fit.h - cost = fixed + per_unit * size by least squares
 * (GSL gsl_fit_linear / gsl_fit_wlinear), with R^2 and 95 % confidence
 * intervals (Student t with n - 2 degrees of freedom).
 *
 * The calibration fits use weights 1 / median(size)^2, i.e. they minimise
 * relative error: costs span orders of magnitude from 64 B to 64 KiB, and
 * an unweighted fit lets the largest size decide the fixed cost.
 */
#ifndef MESHSIM_MODELS_KERNELS_FIT_H
#define MESHSIM_MODELS_KERNELS_FIT_H

#include <stddef.h>

typedef struct {
	double fixed, per_unit;           /* the coefficients */
	double fixed_lo, fixed_hi;        /* 95 % CI; NaN when n < 3 */
	double per_unit_lo, per_unit_hi;
	double r2;                        /* (weighted) coefficient of determination */
	double rmse;                      /* (weighted) residual standard error */
	size_t n;
} fit_result;

/* Fit y = fixed + per_unit * x over n points (n >= 2, at least two distinct
 * x). w may be NULL (ordinary least squares) or n positive weights; the
 * covariance is scaled by the residual variance either way. Returns 0, or
 * -1 if the data cannot determine a line. */
int fit_linear(const double *x, const double *y, const double *w, size_t n, fit_result *out);

#endif
