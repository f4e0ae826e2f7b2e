/*
 * scenario/schema.c - every kind and field of a meshsim document, once.
 *
 * To add a field: add the member to the struct in scenario.h and one line
 * here. The loader, `meshsim explain` and the canonical JSON follow.
 */
#include "scenario/schema.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/kernels/cost.h"
#include "scenario/meshprofile.h"
#include "scenario/scenario.h"
#include "scenario/units.h"

_Static_assert(sizeof(scn_mesh_mode) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(scn_workload_type) == sizeof(int), "enums are stored as int");

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define OBJ(var, type_name, st, fields, chk, doc_)                                  \
	static const schema_object var = {type_name, fields, ARRAY_LEN(fields), sizeof(st), \
					  doc_, chk}
/* Validate-only objects (kinds that later issues will bind to structs). */
#define VOBJ(var, type_name, fields, chk, doc_) \
	static const schema_object var = {type_name, fields, ARRAY_LEN(fields), 0, doc_, chk}

/* A scalar field stored at st.member. */
#define FLD(st, member) .offset = offsetof(st, member)
/* A list or label field stored at st.member with its count at st.count. */
#define LST(st, member, count) .offset = offsetof(st, member), .count_offset = offsetof(st, count)

/* ---- enum spellings (index = C enum value) ---- */

static const char *const placement_values[] = {"spread", "pack", "pinned", NULL};
static const char *const distribution_values[] = {"fixed", "exponential", "lognormal", "uniform",
						    NULL};
static const char *const protocol_values[] = {"http1", "http2", "grpc", NULL};
static const char *const workload_values[] = {"open-loop", "constant-throughput", "closed-loop",
					      "connection-per-request", "bulk", NULL};
static const char *const source_values[] = {"in-mesh", "outside", NULL};
static const char *const mesh_values[] = {"none", "istio-sidecar", "istio-ambient", "cilium",
					  "linkerd", NULL};
static const char *const churn_values[] = {"scale", "relabel", "rollout", NULL};
static const char *const fidelity_values[] = {"per-request", "per-flow", NULL};
static const char *const api_versions[] = {SCN_API_VERSION, NULL};
static const char *const kind_scenario[] = {"Scenario", NULL};
static const char *const kind_sweep[] = {"Sweep", NULL};
static const char *const kind_mesh_profile[] = {"MeshProfile", NULL};
static const char *const kind_price_sheet[] = {"PriceSheet", NULL};
static const char *const seed_policy_values[] = {"common", "independent", NULL};

const char *scn_mesh_mode_name(scn_mesh_mode m)
{
	return (unsigned)m < ARRAY_LEN(mesh_values) - 1 ? mesh_values[m] : "?";
}

const char *scn_workload_type_name(scn_workload_type t)
{
	return (unsigned)t < ARRAY_LEN(workload_values) - 1 ? workload_values[t] : "?";
}

/* ---- cross-field checks ---- */

static void check_resource_list(check_ctx *c, const scn_resources *r)
{
	if (r->limits.cpu > 0 && r->requests.cpu > r->limits.cpu)
		check_error(c, "requests.cpu", "must not exceed limits.cpu");
	if (r->limits.memory > 0 && r->requests.memory > r->limits.memory)
		check_error(c, "requests.memory", "must not exceed limits.memory");
}

static void check_resources(check_ctx *c, const void *obj)
{
	check_resource_list(c, obj);
}

static void check_delay(check_ctx *c, const void *obj)
{
	const scn_delay *d = obj;
	const char *dist = distribution_values[d->distribution];
	bool lognormal = d->distribution == SCN_DIST_LOGNORMAL;
	bool uniform = d->distribution == SCN_DIST_UNIFORM;
	if (uniform && check_present(c, "mean"))
		check_error(c, "mean", "is not used by the uniform distribution (set min and max)");
	if (!lognormal && check_present(c, "stddev"))
		check_error(c, "stddev", "is only used by the lognormal distribution (distribution is %s)",
			    dist);
	if (!uniform && check_present(c, "min"))
		check_error(c, "min", "is only used by the uniform distribution (distribution is %s)",
			    dist);
	if (!uniform && check_present(c, "max"))
		check_error(c, "max", "is only used by the uniform distribution (distribution is %s)",
			    dist);
	if (lognormal && d->mean <= 0)
		check_error(c, "mean", "must be > 0 for the lognormal distribution");
	if (lognormal && d->stddev <= 0)
		check_error(c, "stddev", "must be > 0 for the lognormal distribution");
	if (d->distribution == SCN_DIST_EXPONENTIAL && d->mean <= 0)
		check_error(c, "mean", "must be > 0 for the exponential distribution");
	if (uniform && d->max <= d->min)
		check_error(c, check_present(c, "max") ? "max" : "min",
			    "max must be greater than min for the uniform distribution");
}

static void check_placement(check_ctx *c, const void *obj)
{
	const scn_placement *p = obj;
	if (p->policy == SCN_PLACE_PINNED && p->node_pool[0] == '\0')
		check_error(c, "nodePool", "is required when policy is pinned");
	if (p->policy != SCN_PLACE_PINNED && check_present(c, "nodeIndex"))
		check_error(c, "nodeIndex", "is only used when policy is pinned");
}

static void check_workload(check_ctx *c, const void *obj)
{
	const scn_workload *w = obj;
	if (w->type == SCN_WL_CONSTANT_THROUGHPUT && w->qps <= 0)
		check_error(c, "qps", "must be > 0 for a constant-throughput workload");
	/* qps: 0 (as fast as possible) is what a closed loop does anyway, so a
	 * workload switched to closed-loop with --set may say so. */
	if (w->type == SCN_WL_CLOSED_LOOP && check_present(c, "qps") && w->qps > 0)
		check_error(c, "qps", "is not used by a closed-loop workload (it sends as fast as its "
			    "concurrency allows; qps: 0 says the same)");
	if (w->type == SCN_WL_CLOSED_LOOP && check_present(c, "concurrency") &&
	    check_present(c, "connections") && w->concurrency > 0 &&
	    w->concurrency != w->connections)
		check_error(c, "concurrency", "is %lld but connections is %lld: each connection "
			    "carries one request at a time, so set one of them",
			    (long long)w->concurrency, (long long)w->connections);
	if (w->type != SCN_WL_CLOSED_LOOP && check_present(c, "concurrency"))
		check_error(c, "concurrency", "is only used by a closed-loop workload");
	if (w->type == SCN_WL_CLOSED_LOOP && check_present(c, "timerResolution"))
		check_error(c, "timerResolution", "is not used by a closed-loop workload (it sends "
			    "on each reply, never waits for a turn)");
	if (w->type != SCN_WL_BULK && check_present(c, "messageBytes"))
		check_error(c, "messageBytes", "is only used by a bulk workload (payloadBytes is a "
			    "request's body)");
	if (w->type == SCN_WL_BULK) {
		/* A bulk stream has no requests: these would be silently ignored. */
		static const char *const unused[] = {"qps", "timeout", "payloadBytes", "uniform",
						     "noCatchup", "protocol", "timerResolution",
						     NULL};
		for (size_t i = 0; unused[i]; i++)
			if (check_present(c, unused[i]))
				check_error(c, unused[i], "is not used by a bulk workload (one TCP "
					    "stream per connection, as fast as the path allows)");
		static const char *const whole_run[] = {"start", "duration", NULL};
		for (size_t i = 0; whole_run[i]; i++)
			if (check_present(c, whole_run[i]))
				check_error(c, whole_run[i], "is not supported by a bulk workload: its "
					    "streams run per flow, for the whole run");
	}
	if (w->source == SCN_SRC_OUTSIDE && w->namespace_[0])
		check_error(c, "namespace", "is only used when source is in-mesh");
	if (w->source == SCN_SRC_OUTSIDE && check_present(c, "placement"))
		check_error(c, "placement", "is only used when source is in-mesh (an outside client "
			    "runs on no node of the cluster)");
}

static void check_mesh(check_ctx *c, const void *obj)
{
	const scn_mesh *m = obj;
	if (m->mode == SCN_MESH_NONE) {
		if (m->mtls)
			check_error(c, "mtls", "needs a mesh (mode is none)");
		if (m->l7)
			check_error(c, "l7", "needs a mesh (mode is none)");
		if (check_present(c, "proxy"))
			check_error(c, "proxy", "needs a mesh (mode is none)");
	}
	if (m->wireguard && m->mode != SCN_MESH_CILIUM)
		check_error(c, "wireguard", "is only supported with mode cilium (mode is %s)",
			    scn_mesh_mode_name(m->mode));
	if (m->authorization.l7_rules > 0 && !m->l7 &&
	    (m->mode == SCN_MESH_ISTIO_AMBIENT || m->mode == SCN_MESH_CILIUM))
		check_error(c, "authorization.l7Rules", "needs l7: true with mode %s",
			    scn_mesh_mode_name(m->mode));
	/* L7 rules match parsed requests (path, method, headers): with no
	 * HTTP parsing no proxy could evaluate them, and they would count for
	 * nothing without a word. */
	if (m->authorization.l7_rules > 0 && !m->http_parsing)
		check_error(c, "authorization.l7Rules", "needs httpParsing: true (L7 rules match "
			    "on parsed requests, which no proxy parses with httpParsing: false)");
}

