/*
 * workloads/bulk.h - netperf TCP_STREAM-style bulk transfer.
 *
 * Each connection is one TCP stream from a client pod to a server pod
 * (the same pairing as the request workloads, lg_connection_pods), sending
 * fixed-size messages as fast as its path allows for the whole run. A
 * stream at tens of Gbit/s is millions of packets a second, so it runs per
 * flow, never as events: its rate and CPU come from the data plane's
 * stream cost (dataplane_stream_cost: the slowest stage of its path, one
 * core each, or the wire), and its CPU loads the nodes as fluid demand, so
 * request workloads beside it find fewer cores.
 *
 * Streams share what they have in common in proportion: on a node whose
 * cores the streams would oversubscribe, or a link they would overfill,
 * every stream there slows by the same factor (one pass: a stream held
 * back elsewhere does not hand its share to the others).
 */
#ifndef MESHSIM_WORKLOADS_BULK_H
#define MESHSIM_WORKLOADS_BULK_H

#include <stdint.h>

#include "models/dataplane.h"
#include "workloads/loadgen.h"

typedef struct bulk_result {
	double bytes_per_s;      /* payload delivered, all streams */
	double client_cpu_cores; /* the streams' CPU on their senders' nodes */
	double server_cpu_cores; /* the same on their receivers' nodes (a stream within
	                          * one node counts here whole) */
	int unbounded;           /* streams whose path prices no work and crosses no
	                          * wire: no rate can be said; counted as 0 */
} bulk_result;

/* Prices `connections` streams to `t`'s pods, adds their CPU to the data
 * plane as fluid demand (call before dataplane_apply_fluid) and fills
 * `out`. Returns 0, or -1 (a path with too many stages, out of memory). */
int bulk_start(dataplane *dp, const lg_target *t, int connections, uint32_t message_bytes,
               bulk_result *out);

#endif
