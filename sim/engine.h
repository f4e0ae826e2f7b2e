/*
 * sim/engine.h - the discrete-event engine: clock, events, run loop.
 *
 * Contract:
 *  - Events fire in (time, class, sequence) order. The sequence number is
 *    assigned at scheduling, so events at the same time and class fire in
 *    the order they were scheduled; runs are deterministic.
 *  - Event records live in a pool owned by the engine (no malloc per event;
 *    the pool grows by doubling). An event handle is a (slot, generation)
 *    pair: cancelling is O(1) and a handle goes stale once the event fired
 *    or was cancelled, so cancelling twice is harmless.
 *  - Handlers receive the engine, an opaque context pointer and a 64-bit
 *    argument. They may schedule and cancel events, including at time now.
 *  - Scheduling in the past is a programming error (asserted).
 *
 * The engine knows nothing of meshes, YAML or SQLite.
 */
#ifndef MESHSIM_SIM_ENGINE_H
#define MESHSIM_SIM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pending.h"
#include "time.h"

typedef struct sim sim_t;

typedef void (*sim_handler_fn)(sim_t *sim, void *ctx, uint64_t arg);

/* Event classes order simultaneous events: lower classes fire first.
 * Models use SIM_CLASS_DEFAULT; statistics sampling uses SIM_CLASS_LATE so
 * that it observes the state after everything else at that instant. */
enum {
	SIM_CLASS_EARLY = 0,
	SIM_CLASS_DEFAULT = 64,
	SIM_CLASS_LATE = 128,
	SIM_CLASS_MAX = 255
};

typedef struct sim_event_id {
	uint32_t slot;
	uint32_t gen;
} sim_event_id;

/* A handle that refers to no event; cancelling it does nothing. */
#define SIM_EVENT_NONE ((sim_event_id){UINT32_MAX, 0})

typedef struct sim_event {
	sim_handler_fn handler;
	void *ctx;
	uint64_t arg;
	uint64_t tie;      /* class << 56 | sequence */
	uint32_t gen;      /* bumped when the record is freed */
	uint32_t next_free;
} sim_event;

struct sim {
	sim_time_t now;
	uint64_t next_seq;
	uint64_t executed;   /* events whose handler ran */
	bool stop_requested;
	sim_event *pool;
	uint32_t pool_cap;
	uint32_t free_head;  /* UINT32_MAX when the free list is empty */
	uint32_t live;       /* scheduled, not yet fired or cancelled */
	pending_set pending;
};

/* Creates an engine at time 0 with room for `capacity_hint` pending events
 * (it grows beyond that on demand). Returns NULL when out of memory. */
sim_t *sim_create(size_t capacity_hint);
void sim_destroy(sim_t *sim);

/* Schedules handler(ctx, arg) at absolute time `at` (>= now). */
sim_event_id sim_schedule_at(sim_t *sim, sim_time_t at, int event_class,
                             sim_handler_fn handler, void *ctx, uint64_t arg);

/* Schedules at now + delay (delay >= 0) in SIM_CLASS_DEFAULT. */
sim_event_id sim_schedule(sim_t *sim, sim_time_t delay, sim_handler_fn handler,
                          void *ctx, uint64_t arg);

/* Cancels a pending event. Returns true if it was pending. */
bool sim_cancel(sim_t *sim, sim_event_id id);

/* True if the handle refers to an event that has neither fired nor been
 * cancelled. */
bool sim_is_pending(const sim_t *sim, sim_event_id id);

/* Runs events with time <= until, then sets the clock to `until` (unless
 * stopped early or until == SIM_TIME_MAX and the set ran dry, in which
 * case the clock stays at the last event). Returns the number of events
 * executed by this call. */
uint64_t sim_run(sim_t *sim, sim_time_t until);

/* Asks sim_run to return after the current handler. */
void sim_stop(sim_t *sim);

static inline sim_time_t sim_now(const sim_t *sim) { return sim->now; }
static inline uint64_t sim_events_executed(const sim_t *sim) { return sim->executed; }
static inline uint32_t sim_pending_events(const sim_t *sim) { return sim->live; }

#endif
