/* runner/runner.c - build, advance and read out one replication. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/runner.h"
#include "sim/rng.h"

static app_delay delay_from_spec(const scn_delay *d)
{
	app_delay a = {APP_DELAY_FIXED, d->mean, d->stddev, d->min, d->max};
	switch (d->distribution) {
	case SCN_DIST_EXPONENTIAL:
		a.kind = APP_DELAY_EXPONENTIAL;
		break;
	case SCN_DIST_LOGNORMAL:
		a.kind = APP_DELAY_LOGNORMAL;
		break;
	case SCN_DIST_UNIFORM:
		a.kind = APP_DELAY_UNIFORM;
		break;
	case SCN_DIST_FIXED:
	default:
		a.kind = APP_DELAY_FIXED;
		break;
	}
	return a;
}

static lg_kind kind_from_spec(scn_workload_type t)
{
	switch (t) {
	case SCN_WL_CONSTANT_THROUGHPUT:
		return LG_CONSTANT_THROUGHPUT;
	case SCN_WL_CLOSED_LOOP:
		return LG_CLOSED_LOOP;
	case SCN_WL_CONNECTION_PER_REQUEST:
		return LG_CONNECTION_PER_REQUEST;
	case SCN_WL_BULK: /* no requests: its generator sends nothing (bulk.h) */
	case SCN_WL_OPEN_LOOP:
	default:
		return LG_OPEN_LOOP;
	}
}

static void on_warmup_end(sim_t *sim, void *ctx, uint64_t arg)
{
	(void)sim;
	(void)arg;
	runner *r = ctx;
	for (size_t i = 0; i < r->nservices; i++)
		app_service_restart_stats(&r->services[i]);
	dataplane_restart_stats(&r->dp);
}

static void append(char *buf, size_t len, const char *line)
{
	if (!buf || len == 0)
		return;
	size_t used = strlen(buf);
	snprintf(buf + used, len - used, "%s\n", line);
}

/* As append, but before the lines already there (which may be cut). */
static void prepend(char *buf, size_t len, const char *line)
{
	if (!buf || len == 0)
		return;
	size_t add = strlen(line) + 1, used = strlen(buf);
	if (add >= len) {
		snprintf(buf, len, "%s", line);
		return;
	}
	if (used + add >= len)
		used = len - add - 1;
	memmove(buf + add, buf, used);
	buf[add + used] = '\0';
	memcpy(buf, line, add - 1);
	buf[add - 1] = '\n';
}

/* Parts of a scenario that this version accepts but does not model yet:
 * said out loud, so no one reads a result as covering them. */
static void note_unmodelled(const scenario *scn, char *warn, size_t warnlen)
{
	const scn_spec *sp = &scn->spec;
	if (sp->n_churn)
		append(warn, warnlen, "spec.churn: churn is not modelled yet; ignored");
	size_t with = 0, first = 0;
	for (size_t i = 0; i < sp->n_services; i++) {
		const scn_resources *res = &sp->services[i].resources;
		if (res->requests.cpu > 0 || res->limits.cpu > 0 || res->requests.memory > 0 ||
		    res->limits.memory > 0) {
			if (with++ == 0)
				first = i;
		}
	}
	if (with > 0) {
		char line[256];
		snprintf(line, sizeof line, "spec.services[%zu].resources%s: an application's "
		         "requests and limits are not modelled yet (its workers are its capacity); "
		         "ignored", first, with > 1 ? " (and other services')" : "");
		append(warn, warnlen, line);
	}
}

/* Whether any traffic of the scenario goes between two nodes of the
 * cluster: a load generator's connection (lg_connection_pods) or a call
 * from a pod of one service to one of its callee's. */