static void check_churn(check_ctx *c, const void *obj)
{
	const scn_churn *ch = obj;
	check_ref(c, "target", ch->target,
		  ch->type == SCN_CHURN_RELABEL ? REF_NAMESPACE : REF_SERVICE);
	if (ch->type == SCN_CHURN_SCALE) {
		if (ch->max_replicas < ch->min_replicas)
			check_error(c, "maxReplicas", "must be >= minReplicas (%lld)",
				    (long long)ch->min_replicas);
	} else {
		if (check_present(c, "minReplicas"))
			check_error(c, "minReplicas", "is only used by scale churn");
		if (check_present(c, "maxReplicas"))
			check_error(c, "maxReplicas", "is only used by scale churn");
	}
}

/* The callee index of service i's call j, or -1 (an unknown name: the
 * reference check says so). */
static long callee_of(const scn_spec *s, size_t i, size_t j)
{
	for (size_t k = 0; k < s->n_services; k++)
		if (s->services[k].name && s->services[i].calls[j].service &&
		    !strcmp(s->services[k].name, s->services[i].calls[j].service))
			return (long)k;
	return -1;
}

/* A cycle in the call graph would call forever (each request making
 * requests that make requests): reported at the call that closes it, with
 * the services around it. Depth-first, iteratively; state 0 unseen, 1 on
 * the current path, 2 done. */
static void check_call_cycles(check_ctx *c, const scn_spec *s)
{
	size_t n = s->n_services;
	if (n == 0)
		return;
	unsigned char *state = scn_xcalloc(n, 1);
	size_t *stack = scn_xcalloc(n, sizeof(size_t)); /* services on the path */
	size_t *next = scn_xcalloc(n, sizeof(size_t));  /* each one's next call */
	for (size_t root = 0; root < n; root++) {
		if (state[root])
			continue;
		size_t depth = 0;
		stack[depth++] = root;
		state[root] = 1;
		next[root] = 0;
		while (depth > 0) {
			size_t i = stack[depth - 1];
			if (next[i] == s->services[i].n_calls) {
				state[i] = 2;
				depth--;
				continue;
			}
			size_t j = next[i]++;
			long k = callee_of(s, i, j);
			if (k < 0 || state[k] == 2)
				continue;
			if (state[k] == 0) {
				state[k] = 1;
				next[k] = 0;
				stack[depth++] = (size_t)k;
				continue;
			}
			/* k is on the path: the cycle is k .. i, then k again */
			char cycle[512] = "", rel[96];
			size_t from = 0;
			while (stack[from] != (size_t)k)
				from++;
			for (size_t d = from; d < depth; d++) {
				size_t used = strlen(cycle);
				snprintf(cycle + used, sizeof cycle - used, "%s -> ",
					 s->services[stack[d]].name);
			}
			size_t used = strlen(cycle);
			snprintf(cycle + used, sizeof cycle - used, "%s", s->services[k].name);
			snprintf(rel, sizeof rel, "services[%zu].calls[%zu].service", i, j);
			check_error(c, rel, "closes a cycle in the call graph (%s): every request "
				    "would call without end", cycle);
		}
	}
	free(state);
	free(stack);
	free(next);
}

static void check_spec(check_ctx *c, const void *obj)
{
	const scn_spec *s = obj;
	char rel[128];
	if (s->warmup >= s->duration)
		check_error(c, "warmup", "must be shorter than duration");
	check_call_cycles(c, s);
	for (size_t i = 0; i < s->n_workloads; i++) {
		const scn_workload *w = &s->workloads[i];
		snprintf(rel, sizeof rel, "workloads[%zu].protocol", i);
		if (w->type == SCN_WL_BULK || !check_present(c, rel))
			continue;
		for (size_t k = 0; k < s->n_services; k++)
			if (s->services[k].name && w->target && !strcmp(s->services[k].name, w->target) &&
			    s->services[k].protocol != w->protocol)
				check_error(c, rel, "is %s but service %s speaks %s: a client speaks its "
					    "target's protocol", protocol_values[w->protocol],
					    w->target, protocol_values[s->services[k].protocol]);
	}
	for (size_t i = 0; i < s->n_workloads; i++) {
		const scn_workload *w = &s->workloads[i];
		if (w->start >= s->duration) {
			snprintf(rel, sizeof rel, "workloads[%zu].start", i);
			check_error(c, rel, "must be before the end of the run (duration)");
		}
	}
	if (!check_valid(c, "cluster"))
		return; /* node counts may hold defaults */
	for (size_t i = 0; i < s->n_services + s->n_workloads; i++) {
		bool svc = i < s->n_services;
		size_t j = svc ? i : i - s->n_services;
		const scn_placement *p = svc ? &s->services[j].placement : &s->workloads[j].placement;
		if (p->policy != SCN_PLACE_PINNED)
			continue;
		for (size_t k = 0; k < s->cluster.n_node_pools; k++) {
			const scn_node_pool *np = &s->cluster.node_pools[k];
			if (strcmp(np->name, p->node_pool) == 0 && p->node_index >= np->count) {
				snprintf(rel, sizeof rel, "%s[%zu].placement.nodeIndex",
					 svc ? "services" : "workloads", j);
				check_error(c, rel, "node pool %s has %lld node(s), indexes 0..%lld",
					    np->name, (long long)np->count, (long long)np->count - 1);
			}
		}
	}
}

/* ---- common objects ---- */

static const schema_field metadata_fields[] = {
	{.name = "name", .type = ST_STRING, .flags = SF_REQUIRED | SF_NAME,
	 FLD(scn_metadata, name), .doc = "Name of the document (lowercase letters, digits and "
	 "'-', at most 63 characters, as Kubernetes names)."},
	{.name = "labels", .type = ST_LABELS, LST(scn_metadata, labels, n_labels),
	 .doc = "Free key/value labels, stored with every run and usable in queries."},
	{.name = "annotations", .type = ST_LABELS, LST(scn_metadata, annotations, n_annotations),
	 .doc = "Free key/value notes (a source, a ticket, a description)."},
};
OBJ(metadata_obj, "ObjectMeta", scn_metadata, metadata_fields, NULL,
    "Name and labels of the document, as in Kubernetes.");

static const schema_field resource_list_fields[] = {
	{.name = "cpu", .type = ST_CPU, .def = "0", .min = "0", FLD(scn_resource_list, cpu),
	 .doc = "CPU as a Kubernetes quantity (500m = half a core); 0 = none."},
	{.name = "memory", .type = ST_BYTES, .def = "0", .min = "0",
	 FLD(scn_resource_list, memory),
	 .doc = "Memory as a Kubernetes quantity (128Mi, 1Gi, 1G); 0 = none."},
};
OBJ(resource_list_obj, "ResourceList", scn_resource_list, resource_list_fields, NULL,
    "CPU and memory amounts.");

static const schema_field resources_fields[] = {
	{.name = "requests", .type = ST_OBJECT, .child = &resource_list_obj,
	 FLD(scn_resources, requests), .doc = "What the scheduler reserves for the container."},
	{.name = "limits", .type = ST_OBJECT, .child = &resource_list_obj,
	 FLD(scn_resources, limits), .doc = "Caps: the CPU limit throttles (CFS quota); "
	 "0 = unlimited."},
};
OBJ(resources_obj, "ResourceRequirements", scn_resources, resources_fields, check_resources,
    "Kubernetes container resources: requests and limits.");

/* The proxy's defaults are Istio's sidecar defaults (100m/128Mi requests,
 * 2 cores/1Gi limits). */
static const schema_field proxy_requests_fields[] = {
	{.name = "cpu", .type = ST_CPU, .def = "100m", .min = "0", FLD(scn_resource_list, cpu),
	 .doc = "CPU requested per proxy."},
	{.name = "memory", .type = ST_BYTES, .def = "128Mi", .min = "0",
	 FLD(scn_resource_list, memory), .doc = "Memory requested per proxy."},
};
static const schema_field proxy_limits_fields[] = {
	{.name = "cpu", .type = ST_CPU, .def = "2", .min = "0", FLD(scn_resource_list, cpu),
	 .doc = "CPU limit per proxy (throttling); 0 = unlimited."},
	{.name = "memory", .type = ST_BYTES, .def = "1Gi", .min = "0",
	 FLD(scn_resource_list, memory), .doc = "Memory limit per proxy; 0 = unlimited."},
};
OBJ(proxy_requests_obj, "ResourceList", scn_resource_list, proxy_requests_fields, NULL,
    "CPU and memory amounts.");
OBJ(proxy_limits_obj, "ResourceList", scn_resource_list, proxy_limits_fields, NULL,
    "CPU and memory amounts.");
static const schema_field proxy_resources_fields[] = {
	{.name = "requests", .type = ST_OBJECT, .child = &proxy_requests_obj,
	 FLD(scn_resources, requests), .doc = "What the scheduler reserves for each proxy."},
	{.name = "limits", .type = ST_OBJECT, .child = &proxy_limits_obj,
	 FLD(scn_resources, limits), .doc = "Caps of each proxy."},
};
OBJ(proxy_resources_obj, "ResourceRequirements", scn_resources, proxy_resources_fields,
    check_resources, "Kubernetes container resources of a proxy (Istio's defaults).");

/* ---- Scenario ---- */

