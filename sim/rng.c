/*
 * sim/rng.c - keyed random streams. See rng.h.
 *
 * The key is folded into 64 bits with FNV-1a over the purpose string and
 * SplitMix64 finalisers over the numeric parts; SplitMix64 then expands the
 * digest into taus2's three 32-bit state words. Both functions are public
 * domain reference constructions (Fowler/Noll/Vo; Steele, Lea and Flood
 * 2014), a handful of lines each; GSL offers no 64-bit seeding to use instead.
 */
#include <assert.h>
#include <string.h>

#include "rng.h"

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	uint64_t s = h ^ v;
	return splitmix64(&s);
}

uint64_t sim_stream_hash(sim_stream_key key)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325); /* FNV-1a offset basis */
	for (const unsigned char *p = (const unsigned char *)(key.purpose ? key.purpose : ""); *p; p++) {
		h ^= *p;
		h *= UINT64_C(0x100000001b3);
	}
	h = mix(h, key.seed);
	h = mix(h, key.replication);
	h = mix(h, key.entity);
	return h;
}

/* taus2's state, as GSL lays it out (rng/taus.c): three unsigned longs. */
typedef struct {
	unsigned long s1, s2, s3;
} taus_state;

void sim_stream_reset(gsl_rng *r, sim_stream_key key)
{
	assert(gsl_rng_size(r) == sizeof(taus_state));
	uint64_t sm = sim_stream_hash(key);
	uint64_t a = splitmix64(&sm), b = splitmix64(&sm);
	taus_state *st = gsl_rng_state(r);
	st->s1 = (unsigned long)(a & 0xffffffffu);
	st->s2 = (unsigned long)(a >> 32);
	st->s3 = (unsigned long)(b & 0xffffffffu);
	/* taus2 needs s1 > 1, s2 > 7, s3 > 15 (GSL's taus_set does the same). */
	if (st->s1 < 2)
		st->s1 += 2;
	if (st->s2 < 8)
		st->s2 += 8;
	if (st->s3 < 16)
		st->s3 += 16;
	/* Warm up as taus_set does, so the first outputs are well mixed. */
	for (int i = 0; i < 6; i++)
		gsl_rng_get(r);
}

gsl_rng *sim_stream_new(sim_stream_key key)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
	if (r)
		sim_stream_reset(r, key);
	return r;
}
