/*
 * workloads/bulk.h - netperf TCP_STREAM-style bulk transfer.
 *
 * Each connection of a bulk workload is one TCP stream from a client pod
 * to a server pod (the same pairing as the request workloads,
 * lg_connection_pods; connection i takes waypoint replica i), sending
 * fixed-size messages as fast as its path allows for the whole run. A
 * stream at tens of Gbit/s is millions of packets a second, so it runs per
 * flow, never as events: its rate and CPU come from the data plane's
 * stream cost (dataplane_stream_cost: the slowest stage of its path, one
 * core each, or the wire), and its CPU loads the nodes as fluid demand, so
 * request workloads beside it find fewer cores.
 *
 * All the run's streams, of every bulk workload, share what they have in
 * common in proportion: where they would oversubscribe a node's cores (less
 * the fluid requests' CPU there), a
 * proxy instance's workers (a stream keeps one busy; the CPU quota, less
 * the fluid requests' CPU there, caps them too) or a node's link in one
 * direction, every stream there slows by the same factor (one pass: a
 * stream held back elsewhere does not hand its share to the others).
 *
 * Use: bulk_add for each bulk workload, then bulk_share once (before
 * dataplane_apply_fluid), then bulk_free.
 */
#ifndef MESHSIM_WORKLOADS_BULK_H
#define MESHSIM_WORKLOADS_BULK_H

#include <stddef.h>
#include <stdint.h>

#include "models/dataplane.h"
#include "workloads/loadgen.h"

typedef struct bulk_result {
	double bytes_per_s;      /* payload delivered, all the workload's streams */
	double client_cpu_cores; /* the streams' CPU on their senders' nodes */
	double server_cpu_cores; /* the same on their receivers' nodes (a stream within
	                          * one node counts here whole) */
	double other_cpu_cores;  /* on nodes that are neither (a waypoint's, if it
	                          * runs on a third node) */
	int unbounded;           /* streams whose path prices no work and crosses no
	                          * wire: no rate can be said; counted as 0 */
} bulk_result;

typedef struct bulk_stream bulk_stream;
typedef struct bulk_set {
	bulk_stream *streams;
	size_t n, cap;
} bulk_set;

/* Prices `connections` streams of workload `workload` to `t`'s pods, each
 * at the rate it would have alone. Returns 0, or -1 (a path with too many
 * stages or legs) with the connection's index in *bad_connection, or -2
 * (out of memory). */
int bulk_add(bulk_set *set, const dataplane *dp, const lg_target *t, int connections,
             uint32_t message_bytes, int workload, int *bad_connection);

/* Shares the streams' common resources (a proxy's quota with the fluid
 * requests' CPU there, so call it after dataplane_add_fluid), sets each
 * stream's rate, adds their CPU to the data plane and adds each stream's
 * figures to results[workload] (zeroed by the caller; one entry per
 * workload index used). Call once. */
void bulk_share(bulk_set *set, dataplane *dp, bulk_result *results);

void bulk_free(bulk_set *set);

#endif
