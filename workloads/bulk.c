/* workloads/bulk.c - netperf TCP_STREAM-style bulk transfer. See bulk.h. */
#include "workloads/bulk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Per node: what the streams would use at their solo rates. */
typedef struct node_load {
	double cores; /* CPU demand */
	double out_bps, in_bps; /* link use, each direction */
} node_load;

int bulk_start(dataplane *dp, const lg_target *t, int connections, uint32_t message_bytes,
               bulk_result *out)
{
	memset(out, 0, sizeof *out);
	if (connections < 1 || t->nserver_pods < 1)
		return 0;
	dp_stream_cost *sc = calloc((size_t)connections, sizeof *sc);
	double *rate = calloc((size_t)connections, sizeof *rate);
	node_load *load = calloc(dp->nnodes, sizeof *load);
	int rc = -1;
	if (!sc || !rate || !load)
		goto out;
	for (int i = 0; i < connections; i++) {
		int client, server;
		lg_connection_pods(t, i, &client, &server);
		if (dataplane_stream_cost(dp, client, server, message_bytes, &sc[i]) != 0)
			goto out;
		rate[i] = dataplane_stream_rate(dp, &sc[i]);
		if (!isfinite(rate[i])) {
			out->unbounded++;
			rate[i] = 0;
		}
		for (int s = 0; s < sc[i].nstages; s++) {
			const dp_stream_stage *st = &sc[i].stage[s];
			load[st->node].cores += rate[i] * (st->user_ns + st->kernel_ns) / 1e9;
		}
		if (sc[i].wire_bits_per_byte > 0) {
			if (sc[i].client_node >= 0)
				load[sc[i].client_node].out_bps += rate[i] * sc[i].wire_bits_per_byte;
			load[sc[i].server_node].in_bps += rate[i] * sc[i].wire_bits_per_byte;
		}
	}
	/* Each stream slows by the worst oversubscription among its nodes'
	 * cores and links. */
	for (int i = 0; i < connections; i++) {
		double f = 1.0;
		for (int s = 0; s < sc[i].nstages; s++) {
			const node_load *l = &load[sc[i].stage[s].node];
			double cores = dp->nodes[sc[i].stage[s].node].cores;
			if (l->cores > cores)
				f = fmin(f, cores / l->cores);
		}
		if (sc[i].wire_bits_per_byte > 0 && dp->opt.bandwidth_bps > 0) {
			double bw = dp->opt.bandwidth_bps;
			if (sc[i].client_node >= 0 && load[sc[i].client_node].out_bps > bw)
				f = fmin(f, bw / load[sc[i].client_node].out_bps);
			if (load[sc[i].server_node].in_bps > bw)
				f = fmin(f, bw / load[sc[i].server_node].in_bps);
		}
		rate[i] *= f;
		dataplane_add_stream(dp, &sc[i], rate[i]);
		out->bytes_per_s += rate[i];
		for (int s = 0; s < sc[i].nstages; s++) {
			const dp_stream_stage *st = &sc[i].stage[s];
			double cores = rate[i] * (st->user_ns + st->kernel_ns) / 1e9;
			if (st->node == sc[i].server_node)
				out->server_cpu_cores += cores;
			else
				out->client_cpu_cores += cores;
		}
	}
	rc = 0;
out:
	free(sc);
	free(rate);
	free(load);
	return rc;
}
