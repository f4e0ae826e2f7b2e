/* sim/stats.c - tallies, levels, series and confidence intervals. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"

void tally_init(tally *t)
{
	t->n = 0;
	t->mean = t->m2 = 0;
	t->min = INFINITY;
	t->max = -INFINITY;
}

void tally_add(tally *t, double x)
{
	t->n++;
	double delta = x - t->mean;
	t->mean += delta / (double)t->n;
	t->m2 += delta * (x - t->mean);
	if (x < t->min)
		t->min = x;
	if (x > t->max)
		t->max = x;
}

void tally_merge(tally *dst, const tally *src)
{
	if (src->n == 0)
		return;
	if (dst->n == 0) {
		*dst = *src;
		return;
	}
	double na = (double)dst->n, nb = (double)src->n, n = na + nb;
	double delta = src->mean - dst->mean;
	dst->mean += delta * nb / n;
	dst->m2 += src->m2 + delta * delta * na * nb / n;
	dst->n += src->n;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

double tally_variance(const tally *t)
{
	return t->n < 2 ? 0.0 : t->m2 / (double)(t->n - 1);
}

double tally_stddev(const tally *t)
{
	return sqrt(tally_variance(t));
}

void level_init(level *l, sim_time_t now, double value)
{
	l->since = l->last_change = now;
	l->value = value;
	l->area = 0;
	l->min = l->max = value;
}

void level_set(level *l, sim_time_t now, double value)
{
	l->area += l->value * (double)(now - l->last_change);
	l->last_change = now;
	l->value = value;
	if (value < l->min)
		l->min = value;
	if (value > l->max)
		l->max = value;
}

void level_restart(level *l, sim_time_t now)
{
	level_init(l, now, l->value);
}

double level_mean(const level *l, sim_time_t now)
{
	double span = (double)(now - l->since);
	if (span <= 0)
		return l->value;
	return (l->area + l->value * (double)(now - l->last_change)) / span;
}

int series_init(series *s, sim_time_t start, sim_time_t width)
{
	memset(s, 0, sizeof(*s));
	if (width <= 0)
		return -1;
	s->start = start;
	s->width = width;
	return 0;
}

void series_free(series *s)
{
	free(s->sum);
	free(s->count);
	memset(s, 0, sizeof(*s));
}

int series_add(series *s, sim_time_t t, double value)
{
	if (t < s->start)
		return 0;
	size_t w = (size_t)((t - s->start) / s->width);
	if (w >= s->cap) {
		size_t cap = s->cap ? s->cap : 16;
		while (cap <= w)
			cap *= 2;
		double *sum = realloc(s->sum, cap * sizeof(*sum));
		if (!sum)
			return -1;
		s->sum = sum;
		uint64_t *count = realloc(s->count, cap * sizeof(*count));
		if (!count)
			return -1;
		s->count = count;
		memset(s->sum + s->cap, 0, (cap - s->cap) * sizeof(*sum));
		memset(s->count + s->cap, 0, (cap - s->cap) * sizeof(*count));
		s->cap = cap;
	}
	s->sum[w] += value;
	s->count[w]++;
	if (w + 1 > s->nwindows)
		s->nwindows = w + 1;
	return 0;
}

static double t_half_width(double stddev, size_t n, double confidence)
{
	if (n < 2)
		return NAN;
	double t = gsl_cdf_tdist_Pinv(0.5 + confidence / 2.0, (double)(n - 1));
	return t * stddev / sqrt((double)n);
}

ci ci_student_t(const double *x, size_t n, double confidence)
{
	ci r = {NAN, NAN, n};
	if (n == 0)
		return r;
	r.mean = gsl_stats_mean(x, 1, n);
	if (n >= 2)
		r.half_width = t_half_width(gsl_stats_sd_m(x, 1, n, r.mean), n, confidence);
	return r;
}

ci ci_from_tally(const tally *t, double confidence)
{
	ci r = {t->n ? t->mean : NAN, NAN, t->n};
	if (t->n >= 2)
		r.half_width = t_half_width(tally_stddev(t), t->n, confidence);
	return r;
}