static const schema_field node_type_fields[] = {
	{.name = "name", .type = ST_STRING, .flags = SF_REQUIRED | SF_NAME, .ref = REF_NODE_TYPE,
	 FLD(scn_node_type, name), .doc = "Name of the node type, referred to by node pools."},
	{.name = "cpu", .type = ST_CPU, .flags = SF_REQUIRED, .min = "1m", .max = "1024",
	 FLD(scn_node_type, cpu), .doc = "Allocatable cores per node (a Kubernetes CPU quantity)."},
	{.name = "memory", .type = ST_BYTES, .flags = SF_REQUIRED, .min = "1Mi", .max = "64Ti",
	 FLD(scn_node_type, memory), .doc = "Allocatable memory per node (a Kubernetes quantity)."},
	{.name = "cpuSpeed", .type = ST_NUMBER, .def = "1.0", .min = "0.01", .max = "100",
	 FLD(scn_node_type, cpu_speed), .doc = "Speed of one core relative to the calibration "
	 "host: 2.0 does the same work in half the time."},
	{.name = "wakeupCpu", .type = ST_DURATION, .def = "0s", .min = "0s", .max = "10ms",
	 FLD(scn_node_type, wakeup_cpu), .doc = "CPU time a proxy pays on this platform each time "
	 "an idle worker thread is woken, beyond the calibrated context switch its hops already "
	 "price (virtualised interrupt and idle exit, cold caches). 0 = none: the bare-metal "
	 "calibration figures' framework terms already hold their platform's."},
	{.name = "kernelSpeed", .type = ST_NUMBER, .def = "0", .min = "0", .max = "100",
	 FLD(scn_node_type, kernel_speed), .doc = "Speed of kernel crossings (syscalls, context "
	 "switches, TCP/IP stack traversals, iptables) relative to the calibration host, apart "
	 "from cpuSpeed: the calibration host is a VM whose crossings cost 2-4 times bare metal's "
	 "(kernel-costs.md sections 0 and 6) while its compute (crypto, parsing) does not. "
	 "0 = cpuSpeed."},
};
OBJ(node_type_obj, "NodeType", scn_node_type, node_type_fields, NULL,
    "A kind of machine: cores, memory and CPU speed.");

static const schema_field node_pool_fields[] = {
	{.name = "name", .type = ST_STRING, .flags = SF_REQUIRED | SF_NAME, .ref = REF_NODE_POOL,
	 FLD(scn_node_pool, name), .doc = "Name of the pool; its nodes are NAME-0, NAME-1, ..."},
	{.name = "nodeType", .type = ST_STRING, .flags = SF_REQUIRED, .ref = REF_NODE_TYPE,
	 FLD(scn_node_pool, node_type), .doc = "The node type of every node of the pool."},
	{.name = "count", .type = ST_INT, .def = "1", .min = "1", .max = "100000",
	 FLD(scn_node_pool, count), .doc = "Number of nodes."},
};
OBJ(node_pool_obj, "NodePool", scn_node_pool, node_pool_fields, NULL,
    "A group of identical nodes.");

/* spec.cluster.network: its fields are members of scn_cluster itself (the
 * object is bound at offset 0 of scn_cluster, so its size is the cluster's). */
static const schema_field network_fields[] = {
	{.name = "bandwidth", .type = ST_BITRATE, .def = "100G", .min = "1M", .max = "10T",
	 FLD(scn_cluster, network_bandwidth_bps), .doc = "Bit rate of each node's network link in "
	 "bits per second: 10G means 10 Gbit/s (decimal prefixes k, M, G, T; not bytes). "
	 "Default 100G: the 100 Gbit/s NICs of the Cilium CNI benchmark (calibration.md C2)."},
	{.name = "latency", .type = ST_DURATION, .def = "10us", .min = "0s", .max = "10s",
	 FLD(scn_cluster, network_latency_ns), .doc = "One-way latency of the wire and switch "
	 "between two nodes (a message between nodes also pays serialisation at bandwidth and the "
	 "kernel costs of its hops). Default 10us: half the 20.9 us node-to-node TCP_RR round trip "
	 "of calibration.md C2 (47,800 req/s, derived), rounded down; an upper bound, since that "
	 "round trip also holds both hosts' TCP stacks (kernel-costs.md section 3.4 prices those "
	 "separately)."},
	{.name = "mtu", .type = ST_INT, .def = "1500", .min = "576", .max = "65535",
	 FLD(scn_cluster, network_mtu), .doc = "Bytes of an IP packet on the wire between nodes "
	 "(1500; 9000 for jumbo frames). A TCP segment carries mtu - 52 bytes (IPv4 and TCP "
	 "headers with timestamps), less what a tunnel's packetOverhead takes; per-packet "
	 "operations count packets of that size."},
};
OBJ(network_obj, "Network", scn_cluster, network_fields, NULL,
    "The network between nodes: link bit rate, one-way latency and MTU.");

static const schema_field cluster_fields[] = {
	{.name = "nodeTypes", .type = ST_LIST, .flags = SF_REQUIRED, .min = "1",
	 .child = &node_type_obj, LST(scn_cluster, node_types, n_node_types),
	 .doc = "The machine types the pools use."},
	{.name = "nodePools", .type = ST_LIST, .flags = SF_REQUIRED, .min = "1",
	 .child = &node_pool_obj, LST(scn_cluster, node_pools, n_node_pools),
	 .doc = "The nodes of the cluster, by pool."},
	{.name = "network", .type = ST_OBJECT, .child = &network_obj, .offset = 0,
	 .doc = "The network between nodes (defaults from calibration.md C2)."},
};
OBJ(cluster_obj, "Cluster", scn_cluster, cluster_fields, NULL,
    "The Kubernetes cluster: node types and node pools.");

static const schema_field namespace_fields[] = {
	{.name = "name", .type = ST_STRING, .flags = SF_REQUIRED | SF_NAME, .ref = REF_NAMESPACE,
	 FLD(scn_namespace, name), .doc = "Name of the namespace."},
	{.name = "labels", .type = ST_LABELS, LST(scn_namespace, labels, n_labels),
	 .doc = "Namespace labels (e.g. istio-injection: enabled); relabel churn changes them."},
};
OBJ(namespace_obj, "Namespace", scn_namespace, namespace_fields, NULL,
    "A Kubernetes namespace.");

static const schema_field placement_fields[] = {
	{.name = "policy", .type = ST_ENUM, .def = "spread", .enum_values = placement_values,
	 FLD(scn_placement, policy), .doc = "spread: replicas round-robin over the nodes; pack: "
	 "fill a node before the next; pinned: every replica on one node."},
	{.name = "nodePool", .type = ST_STRING, .ref = REF_NODE_POOL, FLD(scn_placement, node_pool),
	 .doc = "Restrict the pods to this node pool; required when pinned. Empty = any pool."},
	{.name = "nodeIndex", .type = ST_INT, .def = "0", .min = "0",
	 FLD(scn_placement, node_index),
	 .doc = "pinned only: the node of nodePool (0 = NAME-0)."},
};
OBJ(placement_obj, "Placement", scn_placement, placement_fields, check_placement,
    "Where the pods of a service run (same-node and cross-node traffic cost differently).");

static const schema_field delay_fields[] = {
	{.name = "distribution", .type = ST_ENUM, .def = "fixed", .enum_values = distribution_values,
	 FLD(scn_delay, distribution), .doc = "fixed: always mean; exponential: mean; "
	 "lognormal: mean and stddev of the delay; uniform: between min and max."},
	{.name = "mean", .type = ST_DURATION, .def = "0s", .min = "0s", .max = "1h",
	 FLD(scn_delay, mean), .doc = "Mean delay (fixed, exponential, lognormal)."},
	{.name = "stddev", .type = ST_DURATION, .def = "0s", .min = "0s", .max = "1h",
	 FLD(scn_delay, stddev), .doc = "Standard deviation of the delay (lognormal only)."},
	{.name = "min", .type = ST_DURATION, .def = "0s", .min = "0s", .max = "1h",
	 FLD(scn_delay, min), .doc = "Smallest delay (uniform only)."},
	{.name = "max", .type = ST_DURATION, .def = "0s", .min = "0s", .max = "1h",
	 FLD(scn_delay, max), .doc = "Largest delay (uniform only)."},
};
OBJ(delay_obj, "Delay", scn_delay, delay_fields, check_delay,
    "A random delay: the application's processing time per request.");

static const schema_field call_fields[] = {
	{.name = "service", .type = ST_STRING, .flags = SF_REQUIRED, .ref = REF_SERVICE,
	 FLD(scn_call, service), .doc = "The service called."},
	{.name = "count", .type = ST_INT, .def = "1", .min = "1", .max = "1000",
	 FLD(scn_call, count), .doc = "Calls per incoming request, made at once (in parallel, as "
	 "the service's other calls); the service replies when all are answered."},
	{.name = "requestBytes", .type = ST_BYTES, .def = "0", .min = "0", .max = "1Gi",
	 FLD(scn_call, request_bytes), .doc = "Request body size of each call."},
};
OBJ(call_obj, "Call", scn_call, call_fields, NULL,
    "A downstream call made while serving a request (a call graph edge).");

