/*
 * sim/stats.h - running statistics: Welford tallies, time-weighted levels,
 * windowed time series, and Student-t confidence intervals.
 */
#ifndef MESHSIM_SIM_STATS_H
#define MESHSIM_SIM_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "time.h"

/* Tally of observations: count, mean, variance (Welford's update, which
 * stays accurate where the naive sum of squares cancels), min, max.
 * Tallies merge (Chan, Golub and LeVeque's pairwise formula). */
typedef struct tally {
	uint64_t n;
	double mean;
	double m2;
	double min, max;
} tally;

void tally_init(tally *t);
void tally_add(tally *t, double x);
void tally_merge(tally *dst, const tally *src);
double tally_variance(const tally *t); /* sample variance (n - 1); 0 if n < 2 */
double tally_stddev(const tally *t);

/* A level that changes over simulated time (queue length, busy servers,
 * memory): its time average, min and max since `since`. */
typedef struct level {
	sim_time_t since;
	sim_time_t last_change;
	double value;
	double area;   /* integral of value dt, in value x ns, up to last_change */
	double min, max;
} level;

void level_init(level *l, sim_time_t now, double value);
void level_set(level *l, sim_time_t now, double value);
static inline void level_add(level *l, sim_time_t now, double delta) { level_set(l, now, l->value + delta); }
/* Restarts averaging at `now` keeping the current value (end of warm-up). */
void level_restart(level *l, sim_time_t now);
double level_mean(const level *l, sim_time_t now);

/* A series of fixed-width windows starting at `start`: each window holds
 * the count and the sum of the values added during it (throughput, CPU). */
typedef struct series {
	sim_time_t start;
	sim_time_t width;
	double *sum;
	uint64_t *count;
	size_t nwindows;
	size_t cap;
} series;

int series_init(series *s, sim_time_t start, sim_time_t width);
void series_free(series *s);
/* Adds a value at time t (t >= start). Returns 0, or -1 out of memory. */
int series_add(series *s, sim_time_t t, double value);

/* Mean and half-width of the two-sided confidence interval at `confidence`
 * (e.g. 0.95) for the mean of n independent replications, from the Student
 * t distribution with n - 1 degrees of freedom. Half-width is NaN if n < 2. */
typedef struct ci {
	double mean;
	double half_width;
	size_t n;
} ci;

ci ci_student_t(const double *x, size_t n, double confidence);
ci ci_from_tally(const tally *t, double confidence);

#endif
