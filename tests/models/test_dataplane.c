/*
 * tests/models/test_dataplane.c - the request path on a hand-built mesh
 * profile and synthetic costs, so every figure is known exactly:
 * conservation, CPU accounting equal to the cores' busy time, conditions
 * (mTLS off removes the record cost and nothing else; WireGuard only
 * cross-node), wake-up delay only for idle workers, and an exact latency;
 * the platform's wake-up CPU (per request and per flow), waypoint
 * deployments per namespace with replicas taken in turn, and how a
 * load generator's connections spread over several client pods.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "models/dataplane.h"
#include "workloads/bulk.h"
#include "workloads/loadgen.h"

#define SYSCALL_NS 100.0
#define RECORD_FIXED_NS 200.0
#define RECORD_PER_BYTE_NS 1.0
#define WG_NS 1000.0
#define FRAMEWORK_NS 10000.0
#define WAKEUP_NS 5000.0
#define APP_NS 1000000 /* 1 ms */
#define LATENCY_NS 20000
#define HOP_DELAY_NS 7000.0

static cost_profile costs;
/* The network's MTU (0 = 1500), and the WireGuard op's packetOverhead. */
static int mtu = 0;
static uint32_t wg_overhead = 0;

static void set_const(cost_op op, double ns, double kernel_frac)
{
	costs.op[op].available = 1;
	costs.op[op].model = COST_CONST;
	costs.op[op].fixed_ns = ns;
	costs.op[op].kernel_frac = kernel_frac;
}

static mp_hop_op op(cost_op o, mp_size_ref ref, double count, unsigned when)
{
	mp_hop_op h = {.op = {.op = o, .size_ref = ref, .count = count}, .when = when};
	return h;
}

#define HANDSHAKE_NS 500000.0

static mp_hop_op h0_ops[3], h1_ops[1], h2_ops[1], h3_ops[1], h4_ops[1];
static mp_hop hops[5];
static mp_component proxy;
static mesh_profile prof;

static void build_profile(void)
{
	memset(&costs, 0, sizeof costs);
	set_const(COST_SYSCALL, SYSCALL_NS, 1.0);
	set_const(COST_TLS13_MTLS_CLIENT, HANDSHAKE_NS, 0.0);
	costs.op[COST_TLS_RECORD_WRITE].available = 1;
	costs.op[COST_TLS_RECORD_WRITE].model = COST_LINEAR;
	costs.op[COST_TLS_RECORD_WRITE].fixed_ns = RECORD_FIXED_NS;
	costs.op[COST_TLS_RECORD_WRITE].per_unit_ns = RECORD_PER_BYTE_NS;
	costs.op[COST_TLS_RECORD_WRITE].kernel_frac = 0.0;
	/* Measured in user space (OpenSSL), as the real kernel measures it: a
	 * node-kernel hop must still charge it as kernel time. */
	set_const(COST_WG_ENCRYPT, WG_NS, 0.0);
	costs.op[COST_WG_ENCRYPT].model = COST_LINEAR; /* per byte 0: a constant */

	memset(&proxy, 0, sizeof proxy);
	proxy.name = "proxy";
	proxy.scope = MP_SCOPE_POD;
	proxy.user_space = true;
	proxy.workers = 1;
	proxy.framework_per_request.value = FRAMEWORK_NS;
	proxy.wakeup_delay.value = WAKEUP_NS;
	proxy.memory_base.value = 1000;
	proxy.memory_per_connection.value = 10;
	proxy.memory_per_config_object.value = 1;
	proxy.pools_upstream = true;
	proxy.workers_from_mesh = true; /* the mesh's CPU limit applies */

	h0_ops[0] = op(COST_SYSCALL, MP_SIZE_FIXED, 2, 0);
	h0_ops[1] = op(COST_TLS_RECORD_WRITE, MP_SIZE_MESSAGE, 1, MP_WHEN_MTLS);
	h0_ops[2] = op(COST_TLS13_MTLS_CLIENT, MP_SIZE_FIXED, 1, MP_WHEN_MTLS | MP_WHEN_NEW_UPSTREAM);
	h1_ops[0] = op(COST_WG_ENCRYPT, MP_SIZE_PACKETS, 1, 0);
	h1_ops[0].op.packet_overhead = wg_overhead;
	h2_ops[0] = op(COST_SYSCALL, MP_SIZE_FIXED, 2, 0);
	h3_ops[0] = op(COST_SYSCALL, MP_SIZE_FIXED, 1, 0);
	h4_ops[0] = op(COST_SYSCALL, MP_SIZE_FIXED, 1, 0);
	hops[0] = (mp_hop){.name = "client proxy out", .direction = MP_REQUEST, .side = MP_SIDE_CLIENT,
	                   .component = 0, .framework_share = 0.5, .ops = h0_ops, .nops = 3};
	hops[1] = (mp_hop){.name = "client node wireguard", .direction = MP_REQUEST,
	                   .side = MP_SIDE_CLIENT, .component = -1,
	                   .when = MP_WHEN_WIREGUARD | MP_WHEN_CROSS_NODE, .ops = h1_ops, .nops = 1};
	hops[2] = (mp_hop){.name = "server proxy in", .direction = MP_REQUEST, .side = MP_SIDE_SERVER,
	                   .component = 0, .framework_share = 0.5, .ops = h2_ops, .nops = 1,
	                   .delay = {HOP_DELAY_NS, "test"}};
	hops[3] = (mp_hop){.name = "server proxy out", .direction = MP_RESPONSE, .side = MP_SIDE_SERVER,
	                   .component = 0, .framework_share = 0.5, .ops = h3_ops, .nops = 1};
	hops[4] = (mp_hop){.name = "client proxy in", .direction = MP_RESPONSE, .side = MP_SIDE_CLIENT,
	                   .component = 0, .framework_share = 0.5, .ops = h4_ops, .nops = 1};
	memset(&prof, 0, sizeof prof);
	prof.name = "test";
	prof.components = &proxy;
	prof.ncomponents = 1;
	prof.hops = hops;
	prof.nhops = 5;
}

typedef struct world {
	sim_t *sim;
	app_service app;
	dataplane dp;
	dp_request *reqs;
	sim_time_t *sent;
	sim_time_t *latency;
	size_t done;
} world;

/* Where world_init puts the client pod: node 0, or -1 (outside the cluster). */
static int client_node = 0;
/* The proxies' CPU limit (cores; 0 = none). */
static double cpu_limit = 0;
/* The mesh's proxy concurrency (dp_options.proxy_concurrency). */
static int proxy_concurrency = 0;
/* Both nodes' wake-up CPU (ns; 0 = none). */
static double node_wakeup = 0;

/* Two nodes of 2 cores; pod 0 = server (node server_node), pod 1 = client. */
static void world_init(world *w, int server_node, bool mtls, bool wireguard, size_t nreq)
{
	build_profile();
	memset(w, 0, sizeof(*w));
	w->sim = sim_create(0);
	app_delay d = {APP_DELAY_FIXED, APP_NS, 0, 0, 0};
	assert_int_equal(app_service_init(&w->app, w->sim, "srv", 1, 64, d, 1, 0, 1), 0);
	double cores[2] = {2, 2}, speed[2] = {1, 1};
	dp_pod pods[2] = {{server_node, 0, true}, {client_node, -1, client_node >= 0}};
	int first[1] = {0};
	dp_options opt = {0};
	opt.mtls = mtls;
	opt.wireguard = wireguard;
	opt.http_parsing = true;
	opt.bandwidth_bps = 0; /* latency only: exact figures */
	opt.latency_ns = LATENCY_NS;
	opt.config_objects = 7;
	opt.proxy_cpu_limit = cpu_limit;
	opt.proxy_concurrency = proxy_concurrency;
	double wake[2] = {node_wakeup, node_wakeup};
	opt.node_wakeup_ns = wake;
	opt.mtu = mtu;
	assert_int_equal(dataplane_init(&w->dp, w->sim, &prof, &costs, cores, speed, 2, pods, 2,
	                                &w->app, 1, first, &opt),
	                 0);
	w->reqs = calloc(nreq, sizeof(*w->reqs));
	w->sent = calloc(nreq, sizeof(*w->sent));
	w->latency = calloc(nreq, sizeof(*w->latency));
}