static const schema_field service_fields[] = {
	{.name = "name", .type = ST_STRING, .flags = SF_REQUIRED | SF_NAME, .ref = REF_SERVICE,
	 FLD(scn_service, name), .doc = "Name of the service (and of its deployment)."},
	{.name = "namespace", .type = ST_STRING, .flags = SF_REQUIRED, .ref = REF_NAMESPACE,
	 FLD(scn_service, namespace_), .doc = "Namespace of the service (from spec.namespaces)."},
	{.name = "replicas", .type = ST_INT, .def = "1", .min = "0", .max = "100000",
	 FLD(scn_service, replicas), .doc = "Number of pods."},
	{.name = "port", .type = ST_INT, .def = "8080", .min = "1", .max = "65535",
	 FLD(scn_service, port), .doc = "Port the service listens on."},
	{.name = "protocol", .type = ST_ENUM, .def = "http1", .enum_values = protocol_values,
	 FLD(scn_service, protocol), .doc = "Application protocol: http1, http2 or grpc."},
	{.name = "placement", .type = ST_OBJECT, .child = &placement_obj,
	 FLD(scn_service, placement), .doc = "Where the pods run."},
	{.name = "workers", .type = ST_INT, .def = "1", .min = "1", .max = "100000",
	 FLD(scn_service, workers), .doc = "Application worker threads per pod: requests served "
	 "at once; others queue (FCFS)."},
	{.name = "serviceTime", .type = ST_OBJECT, .child = &delay_obj,
	 FLD(scn_service, service_time), .doc = "Processing time per request in the app."},
	{.name = "responseBytes", .type = ST_BYTES, .def = "0", .min = "0", .max = "1Gi",
	 FLD(scn_service, response_bytes), .doc = "Response body size."},
	{.name = "resources", .type = ST_OBJECT, .child = &resources_obj,
	 FLD(scn_service, resources), .doc = "Requests and limits of the app container."},
	{.name = "calls", .type = ST_LIST, .child = &call_obj, LST(scn_service, calls, n_calls),
	 .doc = "Downstream calls per request (call graph); empty = a leaf service."},
};
OBJ(service_obj, "Service", scn_service, service_fields, NULL,
    "A service: a deployment of identical pods running an application.");

static const schema_field workload_fields[] = {
	{.name = "name", .type = ST_STRING, .flags = SF_REQUIRED | SF_NAME, .ref = REF_WORKLOAD,
	 FLD(scn_workload, name), .doc = "Name of the workload (names its results)."},
	{.name = "type", .type = ST_ENUM, .def = "open-loop", .enum_values = workload_values,
	 FLD(scn_workload, type), .doc = "open-loop: Fortio-style, qps spread over connections; "
	 "constant-throughput: wrk2-style, latency measured from the intended send time; "
	 "closed-loop: concurrency requests in flight, the next sent on each reply; "
	 "connection-per-request: a new connection (and handshake) per request; "
	 "bulk: netperf TCP_STREAM-style, each connection one TCP stream sending messageBytes "
	 "per send() as fast as the path allows (throughput in bits/s; no requests)."},
	{.name = "target", .type = ST_STRING, .flags = SF_REQUIRED, .ref = REF_SERVICE,
	 FLD(scn_workload, target), .doc = "The service the requests go to."},
	{.name = "source", .type = ST_ENUM, .def = "in-mesh", .enum_values = source_values,
	 FLD(scn_workload, source), .doc = "in-mesh: the client is a pod in the mesh (with its "
	 "proxy); outside: the client is outside the cluster."},
	{.name = "namespace", .type = ST_STRING, .ref = REF_NAMESPACE,
	 FLD(scn_workload, namespace_), .doc = "in-mesh: namespace of the client pod; empty = "
	 "the target's namespace."},
	{.name = "protocol", .type = ST_ENUM, .def = "http1", .enum_values = protocol_values,
	 FLD(scn_workload, protocol), .doc = "Client protocol: http1, http2 or grpc; a client speaks its "
	 "target's protocol (the service's decides what the proxies parse), so when given it "
	 "must be that."},
	{.name = "qps", .type = ST_RATE, .def = "0", .min = "0", .max = "10000000",
	 FLD(scn_workload, qps), .doc = "Total requests per second over all connections "
	 "(Fortio -qps); 0 = as fast as possible."},
	{.name = "connections", .type = ST_INT, .def = "1", .min = "1", .max = "1000000",
	 FLD(scn_workload, connections), .doc = "Connections (Fortio -c, wrk2 -c)."},
	{.name = "concurrency", .type = ST_INT, .def = "0", .min = "0", .max = "1000000",
	 FLD(scn_workload, concurrency), .doc = "closed-loop only: requests in flight; "
	 "0 = one per connection."},
	{.name = "start", .type = ST_DURATION, .def = "0s", .min = "0s",
	 FLD(scn_workload, start), .doc = "When the workload starts."},
	{.name = "duration", .type = ST_DURATION, .def = "0s", .min = "0s",
	 FLD(scn_workload, duration), .doc = "How long it runs; 0 = until the end of the run."},
	{.name = "timeout", .type = ST_DURATION, .def = "3s", .min = "1ms", .max = "1h",
	 FLD(scn_workload, timeout), .doc = "Per-request timeout (Fortio's default 3s)."},
	{.name = "payloadBytes", .type = ST_BYTES, .def = "0", .min = "0", .max = "1Gi",
	 FLD(scn_workload, payload_bytes), .doc = "Request body size (Fortio -payload-size)."},
	{.name = "messageBytes", .type = ST_BYTES, .def = "16Ki", .min = "1", .max = "1Gi",
	 FLD(scn_workload, message_bytes), .doc = "bulk only: bytes of each send() (netperf -m; "
	 "its default is the socket buffer's initial size, 16 KiB on Linux)."},
	{.name = "uniform", .type = ST_BOOL, .def = "false", FLD(scn_workload, uniform),
	 .doc = "De-synchronise the connections' send times (Fortio -uniform)."},
	{.name = "noCatchup", .type = ST_BOOL, .def = "false", FLD(scn_workload, no_catchup),
	 .doc = "Do not send faster to catch up after a slow reply (Fortio -nocatchup)."},
	{.name = "timerResolution", .type = ST_DURATION, .def = "0s", .min = "0s", .max = "1s",
	 FLD(scn_workload, timer_resolution), .doc = "The load generator's timer tick: a request "
	 "that must wait for its turn after a reply waits whole ticks, floor(wait / tick) + 1, so "
	 "it leaves up to one tick late (a constant-throughput workload's latency, counted from "
	 "the turn, shows it). wrk2 waits on a 1 ms event-loop timer (wrk.c delay_request; "
	 "giltene/wrk2#78: latencies over-reported by up to 1 ms): 1ms. 0 = on time (Fortio's Go "
	 "timers)."},
	{.name = "replicas", .type = ST_INT, .def = "1", .min = "1", .max = "10000",
	 FLD(scn_workload, replicas), .doc = "Client pods (load generator processes, e.g. a Job "
	 "with parallelism 3). qps is the total over all of them; connections (and concurrency) "
	 "are per pod, as each process is started with -c. Connection i of the whole runs from "
	 "client pod i mod replicas to server pod (i / replicas) mod the target's replicas."},
	{.name = "placement", .type = ST_OBJECT, .child = &placement_obj,
	 FLD(scn_workload, placement), .doc = "in-mesh: where the client pods run (default: "
	 "spread from the first node)."},
};
OBJ(workload_obj, "Workload", scn_workload, workload_fields, check_workload,
    "A load generator in the shape benchmarks use (Fortio, wrk2, closed loop).");

static const schema_field auth_fields[] = {
	{.name = "l4Rules", .type = ST_INT, .def = "0", .min = "0", .max = "100000",
	 FLD(scn_auth_policies, l4_rules), .doc = "L4 (identity, port) rules each request is "
	 "evaluated against."},
	{.name = "l7Rules", .type = ST_INT, .def = "0", .min = "0", .max = "100000",
	 FLD(scn_auth_policies, l7_rules), .doc = "L7 (path, method, header) rules each request "
	 "is evaluated against; needs an L7 proxy."},
};
OBJ(auth_obj, "AuthorizationPolicies", scn_auth_policies, auth_fields, NULL,
    "How many authorization rules the proxies evaluate per request.");

static const schema_field proxy_fields[] = {
	{.name = "concurrency", .type = ST_INT, .def = "2", .min = "0", .max = "1024",
	 FLD(scn_proxy, concurrency), .doc = "Worker threads per proxy (Istio proxyConcurrency); "
	 "0 = one per core of the node."},
	{.name = "resources", .type = ST_OBJECT, .child = &proxy_resources_obj,
	 FLD(scn_proxy, resources), .doc = "Requests and limits of each proxy container."},
};
OBJ(proxy_obj, "Proxy", scn_proxy, proxy_fields, NULL, "The mesh's proxies.");

static const schema_field waypoint_fields[] = {
	{.name = "replicas", .type = ST_INT, .def = "1", .min = "1", .max = "1000",
	 FLD(scn_waypoint, replicas), .doc = "Pods of each waypoint deployment (kubectl scale), "
	 "spread over the nodes; requests take them in turn."},
};
OBJ(waypoint_obj, "Waypoint", scn_waypoint, waypoint_fields, NULL,
    "The mesh's waypoint deployments (components scoped per namespace or service account).");

