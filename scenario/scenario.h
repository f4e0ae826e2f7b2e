/*
 * scenario/scenario.h - the resolved scenario and how to load it.
 *
 * This is the contract between the scenario loader and everything that runs
 * a scenario (`meshsim run`, `sweep`, `plan`). A scenario file is
 * Kubernetes-style YAML:
 *
 *   apiVersion: meshsim/v1alpha1
 *   kind: Scenario
 *   metadata: {name: demo}
 *   spec: {cluster: ..., namespaces: ..., services: ..., workloads: ..., ...}
 *
 * (`meshsim explain Scenario.spec` documents every field; the one table in
 * scenario/schema.c drives the loader, `explain`, the canonical JSON and the
 * JSON Schema of `meshsim explain Scenario --json-schema`).
 *
 * Files may hold several documents (---): a Scenario plus MeshProfile,
 * PriceSheet or Sweep documents, which are validated too. Mesh profiles
 * (spec.mesh.profile, configs/meshes/) are loaded by scenario/meshprofile.h. YAML anchors and
 * aliases are refused. Names (metadata.name, services, namespaces, ...) are
 * Kubernetes-style: lowercase letters, digits and '-', at most 63 characters.
 *
 * Loading is strict: unknown or duplicate keys, wrong types, unknown units,
 * out-of-range values and dangling references (a workload whose target
 * service does not exist) are all errors, and all errors of a file are
 * reported at once with FILE:LINE:COL and the field path. After a successful
 * load every field holds a value: defaults are applied and units are
 * normalised, so a consumer never parses a unit or checks a default.
 *
 * Units of the struct fields (the same in the canonical JSON):
 *   durations  int64_t nanoseconds          (YAML: "250ms", "1m30s"; bare number = seconds)
 *   sizes      int64_t bytes                (YAML: "128Mi", "1G", "4k"; bare number = bytes)
 *   cpu        double cores                 (YAML: "500m", "2"; bare number = cores)
 *   rates      double per second            (YAML: "1000/s", "60/m"; bare number = per second)
 *   cpuSpeed   double, relative to the calibration host (1.0 = same speed)
 *   bit rates  double bits per second             (YAML: "10G" = 10 Gbit/s, "100M"; decimal)
 *
 * Typical use (meshsim run):
 *
 *   scenario *s = NULL;
 *   diag_list errs = {0};
 *   const char *sets[] = {"spec.workloads[0].qps=2000"};
 *   int rc = scenario_load("configs/scenarios/default.yaml", sets, 1, &s, &errs);
 *   if (rc != SCN_OK) {
 *           diag_print(&errs, stderr);
 *           fprintf(stderr, "%zu error(s)\n", errs.n);
 *           diag_list_free(&errs);
 *           return rc;                     // 65 invalid, 66 missing file, 70 internal
 *   }
 *   char *json; char hash[65];
 *   scenario_canonical_json(s, &json, hash); // store json + hash with the run
 *   ... s->spec.workloads[0].qps, s->spec.duration ...
 *   free(json);
 *   scenario_free(s);
 *   diag_list_free(&errs);
 */
#ifndef MESHSIM_SCENARIO_SCENARIO_H
#define MESHSIM_SCENARIO_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario/diag.h"

#define SCN_API_VERSION "meshsim/v1alpha1"

/* Return codes of the load functions; equal to the sysexits values that
 * meshsim returns as its exit status (cli/exit_codes.h). */
enum {
	SCN_OK = 0,
	SCN_EDATA = 65,    /* the scenario is invalid: see the diagnostics */
	SCN_ENOINPUT = 66, /* the file is missing or unreadable */
	SCN_ESOFTWARE = 70 /* out of memory or another internal error */
};

/* ---- enumerations (the YAML spelling is in the comment) ---- */

typedef enum scn_placement_policy {
	SCN_PLACE_SPREAD = 0, /* "spread": round-robin over the eligible nodes */
	SCN_PLACE_PACK,       /* "pack": fill one node before the next */
	SCN_PLACE_PINNED      /* "pinned": every replica on nodePool[nodeIndex] */
} scn_placement_policy;

typedef enum scn_distribution {
	SCN_DIST_FIXED = 0,  /* "fixed": always mean */
	SCN_DIST_EXPONENTIAL, /* "exponential": mean */
	SCN_DIST_LOGNORMAL,  /* "lognormal": mean and stddev of the delay itself */
	SCN_DIST_UNIFORM     /* "uniform": between min and max */
} scn_distribution;