static bool crosses_nodes(const scn_spec *sp, const dp_pod *pods, const int *first_pod,
                          const int *first_client)
{
	for (size_t i = 0; i < sp->n_workloads; i++) {
		const scn_workload *w = &sp->workloads[i];
		if (w->source == SCN_SRC_OUTSIDE)
			continue; /* it comes from no node */
		size_t k = 0;
		while (k < sp->n_services && strcmp(sp->services[k].name, w->target))
			k++;
		if (k == sp->n_services)
			continue;
		lg_target t = {0};
		t.client_pod = first_client[i];
		t.nclient_pods = (int)w->replicas;
		t.first_server_pod = first_pod[k];
		t.nserver_pods = (int)sp->services[k].replicas;
		int64_t conns = w->type == SCN_WL_CLOSED_LOOP && w->concurrency > 0 ? w->concurrency
		                                                                     : w->connections;
		for (int64_t c = 0; c < conns * w->replicas; c++) {
			int client, server;
			lg_connection_pods(&t, (int)c, &client, &server);
			if (server >= 0 && pods[client].node != pods[server].node)
				return true;
		}
	}
	for (size_t s = 0; s < sp->n_services; s++)
		for (size_t j = 0; j < sp->services[s].n_calls; j++) {
			size_t t = 0;
			while (t < sp->n_services &&
			       strcmp(sp->services[t].name, sp->services[s].calls[j].service))
				t++;
			if (t == sp->n_services)
				continue;
			for (int64_t a = 0; a < sp->services[s].replicas; a++)
				for (int64_t b = 0; b < sp->services[t].replicas; b++)
					if (pods[first_pod[s] + a].node != pods[first_pod[t] + b].node)
						return true;
		}
	return false;
}

/* Mesh settings that the scenario makes count for nothing: said out loud,
 * so no one reads the absence of their cost as a result. */
static void note_idle_settings(const scn_spec *sp, const dp_pod *pods, const int *first_pod,
                               const int *first_client, char *warn, size_t warnlen)
{
	if (sp->mesh.wireguard && !crosses_nodes(sp, pods, first_pod, first_client))
		append(warn, warnlen, "spec.mesh.wireguard: no traffic goes between nodes (every "
		       "client and call shares its server's node), and WireGuard encrypts only "
		       "between nodes: it costs nothing here");
}

/* Node i of the cluster: pools in order, each pool's nodes in order. */
typedef struct node_layout {
	double *cores, *speed;
	double *wakeup_ns; /* per node: its type's wakeupCpu */
	double *crossing_speed; /* per node: its type's kernelSpeed (0 = cpuSpeed) */
	int *pool_first; /* first node of each pool */
	size_t n;
} node_layout;

static int layout_nodes(const scn_cluster *cl, node_layout *nl)
{
	size_t n = 0;
	for (size_t p = 0; p < cl->n_node_pools; p++)
		n += (size_t)cl->node_pools[p].count;
	nl->n = n;
	nl->cores = calloc(n ? n : 1, sizeof(double));
	nl->speed = calloc(n ? n : 1, sizeof(double));
	nl->wakeup_ns = calloc(n ? n : 1, sizeof(double));
	nl->crossing_speed = calloc(n ? n : 1, sizeof(double));
	nl->pool_first = calloc(cl->n_node_pools ? cl->n_node_pools : 1, sizeof(int));
	if (!nl->cores || !nl->speed || !nl->wakeup_ns || !nl->crossing_speed || !nl->pool_first)
		return -1;
	size_t i = 0;
	for (size_t p = 0; p < cl->n_node_pools; p++) {
		const scn_node_pool *pool = &cl->node_pools[p];
		const scn_node_type *type = NULL;
		for (size_t t = 0; t < cl->n_node_types; t++)
			if (!strcmp(cl->node_types[t].name, pool->node_type))
				type = &cl->node_types[t];
		nl->pool_first[p] = (int)i;
		for (int64_t k = 0; k < pool->count; k++, i++) {
			nl->cores[i] = type ? type->cpu : 1.0;
			nl->speed[i] = type ? type->cpu_speed : 1.0;
			nl->wakeup_ns[i] = type ? (double)type->wakeup_cpu : 0.0;
			nl->crossing_speed[i] = type && type->kernel_speed > 0 ? type->kernel_speed
			                                                       : nl->speed[i];
		}
	}
	return 0;
}

static void free_layout(node_layout *nl)
{
	free(nl->cores);
	free(nl->speed);
	free(nl->wakeup_ns);
	free(nl->crossing_speed);
	free(nl->pool_first);
}