static const schema_field mesh_fields[] = {
	{.name = "mode", .type = ST_ENUM, .def = "none", .enum_values = mesh_values,
	 FLD(scn_mesh, mode), .doc = "none, istio-sidecar, istio-ambient (ztunnel; a waypoint "
	 "when l7), cilium (eBPF; a node Envoy when l7) or linkerd."},
	{.name = "profile", .type = ST_STRING, FLD(scn_mesh, profile), .doc = "Name of a "
	 "MeshProfile (configs/meshes/) to use; empty = the built-in profile of mode."},
	{.name = "mtls", .type = ST_BOOL, .def = "false", FLD(scn_mesh, mtls),
	 .doc = "Mutual TLS between workloads."},
	{.name = "l7", .type = ST_BOOL, .def = "false", FLD(scn_mesh, l7),
	 .doc = "L7 processing: Istio ambient waypoints, Cilium's node Envoy."},
	{.name = "httpParsing", .type = ST_BOOL, .def = "true", FLD(scn_mesh, http_parsing),
	 .doc = "Proxies parse HTTP (false = opaque TCP passthrough)."},
	{.name = "wireguard", .type = ST_BOOL, .def = "false", FLD(scn_mesh, wireguard),
	 .doc = "cilium only: WireGuard encryption of cross-node traffic."},
	{.name = "authorization", .type = ST_OBJECT, .child = &auth_obj,
	 FLD(scn_mesh, authorization), .doc = "Authorization policy rule counts."},
	{.name = "proxy", .type = ST_OBJECT, .child = &proxy_obj, FLD(scn_mesh, proxy),
	 .doc = "Proxy threads and resources."},
	{.name = "waypoint", .type = ST_OBJECT, .child = &waypoint_obj, FLD(scn_mesh, waypoint),
	 .doc = "Waypoint deployments (Istio ambient with l7)."},
};
OBJ(mesh_obj, "Mesh", scn_mesh, mesh_fields, check_mesh,
    "The service mesh and its options.");

static const schema_field churn_fields[] = {
	{.name = "name", .type = ST_STRING, .flags = SF_REQUIRED | SF_NAME, .ref = REF_CHURN,
	 FLD(scn_churn, name), .doc = "Name of the churn action."},
	{.name = "type", .type = ST_ENUM, .flags = SF_REQUIRED, .enum_values = churn_values,
	 FLD(scn_churn, type), .doc = "scale: scale target service to a uniform random size in "
	 "[minReplicas, maxReplicas]; relabel: change a label of target namespace; rollout: "
	 "replace every pod of target service."},
	{.name = "target", .type = ST_STRING, .flags = SF_REQUIRED, FLD(scn_churn, target),
	 .doc = "A service (scale, rollout) or a namespace (relabel)."},
	{.name = "start", .type = ST_DURATION, .def = "0s", .min = "0s", FLD(scn_churn, start),
	 .doc = "Time of the first action."},
	{.name = "period", .type = ST_DURATION, .flags = SF_REQUIRED, .min = "1ms",
	 FLD(scn_churn, period), .doc = "Time between actions."},
	{.name = "minReplicas", .type = ST_INT, .def = "0", .min = "0", .max = "100000",
	 FLD(scn_churn, min_replicas), .doc = "scale only: smallest size."},
	{.name = "maxReplicas", .type = ST_INT, .def = "0", .min = "0", .max = "100000",
	 FLD(scn_churn, max_replicas), .doc = "scale only: largest size."},
};
OBJ(churn_obj, "Churn", scn_churn, churn_fields, check_churn,
    "A recurring change to the cluster that loads the control plane.");

static const schema_field spec_fields[] = {
	{.name = "cluster", .type = ST_OBJECT, .flags = SF_REQUIRED, .child = &cluster_obj,
	 FLD(scn_spec, cluster), .doc = "Node types and node pools."},
	{.name = "namespaces", .type = ST_LIST, .flags = SF_REQUIRED, .min = "1",
	 .child = &namespace_obj, LST(scn_spec, namespaces, n_namespaces),
	 .doc = "The namespaces services live in."},
	{.name = "services", .type = ST_LIST, .child = &service_obj,
	 LST(scn_spec, services, n_services), .doc = "The services and their pods."},
	{.name = "mesh", .type = ST_OBJECT, .child = &mesh_obj, FLD(scn_spec, mesh),
	 .doc = "The service mesh (default: none)."},
	{.name = "workloads", .type = ST_LIST, .child = &workload_obj,
	 LST(scn_spec, workloads, n_workloads), .doc = "The load generators."},
	{.name = "churn", .type = ST_LIST, .child = &churn_obj, LST(scn_spec, churn, n_churn),
	 .doc = "Recurring cluster changes (scaling, relabelling, rollouts)."},
	{.name = "duration", .type = ST_DURATION, .flags = SF_REQUIRED, .min = "1ms",
	 .max = "8760h", FLD(scn_spec, duration), .doc = "Simulated time of one run."},
	{.name = "warmup", .type = ST_DURATION, .def = "0s", .min = "0s", FLD(scn_spec, warmup),
	 .doc = "Initial part of the run left out of the statistics (must be < duration)."},
	{.name = "seed", .type = ST_INT, .def = "1", .min = "0", FLD(scn_spec, seed),
	 .doc = "Master random seed; the same seed gives the same run (and common random "
	 "numbers across meshes)."},
	{.name = "replications", .type = ST_INT, .def = "1", .min = "1", .max = "100000",
	 FLD(scn_spec, replications), .doc = "Independent replications (for confidence "
	 "intervals)."},
	{.name = "fidelity", .type = ST_ENUM, .def = "per-request", .enum_values = fidelity_values,
	 FLD(scn_spec, fidelity), .doc = "per-request: every request is events; per-flow: "
	 "traffic as fluid rates (large clusters)."},
	{.name = "calibration", .type = ST_STRING, FLD(scn_spec, calibration),
	 .doc = "Calibration profile (name or path); empty = the built-in one."},
};
OBJ(spec_obj, "ScenarioSpec", scn_spec, spec_fields, check_spec,
    "What to simulate: cluster, services, mesh, workloads, churn and run length.");

static const schema_field scenario_fields[] = {
	{.name = "apiVersion", .type = ST_STRING, .flags = SF_REQUIRED, .enum_values = api_versions,
	 FLD(scenario, api_version), .doc = "Version of the format: " SCN_API_VERSION "."},
	{.name = "kind", .type = ST_STRING, .flags = SF_REQUIRED, .enum_values = kind_scenario,
	 FLD(scenario, kind),
	 .doc = "Scenario."},
	{.name = "metadata", .type = ST_OBJECT, .flags = SF_REQUIRED, .child = &metadata_obj,
	 FLD(scenario, metadata), .doc = "Name and labels."},
	{.name = "spec", .type = ST_OBJECT, .flags = SF_REQUIRED, .child = &spec_obj,
	 FLD(scenario, spec), .doc = "What to simulate."},
};
OBJ(scenario_obj, "Scenario", scenario, scenario_fields, NULL,
    "One simulation setup: a cluster, its services and mesh, the load and the run length.");

/* ---- validate-only kinds (later issues bind them to structs) ---- */

static const schema_field parameter_fields[] = {
	{.name = "path", .type = ST_STRING, .flags = SF_REQUIRED,
	 .doc = "Field of the scenario to vary, as for --set (spec.workloads[0].qps)."},
	{.name = "values", .type = ST_STRINGS, .flags = SF_REQUIRED, .min = "1",
	 .doc = "The values it takes, as they would be written in the scenario."},
};
VOBJ(parameter_obj, "SweepParameter", parameter_fields, NULL, "One factor of a sweep.");

static const schema_field sweep_spec_fields[] = {
	{.name = "scenario", .type = ST_STRING, .flags = SF_REQUIRED,
	 .doc = "Path of the base Scenario file (relative to the sweep file)."},
	{.name = "parameters", .type = ST_LIST, .flags = SF_REQUIRED, .min = "1",
	 .child = &parameter_obj, .doc = "Factors; the runs are their cartesian product."},
	{.name = "replications", .type = ST_INT, .def = "1", .min = "1", .max = "100000",
	 .doc = "Replications of every point."},
	{.name = "seedPolicy", .type = ST_ENUM, .def = "common", .enum_values = seed_policy_values,
	 .doc = "common: the same seeds at every point (common random numbers); independent: "
	 "different seeds."},
};
VOBJ(sweep_spec_obj, "SweepSpec", sweep_spec_fields, NULL, "A parameter study.");

/* ---- MeshProfile (bound to scn_mp_doc, converted by meshprofile.c) ---- */

/* A numeric parameter and its provenance: three value types, one struct. */
#define MP_PARAM_FIELDS(var, vtype, vmin, vmax, vdoc)                                      \
	static const schema_field var[] = {                                                \
		{.name = "value", .type = vtype, .flags = SF_REQUIRED, .min = vmin, .max = vmax, \
		 FLD(scn_mp_param, value), .doc = vdoc},                                   \
		{.name = "source", .type = ST_STRING, .flags = SF_REQUIRED,                \
		 FLD(scn_mp_param, source), .doc = "Where the value comes from: a "          \
		 "kernel-costs.md section, a calibration.md figure, or \"initial: ...; to be " \
		 "refitted by `make calibration`\" for a term fitted to calibration.md."},  \
	}
MP_PARAM_FIELDS(cpu_param_fields, ST_DURATION, "0s", "1s",
		"CPU time at the calibration host's speed (45us, 1.5ms).");
MP_PARAM_FIELDS(delay_param_fields, ST_DURATION, "0s", "1s", "A latency (5us).");
MP_PARAM_FIELDS(bytes_param_fields, ST_BYTES, "0", "1Ti", "Bytes (40Mi, 32Ki, 4096).");
MP_PARAM_FIELDS(workers_param_fields, ST_INT, "0", "1024",
		"Worker threads; 0 = one per core of the node.");
OBJ(cpu_param_obj, "CPUParam", scn_mp_param, cpu_param_fields, NULL,
    "A CPU cost with its source: {value: 45us, source: \"...\"}.");
OBJ(delay_param_obj, "DelayParam", scn_mp_param, delay_param_fields, NULL,
    "A latency with its source: {value: 5us, source: \"...\"}.");
