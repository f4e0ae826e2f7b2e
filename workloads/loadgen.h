/*
 * workloads/loadgen.h - load generators in the shapes benchmarks use.
 *
 * A generator drives one target service over `connections` connections,
 * each with at most one request in flight (HTTP/1.1 without pipelining, as
 * Fortio and wrk2 use it). Connections are balanced over the service's pods
 * when opened (connection i goes to pod i mod replicas), as kube-proxy
 * balances connections rather than requests.
 *
 *   LG_OPEN_LOOP     Fortio `load -qps R -c C`: each connection paces at
 *                    R / C per second; a request whose turn came while the
 *                    previous one was outstanding goes as soon as the reply
 *                    arrives (catch-up), unless no_catchup. Latency is
 *                    measured from the actual send. qps 0: as fast as
 *                    possible (each connection sends on every reply).
 *   LG_CONSTANT_THROUGHPUT  wrk2 `-R`: the same pacing, but latency runs
 *                    from the intended send time, so queueing behind a slow
 *                    reply is charged to the request (no coordinated
 *                    omission).
 *   LG_CLOSED_LOOP   `concurrency` requests in flight; each reply triggers
 *                    the next request at once.
 *   LG_CONNECTION_PER_REQUEST  paced like open loop; each request opens its
 *                    own connection (handshakes and connection set-up are
 *                    paid on every request).
 *
 * A request that is not answered within `timeout` counts as a timeout and
 * frees its connection (Fortio -timeout); the late reply is discarded.
 *
 * Statistics cover the window [warmup_end, end): latency of requests sent
 * in it and answered before the end, throughput of replies in it.
 * Conservation: sent = ok + timeouts + in_flight + failed, always.
 */
#ifndef MESHSIM_WORKLOADS_LOADGEN_H
#define MESHSIM_WORKLOADS_LOADGEN_H

#include <stdbool.h>
#include <stdint.h>

#include "models/dataplane.h"
#include "sim/engine.h"
#include "sim/histogram.h"

typedef enum lg_kind {
	LG_OPEN_LOOP,
	LG_CONSTANT_THROUGHPUT,
	LG_CLOSED_LOOP,
	LG_CONNECTION_PER_REQUEST
} lg_kind;

typedef struct lg_config {
	lg_kind kind;
	double qps;          /* total requests per second; 0 = as fast as possible */
	int connections;     /* >= 1 (closed loop: the concurrency) */
	sim_time_t start;    /* first request */
	sim_time_t end;      /* no request is sent at or after this time */
	sim_time_t timeout;  /* > 0 */
	sim_time_t warmup_end;
	bool uniform;        /* stagger connection start times over one interval */
	bool no_catchup;     /* skip turns missed while a reply was outstanding */
	/* > 0: the generator's timer ticks. A request that must wait for its
	 * turn after a reply waits whole ticks, floor(wait / tick) + 1 (wrk2
	 * rounds the wait to msec_to_wait = round(wait_ms + 0.5) on its 1 ms
	 * event-loop timer), so it leaves up to a tick late; a constant-
	 * throughput workload's latency still counts from its turn (the
	 * others' from the send). 0: exactly on time. */
	sim_time_t timer_resolution;
} lg_config;

typedef struct lg_stats {
	uint64_t sent, ok, timeouts, failed; /* in the window (by send time) */
	uint64_t in_flight;                  /* sent in the window, unanswered at the end */
	uint64_t replies_in_window;          /* ok replies received in the window */
	histogram latency;                   /* ns */
} lg_stats;

typedef struct lg_request lg_request;
typedef struct lg_connection lg_connection;

/* Where a generator sends: its client pods and the target's pods, all as
 * indexes into the data plane's pods. */
typedef struct lg_target {
	dataplane *dp;
	int client_pod;         /* the first client pod */
	int nclient_pods;       /* client pods client_pod .. + n - 1; 0 is taken as 1 */
	int first_server_pod;
	int nserver_pods;       /* 0: the service has no endpoints */
	uint32_t request_bytes; /* body */
	uint32_t response_bytes;
} lg_target;

/* The client and server pods of connection i: client pod i mod
 * nclient_pods, server pod (i / nclient_pods) mod nserver_pods (-1 when the
 * service has no endpoints), so that with several client pods every pair
 * of client and server pods gets its share of the connections. */
void lg_connection_pods(const lg_target *t, int i, int *client_pod, int *server_pod);

typedef struct loadgen {
	sim_t *sim;
	lg_config cfg;
	lg_target target;
	sim_time_t interval;      /* per connection; 0 = back to back */
	lg_connection *conns;
	lg_request *free_list;
	void **slabs;             /* request records, allocated in slabs */
	size_t nslabs;
	lg_stats stats;
	uint64_t total_sent;      /* over the whole run, for conservation checks */
	uint64_t total_answered;  /* ok + timeouts + failed over the whole run */
} loadgen;

/* Sets up the generator and schedules its first requests. Returns 0, or -1
 * (out of memory, or a bad configuration). */
int loadgen_init(loadgen *lg, sim_t *sim, const lg_config *cfg, const lg_target *target);
void loadgen_free(loadgen *lg);

/* Counts requests still outstanding into stats.in_flight (call once, at the
 * end of the run). */
void loadgen_finish(loadgen *lg);

#endif
