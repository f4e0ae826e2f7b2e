/*
 * tests/sim/test_pending.c - the pending-event set and the engine's firing
 * order against a reference sort, under random schedule/cancel sequences
 * with many ties, events scheduled from handlers (including zero delay),
 * shift re-keying, and stops that peek past the stop time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/engine.h"

/* Reference record of every scheduled event: its ordering key and whether
 * it was cancelled. The expected firing order is the sort of the
 * non-cancelled ones by (time, class, seq). */
typedef struct ref_event {
	sim_time_t time;
	int cls;
	uint64_t seq;
	int cancelled;
	int fired;
	sim_event_id id;
} ref_event;

typedef struct harness {
	ref_event *ev;
	size_t n, cap;
	uint64_t *fired; /* seq numbers in firing order */
	size_t nfired;
	uint64_t rng;    /* xorshift state: the test's own, independent of GSL */
	int spawn;       /* handlers schedule more events while > 0 */
} harness;

static uint64_t next_rand(harness *h)
{
	h->rng ^= h->rng << 13;
	h->rng ^= h->rng >> 7;
	h->rng ^= h->rng << 17;
	return h->rng;
}

static void on_event(sim_t *sim, void *ctx, uint64_t arg);

static void schedule_one(harness *h, sim_t *sim, sim_time_t at, int cls)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 256;
		h->ev = realloc(h->ev, h->cap * sizeof(*h->ev));
		h->fired = realloc(h->fired, h->cap * sizeof(*h->fired));
	}
	ref_event *r = &h->ev[h->n];
	r->time = at;
	r->cls = cls;
	r->seq = h->n;
	r->cancelled = r->fired = 0;
	r->id = sim_schedule_at(sim, at, cls, on_event, h, h->n);
	h->n++;
}

/* A time drawn so that ties are common: a few distinct instants close to
 * now, occasionally far away, sometimes exactly now. */
static sim_time_t draw_time(harness *h, sim_time_t now)
{
	switch (next_rand(h) % 6) {
	case 0:
		return now;
	case 1:
		return now + (sim_time_t)(next_rand(h) % 4);
	case 2:
		return now + (sim_time_t)(next_rand(h) % 1000);
	case 3:
		return now + (sim_time_t)(next_rand(h) % 100) * 1000;
	case 4:
		return now + (sim_time_t)(next_rand(h) % 1000000000);
	default:
		return now + (sim_time_t)(next_rand(h) % (1ull << 40));
	}
}

static void on_event(sim_t *sim, void *ctx, uint64_t arg)
{
	harness *h = ctx;
	ref_event *r = &h->ev[arg];
	assert_false(r->cancelled);
	assert_false(r->fired);
	assert_int_equal(sim_now(sim), r->time);
	r->fired = 1;
	h->fired[h->nfired++] = arg;
	if (h->spawn > 0) {
		int k = (int)(next_rand(h) % 3);
		for (int i = 0; i < k && h->spawn > 0; i++, h->spawn--)
			schedule_one(h, sim, draw_time(h, sim_now(sim)), (int)(next_rand(h) % 3) * 64);
		/* Cancel a random pending event now and then. */
		if (next_rand(h) % 4 == 0) {
			size_t victim = next_rand(h) % h->n;
			ref_event *v = &h->ev[victim];
			int was_pending = !v->cancelled && !v->fired;
			assert_int_equal(sim_cancel(sim, v->id), was_pending);
			if (was_pending)
				v->cancelled = 1;
		}
	}
}

