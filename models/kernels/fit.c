/* models/kernels/fit.c - least-squares fit of cost against size (GSL). */
#include "models/kernels/fit.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <math.h>
#include <string.h>

int fit_linear(const double *x, const double *y, const double *w, size_t n, fit_result *out)
{
	memset(out, 0, sizeof *out);
	out->fixed_lo = out->fixed_hi = out->per_unit_lo = out->per_unit_hi = NAN;
	if (n < 2)
		return -1;
	double xmin = x[0], xmax = x[0];
	for (size_t i = 0; i < n; i++) {
		if (x[i] < xmin)
			xmin = x[i];
		if (x[i] > xmax)
			xmax = x[i];
		if (w && !(w[i] > 0.0 && isfinite(w[i])))
			return -1;
	}
	if (!(xmax > xmin))
		return -1;
	double c0, c1, cov00, cov01, cov11, sumsq;
	int rc = w ? gsl_fit_wlinear(x, 1, w, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq)
		   : gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
	if (rc != 0)
		return -1;
	(void)cov01;
	out->fixed = c0;
	out->per_unit = c1;
	out->n = n;
	/* weighted mean and total sum of squares (w = 1 for OLS) */
	double sw = 0.0, swy = 0.0;
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0;
		sw += wi;
		swy += wi * y[i];
	}
	double mean = swy / sw, sstot = 0.0;
	for (size_t i = 0; i < n; i++)
		sstot += (w ? w[i] : 1.0) * (y[i] - mean) * (y[i] - mean);
	out->r2 = sstot > 0.0 ? 1.0 - sumsq / sstot : 1.0;
	if (n > 2) {
		double s2 = sumsq / (double)(n - 2);
		if (w) { /* gsl_fit_wlinear's covariance assumes w = 1/sigma^2 known */
			cov00 *= s2;
			cov11 *= s2;
		}
		double t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 2));
		double h0 = t * sqrt(cov00), h1 = t * sqrt(cov11);
		out->fixed_lo = c0 - h0;
		out->fixed_hi = c0 + h0;
		out->per_unit_lo = c1 - h1;
		out->per_unit_hi = c1 + h1;
		out->rmse = sqrt(s2);
	}
	return 0;
}
