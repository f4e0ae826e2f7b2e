/* sim/resource.c - FCFS multi-server and processor-sharing resources. */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resource.h"

static sim_time_t service_duration(int64_t work_ns, double speed)
{
	return (sim_time_t)llround((double)work_ns / speed);
}

/* --- FCFS */

static void fcfs_start(fcfs_resource *r, res_job *job);

static void fcfs_on_complete(sim_t *sim, void *ctx, uint64_t arg)
{
	fcfs_resource *r = ctx;
	res_job *job = (res_job *)(uintptr_t)arg;
	r->in_service[job->index] = NULL;
	r->busy--;
	level_set(&r->busy_servers, sim_now(sim), r->busy);
	r->completed++;
	r->done_work.user_ns += (double)job->user_ns;
	r->done_work.kernel_ns += (double)job->kernel_ns;
	/* Hand the freed server to the next waiting job before telling the
	 * owner, so a job the owner submits from its callback queues behind. */
	if (r->head) {
		res_job *next = r->head;
		r->head = next->next;
		if (!r->head)
			r->tail = NULL;
		r->queued--;
		level_set(&r->queue_len, sim_now(sim), (double)r->queued);
		fcfs_start(r, next);
	}
	if (job->done)
		job->done(sim, job);
}

static void fcfs_start(fcfs_resource *r, res_job *job)
{
	sim_time_t now = sim_now(r->sim);
	int slot = 0;
	while (r->in_service[slot])
		slot++;
	r->in_service[slot] = job;
	job->index = (uint32_t)slot;
	job->started = now;
	r->busy++;
	level_set(&r->busy_servers, now, r->busy);
	tally_add(&r->wait, (double)(now - job->submitted));
	sim_schedule(r->sim, service_duration(job->user_ns + job->kernel_ns, r->speed),
	             fcfs_on_complete, r, (uint64_t)(uintptr_t)job);
}

int fcfs_init(fcfs_resource *r, sim_t *sim, int servers, double speed)
{
	memset(r, 0, sizeof(*r));
	if (servers < 1 || !(speed > 0))
		return -1;
	r->in_service = calloc((size_t)servers, sizeof(*r->in_service));
	if (!r->in_service)
		return -1;
	r->sim = sim;
	r->servers = servers;
	r->speed = speed;
	level_init(&r->queue_len, sim_now(sim), 0);
	level_init(&r->busy_servers, sim_now(sim), 0);
	tally_init(&r->wait);
	return 0;
}

void fcfs_free(fcfs_resource *r)
{
	free(r->in_service);
	r->in_service = NULL;
}

void fcfs_submit(fcfs_resource *r, res_job *job)
{
	assert(job->user_ns >= 0 && job->kernel_ns >= 0);
	job->submitted = sim_now(r->sim);
	job->next = NULL;
	if (r->busy < r->servers) {
		fcfs_start(r, job);
		return;
	}
	if (r->tail)
		r->tail->next = job;
	else
		r->head = job;
	r->tail = job;
	r->queued++;
	level_set(&r->queue_len, job->submitted, (double)r->queued);
}

res_busy fcfs_busy(const fcfs_resource *r)
{
	res_busy b = r->done_work;
	sim_time_t now = sim_now(r->sim);
	for (int i = 0; i < r->servers; i++) {
		const res_job *job = r->in_service[i];
		if (!job)
			continue;
		double total = (double)(job->user_ns + job->kernel_ns);
		if (total <= 0)
			continue;
		double done = (double)(now - job->started) * r->speed;
		if (done > total)
			done = total;
		b.user_ns += done * (double)job->user_ns / total;
		b.kernel_ns += done * (double)job->kernel_ns / total;
	}
	return b;
}

void fcfs_restart_stats(fcfs_resource *r)
{
	sim_time_t now = sim_now(r->sim);
	level_restart(&r->queue_len, now);
	level_restart(&r->busy_servers, now);
	tally_init(&r->wait);
}

/* --- processor sharing
 *
 * Virtual time vnow is the work each present job has received since the
 * resource began; it grows at rate speed * min(1, cores / n). A job that
 * arrives at virtual time v with work w leaves when vnow reaches v + w, so
 * the job with the least virtual finish always leaves next, and only that
 * one departure needs to be scheduled. */

static double ps_rate(const ps_resource *r)
{
	if (r->n == 0)
		return 0;
	double share = r->cores / (double)r->n;
	return r->speed * (share < 1.0 ? share : 1.0);
}

static void ps_advance(ps_resource *r)
{
	sim_time_t now = sim_now(r->sim);
	r->vnow += ps_rate(r) * (double)(now - r->vupdated);
	r->vupdated = now;
}

static void heap_swap(res_job **h, uint32_t a, uint32_t b)
{
	res_job *t = h[a];
	h[a] = h[b];
	h[b] = t;
	h[a]->index = a;
	h[b]->index = b;
}

static int ps_less(const res_job *a, const res_job *b)
{
	if (a->vfinish != b->vfinish)
		return a->vfinish < b->vfinish;
	return a->submitted < b->submitted; /* then FIFO among equals */
}