static int ref_cmp(const void *a, const void *b)
{
	const ref_event *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/* Events scheduled from inside handlers are only comparable with events
 * pending at the same moment, so the check is: the firing sequence is
 * non-decreasing in (time, class, seq) wherever time and class tie, time
 * never goes back, every non-cancelled event fired exactly once, and for
 * events all scheduled up front, the order equals the reference sort. */
static void check_order(const harness *h)
{
	size_t expect = 0;
	for (size_t i = 0; i < h->n; i++) {
		if (!h->ev[i].cancelled) {
			assert_true(h->ev[i].fired);
			expect++;
		} else {
			assert_false(h->ev[i].fired);
		}
	}
	assert_int_equal(h->nfired, expect);
	for (size_t i = 1; i < h->nfired; i++) {
		const ref_event *a = &h->ev[h->fired[i - 1]], *b = &h->ev[h->fired[i]];
		assert_true(a->time <= b->time);
		if (a->time == b->time && a->cls == b->cls)
			assert_true(a->seq < b->seq);
	}
}

static void run_static(uint64_t seed, size_t count, int cancel_every)
{
	harness h = {0};
	h.rng = seed;
	sim_t *sim = sim_create(16);
	for (size_t i = 0; i < count; i++)
		schedule_one(&h, sim, draw_time(&h, 0), (int)(next_rand(&h) % 4) * 50);
	for (size_t i = 0; i < count; i++)
		if (next_rand(&h) % (uint64_t)cancel_every == 0) {
			assert_true(sim_cancel(sim, h.ev[i].id));
			assert_false(sim_cancel(sim, h.ev[i].id)); /* twice is harmless */
			h.ev[i].cancelled = 1;
		}
	sim_run(sim, SIM_TIME_MAX);
	check_order(&h);

	/* Exact order: the reference sort of the survivors. */
	ref_event *sorted = malloc(h.n * sizeof(*sorted));
	size_t m = 0;
	for (size_t i = 0; i < h.n; i++)
		if (!h.ev[i].cancelled)
			sorted[m++] = h.ev[i];
	qsort(sorted, m, sizeof(*sorted), ref_cmp);
	assert_int_equal(m, h.nfired);
	for (size_t i = 0; i < m; i++)
		assert_int_equal(sorted[i].seq, h.fired[i]);
	assert_int_equal(sim_pending_events(sim), 0);
	free(sorted);
	free(h.ev);
	free(h.fired);
	sim_destroy(sim);
}

static void test_static_against_reference_sort(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 20; seed++)
		run_static(seed * 7919, 2000, 5);
	/* Large enough to trigger the shift re-keying several times. */
	run_static(12345, 200000, 3);
}

static void test_dynamic_schedule_and_cancel(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 10; seed++) {
		harness h = {0};
		h.rng = seed * 104729;
		h.spawn = 50000;
		sim_t *sim = sim_create(0);
		for (int i = 0; i < 100; i++)
			schedule_one(&h, sim, draw_time(&h, 0), 64);
		sim_run(sim, SIM_TIME_MAX);
		check_order(&h);
		free(h.ev);
		free(h.fired);
		sim_destroy(sim);
	}
}

/* Stopping at `until` peeks at the next event; scheduling afterwards at a
 * time before that event must still fire first. */
static void test_run_until_then_schedule_earlier(void **state)
{
	(void)state;
	harness h = {0};
	h.rng = 99;
	sim_t *sim = sim_create(0);
	schedule_one(&h, sim, 1000000, 64);
	schedule_one(&h, sim, 5000000, 64);
	assert_int_equal(sim_run(sim, 2000000), 1);
	assert_int_equal(sim_now(sim), 2000000);
	schedule_one(&h, sim, 2000001, 64); /* before the peeked 5 ms event */
	schedule_one(&h, sim, 2000000, 64); /* at now */
	schedule_one(&h, sim, 3000000, 0);
	sim_run(sim, SIM_TIME_MAX);
	assert_int_equal(h.nfired, 5);
	uint64_t expect[] = {0, 3, 2, 4, 1};
	for (int i = 0; i < 5; i++)
		assert_int_equal(h.fired[i], expect[i]);
	free(h.ev);
	free(h.fired);
	sim_destroy(sim);
}

static uint64_t tie_is_slot(const void *owner, uint32_t slot)
{
	(void)owner;
	return slot;
}

static void test_pending_set_direct(void **state)
{
	(void)state;
	/* Pops come out sorted by (time, tie) for pushes of monotone-valid
	 * times; the tie here is the slot number, which grows with pushes. */
	pending_set ps;
	pending_init(&ps, tie_is_slot, NULL);
	uint32_t last_slot = 0;
	uint64_t rng = 42;
	sim_time_t last = 0;
	size_t pushed = 0, popped = 0;
	for (int round = 0; round < 200000; round++) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		if (rng % 3 != 0 || pending_count(&ps) == 0) {
			pending_entry e = {last + 1 + (sim_time_t)((rng >> 8) % 100000) * 64 + (sim_time_t)(pushed % 64),
			                   (uint32_t)pushed, 0};
			assert_int_equal(pending_push(&ps, e), 0);
			pushed++;
		} else {
			pending_entry e;
			assert_int_equal(pending_pop(&ps, &e), 0);
			assert_true(e.time >= last);
			if (e.time == last && popped > 0)
				assert_true(e.slot > last_slot);
			last = e.time;
			last_slot = e.slot;
			popped++;
		}
	}
	assert_int_equal(pending_count(&ps), pushed - popped);
	pending_free(&ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_against_reference_sort),
		cmocka_unit_test(test_dynamic_schedule_and_cancel),
		cmocka_unit_test(test_run_until_then_schedule_earlier),
		cmocka_unit_test(test_pending_set_direct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
