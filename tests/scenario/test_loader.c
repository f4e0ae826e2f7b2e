/*
 * tests/scenario/test_loader.c - every error path of the scenario loader.
 *
 * A table of bad files (tests/scenarios/bad/), each with every error it must
 * produce: position, field path and message; then --set overrides, inline
 * edge cases, the valid files, and that a failed load returns nothing.
 * Run from the repository root (make test does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario/scenario.h"

typedef struct expect {
	int line, col;
	const char *path;
	const char *msg; /* a substring of the message */
} expect;

typedef struct bad_case {
	const char *file;
	expect errs[10]; /* all of the file's errors, in order; ends at msg == NULL */
} bad_case;

#define BAD "tests/scenarios/bad/"

static const bad_case bad_cases[] = {
	{BAD "unknown-field.yaml",
	 {{13, 7, "spec.workloads[0].qsp", "unknown field \"qsp\" (did you mean \"qps\"?)"}}},
	{BAD "duplicate-key.yaml",
	 {{11, 3, "spec.duration", "duplicate field \"duration\" (first at 9:3)"}}},
	{BAD "wrong-type.yaml",
	 {{7, 47, "spec.cluster.nodePools[0].count", "expected an integer, got the string \"2\""},
	  {8, 15, "spec.namespaces", "expected a list of Namespace, got a mapping"},
	  {9, 56, "spec.services[0].workers", "expected an integer, got a list"},
	  {10, 52, "spec.workloads[0].connections", "expected an integer, got \"eight\""},
	  {11, 35, "spec.mesh.httpParsing", "expected true or false, got \"yes\""}}},
	{BAD "out-of-range.yaml",
	 {{6, 32, "spec.cluster.nodeTypes[0].cpu", "must be >= 1m (got 0)"},
	  {9, 53, "spec.services[0].port", "must be <= 65535 (got 70000)"},
	  {13, 12, "spec.workloads[0].qps", "must be >= 0 (got -5)"},
	  {15, 17, "spec.replications", "must be >= 1 (got 0)"}}},
	{BAD "unknown-unit.yaml",
	 {{6, 32, "spec.cluster.nodeTypes[0].cpu", "unknown unit \" cores\" in CPU quantity"},
	  {6, 49, "spec.cluster.nodeTypes[0].memory", "unknown unit \"GB\" in size \"16GB\""},
	  {10, 44, "spec.workloads[0].qps", "unknown unit \"/sec\" in rate \"100/sec\""},
	  {11, 13, "spec.duration", "unknown unit \"sec\" in duration \"10sec\""}}},
	{BAD "bad-reference.yaml",
	 {{7, 37, "spec.cluster.nodePools[0].nodeType", "unknown node type \"m\""},
	  {11, 18, "spec.services[0].namespace", "unknown namespace \"prod\"; defined: default"},
	  {12, 25, "spec.services[0].calls[0].service", "unknown service \"backend\""},
	  {13, 33, "spec.workloads[0].target", "unknown service \"ech\" (did you mean \"echo\"?)"},
	  {14, 44, "spec.churn[0].target", "unknown namespace \"echo\""}}},
	{BAD "missing-required.yaml",
	 {{4, 1, "spec.duration", "required field is missing"},
	  {6, 17, "spec.cluster.nodeTypes[0].cpu", "required field is missing"},
	  {7, 16, "spec.cluster.nodePools", "needs at least 1 item(s)"},
	  {9, 14, "spec.services[0].namespace", "required field is missing"},
	  {10, 33, "spec.workloads[0].target", "must not be empty"}}},
	{BAD "unknown-kind.yaml",
	 {{2, 7, "kind", "unknown kind \"Scenaro\" (did you mean \"Scenario\"?)"}}},
	{BAD "bad-api-version.yaml",
	 {{1, 13, "apiVersion", "must be one of meshsim/v1alpha1 (got \"meshsim/v1\")"}}},
	{BAD "syntax.yaml",
	 {{7, 5, "", "YAML syntax error: did not find expected ',' or ']'"}}},
	{BAD "cross-field.yaml",
	 {{12, 59, "spec.services[0].serviceTime.max", "max must be greater than min"},
	  {13, 18, "spec.services[0].placement.nodePool", "is required when policy is pinned"},
	  {16, 59, "spec.services[1].placement.nodeIndex", "node pool p has 2 node(s)"},
	  {17, 61, "spec.services[1].serviceTime.stddev", "only used by the lognormal"},
	  {18, 42, "spec.mesh.wireguard", "only supported with mode cilium"},
	  {19, 87, "spec.churn[0].maxReplicas", "must be >= minReplicas (5)"},
	  {21, 11, "spec.warmup", "must be shorter than duration"}}},
	{BAD "duplicate-name.yaml",
	 {{11, 14, "spec.services[1].name", "duplicate service name \"echo\" (first defined at 10:14)"},
	  {12, 14, "spec.services[2].name", "\"Echo_2\" is not a valid name"}}},
	{BAD "alias.yaml", {{7, 47, "", "YAML aliases (*cores) are not supported"}}},
	{BAD "bad-enum.yaml",
	 {{10, 11, "spec.mesh.mode", "must be one of none, istio-sidecar, istio-ambient, cilium, "
	   "linkerd (got \"istio\")"},
	  {11, 11, "spec.mesh.mtls", "expected true or false, got \"True\""}}},
	{BAD "empty.yaml", {{0, 0, "", "no YAML document in the file"}}},
	{BAD "no-scenario.yaml", {{0, 0, "", "no Scenario document in the file"}}},
	{BAD "pinned-index.yaml",
	 {{15, 20, "spec.services[0].placement.nodeIndex", "node pool p has 2 node(s), indexes 0..1"},
	  {16, 46, "spec.workloads[0].start", "must be before the end of the run"},
	  {17, 104, "spec.workloads[1].placement.nodeIndex", "node pool p has 2 node(s), indexes 0..1"},
	  {19, 11, "spec.warmup", "must be shorter than duration"}}},
	{BAD "mode-options.yaml",
	 {{12, 11, "spec.mesh.mtls", "needs a mesh (mode is none)"},
	  {13, 12, "spec.mesh.proxy", "needs a mesh (mode is none)"},
	  {15, 7, "spec.workloads[0].qps", "must be > 0 for a constant-throughput workload"},
	  {16, 55, "spec.workloads[1].qps", "not used by a closed-loop workload"},
	  {17, 61, "spec.workloads[2].concurrency", "only used by a closed-loop workload"},
	  {18, 59, "spec.workloads[3].namespace", "only used when source is in-mesh"},
	  {19, 59, "spec.workloads[4].placement", "only used when source is in-mesh"}}},
	{BAD "bulk-options.yaml",
	 {{8, 20, "spec.cluster.network.mtu", "must be >= 576 (got 100)"},
	  {12, 48, "spec.workloads[0].qps", "is not used by a bulk workload"},
	  {13, 62, "spec.workloads[1].messageBytes", "is only used by a bulk workload"},
	  {14, 57, "spec.workloads[2].payloadBytes", "is not used by a bulk workload"},
	  {14, 71, "spec.workloads[2].timeout", "is not used by a bulk workload"},
	  {15, 50, "spec.workloads[3].start", "its streams run per flow, for the whole run"},
	  {15, 64, "spec.workloads[3].duration", "its streams run per flow, for the whole run"},
	  {16, 67, "spec.workloads[4].timerResolution", "not used by a closed-loop workload"}}},
	{BAD "not-a-mapping.yaml",
	 {{1, 1, "", "a document must be a mapping"},
	  {4, 1, "kind", "required field is missing"}}},
};