static void world_free(world *w)
{
	dataplane_free(&w->dp);
	app_service_free(&w->app);
	sim_destroy(w->sim);
	free(w->reqs);
	free(w->sent);
	free(w->latency);
}

static void on_done(sim_t *sim, dp_request *req)
{
	world *w = req->owner;
	size_t i = (size_t)(req - w->reqs);
	w->latency[i] = sim_now(sim) - w->sent[i];
	w->done++;
}

static void on_done_count(sim_t *sim, dp_request *req)
{
	(void)sim;
	(void)req;
}

static void on_send(sim_t *sim, void *ctx, uint64_t i)
{
	world *w = ctx;
	dp_request *req = &w->reqs[i];
	req->client_pod = 1;
	req->server_pod = 0;
	req->request_bytes = 100;
	req->response_bytes = 1000;
	req->new_connection = i == 0;
	req->done = on_done;
	req->owner = w;
	w->sent[i] = sim_now(sim);
	dataplane_send(&w->dp, req);
}

static void test_mtls_off_removes_record_cost_only(void **state)
{
	(void)state;
	world w;
	world_init(&w, 1, true, false, 1);
	unsigned base = MP_WHEN_HTTP_PARSING | MP_WHEN_NO_L7 | MP_WHEN_CROSS_NODE;
	double u1, k1, u0, k0;
	dataplane_hop_cost(&w.dp, 0, 0, base | MP_WHEN_MTLS, 100, 1000, &u1, &k1);
	dataplane_hop_cost(&w.dp, 0, 0, base | MP_WHEN_NO_MTLS, 100, 1000, &u0, &k0);
	double record = RECORD_FIXED_NS + RECORD_PER_BYTE_NS * (100 + DP_REQUEST_HEAD_BYTES);
	assert_true(u1 - u0 == record);   /* user: the record, nothing else */
	assert_true(k1 == k0);            /* kernel: untouched */
	assert_true(k0 == 2 * SYSCALL_NS);
	assert_true(u0 == 0.5 * FRAMEWORK_NS);
	world_free(&w);
}

static void test_wireguard_only_cross_node(void **state)
{
	(void)state;
	world w;
	world_init(&w, 1, true, true, 1);
	double u, k;
	unsigned mesh = MP_WHEN_MTLS | MP_WHEN_WIREGUARD;
	/* The hop itself needs cross-node: step() skips it on one node. */
	assert_true((hops[1].when & MP_WHEN_CROSS_NODE) != 0);
	dataplane_hop_cost(&w.dp, 0, 1, mesh | MP_WHEN_CROSS_NODE, 100, 1000, &u, &k);
	assert_true(k == WG_NS * 1); /* 420 B: one packet */
	assert_true(u == 0);         /* kernel datapath: no user time */
	dataplane_hop_cost(&w.dp, 0, 1, mesh | MP_WHEN_CROSS_NODE, 3000, 1000, &u, &k);
	assert_true(k == WG_NS * 3); /* 3320 B: three packets */
	world_free(&w);

	/* End to end: the node kernels do WireGuard work only cross-node. */
	for (int server_node = 0; server_node < 2; server_node++) {
		world_init(&w, server_node, true, true, 10);
		for (uint64_t i = 0; i < 10; i++)
			sim_schedule(w.sim, (sim_time_t)i * 10 * SIM_MS, on_send, &w, i);
		sim_run(w.sim, SIM_TIME_MAX);
		assert_int_equal(w.done, 10);
		double wg = w.dp.nodes[0].kernel_kernel_ns + w.dp.nodes[1].kernel_kernel_ns;
		assert_true(wg == (server_node == 1 ? 10 * WG_NS : 0));
		world_free(&w);
	}
}

/* One request through idle proxies, cross-node: every delay is known. */
static void test_exact_latency_with_wakeups(void **state)
{
	(void)state;
	world w;
	world_init(&w, 1, true, false, 1);
	sim_schedule(w.sim, 0, on_send, &w, 0);
	sim_run(w.sim, SIM_TIME_MAX);
	assert_int_equal(w.done, 1);
	double record = RECORD_FIXED_NS + RECORD_PER_BYTE_NS * (100 + DP_REQUEST_HEAD_BYTES);
	/* hops: client out (2 syscalls + record + half framework), server in
	 * (2 syscalls + half), server out (1 + half), client in (1 + half);
	 * each wakes an idle worker; the network is crossed twice; the app
	 * takes 1 ms. No contention: each CPU job runs at full speed. */
	double cpu = 2 * SYSCALL_NS + record + HANDSHAKE_NS + 2 * SYSCALL_NS + SYSCALL_NS + SYSCALL_NS +
	             2 * FRAMEWORK_NS; /* the first request opens the pooled connection */
	sim_time_t expect = (sim_time_t)cpu + 4 * (sim_time_t)WAKEUP_NS + 2 * LATENCY_NS + APP_NS +
	                    (sim_time_t)HOP_DELAY_NS; /* the server hop's own delay */
	assert_int_equal(w.latency[0], expect);
	world_free(&w);
}

/* A request of ten full packets, cross-node with WireGuard: the client
 * node's WireGuard (1 us a packet) and, in this test, a server proxy doing
 * 2 us a packet are two stages of a pipeline. The server's stage paces the
 * message: all of its 20 us is on the path, the client's WireGuard only its
 * first packet (1 us); the other 9 us run beside the request on node 0's
 * cores, and every microsecond is still charged. */
static void test_large_message_pipeline(void **state)
{
	(void)state;
	world w;
	world_init(&w, 1, false, true, 1);
	h2_ops[0] = op(COST_WG_ENCRYPT, MP_SIZE_PACKETS, 2, 0); /* the server proxy's stage */
	dp_request *req = &w.reqs[0];
	req->client_pod = 1;
	req->server_pod = 0;
	req->request_bytes = 10 * 1448 - DP_REQUEST_HEAD_BYTES; /* ten full packets at MTU 1500 */
	req->response_bytes = 1000;
	req->done = on_done;
	req->owner = &w;
	w.sent[0] = 0;
	dataplane_send(&w.dp, req);
	sim_run(w.sim, SIM_TIME_MAX);
	assert_int_equal(w.done, 1);
	double client_out = 2 * SYSCALL_NS + 0.5 * FRAMEWORK_NS;
	double wireguard = WG_NS;                            /* its first packet */
	double server_in = 20 * WG_NS + 0.5 * FRAMEWORK_NS; /* the slowest stage, whole */
	double response = 2 * (SYSCALL_NS + 0.5 * FRAMEWORK_NS);
	sim_time_t expect = (sim_time_t)(client_out + wireguard + server_in + response) +
	                    4 * (sim_time_t)WAKEUP_NS + 2 * LATENCY_NS + APP_NS +
	                    (sim_time_t)HOP_DELAY_NS;
	assert_int_equal(w.latency[0], expect);
	/* all the WireGuard work is charged, on and off the path */
	assert_true(w.dp.nodes[0].kernel_kernel_ns == 10 * WG_NS);
	assert_true(w.dp.inst[w.dp.pod_inst[0]].user_ns == 20 * WG_NS + FRAMEWORK_NS);
	assert_true(w.dp.inst[w.dp.pod_inst[0]].kernel_ns == SYSCALL_NS); /* its response hop */
	assert_null(w.dp.overlaps);
	world_free(&w);
}

/* Work off a large message's path keeps its proxy's worker: with one
 * worker per proxy, a client proxy doing 100 us a packet (off the path: the
 * client node's 200 us a packet paces) holds its worker for the other nine
 * packets' 900 us, so a second request sent at the same time gets the
 * worker only then; had the worker been given back with the hop's own
 * CPU, it would have waited about 105 us. */