typedef enum scn_protocol {
	SCN_PROTO_HTTP1 = 0, /* "http1" */
	SCN_PROTO_HTTP2,     /* "http2" */
	SCN_PROTO_GRPC       /* "grpc" */
} scn_protocol;

typedef enum scn_workload_type {
	SCN_WL_OPEN_LOOP = 0,        /* "open-loop": Fortio-style, qps over connections */
	SCN_WL_CONSTANT_THROUGHPUT,  /* "constant-throughput": wrk2-style, latency from intended send */
	SCN_WL_CLOSED_LOOP,          /* "closed-loop": fixed concurrency, next request on reply */
	SCN_WL_CONNECTION_PER_REQUEST, /* "connection-per-request": a new connection per request */
	SCN_WL_BULK                  /* "bulk": netperf TCP_STREAM-style, bytes as fast as the path allows */
} scn_workload_type;

typedef enum scn_source {
	SCN_SRC_IN_MESH = 0, /* "in-mesh": client pod inside the mesh (gets a proxy) */
	SCN_SRC_OUTSIDE      /* "outside": client outside the cluster, no client proxy */
} scn_source;

typedef enum scn_mesh_mode {
	SCN_MESH_NONE = 0,      /* "none": plain Kubernetes networking */
	SCN_MESH_ISTIO_SIDECAR, /* "istio-sidecar" */
	SCN_MESH_ISTIO_AMBIENT, /* "istio-ambient": ztunnel, waypoint when l7 */
	SCN_MESH_CILIUM,        /* "cilium": eBPF, node Envoy when l7 */
	SCN_MESH_LINKERD        /* "linkerd": linkerd2-proxy sidecars */
} scn_mesh_mode;

typedef enum scn_churn_type {
	SCN_CHURN_SCALE = 0, /* "scale": scale target service to U[minReplicas, maxReplicas] */
	SCN_CHURN_RELABEL,   /* "relabel": change a label of target namespace */
	SCN_CHURN_ROLLOUT    /* "rollout": roll out target service (replace every pod) */
} scn_churn_type;

typedef enum scn_fidelity {
	SCN_FID_PER_REQUEST = 0, /* "per-request": every request is events */
	SCN_FID_PER_FLOW         /* "per-flow": fluid rates */
} scn_fidelity;

/* ---- the resolved scenario ---- */

typedef struct scn_label {
	char *key;
	char *value;
} scn_label;

typedef struct scn_resource_list {
	double cpu;     /* cores; 0 = none/unlimited */
	int64_t memory; /* bytes; 0 = none/unlimited */
} scn_resource_list;

typedef struct scn_resources {
	scn_resource_list requests;
	scn_resource_list limits;
} scn_resources;

typedef struct scn_node_type {
	char *name;
	double cpu;       /* cores per node */
	int64_t memory;   /* bytes per node */
	double cpu_speed; /* relative to the calibration host (1.0 = same) */
	int64_t wakeup_cpu; /* ns of CPU per wake-up of an idle proxy worker (platform cost) */
	double kernel_speed; /* kernel crossings' speed relative to the calibration host; 0 = cpu_speed */
} scn_node_type;

typedef struct scn_node_pool {
	char *name;      /* nodes are named "<name>-0", "<name>-1", ... */
	char *node_type; /* a scn_node_type name (checked) */
	int64_t count;   /* number of nodes, >= 1 */
} scn_node_pool;

typedef struct scn_cluster {
	scn_node_type *node_types;
	size_t n_node_types;
	scn_node_pool *node_pools;
	size_t n_node_pools;
	/* spec.cluster.network (YAML: network: {bandwidth: 100G, latency: 10us}) */
	double network_bandwidth_bps; /* bits per second of each node's link ("10G" = 10 Gbit/s) */
	int64_t network_latency_ns;   /* one-way wire + switch latency between two nodes, ns */
	int64_t network_mtu;          /* bytes of an IP packet on the wire (1500, 9000) */
} scn_cluster;

typedef struct scn_namespace {
	char *name;
	scn_label *labels; /* sorted by key */
	size_t n_labels;
} scn_namespace;

typedef struct scn_placement {
	scn_placement_policy policy;
	char *node_pool;    /* "" = any pool; required for pinned (checked) */
	int64_t node_index; /* pinned only: index of the node in node_pool (checked < count) */
} scn_placement;

typedef struct scn_delay {
	scn_distribution distribution;
	int64_t mean;   /* ns; fixed, exponential, lognormal */
	int64_t stddev; /* ns; lognormal only (> 0 checked) */
	int64_t min;    /* ns; uniform only */
	int64_t max;    /* ns; uniform only (> min checked) */
} scn_delay;

