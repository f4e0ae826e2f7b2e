/* models/dataplane.c - the request path through a mesh. See dataplane.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/dataplane.h"

#include <gsl/gsl_randist.h>

#include "sim/queueing.h"
#include "sim/rng.h"

/* Conditions that depend only on the mesh options, not on the request. */
#define DP_MESH_BITS (MP_WHEN_MTLS | MP_WHEN_NO_MTLS | MP_WHEN_L7 | MP_WHEN_NO_L7 | \
                      MP_WHEN_HTTP_PARSING | MP_WHEN_NO_HTTP_PARSING | MP_WHEN_WIREGUARD | \
                      MP_WHEN_L4_POLICY | MP_WHEN_L7_POLICY)

/* Work done off a large message's path (see plan_pipeline): a job of its
 * own on the node's cores. */
typedef struct dp_overlap {
	res_job job;
	dataplane *dp;
	int node, inst;
	dp_request *req;     /* whose hop is still running, or NULL */
	bool release_worker; /* the hop is over: give its worker back when done */
	struct dp_overlap *prev, *next;
} dp_overlap;

static unsigned mesh_bits(const dp_options *o)
{
	unsigned b = 0;
	b |= o->mtls ? MP_WHEN_MTLS : MP_WHEN_NO_MTLS;
	b |= o->l7 ? MP_WHEN_L7 : MP_WHEN_NO_L7;
	b |= o->http_parsing ? MP_WHEN_HTTP_PARSING : MP_WHEN_NO_HTTP_PARSING;
	if (o->wireguard)
		b |= MP_WHEN_WIREGUARD;
	if (o->l4_rules > 0)
		b |= MP_WHEN_L4_POLICY;
	if (o->l7_rules > 0)
		b |= MP_WHEN_L7_POLICY;
	return b;
}

/* The conditions of a request (or stream) from client_pod: the mesh's,
 * except that a client outside the mesh speaks plaintext: nothing on its
 * way in does mTLS (the server's own calls onward are in the mesh). */
static unsigned request_bits(const dataplane *dp, int client_pod)
{
	unsigned b = mesh_bits(&dp->opt);
	if (!dp->pods[client_pod].in_mesh && (b & MP_WHEN_MTLS))
		b = (b & ~MP_WHEN_MTLS) | MP_WHEN_NO_MTLS;
	return b;
}

static inline bool holds(unsigned need, unsigned ctx)
{
	return (need & ~ctx) == 0;
}

int dataplane_path_mss(const mesh_profile *prof, const dp_options *opt, const char **hop_name)
{
	unsigned mb = mesh_bits(opt);
	uint32_t overhead = 0;
	if (hop_name)
		*hop_name = NULL;
	for (size_t h = 0; h < prof->nhops; h++) {
		const mp_hop *hop = &prof->hops[h];
		if (!holds(hop->when & DP_MESH_BITS, mb))
			continue;
		for (size_t i = 0; i < hop->nops; i++)
			if (hop->ops[i].op.size_ref == MP_SIZE_PACKETS &&
			    holds(hop->ops[i].when & DP_MESH_BITS, mb) &&
			    hop->ops[i].op.packet_overhead > overhead) {
				overhead = hop->ops[i].op.packet_overhead;
				if (hop_name)
					*hop_name = hop->name;
			}
	}
	int mtu = opt->mtu > 0 ? opt->mtu : DP_DEFAULT_MTU;
	return mtu - DP_TCP_IP_HEADER_BYTES - (int)overhead;
}

static int add_instance(dataplane *dp, int component, int node)
{
	const mp_component *c = &dp->prof->components[component];
	dp_instance *in = &dp->inst[dp->ninst];
	memset(in, 0, sizeof(*in));
	in->component = component;
	in->node = node;
	int workers = c->workers;
	if (c->workers_from_mesh && dp->opt.proxy_concurrency != 0)
		workers = dp->opt.proxy_concurrency == DP_PER_CORE ? 0 : dp->opt.proxy_concurrency;
	if (workers == 0)
		workers = (int)ceil(dp->nodes[node].cores);
	in->stretch = 1.0;
	double limit = c->workers_from_mesh ? dp->opt.proxy_cpu_limit : 0;
	if (limit > 0) {
		/* A CFS quota of `limit` cores: no more threads at once than
		 * that, and below one core each job is throttled. */
		int most = (int)ceil(limit);
		if (workers > most)
			workers = most;
		if (limit < 1.0)
			in->stretch = 1.0 / limit;
	}
	in->has_workers = c->user_space && workers > 0;
	in->nworkers = workers;
	/* A bulk stream keeps one worker busy at most; together they use at
	 * most the workers, and no more than the CPU quota. */
	in->stream_capacity = in->has_workers ? workers / in->stretch : INFINITY;
	if (limit > 0 && limit < in->stream_capacity)
		in->stream_capacity = limit;
	if (in->has_workers && pool_init(&in->workers, dp->sim, workers) != 0)
		return -1;
	if (in->has_workers) {
		/* Wake-ups drawn at random: an exponential delay, and per flow
		 * whether the fluid traffic left the workers idle. */
		in->wake_rng = sim_stream_new((sim_stream_key){dp->opt.seed, dp->opt.replication,
		                                               "wakeup", dp->ninst});
		if (!in->wake_rng)
			return -1;
	}
	return (int)dp->ninst++;
}

int dataplane_init(dataplane *dp, sim_t *sim, const mesh_profile *prof, const cost_profile *costs,
                   const double *node_cores, const double *node_speed, size_t nnodes,
                   const dp_pod *pods, size_t npods, app_service *services, size_t nservices,
                   const int *service_first_pod, const dp_options *opt)
{
	memset(dp, 0, sizeof(*dp));
	if (nnodes == 0)
		return -1;
	dp->sim = sim;
	dp->prof = prof;
	dp->opt = *opt;
	dp->nnodes = nnodes;
	dp->npods = npods;
	dp->services = services;
	dp->nservices = nservices;
	size_t nc = prof->ncomponents;
	dp->nodes = calloc(nnodes, sizeof(*dp->nodes));
	dp->pods = calloc(npods ? npods : 1, sizeof(*dp->pods));
	dp->service_first_pod = calloc(nservices ? nservices : 1, sizeof(int));
	size_t nwp = (size_t)(dp->wp_replicas = opt->waypoint_replicas > 1 ? opt->waypoint_replicas : 1);
	dp->waypoint_node = calloc(nservices * nwp + 1, sizeof(int));
	dp->wp_next = calloc(nservices + 1, sizeof(uint32_t));
	dp->service_http2 = calloc(nservices + 1, sizeof(bool));
	dp->deployed = calloc(nc ? nc : 1, sizeof(bool));
	size_t cap = nc * (npods + nnodes + nservices * nwp) + 1;
	dp->inst = calloc(cap, sizeof(*dp->inst));
	dp->pod_inst = malloc((npods * nc + 1) * sizeof(int));
	dp->node_inst = malloc((nnodes * nc + 1) * sizeof(int));
	dp->service_inst = malloc((nservices * nwp * nc + 1) * sizeof(int));
	if (!dp->nodes || !dp->pods || !dp->service_first_pod || !dp->waypoint_node || !dp->wp_next ||
	    !dp->service_http2 ||
	    !dp->deployed || !dp->inst || !dp->pod_inst || !dp->node_inst || !dp->service_inst)
		goto fail;
	memcpy(dp->pods, pods, npods * sizeof(*pods));
	if (opt->service_http2 && nservices)
		memcpy(dp->service_http2, opt->service_http2, nservices * sizeof(bool));
	if (nservices)
		memcpy(dp->service_first_pod, service_first_pod, nservices * sizeof(int));
	for (size_t i = 0; i < npods * nc; i++)
		dp->pod_inst[i] = -1;
	for (size_t i = 0; i < nnodes * nc; i++)
		dp->node_inst[i] = -1;
	for (size_t i = 0; i < nservices * nwp * nc; i++)
		dp->service_inst[i] = -1;

	for (size_t n = 0; n < nnodes; n++) {
		dp_node *node = &dp->nodes[n];
		node->cores = node_cores[n];
		node->speed = node_speed[n];
		node->wakeup_ns = opt->node_wakeup_ns ? opt->node_wakeup_ns[n] : 0;
		node->crossing_speed = opt->node_crossing_speed && opt->node_crossing_speed[n] > 0
		                               ? opt->node_crossing_speed[n] : node->speed;
		/* Costs are divided by the node's speeds once, here; the cores
		 * then run at speed 1 (work is already in this node's ns). */
		if (cost_table_init_split(&node->costs, costs, node->speed, node->crossing_speed) != 0 ||
		    ps_init(&node->cpu, sim, node->cores, 1.0) != 0)
			goto fail;
	}

	/* A component is deployed if one of its hops can run under these
	 * mesh options (l7 off: no waypoint, no node Envoy), or if it has no
	 * hops at all (an agent: memory and CPU off the request path). */
	unsigned mb = mesh_bits(opt);
	bool *on_path = calloc(nc ? nc : 1, sizeof(bool));
	if (!on_path)
		goto fail;
	for (size_t h = 0; h < prof->nhops; h++) {
		const mp_hop *hop = &prof->hops[h];
		if (hop->component < 0)
			continue;
		on_path[hop->component] = true;
		if (holds(hop->when & DP_MESH_BITS, mb))
			dp->deployed[hop->component] = true;
	}
	for (size_t c = 0; c < nc; c++)
		if (!on_path[c])
			dp->deployed[c] = true;
	free(on_path);
	/* The path MSS: the pods' MTU leaves room for the largest tunnel
	 * header the options can turn on. */
	int mss = dataplane_path_mss(prof, opt, NULL);
	if (mss < DP_MIN_MSS)
		goto fail;
	dp->mss = (uint32_t)mss;
	/* Waypoint deployments: one per namespace if a deployed component is
	 * scoped so (all of a namespace's services share it), else one per
	 * destination service (its service account). A deployment is keyed
	 * by its first service; its replicas spread over the nodes from the
	 * key's position, like a Deployment's pods. */
	bool per_namespace = false;
	for (size_t c = 0; c < nc; c++)
		if (dp->deployed[c] && prof->components[c].scope == MP_SCOPE_NAMESPACE)
			per_namespace = true;
	int *wp_key = calloc(nservices + 1, sizeof(int));
	if (!wp_key)
		goto fail;
	for (size_t s = 0; s < nservices; s++) {
		wp_key[s] = (int)s;
		if (per_namespace && opt->service_namespace)
			for (size_t t = 0; t < s; t++)
				if (opt->service_namespace[t] == opt->service_namespace[s]) {
					wp_key[s] = (int)t;
					break;
				}
		for (size_t r = 0; r < nwp; r++)
			dp->waypoint_node[s * nwp + r] = (int)(((size_t)wp_key[s] * nwp + r) % nnodes);
	}

	for (size_t c = 0; c < nc; c++) {
		if (!dp->deployed[c])
			continue;
		switch (prof->components[c].scope) {
		case MP_SCOPE_POD:
			for (size_t p = 0; p < npods; p++)
				if (pods[p].in_mesh && pods[p].node >= 0) {
					int i = add_instance(dp, (int)c, pods[p].node);
					if (i < 0)
						goto fail;
					dp->pod_inst[p * nc + c] = i;
				}
			break;
		case MP_SCOPE_NODE:
			for (size_t n = 0; n < nnodes; n++) {
				int i = add_instance(dp, (int)c, (int)n);
				if (i < 0)
					goto fail;
				dp->node_inst[n * nc + c] = i;
			}
			break;
		case MP_SCOPE_SERVICE_ACCOUNT:
		case MP_SCOPE_NAMESPACE:
			for (size_t s = 0; s < nservices; s++)
				for (size_t r = 0; r < nwp; r++) {
					size_t key = prof->components[c].scope == MP_SCOPE_NAMESPACE
					                     ? (size_t)wp_key[s]
					                     : s;
					int i = key < s ? dp->service_inst[(key * nwp + r) * nc + c]
					                : add_instance(dp, (int)c, dp->waypoint_node[s * nwp + r]);
					if (i < 0) {
						free(wp_key);
						goto fail;
					}
					dp->service_inst[(s * nwp + r) * nc + c] = i;
				}
			break;
		}
	}
	free(wp_key);
	return 0;
fail:
	dataplane_free(dp);
	return -1;
}

