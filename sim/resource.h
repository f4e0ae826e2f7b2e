/*
 * sim/resource.h - contended resources with busy-time accounting.
 *
 * A job is work measured in CPU nanoseconds at the resource's reference
 * speed, split into user and kernel time. The caller owns the job's memory
 * (usually embedded in its own request record), so submitting allocates
 * nothing; the resource calls job->done when the job completes.
 *
 * fcfs_resource: k identical servers and one FCFS queue (a proxy's worker
 *   threads, an API server's seats). A job holds one server for
 *   (user + kernel) / speed.
 *
 * ps_resource: processor sharing over `cores` (a node's CPUs shared by the
 *   runnable threads). With n jobs present each progresses at rate
 *   min(1, cores / n) x speed. Implemented with a virtual clock, so an
 *   arrival or departure costs O(log n) plus one rescheduled event.
 *
 * Both report busy time split into user and kernel nanoseconds of work
 * done (work in progress counted pro rata), which sums to the integral of
 * busy servers over time.
 */
#ifndef MESHSIM_SIM_RESOURCE_H
#define MESHSIM_SIM_RESOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "stats.h"

typedef struct res_job res_job;
typedef void (*res_done_fn)(sim_t *sim, res_job *job);

struct res_job {
	int64_t user_ns;    /* work, at reference speed */
	int64_t kernel_ns;
	res_done_fn done;
	void *owner;        /* for the caller's use */
	/* Filled in by the resource: */
	sim_time_t submitted;
	sim_time_t started;  /* FCFS: when a server took it */
	res_job *next;       /* FCFS queue link */
	double vfinish;      /* PS: virtual finish time */
	double vstart;       /* PS: virtual time at arrival */
	uint32_t index;      /* PS: position in the job heap; FCFS: server slot */
};

typedef struct res_busy {
	double user_ns;
	double kernel_ns;
} res_busy;

typedef struct fcfs_resource {
	sim_t *sim;
	int servers;
	int busy;
	double speed;        /* work ns per wall ns; 1.0 = reference host */
	res_job *head, *tail; /* waiting jobs */
	res_job **in_service; /* one slot per server, NULL when idle */
	uint64_t queued;     /* waiting now */
	uint64_t completed;
	res_busy done_work;  /* of completed jobs */
	level queue_len;     /* waiting jobs over time */
	level busy_servers;
	tally wait;          /* ns from submit to start, per started job */
} fcfs_resource;

/* Returns 0, or -1 when out of memory or servers < 1 or speed <= 0. */
int fcfs_init(fcfs_resource *r, sim_t *sim, int servers, double speed);
void fcfs_free(fcfs_resource *r);
void fcfs_submit(fcfs_resource *r, res_job *job);
/* Work done so far, including the elapsed part of jobs in service. */
res_busy fcfs_busy(const fcfs_resource *r);
/* Restarts the time-weighted levels and the wait tally (end of warm-up). */
void fcfs_restart_stats(fcfs_resource *r);

typedef struct ps_resource {
	sim_t *sim;
	double cores;
	double speed;
	res_job **heap;      /* min-heap by vfinish */
	uint32_t n, cap;
	double vnow;         /* virtual time: work per job done so far */
	sim_time_t vupdated; /* when vnow was last advanced */
	sim_event_id next_departure;
	uint64_t completed;
	res_busy done_work;
	level jobs;          /* jobs present over time */
} ps_resource;

int ps_init(ps_resource *r, sim_t *sim, double cores, double speed);
void ps_free(ps_resource *r);
/* Returns 0, or -1 when out of memory (the job is not taken). */
int ps_submit(ps_resource *r, res_job *job);
res_busy ps_busy(ps_resource *r);

/* token_pool: k tokens handed out first come, first served (a proxy's
 * worker threads while their CPU work runs on a node's ps_resource). The
 * holder gives its token back with pool_release. Granting is synchronous:
 * `granted` runs inside pool_acquire or pool_release. */
typedef struct pool_waiter pool_waiter;
struct pool_waiter {
	void (*granted)(sim_t *sim, pool_waiter *w);
	sim_time_t since;     /* filled in: when it asked */
	pool_waiter *next;
};

typedef struct token_pool {
	sim_t *sim;
	int tokens;
	int in_use;
	pool_waiter *head, *tail;
	uint64_t waiting;
	level busy_tokens;
	level queue_len;
	tally wait;           /* ns from asking to being granted */
} token_pool;

int pool_init(token_pool *p, sim_t *sim, int tokens);
/* Returns true if the pool had no token in use when asked (an idle worker
 * is woken), false otherwise; `granted` runs now or when a token frees. */
bool pool_acquire(token_pool *p, pool_waiter *w);
void pool_release(token_pool *p);
void pool_restart_stats(token_pool *p);

#endif
