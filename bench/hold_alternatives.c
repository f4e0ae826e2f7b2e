/*
 * bench/hold_alternatives.c - the hold model on the pending-set designs the
 * engine did not adopt, measured the same way as bench/hold.c (same mixes,
 * same random streams, handlers called through function pointers, events
 * ordered by (time, sequence)), so the choice in sim/pending.h can be
 * re-checked on any machine:
 *
 *   heap4     an implicit 4-ary min-heap of 24-byte (time, seq, event)
 *             entries: the textbook baseline.
 *   calendar  Brown's calendar queue (CACM 1988): buckets of width w in a
 *             "year" of nbuckets x w, sorted lists per bucket, resized by
 *             doubling/halving with the width re-estimated from samples.
 *
 * Output: one JSON object per measurement, as bench/hold.c, with "queue".
 * These structures exist only here; the engine uses sim/pending.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>

#include "bench/hold_mix.h"
#include "sim/rng.h"
#include "sim/time.h"


typedef struct bench_event bench_event;
typedef void (*handler_fn)(void *queue, bench_event *ev);

struct bench_event {
	sim_time_t time;
	uint64_t seq;
	handler_fn handler;
	bench_event *next; /* calendar bucket list */
};

typedef struct hold_state {
	gsl_rng *rng;
	mix_kind mix;
	uint64_t remaining;
	uint64_t seq;
} hold_state;

static sim_time_t draw_increment(hold_state *hs)
{
	return hold_draw_increment(hs->rng, hs->mix);
}

static inline int before(const bench_event *a, const bench_event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* --- 4-ary heap ---------------------------------------------------------- */

typedef struct heap_entry {
	sim_time_t time;
	uint64_t seq;
	bench_event *ev;
} heap_entry;

typedef struct heap4 {
	heap_entry *a;
	size_t n, cap;
} heap4;

static inline int entry_before(heap_entry x, heap_entry y)
{
	return x.time < y.time || (x.time == y.time && x.seq < y.seq);
}

static void heap4_push(heap4 *h, bench_event *ev)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 1024;
		h->a = realloc(h->a, h->cap * sizeof(*h->a));
	}
	heap_entry e = {ev->time, ev->seq, ev};
	size_t i = h->n++;
	while (i > 0 && entry_before(e, h->a[(i - 1) / 4])) {
		h->a[i] = h->a[(i - 1) / 4];
		i = (i - 1) / 4;
	}
	h->a[i] = e;
}

static bench_event *heap4_pop(heap4 *h)
{
	bench_event *top = h->a[0].ev;
	heap_entry last = h->a[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 4 * i + 1;
		if (c >= h->n)
			break;
		size_t end = c + 4 < h->n ? c + 4 : h->n, best = c;
		for (size_t k = c + 1; k < end; k++)
			if (entry_before(h->a[k], h->a[best]))
				best = k;
		if (!entry_before(h->a[best], last))
			break;
		h->a[i] = h->a[best];
		i = best;
	}
	if (h->n)
		h->a[i] = last;
	return top;
}

/* --- calendar queue ------------------------------------------------------ */

typedef struct calendar {
	bench_event **bucket;
	size_t nbuckets;
	sim_time_t width;
	size_t n;
	size_t last_bucket;
	sim_time_t bucket_top; /* end of the current bucket's slot this year */
	sim_time_t last_time;
} calendar;

static void cal_insert_raw(calendar *c, bench_event *ev)
{
	size_t i = (size_t)(ev->time / c->width) % c->nbuckets;
	bench_event **p = &c->bucket[i];
	while (*p && before(*p, ev))
		p = &(*p)->next;
	ev->next = *p;
	*p = ev;
	c->n++;
}

static void cal_init(calendar *c, size_t nbuckets, sim_time_t width, sim_time_t start)
{
	c->bucket = calloc(nbuckets, sizeof(*c->bucket));
	c->nbuckets = nbuckets;
	c->width = width > 0 ? width : 1;
	c->n = 0;
	c->last_time = start;
	c->last_bucket = (size_t)(start / c->width) % nbuckets;
	c->bucket_top = (start / c->width + 1) * c->width;
}

static bench_event *cal_pop(calendar *c);

/* Brown's resize: new width = 3 x the mean gap of the next few events. */
static void cal_resize(calendar *c, size_t nbuckets)
{
	size_t sample = c->n < 25 ? c->n : 25;
	bench_event *taken[25];
	for (size_t i = 0; i < sample; i++)
		taken[i] = cal_pop(c);
	sim_time_t width = c->width;
	if (sample > 1) {
		sim_time_t span = taken[sample - 1]->time - taken[0]->time;
		width = 3 * span / (sim_time_t)(sample - 1);
		if (width < 1)
			width = 1;
	}
	bench_event **old = c->bucket;
	size_t oldn = c->nbuckets;
	sim_time_t start = sample ? taken[0]->time : c->last_time;
	size_t count = c->n;
	(void)count;
	cal_init(c, nbuckets, width, start);
	for (size_t i = 0; i < oldn; i++)
		for (bench_event *e = old[i]; e;) {
			bench_event *next = e->next;
			cal_insert_raw(c, e);
			e = next;
		}
	for (size_t i = 0; i < sample; i++)
		cal_insert_raw(c, taken[i]);
	free(old);
}