void dataplane_free(dataplane *dp)
{
	if (dp->nodes)
		for (size_t n = 0; n < dp->nnodes; n++)
			ps_free(&dp->nodes[n].cpu);
	if (dp->inst)
		for (size_t i = 0; i < dp->ninst; i++) {
			if (dp->inst[i].wake_rng)
				gsl_rng_free(dp->inst[i].wake_rng);
			free(dp->inst[i].wake_recs);
		}
	free(dp->nodes);
	free(dp->pods);
	free(dp->service_first_pod);
	free(dp->waypoint_node);
	free(dp->wp_next);
	free(dp->service_http2);
	free(dp->deployed);
	free(dp->inst);
	free(dp->pod_inst);
	free(dp->node_inst);
	free(dp->service_inst);
	free(dp->pools);
	free(dp->pool_index);
	free(dp->calls);
	free(dp->call_first);
	free(dp->fluid_calls_in);
	free(dp->response_bytes);
	free(dp->next_replica);
	for (size_t i = 0; i < dp->ncall_slabs; i++)
		free(dp->call_slabs[i]);
	free(dp->call_slabs);
	while (dp->overlaps) {
		dp_overlap *o = dp->overlaps;
		dp->overlaps = o->next;
		free(o);
	}
	memset(dp, 0, sizeof(*dp));
}

int dataplane_set_calls(dataplane *dp, const dp_call *calls, const int *call_first,
                        const uint32_t *response_bytes)
{
	size_t ns = dp->nservices;
	size_t ncalls = (size_t)call_first[ns];
	dp->calls = malloc((ncalls ? ncalls : 1) * sizeof(*dp->calls));
	dp->call_first = malloc((ns + 1) * sizeof(int));
	dp->response_bytes = malloc((ns ? ns : 1) * sizeof(uint32_t));
	dp->next_replica = calloc(dp->npods * (ns ? ns : 1), sizeof(uint32_t));
	if (!dp->calls || !dp->call_first || !dp->response_bytes || !dp->next_replica)
		return -1;
	memcpy(dp->calls, calls, ncalls * sizeof(*calls));
	memcpy(dp->call_first, call_first, (ns + 1) * sizeof(int));
	memcpy(dp->response_bytes, response_bytes, ns * sizeof(uint32_t));
	return 0;
}

#define CALL_SLAB 1024

static dp_request *call_alloc(dataplane *dp)
{
	if (!dp->free_calls) {
		void **slabs = realloc(dp->call_slabs, (dp->ncall_slabs + 1) * sizeof(*slabs));
		if (!slabs)
			abort(); /* out of memory */
		dp->call_slabs = slabs;
		dp_request *slab = calloc(CALL_SLAB, sizeof(*slab));
		if (!slab)
			abort();
		dp->call_slabs[dp->ncall_slabs++] = slab;
		for (int i = CALL_SLAB - 1; i >= 0; i--) {
			slab[i].next_free = dp->free_calls;
			dp->free_calls = &slab[i];
		}
	}
	dp_request *req = dp->free_calls;
	dp->free_calls = req->next_free;
	return req;
}

/* --- upstream connection pools */

static size_t pool_hash(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= UINT64_C(0xff51afd7ed558ccd);
	key ^= key >> 33;
	return (size_t)(key & (cap - 1));
}

static int pool_index_grow(dataplane *dp)
{
	size_t cap = dp->pool_index_cap ? dp->pool_index_cap * 2 : 64;
	uint32_t *index = calloc(cap, sizeof(*index));
	if (!index)
		return -1;
	for (size_t i = 0; i < dp->npools; i++) {
		size_t h = pool_hash(dp->pools[i].key, cap);
		while (index[h])
			h = (h + 1) & (cap - 1);
		index[h] = (uint32_t)i + 1;
	}
	free(dp->pool_index);
	dp->pool_index = index;
	dp->pool_index_cap = cap;
	return 0;
}

/* The pool of (instance, destination pod), created empty if new. */
static int64_t pool_find(dataplane *dp, int inst, int pod)
{
	uint64_t key = (uint64_t)inst * dp->npods + (uint64_t)pod;
	if (2 * (dp->npools + 1) > dp->pool_index_cap && pool_index_grow(dp) != 0)
		abort(); /* out of memory */
	size_t h = pool_hash(key, dp->pool_index_cap);
	while (dp->pool_index[h]) {
		uint32_t i = dp->pool_index[h] - 1;
		if (dp->pools[i].key == key)
			return i;
		h = (h + 1) & (dp->pool_index_cap - 1);
	}
	if (dp->npools == dp->pools_cap) {
		size_t cap = dp->pools_cap ? dp->pools_cap * 2 : 64;
		dp_upstream_pool *pools = realloc(dp->pools, cap * sizeof(*pools));
		if (!pools)
			abort();
		dp->pools = pools;
		dp->pools_cap = cap;
	}
	dp->pools[dp->npools] = (dp_upstream_pool){key, 0, 0};
	dp->pool_index[h] = (uint32_t)dp->npools + 1;
	return (int64_t)dp->npools++;
}

/* At the first pooling proxy of the path: take an idle upstream connection
 * to the destination, or open one (new-upstream). */
static void take_upstream(dataplane *dp, dp_request *req, int inst)
{
	int64_t p = pool_find(dp, inst, req->server_pod);
	dp_upstream_pool *pool = &dp->pools[p];
	if (pool->idle > 0) {
		pool->idle--;
	} else {
		pool->opened++;
		req->ctx |= MP_WHEN_NEW_UPSTREAM;
	}
	req->upstream = p;
}

/* --- pricing */

static uint32_t message_bytes(const dp_request *req, int phase)
{
	return phase == 0 ? req->request_bytes + DP_REQUEST_HEAD_BYTES
	                  : req->response_bytes + DP_RESPONSE_HEAD_BYTES;
}

/* What one traversal of a hop carries, as the operations count it. */
typedef struct dp_traffic {
	uint32_t request_bytes, response_bytes; /* for request- and response-sized ops */
	uint32_t message_bytes; /* this direction's message, for message-sized ops */
	/* Times the per-message work applies (operations sized by bytes,
	 * rules, request or message, or by nothing; cpu per traversal): 1
	 * for a request's message, 0 for an ACK (only its packet work). */
	double messages;
	double full_packets;    /* packets carrying a full MSS */
	double partial_payload; /* payload bytes of the last, partial packet (0: none) */
	double partial_packets; /* 1 with a partial packet (an ACK is one of 0 bytes) */
	double segments;        /* GSO/GRO segments */
	double framework;       /* share of framework_per_request (0 for a stream) */
	/* Which operations to price: -1 all; 0 those on the flow's path (and
	 * the hop's own CPU and framework share); 1 the parallel ones only. */
	int parallel_ops;
} dp_traffic;

/* A request's (or response's) message of `msg` bytes: one message, its
 * packets at the path's MSS, its segments of up to DP_SEGMENT_BYTES. */
static dp_traffic message_traffic(const dataplane *dp, uint32_t req_total, uint32_t resp_total,
                                  int phase)
{
	(void)dp;
	dp_traffic t;
	t.request_bytes = req_total;
	t.response_bytes = resp_total;
	t.message_bytes = phase == 0 ? req_total : resp_total;
	t.messages = 1;
	/* Packets and segments are counted by price_hop when an operation
	 * needs them (most hops' operations do not: a division saved). */
	t.full_packets = -1;
	t.partial_payload = t.partial_packets = t.segments = 0;
	t.framework = 1;
	t.parallel_ops = -1;
	return t;
}

/* Fills in a message's packets and segments (message_traffic leaves them
 * to be counted): its full packets at the path's MSS, its last partial
 * one, its segments of up to DP_SEGMENT_BYTES. */