static void test_large_message_keeps_worker(void **state)
{
	(void)state;
	world w;
	world_init(&w, 1, false, true, 2);
	h0_ops[1] = op(COST_WG_ENCRYPT, MP_SIZE_PACKETS, 100, 0); /* client proxy: 100 us a packet */
	h0_ops[1].when = 0;
	h1_ops[0] = op(COST_WG_ENCRYPT, MP_SIZE_PACKETS, 200, 0); /* client node: 200 us, paces */
	for (int i = 0; i < 2; i++) {
		dp_request *req = &w.reqs[i];
		req->client_pod = 1;
		req->server_pod = 0;
		req->request_bytes = 10 * 1448 - DP_REQUEST_HEAD_BYTES;
		req->response_bytes = 1000;
		req->done = on_done;
		req->owner = &w;
		dataplane_send(&w.dp, req);
	}
	sim_run(w.sim, SIM_TIME_MAX);
	assert_int_equal(w.done, 2);
	sim_time_t gap = w.latency[1] - w.latency[0];
	assert_true(gap >= 900 * 1000);
	assert_true(gap < 1200 * 1000);
	/* all the client proxy's per-packet work is charged */
	const dp_instance *client = &w.dp.inst[w.dp.pod_inst[1]];
	assert_true(client->user_ns == 2 * (10 * 100 * WG_NS + FRAMEWORK_NS));
	assert_null(w.dp.overlaps);
	world_free(&w);
}

/* The mesh's proxy concurrency: 0 keeps the profile's workers (1 here),
 * a count replaces it, DP_PER_CORE (Istio's proxyConcurrency 0) gives one
 * per core of the proxy's node (2 here). */
static void test_proxy_concurrency(void **state)
{
	(void)state;
	int want[3] = {1, 5, 2}, given[3] = {0, 5, DP_PER_CORE};
	for (int i = 0; i < 3; i++) {
		proxy_concurrency = given[i];
		world w;
		world_init(&w, 1, true, false, 1);
		for (size_t k = 0; k < w.dp.ninst; k++)
			assert_int_equal(w.dp.inst[k].nworkers, want[i]);
		world_free(&w);
	}
	proxy_concurrency = 0;
}

/* Exponential wake-ups: requests one at a time (every hop wakes its
 * idle worker), so latency = the fixed parts + 4 exponential delays of
 * mean WAKEUP_NS: their mean over 4000 requests within 4 standard errors,
 * a tail (some request waits over 3 means more than the fixed case), and
 * the same draws for the same seed. */
static uint64_t world_seed = 1;

static double mean_exponential_latency(sim_time_t *max_extra)
{
	build_profile();
	proxy.wakeup_exponential = true;
	enum { N = 4000 };
	world w;
	memset(&w, 0, sizeof w);
	w.sim = sim_create(0);
	app_delay d = {APP_DELAY_FIXED, APP_NS, 0, 0, 0};
	assert_int_equal(app_service_init(&w.app, w.sim, "srv", 1, 64, d, 1, 0, 1), 0);
	double cores[2] = {2, 2}, speed[2] = {1, 1};
	dp_pod pods[2] = {{1, 0, true}, {0, -1, true}};
	int first[1] = {0};
	dp_options opt = {0};
	opt.mtls = true;
	opt.http_parsing = true;
	opt.latency_ns = LATENCY_NS;
	opt.seed = world_seed;
	assert_int_equal(dataplane_init(&w.dp, w.sim, &prof, &costs, cores, speed, 2, pods, 2,
	                                &w.app, 1, first, &opt),
	                 0);
	w.reqs = calloc(N, sizeof(*w.reqs));
	w.sent = calloc(N, sizeof(*w.sent));
	w.latency = calloc(N, sizeof(*w.latency));
	for (uint64_t i = 0; i < N; i++)
		sim_schedule_at(w.sim, (sim_time_t)i * 10 * APP_NS, SIM_CLASS_DEFAULT, on_send, &w, i);
	sim_run(w.sim, SIM_TIME_MAX);
	assert_int_equal(w.done, N);
	double record = RECORD_FIXED_NS + RECORD_PER_BYTE_NS * (100 + DP_REQUEST_HEAD_BYTES);
	double cpu = 2 * SYSCALL_NS + record + 2 * SYSCALL_NS + SYSCALL_NS + SYSCALL_NS +
	             2 * FRAMEWORK_NS;
	sim_time_t fixed = (sim_time_t)cpu + 2 * LATENCY_NS + APP_NS + (sim_time_t)HOP_DELAY_NS;
	double sum = 0;
	*max_extra = 0;
	for (int i = 1; i < N; i++) { /* request 0 also pays the handshake */
		sim_time_t extra = w.latency[i] - fixed;
		assert_true(extra >= 0);
		sum += (double)extra;
		if (extra > *max_extra)
			*max_extra = extra;
	}
	free(w.reqs);
	free(w.sent);
	free(w.latency);
	dataplane_free(&w.dp);
	app_service_free(&w.app);
	sim_destroy(w.sim);
	proxy.wakeup_exponential = false;
	return sum / (N - 1);
}

static void test_exponential_wakeups(void **state)
{
	(void)state;
	sim_time_t max1, max2, max3;
	world_seed = 1;
	double m1 = mean_exponential_latency(&max1);
	double m2 = mean_exponential_latency(&max2);
	world_seed = 2;
	double m3 = mean_exponential_latency(&max3);
	world_seed = 1;
	/* a sum of 4 exponentials: mean 4 w, standard deviation 2 w */
	double se = 2 * WAKEUP_NS / sqrt(3999.0);
	assert_true(fabs(m1 - 4 * WAKEUP_NS) < 4 * se);
	assert_true(max1 > 4 * WAKEUP_NS * 3);
	assert_true(m1 == m2 && max1 == max2);
	assert_true(m3 != m1);
}

/* Many overlapping requests: all complete, once; the CPU charged to
 * instances and node kernels equals the work the cores did, and equals
 * the per-request cost times the number of requests. */
static void test_conservation_and_cpu_accounting(void **state)
{
	(void)state;
	enum { N = 2000 };
	world w;
	world_init(&w, 1, true, true, N);
	uint64_t x = 88172645463325252ull;
	for (uint64_t i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		sim_schedule(w.sim, (sim_time_t)(x % (2 * SIM_S)), on_send, &w, i);
	}
	sim_run(w.sim, SIM_TIME_MAX);
	assert_int_equal(w.done, N);
	assert_int_equal(w.dp.requests_started, N);
	assert_int_equal(w.dp.requests_done, N);

	double charged = 0, busy = 0;
	for (size_t i = 0; i < w.dp.ninst; i++)
		charged += w.dp.inst[i].user_ns + w.dp.inst[i].kernel_ns;
	for (size_t n = 0; n < w.dp.nnodes; n++) {
		charged += w.dp.nodes[n].kernel_user_ns + w.dp.nodes[n].kernel_kernel_ns;
		res_busy b = ps_busy(&w.dp.nodes[n].cpu);
		busy += b.user_ns + b.kernel_ns;
		assert_int_equal(w.dp.nodes[n].cpu.n, 0); /* drained */
	}
	assert_true(charged == busy);
	double record = RECORD_FIXED_NS + RECORD_PER_BYTE_NS * (100 + DP_REQUEST_HEAD_BYTES);
	double per_request = 6 * SYSCALL_NS + record + 2 * FRAMEWORK_NS + WG_NS;
	/* Handshakes: one per pooled connection opened, which is as many as
	 * requests were ever in flight at once, never more than N. */
	uint32_t opened = w.dp.pools[0].opened;
	assert_int_equal(w.dp.npools, 1);
	assert_true(opened >= 1 && opened < N / 10);
	assert_int_equal(w.dp.pools[0].idle, opened); /* all returned */
	assert_true(charged == N * per_request + opened * HANDSHAKE_NS);

	/* Memory: base + per connection (one opened) + per config object. */
	const dp_instance *client = &w.dp.inst[w.dp.pod_inst[1]];
	assert_true(dataplane_instance_memory(&w.dp, client) == 1000 + 10 * 1 + 1 * 7);
	world_free(&w);
}

/* Requests one after another reuse one pooled upstream connection: one
 * handshake, whatever the application does with its own connections. */