static void ps_sift_up(ps_resource *r, uint32_t i)
{
	while (i > 0 && ps_less(r->heap[i], r->heap[(i - 1) / 2])) {
		heap_swap(r->heap, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void ps_sift_down(ps_resource *r, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, best = i;
		if (l < r->n && ps_less(r->heap[l], r->heap[best]))
			best = l;
		if (l + 1 < r->n && ps_less(r->heap[l + 1], r->heap[best]))
			best = l + 1;
		if (best == i)
			return;
		heap_swap(r->heap, i, best);
		i = best;
	}
}

static void ps_on_departure(sim_t *sim, void *ctx, uint64_t arg);

static void ps_reschedule(ps_resource *r)
{
	sim_cancel(r->sim, r->next_departure);
	r->next_departure = SIM_EVENT_NONE;
	if (r->n == 0)
		return;
	double remaining = r->heap[0]->vfinish - r->vnow;
	if (remaining < 0)
		remaining = 0;
	/* Round up so the job has its full work when the event fires. */
	sim_time_t delay = (sim_time_t)ceil(remaining / ps_rate(r));
	r->next_departure = sim_schedule(r->sim, delay, ps_on_departure, r, 0);
}

static void ps_on_departure(sim_t *sim, void *ctx, uint64_t arg)
{
	(void)arg;
	ps_resource *r = ctx;
	r->next_departure = SIM_EVENT_NONE;
	ps_advance(r);
	res_job *job = r->heap[0];
	/* The event was scheduled for this job's finish: absorb the rounding. */
	if (r->vnow < job->vfinish)
		r->vnow = job->vfinish;
	r->n--;
	if (r->n > 0) {
		r->heap[0] = r->heap[r->n];
		r->heap[0]->index = 0;
		ps_sift_down(r, 0);
	}
	level_set(&r->jobs, sim_now(sim), r->n);
	r->completed++;
	r->done_work.user_ns += (double)job->user_ns;
	r->done_work.kernel_ns += (double)job->kernel_ns;
	ps_reschedule(r);
	if (job->done)
		job->done(sim, job);
}

int ps_init(ps_resource *r, sim_t *sim, double cores, double speed)
{
	memset(r, 0, sizeof(*r));
	if (!(cores > 0) || !(speed > 0))
		return -1;
	r->sim = sim;
	r->cores = cores;
	r->speed = speed;
	r->vupdated = sim_now(sim);
	r->next_departure = SIM_EVENT_NONE;
	level_init(&r->jobs, sim_now(sim), 0);
	return 0;
}

void ps_free(ps_resource *r)
{
	free(r->heap);
	r->heap = NULL;
	r->n = r->cap = 0;
}

int ps_submit(ps_resource *r, res_job *job)
{
	assert(job->user_ns >= 0 && job->kernel_ns >= 0);
	if (r->n == r->cap) {
		uint32_t cap = r->cap ? r->cap * 2 : 16;
		res_job **heap = realloc(r->heap, cap * sizeof(*heap));
		if (!heap)
			return -1;
		r->heap = heap;
		r->cap = cap;
	}
	ps_advance(r);
	job->submitted = sim_now(r->sim);
	job->started = job->submitted;
	job->vstart = r->vnow;
	job->vfinish = r->vnow + (double)(job->user_ns + job->kernel_ns);
	job->index = r->n;
	r->heap[r->n++] = job;
	ps_sift_up(r, job->index);
	level_set(&r->jobs, job->submitted, r->n);
	ps_reschedule(r);
	return 0;
}

res_busy ps_busy(ps_resource *r)
{
	ps_advance(r);
	res_busy b = r->done_work;
	for (uint32_t i = 0; i < r->n; i++) {
		const res_job *job = r->heap[i];
		double total = (double)(job->user_ns + job->kernel_ns);
		if (total <= 0)
			continue;
		double done = r->vnow - job->vstart;
		if (done > total)
			done = total;
		b.user_ns += done * (double)job->user_ns / total;
		b.kernel_ns += done * (double)job->kernel_ns / total;
	}
	return b;
}

/* --- token pool */

int pool_init(token_pool *p, sim_t *sim, int tokens)
{
	memset(p, 0, sizeof(*p));
	if (tokens < 1)
		return -1;
	p->sim = sim;
	p->tokens = tokens;
	level_init(&p->busy_tokens, sim_now(sim), 0);
	level_init(&p->queue_len, sim_now(sim), 0);
	tally_init(&p->wait);
	return 0;
}

static void pool_grant(token_pool *p, pool_waiter *w)
{
	sim_time_t now = sim_now(p->sim);
	p->in_use++;
	level_set(&p->busy_tokens, now, p->in_use);
	tally_add(&p->wait, (double)(now - w->since));
	w->granted(p->sim, w);
}

bool pool_acquire(token_pool *p, pool_waiter *w)
{
	bool was_idle = p->in_use == 0;
	w->since = sim_now(p->sim);
	w->next = NULL;
	if (p->in_use < p->tokens) {
		pool_grant(p, w);
		return was_idle;
	}
	if (p->tail)
		p->tail->next = w;
	else
		p->head = w;
	p->tail = w;
	p->waiting++;
	level_set(&p->queue_len, w->since, (double)p->waiting);
	return was_idle;
}

void pool_release(token_pool *p)
{
	sim_time_t now = sim_now(p->sim);
	assert(p->in_use > 0);
	p->in_use--;
	level_set(&p->busy_tokens, now, p->in_use);
	if (p->head) {
		pool_waiter *w = p->head;
		p->head = w->next;
		if (!p->head)
			p->tail = NULL;
		p->waiting--;
		level_set(&p->queue_len, now, (double)p->waiting);
		pool_grant(p, w);
	}
}

void pool_restart_stats(token_pool *p)
{
	sim_time_t now = sim_now(p->sim);
	level_restart(&p->busy_tokens, now);
	level_restart(&p->queue_len, now);
	tally_init(&p->wait);
}