/* Compares the diagnostics with the expected list; prints both on mismatch. */
static bool check_diags(const char *file, const diag_list *errs, const expect *exp)
{
	size_t nexp = 0;
	while (nexp < 10 && exp[nexp].msg)
		nexp++;
	bool ok = errs->n == nexp;
	for (size_t i = 0; ok && i < nexp; i++) {
		const diag *d = &errs->items[i];
		ok = d->line == exp[i].line && d->col == exp[i].col &&
		     strcmp(d->path, exp[i].path) == 0 && strstr(d->msg, exp[i].msg) != NULL &&
		     strcmp(d->file, file) == 0;
	}
	if (!ok) {
		fprintf(stderr, "%s: got %zu error(s):\n", file, errs->n);
		diag_print(errs, stderr);
		fprintf(stderr, "expected %zu:\n", nexp);
		for (size_t i = 0; i < nexp; i++)
			fprintf(stderr, "  %d:%d %s: %s\n", exp[i].line, exp[i].col, exp[i].path,
				exp[i].msg);
	}
	return ok;
}

static void test_bad_files(void **state)
{
	(void)state;
	size_t failed = 0;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		scenario *s = (scenario *)1;
		diag_list errs;
		diag_list_init(&errs);
		int rc = scenario_load(bad_cases[i].file, NULL, 0, &s, &errs);
		if (rc != SCN_EDATA)
			fprintf(stderr, "%s: rc %d\n", bad_cases[i].file, rc);
		if (rc != SCN_EDATA || s != NULL || !check_diags(bad_cases[i].file, &errs,
								 bad_cases[i].errs))
			failed++;
		diag_list_free(&errs);
	}
	assert_int_equal(failed, 0);
}