static void test_pooled_upstream_reused(void **state)
{
	(void)state;
	enum { N = 50 };
	world w;
	world_init(&w, 1, true, false, N);
	for (uint64_t i = 0; i < N; i++)
		sim_schedule(w.sim, (sim_time_t)i * 100 * SIM_MS, on_send, &w, i);
	sim_run(w.sim, SIM_TIME_MAX);
	assert_int_equal(w.done, N);
	assert_int_equal(w.dp.pools[0].opened, 1);
	/* Only the first request paid the handshake. */
	assert_true(w.latency[0] - w.latency[1] == (sim_time_t)HANDSHAKE_NS);
	assert_true(w.latency[1] == w.latency[N - 1]);
	world_free(&w);
}

/* Per-flow: fluid traffic loads the instances on its path with exactly the
 * CPU the events would cost, shrinks the node's cores for the events, and
 * delays them by the M/M/k mean wait for a worker (Erlang C; C(3, 2.4) =
 * 0.6472 from tables). */
static void test_fluid_demand(void **state)
{
	(void)state;
	world w;
	world_init(&w, 1, true, false, 1);
	double record = RECORD_FIXED_NS + RECORD_PER_BYTE_NS * (100 + DP_REQUEST_HEAD_BYTES);
	/* At the client proxy: hop 0 (2 syscalls + record + half framework)
	 * and hop 4 (1 syscall + half framework). */
	double client_ns = 3 * SYSCALL_NS + record + FRAMEWORK_NS;
	dp_instance *client = &w.dp.inst[w.dp.pod_inst[1]];
	client->nworkers = 3;
	double rate = 2.4e9 / client_ns; /* offered load 2.4 workers */
	dataplane_add_fluid(&w.dp, 1, 0, 100, 1000, rate);
	assert_true(fabs(client->fluid_user_cores + client->fluid_kernel_cores - 2.4) < 1e-9);
	assert_true(fabs(client->fluid_hops_per_s - 2 * rate) < 1e-6);
	dataplane_apply_fluid(&w.dp);
	double service_ns = client_ns / 2; /* per hop */
	double expect = 0.6472 * service_ns / (3 - 2.4);
	assert_true(fabs(client->fluid_wait_ns - expect) / expect < 1e-3);
	/* Node 0 holds the client proxy: 2.4 of its 2 cores... capped at 5 %. */
	assert_true(w.dp.nodes[0].cpu.cores == 0.1);
	world_free(&w);
}

/* One request alone: each of the 4 proxy hops finds its single worker
 * idle, so each pays the node's wake-up CPU once, as kernel time, and
 * nothing else changes. */
static void test_wakeup_cpu_per_request(void **state)
{
	(void)state;
	double user[2], kernel[2];
	for (int run = 0; run < 2; run++) {
		node_wakeup = run ? 3000.0 : 0;
		world w;
		world_init(&w, 1, true, false, 1);
		sim_schedule(w.sim, 0, on_send, &w, 0);
		sim_run(w.sim, 10 * APP_NS);
		assert_int_equal(w.done, 1);
		user[run] = w.dp.inst[w.dp.pod_inst[1]].user_ns;
		kernel[run] = w.dp.inst[w.dp.pod_inst[1]].kernel_ns;
		world_free(&w);
	}
	node_wakeup = 0;
	assert_true(user[1] == user[0]);
	assert_true(fabs(kernel[1] - kernel[0] - 2 * 3000.0) < 1e-6); /* client: hops 0 and 4 */
}

/* M/M/3's chance that all 3 servers are idle at offered load a. */
static double p0_mm3(double a)
{
	return 1.0 / (1 + a + a * a / 2 + a * a * a / 6 * 3 / (3 - a));
}

/* Per flow: the fluid hops that find every worker idle (M/M/k P0) wake one,
 * and the wake-up CPU holds a worker too, so P0 solves
 * p = P0(work + rate x W x p); without sampled hops the fluid wake-up CPU
 * is rate x W x p. The test solves it by bisection, apart from the code's
 * iteration (with no hop run as events, M/M/k's P0 is the estimate). */
static void test_wakeup_cpu_per_flow(void **state)
{
	(void)state;
	const double wake_ns = 20000.0;
	node_wakeup = wake_ns;
	world w;
	world_init(&w, 1, true, false, 1);
	dp_instance *client = &w.dp.inst[w.dp.pod_inst[1]];
	client->nworkers = 3;
	double record = RECORD_FIXED_NS + RECORD_PER_BYTE_NS * (100 + DP_REQUEST_HEAD_BYTES);
	double client_ns = 3 * SYSCALL_NS + record + FRAMEWORK_NS;
	double rate = 1.5e9 / client_ns; /* hops' own work: 1.5 workers */
	dataplane_add_fluid(&w.dp, 1, 0, 100, 1000, rate);
	double before = client->fluid_kernel_cores;
	double node_before = w.dp.nodes[0].fluid_cores;
	dataplane_apply_fluid(&w.dp);
	double per_idle = 2 * rate * wake_ns / 1e9; /* 2 hops per request at this proxy */
	double lo = 0, hi = 1;
	for (int i = 0; i < 100; i++) {
		double mid = (lo + hi) / 2;
		if (p0_mm3(1.5 + per_idle * mid) > mid)
			lo = mid;
		else
			hi = mid;
	}
	assert_true(fabs(client->fluid_idle_prob - lo) < 1e-6);
	assert_true(client->fluid_kernel_cores == before); /* priced apart, not as work */
	assert_true(fabs(dataplane_fluid_wake_cores(client, 0) - per_idle * lo) < 1e-6);
	assert_true(fabs(dataplane_fluid_wakeups_per_s(client, 0) - 2 * rate * lo) < 1e-3);
	/* ... and reserved on the client's node. */
	assert_true(fabs(w.dp.nodes[0].fluid_cores - node_before - per_idle * lo) < 1e-6);
	world_free(&w);
	node_wakeup = 0;
}

/* Per flow's wake-up replay on hand-made records: sampled requests every
 * 10 ms, each with two hops arriving together (100 us each) and a third
 * later; the fluid traffic makes the instance's hops 10 times the sampled
 * ones, so the replay puts a request every 1 ms. Two workers; a wake-up
 * adds 50 us to the hold. */
static double replay_share(double third_offset_ns, size_t nreq)
{
	dp_instance in;
	memset(&in, 0, sizeof in);
	in.has_workers = true;
	in.nworkers = 2;
	size_t n = 3 * nreq;
	double window_ns = (double)nreq * 10e6;
	in.fluid_hops_per_s = 9.0 * (double)n / (window_ns / 1e9);
	in.fluid_idle_prob = 0.25; /* M/M/k's figure, which the replay replaces */
	in.fluid_wake_per_idle = in.fluid_hops_per_s * 1e-6; /* 1 us of wake-up CPU */
	in.wake_recs = calloc(n, sizeof(*in.wake_recs));
	assert_non_null(in.wake_recs);
	for (size_t j = 0; j < nreq; j++) {
		int64_t sent = (int64_t)j * 10000000;
		double offsets[3] = {0, 0, third_offset_ns};
		for (int h = 0; h < 3; h++) {
			dp_wake_rec *r = &in.wake_recs[in.nwake_recs++];
			r->root_sent = sent;
			r->offset_ns = (float)offsets[h];
			r->hold_ns = 100000;
			r->wake_ns = 50000;
			r->waking = h != 1;
		}
	}
	double per_s = dataplane_fluid_wakeups_per_s(&in, window_ns);
	/* The CPU follows the same share. */
	assert_true(fabs(dataplane_fluid_wake_cores(&in, window_ns) - per_s * 1e-6) < 1e-9);
	free(in.wake_recs);
	return per_s / in.fluid_hops_per_s;
}