static void count_packets(const dataplane *dp, dp_traffic *t)
{
	t->full_packets = (double)(t->message_bytes / dp->mss);
	uint32_t rest = t->message_bytes % dp->mss;
	t->partial_payload = rest;
	t->partial_packets = rest > 0 || t->message_bytes == 0 ? 1 : 0;
	t->segments = t->message_bytes > DP_SEGMENT_BYTES
	                      ? ceil((double)t->message_bytes / DP_SEGMENT_BYTES) : 1;
}

/* `tr` with its packets and segments counted: itself, or a counted copy in
 * `buf`. */
static inline const dp_traffic *with_packets(const dataplane *dp, const dp_traffic *tr,
                                             dp_traffic *buf)
{
	if (tr->full_packets >= 0)
		return tr;
	*buf = *tr;
	count_packets(dp, buf);
	return buf;
}

/* Bytes a full packet of a per-packet operation is priced at. */
static uint64_t packet_bytes(const dataplane *dp, const mp_op *op)
{
	if (op->packet_overhead > 0) {
		int mtu = dp->opt.mtu > 0 ? dp->opt.mtu : DP_DEFAULT_MTU;
		return mtu > (int)op->packet_overhead ? (uint64_t)(mtu - (int)op->packet_overhead) : 1;
	}
	return op->size;
}

static void price_hop(const dataplane *dp, int node, const mp_hop *hop, unsigned ctx,
                      const dp_traffic *traffic, double *user_ns, double *kernel_ns)
{
	const cost_table *t = &dp->nodes[node].costs;
	double u = 0, k = 0;
	/* Packets not counted yet (message_traffic) are counted on first need. */
	dp_traffic counted;
	const dp_traffic *tr = traffic;
	for (size_t i = 0; i < hop->nops; i++) {
		const mp_hop_op *ho = &hop->ops[i];
		if (!holds(ho->when, ctx))
			continue;
		if (tr->parallel_ops >= 0 && (int)ho->op.parallel != tr->parallel_ops)
			continue;
		uint64_t size = 0;
		double count = ho->op.count * tr->messages;
		switch (ho->op.size_ref) {
		case MP_SIZE_FIXED:
			size = ho->op.size;
			break;
		case MP_SIZE_REQUEST:
			size = tr->request_bytes;
			break;
		case MP_SIZE_RESPONSE:
			size = tr->response_bytes;
			break;
		case MP_SIZE_MESSAGE:
			size = tr->message_bytes;
			break;
		case MP_SIZE_L4_RULES:
			size = (uint64_t)dp->opt.l4_rules;
			break;
		case MP_SIZE_L7_RULES:
			size = (uint64_t)dp->opt.l7_rules;
			break;
		case MP_SIZE_SEGMENTS:
			tr = with_packets(dp, tr, &counted);
			size = ho->op.size;
			count = ho->op.count * tr->segments;
			break;
		case MP_SIZE_PACKETS: {
			/* The message's full packets at the packet size each, and
			 * its last, partial one at its share of it (a small request
			 * is one small packet, not a full one; an ACK the smallest). */
			tr = with_packets(dp, tr, &counted);
			uint64_t full = packet_bytes(dp, &ho->op);
			if (tr->partial_packets > 0) {
				uint64_t part = (uint64_t)((double)full * tr->partial_payload / dp->mss);
				double ou, ok;
				cost_of_exact(t, ho->op.op, part > 0 ? part : 1, &ou, &ok);
				u += ho->op.count * tr->partial_packets * ou;
				k += ho->op.count * tr->partial_packets * ok;
			}
			size = full;
			count = ho->op.count * tr->full_packets;
			break;
		}
		}
		if (count == 0)
			continue;
		double ou, ok;
		cost_of_exact(t, ho->op.op, size, &ou, &ok);
		u += count * ou;
		k += count * ok;
	}
	/* The hop's own CPU, beside its operations: kernel work, so it runs
	 * at the node's speed of kernel crossings. */
	if (hop->cpu.value > 0 && tr->parallel_ops != 1) {
		tr = with_packets(dp, tr, &counted);
		double n = hop->cpu_per == MP_CPU_PER_PACKET    ? tr->full_packets + tr->partial_packets
		           : hop->cpu_per == MP_CPU_PER_SEGMENT ? tr->segments
		                                                : tr->messages;
		k += n * hop->cpu.value / dp->nodes[node].crossing_speed;
	}
	bool in_kernel = true;
	if (hop->component >= 0) {
		const mp_component *c = &dp->prof->components[hop->component];
		double fw = c->framework_per_request.value;
		if (ctx & MP_WHEN_NEW_CONNECTION)
			fw += c->framework_per_connection.value;
		if (tr->parallel_ops != 1)
			u += tr->framework * hop->framework_share * fw / dp->nodes[node].speed;
		in_kernel = !c->user_space;
	}
	/* An operation's user/kernel split is where it ran when measured; in
	 * the mesh, work in a node-kernel hop or a kernel datapath component
	 * (WireGuard, eBPF) is all kernel time, whatever library measured it. */
	if (in_kernel) {
		k += u;
		u = 0;
	}
	*user_ns = u;
	*kernel_ns = k;
}

void dataplane_hop_cost(const dataplane *dp, int node, size_t h, unsigned ctx,
                        uint32_t request_bytes, uint32_t response_bytes, double *user_ns,
                        double *kernel_ns)
{
	const mp_hop *hop = &dp->prof->hops[h];
	dp_traffic tr = message_traffic(dp, request_bytes + DP_REQUEST_HEAD_BYTES,
	                                response_bytes + DP_RESPONSE_HEAD_BYTES,
	                                hop->direction == MP_REQUEST ? 0 : 1);
	price_hop(dp, node, hop, ctx, &tr, user_ns, kernel_ns);
}

/* Per-flow wake-ups. A hop wakes a worker when it finds every worker of
 * its proxy idle, so how many hops do depends on how they arrive, which a
 * rate does not say. M/M/k's P0 (fluid_idle_prob) takes the hops as
 * independent Poisson arrivals; two things make real traffic differ, and
 * on C3's proxies each moves the count by tens of per cent:
 *
 * - A request's own hops come together: its parallel calls leave the
 *   caller's proxy at once and their replies come back close together, so
 *   the second finds the first still holding a worker and wakes none.
 * - Requests come far more evenly than Poisson arrivals: a connection
 *   sends at fixed intervals, the connections are spread over the
 *   interval, and proxies are taken in turn (waypoint replicas, callee
 *   pods). A waypoint replica at 600 rps on C3 sees one request every
 *   5 ms, whose four visits (about 0.45 ms each) all fit before the next
 *   request's: per request no hop there ever finds another request's hop,
 *   where M/M/2 at that load (0.48 workers busy) has a third of them find
 *   one. At a node's ztunnel, where several such streams meet, a response
 *   may land every time on a later request's hop, and fewer hops wake.
 *
 * The sampled traffic has both, at lower density: it is whole
 * connections, paced and spread like the others, taking proxies in turn
 * like the others. Its requests, in the order they were sent, follow the
 * whole traffic's pattern with every gap between two requests longer by
 * the factor (all the instance's hops) / (its sampled hops). So each hop
 * that runs as an event at a proxy with fluid traffic is kept
 * (dp_wake_rec), and wake_replay runs them again on the proxy's k workers
 * with the gaps between requests shrunk by that factor, each hop keeping
 * its offset from its own request's start (a call's hops: from the start
 * of the request that made it), so a request's hops still come together
 * and other requests come as often as the whole traffic's do. What is
 * shrunk is the gaps between the times the requests were meant to be sent
 * (dp_request.late_ns): how late each was sent (wrk2's 1 ms timer) is its
 * own and stays in its offset. Shrunk too, a 1 ms lateness over requests
 * 0.83 ms apart (C3 at 1200 rps) became 0.1 ms, and the replay saw them
 * evenly spaced where the whole traffic's are not: ztunnel's CPU there came
 * out 5.3 % below per request's, 4.1 % once the lateness was kept. A replayed
 * hop that finds every worker idle wakes one, holding it longer by the
 * wake-up (its CPU and its delay); one that finds all busy waits for the
 * first to free (FCFS). The share of replayed hops that woke a worker is
 * taken as the share of all the instance's hops that do.
 *
 * Approximations:
 * - The factor is the instance's own, so the replay carries the
 *   instance's whole load even where the sample reaches it unevenly; but
 *   where the sample is uneven, the requests' order is only roughly the
 *   whole traffic's. Events of workloads that run per request (not
 *   sampled) are shrunk with the rest.
 * - A hop's hold is what it held as an event, less its fluid wait (in the
 *   replay, waits come from the replayed hops) and less any wake-up; its
 *   CPU ran at the pace the node's cores gave it then, and the wake-up's
 *   CPU is priced at that pace too.
 * - A request's hops keep the offsets they had as events, so what delays
 *   them upstream is the events' (a mean fluid wait, drawn wake-ups), not
 *   what the full traffic would: waits that would pull a request's
 *   parallel calls apart, wake-ups that fall together with other
 *   requests'. On C3 at 1200 rps ztunnel's wake-ups come out 8 % below
 *   per request's (5,847 against 6,345 a second), its CPU 4.1 %; see
 *   tests/e2e/run_fidelity.sh.
 * - The replay starts with every worker idle and ends at the last record:
 *   the few hops at either end see less traffic than they would.
 * - Workloads that send in bursts (every connection at once) are spread
 *   out by the shrinking, not bunched up; per flow's fluid demand takes
 *   the traffic as smooth anyway.
 *
 * The sampled hops wake at random: one that finds no sampled traffic at
 * the workers wakes one with the chance wake_q, the replay's wake-ups over
 * the replayed hops that found none, replayed again at every doubling of
 * the records (M/M/k's P0 before the first). Each of those replays takes
 * the newer half of the records: the older ones were drawn with an older
 * wake_q, and the oldest are the connections' first requests, with their
 * handshakes. The draw matters beyond the sampled hops' own CPU: a woken
 * hop holds its worker longer, which spaces its request's later hops, so
 * the draws and the replay converge together as the run goes on. */