/* The diagnostic line format of the issue: FILE:LINE:COL: error: PATH: MESSAGE. */
static void test_format(void **state)
{
	(void)state;
	diag_list errs;
	diag_list_init(&errs);
	scenario *s;
	assert_int_equal(scenario_load(BAD "out-of-range.yaml", NULL, 0, &s, &errs), SCN_EDATA);
	char line[512];
	diag_format(&errs.items[2], line, sizeof line);
	assert_string_equal(line, BAD "out-of-range.yaml:13:12: error: spec.workloads[0].qps: "
				  "must be >= 0 (got -5)");
	diag_list_free(&errs);
}

static void test_missing_file(void **state)
{
	(void)state;
	diag_list errs;
	diag_list_init(&errs);
	scenario *s = (scenario *)1;
	assert_int_equal(scenario_load("tests/scenarios/does-not-exist.yaml", NULL, 0, &s, &errs),
			 SCN_ENOINPUT);
	assert_null(s);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.items[0].msg, "cannot open"));
	diag_list_free(&errs);
	/* a directory is not readable as a file */
	assert_int_equal(scenario_load("tests/scenarios", NULL, 0, &s, &errs), SCN_ENOINPUT);
	diag_list_free(&errs);
}

static void test_valid_files(void **state)
{
	(void)state;
	const char *files[] = {"configs/scenarios/default.yaml", "tests/scenarios/minimal.yaml",
			       "tests/scenarios/mesh-full.yaml", "tests/scenarios/multi.yaml"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		scenario *s = NULL;
		diag_list errs;
		diag_list_init(&errs);
		int rc = scenario_load(files[i], NULL, 0, &s, &errs);
		diag_print(&errs, stderr);
		assert_int_equal(rc, SCN_OK);
		assert_int_equal(errs.n, 0);
		assert_non_null(s);
		scenario_free(s);
		diag_list_free(&errs);
	}
}

