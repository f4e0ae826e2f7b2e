/*
 * models/dataplane.h - the request path through a mesh, as events.
 *
 * A request walks the hops of its mesh profile (models/mesh_profile.h): the
 * client side, the network, the server side, the server application, and
 * back. At each hop the operations the profile lists are priced by the
 * calibration profile (models/kernels/cost.h) on that node's cost table,
 * plus the component's framework share; the CPU work then runs on the
 * node's cores (processor sharing, shared by every component on the node),
 * and for a user-space proxy it first needs one of the proxy's worker
 * threads (FCFS). Waking an idle worker adds the component's wake-up
 * delay, and a hop may add a latency of its own (its `delay`). Consecutive hops on different nodes cross the network (one-way
 * latency plus serialisation at the cluster's bandwidth).
 *
 * CPU is accounted per component instance, split into user and kernel
 * time (in a user-space proxy, each operation's measured split; in node
 * kernel hops and kernel datapath components, all of it is kernel time); "dashboard" CPU is what container metrics show: the CPU of
 * user-space components (their user time and the kernel time of their
 * syscalls), not kernel datapath work (eBPF, WireGuard, node kernel hops).
 *
 * Memory per instance: base + per open connection + per config object.
 *
 * Connections: an application connection is new on its first request
 * (connection-per-request workloads: on every request), which sets the
 * new-connection condition. The first proxy on the path that pools its
 * upstream connections (poolsUpstream) takes an idle connection to the
 * destination pod or opens one, which sets new-upstream (its handshake)
 * for the rest of the request; the connection goes back to the pool when
 * the response is home.
 *
 * Call graphs: a service may call others for each request it serves
 * (dataplane_set_calls); the calls travel the mesh like any request.
 *
 * A proxy's CPU limit (spec.mesh.proxy.resources.limits.cpu, a CFS quota)
 * lets at most ceil(limit) of its threads run at once, and below one core
 * stretches each job to 1/limit of its time (the quota's throttling, as
 * latency, not CPU).
 *
 * Simplifications of this version (see docs/meshes.md): no NIC queueing;
 * downstream calls have no timeout of their own and go out in parallel;
 * pools are per destination pod with HTTP/1.1 semantics (an HTTP/2 or
 * HBONE pool, multiplexed, would open fewer); the application's service
 * time holds an application worker but is not CPU.
 */
#ifndef MESHSIM_MODELS_DATAPLANE_H
#define MESHSIM_MODELS_DATAPLANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/app.h"
#include "models/kernels/cost.h"
#include "models/mesh_profile.h"
#include "sim/engine.h"
#include "sim/resource.h"

/* Bytes of the HTTP/1.1 request head that the http1.parse kernel parses
 * (kernel-costs.md §3.5: a 320 B request), added to the request body. */
#define DP_REQUEST_HEAD_BYTES 320
/* Bytes of a minimal HTTP/1.1 response head (status line, Date,
 * Content-Type, Content-Length): about 120 B. */
#define DP_RESPONSE_HEAD_BYTES 120
/* The network's MTU when the scenario gives none (Ethernet's). */
#define DP_DEFAULT_MTU 1500
/* IPv4 (20 B) and TCP (20 B) headers with the timestamp option (12 B): a
 * segment carries MTU - 52 bytes of payload. */
#define DP_TCP_IP_HEADER_BYTES 52
/* TCP payload per packet at the default MTU, without a tunnel: 1448 B. */
#define DP_MSS_BYTES (DP_DEFAULT_MTU - DP_TCP_IP_HEADER_BYTES)
/* The least payload a packet may keep under a tunnel's packetOverhead:
 * below it, the MTU and the profile disagree (dataplane_init fails). */
#define DP_MIN_MSS 64
/* Bytes on an Ethernet wire per packet beyond the IP packet: header 14,
 * FCS 4, preamble 8, inter-frame gap 12 (IEEE 802.3). */
#define DP_ETHERNET_OVERHEAD_BYTES 38
/* The most a segment (skb) carries under GSO and GRO: Linux's
 * GSO_MAX_SIZE, 64 KiB. A tc or eBPF hook on a veth runs once per
 * segment, not per wire packet. */
