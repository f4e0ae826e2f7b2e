/* models/kernels/fit.c - least-squares fit of cost against size (GSL). */
#include "models/kernels/fit.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

int fit_linear(const double *x, const double *y, size_t n, fit_result *out)
{
	memset(out, 0, sizeof *out);
	out->fixed_lo = out->fixed_hi = out->per_unit_lo = out->per_unit_hi = NAN;
	if (n < 2)
		return -1;
	double xmin = x[0], xmax = x[0];
	for (size_t i = 1; i < n; i++) {
		if (x[i] < xmin)
			xmin = x[i];
		if (x[i] > xmax)
			xmax = x[i];
	}
	if (!(xmax > xmin))
		return -1;
	double c0, c1, cov00, cov01, cov11, sumsq;
	if (gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq) != 0)
		return -1;
	out->fixed = c0;
	out->per_unit = c1;
	out->n = n;
	double mean = gsl_stats_mean(y, 1, n);
	double sstot = 0.0;
	for (size_t i = 0; i < n; i++)
		sstot += (y[i] - mean) * (y[i] - mean);
	out->r2 = sstot > 0.0 ? 1.0 - sumsq / sstot : 1.0;
	if (n > 2) {
		double t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 2));
		double h0 = t * sqrt(cov00), h1 = t * sqrt(cov11);
		out->fixed_lo = c0 - h0;
		out->fixed_hi = c0 + h0;
		out->per_unit_lo = c1 - h1;
		out->per_unit_hi = c1 + h1;
		out->rmse = sqrt(sumsq / (double)(n - 2));
	}
	return 0;
}