static void test_wakeup_replay(void **state)
{
	(void)state;
	/* Third hop at 0.5 ms: the first of the pair wakes a worker, the
	 * second finds it busy and takes the other, the third finds both free
	 * again: 2 of 3 wake, whatever M/M/k says. */
	assert_true(fabs(replay_share(500000, 100) - 2.0 / 3.0) < 1e-12);
	/* Third hop at 1.02 ms: in the replay it lands on the next request's
	 * pair (1 ms later, held until 1.1 and 1.15 ms) and wakes nothing; only
	 * the last request's third hop finds the workers idle. In real time
	 * (10 ms apart) it would have woken one every time. */
	assert_true(fabs(replay_share(1020000, 100) - 101.0 / 300.0) < 1e-12);
}

/* Per flow in a run: with fluid traffic and wake-up CPU, every hop the
 * client proxy runs as an event is kept for the replay, with its hold less
 * the wake-up it drew (and the fluid wait); requests 10 ms apart and a
 * light fluid load leave every hop finding the worker idle, so the replay
 * has every hop wake one (M/M/k's P0 is below 1), and the sampled hops'
 * chance follows it. */
static void test_wakeup_replay_in_a_run(void **state)
{
	(void)state;
	const double wake_ns = 20000.0;
	node_wakeup = wake_ns;
	enum { N = 20 };
	world w;
	world_init(&w, 1, true, false, N);
	dp_instance *client = &w.dp.inst[w.dp.pod_inst[1]];
	double record = RECORD_FIXED_NS + RECORD_PER_BYTE_NS * (100 + DP_REQUEST_HEAD_BYTES);
	/* Fluid: 100 requests/s, as many hops as the events', so the replay
	 * puts the requests 5 ms apart, which still keeps them apart. */
	double rate = 100;
	dataplane_add_fluid(&w.dp, 1, 0, 100, 1000, rate);
	dataplane_apply_fluid(&w.dp);
	assert_true(client->fluid_idle_prob < 1.0);
	for (int i = 0; i < N; i++)
		sim_schedule(w.sim, (sim_time_t)i * 10000000, on_send, &w, (uint64_t)i);
	sim_run(w.sim, (sim_time_t)N * 10000000);
	assert_int_equal(w.done, N);
	assert_int_equal(client->nwake_recs, 2 * N); /* hops 0 and 4 of each request */
	assert_true(client->wake_q == 1.0);
	/* Request 1's outbound hop: its own CPU (2 syscalls, the record, half
	 * the framework) on an idle node; a wake-up would add its CPU and the
	 * proxy's wake-up delay. */
	const dp_wake_rec *r = &client->wake_recs[2];
	assert_true(r->root_sent == 10000000 && r->offset_ns == 0);
	assert_true(fabs(r->hold_ns - (2 * SYSCALL_NS + record + FRAMEWORK_NS / 2)) < 1);
	assert_true(fabs(r->wake_ns - (wake_ns + WAKEUP_NS)) < 1e-3);
	double window_ns = (double)N * 10000000;
	assert_true(fabs(dataplane_fluid_wakeups_per_s(client, window_ns) - 2 * rate) < 1e-9);
	world_free(&w);
	node_wakeup = 0;
}

/* A long run keeps only the newest wake_recs_max hops per proxy, and the
 * replay of what is kept (over the span it covers) gives the same share. */
static void test_wakeup_replay_bounded(void **state)
{
	(void)state;
	node_wakeup = 20000.0;
	enum { N = DP_WAKE_RECS_MAX }; /* 2 hops each: the records fill and halve */
	world w;
	world_init(&w, 1, true, false, N);
	dp_instance *client = &w.dp.inst[w.dp.pod_inst[1]];
	double rate = 100;
	dataplane_add_fluid(&w.dp, 1, 0, 100, 1000, rate);
	dataplane_apply_fluid(&w.dp);
	for (int i = 0; i < N; i++)
		sim_schedule(w.sim, (sim_time_t)i * 10000000, on_send, &w, (uint64_t)i);
	sim_run(w.sim, (sim_time_t)N * 10000000);
	assert_int_equal(w.done, N);
	assert_int_equal(client->wake_recs_max, DP_WAKE_RECS_MAX); /* the only keeper */
	assert_true(client->nwake_recs <= DP_WAKE_RECS_MAX && client->wake_dropped);
	assert_true(client->nwake_recs >= DP_WAKE_RECS_MAX / 2);
	/* the newest hop is kept */
	assert_true(client->wake_recs[client->nwake_recs - 1].root_sent ==
	            (int64_t)(N - 1) * 10000000);
	double window_ns = (double)N * 10000000;
	assert_true(fabs(dataplane_fluid_wakeups_per_s(client, window_ns) - 2 * rate) < 1e-9);
	world_free(&w);
	node_wakeup = 0;
}

/* A wrk2-style generator on a 1 ms timer: after each reply the next
 * request waits whole ticks, so it leaves up to 1 ms late, by a lateness
 * that steps through [0, 1) ms from request to request (the schedule is
 * absolute: lateness does not pile up), and the latency from the intended
 * time shows it: about 0.5 ms more on average, never 1 ms more. */
static double paced_mean_latency_ms(sim_time_t tick, double *max_ms, uint64_t *sent)
{
	world w;
	world_init(&w, 1, false, false, 1);
	loadgen lg;
	lg_config cfg = {.kind = LG_CONSTANT_THROUGHPUT, .qps = 100, .connections = 1,
	                 .start = 0, .end = 2 * SIM_S, .timeout = SIM_S, .warmup_end = 0,
	                 .timer_resolution = tick};
	lg_target t = {&w.dp, 1, 1, 0, 1, 100, 1000};
	assert_int_equal(loadgen_init(&lg, w.sim, &cfg, &t), 0);
	sim_run(w.sim, 3 * SIM_S);
	loadgen_finish(&lg);
	*max_ms = (double)lg.stats.latency.max / 1e6;
	*sent = lg.stats.sent;
	double mean = hist_mean(&lg.stats.latency) / 1e6;
	loadgen_free(&lg);
	world_free(&w);
	return mean;
}

static void test_timer_resolution(void **state)
{
	(void)state;
	double max0, max1;
	uint64_t sent0, sent1;
	double exact = paced_mean_latency_ms(0, &max0, &sent0);
	double ticked = paced_mean_latency_ms(SIM_MS, &max1, &sent1);
	assert_int_equal(sent0, 200);
	assert_int_equal(sent1, 200); /* the rate holds */
	assert_true(fabs(ticked - exact - 0.5) < 0.05);
	assert_true(max1 > max0 && max1 < max0 + 1.0);
}

/* Many proxies keeping wake-up records share the budget: each keeps at
 * most its share of DP_WAKE_RECS_BUDGET (between DP_WAKE_RECS_MIN and
 * DP_WAKE_RECS_MAX), the share counting only the proxies with fluid
 * traffic (here 300 clients' and the server's, not the idle client's). */
static void test_wakeup_budget_shared(void **state)
{
	(void)state;
	build_profile();
	enum { CLIENTS = 300 };
	sim_t *sim = sim_create(0);
	app_service app;
	app_delay d = {APP_DELAY_FIXED, APP_NS, 0, 0, 0};
	assert_int_equal(app_service_init(&app, sim, "srv", 1, 64, d, 1, 0, 1), 0);
	double cores[2] = {64, 64}, speed[2] = {1, 1}, wake[2] = {20000, 20000};
	static dp_pod pods[CLIENTS + 2];
	pods[0] = (dp_pod){1, 0, true};
	for (int i = 1; i <= CLIENTS + 1; i++)
		pods[i] = (dp_pod){0, -1, true};
	int first[1] = {0};
	dp_options opt = {0};
	opt.node_wakeup_ns = wake;
	dataplane dp;
	assert_int_equal(dataplane_init(&dp, sim, &prof, &costs, cores, speed, 2, pods, CLIENTS + 2,
	                                &app, 1, first, &opt),
	                 0);
	for (int i = 1; i <= CLIENTS; i++) /* the last client pod sends nothing */
		dataplane_add_fluid(&dp, i, 0, 100, 1000, 10);
	dataplane_apply_fluid(&dp);
	size_t share = DP_WAKE_RECS_BUDGET / (CLIENTS + 1); /* the clients' and the server's */
	assert_true(share > DP_WAKE_RECS_MIN && share < DP_WAKE_RECS_MAX);
	for (size_t i = 0; i < dp.ninst; i++)
		assert_int_equal(dp.inst[i].wake_recs_max, share);
	dataplane_free(&dp);
	app_service_free(&app);
	sim_destroy(sim);
}

