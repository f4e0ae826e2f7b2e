/*
 * bench/hold_mix.h - the hold model's increment mixes (issue 2), shared by
 * bench/hold.c (the engine) and bench/hold_alternatives.c (the designs not
 * adopted), so both draw exactly the same increments:
 *   exp      Exp(mean 1 ms)
 *   bimodal  90 % Exp(mean 10 us), 10 % Exp(mean 100 ms)
 *   zero30   30 % zero delay, else Exp(mean 1 ms)
 */
#ifndef MESHSIM_BENCH_HOLD_MIX_H
#define MESHSIM_BENCH_HOLD_MIX_H

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/time.h"

typedef enum { MIX_EXP, MIX_BIMODAL, MIX_ZERO30 } mix_kind;
static const char *const mix_names[] = {"exp", "bimodal", "zero30"};

static inline sim_time_t hold_draw_increment(gsl_rng *rng, mix_kind mix)
{
	double mean_ns;
	switch (mix) {
	case MIX_BIMODAL:
		mean_ns = gsl_rng_uniform(rng) < 0.9 ? 10e3 : 100e6;
		break;
	case MIX_ZERO30:
		if (gsl_rng_uniform(rng) < 0.3)
			return 0;
		mean_ns = 1e6;
		break;
	case MIX_EXP:
	default:
		mean_ns = 1e6;
		break;
	}
	return (sim_time_t)gsl_ran_exponential(rng, mean_ns);
}

#endif