/* Replayed hops needed before the replay's wait replaces M/M/k's. */
#define DP_WAIT_REPLAY_MIN 64

typedef struct wake_key {
	double at;
	size_t rec;
} wake_key;

static int wake_key_cmp(const void *pa, const void *pb)
{
	const wake_key *a = pa, *b = pb;
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return a->rec < b->rec ? -1 : a->rec > b->rec; /* ties in recording order */
}

/* Replays records [from, nwake_recs), which cover span_ns of the run, at
 * the whole traffic's density (or, with `own`, as the sampled hops came):
 * the number of them that wake a worker, or -1 if out of memory; and in
 * *mean_wait_ns the mean wait of a replayed hop for a worker. */
static double wake_replay(const dp_instance *in, size_t from, double span_ns, bool own,
                          double *mean_wait_ns)
{
	size_t n = in->nwake_recs - from;
	int k = in->nworkers > 0 ? in->nworkers : 1;
	/* The factor: all the instance's hops in the span (fluid and events)
	 * over the recorded ones. */
	double factor = own ? 1.0 : 1.0 + in->fluid_hops_per_s * span_ns / 1e9 / (double)n;
	wake_key *keys = malloc(n * sizeof(*keys));
	double *free_at = malloc((size_t)k * sizeof(*free_at));
	if (!keys || !free_at) {
		free(keys);
		free(free_at);
		return -1;
	}
	const dp_wake_rec *recs = in->wake_recs + from;
	int64_t origin = recs[0].root_sent;
	for (size_t i = 0; i < n; i++) {
		keys[i].at = (double)(recs[i].root_sent - origin) / factor + recs[i].offset_ns;
		keys[i].rec = i;
	}
	qsort(keys, n, sizeof(*keys), wake_key_cmp);
	for (int j = 0; j < k; j++)
		free_at[j] = -INFINITY;
	double wakes = 0, waited = 0;
	for (size_t i = 0; i < n; i++) {
		const dp_wake_rec *r = &recs[keys[i].rec];
		double at = keys[i].at;
		bool idle = true;
		int first = 0; /* the worker that frees first: FCFS */
		for (int j = 0; j < k; j++) {
			if (free_at[j] > at)
				idle = false;
			if (free_at[j] < free_at[first])
				first = j;
		}
		double start = free_at[first] > at ? free_at[first] : at;
		free_at[first] = start + r->hold_ns + (idle ? r->wake_ns : 0);
		wakes += idle;
		waited += start - at;
	}
	free(keys);
	free(free_at);
	*mean_wait_ns = waited / (double)n;
	return wakes;
}

/* Keeps the hop `req` has just finished at `in` for the replay, and
 * replays the records again when their number has doubled. */
static void wake_record(dataplane *dp, dp_instance *in, const dp_request *req)
{
	if (in->nwake_recs >= in->wake_recs_max) {
		/* Full: drop the older half (amortised O(1) per hop). The replay
		 * points move with it; the window's replay now starts at the
		 * first kept hop's arrival. */
		size_t half = in->wake_recs_max / 2;
		memmove(in->wake_recs, in->wake_recs + half,
		        (in->nwake_recs - half) * sizeof(*in->wake_recs));
		in->nwake_recs -= half;
		in->wake_next = in->wake_next > half ? in->wake_next - half : 0;
		if (in->wake_window_from < half) {
			in->wake_window_from = 0;
			in->wake_dropped = true;
		} else {
			in->wake_window_from -= half;
		}
		if (in->wake_dropped)
			in->wake_first_at =
				in->wake_recs[0].root_sent + (int64_t)in->wake_recs[0].offset_ns;
	}
	if (in->nwake_recs == in->wake_recs_cap) {
		size_t cap = in->wake_recs_cap ? in->wake_recs_cap * 2 : 256;
		if (cap > in->wake_recs_max && in->wake_recs_max > in->wake_recs_cap)
			cap = in->wake_recs_max; /* within the budget */
		dp_wake_rec *recs = realloc(in->wake_recs, cap * sizeof(*recs));
		if (!recs)
			abort(); /* out of memory */
		in->wake_recs = recs;
		in->wake_recs_cap = cap;
	}
	sim_time_t now = sim_now(dp->sim);
	/* The CPU phase ran from cpu_from to now (throttling included); its
	 * pace, ns of hold per ns of work, prices the wake-up's CPU. */
	double work = (double)(req->job.user_ns + req->job.kernel_ns);
	double held = (double)(now - req->cpu_from);
	double pace = work > 0 ? held / work : 1.0;
	dp_wake_rec *r = &in->wake_recs[in->nwake_recs++];
	r->root_sent = req->root_sent;
	r->offset_ns = (float)(req->waiter.since - req->root_sent);
	r->hold_ns = (float)(held - (double)req->wake_added * pace);
	r->wake_ns = (float)(in->wake_cpu_ns * pace + in->wake_delay_ns);
	r->waking = req->waking;
	if (in->nwake_recs >= in->wake_next) {
		size_t n = in->nwake_recs, from = n / 2;
		in->wake_next = 2 * n;
		const dp_wake_rec *oldest = &in->wake_recs[from];
		double span = (double)(now - oldest->root_sent) - oldest->offset_ns;
		double wait_ns, wakes = wake_replay(in, from, span, false, &wait_ns);
		uint64_t waking = 0;
		for (size_t i = from; i < n; i++)
			waking += in->wake_recs[i].waking;
		if (wakes >= 0 && waking > 0) {
			double q = wakes / (double)waking;
			in->wake_q = q < 1.0 ? q : 1.0;
		}
		/* The wait for a worker too, in place of M/M/k's, once the
		 * replay has enough hops to stand for the traffic (a few, from
		 * the warm-up's handshakes, would not): the whole traffic comes
		 * paced and spread as the sampled does, and queues far less
		 * than Poisson arrivals would. Less the wait of the sampled
		 * hops among themselves, which the events queue for anyway. */
		double own_ns;
		if (wakes >= 0 && n - from >= DP_WAIT_REPLAY_MIN &&
		    wake_replay(in, from, span, true, &own_ns) >= 0)
			in->fluid_wait_ns = wait_ns > own_ns ? wait_ns - own_ns : 0;
	}
}

/* The share of an instance's hops that wake a worker, per flow. */
static double fluid_wake_share(const dp_instance *in, double window_ns)
{
	size_t from = in->wake_window_from;
	if (in->nwake_recs <= from || window_ns <= 0)
		return in->fluid_idle_prob;
	/* The span the replayed records cover: the window, or from the first
	 * kept hop on if older ones were dropped. */
	double span = window_ns;
	if (in->wake_dropped) {
		span = (double)(in->wake_window_start - in->wake_first_at) + window_ns;
		if (span <= 0)
			span = 1;
	}
	double wait_ns, wakes = wake_replay(in, from, span, false, &wait_ns);
	if (wakes < 0)
		return in->fluid_idle_prob; /* out of memory: the M/M/k estimate */
	return wakes / (double)(in->nwake_recs - from);
}

double dataplane_fluid_wake_cores(const dp_instance *in, double window_ns)
{
	if (in->fluid_wake_per_idle <= 0 || in->fluid_hops_per_s <= 0)
		return 0;
	return in->fluid_wake_per_idle * fluid_wake_share(in, window_ns);
}

double dataplane_fluid_wakeups_per_s(const dp_instance *in, double window_ns)
{
	if (in->fluid_wake_per_idle <= 0 || in->fluid_hops_per_s <= 0)
		return 0;
	return in->fluid_hops_per_s * fluid_wake_share(in, window_ns);
}

double dataplane_instance_memory(const dataplane *dp, const dp_instance *in)
{
	const mp_component *c = &dp->prof->components[in->component];
	return c->memory_base.value + c->memory_per_connection.value * (double)in->connections +
	       c->memory_per_config_object.value * (double)dp->opt.config_objects;
}

/* --- walking the path */

static void step(sim_t *sim, dp_request *req);
static void on_arrive(sim_t *sim, void *ctx, uint64_t arg);

static int side_node(const dataplane *dp, const dp_request *req, mp_side side)
{
	switch (side) {
	case MP_SIDE_CLIENT:
		return dp->pods[req->client_pod].node;
	case MP_SIDE_SERVER:
		return dp->pods[req->server_pod].node;
	case MP_SIDE_WAYPOINT:
	default:
		return dp->waypoint_node[(size_t)dp->pods[req->server_pod].service * (size_t)dp->wp_replicas +
		                         (size_t)req->wp];
	}
}

/* The instance that runs a component hop for this request, or -1. */
static int hop_instance(const dataplane *dp, const dp_request *req, const mp_hop *hop)
{
	size_t nc = dp->prof->ncomponents;
	int c = hop->component;
	const mp_component *comp = &dp->prof->components[c];
	int pod = hop->side == MP_SIDE_CLIENT ? req->client_pod : req->server_pod;
	switch (comp->scope) {
	case MP_SCOPE_POD:
		if (hop->side == MP_SIDE_WAYPOINT)
			return -1;
		return dp->pod_inst[(size_t)pod * nc + (size_t)c];
	case MP_SCOPE_NODE: {
		int node = side_node(dp, req, hop->side);
		return node < 0 ? -1 : dp->node_inst[(size_t)node * nc + (size_t)c];
	}
	case MP_SCOPE_SERVICE_ACCOUNT:
	case MP_SCOPE_NAMESPACE:
	default:
		return dp->service_inst[((size_t)dp->pods[req->server_pod].service *
		                             (size_t)dp->wp_replicas + (size_t)req->wp) * nc + (size_t)c];
	}
}

/* Where a hop of this request runs: its node, with the component instance
 * in *inst (-1 for a node-kernel hop); -1 if it does not run (no such
 * component here: a pod outside the mesh; or the client is outside the
 * cluster). */
static int hop_place(const dataplane *dp, const dp_request *req, const mp_hop *hop, int *inst)
{
	*inst = -1;
	if (hop->component < 0)
		return side_node(dp, req, hop->side);
	*inst = hop_instance(dp, req, hop);
	return *inst < 0 ? -1 : dp->inst[*inst].node;
}

