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

#endif
