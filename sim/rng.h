/*
 * sim/rng.h - keyed random streams on GSL generators.
 *
 * Every stream is identified by (master seed, replication, purpose, entity)
 * and its generator state is derived from a hash of that key alone. Adding a
 * stream, or drawing more from one, never changes what another stream draws;
 * two scenarios that differ only in their mesh see the same arrivals under
 * the same seed (common random numbers).
 *
 * The generator is GSL's taus2 (L'Ecuyer 1996, period 2^88, 24 bytes of
 * state). GSL seeds generators from a 32-bit value, which would make two of
 * 50,000 per-pod streams collide with probability ~25 %; so the state is set
 * directly from a 64-bit key (GSL documents gsl_rng_state for this purpose),
 * with taus2's own constraints and warm-up applied.
 */
#ifndef MESHSIM_SIM_RNG_H
#define MESHSIM_SIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

typedef struct sim_stream_key {
	uint64_t seed;
	uint32_t replication;
	const char *purpose; /* e.g. "arrivals", "service-time" */
	uint64_t entity;     /* e.g. pod index; 0 when the purpose is global */
} sim_stream_key;

/* 64-bit digest of a key (stable across platforms and releases). */
uint64_t sim_stream_hash(sim_stream_key key);

/* Allocates a generator for the stream. Returns NULL when out of memory. */
gsl_rng *sim_stream_new(sim_stream_key key);

/* Re-keys an existing generator (allocated by sim_stream_new). */
void sim_stream_reset(gsl_rng *r, sim_stream_key key);

#endif
