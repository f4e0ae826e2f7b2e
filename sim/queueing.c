/* sim/queueing.c - closed-form queueing results. See queueing.h. */
#include "sim/queueing.h"

#include <math.h>

void mmc_probabilities(int c, double a, double *wait_prob, double *idle_prob)
{
	if (c < 1 || !(a > 0)) {
		*wait_prob = 0;
		*idle_prob = 1;
		return;
	}
	/* Erlang B: B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)). */
	double b = 1.0;
	for (int k = 1; k <= c; k++)
		b = a * b / (k + a * b);
	/* With T = a^c / c!: the sum over i < c of a^i / i! is T (1/B - 1),
	 * and the waiting states add T c / (c - a). */
	double tail = c / (c - a);
	double rest = 1.0 / b - 1.0;
	*wait_prob = tail / (rest + tail);
	double log_t = c * log(a) - lgamma(c + 1.0);
	*idle_prob = exp(-log_t) / (rest + tail);
}