typedef struct scn_call {
	char *service;         /* a scn_service name (checked) */
	int64_t count;         /* calls per incoming request, >= 1 */
	int64_t request_bytes; /* bytes of each call's request body */
} scn_call;

typedef struct scn_service {
	char *name;
	char *namespace_;       /* a scn_namespace name (checked) */
	int64_t replicas;       /* pods, >= 0 */
	int64_t port;           /* service port */
	scn_protocol protocol;
	scn_placement placement;
	int64_t workers;        /* app worker threads per pod (k of a k-server queue) */
	scn_delay service_time; /* app processing time per request */
	int64_t response_bytes; /* bytes of each response body */
	scn_resources resources; /* app container requests/limits */
	scn_call *calls;        /* downstream calls per request (call graph) */
	size_t n_calls;
} scn_service;

typedef struct scn_workload {
	char *name;
	scn_workload_type type;
	char *target;           /* a scn_service name (checked) */
	scn_source source;
	char *namespace_;       /* in-mesh source: namespace of the client pod ("" = target's) */
	scn_protocol protocol;
	double qps;             /* requests/s in total; 0 = as fast as possible (open loop) */
	int64_t connections;    /* connections (Fortio -c), >= 1 */
	int64_t concurrency;    /* closed loop: requests in flight; 0 = connections */
	int64_t start;          /* ns after time 0 */
	int64_t duration;       /* ns; 0 = until the end of the run */
	int64_t timeout;        /* ns per request */
	int64_t payload_bytes;  /* request body bytes */
	int64_t message_bytes;  /* bulk: bytes per send() */
	bool uniform;           /* Fortio -uniform: de-synchronise connections */
	bool no_catchup;        /* Fortio -nocatchup: do not catch up after a stall */
	int64_t timer_resolution; /* ns; the generator's timer tick, 0 = exact */
	int64_t replicas;       /* client pods (load generator processes), >= 1 */
	scn_placement placement; /* in-mesh: where the client pods run */
} scn_workload;

typedef struct scn_auth_policies {
	int64_t l4_rules; /* L4 (identity/port) authorization rules per workload */
	int64_t l7_rules; /* L7 (path/method/header) authorization rules per workload */
} scn_auth_policies;

typedef struct scn_proxy {
	int64_t concurrency;     /* worker threads per proxy (Istio proxyConcurrency); 0 = one per core */
	scn_resources resources; /* proxy container requests/limits */
} scn_proxy;

typedef struct scn_waypoint {
	int64_t replicas; /* pods of each waypoint deployment, >= 1 */
} scn_waypoint;

typedef struct scn_mesh {
	scn_mesh_mode mode;
	char *profile;       /* MeshProfile name; "" = the built-in profile of mode */
	bool mtls;
	bool l7;             /* L7 processing (ambient waypoint, Cilium node Envoy) */
	bool http_parsing;   /* proxies parse HTTP (false = L4 passthrough) */
	bool wireguard;      /* cilium only: encrypt cross-node traffic */
	scn_auth_policies authorization;
	scn_proxy proxy;
	scn_waypoint waypoint;
} scn_mesh;

typedef struct scn_churn {
	char *name;
	scn_churn_type type;
	char *target;         /* scale/rollout: service name; relabel: namespace name (checked) */
	int64_t start;        /* ns of the first action */
	int64_t period;       /* ns between actions, > 0 */
	int64_t min_replicas; /* scale only */
	int64_t max_replicas; /* scale only (>= min_replicas checked) */
} scn_churn;

typedef struct scn_spec {
	scn_cluster cluster;
	scn_namespace *namespaces;
	size_t n_namespaces;
	scn_service *services;
	size_t n_services;
	scn_mesh mesh;
	scn_workload *workloads;
	size_t n_workloads;
	scn_churn *churn;
	size_t n_churn;
	int64_t duration;     /* ns simulated, > 0 */
	int64_t warmup;       /* ns at the start excluded from statistics (< duration checked) */
	int64_t seed;         /* master seed, >= 0 */
	int64_t replications; /* independent replications, >= 1 */
	scn_fidelity fidelity;
	char *calibration;    /* calibration profile name or path; "" = built-in */
} scn_spec;

typedef struct scn_metadata {
	char *name;
	scn_label *labels; /* sorted by key */
	size_t n_labels;
	scn_label *annotations; /* sorted by key */
	size_t n_annotations;
} scn_metadata;