/* Per flow at the application: the fluid traffic keeps a = rate x E[S]
 * workers busy (in the utilisation), and an event request waits with
 * Erlang C's chance for Allen-Cunneen's mean wait with paced arrivals:
 * none with fixed service times, half M/M/c's with exponential ones. */
static void test_app_fluid(void **state)
{
	(void)state;
	sim_t *sim = sim_create(0);
	app_service app;
	app_delay fixed = {APP_DELAY_FIXED, SIM_MS, 0, 0, 0};
	assert_int_equal(app_service_init(&app, sim, "a", 2, 2, fixed, 1, 0, 1), 0);
	app_service_add_fluid(&app, 0, 1000); /* 1000/s x 1 ms = 1 worker */
	app_service_add_fluid(&app, 5, 1000); /* no such pod: ignored */
	app_service_apply_fluid(&app);
	assert_true(fabs(app.pods[0].fluid_busy - 1.0) < 1e-12 && app.pods[1].fluid_busy == 0);
	assert_true(fabs(app_service_busy_workers(&app, 0) - 1.0) < 1e-12);
	assert_true(app.pods[0].fluid_wait_ns == 0); /* fixed: regular arrivals never wait */
	app_service_free(&app);
	app_delay expo = {APP_DELAY_EXPONENTIAL, SIM_MS, 0, 0, 0};
	assert_int_equal(app_service_init(&app, sim, "b", 1, 2, expo, 1, 0, 1), 0);
	app_service_add_fluid(&app, 0, 1000);
	app_service_apply_fluid(&app);
	/* M/M/2 at a = 1: P(wait) = 1/3, mean wait given a wait 1 ms / (2 - 1) */
	assert_true(fabs(app.pods[0].fluid_wait_prob - 1.0 / 3.0) < 1e-12);
	assert_true(fabs(app.pods[0].fluid_wait_ns - 0.5 * 1e6) < 1e-6);
	app_service_free(&app);
	sim_destroy(sim);
}

/* Frees a data plane built on its own (not a world), its apps and engine. */
static void free_all(dataplane *dp, app_service *apps, int napps, sim_t *sim)
{
	dataplane_free(dp);
	for (int i = 0; i < napps; i++)
		app_service_free(&apps[i]);
	sim_destroy(sim);
}

/* Waypoints scoped per namespace: services 0 and 1 share namespace 0's
 * deployment, service 2 has its own; with 2 replicas each, 4 instances on
 * nodes (key x 2 + r) mod 3, and a service's requests take its replicas in
 * turn. */
static void test_waypoint_replicas_per_namespace(void **state)
{
	(void)state;
	build_profile();
	static mp_hop_op wp_ops[1];
	static mp_hop wp_hops[2];
	static mp_component wp;
	wp = proxy;
	wp.name = "waypoint";
	wp.scope = MP_SCOPE_NAMESPACE;
	wp.pools_upstream = false;
	wp_ops[0] = op(COST_SYSCALL, MP_SIZE_FIXED, 1, 0);
	wp_hops[0] = (mp_hop){.name = "waypoint in", .direction = MP_REQUEST,
	                      .side = MP_SIDE_WAYPOINT, .component = 0, .framework_share = 0.5,
	                      .ops = wp_ops, .nops = 1};
	wp_hops[1] = wp_hops[0];
	wp_hops[1].name = "waypoint out";
	wp_hops[1].direction = MP_RESPONSE;
	mesh_profile wprof = {.name = "wp", .components = &wp, .ncomponents = 1, .hops = wp_hops,
	                      .nhops = 2};
	sim_t *sim = sim_create(0);
	app_service apps[3];
	app_delay d = {APP_DELAY_FIXED, APP_NS, 0, 0, 0};
	for (int i = 0; i < 3; i++)
		assert_int_equal(app_service_init(&apps[i], sim, "srv", 1, 64, d, 1, 0, (uint64_t)i), 0);
	double cores[3] = {2, 2, 2}, speed[3] = {1, 1, 1};
	dp_pod pods[4] = {{0, 0, true}, {1, 1, true}, {2, 2, true}, {0, -1, true}};
	int first[3] = {0, 1, 2}, ns[3] = {0, 0, 1};
	dp_options opt = {0};
	opt.waypoint_replicas = 2;
	opt.service_namespace = ns;
	dataplane dp;
	assert_int_equal(dataplane_init(&dp, sim, &wprof, &costs, cores, speed, 3, pods, 4, apps, 3,
	                                first, &opt),
	                 0);
	assert_int_equal(dp.ninst, 4);
	for (int r = 0; r < 2; r++) {
		int s0 = dp.service_inst[(0 * 2 + r) * 1], s1 = dp.service_inst[(1 * 2 + r) * 1];
		int s2 = dp.service_inst[(2 * 2 + r) * 1];
		assert_int_equal(s0, s1);
		assert_int_not_equal(s0, s2);
		assert_int_equal(dp.inst[s0].node, (0 * 2 + r) % 3);
		assert_int_equal(dp.inst[s2].node, (2 * 2 + r) % 3);
	}
	dp_request reqs[4];
	memset(reqs, 0, sizeof reqs);
	for (int i = 0; i < 4; i++) {
		reqs[i].client_pod = 3;
		reqs[i].server_pod = 1; /* service 1: namespace 0's waypoint */
		reqs[i].done = on_done_count;
		reqs[i].owner = &dp;
		dataplane_send(&dp, &reqs[i]);
	}
	sim_run(sim, 100 * APP_NS);
	assert_int_equal(dp.requests_done, 4);
	/* Each request: one hop in, one out, at the replica it took. */
	assert_int_equal(dp.inst[dp.service_inst[2]].requests, 4);
	assert_int_equal(dp.inst[dp.service_inst[3]].requests, 4);
	/* A stream to service 0 through replica 1 (node 1), client and server
	 * on node 0: two network legs, there and back; the waypoint's stage
	 * on a node that is neither the sender's nor the receiver's. */
	dp.opt.bandwidth_bps = 1e9;
	dp_stream_cost sc;
	assert_int_equal(dataplane_stream_cost(&dp, 3, 0, 16384, 1, &sc), 0);
	assert_int_equal(sc.nlegs, 2);
	assert_true(sc.leg_from[0] == 0 && sc.leg_to[0] == 1 && sc.leg_from[1] == 1 &&
	            sc.leg_to[1] == 0);
	assert_int_equal(sc.nstages, 1);
	assert_int_equal(sc.stage[0].node, 1);
	assert_int_equal(sc.stage[0].inst, dp.service_inst[1]);
	/* replica 0 sits on node 0 with both ends: no leg at all */
	assert_int_equal(dataplane_stream_cost(&dp, 3, 0, 16384, 0, &sc), 0);
	assert_int_equal(sc.nlegs, 0);
	bulk_set set = {0};
	lg_target t = {&dp, 3, 1, 0, 1, 0, 0};
	assert_int_equal(bulk_add(&set, &dp, &t, 2, 16384, 0, NULL), 0);
	bulk_result res = {0};
	bulk_share(&set, &dp, &res);
	assert_true(res.other_cpu_cores > 0 && res.client_cpu_cores == 0);
	bulk_free(&set);
	free_all(&dp, apps, 3, sim);
}

/* The destination's protocol: a request to an HTTP/1.1 service holds the
 * http1 condition, one to an HTTP/2 (or gRPC) service the http2 one, so a
 * profile prices each with its own operations. */