#define DP_SEGMENT_BYTES 65536

typedef struct dp_node {
	double cores;
	double speed;          /* relative to the calibration host */
	double crossing_speed; /* of kernel crossings (kernelSpeed), the same */
	double wakeup_ns;      /* CPU per wake-up of an idle proxy worker here */
	cost_table costs;      /* the profile scaled by speed */
	ps_resource cpu;
	double kernel_user_ns; /* work of node-kernel hops (component -1), in the window */
	double kernel_kernel_ns;
	double fluid_kernel_cores; /* per-flow: node-kernel demand of fluid traffic */
	double fluid_cores;        /* per-flow: all fluid demand on this node */
	double stream_cores;       /* of which bulk streams' (whatever the fidelity) */
} dp_node;

/* Per flow: one hop that ran as an event at a proxy instance that also
 * carries fluid traffic, kept so that the instance's sampled traffic can be
 * replayed at the full density (dataplane_fluid_wake_cores). 24 bytes per
 * sampled hop at such a proxy, the newest wake_recs_max of them. */
/* Records kept per instance, at most (24 bytes each: 384 KiB), and for all
 * instances together (48 MiB): with many proxies each keeps its share of
 * the budget, at least DP_WAKE_RECS_MIN. */
#define DP_WAKE_RECS_MAX 16384
#define DP_WAKE_RECS_BUDGET (1u << 21)
#define DP_WAKE_RECS_MIN 128

typedef struct dp_wake_rec {
	int64_t root_sent; /* its request's turn: sent less late_ns (a call: the request that made it) */
	float offset_ns;   /* from then until it asked for a worker */
	float hold_ns;     /* how long it held the worker, less its fluid wait and any wake-up */
	float wake_ns;     /* what a wake-up adds to that hold (its CPU at the hop's pace, and its delay) */
	bool waking;       /* it found no sampled traffic at the workers */
} dp_wake_rec;

typedef struct dp_instance {
	int component;         /* index into the profile's components */
	int node;
	bool has_workers;
	int nworkers;          /* threads that may run at once (after a CPU limit) */
	double stretch;        /* >= 1: CPU quota below one core stretches each job */
	token_pool workers;
	double user_ns, kernel_ns; /* CPU done, in the statistics window */
	/* Per-flow fidelity: CPU demand of the fluid traffic, in cores, and
	 * the mean wait for a worker it causes per hop (ns). */
	double fluid_user_cores, fluid_kernel_cores;
	/* Bulk streams' CPU here (cores): reported with the rest, on the
	 * node's cores and within the CPU quota with the requests' (bulk.c),
	 * but the requests' wait for a worker does not count the workers the
	 * streams keep busy (a simplification; dataplane_add_stream). */
	double stream_user_cores, stream_kernel_cores;
	/* Cores the streams may use here: its workers, under its CPU quota
	 * (unbounded without workers: a kernel datapath component). */
	double stream_capacity;
	double fluid_hops_per_s;
	double fluid_wait_ns;   /* a sampled hop's mean wait for a worker: M/M/k's,
	                         * then the replay's (wake_record) */
	double fluid_idle_prob; /* chance that all workers are idle (M/M/k P0) */
	/* Per-flow wake-ups (see dataplane_fluid_wake_cores and the comment
	 * before wake_replay in dataplane.c): the wake-up CPU if every fluid
	 * hop woke a worker (cores); the node's wake-up CPU and the
	 * component's mean wake-up delay (ns); the hops run as events here
	 * (wake_recs: all of them, those in the statistics window from
	 * wake_window_from on); the chance wake_q that a sampled hop that
	 * finds no sampled traffic at the workers wakes one, replayed again
	 * when the records reach wake_next. */
	double fluid_wake_per_idle;
	double wake_cpu_ns, wake_delay_ns;
	dp_wake_rec *wake_recs;
	size_t nwake_recs, wake_recs_cap, wake_window_from, wake_next;
	size_t wake_recs_max;
	/* At most wake_recs_max records are kept (the newest: the fluid
	 * traffic is steady, so recent hops stand for the window); once older
	 * window records are dropped, the replay covers the span from
	 * wake_first_at (the first kept hop's arrival) to the window's end. */
	int64_t wake_window_start, wake_first_at;
	bool wake_dropped;
	double wake_q;
	double sampled_wake_sum; /* sampled hops, in the window, that woke a worker */
	gsl_rng *wake_rng;     /* with workers: wake-up draws (sim/rng.h key "wakeup", index) */
	uint64_t requests;     /* hops handled in the window */
	uint64_t wakeups;      /* of them (as events), those that woke an idle worker */
	uint64_t connections;  /* connections opened through it (whole run) */
} dp_instance;

