/*
 * models/app.h - application services: pods with worker pools.
 *
 * A service has `replicas` pods; each pod is a k-server FCFS queue of
 * `workers` threads (sim/resource.h). A request holds one worker for its
 * service time, drawn from the service's delay distribution on a random
 * stream keyed by (seed, replication, "service-time", entity), where the
 * caller picks a stable entity id per service (the runner hashes its name),
 * so adding a service or a workload never shifts another's draws.
 *
 * This is the application only: the mesh, the kernel and the network
 * around it are models/dataplane.c, and downstream calls are made there
 * when the worker is done. The worker time is the application's time per
 * request as the scenario states it, wall time that holds a worker: node
 * CPU speed does not scale it (a server that sleeps 200 ms, as in the C4
 * test case, takes 200 ms on any node).
 */
#ifndef MESHSIM_MODELS_APP_H
#define MESHSIM_MODELS_APP_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "sim/engine.h"
#include "sim/resource.h"

typedef enum app_delay_kind {
	APP_DELAY_FIXED,
	APP_DELAY_EXPONENTIAL,
	APP_DELAY_LOGNORMAL,
	APP_DELAY_UNIFORM
} app_delay_kind;

typedef struct app_delay {
	app_delay_kind kind;
	int64_t mean_ns;   /* fixed, exponential, lognormal */
	int64_t stddev_ns; /* lognormal */
	int64_t min_ns;    /* uniform */
	int64_t max_ns;    /* uniform */
} app_delay;

typedef struct app_pod {
	fcfs_resource workers;
	/* Per flow: requests/s of fluid traffic served here, and what they do
	 * to the requests run as events (app_service_apply_fluid). */
	double fluid_rate;
	double fluid_busy;      /* workers the fluid traffic keeps busy */
	double fluid_wait_prob; /* chance an event request waits for it */
	double fluid_wait_ns;   /* mean of that wait, given it waits */
} app_pod;

typedef struct app_service {
	const char *name; /* borrowed from the caller */
	app_pod *pods;
	int replicas;
	int workers;
	app_delay delay;
	gsl_rng *rng;
	sim_t *sim;
	/* Per flow: draws of the wait the fluid traffic causes, on their own
	 * stream (key "fluid-wait", the service's entity), so per request's
	 * service-time draws stay as they are. */
	gsl_rng *wait_rng;
	double fluid_waited_ns; /* drawn waits, in the statistics window */
	uint64_t fluid_draws;
	uint64_t completed;
} app_service;

typedef struct app_request app_request;
typedef void (*app_reply_fn)(sim_t *sim, app_request *req);

/* A request in a pod's worker queue. The caller owns the memory (usually
 * inside its own request record) and must keep it until `reply` runs. */
struct app_request {
	res_job job;   /* first member: the resource hands back &job */
	app_service *service;
	app_reply_fn reply;
	void *owner;
};

/* Sets up a service. Returns 0, or -1 (out of memory or bad parameters). */
int app_service_init(app_service *s, sim_t *sim, const char *name, int replicas,
                     int workers, app_delay delay, uint64_t seed, uint32_t replication, uint64_t entity);
void app_service_free(app_service *s);

/* Queues a request at pod `pod` (0 <= pod < replicas). */
void app_service_submit(app_service *s, int pod, app_request *req);

/* Draws one service time (ns) from the service's distribution. */
int64_t app_draw_delay(app_service *s);

/* Per-flow fidelity. Adds `rate` requests/s of fluid traffic at pod `pod`;
 * then app_service_apply_fluid, once, before running, sets each pod's
 * wait: with the fluid traffic's load a = rate x mean service time on the
 * pod's workers, an event request waits with M/M/c's chance (Erlang C) for
 * an exponential time of mean E[S] / (c - a) scaled by (ca^2 + cs^2) / 2
 * (Allen-Cunneen), with cs the service time's coefficient of variation and
 * ca^2 = 0: the load generators pace their connections, so arrivals are
 * regular (fixed service times then never wait below saturation, as per
 * request; bursts of synchronised connections, which do wait per request,
 * are not seen). The fluid traffic also counts in the busy workers. A load
 * at or over the workers is held just under them (the busy workers show
 * the saturation). */
void app_service_add_fluid(app_service *s, int pod, double rate);
void app_service_apply_fluid(app_service *s);

/* Restarts utilisation and queue statistics (end of warm-up). */
void app_service_restart_stats(app_service *s);

/* Mean busy workers over the statistics window, summed over pods (the
 * fluid traffic's included), and mean queue wait (ns) of requests that
 * started service in it (with the fluid traffic's drawn waits). */
double app_service_busy_workers(const app_service *s, sim_time_t now);
double app_service_mean_wait_ns(const app_service *s);

#endif