/* The next hop, from *cursor on, that the request's phase runs: in its
 * direction, its conditions (req->ctx) holding, with a place to run. Its
 * index (the cursor moves past it), with its node and *inst; -1 when the
 * phase has no more. Inline: once per hop of every request (C4's sidecar
 * for 30 s under callgrind: 2.187e9 instructions as a call, 2.168e9
 * inlined, 2.171e9 before the three loops shared it). */
static inline int next_phase_hop(const dataplane *dp, const dp_request *req, size_t *cursor,
                                 int *node, int *inst)
{
	const mesh_profile *prof = dp->prof;
	mp_direction dir = req->phase == 0 ? MP_REQUEST : MP_RESPONSE;
	while (*cursor < prof->nhops) {
		size_t h = (*cursor)++;
		const mp_hop *hop = &prof->hops[h];
		if (hop->direction != dir || !holds(hop->when, req->ctx))
			continue;
		*node = hop_place(dp, req, hop, inst);
		if (*node >= 0)
			return (int)h;
	}
	return -1;
}

/* --- bulk streams */

static dp_stream_stage *stream_stage(dp_stream_cost *sc, int node, int inst, bool parallel)
{
	for (int i = 0; i < sc->nstages; i++) {
		dp_stream_stage *st = &sc->stage[i];
		if (st->node == node && st->inst == inst && st->parallel == parallel)
			return st;
	}
	if (sc->nstages == DP_STREAM_MAX_STAGES)
		return NULL;
	dp_stream_stage *st = &sc->stage[sc->nstages++];
	*st = (dp_stream_stage){node, inst, parallel, 0, 0};
	return st;
}

/* Adds a hop's work for one traversal of `tr` to a stage; per_byte
 * divides it to work per payload byte. */
static int stream_charge(const dataplane *dp, dp_stream_cost *sc, int node, int inst,
                         const mp_hop *hop, unsigned ctx, dp_traffic tr, double per_byte)
{
	for (int parallel = 0; parallel < 2; parallel++) {
		double u, k;
		tr.parallel_ops = parallel;
		price_hop(dp, node, hop, ctx, &tr, &u, &k);
		if (u + k <= 0)
			continue;
		dp_stream_stage *st = stream_stage(sc, node, inst, parallel);
		if (!st)
			return -1;
		st->user_ns += u * per_byte;
		st->kernel_ns += k * per_byte;
	}
	return 0;
}

/* The data crosses the network from `from` (-1: outside) to `to`. */
static int stream_leg(dp_stream_cost *sc, int from, int to)
{
	if (sc->nlegs == DP_STREAM_MAX_LEGS)
		return -1;
	sc->leg_from[sc->nlegs] = from;
	sc->leg_to[sc->nlegs++] = to;
	return 0;
}

int dataplane_stream_cost(const dataplane *dp, int client_pod, int server_pod,
                          uint32_t message_bytes, int wp, dp_stream_cost *out)
{
	const mesh_profile *prof = dp->prof;
	memset(out, 0, sizeof *out);
	dp_request probe;
	memset(&probe, 0, sizeof(probe));
	probe.client_pod = client_pod;
	probe.server_pod = server_pod;
	probe.wp = dp->wp_replicas > 0 ? wp % dp->wp_replicas : 0;
	const dp_pod *cp = &dp->pods[client_pod], *sp = &dp->pods[server_pod];
	out->client_node = cp->node;
	out->server_node = sp->node;
	out->cross_node = cp->node != sp->node;
	out->mss = dp->mss;
	/* A byte stream, not HTTP: neither protocol condition holds, so no
	 * operation that parses requests applies; and authorization rules are
	 * evaluated per connection (L4) or per request (L7), which a stream's
	 * sends amortise to nothing. */
	unsigned ctx = request_bits(dp, client_pod) & ~(MP_WHEN_L4_POLICY | MP_WHEN_L7_POLICY);
	ctx |= out->cross_node ? MP_WHEN_CROSS_NODE : MP_WHEN_SAME_NODE;
	int at = cp->node; /* where the data is, for the legs */
	double m = message_bytes > 0 ? message_bytes : 1;
	double packets = m / dp->mss;
	double segments = m / DP_SEGMENT_BYTES;
	/* One send: its bytes at full packets and whole-stream segments. */
	dp_traffic data = {.request_bytes = message_bytes, .message_bytes = message_bytes,
	                   .messages = 1, .full_packets = packets, .segments = segments};
	/* Its ACKs: one of no payload per segment received (the receiver's
	 * GRO hands TCP whole segments, and TCP acknowledges once more than
	 * one full-sized packet has arrived), each its own segment. */
	dp_traffic acks = {.partial_packets = segments, .segments = segments};
	for (size_t h = 0; h < prof->nhops; h++) {
		const mp_hop *hop = &prof->hops[h];
		if (!holds(hop->when, ctx))
			continue;
		bool data_hop = hop->direction == MP_REQUEST;
		if (hop->component >= 0 && !data_hop)
			continue; /* a proxy never sees an ACK */
		int inst, node = hop_place(dp, &probe, hop, &inst);
		if (node < 0)
			continue;
		if (data_hop && node != at && stream_leg(out, at, node) != 0)
			return -1;
		if (data_hop)
			at = node;
		if (stream_charge(dp, out, node, inst, hop, ctx, data_hop ? data : acks, 1.0 / m) != 0)
			return -1;
	}
	if (at != sp->node && stream_leg(out, at, sp->node) != 0)
		return -1;
	if (out->nlegs > 0) {
		int mtu = dp->opt.mtu > 0 ? dp->opt.mtu : DP_DEFAULT_MTU;
		out->wire_bits_per_byte = 8.0 * (mtu + DP_ETHERNET_OVERHEAD_BYTES) / dp->mss;
	}
	return 0;
}

double dataplane_stream_rate(const dataplane *dp, const dp_stream_cost *sc)
{
	double rate = INFINITY;
	for (int i = 0; i < sc->nstages; i++) {
		double ns = sc->stage[i].user_ns + sc->stage[i].kernel_ns;
		if (!sc->stage[i].parallel && ns > 0 && 1e9 / ns < rate)
			rate = 1e9 / ns;
	}
	/* (A bandwidth of 0 is no serialisation at all, as for requests.) */
	if (sc->wire_bits_per_byte > 0 && dp->opt.bandwidth_bps > 0 &&
	    dp->opt.bandwidth_bps / sc->wire_bits_per_byte < rate)
		rate = dp->opt.bandwidth_bps / sc->wire_bits_per_byte;
	return rate;
}

void dataplane_add_stream(dataplane *dp, const dp_stream_cost *sc, double bytes_per_s)
{
	for (int i = 0; i < sc->nstages; i++) {
		const dp_stream_stage *st = &sc->stage[i];
		double user_cores = bytes_per_s * st->user_ns / 1e9;
		double kernel_cores = bytes_per_s * st->kernel_ns / 1e9;
		dp->nodes[st->node].fluid_cores += user_cores + kernel_cores;
		dp->nodes[st->node].stream_cores += user_cores + kernel_cores;
		if (st->inst >= 0) {
			dp->inst[st->inst].stream_user_cores += user_cores;
			dp->inst[st->inst].stream_kernel_cores += kernel_cores;
		} else {
			dp->nodes[st->node].fluid_kernel_cores += user_cores + kernel_cores;
		}
	}
}

/* --- per-flow fidelity: fluid traffic priced along its path */

/* The fluid traffic of one waypoint replica `wp` (fluid_path spreads the
 * rate over them). The server's own calls are left in fluid_calls_in, for
 * fluid_calls. */
static void fluid_path_via(dataplane *dp, int client_pod, int server_pod, uint32_t req_body,
                           uint32_t resp_body, double rate, int wp)
{
	const mesh_profile *prof = dp->prof;
	dp_request probe;
	memset(&probe, 0, sizeof(probe));
	probe.client_pod = client_pod;
	probe.server_pod = server_pod;
	probe.wp = wp;
	probe.request_bytes = req_body;
	probe.response_bytes = resp_body;
	const dp_pod *cp = &dp->pods[client_pod], *sp = &dp->pods[server_pod];
	unsigned ctx = request_bits(dp, client_pod);
	ctx |= cp->node == sp->node ? MP_WHEN_SAME_NODE : MP_WHEN_CROSS_NODE;
	ctx |= dp->service_http2[sp->service] ? MP_WHEN_HTTP2 : MP_WHEN_HTTP1;
	probe.ctx = ctx;
	uint32_t req_total = req_body + DP_REQUEST_HEAD_BYTES;
	uint32_t resp_total = resp_body + DP_RESPONSE_HEAD_BYTES;
	for (int phase = 0; phase < 2; phase++) {
		probe.phase = phase;
		size_t cursor = 0;
		int h, node, inst;
		while ((h = next_phase_hop(dp, &probe, &cursor, &node, &inst)) >= 0) {
			double u, k;
			dp_traffic tr = message_traffic(dp, req_total, resp_total, phase);
			price_hop(dp, node, &prof->hops[h], ctx, &tr, &u, &k);
			double user_cores = rate * u / 1e9, kernel_cores = rate * k / 1e9;
			dp->nodes[node].fluid_cores += user_cores + kernel_cores;
			if (inst >= 0) {
				dp->inst[inst].fluid_user_cores += user_cores;
				dp->inst[inst].fluid_kernel_cores += kernel_cores;
				dp->inst[inst].fluid_hops_per_s += rate;
			} else {
				dp->nodes[node].fluid_kernel_cores += user_cores + kernel_cores;
			}
		}
		if (phase == 0) /* the server application's workers serve it too */
			app_service_add_fluid(&dp->services[sp->service],
			                      server_pod - dp->service_first_pod[sp->service], rate);
		if (phase == 0 && dp->fluid_calls_in &&
		    dp->call_first[sp->service + 1] > dp->call_first[sp->service])
			dp->fluid_calls_in[server_pod] += rate;
	}
}