/* The node of replica `r` of a service, by its placement policy. */
static int place_pod(const scn_cluster *cl, const node_layout *nl, const scn_placement *pl, int64_t r)
{
	int first = 0, count = (int)nl->n;
	if (pl->node_pool && pl->node_pool[0]) {
		for (size_t p = 0; p < cl->n_node_pools; p++)
			if (!strcmp(cl->node_pools[p].name, pl->node_pool)) {
				first = nl->pool_first[p];
				count = (int)cl->node_pools[p].count;
			}
	}
	switch (pl->policy) {
	case SCN_PLACE_PINNED:
		return first + (int)pl->node_index;
	case SCN_PLACE_PACK:
		return first; /* no pod resource fit yet: one node holds them all */
	case SCN_PLACE_SPREAD:
	default:
		return first + (int)(r % count);
	}
}

/* Per-flow fidelity for one workload: keep one connection in
 * RUNNER_FLOW_SAMPLE as events, at the same rate per connection, and turn
 * the others into fluid demand on the pods they would have used. Paced
 * workloads only: a closed loop's rate depends on its own latency. */
static void sample_workload(runner *r, runner_workload *rw, lg_config *cfg, const lg_target *t,
                            char *warn, size_t warnlen)
{
	int conns = cfg->connections;
	/* Fluid demand is constant over the run, so the workload must run all
	 * of it. */
	bool whole_run = cfg->start == 0 && cfg->end == r->end;
	if (cfg->kind == LG_CLOSED_LOOP || cfg->qps <= 0 || conns < 2 || t->nserver_pods == 0 ||
	    !whole_run) {
		char line[256];
		snprintf(line, sizeof line, "workload %s: per-flow needs a paced workload (qps > 0, "
		         "2 or more connections) that runs the whole run; it runs per request",
		         rw->spec->name);
		append(warn, warnlen, line);
		return;
	}
	/* Connections that all send at the same instants (uniform: false)
	 * come in bursts that queue at the proxies and the application; the
	 * fluid traffic is smooth and its waits are those of spread arrivals,
	 * so per flow would miss them (one sidecar at 4000 rps over 64
	 * connections: p99 0.93 ms against per request's 6.6 ms). */
	if (!cfg->uniform) {
		char line[320];
		snprintf(line, sizeof line, "workload %s: per-flow needs connections spread over the "
		         "interval (uniform: true); with all of them sending at once their bursts "
		         "queue, which the fluid traffic does not; it runs per request",
		         rw->spec->name);
		append(warn, warnlen, line);
		return;
	}
	int sampled = conns / RUNNER_FLOW_SAMPLE;
	if (sampled < 1)
		sampled = 1;
	double per_conn = cfg->qps / conns;
	/* The fluid connections are sampled .. conns - 1; count them per pair
	 * of client and server pod (lg_connection_pods) and add each pair's
	 * traffic once. */
	int nc = t->nclient_pods > 1 ? t->nclient_pods : 1, ns = t->nserver_pods;
	int *pairs = calloc((size_t)nc * (size_t)ns, sizeof(int));
	if (!pairs)
		abort(); /* a few ints per pod pair */
	for (int i = sampled; i < conns; i++) {
		int client, server;
		lg_connection_pods(t, i, &client, &server);
		pairs[(client - t->client_pod) * ns + (server - t->first_server_pod)]++;
	}
	for (int c = 0; c < nc; c++)
		for (int pod = 0; pod < ns; pod++)
			dataplane_add_fluid(&r->dp, t->client_pod + c, t->first_server_pod + pod,
			                    t->request_bytes, t->response_bytes,
			                    per_conn * pairs[c * ns + pod]);
	free(pairs);
	cfg->connections = sampled;
	cfg->qps = per_conn * sampled;
	rw->sampled = sampled;
}