typedef struct scenario {
	char *api_version; /* SCN_API_VERSION */
	char *kind;        /* "Scenario" */
	scn_metadata metadata;
	scn_spec spec;
} scenario;

/* ---- loading ---- */

/*
 * Loads the one Scenario document of the YAML file at path, applies the
 * overrides and validates it. Other documents of the file (MeshProfile,
 * PriceSheet, Sweep) are validated too.
 *
 * Overrides are "PATH=VALUE" (e.g. "spec.workloads[0].qps=2000"), applied in
 * order (later ones win) to the YAML tree before validation. VALUE is YAML,
 * so "spec.namespaces=[{name: a}]" works; [N] with N = the list's length
 * appends an item. Errors in an override name "--set PATH=VALUE" as their
 * file, with no line and column.
 *
 * On success returns SCN_OK and sets *out (free it with scenario_free). On
 * failure returns SCN_EDATA, SCN_ENOINPUT or SCN_ESOFTWARE, leaves *out NULL
 * and appends every error, sorted by position, to errors (which the caller
 * initialises and frees). Writes nothing anywhere. Running out of memory
 * aborts the process.
 */
int scenario_load(const char *path, const char *const *overrides, size_t noverrides,
		  scenario **out, diag_list *errors);

/* Flags of scenario_load_string. */
enum {
	/* The text is canonical JSON (scenario_canonical_json): bare numbers
	 * are base units (durations in ns, not seconds). */
	SCN_LOAD_CANONICAL = 1
};

/* Same as scenario_load from a buffer; name is used in diagnostics. */
int scenario_load_string(const char *name, const char *text, size_t len, unsigned flags,
			 const char *const *overrides, size_t noverrides,
			 scenario **out, diag_list *errors);

/* Frees a scenario and everything it owns; NULL is fine. */
void scenario_free(scenario *s);

/*
 * The resolved scenario as canonical JSON and the SHA-256 of that text. The
 * JSON is the whole document (apiVersion, kind, metadata with name, labels
 * and annotations, spec) with sorted keys, compact, every field present and
 * units normalised as above: durations integer ns, sizes integer bytes, cpu
 * number of cores, rates number per second, enums strings. The hash is 64
 * lowercase hex digits plus NUL. *json is malloc'd (free it). Returns SCN_OK
 * or SCN_ESOFTWARE. Loading the JSON with SCN_LOAD_CANONICAL gives a
 * scenario with the same JSON and hash.
 */
int scenario_canonical_json(const scenario *s, char **json, char hash_hex[65]);

/* ---- validating any kind (meshsim validate) ---- */

typedef struct scn_doc_info {
	char kind[32];     /* "Scenario", "Sweep", "MeshProfile", "PriceSheet" */
	char name[128];    /* metadata.name */
	char hash_hex[65]; /* Scenario, MeshProfile: SHA-256 of its canonical JSON (for a
			    * MeshProfile the hash mesh_profile_load_file gives); "" otherwise */
	int line;          /* 1-based line where the document starts */
} scn_doc_info;

/*
 * Validates every document of a file, of any kind; the overrides apply to
 * its Scenario document(s). Fills up to max entries of docs (may be NULL)
 * and sets *ndocs to the number of documents. Returns SCN_OK, SCN_EDATA,
 * SCN_ENOINPUT or SCN_ESOFTWARE; errors as scenario_load.
 */
int scenario_validate_file(const char *path, const char *const *overrides, size_t noverrides,
			   scn_doc_info *docs, size_t max, size_t *ndocs, diag_list *errors);

/*
 * Where the value of `field` (a --set PATH, e.g. "spec.mesh.profile") is
 * written: *src is path and *line, *col its 1-based position in the file's
 * Scenario document; or *src is the override ("PATH=VALUE") that sets it or
 * an object holding it (the last such wins, as in scenario_load), with
 * *line = *col = 0. Returns 0, or -1 when it is written nowhere (then *src
 * is path and *line = *col = 0). For errors that only a later step finds (a
 * mesh profile that does not exist), so that they too name where.
 */
int scenario_field_position(const char *path, const char *const *overrides, size_t noverrides,
			    const char *field, const char **src, int *line, int *col);

/* Name of an enum value as spelt in YAML, e.g. scn_mesh_mode_name(SCN_MESH_CILIUM) = "cilium". */
const char *scn_mesh_mode_name(scn_mesh_mode m);
const char *scn_workload_type_name(scn_workload_type t);

#endif
