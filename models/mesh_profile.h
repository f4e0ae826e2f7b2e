/*
 * models/mesh_profile.h - a service mesh's data plane as data.
 *
 * A mesh profile (a YAML file in configs/meshes/, kind MeshProfile, loaded by
 * scenario/meshprofile.c) says which components a mesh runs, where they
 * sit, how they hold connections and memory, and, for every step of a
 * request's path, which operations are done there. The operations are
 * priced by the calibration profile (models/kernels/cost.h); work that no
 * kernel measures (an Envoy filter chain, telemetry) is a named parameter
 * with the source of its value. A new mesh, or a what-if variant of one,
 * is a new profile, not new code.
 *
 * This header is plain data: no YAML, no engine. Units: nanoseconds of CPU
 * at the calibration host's speed, bytes.
 */
#ifndef MESHSIM_MODELS_MESH_PROFILE_H
#define MESHSIM_MODELS_MESH_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/kernels/cost.h"

/* A number and where it came from: a kernel measurement, a cited source,
 * or a fit to a named figure of calibration.md ("fit: C1 sidecar ..."). */
typedef struct mp_param {
	double value;
	char *source;
} mp_param;

typedef enum mp_scope {
	MP_SCOPE_POD,             /* one per application pod (a sidecar) */
	MP_SCOPE_NODE,            /* one per node (ztunnel, Cilium's Envoy) */
	MP_SCOPE_SERVICE_ACCOUNT, /* one per service account of the destination (an opt-in waypoint) */
	MP_SCOPE_NAMESPACE        /* one per namespace of the destination (Istio's default waypoint) */
} mp_scope;

typedef struct mp_component {
	char *name;            /* "sidecar", "ztunnel", "waypoint", "envoy", "proxy" */
	mp_scope scope;
	bool user_space;       /* a user-space proxy: its CPU shows in container metrics;
	                        * false for kernel datapaths (eBPF, WireGuard) */
	int workers;           /* worker threads; 0 = one per core of its node */
	bool workers_from_mesh; /* spec.mesh.proxy.concurrency overrides `workers` */
	/* Work no kernel measures, charged as user CPU of this component: */
	mp_param framework_per_request;    /* ns per request handled (request + response) */
	mp_param framework_per_connection; /* ns per connection accepted or opened */
	/* Latency (not CPU) added when an idle worker is woken for a hop: the
	 * scheduler's wake-up, which batching hides under load. ns. */
	mp_param wakeup_delay;
	bool wakeup_exponential; /* the delay is exponential with that mean, not fixed */
	/* Memory: base + per open connection + per config object held. */
	mp_param memory_base;              /* bytes */
	mp_param memory_per_connection;    /* bytes */
	mp_param memory_per_config_object; /* bytes */
	/* Upstream connection handling. */
	bool pools_upstream;   /* keeps upstream connections open and reuses them */
	bool resumes_sessions; /* a new upstream connection resumes a TLS session */
} mp_component;

/* What an operation's size is. */
typedef enum mp_size_ref {
	MP_SIZE_FIXED,          /* `size` as given */
	MP_SIZE_REQUEST,        /* request bytes (headers + body) */
	MP_SIZE_RESPONSE,       /* response bytes (headers + body) */
	MP_SIZE_MESSAGE,        /* the bytes moving in this hop's direction */
	MP_SIZE_L4_RULES,       /* spec.mesh.authorization.l4Rules */
	MP_SIZE_L7_RULES,       /* spec.mesh.authorization.l7Rules */
	MP_SIZE_PACKETS,        /* `size` is the bytes per packet (packetSize); count is
	                         * multiplied by the packets of the message */
	MP_SIZE_SEGMENTS        /* count is multiplied by the message's segments: the
	                         * buffers (skbs) a kernel hook sees, up to
	                         * DP_SEGMENT_BYTES each under GSO and GRO; `size` as given */
} mp_size_ref;

typedef struct mp_op {
	cost_op op;
	mp_size_ref size_ref;
	uint64_t size;          /* MP_SIZE_FIXED, MP_SIZE_SEGMENTS; MP_SIZE_PACKETS: bytes
	                         * per full packet when packet_overhead is 0 */
	/* MP_SIZE_PACKETS: bytes a tunnel adds to each packet (WireGuard, ESP);
	 * a full packet is then priced at the network's MTU minus this, and
	 * the path's segments shrink by it (dataplane.c, path MSS). */
	uint32_t packet_overhead;
	double count;           /* times per traversal (> 0) */
	/* Runs on worker threads spread over the node's cores (WireGuard's
	 * encrypt and decrypt workers), off a flow's serial path: a bulk
	 * stream pays its CPU but is not paced by it. */
	bool parallel;
} mp_op;