/* The services' downstream calls, by service index. */
static int set_call_graph(runner *r, const scn_spec *sp)
{
	size_t ncalls = 0;
	for (size_t i = 0; i < sp->n_services; i++)
		ncalls += sp->services[i].n_calls;
	if (ncalls == 0)
		return 0;
	dp_call *calls = calloc(ncalls, sizeof(*calls));
	int *first = calloc(sp->n_services + 1, sizeof(int));
	uint32_t *resp = calloc(sp->n_services ? sp->n_services : 1, sizeof(uint32_t));
	int rc = -1;
	if (!calls || !first || !resp)
		goto out;
	size_t k = 0;
	for (size_t i = 0; i < sp->n_services; i++) {
		const scn_service *svc = &sp->services[i];
		first[i] = (int)k;
		resp[i] = (uint32_t)svc->response_bytes;
		for (size_t j = 0; j < svc->n_calls; j++) {
			const scn_call *call = &svc->calls[j];
			size_t callee = 0;
			while (callee < sp->n_services && strcmp(sp->services[callee].name, call->service))
				callee++;
			if (callee == sp->n_services) /* the loader checks references */
				continue;
			calls[k++] = (dp_call){(int)callee, (int)call->count, (uint32_t)call->request_bytes};
		}
	}
	first[sp->n_services] = (int)k;
	rc = dataplane_set_calls(&r->dp, calls, first, resp);
out:
	free(calls);
	free(first);
	free(resp);
	return rc;
}

/* The data plane's options that the scenario's mesh and network set. */
static dp_options options_from_spec(const scn_spec *sp)
{
	dp_options opt = {0};
	opt.mtls = sp->mesh.mtls;
	opt.l7 = sp->mesh.l7;
	opt.http_parsing = sp->mesh.http_parsing;
	opt.wireguard = sp->mesh.wireguard;
	opt.l4_rules = sp->mesh.authorization.l4_rules;
	opt.l7_rules = sp->mesh.authorization.l7_rules;
	/* (spec's 0 is Istio's proxyConcurrency 0: one worker per core) */
	opt.proxy_concurrency = sp->mesh.proxy.concurrency > 0 ? (int)sp->mesh.proxy.concurrency
	                                                       : DP_PER_CORE;
	opt.proxy_cpu_limit = sp->mesh.proxy.resources.limits.cpu;
	opt.bandwidth_bps = sp->cluster.network_bandwidth_bps;
	opt.latency_ns = sp->cluster.network_latency_ns;
	opt.waypoint_replicas = (int)sp->mesh.waypoint.replicas;
	opt.mtu = (int)sp->cluster.network_mtu;
	return opt;
}

int runner_check(const scenario *scn, const mesh_profile *mesh, char *err, size_t errlen)
{
	if (!mesh)
		return 0;
	dp_options opt = options_from_spec(&scn->spec);
	const char *tunnel = NULL;
	int mss = dataplane_path_mss(mesh, &opt, &tunnel);
	if (mss < DP_MIN_MSS) {
		snprintf(err, errlen, "spec.cluster.network.mtu: %d leaves %d B of payload per packet "
		         "under mesh profile %s's packetOverhead (hop \"%s\"); at least %d are needed",
		         opt.mtu > 0 ? opt.mtu : DP_DEFAULT_MTU, mss, mesh->name,
		         tunnel ? tunnel : "?", DP_MIN_MSS);
		return -1;
	}
	return 0;
}

