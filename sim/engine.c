/*
 * sim/engine.c - event pool, scheduling, cancellation and the run loop.
 *
 * Cancelling frees the event record at once and bumps its generation; the
 * (time, slot, generation) entry stays in the pending set and is skipped
 * when it surfaces, because its generation no longer matches. The set
 * therefore never needs a delete operation, and a cancelled timeout costs
 * one comparison later on.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define NO_SLOT UINT32_MAX
#define SEQ_MASK ((UINT64_C(1) << 56) - 1)

static uint64_t tie_of(const void *owner, uint32_t slot)
{
	const sim_t *sim = owner;
	return sim->pool[slot].tie;
}

/* Adds records [from, to) to the free list, lowest index first. */
static void link_free(sim_t *sim, uint32_t from, uint32_t to)
{
	for (uint32_t i = to; i-- > from;) {
		sim->pool[i].gen = 0;
		sim->pool[i].next_free = sim->free_head;
		sim->free_head = i;
	}
}

static int grow_pool(sim_t *sim)
{
	uint32_t old = sim->pool_cap;
	if (old >= UINT32_MAX / 2)
		return -1;
	uint32_t cap = old ? old * 2 : 1024;
	sim_event *pool = realloc(sim->pool, (size_t)cap * sizeof(*pool));
	if (!pool)
		return -1;
	sim->pool = pool;
	sim->pool_cap = cap;
	link_free(sim, old, cap);
	return 0;
}

sim_t *sim_create(size_t capacity_hint)
{
	sim_t *sim = calloc(1, sizeof(*sim));
	if (!sim)
		return NULL;
	sim->free_head = NO_SLOT;
	pending_init(&sim->pending, tie_of, sim);
	size_t cap = 1024;
	while (cap < capacity_hint && cap < UINT32_MAX / 2)
		cap *= 2;
	sim->pool = malloc(cap * sizeof(*sim->pool));
	if (!sim->pool) {
		free(sim);
		return NULL;
	}
	sim->pool_cap = (uint32_t)cap;
	link_free(sim, 0, sim->pool_cap);
	return sim;
}

void sim_destroy(sim_t *sim)
{
	if (!sim)
		return;
	pending_free(&sim->pending);
	free(sim->pool);
	free(sim);
}

static inline void release(sim_t *sim, uint32_t slot)
{
	sim_event *ev = &sim->pool[slot];
	ev->gen++;
	ev->next_free = sim->free_head;
	sim->free_head = slot;
	sim->live--;
}

sim_event_id sim_schedule_at(sim_t *sim, sim_time_t at, int event_class,
                             sim_handler_fn handler, void *ctx, uint64_t arg)
{
	assert(at >= sim->now && "event scheduled in the past");
	assert(event_class >= 0 && event_class <= SIM_CLASS_MAX);
	if (sim->free_head == NO_SLOT && grow_pool(sim) != 0)
		abort(); /* out of memory: nothing sensible can continue */
	uint32_t slot = sim->free_head;
	sim_event *ev = &sim->pool[slot];
	sim->free_head = ev->next_free;
	ev->handler = handler;
	ev->ctx = ctx;
	ev->arg = arg;
	ev->tie = ((uint64_t)event_class << 56) | (sim->next_seq++ & SEQ_MASK);
	pending_entry e = {at, slot, ev->gen};
	if (pending_push(&sim->pending, e) != 0)
		abort();
	sim->live++;
	return (sim_event_id){slot, ev->gen};
}

sim_event_id sim_schedule(sim_t *sim, sim_time_t delay, sim_handler_fn handler,
                          void *ctx, uint64_t arg)
{
	assert(delay >= 0);
	return sim_schedule_at(sim, sim->now + delay, SIM_CLASS_DEFAULT, handler, ctx, arg);
}

bool sim_is_pending(const sim_t *sim, sim_event_id id)
{
	return id.slot < sim->pool_cap && sim->pool[id.slot].gen == id.gen &&
	       sim->pool[id.slot].handler != NULL;
}

bool sim_cancel(sim_t *sim, sim_event_id id)
{
	if (!sim_is_pending(sim, id))
		return false;
	sim->pool[id.slot].handler = NULL;
	release(sim, id.slot);
	return true;
}

void sim_stop(sim_t *sim)
{
	sim->stop_requested = true;
}

uint64_t sim_run(sim_t *sim, sim_time_t until)
{
	uint64_t before = sim->executed;
	pending_set *ps = &sim->pending;
	sim->stop_requested = false;
	while (!sim->stop_requested) {
		if (ps->count == 0)
			break;
		/* Peeking only when a stop time is set keeps the common
		 * run-to-completion loop to a single pop per event. */
		if (until != SIM_TIME_MAX && pending_peek_time(ps) > until)
			break;
		pending_entry e;
		pending_pop(ps, &e);
		sim_event *ev = &sim->pool[e.slot];
		if (ev->gen != e.gen)
			continue; /* cancelled; its record was already reused or freed */
		sim_handler_fn handler = ev->handler;
		void *ctx = ev->ctx;
		uint64_t arg = ev->arg;
		ev->handler = NULL;
		release(sim, e.slot);
		sim->now = e.time;
		sim->executed++;
		handler(sim, ctx, arg);
	}
	if (!sim->stop_requested && until != SIM_TIME_MAX && until > sim->now)
		sim->now = until;
	return sim->executed - before;
}