/* The default demo as the issue describes it, in base units. */
static void test_default_values(void **state)
{
	(void)state;
	scenario *s;
	diag_list errs;
	diag_list_init(&errs);
	assert_int_equal(scenario_load("configs/scenarios/default.yaml", NULL, 0, &s, &errs), SCN_OK);
	const scn_spec *sp = &s->spec;
	assert_string_equal(s->metadata.name, "default");
	assert_int_equal(sp->n_services, 1);
	assert_string_equal(sp->services[0].name, "echo");
	assert_int_equal(sp->services[0].service_time.distribution, SCN_DIST_FIXED);
	assert_int_equal(sp->services[0].service_time.mean, 1000000);
	assert_int_equal(sp->services[0].workers, 4);
	assert_int_equal(sp->n_workloads, 1);
	assert_int_equal(sp->workloads[0].type, SCN_WL_OPEN_LOOP);
	assert_true(sp->workloads[0].qps == 1000.0);
	assert_int_equal(sp->workloads[0].connections, 8);
	assert_string_equal(sp->workloads[0].target, "echo");
	assert_int_equal(sp->duration, 10000000000LL);
	assert_int_equal(sp->warmup, 1000000000LL);
	assert_int_equal(sp->seed, 1);
	assert_int_equal(sp->mesh.mode, SCN_MESH_NONE);
	assert_int_equal(sp->cluster.node_types[0].memory, 16LL << 30);
	assert_true(sp->cluster.node_types[0].cpu == 4.0);
	scenario_free(s);
	diag_list_free(&errs);
}

/* Defaults and units of the fully written file. */
static void test_full_values(void **state)
{
	(void)state;
	scenario *s;
	diag_list errs;
	diag_list_init(&errs);
	assert_int_equal(scenario_load("tests/scenarios/mesh-full.yaml", NULL, 0, &s, &errs), SCN_OK);
	const scn_spec *sp = &s->spec;
	assert_true(sp->cluster.node_types[1].cpu == 3.5);
	assert_int_equal(sp->cluster.node_types[1].memory, 8000000000LL);
	assert_true(sp->cluster.node_types[0].cpu_speed == 1.25);
	assert_true(sp->cluster.node_types[1].cpu_speed == 1.0); /* default */
	assert_int_equal(sp->services[0].service_time.distribution, SCN_DIST_LOGNORMAL);
	assert_int_equal(sp->services[0].service_time.stddev, 500000);
	assert_true(sp->services[0].resources.requests.cpu == 0.25);
	assert_int_equal(sp->services[0].n_calls, 2);
	assert_int_equal(sp->services[0].calls[1].count, 1); /* default */
	assert_int_equal(sp->services[1].service_time.max, 1500000);
	assert_int_equal(sp->services[2].placement.policy, SCN_PLACE_PINNED);
	assert_int_equal(sp->services[2].placement.node_index, 2);
	assert_int_equal(sp->services[2].response_bytes, 16000);
	assert_int_equal(sp->services[2].replicas, 1); /* default */
	assert_int_equal(sp->mesh.mode, SCN_MESH_ISTIO_SIDECAR);
	assert_true(sp->mesh.mtls);
	assert_true(sp->mesh.http_parsing); /* default */
	assert_int_equal(sp->mesh.proxy.resources.limits.memory, 1LL << 30);
	assert_true(sp->workloads[1].qps == 10.0); /* 600/m */
	assert_int_equal(sp->workloads[1].duration, 90000000000LL);
	assert_int_equal(sp->workloads[1].source, SCN_SRC_OUTSIDE);
	assert_int_equal(sp->workloads[0].timeout, 1000000000LL);
	assert_int_equal(sp->workloads[1].timeout, 3000000000LL); /* default */
	assert_int_equal(sp->n_churn, 2);
	assert_int_equal(sp->churn[1].type, SCN_CHURN_RELABEL);
	assert_int_equal(sp->churn[1].period, 60000000000LL);
	assert_int_equal(sp->replications, 5);
	assert_int_equal(s->metadata.n_labels, 2);
	assert_string_equal(s->metadata.labels[0].key, "mesh"); /* sorted */
	scenario_free(s);
	diag_list_free(&errs);
}

/* ---- --set ---- */