int runner_build(runner *r, const scenario *scn, const cost_profile *costs,
                 const mesh_profile *mesh, uint64_t seed, uint32_t replication,
                 char *err, size_t errlen, char *warn, size_t warnlen)
{
	memset(r, 0, sizeof(*r));
	const scn_spec *sp = &scn->spec;
	r->scn = scn;
	r->seed = seed;
	r->replication = replication;
	r->end = sp->duration;
	r->warmup_end = sp->warmup;
	if (warn && warnlen)
		warn[0] = '\0';
	note_unmodelled(scn, warn, warnlen);
	if (!mesh) {
		r->empty_profile.name = "none";
		mesh = &r->empty_profile;
	}

	node_layout nl = {0};
	dp_pod *pods = NULL;
	int *first_pod = NULL;
	int *first_client = NULL; /* per workload: its first client pod */
	int *service_ns = NULL;   /* per service: index of its namespace */
	bool *service_h2 = NULL;  /* per service: speaks HTTP/2 */
	bulk_set bulk = {0};      /* every bulk workload's streams */
	int rc = -1;
	r->sim = sim_create(4096);
	r->services = calloc(sp->n_services ? sp->n_services : 1, sizeof(*r->services));
	r->workloads = calloc(sp->n_workloads ? sp->n_workloads : 1, sizeof(*r->workloads));
	if (!r->sim || !r->services || !r->workloads || layout_nodes(&sp->cluster, &nl) != 0)
		goto oom;
	if (nl.n == 0) {
		snprintf(err, errlen, "the cluster has no nodes");
		goto fail;
	}

	/* Pods: every service's replicas, then each workload's client pods. */
	size_t npods = 0;
	for (size_t i = 0; i < sp->n_workloads; i++)
		npods += (size_t)sp->workloads[i].replicas;
	for (size_t i = 0; i < sp->n_services; i++)
		npods += (size_t)sp->services[i].replicas;
	pods = calloc(npods ? npods : 1, sizeof(*pods));
	first_pod = calloc(sp->n_services ? sp->n_services : 1, sizeof(int));
	if (!pods || !first_pod)
		goto oom;
	bool meshed = sp->mesh.mode != SCN_MESH_NONE;
	size_t p = 0;
	for (size_t i = 0; i < sp->n_services; i++) {
		const scn_service *svc = &sp->services[i];
		first_pod[i] = (int)p;
		for (int64_t k = 0; k < svc->replicas; k++, p++) {
			pods[p].node = place_pod(&sp->cluster, &nl, &svc->placement, k);
			pods[p].service = (int)i;
			pods[p].in_mesh = meshed;
		}
	}
	size_t nserver_pods = p;
	first_client = calloc(sp->n_workloads ? sp->n_workloads : 1, sizeof(int));
	if (!first_client)
		goto oom;
	for (size_t i = 0; i < sp->n_workloads; i++) {
		const scn_workload *w = &sp->workloads[i];
		first_client[i] = (int)p;
		/* In-mesh clients are placed like a service's pods (by default
		 * from the first node, as in the C4 test case, where client and
		 * server share a node); outside clients reach the cluster over
		 * the network. */
		for (int64_t k = 0; k < w->replicas; k++, p++) {
			pods[p].node = w->source == SCN_SRC_OUTSIDE
			                       ? -1
			                       : place_pod(&sp->cluster, &nl, &w->placement, k);
			pods[p].service = -1;
			pods[p].in_mesh = meshed && w->source != SCN_SRC_OUTSIDE;
		}
	}

	for (size_t i = 0; i < sp->n_services; i++) {
		const scn_service *svc = &sp->services[i];
		/* Streams are keyed by the service's name, not its position, so
		 * adding or reordering services leaves every other service's
		 * draws alone (common random numbers across variants). */
		uint64_t entity = sim_stream_hash((sim_stream_key){0, 0, svc->name, 0});
		if (app_service_init(&r->services[i], r->sim, svc->name, (int)svc->replicas,
		                     (int)svc->workers, delay_from_spec(&svc->service_time), seed,
		                     replication, entity) != 0)
			goto oom;
		r->nservices++;
	}

	dp_options opt = options_from_spec(sp);
	opt.config_objects = sp->n_services + nserver_pods;
	opt.seed = seed;
	opt.replication = replication;
	opt.node_wakeup_ns = nl.wakeup_ns;
	opt.node_crossing_speed = nl.crossing_speed;
	service_ns = calloc(sp->n_services ? sp->n_services : 1, sizeof(int));
	if (!service_ns)
		goto oom;
	for (size_t i = 0; i < sp->n_services; i++)
		for (size_t k = 0; k < sp->n_namespaces; k++)
			if (!strcmp(sp->namespaces[k].name, sp->services[i].namespace_))
				service_ns[i] = (int)k;
	opt.service_namespace = service_ns;
	service_h2 = calloc(sp->n_services ? sp->n_services : 1, sizeof(bool));
	if (!service_h2)
		goto oom;
	for (size_t i = 0; i < sp->n_services; i++)
		service_h2[i] = sp->services[i].protocol != SCN_PROTO_HTTP1;
	opt.service_http2 = service_h2;
	if (runner_check(scn, mesh, err, errlen) != 0)
		goto fail;
	if (dataplane_init(&r->dp, r->sim, mesh, costs, nl.cores, nl.speed, nl.n, pods, npods,
	                   r->services, r->nservices, first_pod, &opt) != 0)
		goto oom;
	r->built_dp = 1;
	if (set_call_graph(r, sp) != 0)
		goto oom;
	note_idle_settings(sp, pods, first_pod, first_client, warn, warnlen);

	for (size_t i = 0; i < sp->n_workloads; i++) {
		const scn_workload *w = &sp->workloads[i];
		runner_workload *rw = &r->workloads[i];
		rw->spec = w;
		size_t k;
		for (k = 0; k < sp->n_services; k++)
			if (!strcmp(sp->services[k].name, w->target))
				break;
		if (k == sp->n_services) { /* the loader checks references; defensive */
			snprintf(err, errlen, "workload %s: unknown target %s", w->name, w->target);
			goto fail;
		}
		rw->target = &r->services[k];
		lg_config cfg = {0};
		cfg.kind = kind_from_spec(w->type);
		cfg.qps = w->qps;
		/* Connections (concurrency) are per client pod, each pod being one
		 * load generator process started with -c. */
		cfg.connections = (int)((w->type == SCN_WL_CLOSED_LOOP && w->concurrency > 0
		                                 ? w->concurrency
		                                 : w->connections) *
		                        w->replicas);
		cfg.start = w->start;
		cfg.end = w->duration > 0 && w->start + w->duration < sp->duration ? w->start + w->duration
		                                                                   : sp->duration;
		cfg.timeout = w->timeout;
		cfg.warmup_end = sp->warmup;
		if (w->type != SCN_WL_BULK && cfg.end <= sp->warmup) {
			char line[256];
			snprintf(line, sizeof line, "workload %s: sends only during the warm-up (it "
			         "ends at %.3f s, the warm-up at %.3f s), so none of its requests is "
			         "counted", w->name, sim_time_to_seconds(cfg.end),
			         sim_time_to_seconds(sp->warmup));
			append(warn, warnlen, line);
		}
		cfg.uniform = w->uniform;
		cfg.no_catchup = w->no_catchup;
		cfg.timer_resolution = w->timer_resolution;
		lg_target target = {&r->dp, first_client[i], (int)w->replicas, first_pod[k],
		                    (int)sp->services[k].replicas, (uint32_t)w->payload_bytes,
		                    (uint32_t)sp->services[k].response_bytes};
		rw->connections = cfg.connections;
		rw->sampled = cfg.connections;
		if (w->type == SCN_WL_BULK) {
			/* Its streams are fluid whatever the fidelity, shared with
			 * every other bulk workload's below; its generator is
			 * built to send nothing (start = end), so its request
			 * statistics are empty, not missing. */
			int bad = 0;
			int brc = bulk_add(&bulk, &r->dp, &target, cfg.connections,
			                   (uint32_t)w->message_bytes, (int)i, &bad);
			if (brc == -2)
				goto oom;
			if (brc != 0) {
				snprintf(err, errlen, "workload %s: connection %d's path through mesh "
				         "profile %s has more than %d stages or %d network legs", w->name,
				         bad, mesh->name, DP_STREAM_MAX_STAGES, DP_STREAM_MAX_LEGS);
				goto fail;
			}
			cfg.end = cfg.start;
		} else if (sp->fidelity == SCN_FID_PER_FLOW) {
			sample_workload(r, rw, &cfg, &target, warn, warnlen);
		}
		if (loadgen_init(&rw->gen, r->sim, &cfg, &target) != 0)
			goto oom;
		r->nworkloads++;
	}
	if (bulk.n > 0) {
		bulk_result *res = calloc(sp->n_workloads, sizeof(*res));
		if (!res)
			goto oom;
		bulk_share(&bulk, &r->dp, res);
		for (size_t i = 0; i < sp->n_workloads; i++) {
			r->workloads[i].bulk = res[i];
			if (res[i].unbounded) {
				char line[256];
				snprintf(line, sizeof line, "workload %s: %d stream(s) meet no priced work "
				         "and no wire (mesh profile %s), so nothing bounds their rate; "
				         "counted as 0", sp->workloads[i].name, res[i].unbounded,
				         mesh->name);
				append(warn, warnlen, line);
			}
		}
		free(res);
	}
	if (sp->fidelity == SCN_FID_PER_FLOW || bulk.n > 0)
		dataplane_apply_fluid(&r->dp);
	/* The sampled connections' share of the load, for the check: the
	 * largest of the workloads' */
	double scale = 1.0;
	for (size_t i = 0; i < r->nworkloads; i++) {
		const runner_workload *rw = &r->workloads[i];
		if (rw->sampled < rw->connections &&
		    (double)rw->connections / (rw->connections - rw->sampled) > scale)
			scale = (double)rw->connections / (rw->connections - rw->sampled);
	}
	char busy[200];
	if (sp->fidelity == SCN_FID_PER_FLOW &&
	    dataplane_fluid_saturated(&r->dp, scale, busy, sizeof busy)) {
		/* Per flow is not valid at saturation: the whole run is built
		 * again per request, from a copy of the scenario that says so
		 * (its pointers are the scenario's, which outlives the run). */
		scenario *copy = malloc(sizeof(*copy));
		if (!copy)
			goto oom;
		*copy = *scn;
		copy->spec.fidelity = SCN_FID_PER_REQUEST;
		runner_free(r);
		rc = runner_build(r, copy, costs, mesh, seed, replication, err, errlen, warn, warnlen);
		if (rc != 0) {
			free(copy);
			goto out;
		}
		r->per_request_copy = copy; /* runner_free frees it */
		char line[400];
		snprintf(line, sizeof line, "spec.fidelity: per flow is not valid here: the "
		         "requests would saturate %s; the run is per request", busy);
		prepend(warn, warnlen, line); /* first: the others may fill the buffer */
		goto out;
	}
	sim_schedule_at(r->sim, sp->warmup, SIM_CLASS_EARLY, on_warmup_end, r, 0);
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory building the model");
fail:
	runner_free(r);
out:
	/* The build's scratch arrays: the data plane copied what it keeps. */
	free(pods);
	free(first_pod);
	free(first_client);
	free(service_ns);
	free(service_h2);
	bulk_free(&bulk);
	free_layout(&nl);
	return rc;
}

