/*
 * bench/hold.c - the classic hold model on the engine (DESIGN.md).
 *
 * N events are pending; each event's handler, called through the engine's
 * function pointer, schedules one successor at now + an increment drawn
 * from the mix. After a warm-up of 2N events (so the pending set reaches its
 * steady-state shape), the next `events` events are timed.
 *
 * Mixes (issue 2):
 *   exp      Exp(mean 1 ms)
 *   bimodal  90 % Exp(mean 10 us), 10 % Exp(mean 100 ms)
 *   zero30   30 % zero delay, else Exp(mean 1 ms)
 *
 * Prints one JSON object per measurement:
 *   {"bench":"hold","queue":"radix","mix":"exp","pending":1000,"events":...,
 *    "wall_s":...,"events_per_s":...}
 *
 * Usage: hold [--pending N]... [--mix NAME]... [--events N] [--seed N]
 * Without options it measures every mix at 10^3, 10^5 and 10^6 pending.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>

#include "sim/engine.h"
#include "bench/hold_mix.h"
#include "sim/rng.h"


typedef struct hold_state {
	gsl_rng *rng;
	mix_kind mix;
	uint64_t remaining;
} hold_state;

static sim_time_t draw_increment(hold_state *hs)
{
	return hold_draw_increment(hs->rng, hs->mix);
}

static void on_hold(sim_t *sim, void *ctx, uint64_t arg)
{
	hold_state *hs = ctx;
	sim_schedule(sim, draw_increment(hs), on_hold, hs, arg);
	if (--hs->remaining == 0)
		sim_stop(sim);
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int measure(mix_kind mix, uint64_t pending, uint64_t events, uint64_t seed)
{
	sim_stream_key key = {seed, 0, "hold", 0};
	hold_state hs = {sim_stream_new(key), mix, 0};
	sim_t *sim = sim_create(pending);
	if (!hs.rng || !sim) {
		fprintf(stderr, "hold: out of memory\n");
		return -1;
	}
	for (uint64_t i = 0; i < pending; i++)
		sim_schedule(sim, draw_increment(&hs), on_hold, &hs, i);

	hs.remaining = 2 * pending; /* warm-up */
	sim_run(sim, SIM_TIME_MAX);

	hs.remaining = events;
	double t0 = now_seconds();
	uint64_t done = sim_run(sim, SIM_TIME_MAX);
	double wall = now_seconds() - t0;

	printf("{\"bench\":\"hold\",\"queue\":\"radix\",\"mix\":\"%s\",\"pending\":%llu,"
	       "\"events\":%llu,\"wall_s\":%.6f,\"events_per_s\":%.0f}\n",
	       mix_names[mix], (unsigned long long)pending, (unsigned long long)done, wall,
	       (double)done / wall);
	fflush(stdout);
	sim_destroy(sim);
	gsl_rng_free(hs.rng);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t pendings[8];
	int npend = 0;
	int mixes[3];
	int nmix = 0;
	uint64_t events = 0, seed = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--pending") && i + 1 < argc && npend < 8)
			pendings[npend++] = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--mix") && i + 1 < argc && nmix < 3) {
			const char *name = argv[++i];
			int found = -1;
			for (int m = 0; m < 3; m++)
				if (!strcmp(name, mix_names[m]))
					found = m;
			if (found < 0) {
				fprintf(stderr, "hold: unknown mix '%s' (exp, bimodal, zero30)\n", name);
				return 2;
			}
			mixes[nmix++] = found;
		} else if (!strcmp(argv[i], "--events") && i + 1 < argc)
			events = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: hold [--pending N]... [--mix exp|bimodal|zero30]... "
			                "[--events N] [--seed N]\n");
			return 2;
		}
	}
	if (npend == 0) {
		pendings[0] = 1000, pendings[1] = 100000, pendings[2] = 1000000;
		npend = 3;
	}
	if (nmix == 0) {
		mixes[0] = MIX_EXP, mixes[1] = MIX_BIMODAL, mixes[2] = MIX_ZERO30;
		nmix = 3;
	}
	for (int p = 0; p < npend; p++)
		for (int m = 0; m < nmix; m++) {
			uint64_t n = events ? events : (pendings[p] * 10 > 10000000 ? pendings[p] * 10 : 10000000);
			if (measure((mix_kind)mixes[m], pendings[p], n, seed) != 0)
				return 1;
		}
	return 0;
}