static void fluid_path(dataplane *dp, int client_pod, int server_pod, uint32_t req_body,
                       uint32_t resp_body, double rate)
{
	for (int wp = 0; wp < dp->wp_replicas; wp++)
		fluid_path_via(dp, client_pod, server_pod, req_body, resp_body, rate / dp->wp_replicas,
		               wp);
}

void dataplane_add_fluid(dataplane *dp, int client_pod, int server_pod, uint32_t request_bytes,
                         uint32_t response_bytes, double rate)
{
	if (dp->calls && !dp->fluid_calls_in) {
		dp->fluid_calls_in = calloc(dp->npods ? dp->npods : 1, sizeof(double));
		if (!dp->fluid_calls_in)
			abort(); /* a double per pod */
	}
	if (rate > 0)
		fluid_path(dp, client_pod, server_pod, request_bytes, response_bytes, rate);
}

/* The fluid traffic's downstream calls, service by service in the call
 * graph's order (callers before callees: Kahn's), each pod's calls spread
 * evenly over the callee's pods. Linear in pods x calls x replicas, where
 * following each path from each client would multiply the replicas of
 * every level (and a path of 17 calls had been cut short). The loader
 * rejects cycles; a service on one (through the API) never comes up and its
 * calls are not carried. */
static void fluid_calls(dataplane *dp)
{
	if (!dp->fluid_calls_in)
		return;
	size_t ns = dp->nservices;
	int *indeg = calloc(ns ? ns : 1, sizeof(int)), *order = calloc(ns ? ns : 1, sizeof(int));
	if (!indeg || !order)
		abort(); /* two ints per service */
	for (size_t s = 0; s < ns; s++)
		for (int k = dp->call_first[s]; k < dp->call_first[s + 1]; k++)
			indeg[dp->calls[k].service]++;
	size_t head = 0, tail = 0;
	for (size_t s = 0; s < ns; s++)
		if (indeg[s] == 0)
			order[tail++] = (int)s;
	while (head < tail) {
		int s = order[head++];
		for (int r = 0; r < dp->services[s].replicas; r++) {
			int pod = dp->service_first_pod[s] + r;
			double rate = dp->fluid_calls_in[pod];
			dp->fluid_calls_in[pod] = 0;
			for (int k = dp->call_first[s]; rate > 0 && k < dp->call_first[s + 1]; k++) {
				const dp_call *call = &dp->calls[k];
				int replicas = dp->services[call->service].replicas;
				for (int c = 0; c < replicas; c++)
					fluid_path(dp, pod, dp->service_first_pod[call->service] + c,
					           call->request_bytes, dp->response_bytes[call->service],
					           rate * call->count / replicas);
			}
		}
		for (int k = dp->call_first[s]; k < dp->call_first[s + 1]; k++)
			if (--indeg[dp->calls[k].service] == 0)
				order[tail++] = dp->calls[k].service;
	}
	free(indeg);
	free(order);
}

bool dataplane_fluid_saturated(const dataplane *dp, double scale, char *what, size_t len)
{
	const double most = 0.9; /* of the capacity */
	for (size_t i = 0; i < dp->ninst; i++) {
		const dp_instance *in = &dp->inst[i];
		if (!in->has_workers || in->fluid_hops_per_s <= 0)
			continue;
		double busy = (in->fluid_user_cores + in->fluid_kernel_cores +
		               in->fluid_wake_per_idle * in->fluid_idle_prob) * in->stretch * scale;
		if (busy >= most * in->nworkers) {
			snprintf(what, len, "%s on node %d (%.2f of its %d workers busy)",
			         dp->prof->components[in->component].name, in->node, busy,
			         in->nworkers);
			return true;
		}
	}
	for (size_t n = 0; n < dp->nnodes; n++) {
		/* A node with bulk streams is not judged: they are fluid at
		 * either fidelity, and took the cores the requests left them
		 * (bulk_share). */
		const dp_node *node = &dp->nodes[n];
		double busy = node->fluid_cores * scale;
		if (node->stream_cores <= 0 && busy >= most * node->cores) {
			snprintf(what, len, "node %zu (%.2f of its %g cores busy)", n, busy, node->cores);
			return true;
		}
	}
	for (size_t s = 0; s < dp->nservices; s++) {
		const app_service *svc = &dp->services[s];
		for (int p = 0; p < svc->replicas; p++)
			if (svc->pods[p].fluid_busy * scale >= most * svc->workers) {
				snprintf(what, len, "service %s's pod %d (%.2f of its %d workers busy)",
				         svc->name, p, svc->pods[p].fluid_busy * scale, svc->workers);
				return true;
			}
	}
	return false;
}

void dataplane_apply_fluid(dataplane *dp)
{
	fluid_calls(dp);
	/* The wake-up replay's records: the budget shared by the proxies that
	 * keep them (fluid traffic and workers). */
	size_t keepers = 0;
	for (size_t i = 0; i < dp->ninst; i++) {
		const dp_instance *in = &dp->inst[i];
		keepers += in->has_workers && in->fluid_hops_per_s > 0;
	}
	size_t share = keepers ? DP_WAKE_RECS_BUDGET / keepers : DP_WAKE_RECS_MAX;
	if (share > DP_WAKE_RECS_MAX)
		share = DP_WAKE_RECS_MAX;
	if (share < DP_WAKE_RECS_MIN)
		share = DP_WAKE_RECS_MIN;
	for (size_t i = 0; i < dp->ninst; i++)
		dp->inst[i].wake_recs_max = share;
	for (size_t i = 0; i < dp->ninst; i++) {
		dp_instance *in = &dp->inst[i];
		if (!in->has_workers || in->fluid_hops_per_s <= 0)
			continue;
		/* Offered load in workers: the hops' CPU, plus the wake-up CPU of
		 * the hops that find every worker idle, which holds a worker too
		 * and so makes the workers idle less often. That is a fixed point
		 * in the idle chance P0 (it moves the other way from the load, so
		 * iterating on the midpoint settles fast). */
		double work = in->fluid_user_cores + in->fluid_kernel_cores;
		double wake_per_idle = in->fluid_hops_per_s * dp->nodes[in->node].wakeup_ns / 1e9;
		int k = in->nworkers;
		double wait_prob = 0, idle_prob = 1, a = work;
		for (int it = 0; it < 60; it++) {
			/* (a CPU quota below one core holds each worker longer) */
			a = (work + wake_per_idle * idle_prob) * in->stretch;
			if (a >= k * 0.98)
				a = k * 0.98;
			double p0;
			mmc_probabilities(k, a, &wait_prob, &p0);
			if (fabs(p0 - idle_prob) < 1e-9)
				break;
			idle_prob = wake_per_idle > 0 ? 0.5 * (idle_prob + p0) : p0;
		}
		double service_ns = a * 1e9 / in->fluid_hops_per_s;
		in->fluid_wait_ns = wait_prob * service_ns / (k - a);
		in->fluid_idle_prob = idle_prob;
		in->fluid_wake_per_idle = wake_per_idle;
		in->wake_cpu_ns = dp->nodes[in->node].wakeup_ns;
		in->wake_delay_ns = dp->prof->components[in->component].wakeup_delay.value;
		in->wake_q = idle_prob;
		in->wake_next = 1;
		/* The fluid hops that find every worker idle wake one: the
		 * platform's wake-up CPU, as kernel time of the proxy. Reserved on
		 * the node at M/M/k's share (the node's cores are set once, before
		 * the run); the report prices it with the replay of the sampled
		 * hops (dataplane_fluid_wake_cores). */
		dp->nodes[in->node].fluid_cores += wake_per_idle * idle_prob;
	}
	for (size_t s = 0; s < dp->nservices; s++)
		app_service_apply_fluid(&dp->services[s]);
	for (size_t n = 0; n < dp->nnodes; n++) {
		dp_node *node = &dp->nodes[n];
		/* Keep a sliver of capacity so an overloaded node still moves. */
		double left = node->cores - node->fluid_cores;
		if (left < 0.05 * node->cores)
			left = 0.05 * node->cores;
		node->cpu.cores = left;
	}
}

static bool overlap_detach(dp_request *req, bool has_worker);
static void overlap_start(dataplane *dp, dp_request *req);

/* The hop is over: give the worker back (or leave it to the hop's work off
 * a large message's path), then its own latency (work handed to another
 * thread and waited for), then the next step. */
static void finish_hop(sim_t *sim, dp_request *req)
{
	dataplane *dp = req->dp;
	bool has_worker = req->cur_inst >= 0 && dp->inst[req->cur_inst].has_workers;
	bool kept = overlap_detach(req, has_worker);
	if (has_worker) {
		dp_instance *in = &dp->inst[req->cur_inst];
		if (in->fluid_hops_per_s > 0)
			wake_record(dp, in, req);
		if (!kept)
			pool_release(&in->workers);
	}
	double delay = req->cur_hop >= 0 ? dp->prof->hops[req->cur_hop].delay.value : 0;
	if (delay > 0) {
		sim_schedule(sim, (sim_time_t)llround(delay), on_arrive, req, 0);
		return;
	}
	step(sim, req);
}

static void on_throttled(sim_t *sim, void *ctx, uint64_t arg)
{
	(void)arg;
	finish_hop(sim, ctx);
}

static void on_cpu_done(sim_t *sim, res_job *job)
{
	dp_request *req = job->owner;
	dataplane *dp = req->dp;
	if (req->cur_inst >= 0) {
		dp_instance *in = &dp->inst[req->cur_inst];
		in->user_ns += (double)job->user_ns;
		in->kernel_ns += (double)job->kernel_ns;
		in->requests++;
		/* Under a CPU quota below one core the thread waits out its
		 * throttling still holding its work. */
		if (in->stretch > 1.0) {
			double throttled = (double)(job->user_ns + job->kernel_ns) * (in->stretch - 1.0);
			sim_schedule(sim, (sim_time_t)llround(throttled), on_throttled, req, 0);
			return;
		}
	} else {
		dp_node *node = &dp->nodes[req->cur_node];
		node->kernel_user_ns += (double)job->user_ns;
		node->kernel_kernel_ns += (double)job->kernel_ns;
	}
	finish_hop(sim, req);
}