void runner_advance(runner *r, sim_time_t until)
{
	if (until > r->end)
		until = r->end;
	sim_run(r->sim, until);
}

void runner_finish(runner *r)
{
	if (r->finished)
		return;
	for (size_t i = 0; i < r->nworkloads; i++)
		loadgen_finish(&r->workloads[i].gen);
	r->finished = 1;
}

runner_workload_result *runner_workload_results(const runner *r)
{
	runner_workload_result *out = calloc(r->nworkloads ? r->nworkloads : 1, sizeof(*out));
	if (!out)
		return NULL;
	sim_time_t now = sim_now(r->sim);
	for (size_t i = 0; i < r->nworkloads; i++) {
		const runner_workload *rw = &r->workloads[i];
		out[i].name = rw->spec->name;
		out[i].target = rw->spec->target;
		out[i].kind = scn_workload_type_name(rw->spec->type);
		out[i].requested_qps = rw->spec->qps;
		out[i].connections = rw->connections;
		out[i].sampled_connections = rw->sampled;
		/* Its own window: the statistics window while it sends (a
		 * workload with a start or a duration sends for part of it). */
		const lg_config *cfg = &rw->gen.cfg;
		bool bulk = rw->spec->type == SCN_WL_BULK; /* its streams run the whole run */
		sim_time_t from = !bulk && cfg->start > r->warmup_end ? cfg->start : r->warmup_end;
		sim_time_t to = !bulk && cfg->end < now ? cfg->end : now;
		double window_s = to > from ? sim_time_to_seconds(to - from) : 0;
		out[i].window_s = window_s;
		double scale = (double)rw->connections / rw->sampled;
		out[i].throughput =
			window_s > 0 ? scale * (double)rw->gen.stats.replies_in_window / window_s : 0;
		out[i].stats = &rw->gen.stats;
		const lg_stats *st = &rw->gen.stats;
		out[i].sent = (uint64_t)llround(scale * (double)st->sent);
		out[i].ok = (uint64_t)llround(scale * (double)st->ok);
		out[i].timeouts = (uint64_t)llround(scale * (double)st->timeouts);
		out[i].failed = (uint64_t)llround(scale * (double)st->failed);
		out[i].in_flight = (uint64_t)llround(scale * (double)st->in_flight);
		out[i].throughput_bps = 8.0 * rw->bulk.bytes_per_s;
		out[i].client_node_cpu_cores = rw->bulk.client_cpu_cores;
		out[i].server_node_cpu_cores = rw->bulk.server_cpu_cores;
		out[i].other_node_cpu_cores = rw->bulk.other_cpu_cores;
	}
	return out;
}