static void test_set_applies(void **state)
{
	(void)state;
	const char *sets[] = {"spec.workloads[0].qps=2000", "spec.mesh.mode=istio-sidecar",
			      "spec.mesh.mtls=true", "spec.seed=7", "spec.workloads[0].qps=3k/s",
			      "spec.workloads[0].qps=2500/s", "metadata.labels.run=set",
			      "spec.services[1]={name: db, namespace: default}",
			      "spec.services[0].calls=[{service: db}]"};
	scenario *s;
	diag_list errs;
	diag_list_init(&errs);
	int rc = scenario_load("configs/scenarios/default.yaml", sets, 9, &s, &errs);
	diag_print(&errs, stderr);
	assert_int_equal(rc, SCN_OK);
	assert_true(s->spec.workloads[0].qps == 2500.0); /* the last one wins */
	assert_int_equal(s->spec.mesh.mode, SCN_MESH_ISTIO_SIDECAR);
	assert_true(s->spec.mesh.mtls);
	assert_int_equal(s->spec.seed, 7);
	assert_int_equal(s->spec.n_services, 2);
	assert_string_equal(s->spec.services[0].calls[0].service, "db");
	assert_int_equal(s->metadata.n_labels, 2);
	scenario_free(s);
	diag_list_free(&errs);
}

typedef struct set_case {
	const char *set;
	const char *path;
	const char *msg;
} set_case;

static void test_set_errors(void **state)
{
	(void)state;
	static const set_case cases[] = {
		{"spec.workloads[0].qps=-5", "spec.workloads[0].qps", "must be >= 0 (got -5)"},
		{"spec.workloads[0].qps=fast", "spec.workloads[0].qps", "expected a rate like"},
		{"spec.workloads[0].qsp=1", "spec.workloads[0].qsp", "(did you mean \"qps\"?)"},
		{"spec.workloads[3].qps=1", "spec.workloads", "index 3 is out of range"},
		{"spec.workloads[1].qps=1", "spec.workloads[1].name", "required field is missing"},
		{"spec.duration.x=1", "spec.duration", "is a scalar, not a mapping"},
		{"spec..duration=1", "", "bad field path"},
		{"spec.duration", "", "expected PATH=VALUE"},
		{"=1s", "", "expected PATH=VALUE"},
		{"spec.duration=[1s", "", "YAML syntax error"},
		{"spec.duration=", "spec.duration", "expected a duration (250ms, 1.5s, 1m30s), got null"},
		{"spec.workloads[0].target=nope", "spec.workloads[0].target", "unknown service \"nope\""},
		{"kind=Sweep", "kind", "must be one of Scenario (got \"Sweep\")"},
		{"apiVersion=v1", "apiVersion", "must be one of meshsim/v1alpha1"},
		{"spec.mesh.mode=cilium", "", NULL}, /* valid */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		scenario *s = NULL;
		diag_list errs;
		diag_list_init(&errs);
		int rc = scenario_load("configs/scenarios/default.yaml", &cases[i].set, 1, &s, &errs);
		if (!cases[i].msg) {
			assert_int_equal(rc, SCN_OK);
			scenario_free(s);
			diag_list_free(&errs);
			continue;
		}
		char src[256];
		snprintf(src, sizeof src, "--set %s", cases[i].set);
		/* the first error is the case's (a few cause more) */
		bool ok = rc == SCN_EDATA && errs.n >= 1 && strcmp(errs.items[0].file, src) == 0 &&
			  errs.items[0].line == 0 && strcmp(errs.items[0].path, cases[i].path) == 0 &&
			  strstr(errs.items[0].msg, cases[i].msg);
		if (!ok) {
			fprintf(stderr, "case %s: rc %d\n", cases[i].set, rc);
			diag_print(&errs, stderr);
		}
		assert_true(ok);
		assert_null(s);
		diag_list_free(&errs);
	}
}

/* ---- inline documents for the remaining paths ---- */

#define HEAD "apiVersion: meshsim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\n"
#define CLUSTER                                                        \
	"  cluster:\n"                                                 \
	"    nodeTypes: [{name: n, cpu: 1, memory: 1Gi}]\n"            \
	"    nodePools: [{name: p, nodeType: n}]\n"                    \
	"  namespaces: [{name: default}]\n"

typedef struct text_case {
	const char *text;
	int line, col;
	const char *path;
	const char *msg;
} text_case;

