/* sim/queueing.c - closed-form queueing results. See queueing.h. */
#include "sim/queueing.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

void mmc_probabilities(int c, double a, double *wait_prob, double *idle_prob)
{
	if (c < 1 || !(a > 0)) {
		*wait_prob = 0;
		*idle_prob = 1;
		return;
	}
	if (a >= c) { /* no steady state: every arrival waits */
		*wait_prob = 1;
		*idle_prob = 0;
		return;
	}
	/* Erlang B: B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)); it may
	 * underflow to 0 (many servers, little load), which is then right. */
	double b = 1.0;
	for (int k = 1; k <= c; k++)
		b = a * b / (k + a * b);
	/* Erlang C from B. */
	double w = c * b / (c - a * (1.0 - b));
	*wait_prob = w;
	/* P0 = P(no wait) / sum over i < c of a^i / i!, and that sum is
	 * e^a P(Poisson(a) <= c - 1), a probability of at least about a half
	 * for a < c: taken in logarithms, nothing overflows. */
	double below = gsl_cdf_poisson_P((unsigned)(c - 1), a);
	*idle_prob = below > 0 ? exp(log1p(-w) - a - log(below)) : 0;
}