static void test_protocol_conditions(void **state)
{
	(void)state;
	build_profile();
	set_const(COST_H2_GRPC_SERVER, 700.0, 0.0);
	static mp_hop_op p_ops[2];
	static mp_hop p_hops[1];
	static mp_component pc;
	pc = proxy;
	pc.framework_per_request.value = 0;
	pc.pools_upstream = false;
	p_ops[0] = op(COST_SYSCALL, MP_SIZE_FIXED, 1, MP_WHEN_HTTP1);
	p_ops[1] = op(COST_H2_GRPC_SERVER, MP_SIZE_FIXED, 1, MP_WHEN_HTTP2);
	p_hops[0] = (mp_hop){.name = "server proxy in", .direction = MP_REQUEST,
	                     .side = MP_SIDE_SERVER, .component = 0, .ops = p_ops, .nops = 2};
	mesh_profile pprof = {.name = "proto", .components = &pc, .ncomponents = 1, .hops = p_hops,
	                      .nhops = 1};
	sim_t *sim = sim_create(0);
	app_service apps[2];
	app_delay d = {APP_DELAY_FIXED, APP_NS, 0, 0, 0};
	for (int i = 0; i < 2; i++)
		assert_int_equal(app_service_init(&apps[i], sim, "srv", 1, 64, d, 1, 0, (uint64_t)i), 0);
	double cores[1] = {2}, speed[1] = {1};
	dp_pod pods[3] = {{0, 0, true}, {0, 1, true}, {0, -1, false}};
	int first[2] = {0, 1};
	bool h2[2] = {false, true};
	dp_options opt = {0};
	opt.service_http2 = h2;
	dataplane dp;
	assert_int_equal(dataplane_init(&dp, sim, &pprof, &costs, cores, speed, 1, pods, 3, apps, 2,
	                                first, &opt),
	                 0);
	dp_request reqs[2];
	memset(reqs, 0, sizeof reqs);
	for (int i = 0; i < 2; i++) {
		reqs[i].client_pod = 2;
		reqs[i].server_pod = i;
		reqs[i].done = on_done_count;
		dataplane_send(&dp, &reqs[i]);
	}
	sim_run(sim, 100 * APP_NS);
	assert_int_equal(dp.requests_done, 2);
	const dp_instance *to_h1 = &dp.inst[dp.pod_inst[0]], *to_h2 = &dp.inst[dp.pod_inst[1]];
	assert_true(to_h1->user_ns + to_h1->kernel_ns == SYSCALL_NS);
	assert_true(to_h2->user_ns + to_h2->kernel_ns == 700.0);
	free_all(&dp, apps, 2, sim);
}

/* Per-packet operations: a message's full packets at packetSize each, its
 * last partial packet at its share of packetSize. */
static void test_packet_pricing(void **state)
{
	(void)state;
	world w;
	world_init(&w, 1, false, true, 1);
	costs.op[COST_WG_ENCRYPT].per_unit_ns = 1.0; /* 1000 + 1 ns per byte */
	costs.op[COST_WG_ENCRYPT].fixed_ns = 1000.0;
	assert_int_equal(cost_table_init(&w.dp.nodes[0].costs, &costs, 1.0), 0);
	h1_ops[0].op.size = 1420; /* packetSize */
	unsigned ctx = MP_WHEN_WIREGUARD | MP_WHEN_CROSS_NODE;
	double u, k;
	/* 3000 B: two full packets of 1448 B and 104 B in a third */
	dataplane_hop_cost(&w.dp, 0, 1, ctx, 3000 - DP_REQUEST_HEAD_BYTES, 0, &u, &k);
	double part = (double)(1420 * 104 / DP_MSS_BYTES);
	assert_true(fabs(u + k - (2 * (1000.0 + 1420) + 1000.0 + part)) < 1e-6);
	/* one small packet (500 B): priced at its share, not at 1420 B */
	dataplane_hop_cost(&w.dp, 0, 1, ctx, 500 - DP_REQUEST_HEAD_BYTES, 0, &u, &k);
	assert_true(fabs(u + k - (1000.0 + (double)(1420 * 500 / DP_MSS_BYTES))) < 1e-6);
	world_free(&w);
	h1_ops[0].op.size = 0;
}

/* The MTU and a tunnel's packetOverhead set the path's MSS and the size a
 * full packet is priced at. */
static void test_mtu_and_overhead(void **state)
{
	(void)state;
	mtu = 9000;
	wg_overhead = 80;
	world w;
	world_init(&w, 1, false, true, 1);
	assert_int_equal(w.dp.mss, 9000 - 52 - 80);
	costs.op[COST_WG_ENCRYPT].per_unit_ns = 1.0; /* 1000 + 1 ns per byte */
	assert_int_equal(cost_table_init(&w.dp.nodes[0].costs, &costs, 1.0), 0);
	unsigned ctx = MP_WHEN_WIREGUARD | MP_WHEN_CROSS_NODE;
	double u, k;
	/* 20000 B: two full packets of 8868 B, each priced at 8920 B, and
	 * 2264 B in a third, at its share of 8920 */
	dataplane_hop_cost(&w.dp, 0, 1, ctx, 20000 - DP_REQUEST_HEAD_BYTES, 0, &u, &k);
	double part = (double)(8920 * 2264 / 8868);
	assert_true(fabs(u + k - (2 * (1000.0 + 8920) + 1000.0 + part)) < 1e-6);
	world_free(&w);
	/* without WireGuard the pods keep the whole MTU */
	world_init(&w, 1, false, false, 1);
	assert_int_equal(w.dp.mss, 9000 - 52);
	world_free(&w);
	mtu = 0;
	wg_overhead = 0;
}

/* A hop's own CPU, per traversal, packet or segment (kernel time at the
 * node's crossing speed), and operations counted per segment. */
static void test_hop_cpu_and_segments(void **state)
{
	(void)state;
	world w;
	world_init(&w, 1, false, true, 1);
	unsigned ctx = MP_WHEN_WIREGUARD | MP_WHEN_CROSS_NODE;
	double u0, k0, u, k;
	dataplane_hop_cost(&w.dp, 0, 1, ctx, 3000 - DP_REQUEST_HEAD_BYTES, 0, &u0, &k0);
	hops[1].cpu.value = 500;
	hops[1].cpu_per = MP_CPU_PER_PACKET; /* 3000 B: 3 packets */
	dataplane_hop_cost(&w.dp, 0, 1, ctx, 3000 - DP_REQUEST_HEAD_BYTES, 0, &u, &k);
	assert_true(fabs(k - k0 - 1500.0) < 1e-9 && u == u0);
	hops[1].cpu_per = MP_CPU_PER_SEGMENT; /* one segment */
	dataplane_hop_cost(&w.dp, 0, 1, ctx, 3000 - DP_REQUEST_HEAD_BYTES, 0, &u, &k);
	assert_true(fabs(k - k0 - 500.0) < 1e-9);
	/* 70000 B: two segments of up to 64 KiB */
	dataplane_hop_cost(&w.dp, 0, 1, ctx, 70000 - DP_REQUEST_HEAD_BYTES, 0, &u0, &k0);
	hops[1].cpu.value = 0;
	dataplane_hop_cost(&w.dp, 0, 1, ctx, 70000 - DP_REQUEST_HEAD_BYTES, 0, &u, &k);
	assert_true(fabs(k0 - k - 1000.0) < 1e-9);
	hops[1].cpu_per = MP_CPU_PER_TRAVERSAL;
	hops[1].cpu.value = 500;
	w.dp.nodes[0].crossing_speed = 2.0; /* kernel work beside the ops: at crossing speed */
	dataplane_hop_cost(&w.dp, 0, 1, ctx, 70000 - DP_REQUEST_HEAD_BYTES, 0, &u0, &k0);
	assert_true(fabs(k0 - k - 250.0) < 1e-9);
	hops[1].cpu.value = 0;
	/* an operation per segment: 1 for 3000 B, 2 for 70000 B */
	h1_ops[0].op.size_ref = MP_SIZE_SEGMENTS;
	dataplane_hop_cost(&w.dp, 0, 1, ctx, 3000 - DP_REQUEST_HEAD_BYTES, 0, &u, &k);
	assert_true(fabs(u + k - WG_NS) < 1e-9);
	dataplane_hop_cost(&w.dp, 0, 1, ctx, 70000 - DP_REQUEST_HEAD_BYTES, 0, &u, &k);
	assert_true(fabs(u + k - 2 * WG_NS) < 1e-9);
	h1_ops[0].op.size_ref = MP_SIZE_PACKETS;
	world_free(&w);
}