/* Upstream connections of a pooling proxy instance to one destination pod
 * (HTTP/1.1 semantics: one request per connection at a time). */
typedef struct dp_upstream_pool {
	uint64_t key;          /* instance * npods + destination pod */
	uint32_t idle;
	uint32_t opened;
} dp_upstream_pool;

/* A downstream call of a service's application (a call graph edge). */
typedef struct dp_call {
	int service;            /* destination service index */
	int count;              /* calls per incoming request */
	uint32_t request_bytes; /* body of each call */
} dp_call;

typedef struct dp_options {
	bool mtls, l7, http_parsing, wireguard;
	int64_t l4_rules, l7_rules;
	int proxy_concurrency;  /* workers of the proxies that take the mesh's
	                         * settings: 0 the profile's count, DP_PER_CORE
	                         * one per core of their node */
	double proxy_cpu_limit; /* cores; 0 = none. Applies to the components whose
	                         * workers follow the mesh (workersFromMesh) */
	double bandwidth_bps;   /* bits per second */
	int64_t latency_ns;     /* one way, between nodes */
	uint64_t config_objects; /* services + pods the proxies hold config for */
	/* Pods of each waypoint deployment (components scoped per namespace
	 * or service account), spread over the nodes; 0 is taken as 1. A
	 * request takes its destination's waypoint replicas in turn. */
	int waypoint_replicas;
	/* Borrowed during dataplane_init only; NULL = each service its own
	 * namespace. Namespace index of each service: one waypoint
	 * deployment serves all the services of a namespace. */
	const int *service_namespace;
	/* Borrowed during dataplane_init only; NULL = all HTTP/1.1. Per
	 * service: it speaks HTTP/2 (http2 or grpc), which sets the http2
	 * condition of requests to it (http1 otherwise). */
	const bool *service_http2;
	/* Borrowed during dataplane_init only; NULL = 0. Per node: CPU (ns)
	 * a proxy pays there each time an idle worker is woken, beyond the
	 * hops' calibrated operations (a platform cost: virtualised
	 * interrupts and idle exits, cold caches). Kernel time of the proxy. */
	const double *node_wakeup_ns;
	/* Borrowed during dataplane_init only; NULL = each node's speed. Per
	 * node: the speed of kernel crossings (syscalls, TCP/IP traversals)
	 * relative to the calibration host (cost_table_init_split). */
	const double *node_crossing_speed;
	/* Bytes of an IP packet on the wire; 0 = DP_DEFAULT_MTU. */
	int mtu;
	/* Random streams (wake-up draws) are keyed by these, "wakeup" and the
	 * instance's index (sim/rng.h). */
	uint64_t seed;
	uint32_t replication;
} dp_options;

/* A pod: where it runs, and whether it is in the mesh. */
typedef struct dp_pod {
	int node;
	int service;           /* index of its service; -1 for a client pod */
	bool in_mesh;
} dp_pod;

