/*
 * scenario/meshprofile.h - loading mesh profiles (kind MeshProfile).
 *
 * A mesh profile (configs/meshes/<mode>.yaml) is a mesh's data plane as
 * data; models/mesh_profile.h is the struct the models read. This loader
 * reads the YAML with the same strict, table-driven loader as scenarios
 * (scenario/schema.c, `meshsim explain MeshProfile.spec`), so every error
 * has FILE:LINE:COL and a field path, and all errors come at once.
 *
 *   apiVersion: meshsim/v1alpha1
 *   kind: MeshProfile
 *   metadata: {name: istio-sidecar}
 *   spec:
 *     mode: istio-sidecar
 *     description: ...
 *     components:
 *       - name: sidecar
 *         scope: pod                  # pod | node | service-account | namespace
 *         userSpace: true
 *         workers: {value: 2, source: "calibration.md C1: 2 proxy worker threads"}
 *         workersFromMesh: true       # spec.mesh.proxy.concurrency wins
 *         frameworkPerRequest: {value: 150us, source: "initial: C1 ..."}
 *         frameworkPerConnection: {value: 20us, source: "..."}
 *         wakeupDelay: {value: 5us, source: "kernel-costs.md section 3.4 ..."}
 *         memory:
 *           base: {value: 60Mi, source: "calibration.md C1: sidecar 60 MB"}
 *           perConnection: {value: 32Ki, source: "..."}
 *           perConfigObject: {value: 2Ki, source: "..."}
 *         poolsUpstream: true
 *         resumesSessions: false
 *     hops:
 *       - name: client sidecar outbound
 *         direction: request          # request | response
 *         side: client                # client | server | waypoint
 *         component: sidecar          # omitted = the node's kernel
 *         when: [mtls]                # all must hold (see below)
 *         frameworkShare: 0.25
 *         source: "kernel-costs.md section 4.7: ..."
 *         ops:
 *           - {op: sys.epoll_wait}
 *           - {op: tls13.record.write, size: message, when: [mtls]}
 *           - {op: http1.parse.request, size: request, when: [http-parsing]}
 *           - {op: sys.syscall, count: 3}
 *
 * Every numeric parameter of a component is {value, source}: durations of
 * CPU (45us), bytes (40Mi) or counts, with a non-empty source. `when`
 * words: mtls, no-mtls, l7, no-l7, http-parsing, no-http-parsing,
 * wireguard, same-node, cross-node, new-connection, l4-policy, l7-policy.
 * An op's size: an integer of bytes (or 4Ki), or request, response,
 * message, l4Rules, l7Rules, packets; omitted = 0 (operations whose cost
 * does not depend on size). With size: packets, the count is per packet of
 * the message and packetSize (bytes) is the size each packet is priced at
 * (mp_op.size; e.g. 1420, a WireGuard payload at MTU 1500). Checked beyond types: op keys (cost.h),
 * component names, `when` words and contradictions, sizes that a sized
 * operation needs, and that every component's frameworkShare over the hops
 * of one request sums to 1 under every combination of conditions.
 */
#ifndef MESHSIM_SCENARIO_MESHPROFILE_H
#define MESHSIM_SCENARIO_MESHPROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/mesh_profile.h"
#include "scenario/diag.h"
#include "scenario/scenario.h"

/*
 * Loads the MeshProfile document of the file at path (a file may hold other
 * documents too; they are validated; it must hold exactly one MeshProfile).
 * Returns SCN_OK (0) and sets *out (free with mesh_profile_free), or
 * SCN_EDATA (65), SCN_ENOINPUT (66), SCN_ESOFTWARE (70) with every error
 * appended to errors; *out is NULL then.
 */
int mesh_profile_load(const char *path, mesh_profile **out, diag_list *errors);

/*
 * Loads the built-in profile of a mode (scn_mesh_mode):
 * configs/meshes/<mode-name>.yaml, looked for under datadir_or_NULL (a
 * directory holding configs/), then $MESHSIM_DATADIR, then the working
 * directory, then the executable's ancestor directories (a build directory
 * inside the repository), as models/kernels/profile.c finds the reference
 * calibration profile. 66 if not found.
 */
int mesh_profile_load_builtin(int mode, const char *datadir_or_NULL, mesh_profile **out,
			      diag_list *errors);