/* Conditions a hop or an operation needs; all set bits must hold. */
enum {
	MP_WHEN_MTLS = 1u << 0,        /* spec.mesh.mtls */
	MP_WHEN_NO_MTLS = 1u << 1,
	MP_WHEN_L7 = 1u << 2,          /* spec.mesh.l7 */
	MP_WHEN_NO_L7 = 1u << 3,
	MP_WHEN_HTTP_PARSING = 1u << 4, /* spec.mesh.httpParsing */
	MP_WHEN_NO_HTTP_PARSING = 1u << 5,
	MP_WHEN_WIREGUARD = 1u << 6,   /* spec.mesh.wireguard */
	MP_WHEN_SAME_NODE = 1u << 7,   /* client and server pods share a node */
	MP_WHEN_CROSS_NODE = 1u << 8,
	MP_WHEN_NEW_CONNECTION = 1u << 9, /* the request opens a new connection here */
	MP_WHEN_L4_POLICY = 1u << 10,  /* l4Rules > 0 */
	MP_WHEN_L7_POLICY = 1u << 11,  /* l7Rules > 0 */
	/* The path's pooling proxy found no idle upstream connection to the
	 * destination and opens one (its handshake), as opposed to
	 * new-connection: the application opened its connection. */
	MP_WHEN_NEW_UPSTREAM = 1u << 12,
	/* The destination service's protocol (spec.services[].protocol):
	 * HTTP/1.1, or HTTP/2 (http2 and grpc alike: HPACK and frames). */
	MP_WHEN_HTTP1 = 1u << 13,
	MP_WHEN_HTTP2 = 1u << 14
};

typedef enum mp_direction { MP_REQUEST, MP_RESPONSE } mp_direction;

/* Where a hop runs. */
typedef enum mp_side {
	MP_SIDE_CLIENT,   /* the client pod and its node */
	MP_SIDE_SERVER,   /* the server pod and its node */
	MP_SIDE_WAYPOINT  /* the destination's waypoint pod and its node */
} mp_side;

typedef struct mp_hop_op {
	mp_op op;
	unsigned when;          /* MP_WHEN_* bits this operation needs */
} mp_hop_op;

/* One step of the path. Hops run in list order for the request, and the
 * response hops (direction MP_RESPONSE) in list order after the server
 * application. Consecutive hops on different nodes cross the network. */
/* What a hop's own CPU (mp_hop.cpu) is counted per. */
typedef enum mp_cpu_per {
	MP_CPU_PER_TRAVERSAL, /* once per message through the hop */
	MP_CPU_PER_PACKET,    /* per packet of the message on the wire */
	MP_CPU_PER_SEGMENT    /* per segment (GSO/GRO buffer) of the message */
} mp_cpu_per;

typedef struct mp_hop {
	char *name;             /* "client sidecar outbound" */
	mp_direction direction;
	mp_side side;
	int component;          /* index into components; -1 = the node's kernel */
	unsigned when;          /* MP_WHEN_* bits the whole hop needs */
	mp_param delay;         /* latency (not CPU) added at every traversal, ns
	                         * (source NULL when the profile gives none) */
	/* CPU of the hop that no kernel measures (kernel work beside the
	 * measured operations: a tunnel's encapsulation, an IP forwarding
	 * pass), ns at the calibration host's crossing speed, counted per
	 * cpu_per; 0 with source NULL when the profile gives none. */
	mp_param cpu;
	mp_cpu_per cpu_per;
	double framework_share; /* share of the component's framework_per_request
	                         * charged at this hop (a component's shares over
	                         * one request's hops on one side sum to 1) */
	mp_hop_op *ops;
	size_t nops;
} mp_hop;

typedef struct mesh_profile {
	char *name;             /* metadata.name */
	int mode;               /* scn_mesh_mode */
	char *description;
	mp_component *components;
	size_t ncomponents;
	mp_hop *hops;
	size_t nhops;
} mesh_profile;

void mesh_profile_free(mesh_profile *p);

#endif