typedef struct dataplane {
	sim_t *sim;
	const mesh_profile *prof;
	dp_options opt;
	/* TCP payload per packet on this mesh's paths: the MTU less the TCP/IP
	 * headers and the largest packetOverhead of a tunnel that the mesh
	 * options can turn on (a pod's MTU is set for its node, whatever the
	 * destination). */
	uint32_t mss;
	dp_node *nodes;
	size_t nnodes;
	dp_pod *pods;
	size_t npods;
	app_service *services; /* server applications, borrowed */
	size_t nservices;
	int *service_first_pod; /* pods of service s: first .. first + replicas - 1 */
	bool *service_http2;   /* per service: HTTP/2 (the http2 condition) */
	int wp_replicas;       /* pods per waypoint deployment */
	int *waypoint_node;    /* [service * wp_replicas + r]: node of replica r of its waypoint */
	uint32_t *wp_next;     /* per service: the waypoint replica the next request takes */
	dp_instance *inst;
	size_t ninst;
	int *pod_inst;         /* [pod * ncomponents + c] -> instance or -1 */
	int *node_inst;        /* [node * ncomponents + c] */
	int *service_inst;     /* [(service * wp_replicas + r) * ncomponents + c] */
	bool *deployed;        /* per component: some hop of it can run */
	dp_upstream_pool *pools; /* stable indexes, found through pool_index */
	size_t npools, pools_cap;
	uint32_t *pool_index;  /* open addressing: pool number + 1, 0 = empty */
	size_t pool_index_cap;
	uint64_t requests_started, requests_done;
	/* Call graph: the calls of service s are calls[call_first[s] ..
	 * call_first[s + 1]). */
	dp_call *calls;
	int *call_first;
	double *fluid_calls_in; /* per flow, per pod: fluid requests/s whose calls
	                         * are still to be priced (fluid_calls) */
	uint32_t *response_bytes; /* per service, body */
	uint32_t *next_replica;   /* per (calling pod, callee service): round robin */
	struct dp_request *free_calls; /* call records, allocated in slabs */
	void **call_slabs;
	size_t ncall_slabs;
	uint64_t calls_started, calls_done;
	/* Work of large messages' hops done off their path (overlap_submit),
	 * running on the nodes' cores: freed when done or with the plane. */
	struct dp_overlap *overlaps;
} dataplane;

typedef struct dp_request dp_request;
typedef void (*dp_done_fn)(sim_t *sim, dp_request *req);

/* dp_options.proxy_concurrency: one worker per core of the node (Istio's
 * proxyConcurrency 0). */
#define DP_PER_CORE (-1)

/* pipe_node of a message that the network paces. */
#define DP_PIPE_WIRE (-2)

/* A request in flight. The caller owns the memory (embed it) and must keep
 * it until `done` runs; the data plane fills in the rest. */
struct dp_request {
	app_request app;       /* the server application stage */
	/* Set by the caller: */
	int client_pod;
	int server_pod;
	uint32_t request_bytes;  /* body */
	uint32_t response_bytes; /* body */
	bool new_connection;
	/* How late a load generator's timer sent it after its turn (wrk2's
	 * 1 ms tick; 0 if none). Per flow's wake-up replay shrinks the gaps
	 * between the requests' turns to the full traffic's density, not this
	 * lateness, which is each request's own. */
	int64_t late_ns;
	dp_done_fn done;
	void *owner;
	/* Internal: */
	dataplane *dp;
	res_job job;
	pool_waiter waiter;
	int phase;             /* 0 request hops, 1 response hops */
	bool waking;           /* this hop found every worker idle (as events) */
	int64_t root_sent;     /* per flow: its turn, when it was sent less late_ns (a call: its first caller's) */
	int64_t cpu_from;      /* per flow: when the current hop's CPU began (after its worker's delays) */
	int64_t wake_added;    /* per flow: wake-up CPU added to the current hop's job (ns) */
	/* A message of several packets crosses its path as a pipeline
	 * (plan_pipeline): its packets in this phase, and the stage whose
	 * size-dependent work paces it (a node and instance, as a bulk
	 * stream's stages; pipe_node DP_PIPE_WIRE: the network; -1: none). */
	double pipe_packets;
	int pipe_node, pipe_inst;
	bool pipe_wire_done;        /* the network leg that paces it has run */
	double pipe_off_user, pipe_off_kernel; /* the current hop's work off the path */
	struct dp_overlap *pipe_overlap;       /* that work, while it runs */
	int wp;                /* the waypoint replica this request goes through */
	size_t hop;            /* next hop to look at */
	int cur_node;
	int cur_inst;          /* instance running the current hop, or -1 */
	int cur_hop;
	unsigned ctx;          /* MP_WHEN_* bits true for this request */
	int64_t upstream;      /* pooled connection taken (pool number), -1 none */
	dp_request *parent;    /* for a downstream call: the request that made it */
	int calls_pending;     /* downstream calls not yet answered */
	dp_request *next_free;
};