static void run_cpu(dataplane *dp, dp_request *req)
{
	overlap_start(dp, req);
	if (req->job.user_ns + req->job.kernel_ns == 0) {
		on_cpu_done(dp->sim, &req->job);
		return;
	}
	if (ps_submit(&dp->nodes[req->cur_node].cpu, &req->job) != 0)
		abort(); /* out of memory growing a node's job heap */
}

static void on_woken(sim_t *sim, void *ctx, uint64_t arg)
{
	(void)sim;
	(void)arg;
	dp_request *req = ctx;
	run_cpu(req->dp, req);
}

static void on_worker(sim_t *sim, pool_waiter *w)
{
	dp_request *req = (dp_request *)((char *)w - offsetof(dp_request, waiter));
	dataplane *dp = req->dp;
	const mp_component *c = &dp->prof->components[dp->inst[req->cur_inst].component];
	dp_instance *in = &dp->inst[req->cur_inst];
	double delay = 0, wake = 0;
	if (in->fluid_hops_per_s > 0) {
		/* Per-flow: the fluid traffic holds the workers too; the mean
		 * wait it causes, and a hop that finds no sampled traffic at the
		 * workers wakes one with the chance wake_q (both the replay's,
		 * see wake_replay; M/M/k's before it): its whole latency and
		 * CPU, as per request (a mean instead would thin the latency's
		 * tail). */
		wake = req->waking && gsl_rng_uniform(in->wake_rng) < in->wake_q ? 1 : 0;
		delay = in->fluid_wait_ns + wake * c->wakeup_delay.value;
		in->sampled_wake_sum += wake; /* restarts with the statistics */
	} else if (req->waking) {
		/* An idle worker was asleep: the wake-up adds latency (the
		 * component's wakeupDelay), and the platform's wake-up CPU. */
		wake = 1;
		in->wakeups++;
		delay = c->wakeup_delay.value;
	}
	req->wake_added = (int64_t)llround(wake * dp->nodes[in->node].wakeup_ns);
	req->job.kernel_ns += req->wake_added;
	if (delay > 0 && c->wakeup_exponential && wake > 0) {
		/* Exponential wake-ups: the same mean, a tail. */
		delay += wake * c->wakeup_delay.value * (gsl_ran_exponential(in->wake_rng, 1.0) - 1.0);
	}
	req->cpu_from = sim_now(sim) + (delay > 0 ? (sim_time_t)llround(delay) : 0);
	if (delay > 0) {
		sim_schedule(sim, (sim_time_t)llround(delay), on_woken, req, 0);
		return;
	}
	run_cpu(dp, req);
}

static void on_arrive(sim_t *sim, void *ctx, uint64_t arg);

/* Bytes on the wire for a message of `bytes` (TCP payload): each packet
 * carries at most the path MSS and adds its TCP/IP headers, the tunnel
 * overhead the MSS leaves room for, and Ethernet's framing (preamble,
 * header, FCS, gap), as a bulk stream's wire_bits_per_byte does. */
static double wire_bytes(const dataplane *dp, double bytes)
{
	int mtu = dp->opt.mtu > 0 ? dp->opt.mtu : DP_DEFAULT_MTU;
	double packets = bytes > 0 ? ceil(bytes / dp->mss) : 1;
	return bytes + packets * (double)(mtu - (int)dp->mss + DP_ETHERNET_OVERHEAD_BYTES);
}

/* Time to put a message of `bytes` on the wire (0: no bandwidth set). */
static double wire_ns(const dataplane *dp, double bytes)
{
	return dp->opt.bandwidth_bps > 0 ? wire_bytes(dp, bytes) * 8e9 / dp->opt.bandwidth_bps : 0;
}

/* --- a large message's pipeline
 *
 * A message of several packets does not cross its path one hop after the
 * other: while the receiver works on one packet, the sender works on the
 * next. The work of its hops that grows with its size is a pipeline whose
 * stages are, as a bulk stream's (dataplane_stream_cost), each node's
 * kernel, each proxy instance and the network; parallel work (WireGuard's
 * crypt workers) paces nothing. The message takes what a message of one
 * packet costs at each hop (its first packet filling the pipeline), and the
 * slowest stage's size-dependent time V_max (its other packets):
 *
 *     T = sum over hops of the one-packet cost + V_max
 *
 * as a pipeline of P packets takes the sum of the stages' times for one
 * packet and P - 1 times the slowest's. Each network leg is a stage of its
 * own (its own link); when the wire paces, the first leg takes the whole
 * message's time and the others one packet's. The work a hop does off that
 * path still runs, on its node's cores and charged to its component, as a
 * job of its own (dp_overlap) that starts with the hop's CPU and holds the
 * proxy's worker until it is done, so a proxy's threads stay its limit. A
 * message of one packet (every calibration figure's) is unchanged. */

/* The one-packet size of a message of `bytes`. */
static uint32_t one_packet(const dataplane *dp, uint32_t bytes)
{
	return bytes < dp->mss ? bytes : dp->mss;
}

/* A hop's CPU for the request's message in its phase, split: *fixed what
 * it costs for a message of one packet, *serial what more the whole
 * message costs in the operations on its path, *parallel in its parallel
 * ones (each as user and kernel ns, [0] and [1]). */
static void hop_split(const dataplane *dp, const dp_request *req, int node, const mp_hop *hop,
                      double fixed[2], double serial[2], double parallel[2])
{
	uint32_t req_b = message_bytes(req, 0), resp_b = message_bytes(req, 1);
	dp_traffic whole = message_traffic(dp, req_b, resp_b, req->phase);
	dp_traffic one = message_traffic(dp, req->phase == 0 ? one_packet(dp, req_b) : req_b,
	                                 req->phase == 1 ? one_packet(dp, resp_b) : resp_b,
	                                 req->phase);
	price_hop(dp, node, hop, req->ctx, &one, &fixed[0], &fixed[1]);
	for (int par = 0; par < 2; par++) {
		double *out = par ? parallel : serial, wu, wk, ou, ok;
		whole.parallel_ops = one.parallel_ops = par;
		price_hop(dp, node, hop, req->ctx, &whole, &wu, &wk);
		price_hop(dp, node, hop, req->ctx, &one, &ou, &ok);
		out[0] = wu > ou ? wu - ou : 0;
		out[1] = wk > ok ? wk - ok : 0;
	}
}

typedef struct pipe_stage {
	int node, inst;
	double ns; /* size-dependent work of the message here */
} pipe_stage;

/* Finds the stage that paces the request's message in this phase (none
 * for a message of one packet). Called as a phase starts. */
static void plan_pipeline(dataplane *dp, dp_request *req)
{
	req->pipe_packets = 1;
	req->pipe_node = -1;
	req->pipe_inst = -1;
	req->pipe_wire_done = false;
	uint32_t bytes = message_bytes(req, req->phase);
	if (bytes <= dp->mss)
		return;
	req->pipe_packets = ceil((double)bytes / dp->mss);
	pipe_stage stage[DP_STREAM_MAX_STAGES];
	int nstages = 0;
	int at = req->phase == 0 ? dp->pods[req->client_pod].node : dp->pods[req->server_pod].node;
	bool crosses = false;
	size_t cursor = 0;
	int h, node, inst;
	while ((h = next_phase_hop(dp, req, &cursor, &node, &inst)) >= 0) {
		crosses |= node != at;
		at = node;
		double fixed[2], serial[2], parallel[2];
		hop_split(dp, req, node, &dp->prof->hops[h], fixed, serial, parallel);
		int s = 0;
		while (s < nstages && !(stage[s].node == node && stage[s].inst == inst))
			s++;
		if (s == nstages) {
			if (nstages == DP_STREAM_MAX_STAGES)
				continue; /* (a path longer than any profile's) */
			stage[nstages++] = (pipe_stage){node, inst, 0};
		}
		/* under a CPU quota below one core a proxy takes longer */
		stage[s].ns += (serial[0] + serial[1]) * (inst >= 0 ? dp->inst[inst].stretch : 1.0);
	}
	int end = req->phase == 0 ? dp->pods[req->server_pod].node : dp->pods[req->client_pod].node;
	crosses |= end != at;
	double best = 0;
	if (crosses) {
		best = wire_ns(dp, bytes) - wire_ns(dp, one_packet(dp, bytes));
		req->pipe_node = best > 0 ? DP_PIPE_WIRE : -1;
	}
	for (int s = 0; s < nstages; s++)
		if (stage[s].ns > best) {
			best = stage[s].ns;
			req->pipe_node = stage[s].node;
			req->pipe_inst = stage[s].inst;
		}
}

static void on_overlap_done(sim_t *sim, res_job *job)
{
	(void)sim;
	dp_overlap *o = job->owner;
	dataplane *dp = o->dp;
	if (o->inst >= 0) {
		dp->inst[o->inst].user_ns += (double)job->user_ns;
		dp->inst[o->inst].kernel_ns += (double)job->kernel_ns;
	} else {
		dp->nodes[o->node].kernel_user_ns += (double)job->user_ns;
		dp->nodes[o->node].kernel_kernel_ns += (double)job->kernel_ns;
	}
	if (o->req)
		o->req->pipe_overlap = NULL; /* its hop will give the worker back */
	else if (o->release_worker)
		pool_release(&dp->inst[o->inst].workers);
	if (o->prev)
		o->prev->next = o->next;
	else
		dp->overlaps = o->next;
	if (o->next)
		o->next->prev = o->prev;
	free(o);
}

/* Starts the current hop's work off the path (req->pipe_off_*), beside its
 * CPU on the same node, once the hop has its worker. */
static void overlap_start(dataplane *dp, dp_request *req)
{
	if (req->pipe_off_user + req->pipe_off_kernel <= 0)
		return; /* a message of one packet: nothing off the path */
	int64_t u = llround(req->pipe_off_user), k = llround(req->pipe_off_kernel);
	req->pipe_off_user = req->pipe_off_kernel = 0;
	if (u + k <= 0)
		return;
	dp_overlap *o = calloc(1, sizeof(*o));
	if (!o)
		abort(); /* out of memory: as a node's job heap */
	o->dp = dp;
	o->node = req->cur_node;
	o->inst = req->cur_inst;
	o->req = req;
	o->job.user_ns = u;
	o->job.kernel_ns = k;
	o->job.done = on_overlap_done;
	o->job.owner = o;
	o->next = dp->overlaps;
	if (o->next)
		o->next->prev = o;
	dp->overlaps = o;
	req->pipe_overlap = o;
	if (ps_submit(&dp->nodes[o->node].cpu, &o->job) != 0)
		abort();
}