static void test_inline(void **state)
{
	(void)state;
	static const text_case cases[] = {
		{HEAD "spec:\n" CLUSTER "  duration: \"10\"\n  seed: '1'\n", 10, 9, "spec.seed",
		 "got the string \"1\""},
		{HEAD "spec:\n" CLUSTER "  duration: ~\n", 9, 13, "spec.duration", "got null"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  warmup: {a: 1}\n", 10, 11, "spec.warmup",
		 "expected a duration (250ms, 1.5s, 1m30s), got a mapping"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  seed: 99999999999999999999\n", 10, 9, "spec.seed", "out of range"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  calibration: [a]\n", 10, 16, "spec.calibration", "expected a string, got a list"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  fidelity: !!str per-flow\n  seed: !!str 3\n", 11, 9, "spec.seed", "got the string \"3\""},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  [a]: 1\n", 10, 3, "spec", "keys must be strings"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n" "  mesh: cilium\n", 10, 9, "spec.mesh",
		 "expected a mapping (Mesh), got a scalar"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  services: [{name: e, namespace: default, "
		 "serviceTime: {distribution: lognormal, mean: 1ms}}]\n", 10, 57, "spec.services[0].serviceTime.stddev", "must be > 0 for the lognormal distribution"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  services: [{name: e, namespace: default, "
		 "serviceTime: {distribution: uniform, mean: 1ms, max: 2ms}}]\n", 10, 87, "spec.services[0].serviceTime.mean", "not used by the uniform distribution"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  services: [{name: e, namespace: default, "
		 "resources: {requests: {cpu: 2}, limits: {cpu: 1}}}]\n", 10, 72, "spec.services[0].resources.requests.cpu", "must not exceed limits.cpu"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  mesh: {mode: istio-ambient, "
		 "authorization: {l7Rules: 3}}\n", 10, 56, "spec.mesh.authorization.l7Rules",
		 "needs l7: true"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  services:\n"
		 "    - {name: a, namespace: default, calls: [{service: b}]}\n"
		 "    - {name: b, namespace: default, calls: [{service: c}, {service: a}]}\n"
		 "    - {name: c, namespace: default}\n", 12, 69, "spec.services[1].calls[1].service",
		 "closes a cycle in the call graph (a -> b -> a)"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  services:\n"
		 "    - {name: a, namespace: default, calls: [{service: a}]}\n", 11, 55,
		 "spec.services[0].calls[0].service", "closes a cycle in the call graph (a -> a)"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  services: [{name: e, namespace: default}]\n"
		 "  workloads: [{name: w, target: e, protocol: grpc}]\n", 11, 46,
		 "spec.workloads[0].protocol", "is grpc but service e speaks http1"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  services: [{name: e, namespace: default}]\n"
		 "  workloads: [{name: w, type: closed-loop, target: e, connections: 16, "
		 "concurrency: 64}]\n", 11, 85, "spec.workloads[0].concurrency",
		 "is 64 but connections is 16"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  mesh: {mode: istio-sidecar, httpParsing: false, "
		 "authorization: {l7Rules: 3}}\n", 10, 76, "spec.mesh.authorization.l7Rules",
		 "needs httpParsing: true"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  services: [{name: e, namespace: default}]\n"
		 "  churn: [{name: c, type: rollout, target: e, period: 1s, minReplicas: 1}]\n", 11, 72, "spec.churn[0].minReplicas", "only used by scale churn"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  services: [{name: e, namespace: default, "
		 "placement: {policy: spread, nodeIndex: 1}}]\n", 10, 83, "spec.services[0].placement.nodeIndex", "only used when policy is pinned"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  metadata: {}\n", 10, 3, "spec.metadata",
		 "unknown field \"metadata\""},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n" "  namespaces: [{name: x}]\n", 10, 3, "spec.namespaces", "duplicate field \"namespaces\" (first at 8:3)"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n  workloads: [{name: w, target: x, "
		 "concurrency: 2}]\n", 10, 49, "spec.workloads[0].concurrency", "only used by a closed"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n---\n", 10, 1, "", "empty document"},
		{"- a\n- b\n", 1, 1, "", "a document must be a mapping"},
		{"kind: [Scenario]\n", 1, 7, "kind", "unknown kind \"?\""},
		{HEAD "metadata: {name: t}\nspec: {}\n", 4, 1, "metadata", "duplicate field"},
		{"apiVersion: meshsim/v1alpha1\nkind: Sweep\nmetadata: {name: s}\nspec:\n"
		 "  scenario: a.yaml\n  parameters: [{path: spec.seed, values: [[1]]}]\n", 6, 43, "spec.parameters[0].values[0]", "expected a scalar value, got a list"},
		{"apiVersion: meshsim/v1alpha1\nkind: MeshProfile\nmetadata: {name: m}\nspec:\n"
		 "  mode: linkerd\n  components: [{name: p, scope: pod, memory: {bas: 1}}]\n", 6, 47, "spec.components[0].memory.bas", "(did you mean \"base\"?)"},
		{HEAD "metadata2: 1\n", 4, 1, "metadata2", "unknown field"},
		{HEAD "spec:\n" CLUSTER "  duration: 1s\n" "  namespaces2: []\n", 10, 3, "spec.namespaces2",
		 "did you mean \"namespaces\"?"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const text_case *c = &cases[i];
		scenario *s = NULL;
		diag_list errs;
		diag_list_init(&errs);
		int rc = scenario_load_string("t.yaml", c->text, strlen(c->text), 0, NULL, 0, &s, &errs);
		/* the case's error must be there (other errors may follow it) */
		bool found = false;
		for (size_t k = 0; k < errs.n; k++) {
			const diag *d = &errs.items[k];
			if (d->line == c->line && d->col == c->col && !strcmp(d->path, c->path) &&
			    strstr(d->msg, c->msg))
				found = true;
		}
		if (rc != SCN_EDATA || !found || getenv("SCN_TEST_VERBOSE")) {
			fprintf(stderr, "inline case %zu (expected %d:%d %s: %s), rc %d:\n", i, c->line,
				c->col, c->path, c->msg, rc);
			diag_print(&errs, stderr);
		}
		if (!getenv("SCN_TEST_VERBOSE")) {
			assert_int_equal(rc, SCN_EDATA);
			assert_true(found);
		}
		assert_null(s);
		diag_list_free(&errs);
	}
}

/* Cross-field checks run despite errors elsewhere, never on a failed value. */
static void test_checks_and_errors(void **state)
{
	(void)state;
	const char *text = HEAD "spec:\n" CLUSTER
		"  services: [{name: e, namespace: default, port: 0}]\n"
		"  duration: 1s\n  warmup: 2s\n";
	scenario *s = NULL;
	diag_list errs;
	diag_list_init(&errs);
	assert_int_equal(scenario_load_string("t.yaml", text, strlen(text), 0, NULL, 0, &s, &errs),
			 SCN_EDATA);
	diag_print(&errs, stderr);
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.items[0].path, "spec.services[0].port");
	assert_string_equal(errs.items[1].path, "spec.warmup");
	diag_list_free(&errs);

	/* duration failed: no "warmup must be shorter" about its default */
	const char *text2 = HEAD "spec:\n" CLUSTER "  duration: 1 s\n  warmup: 2s\n";
	assert_int_equal(scenario_load_string("t.yaml", text2, strlen(text2), 0, NULL, 0, &s, &errs),
			 SCN_EDATA);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.items[0].path, "spec.duration");
	diag_list_free(&errs);

	/* a node count failed: no pinned-index error against its default */
	const char *text3 = HEAD "spec:\n"
		"  cluster:\n"
		"    nodeTypes: [{name: n, cpu: 1, memory: 1Gi}]\n"
		"    nodePools: [{name: p, nodeType: n, count: '3'}]\n"
		"  namespaces: [{name: default}]\n"
		"  services: [{name: e, namespace: default, placement: {policy: pinned, nodePool: p, "
		"nodeIndex: 2}}]\n"
		"  duration: 1s\n";
	assert_int_equal(scenario_load_string("t.yaml", text3, strlen(text3), 0, NULL, 0, &s, &errs),
			 SCN_EDATA);
	diag_print(&errs, stderr);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.items[0].path, "spec.cluster.nodePools[0].count");
	diag_list_free(&errs);
}

/* validate: any kind, every document; overrides reach only the Scenario. */
static void test_validate_file(void **state)
{
	(void)state;
	scn_doc_info docs[4];
	size_t n = 0;
	diag_list errs;
	diag_list_init(&errs);
	assert_int_equal(scenario_validate_file("tests/scenarios/multi.yaml", NULL, 0, docs, 4, &n,
						&errs), SCN_OK);
	assert_int_equal(n, 3);
	assert_string_equal(docs[0].kind, "MeshProfile");
	assert_int_equal(strlen(docs[0].hash_hex), 64); /* its canonical JSON's */
	assert_string_equal(docs[2].hash_hex, ""); /* a PriceSheet has none */
	assert_string_equal(docs[1].kind, "Scenario");
	assert_string_equal(docs[1].name, "multi");
	assert_int_equal(strlen(docs[1].hash_hex), 64);
	assert_int_equal(docs[2].line, 41); /* its "---" */
	assert_int_equal(scenario_validate_file(BAD "no-scenario.yaml", NULL, 0, docs, 4, &n, &errs),
			 SCN_OK);
	const char *set = "spec.seed=-1";
	assert_int_equal(scenario_validate_file("tests/scenarios/multi.yaml", &set, 1, docs, 4, &n,
						&errs), SCN_EDATA);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.items[0].path, "spec.seed");
	diag_list_free(&errs);
	/* fewer slots than documents: n still counts them all */
	assert_int_equal(scenario_validate_file("tests/scenarios/multi.yaml", NULL, 0, docs, 1, &n,
						&errs), SCN_OK);
	assert_int_equal(n, 3);
	diag_list_free(&errs);
}

/* Where a field is written: its value's line and column, through list
 * indexes; an override that sets it; a field written nowhere. */
static void test_field_position(void **state)
{
	(void)state;
	const char *f = "tests/scenarios/minimal.yaml", *src = NULL;
	int line = -1, col = -1;
	assert_int_equal(scenario_field_position(f, NULL, 0, "metadata.name", &src, &line, &col), 0);
	assert_string_equal(src, f);
	assert_int_equal(line, 5);
	assert_int_equal(col, 9);
	assert_int_equal(scenario_field_position(f, NULL, 0, "spec.cluster.nodePools[0].nodeType",
						 &src, &line, &col), 0);
	assert_int_equal(line, 9);
	assert_int_equal(col, 40);
	const char *sets[] = {"spec.duration=5s", "metadata.name=other", "spec.mesh={mode: none}"};
	assert_int_equal(scenario_field_position(f, sets, 2, "metadata.name", &src, &line, &col), 0);
	assert_ptr_equal(src, sets[1]);
	assert_int_equal(line, 0);
	assert_int_equal(scenario_field_position(f, sets, 3, "spec.mesh.profile", &src, &line, &col),
			 0);
	assert_ptr_equal(src, sets[2]);
	assert_int_equal(scenario_field_position(f, sets, 1, "spec.mesh.profile", &src, &line, &col),
			 -1);
	assert_ptr_equal(src, f);
	assert_int_equal(line, 0);
	assert_int_equal(col, 0);
	assert_int_equal(scenario_field_position(f, NULL, 0, "spec.namespaces[3].name", &src, &line,
						 &col), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_files),     cmocka_unit_test(test_format),
		cmocka_unit_test(test_missing_file),  cmocka_unit_test(test_valid_files),
		cmocka_unit_test(test_default_values), cmocka_unit_test(test_full_values),
		cmocka_unit_test(test_set_applies),   cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_inline),        cmocka_unit_test(test_checks_and_errors),
		cmocka_unit_test(test_validate_file), cmocka_unit_test(test_field_position),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