/* Sets up nodes, pods and component instances. `pods` lists server pods
 * (grouped by service, as service_first_pod says) and client pods. Returns
 * 0 or -1 (out of memory, bad arguments). */
int dataplane_init(dataplane *dp, sim_t *sim, const mesh_profile *prof, const cost_profile *costs,
                   const double *node_cores, const double *node_speed, size_t nnodes,
                   const dp_pod *pods, size_t npods, app_service *services, size_t nservices,
                   const int *service_first_pod, const dp_options *opt);
void dataplane_free(dataplane *dp);

/* Sets the call graph: calls[call_first[s] .. call_first[s + 1]) are the
 * calls service s makes for each request it serves, all at once after its
 * own service time; it answers when every call has come back. A call goes
 * from the serving pod to the callee's pods in turn, over the same mesh
 * path as any request (the application's keep-alive connection to each
 * callee pod is new on its first call). Returns 0 or -1 (out of memory). */
int dataplane_set_calls(dataplane *dp, const dp_call *calls, const int *call_first,
                        const uint32_t *response_bytes);

/* Starts a request along the path; req->done runs when the response is
 * back at the client. */
void dataplane_send(dataplane *dp, dp_request *req);

/* Restarts CPU and worker statistics (end of warm-up). */
void dataplane_restart_stats(dataplane *dp);

/* Per-flow fidelity. Adds fluid traffic: `rate` requests per second from
 * client_pod to server_pod (and the downstream calls they cause) load the
 * components on their path as CPU demand, priced like a request in the
 * steady state (no new connections). Call before dataplane_apply_fluid. */
void dataplane_add_fluid(dataplane *dp, int client_pod, int server_pod, uint32_t request_bytes,
                         uint32_t response_bytes, double rate);

/* Applies the fluid demand: each node's cores left for the requests that
 * run as events shrink by the fluid demand on it, and each proxy instance
 * delays those requests by the mean wait for a worker that the fluid
 * traffic causes (Erlang C over its workers). Call once, before running. */
void dataplane_apply_fluid(dataplane *dp);

/* Per flow, after dataplane_apply_fluid: whether the requests' traffic,
 * its fluid part times `scale` (all connections over the fluid ones, for
 * the sampled share), keeps 90 % or more of a proxy instance's workers (a
 * CPU quota holding each longer), of a node's cores (one without bulk
 * streams, which share what the requests leave), or of an application
 * pod's workers busy. Its waits then run away,
 * and it would be charged more CPU than the workers or quota allow: only
 * per request is valid. Names the first such in `what`. */
bool dataplane_fluid_saturated(const dataplane *dp, double scale, char *what, size_t len);

/* Per-flow: the wake-up CPU of an instance's fluid hops, in cores (kernel
 * time): the share of hops that find every worker idle times the fluid
 * hops per second times the node's wake-up CPU. The share comes from the
 * instance's hops that ran as events in the statistics window, replayed on
 * its workers with the gaps between requests shrunk to the full traffic's
 * density (a request's own hops keep their spacing); with no such hops,
 * from M/M/k (fluid_idle_prob). window_ns: the statistics window the
 * instance's event counts cover. */
double dataplane_fluid_wake_cores(const dp_instance *in, double window_ns);
/* Per-flow: the fluid hops that wake a worker, per second (the same
 * estimate as dataplane_fluid_wake_cores). */
double dataplane_fluid_wakeups_per_s(const dp_instance *in, double window_ns);