/*
 * Where the built-in profile of a mode is (the search above): 0 and the
 * path in buf, or -1 if none exists.
 */
int mesh_profile_find_builtin(int mode, const char *datadir_or_NULL, char *buf, size_t size);

/*
 * The profile a scenario asks for: spec.mesh.profile names a MeshProfile
 * document of the scenario's own file (scenario_path, may be NULL), or a
 * file configs/meshes/<name>.yaml (searched as above), or is a path (it has
 * a '/' or ends in .yaml; relative to the scenario file's directory); ""
 * = the built-in profile of spec.mesh.mode. The profile's mode must equal
 * the scenario's. Return codes as mesh_profile_load, except that a profile
 * that is not found, or is for another mode, is bad input (SCN_EDATA) with
 * the position of spec.mesh.profile: its line and column in scenario_path,
 * or the --set of `overrides` (scenario_load's) that set it.
 */
int mesh_profile_load_for_scenario(const scenario *s, const char *scenario_path,
				   const char *const *overrides, size_t noverrides,
				   const char *datadir_or_NULL, mesh_profile **out,
				   diag_list *errors);

/* Flags of mesh_profile_load_string (as scenario_load_string). */
enum { MP_LOAD_CANONICAL = 1 /* text is canonical JSON: durations in ns */ };

/*
 * The general form: the MeshProfile document of a buffer (named `name` in
 * diagnostics) whose metadata.name is doc_name (NULL = the one MeshProfile
 * of the text). If json and hash_hex are not NULL, also returns the
 * profile's canonical JSON (malloc'd; every field, sorted keys, durations
 * in ns, bytes as integers) and its SHA-256 (64 hex digits + NUL): store
 * them with a run. Loading that JSON with MP_LOAD_CANONICAL gives the same
 * profile and the same JSON.
 */
int mesh_profile_load_string(const char *name, const char *text, size_t len, unsigned flags,
			     const char *doc_name, mesh_profile **out, char **json,
			     char hash_hex[65], diag_list *errors);

/* As mesh_profile_load_string, from a file. */
int mesh_profile_load_file(const char *path, const char *doc_name, mesh_profile **out,
			   char **json, char hash_hex[65], diag_list *errors);

/* Spelling of MP_WHEN_* bit i as written in `when`, NULL past the last bit. */
const char *mesh_profile_when_name(unsigned bit_index);
/* Names of the enums as written in YAML. */
const char *mesh_profile_scope_name(mp_scope s);
const char *mesh_profile_side_name(mp_side s);

/* ---- the document as written (bound by the schema table; internal) ---- */

typedef struct scn_mp_param {
	int64_t value; /* ns (durations), bytes, or a count */
	char *source;
} scn_mp_param;

typedef struct scn_mp_memory {
	scn_mp_param base;
	scn_mp_param per_connection;
	scn_mp_param per_config_object;
} scn_mp_memory;

typedef struct scn_mp_component {
	char *name;
	int scope; /* mp_scope */
	bool user_space;
	scn_mp_param workers;
	bool workers_from_mesh;
	scn_mp_param framework_per_request;
	scn_mp_param framework_per_connection;
	scn_mp_param wakeup_delay;
	int wakeup_distribution; /* 0 fixed, 1 exponential */
	scn_mp_memory memory;
	bool pools_upstream;
	bool resumes_sessions;
} scn_mp_component;

typedef struct scn_mp_op {
	char *op;
	char *size;
	int64_t packet_size;
	int64_t packet_overhead;
	bool parallel;
	double count;
	char **when;
	size_t n_when;
	char *source;
} scn_mp_op;

typedef struct scn_mp_hop {
	char *name;
	int direction; /* mp_direction */
	int side;      /* mp_side */
	char *component;
	char **when;
	size_t n_when;
	double framework_share;
	char *source;
	scn_mp_param delay;
	scn_mp_param cpu;
	int cpu_per; /* mp_cpu_per */
	scn_mp_op *ops;
	size_t n_ops;
} scn_mp_hop;

typedef struct scn_mp_spec {
	int mode; /* scn_mesh_mode */
	char *description;
	scn_mp_component *components;
	size_t n_components;
	scn_mp_hop *hops;
	size_t n_hops;
} scn_mp_spec;

typedef struct scn_mp_doc {
	char *api_version;
	char *kind;
	scn_metadata metadata;
	scn_mp_spec spec;
} scn_mp_doc;

#endif