static void cal_push(calendar *c, bench_event *ev)
{
	cal_insert_raw(c, ev);
	if (c->n > 2 * c->nbuckets)
		cal_resize(c, 2 * c->nbuckets);
}

static bench_event *cal_pop(calendar *c)
{
	if (c->n == 0)
		return NULL;
	for (;;) {
		size_t i = c->last_bucket;
		for (size_t k = 0; k < c->nbuckets; k++) {
			bench_event *e = c->bucket[i];
			if (e && e->time < c->bucket_top) {
				c->bucket[i] = e->next;
				c->n--;
				c->last_bucket = i;
				c->last_time = e->time;
				return e;
			}
			i = (i + 1) % c->nbuckets;
			c->bucket_top += c->width;
		}
		c->last_bucket = i;
		/* A whole year without an event: jump to the least one directly. */
		bench_event *least = NULL;
		for (size_t k = 0; k < c->nbuckets; k++)
			if (c->bucket[k] && (!least || before(c->bucket[k], least)))
				least = c->bucket[k];
		c->last_bucket = (size_t)(least->time / c->width) % c->nbuckets;
		c->bucket_top = (least->time / c->width + 1) * c->width;
	}
}

/* --- driver -------------------------------------------------------------- */

typedef enum { Q_HEAP4, Q_CALENDAR } queue_kind;
static const char *const queue_names[] = {"heap4", "calendar"};

typedef struct driver {
	queue_kind kind;
	heap4 heap;
	calendar cal;
	hold_state hs;
	sim_time_t now;
} driver;

static void push(driver *d, bench_event *ev)
{
	if (d->kind == Q_HEAP4)
		heap4_push(&d->heap, ev);
	else
		cal_push(&d->cal, ev);
}

static bench_event *pop(driver *d)
{
	return d->kind == Q_HEAP4 ? heap4_pop(&d->heap) : cal_pop(&d->cal);
}

static void on_hold(void *queue, bench_event *ev)
{
	driver *d = queue;
	ev->time = d->now + draw_increment(&d->hs);
	ev->seq = d->hs.seq++;
	push(d, ev);
	d->hs.remaining--;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A collapsed calendar queue can take hours; each phase stops after
 * TIME_BUDGET_S of wall time and the rate is reported from what ran
 * ("truncated": true). */
#define TIME_BUDGET_S 5.0

static uint64_t run(driver *d, int *truncated)
{
	uint64_t done = 0;
	double deadline = now_seconds() + TIME_BUDGET_S;
	*truncated = 0;
	while (d->hs.remaining > 0) {
		bench_event *ev = pop(d);
		d->now = ev->time;
		ev->handler(d, ev);
		done++;
		if ((done & 1023) == 0 && now_seconds() > deadline) {
			*truncated = 1;
			break;
		}
	}
	return done;
}

static void measure(queue_kind q, mix_kind mix, uint64_t pending, uint64_t events)
{
	driver d;
	memset(&d, 0, sizeof d);
	d.kind = q;
	d.hs.rng = sim_stream_new((sim_stream_key){1, 0, "hold", 0});
	d.hs.mix = mix;
	if (q == Q_CALENDAR)
		cal_init(&d.cal, 2, SIM_US, 0);
	bench_event *events_mem = calloc(pending, sizeof(*events_mem));
	for (uint64_t i = 0; i < pending; i++) {
		events_mem[i].time = draw_increment(&d.hs);
		events_mem[i].seq = d.hs.seq++;
		events_mem[i].handler = on_hold;
		push(&d, &events_mem[i]);
	}
	int truncated_warmup, truncated;
	d.hs.remaining = 2 * pending;
	run(&d, &truncated_warmup);
	d.hs.remaining = events;
	double t0 = now_seconds();
	uint64_t done = run(&d, &truncated);
	double wall = now_seconds() - t0;
	printf("{\"bench\":\"hold\",\"queue\":\"%s\",\"mix\":\"%s\",\"pending\":%llu,"
	       "\"events\":%llu,\"wall_s\":%.6f,\"events_per_s\":%.0f,\"truncated\":%s}\n",
	       queue_names[q], mix_names[mix], (unsigned long long)pending,
	       (unsigned long long)done, wall, (double)done / wall,
	       truncated || truncated_warmup ? "true" : "false");
	fflush(stdout);
	free(events_mem);
	free(d.heap.a);
	free(d.cal.bucket);
	gsl_rng_free(d.hs.rng);
}

int main(int argc, char **argv)
{
	uint64_t events = argc > 1 ? strtoull(argv[1], NULL, 10) : 5000000;
	const uint64_t pendings[] = {1000, 100000, 1000000};
	for (int q = 0; q < 2; q++)
		for (int p = 0; p < 3; p++)
			for (int m = 0; m < 3; m++)
				measure((queue_kind)q, (mix_kind)m, pendings[p], events);
	return 0;
}