/* The hop is over while its work off the path still runs: that work keeps
 * the worker (true: do not release it now). */
static bool overlap_detach(dp_request *req, bool has_worker)
{
	dp_overlap *o = req->pipe_overlap;
	if (!o)
		return false;
	req->pipe_overlap = NULL;
	o->req = NULL;
	o->release_worker = has_worker;
	return has_worker;
}

/* The CPU of the request's hop on its path (*user_ns, *kernel_ns); for a
 * message of several packets the rest waits in req->pipe_off_* for
 * overlap_start. */
static void hop_cpu(dataplane *dp, dp_request *req, int node, int inst, const mp_hop *hop,
                    double *user_ns, double *kernel_ns)
{
	req->pipe_off_user = req->pipe_off_kernel = 0;
	if (req->pipe_packets <= 1) {
		dp_traffic tr = message_traffic(dp, message_bytes(req, 0), message_bytes(req, 1),
		                                req->phase);
		price_hop(dp, node, hop, req->ctx, &tr, user_ns, kernel_ns);
		return;
	}
	double fixed[2], serial[2], parallel[2];
	hop_split(dp, req, node, hop, fixed, serial, parallel);
	bool paces = req->pipe_node == node && req->pipe_inst == inst;
	*user_ns = fixed[0] + (paces ? serial[0] : 0);
	*kernel_ns = fixed[1] + (paces ? serial[1] : 0);
	req->pipe_off_user = (paces ? 0 : serial[0]) + parallel[0];
	req->pipe_off_kernel = (paces ? 0 : serial[1]) + parallel[1];
}

/* Moves the request to `node` (crossing the network if it is elsewhere)
 * and then continues with step(). Returns true if it had to travel. */
static bool travel(dataplane *dp, dp_request *req, int node)
{
	if (node == req->cur_node)
		return false;
	uint32_t bytes = message_bytes(req, req->phase);
	double ns = wire_ns(dp, bytes);
	if (req->pipe_packets > 1) {
		/* the leg that paces takes the whole message, the others (each a
		 * link of its own) its first packet */
		if (req->pipe_node == DP_PIPE_WIRE && !req->pipe_wire_done)
			req->pipe_wire_done = true;
		else
			ns = wire_ns(dp, one_packet(dp, bytes));
	}
	sim_time_t delay = dp->opt.latency_ns + (sim_time_t)ceil(ns);
	req->cur_node = node;
	sim_schedule(dp->sim, delay, on_arrive, req, 0);
	return true;
}

static void on_arrive(sim_t *sim, void *ctx, uint64_t arg)
{
	(void)arg;
	step(sim, ctx);
}

static void start_response(sim_t *sim, dp_request *req)
{
	req->phase = 1;
	req->hop = 0;
	req->cur_node = req->dp->pods[req->server_pod].node;
	plan_pipeline(req->dp, req);
	step(sim, req);
}

static void on_call_done(sim_t *sim, dp_request *call)
{
	dataplane *dp = call->dp;
	dp_request *parent = call->parent;
	dp->calls_done++;
	call->next_free = dp->free_calls;
	dp->free_calls = call;
	if (--parent->calls_pending == 0)
		start_response(sim, parent);
}

/* The application has done its own work: make its downstream calls (all
 * at once), or answer. */
static void on_app_reply(sim_t *sim, app_request *app)
{
	dp_request *req = (dp_request *)app;
	dataplane *dp = req->dp;
	int s = dp->pods[req->server_pod].service;
	if (!dp->calls || dp->call_first[s] == dp->call_first[s + 1]) {
		start_response(sim, req);
		return;
	}
	req->calls_pending = 0;
	for (int k = dp->call_first[s]; k < dp->call_first[s + 1]; k++)
		req->calls_pending += dp->calls[k].count;
	for (int k = dp->call_first[s]; k < dp->call_first[s + 1]; k++) {
		const dp_call *call = &dp->calls[k];
		int replicas = dp->services[call->service].replicas;
		for (int n = 0; n < call->count; n++) {
			if (replicas == 0) { /* no endpoints: the call fails at once */
				if (--req->calls_pending == 0)
					start_response(sim, req);
				continue;
			}
			uint32_t *rr = &dp->next_replica[(size_t)req->server_pod * dp->nservices +
			                                 (size_t)call->service];
			int pod = dp->service_first_pod[call->service] + (int)(*rr % (uint32_t)replicas);
			(*rr)++;
			dp_request *sub = call_alloc(dp);
			memset(sub, 0, sizeof(*sub));
			sub->client_pod = req->server_pod;
			sub->server_pod = pod;
			sub->request_bytes = call->request_bytes;
			sub->response_bytes = dp->response_bytes[call->service];
			/* The caller's keep-alive connection to that pod is new on
			 * its first call. */
			int64_t p = pool_find(dp, (int)dp->ninst + req->server_pod, pod);
			sub->new_connection = dp->pools[p].opened == 0;
			dp->pools[p].opened = 1;
			sub->parent = req;
			sub->done = on_call_done;
			dp->calls_started++;
			dataplane_send(dp, sub);
		}
	}
}

/* Runs the request's next applicable hop, or the next stage. */
static void step(sim_t *sim, dp_request *req)
{
	dataplane *dp = req->dp;
	const mesh_profile *prof = dp->prof;
	int h, node, inst;
	if ((h = next_phase_hop(dp, req, &req->hop, &node, &inst)) >= 0) {
		const mp_hop *hop = &prof->hops[h];
		if (inst >= 0 && req->upstream < 0 && req->phase == 0 && hop->side != MP_SIDE_SERVER &&
		    prof->components[hop->component].pools_upstream)
			take_upstream(dp, req, inst);
		if (travel(dp, req, node)) {
			req->hop = h; /* run this hop on arrival */
			return;
		}
		req->cur_inst = inst;
		req->cur_hop = (int)h;
		double u, k;
		hop_cpu(dp, req, node, inst, hop, &u, &k);
		req->job.user_ns = (int64_t)llround(u);
		req->job.kernel_ns = (int64_t)llround(k);
		req->job.done = on_cpu_done;
		req->job.owner = req;
		/* A new connection is counted where it is accepted or opened: at
		 * the instance's hop in the request direction (profiles give a
		 * component one request hop per side of a path). */
		if (inst >= 0 && req->phase == 0 && (req->ctx & MP_WHEN_NEW_CONNECTION))
			dp->inst[inst].connections++;
		if (inst >= 0 && dp->inst[inst].has_workers) {
			dp_instance *in = &dp->inst[inst];
			req->waking = in->workers.in_use == 0;
			req->waiter.granted = on_worker;
			pool_acquire(&in->workers, &req->waiter);
		} else {
			run_cpu(dp, req);
		}
		return;
	}
	if (req->phase == 0) {
		/* The server application. */
		const dp_pod *sp = &dp->pods[req->server_pod];
		if (travel(dp, req, sp->node))
			return;
		app_service *svc = &dp->services[sp->service];
		req->app.reply = on_app_reply;
		req->app.owner = req;
		app_service_submit(svc, req->server_pod - dp->service_first_pod[sp->service], &req->app);
		return;
	}
	/* Back to the client: over the network when it is on another node or
	 * outside the cluster (node -1). */
	if (travel(dp, req, dp->pods[req->client_pod].node))
		return;
	if (req->upstream >= 0)
		dp->pools[req->upstream].idle++;
	dp->requests_done++;
	req->done(sim, req);
}

void dataplane_send(dataplane *dp, dp_request *req)
{
	req->dp = dp;
	req->phase = 0;
	req->hop = 0;
	req->cur_inst = -1;
	req->cur_hop = -1;
	req->upstream = -1;
	/* A call's hops are placed from the start of the request that made
	 * it, which per flow's wake-up replay shifts as one (wake_replay). */
	req->root_sent = req->parent ? req->parent->root_sent : sim_now(dp->sim) - req->late_ns;
	const dp_pod *cp = &dp->pods[req->client_pod];
	const dp_pod *sp = &dp->pods[req->server_pod];
	/* A client outside the cluster enters at the server's node from afar. */
	req->cur_node = cp->node >= 0 ? cp->node : -1;
	unsigned ctx = request_bits(dp, req->client_pod);
	ctx |= cp->node == sp->node ? MP_WHEN_SAME_NODE : MP_WHEN_CROSS_NODE;
	ctx |= dp->service_http2[sp->service] ? MP_WHEN_HTTP2 : MP_WHEN_HTTP1;
	if (req->new_connection)
		ctx |= MP_WHEN_NEW_CONNECTION;
	req->ctx = ctx;
	/* Waypoint replicas in turn (the waypoint's own L7 balancing is over
	 * the destination's pods; this is which waypoint pod gets it). */
	req->wp = (int)(dp->wp_next[sp->service]++ % (uint32_t)dp->wp_replicas);
	dp->requests_started++;
	plan_pipeline(dp, req);
	step(dp->sim, req);
}

void dataplane_restart_stats(dataplane *dp)
{
	for (size_t i = 0; i < dp->ninst; i++) {
		dp_instance *in = &dp->inst[i];
		in->user_ns = in->kernel_ns = 0;
		in->requests = 0;
		in->sampled_wake_sum = 0;
		in->wake_window_from = in->nwake_recs; /* earlier records still set wake_q */
		in->wake_window_start = sim_now(dp->sim);
		in->wake_dropped = false;
		in->wakeups = 0;
		if (in->has_workers)
			pool_restart_stats(&in->workers);
	}
	for (size_t n = 0; n < dp->nnodes; n++)
		dp->nodes[n].kernel_user_ns = dp->nodes[n].kernel_kernel_ns = 0;
}