/* A bulk stream: per byte, each stage's work (a proxy per instance, the
 * kernel per node); the rate is the slowest stage's; a parallel operation
 * costs CPU but paces nothing; a proxy never sees the ACKs. */
static void test_stream_cost(void **state)
{
	(void)state;
	world w;
	world_init(&w, 1, false, true, 1);
	dp_stream_cost sc;
	const double m = 16384;
	assert_int_equal(dataplane_stream_cost(&w.dp, 1, 0, (uint32_t)m, 0, &sc), 0);
	assert_true(sc.cross_node && sc.mss == DP_MSS_BYTES);
	assert_int_equal(sc.nstages, 3); /* client proxy, client kernel, server proxy */
	double wg = -1, proxies = 0;
	for (int i = 0; i < sc.nstages; i++) {
		const dp_stream_stage *st = &sc.stage[i];
		double ns = st->user_ns + st->kernel_ns;
		if (st->inst < 0) {
			assert_int_equal(st->node, 0);
			wg = ns;
		} else {
			/* two syscalls per send, no framework (a stream is no request) */
			assert_true(fabs(ns - 2 * SYSCALL_NS / m) < 1e-12);
			proxies += ns;
		}
	}
	assert_true(fabs(wg - WG_NS / DP_MSS_BYTES) < 1e-12); /* per byte */
	assert_true(fabs(proxies - 4 * SYSCALL_NS / m) < 1e-12);
	double rate = dataplane_stream_rate(&w.dp, &sc);
	assert_true(fabs(rate - 1e9 * DP_MSS_BYTES / WG_NS) < 1e-3);
	/* the wire: 100 Gbit/s carries MTU + 38 B per MSS of payload */
	w.dp.opt.bandwidth_bps = 1e9;
	assert_true(fabs(dataplane_stream_rate(&w.dp, &sc) - 1e9 / (8.0 * 1538 / DP_MSS_BYTES)) <
	            1e-3);
	w.dp.opt.bandwidth_bps = 0;
	/* its CPU as fluid demand: kernel time of node 0 */
	dataplane_add_stream(&w.dp, &sc, rate);
	assert_true(fabs(w.dp.nodes[0].fluid_kernel_cores - 1.0) < 1e-9);
	/* parallel: the WireGuard op no longer paces the stream */
	h1_ops[0].op.parallel = true;
	assert_int_equal(dataplane_stream_cost(&w.dp, 1, 0, (uint32_t)m, 0, &sc), 0);
	assert_true(fabs(dataplane_stream_rate(&w.dp, &sc) - 1e9 * m / (2 * SYSCALL_NS)) < 1e-3);
	h1_ops[0].op.parallel = false;
	/* same node: no WireGuard, no wire; only the proxies */
	world_free(&w);
	world_init(&w, 0, false, true, 1);
	assert_int_equal(dataplane_stream_cost(&w.dp, 1, 0, (uint32_t)m, 0, &sc), 0);
	assert_true(!sc.cross_node && sc.wire_bits_per_byte == 0);
	for (int i = 0; i < sc.nstages; i++)
		assert_true(sc.stage[i].inst >= 0);
	world_free(&w);
}

/* A load generator with 3 client pods and 2 server pods: connection i
 * runs from client i mod 3 to server (i / 3) mod 2, so 6 connections cover
 * every pair once; with one client pod it is the old i mod servers. */
static void test_connections_over_client_pods(void **state)
{
	(void)state;
	lg_target t = {NULL, 10, 3, 20, 2, 0, 0};
	int seen[3][2] = {{0}};
	for (int i = 0; i < 6; i++) {
		int c, s;
		lg_connection_pods(&t, i, &c, &s);
		assert_true(c >= 10 && c < 13 && s >= 20 && s < 22);
		seen[c - 10][s - 20]++;
	}
	for (int c = 0; c < 3; c++)
		for (int s = 0; s < 2; s++)
			assert_int_equal(seen[c][s], 1);
	lg_target one = {NULL, 5, 1, 20, 3, 0, 0};
	for (int i = 0; i < 7; i++) {
		int c, s;
		lg_connection_pods(&one, i, &c, &s);
		assert_int_equal(c, 5);
		assert_int_equal(s, 20 + i % 3);
	}
}

/* A client outside the cluster: no client-side hops, and the network both
 * ways. */
static void test_outside_client(void **state)
{
	(void)state;
	world w;
	client_node = -1;
	world_init(&w, 1, true, false, 1);
	client_node = 0;
	sim_schedule(w.sim, 0, on_send, &w, 0);
	sim_run(w.sim, SIM_TIME_MAX);
	assert_int_equal(w.done, 1);
	/* Only the server proxy's two hops (2 + 1 syscalls, its framework),
	 * each waking an idle worker, the server hop's delay, the app, and the
	 * wire both ways. */
	double cpu = 3 * SYSCALL_NS + FRAMEWORK_NS;
	sim_time_t expect = (sim_time_t)cpu + 2 * (sim_time_t)WAKEUP_NS + (sim_time_t)HOP_DELAY_NS +
	                    APP_NS + 2 * LATENCY_NS;
	assert_int_equal(w.latency[0], expect);
	assert_int_equal(w.dp.ninst, 1); /* the server pod's proxy only */
	world_free(&w);
}

/* A CPU quota of half a core stretches every proxy job to twice its time
 * (latency, not CPU); a quota of 2 cores changes nothing for 1 worker. */
static void test_cpu_limit(void **state)
{
	(void)state;
	sim_time_t latency[3];
	double charged[3];
	double limits[3] = {0, 2.0, 0.5};
	for (int i = 0; i < 3; i++) {
		world w;
		cpu_limit = limits[i];
		world_init(&w, 1, true, false, 1);
		cpu_limit = 0;
		sim_schedule(w.sim, 0, on_send, &w, 0);
		sim_run(w.sim, SIM_TIME_MAX);
		latency[i] = w.latency[0];
		charged[i] = 0;
		for (size_t k = 0; k < w.dp.ninst; k++)
			charged[i] += w.dp.inst[k].user_ns + w.dp.inst[k].kernel_ns;
		world_free(&w);
	}
	assert_int_equal(latency[1], latency[0]);
	assert_true(charged[2] == charged[0]); /* throttling is not CPU */
	/* Every proxy hop's CPU is waited out once more. */
	assert_int_equal(latency[2] - latency[0], (sim_time_t)charged[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mtls_off_removes_record_cost_only),
		cmocka_unit_test(test_wireguard_only_cross_node),
		cmocka_unit_test(test_exact_latency_with_wakeups),
		cmocka_unit_test(test_large_message_pipeline),
		cmocka_unit_test(test_large_message_keeps_worker),
		cmocka_unit_test(test_proxy_concurrency),
		cmocka_unit_test(test_exponential_wakeups),
		cmocka_unit_test(test_conservation_and_cpu_accounting),
		cmocka_unit_test(test_pooled_upstream_reused),
		cmocka_unit_test(test_fluid_demand),
		cmocka_unit_test(test_outside_client),
		cmocka_unit_test(test_cpu_limit),
		cmocka_unit_test(test_wakeup_cpu_per_request),
		cmocka_unit_test(test_wakeup_cpu_per_flow),
		cmocka_unit_test(test_wakeup_replay),
		cmocka_unit_test(test_wakeup_replay_in_a_run),
		cmocka_unit_test(test_waypoint_replicas_per_namespace),
		cmocka_unit_test(test_connections_over_client_pods),
		cmocka_unit_test(test_protocol_conditions),
		cmocka_unit_test(test_wakeup_replay_bounded),
		cmocka_unit_test(test_timer_resolution),
		cmocka_unit_test(test_app_fluid),
		cmocka_unit_test(test_wakeup_budget_shared),
		cmocka_unit_test(test_packet_pricing),
		cmocka_unit_test(test_mtu_and_overhead),
		cmocka_unit_test(test_hop_cpu_and_segments),
		cmocka_unit_test(test_stream_cost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