/* A hop's own delay is optional: omitted, it is 0 and says so. */
#define HOP_NO_DELAY "none: no delay of its own at this hop"
static const schema_field hop_delay_fields[] = {
	{.name = "value", .type = ST_DURATION, .def = "0s", .min = "0s", .max = "1s",
	 FLD(scn_mp_param, value), .doc = "A latency (9us)."},
	{.name = "source", .type = ST_STRING, .def = HOP_NO_DELAY,
	 FLD(scn_mp_param, source), .doc = "Where the value comes from (required with a value)."},
};
/* A hop's own CPU is optional too. */
#define HOP_NO_CPU "none: no CPU of its own at this hop"
static const char *const cpu_per_values[] = {"traversal", "packet", "segment", NULL};
static const schema_field hop_cpu_fields[] = {
	{.name = "value", .type = ST_DURATION, .def = "0s", .min = "0s", .max = "1s",
	 FLD(scn_mp_hop, cpu.value), .doc = "CPU time (2us), at the calibration host's speed of "
	 "kernel crossings (a node's kernelSpeed scales it)."},
	{.name = "per", .type = ST_ENUM, .def = "traversal", .enum_values = cpu_per_values,
	 FLD(scn_mp_hop, cpu_per), .doc = "traversal: once per message through the hop; packet: "
	 "per packet on the wire; segment: per GSO/GRO segment (up to 64 KiB)."},
	{.name = "source", .type = ST_STRING, .def = HOP_NO_CPU, FLD(scn_mp_hop, cpu.source),
	 .doc = "Where the value comes from (required with a value)."},
};
OBJ(hop_cpu_obj, "HopCpu", scn_mp_hop, hop_cpu_fields, NULL,
    "CPU a hop costs beyond its operations, with its source: {value: 2us, per: segment, "
    "source: \"...\"}.");
OBJ(hop_delay_obj, "HopDelay", scn_mp_param, hop_delay_fields, NULL,
    "A hop's own latency with its source: {value: 9us, source: \"...\"}.");
OBJ(bytes_param_obj, "BytesParam", scn_mp_param, bytes_param_fields, NULL,
    "A memory size with its source: {value: 40Mi, source: \"...\"}.");
OBJ(workers_param_obj, "WorkersParam", scn_mp_param, workers_param_fields, NULL,
    "A thread count with its source: {value: 2, source: \"...\"}.");

static const char *const mp_scope_values[] = {"pod", "node", "service-account", "namespace",
					      NULL};
static const char *const mp_direction_values[] = {"request", "response", NULL};
static const char *const mp_wakeup_dist_values[] = {"fixed", "exponential", NULL};
static const char *const mp_side_values[] = {"client", "server", "waypoint", NULL};
static const char *const mp_size_words[] = {"request", "response", "message", "l4Rules",
					    "l7Rules", "packets", "segments", NULL};

/* Checks a `when` list; returns its MP_WHEN_* bits. */
static unsigned check_when(check_ctx *c, char *const *words, size_t n)
{
	unsigned bits = 0;
	const char *names[16];
	size_t nn = 0;
	for (unsigned b = 0; mesh_profile_when_name(b) && nn < 16; b++)
		names[nn++] = mesh_profile_when_name(b);
	for (size_t i = 0; i < n; i++) {
		char rel[64];
		snprintf(rel, sizeof rel, "when[%zu]", i);
		unsigned b = 0;
		while (b < nn && strcmp(names[b], words[i]))
			b++;
		if (b == nn) {
			char hint[160];
			schema_suggest(hint, sizeof hint, words[i], names, nn);
			check_error(c, rel, "unknown condition \"%s\"%s; one of mtls, no-mtls, l7, "
				    "no-l7, http-parsing, no-http-parsing, wireguard, same-node, "
				    "cross-node, new-connection, l4-policy, l7-policy, new-upstream, "
				    "http1, http2",
				    words[i], hint);
			continue;
		}
		if (bits & (1u << b))
			check_error(c, rel, "condition \"%s\" is listed twice", words[i]);
		bits |= 1u << b;
	}
	static const unsigned pairs[][2] = {{MP_WHEN_MTLS, MP_WHEN_NO_MTLS},
					    {MP_WHEN_L7, MP_WHEN_NO_L7},
					    {MP_WHEN_HTTP_PARSING, MP_WHEN_NO_HTTP_PARSING},
					    {MP_WHEN_SAME_NODE, MP_WHEN_CROSS_NODE},
					    {MP_WHEN_HTTP1, MP_WHEN_HTTP2}};
	for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++)
		if ((bits & pairs[k][0]) && (bits & pairs[k][1]))
			check_error(c, "when", "contradicts itself (both %s and %s): it never holds",
				    mesh_profile_when_name((unsigned)__builtin_ctz(pairs[k][0])),
				    mesh_profile_when_name((unsigned)__builtin_ctz(pairs[k][1])));
	return bits;
}

static void check_mp_op(check_ctx *c, const void *obj)
{
	const scn_mp_op *o = obj;
	int op = cost_op_from_name(o->op);
	if (op < 0) {
		const char *names[COST_OP_COUNT];
		for (int i = 0; i < COST_OP_COUNT; i++)
			names[i] = cost_op_name((cost_op)i);
		char hint[160];
		schema_suggest(hint, sizeof hint, o->op, names, COST_OP_COUNT);
		check_error(c, "op", "unknown operation \"%s\"%s (the keys of models/kernels/cost.h, "
			    "e.g. sys.syscall, tls13.record.write, http1.parse.request)", o->op, hint);
	}
	if (o->count <= 0)
		check_error(c, "count", "must be > 0 (got %g)", o->count);
	if (strcmp(o->size, "packets") && check_present(c, "packetSize"))
		check_error(c, "packetSize", "is only used with size: packets");
	if (strcmp(o->size, "packets") && check_present(c, "packetOverhead"))
		check_error(c, "packetOverhead", "is only used with size: packets");
	if (check_present(c, "packetSize") && check_present(c, "packetOverhead"))
		check_error(c, "packetOverhead", "and packetSize exclude each other: a packet is "
			    "packetSize bytes, or the MTU less packetOverhead");
	check_when(c, o->when, o->n_when);
	if (o->size[0]) {
		bool word = false;
		for (size_t i = 0; mp_size_words[i]; i++)
			word |= !strcmp(o->size, mp_size_words[i]);
		int64_t bytes;
		char err[256];
		if (!word && units_parse_bytes(o->size, &bytes, err, sizeof err) != 0) {
			char hint[160];
			schema_suggest(hint, sizeof hint, o->size, mp_size_words, 7);
			check_error(c, "size", "must be a number of bytes (1024, 4Ki) or one of request, "
				    "response, message, l4Rules, l7Rules, packets, segments (got \"%s\")%s",
				    o->size, hint);
		} else if (!word && bytes < 0) {
			check_error(c, "size", "must be >= 0 (got %s)", o->size);
		}
	} else if (op >= 0 && cost_op_model((cost_op)op) != COST_CONST) {
		check_error(c, "size", "is required: %s costs per %s (write request, response, "
			    "message, l4Rules, l7Rules, packets or a number of bytes)", o->op,
			    cost_op_unit((cost_op)op));
	}
}

static void check_mp_hop(check_ctx *c, const void *obj)
{
	const scn_mp_hop *h = obj;
	check_when(c, h->when, h->n_when);
	if (!h->component[0] && h->framework_share > 0)
		check_error(c, "frameworkShare", "needs a component (a kernel hop has no framework "
			    "work)");
	if (h->delay.value > 0 && (!h->delay.source || !strcmp(h->delay.source, HOP_NO_DELAY)))
		check_error(c, "delay.source", "required with a value: say where the delay comes "
			    "from");
	if (h->cpu.value > 0 && (!h->cpu.source || !strcmp(h->cpu.source, HOP_NO_CPU)))
		check_error(c, "cpu.source", "required with a value: say where the CPU comes from");
}

/* The MP_WHEN_* bits that hold under one combination of the 9 conditions. */
static unsigned when_holds(unsigned combo)
{
	static const unsigned yes[9] = {MP_WHEN_MTLS, MP_WHEN_L7, MP_WHEN_HTTP_PARSING,
					MP_WHEN_WIREGUARD, MP_WHEN_SAME_NODE,
					MP_WHEN_NEW_CONNECTION, MP_WHEN_L4_POLICY,
					MP_WHEN_L7_POLICY, MP_WHEN_NEW_UPSTREAM};
	static const unsigned no[9] = {MP_WHEN_NO_MTLS, MP_WHEN_NO_L7, MP_WHEN_NO_HTTP_PARSING,
				       0, MP_WHEN_CROSS_NODE, 0, 0, 0, 0};
	unsigned holds = 0;
	for (int i = 0; i < 9; i++)
		holds |= (combo >> i & 1u) ? yes[i] : no[i];
	return holds;
}

