/* workloads/bulk.c - netperf TCP_STREAM-style bulk transfer. See bulk.h. */
#include "workloads/bulk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct bulk_stream {
	int workload;
	dp_stream_cost sc;
	double rate; /* bytes per second */
};

int bulk_add(bulk_set *set, const dataplane *dp, const lg_target *t, int connections,
             uint32_t message_bytes, int workload, int *bad_connection)
{
	if (connections < 1 || t->nserver_pods < 1)
		return 0;
	if (set->n + (size_t)connections > set->cap) {
		size_t cap = set->cap ? set->cap : 16;
		while (cap < set->n + (size_t)connections)
			cap *= 2;
		bulk_stream *s = realloc(set->streams, cap * sizeof(*s));
		if (!s)
			return -2;
		set->streams = s;
		set->cap = cap;
	}
	for (int i = 0; i < connections; i++) {
		bulk_stream *b = &set->streams[set->n];
		int client, server;
		lg_connection_pods(t, i, &client, &server);
		b->workload = workload;
		if (dataplane_stream_cost(dp, client, server, message_bytes, i, &b->sc) != 0) {
			if (bad_connection)
				*bad_connection = i;
			return -1;
		}
		b->rate = dataplane_stream_rate(dp, &b->sc);
		set->n++;
	}
	return 0;
}

/* What the streams would use at their solo rates, per node and instance. */
typedef struct load {
	double *node_cores, *out_bps, *in_bps, *inst_cores;
} load;

static double cores_of(const dp_stream_stage *st, double rate)
{
	return rate * (st->user_ns + st->kernel_ns) / 1e9;
}

void bulk_share(bulk_set *set, dataplane *dp, bulk_result *results)
{
	size_t nn = dp->nnodes, ni = dp->ninst;
	load l = {calloc(nn, sizeof(double)), calloc(nn, sizeof(double)),
	          calloc(nn, sizeof(double)), calloc(ni ? ni : 1, sizeof(double))};
	if (!l.node_cores || !l.out_bps || !l.in_bps || !l.inst_cores)
		abort(); /* a few doubles per node and instance */
	double bw = dp->opt.bandwidth_bps;
	for (size_t i = 0; i < set->n; i++) {
		bulk_stream *b = &set->streams[i];
		if (!isfinite(b->rate)) {
			results[b->workload].unbounded++;
			b->rate = 0;
		}
		for (int s = 0; s < b->sc.nstages; s++) {
			const dp_stream_stage *st = &b->sc.stage[s];
			l.node_cores[st->node] += cores_of(st, b->rate);
			if (st->inst >= 0)
				l.inst_cores[st->inst] += cores_of(st, b->rate);
		}
		for (int g = 0; g < b->sc.nlegs; g++) {
			if (b->sc.leg_from[g] >= 0)
				l.out_bps[b->sc.leg_from[g]] += b->rate * b->sc.wire_bits_per_byte;
			l.in_bps[b->sc.leg_to[g]] += b->rate * b->sc.wire_bits_per_byte;
		}
	}
	/* Each stream slows by the worst oversubscription among its nodes'
	 * cores, its proxies' workers and its legs' links. */
	for (size_t i = 0; i < set->n; i++) {
		bulk_stream *b = &set->streams[i];
		double f = 1.0;
		for (int s = 0; s < b->sc.nstages; s++) {
			const dp_stream_stage *st = &b->sc.stage[s];
			/* A node's cores, less what the fluid requests take (per
			 * flow); a sliver is kept so streams move. */
			const dp_node *node = &dp->nodes[st->node];
			double cores = node->cores - node->fluid_cores;
			if (cores < 0.05 * node->cores)
				cores = 0.05 * node->cores;
			if (l.node_cores[st->node] > cores)
				f = fmin(f, cores / l.node_cores[st->node]);
			if (st->inst >= 0) {
				/* The quota is shared with the requests' fluid CPU
				 * there (per flow); a sliver is kept so streams move. */
				const dp_instance *in = &dp->inst[st->inst];
				double cap = in->stream_capacity -
				             (in->fluid_user_cores + in->fluid_kernel_cores);
				if (cap < 0.05 * in->stream_capacity)
					cap = 0.05 * in->stream_capacity;
				if (l.inst_cores[st->inst] > cap)
					f = fmin(f, cap / l.inst_cores[st->inst]);
			}
		}
		for (int g = 0; g < b->sc.nlegs && bw > 0; g++) {
			int from = b->sc.leg_from[g], to = b->sc.leg_to[g];
			if (from >= 0 && l.out_bps[from] > bw)
				f = fmin(f, bw / l.out_bps[from]);
			if (l.in_bps[to] > bw)
				f = fmin(f, bw / l.in_bps[to]);
		}
		b->rate *= f;
		dataplane_add_stream(dp, &b->sc, b->rate);
		bulk_result *r = &results[b->workload];
		r->bytes_per_s += b->rate;
		for (int s = 0; s < b->sc.nstages; s++) {
			const dp_stream_stage *st = &b->sc.stage[s];
			double cores = cores_of(st, b->rate);
			if (st->node == b->sc.server_node)
				r->server_cpu_cores += cores;
			else if (st->node == b->sc.client_node)
				r->client_cpu_cores += cores;
			else
				r->other_cpu_cores += cores;
		}
	}
	free(l.node_cores);
	free(l.out_bps);
	free(l.in_bps);
	free(l.inst_cores);
}

void bulk_free(bulk_set *set)
{
	free(set->streams);
	memset(set, 0, sizeof(*set));
}
