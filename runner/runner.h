/*
 * runner/runner.h - one replication of a scenario: build the world from the
 * resolved scenario, advance it, and collect its results.
 *
 * The runner sits above models/ and workloads/ and below the command line:
 * it translates the scenario's typed structs into model objects, seeds
 * every random stream from (spec.seed, replication, purpose, entity), and
 * deletes the warm-up from every statistic. It writes nothing anywhere; the
 * command line stores and prints what runner_results() gives.
 *
 * The caller advances the run in slices (runner_advance) so it can show
 * progress and react to SIGINT between slices.
 */
#ifndef MESHSIM_RUNNER_RUNNER_H
#define MESHSIM_RUNNER_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "models/app.h"
#include "models/dataplane.h"
#include "models/kernels/cost.h"
#include "models/mesh_profile.h"
#include "scenario/scenario.h"
#include "sim/engine.h"
#include "workloads/bulk.h"
#include "workloads/loadgen.h"

typedef struct runner_workload {
	const scn_workload *spec;
	app_service *target;
	loadgen gen;
	int connections;         /* as the scenario says */
	int sampled;             /* per-flow: connections run as events (else all) */
	bulk_result bulk;        /* bulk workloads: their streams (no events, bulk.h) */
} runner_workload;

/* Per-flow fidelity runs one connection in RUNNER_FLOW_SAMPLE as events
 * (at least one) and the others as fluid CPU demand. */
#define RUNNER_FLOW_SAMPLE 10

/* Per component of the mesh profile, summed over its instances, and one
 * entry named "node-kernel" for the kernel work of node hops. */
typedef struct runner_component_result {
	const char *name;
	int instances;
	bool user_space;
	double user_cores;      /* mean CPU in the window, cores */
	double kernel_cores;
	double dashboard_cores; /* what container metrics show */
	double memory_bytes;    /* all instances, at the end */
	uint64_t hops;          /* hops handled in the window */
	double hops_per_s;      /* the same, per second of the window */
	double wakeups_per_s;   /* hops that woke an idle worker, per second */
} runner_component_result;

typedef struct runner {
	const scenario *scn;
	uint32_t replication;
	uint64_t seed;
	sim_t *sim;
	app_service *services; /* one per spec.services[i] */
	size_t nservices;
	mesh_profile empty_profile; /* used when no mesh profile is given */
	dataplane dp;
	int built_dp;
	runner_workload *workloads;
	size_t nworkloads;
	sim_time_t warmup_end;
	sim_time_t end;
	int finished;
	/* Per flow that saturates (dataplane_fluid_saturated) runs per request,
	 * from this shallow copy of the scenario. */
	scenario *per_request_copy;
} runner;

/* Results of one workload over the statistics window. */
typedef struct runner_workload_result {
	const char *name;
	const char *target;
	const char *kind;        /* "open-loop", ... */
	double requested_qps;    /* 0 = as fast as possible */
	int connections;
	int sampled_connections; /* run as events; < connections under per-flow */
	double window_s;         /* length of the statistics window */
	double throughput;       /* ok replies per second in the window (per-flow:
	                          * of the sample, scaled to all connections) */
	/* Requests in the window, of all connections (lg_stats says which):
	 * per flow, the sample's counts scaled by connections / sampled, as
	 * the throughput is. The latency histogram (stats->latency) is of the
	 * requests run as events only. */
	uint64_t sent, ok, timeouts, failed, in_flight;
	/* Bulk workloads (kind "bulk"; 0 for the others): payload bits per
	 * second, and the streams' CPU on the senders' and receivers' nodes. */
	double throughput_bps;
	double client_node_cpu_cores, server_node_cpu_cores;
	double other_node_cpu_cores; /* on nodes that are neither (a waypoint's on a
	                              * third node) */
	const lg_stats *stats;   /* counts and the latency histogram (ns) */
} runner_workload_result;

typedef struct runner_service_result {
	const char *name;
	int replicas;
	int workers;
	uint64_t completed;      /* requests served over the whole run (per flow:
	                          * with the fluid traffic's, rate x time run) */
	double busy_workers;     /* time-average, summed over pods, in the window */
	double utilization;      /* busy_workers / (replicas x workers) */
	double mean_wait_ns;     /* queueing for a worker, in the window */
} runner_service_result;

/* Builds replication `replication` with master seed `seed`, pricing
 * operations with `costs` along the hops of `mesh` (NULL: no hops, so
 * requests cost only the application's time and the network). Returns 0,
 * or -1 with a message in err (out of memory). Warnings about parts of the
 * scenario that are not modelled yet go to `warn` (one per line; may be
 * NULL) so the caller decides where to show them. */
int runner_build(runner *r, const scenario *scn, const cost_profile *costs,
                 const mesh_profile *mesh, uint64_t seed, uint32_t replication,
                 char *err, size_t errlen, char *warn, size_t warnlen);

/* Checks what only the scenario and its mesh profile together can say is
 * wrong (an MTU that a tunnel's packetOverhead leaves no payload under),
 * before anything is opened or run. Returns 0, or -1 with a message that
 * starts with the field path in err. runner_build checks it too. */
int runner_check(const scenario *scn, const mesh_profile *mesh, char *err, size_t errlen);

/* Runs events up to `until` (clamped to the end of the run). */
void runner_advance(runner *r, sim_time_t until);

/* Closes the statistics (call once, after the last advance). */
void runner_finish(runner *r);

/* Results, valid until runner_free. Arrays have nworkloads / nservices
 * entries; the caller frees the arrays (not what they point into). */
runner_workload_result *runner_workload_results(const runner *r);
runner_service_result *runner_service_results(const runner *r);
/* ncomponents + 1 entries (the last is "node-kernel"); *n is set. */
runner_component_result *runner_component_results(const runner *r, size_t *n);

void runner_free(runner *r);

#endif