static void check_mp_spec(check_ctx *c, const void *obj)
{
	const scn_mp_spec *sp = obj;
	if (!check_valid(c, "hops") || !check_valid(c, "components"))
		return;
	for (size_t i = 0; i < sp->n_hops; i++) { /* a dangling component is reported already */
		bool known = !sp->hops[i].component[0];
		for (size_t k = 0; k < sp->n_components && !known; k++)
			known = !strcmp(sp->hops[i].component, sp->components[k].name);
		if (!known)
			return;
	}
	/* frameworkPerRequest is per instance: on each side (client, server,
	 * waypoint) where a component works on a request, its frameworkShare
	 * over that request's hops sums to 1, whatever the conditions (all 2^9
	 * combinations) */
	for (size_t k = 0; k < sp->n_components; k++) {
		const char *comp = sp->components[k].name;
		bool reported = false;
		for (unsigned combo = 0; combo < 512 && !reported; combo++) {
			unsigned holds = when_holds(combo);
			for (int side = 0; side < 3 && !reported; side++) {
				double sum = 0;
				long first = -1;
				for (size_t i = 0; i < sp->n_hops; i++) {
					const scn_mp_hop *h = &sp->hops[i];
					unsigned need = 0;
					for (size_t w = 0; w < h->n_when; w++)
						for (unsigned b = 0; mesh_profile_when_name(b); b++)
							if (!strcmp(h->when[w], mesh_profile_when_name(b)))
								need |= 1u << b;
					if (h->side != side || strcmp(h->component, comp) ||
					    (need & holds) != need)
						continue;
					if (first < 0)
						first = (long)i;
					sum += h->framework_share;
				}
				if (first < 0 || fabs(sum - 1.0) <= 1e-6)
					continue;
				char rel[64], cond[256] = "";
				snprintf(rel, sizeof rel, "hops[%ld].frameworkShare", first);
				for (unsigned b = 0; b < 12; b++)
					if (holds >> b & 1u) {
						size_t l = strlen(cond);
						snprintf(cond + l, sizeof cond - l, "%s%s", l ? ", " : "",
							 mesh_profile_when_name(b));
					}
				check_error(c, rel, "the frameworkShare of component %s on the %s side "
					    "sums to %g over the hops of one request, not 1 (when %s)",
					    comp, mp_side_values[side], sum, cond);
				reported = true;
			}
		}
	}
}

static const schema_field memory_model_fields[] = {
	{.name = "base", .type = ST_OBJECT, .flags = SF_REQUIRED, .child = &bytes_param_obj,
	 FLD(scn_mp_memory, base), .doc = "Memory at rest (one instance, no connections)."},
	{.name = "perConnection", .type = ST_OBJECT, .flags = SF_REQUIRED,
	 .child = &bytes_param_obj, FLD(scn_mp_memory, per_connection),
	 .doc = "Memory per open connection (downstream or upstream)."},
	{.name = "perConfigObject", .type = ST_OBJECT, .flags = SF_REQUIRED,
	 .child = &bytes_param_obj, FLD(scn_mp_memory, per_config_object),
	 .doc = "Memory per configuration object held (cluster, endpoint, workload, identity)."},
};
OBJ(memory_model_obj, "MemoryModel", scn_mp_memory, memory_model_fields, NULL,
    "Memory of a component: base + per connection + per config object.");

static const schema_field component_fields[] = {
	{.name = "name", .type = ST_STRING, .flags = SF_REQUIRED | SF_NAME,
	 .ref = REF_MESH_COMPONENT, FLD(scn_mp_component, name),
	 .doc = "Name of the component (sidecar, ztunnel, waypoint, envoy, proxy); hops refer "
	 "to it."},
	{.name = "scope", .type = ST_ENUM, .flags = SF_REQUIRED, .enum_values = mp_scope_values,
	 FLD(scn_mp_component, scope), .doc = "How many there are: one per pod (a sidecar), per "
	 "node (ztunnel, Cilium's Envoy), per service account of the destination (a waypoint) "
	 "or per namespace."},
	{.name = "userSpace", .type = ST_BOOL, .def = "true", FLD(scn_mp_component, user_space),
	 .doc = "A user-space proxy whose CPU shows in container metrics; false for kernel "
	 "datapaths."},
	{.name = "workers", .type = ST_OBJECT, .flags = SF_REQUIRED, .child = &workers_param_obj,
	 FLD(scn_mp_component, workers), .doc = "Worker threads; value 0 = one per core of its "
	 "node."},
	{.name = "workersFromMesh", .type = ST_BOOL, .def = "false",
	 FLD(scn_mp_component, workers_from_mesh), .doc = "Scenario spec.mesh.proxy.concurrency "
	 "overrides workers (Istio's proxyConcurrency)."},
	{.name = "frameworkPerRequest", .type = ST_OBJECT, .flags = SF_REQUIRED,
	 .child = &cpu_param_obj, FLD(scn_mp_component, framework_per_request),
	 .doc = "User CPU per request (request + response) that no kernel measures: filter "
	 "chain, stats, allocation, timers; spread over the component's hops by frameworkShare."},
	{.name = "frameworkPerConnection", .type = ST_OBJECT, .flags = SF_REQUIRED,
	 .child = &cpu_param_obj, FLD(scn_mp_component, framework_per_connection),
	 .doc = "User CPU per connection accepted or opened, beyond its handshake operations."},
	{.name = "wakeupDelay", .type = ST_OBJECT, .flags = SF_REQUIRED,
	 .child = &delay_param_obj, FLD(scn_mp_component, wakeup_delay),
	 .doc = "Latency (not CPU) added when an idle worker is woken for a hop; batching hides "
	 "it under load."},
	{.name = "wakeupDistribution", .type = ST_ENUM, .def = "fixed",
	 .enum_values = mp_wakeup_dist_values, FLD(scn_mp_component, wakeup_distribution),
	 .doc = "fixed: every wake-up takes wakeupDelay; exponential: a random delay with that "
	 "mean (a tail: the scheduler does not wake a thread in a constant time)."},
	{.name = "memory", .type = ST_OBJECT, .flags = SF_REQUIRED, .child = &memory_model_obj,
	 FLD(scn_mp_component, memory), .doc = "Memory model."},
	{.name = "poolsUpstream", .type = ST_BOOL, .def = "false",
	 FLD(scn_mp_component, pools_upstream), .doc = "Keeps upstream connections open and "
	 "reuses them (handshakes per new upstream connection, not per request)."},
	{.name = "resumesSessions", .type = ST_BOOL, .def = "false",
	 FLD(scn_mp_component, resumes_sessions), .doc = "A new upstream connection resumes a TLS "
	 "session (tls13.resume.* instead of a full handshake)."},
};
OBJ(component_obj, "MeshComponent", scn_mp_component, component_fields, NULL,
    "A data-plane component: where it runs, its threads, framework CPU and memory.");

static const schema_field mp_op_fields[] = {
	{.name = "op", .type = ST_STRING, .flags = SF_REQUIRED, FLD(scn_mp_op, op),
	 .doc = "Operation key from models/kernels/cost.h (sys.syscall, sys.epoll_wait, "
	 "tls13.record.write, http1.parse.request, ...); the calibration profile prices it."},
	{.name = "size", .type = ST_STRING, FLD(scn_mp_op, size),
	 .doc = "What the size is: a number of bytes (1024, 4Ki), or request, response, message "
	 "(the bytes moving in this hop's direction), l4Rules, l7Rules (spec.mesh.authorization), "
	 "packets (count times the packets of the message, mtu - 52 B of payload each, less a "
	 "tunnel's packetOverhead), segments (count times the message's GSO/GRO segments of up to "
	 "64 KiB: what a tc or eBPF hook on a veth sees); empty = 0, for operations whose cost "
	 "does not depend on size."},
	{.name = "packetSize", .type = ST_BYTES, .def = "0", .min = "0", .max = "64Ki",
	 FLD(scn_mp_op, packet_size), .doc = "size packets only: the bytes each full packet is "
	 "priced at (e.g. 1420, a WireGuard payload at MTU 1500); the message's last, partial "
	 "packet at its share of it; 0 = the operation's cost at size 0."},
	{.name = "packetOverhead", .type = ST_BYTES, .def = "0", .min = "0", .max = "8Ki",
	 FLD(scn_mp_op, packet_overhead), .doc = "size packets only, instead of packetSize: the "
	 "bytes a tunnel adds to each packet (Cilium reserves 80 for WireGuard); a full packet is "
	 "priced at spec.cluster.network.mtu less this, and TCP segments on the path shrink by "
	 "it."},
	{.name = "count", .type = ST_NUMBER, .def = "1", .min = "0", .max = "1000000",
	 FLD(scn_mp_op, count), .doc = "Times per traversal of the hop (> 0; may be fractional: "
	 "an average)."},
	{.name = "parallel", .type = ST_BOOL, .def = "false", FLD(scn_mp_op, parallel),
	 .doc = "The operation runs on worker threads spread over the node's cores (the kernel's "
	 "WireGuard encrypt and decrypt workers), off a flow's serial path: a bulk stream pays "
	 "its CPU but is not paced by it. Requests see no difference."},
	{.name = "when", .type = ST_STRINGS, LST(scn_mp_op, when, n_when),
	 .doc = "Conditions the operation needs (all must hold): mtls, no-mtls, l7, no-l7, "
	 "http-parsing, no-http-parsing, wireguard, same-node, cross-node, new-connection, "
	 "l4-policy, l7-policy, new-upstream (the path's pooling proxy opens an upstream "
	 "connection), http1, http2 (the destination service's protocol; grpc is http2)."},
	{.name = "source", .type = ST_STRING, FLD(scn_mp_op, source),
	 .doc = "Where the count comes from, when the hop's source does not say it."},
};
OBJ(mp_op_obj, "HopOperation", scn_mp_op, mp_op_fields, check_mp_op,
    "One operation at a hop, priced by the calibration profile.");

