/*
 * sim/pending.h - the pending-event set (the engine's hot path).
 *
 * A monotone priority queue of event references ordered by (time, tie),
 * where tie packs the event's class and scheduling sequence number, so that
 * events at the same instant come out by class, then in scheduling order.
 *
 * Implementation: a radix heap on a coarse key, time >> shift: entries sit
 * in 64 buckets by the highest bit in which their key differs from the key
 * of the last bucket minimum, and entries whose key equals it wait in a
 * small 4-ary heap ordered by (time, tie). Emptying a bucket is a
 * sequential scan, which is what large pending sets need, and there is no
 * bucket width that bimodal or zero-delay increments could spoil (calendar
 * queues collapse on those). The shift adapts to the spacing of the events
 * being popped so that a key holds a few events: a fine key wastes
 * redistributions sorting near neighbours one bit at a time, a coarse one
 * grows the small heap. See bench/hold.c and README.md for the
 * measurements behind this choice.
 *
 * Monotonicity: a pushed time must be >= the time of the last entry popped.
 * Times earlier than the current key (possible after a peek past a stop
 * time) are accepted through a side heap.
 *
 * The set stores (time, slot, generation) triples; it never dereferences the
 * engine's event records except through the tie lookup callback, which is
 * needed only between entries at the same nanosecond.
 */
#ifndef MESHSIM_SIM_PENDING_H
#define MESHSIM_SIM_PENDING_H

#include <stddef.h>
#include <stdint.h>

#include "time.h"

typedef struct pending_entry {
	sim_time_t time;
	uint32_t slot; /* index of the event record in the engine's pool */
	uint32_t gen;  /* generation of that record when scheduled */
} pending_entry;

/* Returns the tie key (class << 56 | sequence) of the event in `slot`. */
typedef uint64_t (*pending_tie_fn)(const void *owner, uint32_t slot);

typedef struct pending_vec {
	pending_entry *items;
	size_t len;
	size_t cap;
} pending_vec;

typedef struct pending_set {
	unsigned shift;         /* key = time >> shift */
	uint64_t last_key;      /* key of the last redistributed bucket minimum */
	uint64_t nonempty;      /* bit b - 1 set when bucket[b] holds entries */
	pending_vec bucket[64]; /* bucket[0] unused: see `current` */
	sim_time_t bucket_min[64]; /* least time in each non-empty bucket */
	pending_vec current;    /* key == last_key: a heap by (time, tie) */
	pending_vec early;      /* key < last_key: a heap by (time, tie) */
	size_t count;
	/* Shift adaptation: pops and time advanced since the window began. */
	uint64_t window_pops;
	sim_time_t window_start;
	sim_time_t last_popped;
	pending_tie_fn tie;
	const void *owner;
} pending_set;

void pending_init(pending_set *ps, pending_tie_fn tie, const void *owner);
void pending_free(pending_set *ps);

/* Adds an entry. Returns 0, or -1 when memory runs out (set unchanged). */
int pending_push(pending_set *ps, pending_entry e);

/* Removes the least entry into *out. Returns 0, or -1 when empty. */
int pending_pop(pending_set *ps, pending_entry *out);

/* Time of the least entry without removing it; SIM_TIME_MAX when empty.
 * May reorganise buckets (work that later pops would have done). */
sim_time_t pending_peek_time(pending_set *ps);

static inline size_t pending_count(const pending_set *ps) { return ps->count; }

#endif