/* Bulk streams (per flow, no events): one TCP stream from client_pod to
 * server_pod sending `message_bytes` per send() for as long as it runs.
 *
 * Its data meets the request-direction hops, sized as one message per
 * send (no framework work: a stream is no request), and its ACKs the
 * response-direction node-kernel hops, one ACK of no payload per segment
 * received (GRO hands the receiver's TCP whole segments, and Linux
 * acknowledges once more than one full-sized packet has arrived), at
 * their per-packet and per-segment work only (a proxy never sees an
 * ACK).
 *
 * The work is cut into stages that each run on one core at a time, in
 * parallel with one another: per node, the stream's kernel work (its
 * packets and segments, and the application's send or receive calls: the
 * socket lock serialises a receiver's softirq processing with its reading
 * thread, which drains the backlog itself, and a sender's transmit path
 * runs in its sending thread), and each user-space proxy instance (one
 * worker serves one connection). Parallel operations (mp_op.parallel) are
 * CPU of their node but pace nothing. The stream runs at the rate of its
 * slowest stage, or of the wire. */
#define DP_STREAM_MAX_STAGES 16
#define DP_STREAM_MAX_LEGS 8
typedef struct dp_stream_stage {
	int node;
	int inst;               /* proxy instance, or -1 for node-kernel work */
	bool parallel;          /* parallel operations (mp_op.parallel): CPU, no pace */
	double user_ns, kernel_ns; /* CPU per payload byte */
} dp_stream_stage;

typedef struct dp_stream_cost {
	dp_stream_stage stage[DP_STREAM_MAX_STAGES];
	int nstages;
	int client_node, server_node; /* client_node -1: outside the cluster */
	bool cross_node;
	uint32_t mss;           /* payload per data packet */
	/* The data's crossings of the network, in order: from one node (-1:
	 * outside) to another, e.g. client -> waypoint -> server. */
	int leg_from[DP_STREAM_MAX_LEGS], leg_to[DP_STREAM_MAX_LEGS];
	int nlegs;
	/* Bits on the wire per payload byte on each leg (Ethernet, IP, TCP
	 * and tunnel headers; the ACKs travel the other way): a leg's limit
	 * is bandwidth / this. 0 with no legs. */
	double wire_bits_per_byte;
} dp_stream_cost;

/* Fills `out` for a stream from client_pod to server_pod through waypoint
 * replica `wp` (of its destination's deployment, if any). Returns 0, or -1
 * if the path needs more than DP_STREAM_MAX_STAGES stages or
 * DP_STREAM_MAX_LEGS legs. */
int dataplane_stream_cost(const dataplane *dp, int client_pod, int server_pod,
                          uint32_t message_bytes, int wp, dp_stream_cost *out);

/* The fastest a stream can run alone: bytes per second, the slowest stage
 * (one core each) or the wire. */
double dataplane_stream_rate(const dataplane *dp, const dp_stream_cost *sc);

/* Adds a stream of `bytes_per_s` as CPU demand on its stages' nodes and
 * instances (before dataplane_apply_fluid): the node's cores left for
 * events shrink by it, and it is reported as the instances' and the node
 * kernel's CPU; the requests' wait for a proxy worker does not count the
 * workers the streams keep busy (a simplification: per request, a
 * stream's connection has a worker of its own). */
void dataplane_add_stream(dataplane *dp, const dp_stream_cost *sc, double bytes_per_s);

/* The payload a packet carries on this profile's paths at this MTU, under
 * the largest packetOverhead the mesh options turn on (dataplane.mss);
 * below DP_MIN_MSS the MTU and the profile disagree. *hop_name, if not
 * NULL, is set to the hop of that overhead (or NULL). */
int dataplane_path_mss(const mesh_profile *prof, const dp_options *opt, const char **hop_name);

/* Memory of an instance now, bytes. */
double dataplane_instance_memory(const dataplane *dp, const dp_instance *in);

/* The CPU a node-kernel hop or component hop would cost for one traversal
 * of hop `h` in context `ctx` with the given message size: for tests and
 * reports. */
void dataplane_hop_cost(const dataplane *dp, int node, size_t h, unsigned ctx,
                        uint32_t request_bytes, uint32_t response_bytes, double *user_ns,
                        double *kernel_ns);

#endif