static const schema_field mp_hop_fields[] = {
	{.name = "name", .type = ST_STRING, .flags = SF_REQUIRED, FLD(scn_mp_hop, name),
	 .doc = "What the step is (\"client sidecar outbound\")."},
	{.name = "direction", .type = ST_ENUM, .flags = SF_REQUIRED,
	 .enum_values = mp_direction_values, FLD(scn_mp_hop, direction),
	 .doc = "request: before the server application; response: after it. Each direction's "
	 "hops run in list order."},
	{.name = "side", .type = ST_ENUM, .flags = SF_REQUIRED, .enum_values = mp_side_values,
	 FLD(scn_mp_hop, side), .doc = "Where it runs: the client pod and its node, the server "
	 "pod and its node, or the destination's waypoint and its node. Consecutive hops on "
	 "different nodes cross the network."},
	{.name = "component", .type = ST_STRING, .ref = REF_MESH_COMPONENT,
	 FLD(scn_mp_hop, component), .doc = "The component doing the work (a components name); "
	 "empty = the node's kernel (veth, eBPF, WireGuard, iptables)."},
	{.name = "when", .type = ST_STRINGS, LST(scn_mp_hop, when, n_when),
	 .doc = "Conditions the whole hop needs (all must hold); the words of HopOperation.when."},
	{.name = "frameworkShare", .type = ST_NUMBER, .def = "0", .min = "0", .max = "1",
	 FLD(scn_mp_hop, framework_share), .doc = "Share of the component's frameworkPerRequest "
	 "charged at this hop. frameworkPerRequest is per instance, so on each side (client, "
	 "server, waypoint) a component's shares over the hops of one request (request and "
	 "response) sum to 1, under every combination of conditions."},
	{.name = "source", .type = ST_STRING, .flags = SF_REQUIRED, FLD(scn_mp_hop, source),
	 .doc = "Where the hop's operations and counts come from (kernel-costs.md sections)."},
	{.name = "delay", .type = ST_OBJECT, .child = &hop_delay_obj, FLD(scn_mp_hop, delay),
	 .doc = "Latency (not CPU) the hop adds to every traversal, with its source: work "
	 "handed to another thread and waited for (a kernel crypto worker, a softirq). "
	 "Omitted = 0."},
	{.name = "cpu", .type = ST_OBJECT, .child = &hop_cpu_obj, .doc = "CPU (kernel time at a "
	 "node-kernel hop) the hop costs beyond its operations, that no kernel measures, with its "
	 "source and what it is counted per. Omitted = 0."},
	{.name = "ops", .type = ST_LIST, .child = &mp_op_obj, LST(scn_mp_hop, ops, n_ops),
	 .doc = "The operations done at this hop, in order."},
};
OBJ(mp_hop_obj, "Hop", scn_mp_hop, mp_hop_fields, check_mp_hop,
    "One step of a request's path and the operations done there.");

static const schema_field mesh_profile_spec_fields[] = {
	{.name = "mode", .type = ST_ENUM, .flags = SF_REQUIRED, .enum_values = mesh_values,
	 FLD(scn_mp_spec, mode), .doc = "The mesh mode this profile describes."},
	{.name = "description", .type = ST_STRING, FLD(scn_mp_spec, description),
	 .doc = "What the profile models and its sources."},
	{.name = "components", .type = ST_LIST, .child = &component_obj,
	 LST(scn_mp_spec, components, n_components),
	 .doc = "The data-plane components (none for plain Kubernetes)."},
	{.name = "hops", .type = ST_LIST, .flags = SF_REQUIRED, .min = "1", .child = &mp_hop_obj,
	 LST(scn_mp_spec, hops, n_hops), .doc = "The path of a request and its response, "
	 "step by step, with the operations at each step."},
};
OBJ(mesh_profile_spec_obj, "MeshProfileSpec", scn_mp_spec, mesh_profile_spec_fields,
    check_mp_spec, "A mesh's data plane as data.");

static const schema_field mesh_profile_fields[] = {
	{.name = "apiVersion", .type = ST_STRING, .flags = SF_REQUIRED, .enum_values = api_versions,
	 FLD(scn_mp_doc, api_version), .doc = "Version of the format: " SCN_API_VERSION "."},
	{.name = "kind", .type = ST_STRING, .flags = SF_REQUIRED, .enum_values = kind_mesh_profile,
	 FLD(scn_mp_doc, kind), .doc = "MeshProfile."},
	{.name = "metadata", .type = ST_OBJECT, .flags = SF_REQUIRED, .child = &metadata_obj,
	 FLD(scn_mp_doc, metadata), .doc = "Name and labels."},
	{.name = "spec", .type = ST_OBJECT, .flags = SF_REQUIRED, .child = &mesh_profile_spec_obj,
	 FLD(scn_mp_doc, spec), .doc = "The components and the hops."},
};
OBJ(mesh_profile_obj, "MeshProfile", scn_mp_doc, mesh_profile_fields, NULL,
    "A service mesh's data plane as data.");

static const schema_field price_fields[] = {
	{.name = "nodeType", .type = ST_STRING, .flags = SF_REQUIRED,
	 .doc = "Node type name, as in a Scenario."},
	{.name = "hourly", .type = ST_NUMBER, .flags = SF_REQUIRED, .min = "0",
	 .doc = "Price per node-hour in the sheet's currency."},
};
VOBJ(price_obj, "NodePrice", price_fields, NULL, "The price of one node type.");

static const schema_field price_sheet_spec_fields[] = {
	{.name = "currency", .type = ST_STRING, .def = "USD", .doc = "ISO 4217 currency code."},
	{.name = "source", .type = ST_STRING, .doc = "Where the prices come from, and when."},
	{.name = "nodes", .type = ST_LIST, .flags = SF_REQUIRED, .child = &price_obj,
	 .doc = "Prices per node type."},
};
VOBJ(price_sheet_spec_obj, "PriceSheetSpec", price_sheet_spec_fields, NULL,
     "Prices for capacity planning.");

#define VROOT(var, kind_name, kind_values, spec_child)                                       \
	static const schema_field var##_fields[] = {                                         \
		{.name = "apiVersion", .type = ST_STRING, .flags = SF_REQUIRED,              \
		 .enum_values = api_versions, .doc = "Version of the format."},              \
		{.name = "kind", .type = ST_STRING, .flags = SF_REQUIRED,                    \
		 .enum_values = kind_values, .doc = kind_name "."},                          \
		{.name = "metadata", .type = ST_OBJECT, .flags = SF_REQUIRED,                \
		 .child = &metadata_obj, .doc = "Name and labels."},                         \
		{.name = "spec", .type = ST_OBJECT, .flags = SF_REQUIRED, .child = &spec_child, \
		 .doc = "The " kind_name "'s content."},                                     \
	};                                                                                   \
	VOBJ(var, kind_name, var##_fields, NULL, kind_name)

VROOT(sweep_obj, "Sweep", kind_sweep, sweep_spec_obj);
VROOT(price_sheet_obj, "PriceSheet", kind_price_sheet, price_sheet_spec_obj);

const schema_kind schema_kinds[] = {
	{"Scenario", &scenario_obj, sizeof(scenario),
	 "One simulation setup: a cluster, its services and mesh, the load and the run length."},
	{"Sweep", &sweep_obj, 0, "A parameter study over a Scenario (schema only for now)."},
	{"MeshProfile", &mesh_profile_obj, sizeof(scn_mp_doc),
	 "A service mesh's data plane as data: components and the operations at every hop "
	 "(configs/meshes/)."},
	{"PriceSheet", &price_sheet_obj, 0, "Node prices for `plan` (schema only for now)."},
	{NULL, NULL, 0, NULL},
};

const schema_kind *schema_find_kind(const char *kind)
{
	for (const schema_kind *k = schema_kinds; k->kind; k++)
		if (strcmp(k->kind, kind) == 0)
			return k;
	return NULL;
}

const schema_field *schema_find_field(const schema_object *obj, const char *name)
{
	for (size_t i = 0; i < obj->nfields; i++)
		if (strcmp(obj->fields[i].name, name) == 0)
			return &obj->fields[i];
	return NULL;
}

const char *schema_type_name(const schema_field *f)
{
	static _Thread_local char buf[96];
	switch (f->type) {
	case ST_STRING: return "string";
	case ST_ENUM: return "enum";
	case ST_BOOL: return "boolean";
	case ST_INT: return "integer";
	case ST_NUMBER: return "number";
	case ST_DURATION: return "duration";
	case ST_CPU: return "cpu";
	case ST_BYTES: return "bytes";
	case ST_RATE: return "rate";
	case ST_LABELS: return "map[string]string";
	case ST_STRINGS: return "[]string";
	case ST_BITRATE: return "bitrate";
	case ST_OBJECT: return f->child->name;
	case ST_LIST:
		snprintf(buf, sizeof buf, "[]%s", f->child->name);
		return buf;
	}
	return "?";
}

const char *schema_type_unit(schema_type t)
{
	switch (t) {
	case ST_DURATION: return "ns (write 250ms, 1.5s, 1m30s; a bare number is seconds)";
	case ST_CPU: return "cores (write 500m or 2; a bare number is cores)";
	case ST_BYTES: return "bytes (write 128Mi, 1Gi, 1G, 4k; a bare number is bytes)";
	case ST_RATE: return "per second (write 1000/s, 60/m; a bare number is per second)";
	case ST_BITRATE: return "bits per second (write 10G for 10 Gbit/s, 100M; decimal prefixes; "
			      "a bare number is bits per second)";
	default: return "";
	}
}

const char *schema_ref_name(schema_ref r)
{
	static const char *const names[REF__COUNT] = {
		"", "node type", "node pool", "namespace", "service", "workload", "churn",
		"mesh component"};
	return (unsigned)r < REF__COUNT ? names[r] : "?";
}
