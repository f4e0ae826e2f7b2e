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
} app_pod;

typedef struct app_service {
	const char *name; /* borrowed from the caller */
	app_pod *pods;
	int replicas;
	int workers;
	app_delay delay;
	gsl_rng *rng;
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

/* Restarts utilisation and queue statistics (end of warm-up). */
void app_service_restart_stats(app_service *s);

/* Mean busy workers over the statistics window, summed over pods, and
 * mean queue wait (ns) of requests that started service in it. */
double app_service_busy_workers(const app_service *s, sim_time_t now);
double app_service_mean_wait_ns(const app_service *s);

#endif