runner_service_result *runner_service_results(const runner *r)
{
	runner_service_result *out = calloc(r->nservices ? r->nservices : 1, sizeof(*out));
	if (!out)
		return NULL;
	sim_time_t now = sim_now(r->sim);
	for (size_t i = 0; i < r->nservices; i++) {
		const app_service *s = &r->services[i];
		out[i].name = s->name;
		out[i].replicas = s->replicas;
		out[i].workers = s->workers;
		double fluid_rate = 0;
		for (int p = 0; p < s->replicas; p++)
			fluid_rate += s->pods[p].fluid_rate;
		out[i].completed = s->completed + (uint64_t)llround(fluid_rate * sim_time_to_seconds(now));
		out[i].busy_workers = app_service_busy_workers(s, now);
		int capacity = s->replicas * s->workers;
		out[i].utilization = capacity > 0 ? out[i].busy_workers / capacity : 0;
		out[i].mean_wait_ns = app_service_mean_wait_ns(s);
	}
	return out;
}

runner_component_result *runner_component_results(const runner *r, size_t *n)
{
	const dataplane *dp = &r->dp;
	size_t nc = dp->prof ? dp->prof->ncomponents : 0;
	runner_component_result *out = calloc(nc + 1, sizeof(*out));
	*n = 0;
	if (!out)
		return NULL;
	double window_ns = (double)(sim_now(r->sim) - r->warmup_end);
	if (window_ns <= 0)
		window_ns = 1;
	for (size_t c = 0; c < nc; c++) {
		const mp_component *comp = &dp->prof->components[c];
		out[c].name = comp->name;
		out[c].user_space = comp->user_space;
	}
	for (size_t i = 0; i < dp->ninst; i++) {
		const dp_instance *in = &dp->inst[i];
		runner_component_result *o = &out[in->component];
		o->instances++;
		/* Events measured, plus the fluid demand under per-flow. */
		o->user_cores += in->user_ns / window_ns + in->fluid_user_cores + in->stream_user_cores;
		o->kernel_cores += in->kernel_ns / window_ns + in->fluid_kernel_cores +
		                   in->stream_kernel_cores + dataplane_fluid_wake_cores(in, window_ns);
		o->hops += in->requests + (uint64_t)llround(in->fluid_hops_per_s * window_ns / 1e9);
		o->hops_per_s += in->requests / window_ns * 1e9 + in->fluid_hops_per_s;
		o->wakeups_per_s += (in->wakeups + in->sampled_wake_sum) / window_ns * 1e9 +
		                    dataplane_fluid_wakeups_per_s(in, window_ns);
		o->memory_bytes += dataplane_instance_memory(dp, in);
	}
	runner_component_result *k = &out[nc];
	k->name = "node-kernel";
	k->instances = (int)dp->nnodes;
	for (size_t i = 0; i < dp->nnodes; i++) {
		k->user_cores += dp->nodes[i].kernel_user_ns / window_ns;
		k->kernel_cores += dp->nodes[i].kernel_kernel_ns / window_ns +
		                   dp->nodes[i].fluid_kernel_cores;
	}
	for (size_t c = 0; c <= nc; c++)
		out[c].dashboard_cores = out[c].user_space ? out[c].user_cores + out[c].kernel_cores : 0;
	*n = nc + 1;
	return out;
}

void runner_free(runner *r)
{
	scenario *copy = r->per_request_copy;
	for (size_t i = 0; i < r->nworkloads; i++)
		loadgen_free(&r->workloads[i].gen);
	if (r->built_dp)
		dataplane_free(&r->dp);
	for (size_t i = 0; i < r->nservices; i++)
		app_service_free(&r->services[i]);
	free(r->workloads);
	free(r->services);
	sim_destroy(r->sim);
	memset(r, 0, sizeof(*r));
	free(copy);
}
