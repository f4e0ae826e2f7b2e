/*
 * tests/scenario/test_canonical.c - canonical JSON and its hash: round trips,
 * defaults and units normalised, key order irrelevant, any change visible.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/sha.h>

#include "scenario/scenario.h"

static scenario *load_text(const char *text, const char *set)
{
	scenario *s = NULL;
	diag_list errs;
	diag_list_init(&errs);
	int rc = scenario_load_string("t.yaml", text, strlen(text), 0, set ? &set : NULL,
				      set ? 1 : 0, &s, &errs);
	diag_print(&errs, stderr);
	assert_int_equal(rc, SCN_OK);
	diag_list_free(&errs);
	return s;
}

/* The hash of a YAML text (optionally with one --set). */
static void hash_of(const char *text, const char *set, char hash[65])
{
	scenario *s = load_text(text, set);
	char *json;
	assert_int_equal(scenario_canonical_json(s, &json, hash), SCN_OK);
	free(json);
	scenario_free(s);
}

static void test_round_trip_files(void **state)
{
	(void)state;
	const char *files[] = {"configs/scenarios/default.yaml", "tests/scenarios/minimal.yaml",
			       "tests/scenarios/mesh-full.yaml", "tests/scenarios/multi.yaml"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		scenario *s, *s2;
		diag_list errs;
		diag_list_init(&errs);
		assert_int_equal(scenario_load(files[i], NULL, 0, &s, &errs), SCN_OK);
		char *json, *json2, hash[65], hash2[65];
		assert_int_equal(scenario_canonical_json(s, &json, hash), SCN_OK);

		/* the hash is the SHA-256 of exactly that text */
		unsigned char md[SHA256_DIGEST_LENGTH];
		SHA256((const unsigned char *)json, strlen(json), md);
		char hex[65];
		for (int k = 0; k < SHA256_DIGEST_LENGTH; k++)
			snprintf(hex + 2 * k, 3, "%02x", md[k]);
		assert_string_equal(hash, hex);

		/* sorted keys, compact: Jansson re-emits it unchanged */
		json_error_t jerr;
		json_t *root = json_loads(json, 0, &jerr);
		assert_non_null(root);
		char *again = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT | JSON_REAL_PRECISION(17));
		assert_string_equal(again, json);
		free(again);
		json_decref(root);

		/* loading the canonical JSON gives the same scenario */
		int rc = scenario_load_string("canonical", json, strlen(json), SCN_LOAD_CANONICAL,
					      NULL, 0, &s2, &errs);
		diag_print(&errs, stderr);
		assert_int_equal(rc, SCN_OK);
		assert_int_equal(scenario_canonical_json(s2, &json2, hash2), SCN_OK);
		assert_string_equal(json2, json);
		assert_string_equal(hash2, hash);
		free(json);
		free(json2);
		scenario_free(s);
		scenario_free(s2);
		diag_list_free(&errs);
	}
}

#define BASE                                                                         \
	"apiVersion: meshsim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n" \
	"  cluster:\n"                                                               \
	"    nodeTypes: [{name: n, cpu: 2, memory: 4Gi}]\n"                          \
	"    nodePools: [{name: p, nodeType: n}]\n"                                  \
	"  namespaces: [{name: default}]\n"                                          \
	"  services: [{name: e, namespace: default}]\n"

/* Writing a default, or a value in other units, or keys in another order,
 * gives the same hash; a change of value gives another. */
static void test_normalisation(void **state)
{
	(void)state;
	char h1[65], h2[65], h3[65], h4[65], h5[65];
	hash_of(BASE "  workloads: [{name: w, target: e, qps: 1000/s, timeout: 3s}]\n"
		     "  duration: 10s\n", NULL, h1);
	hash_of(BASE "  workloads: [{name: w, target: e, qps: 60000/m}]\n"
		     "  duration: 10000ms\n  seed: 1\n  warmup: 0s\n  mesh: {mode: none}\n", NULL, h2);
	assert_string_equal(h1, h2);
	hash_of("spec:\n  duration: 10\n  workloads: [{target: e, qps: 1000, name: w}]\n"
		"  services: [{namespace: default, name: e, replicas: 1, port: 8080}]\n"
		"  namespaces: [{name: default}]\n"
		"  cluster:\n    nodePools: [{nodeType: n, name: p, count: 1}]\n"
		"    nodeTypes: [{memory: 4294967296, cpu: 2000m, name: n, cpuSpeed: 1}]\n"
		"metadata: {name: t}\nkind: Scenario\napiVersion: meshsim/v1alpha1\n", NULL, h3);
	assert_string_equal(h1, h3);
	hash_of(BASE "  workloads: [{name: w, target: e, qps: 1000/s}]\n  duration: 10s\n",
		"spec.seed=2", h4);
	assert_string_not_equal(h1, h4);
	hash_of(BASE "  workloads: [{name: w, target: e, qps: 1001}]\n  duration: 10s\n", NULL, h5);
	assert_string_not_equal(h1, h5);
}

/* Loads configs/scenarios/default.yaml and its canonical JSON and hash. */
static void load_default_json(scenario **s, diag_list *errs, char **json, char hash[65])
{
	diag_list_init(errs);
	assert_int_equal(scenario_load("configs/scenarios/default.yaml", NULL, 0, s, errs), SCN_OK);
	assert_int_equal(scenario_canonical_json(*s, json, hash), SCN_OK);
}

/* Base units in the JSON: ns, bytes, cores, per second, enum strings. */
static void test_units_in_json(void **state)
{
	(void)state;
	scenario *s;
	diag_list errs;
	char *json, hash[65];
	load_default_json(&s, &errs, &json, hash);
	assert_int_equal(strlen(hash), 64);
	assert_int_equal(strspn(hash, "0123456789abcdef"), 64);
	json_error_t jerr;
	json_t *root = json_loads(json, 0, &jerr);
	json_t *spec = json_object_get(root, "spec");
	assert_true(json_is_integer(json_object_get(spec, "duration")));
	assert_int_equal(json_integer_value(json_object_get(spec, "duration")), 10000000000LL);
	json_t *wl = json_array_get(json_object_get(spec, "workloads"), 0);
	assert_true(json_is_real(json_object_get(wl, "qps")));
	assert_true(json_real_value(json_object_get(wl, "qps")) == 1000.0);
	assert_int_equal(json_integer_value(json_object_get(wl, "timeout")), 3000000000LL);
	assert_string_equal(json_string_value(json_object_get(wl, "type")), "open-loop");
	json_t *nt = json_array_get(json_object_get(json_object_get(spec, "cluster"), "nodeTypes"), 0);
	assert_int_equal(json_integer_value(json_object_get(nt, "memory")), 16LL << 30);
	assert_true(json_real_value(json_object_get(nt, "cpu")) == 4.0);
	json_t *svc = json_array_get(json_object_get(spec, "services"), 0);
	json_t *st = json_object_get(svc, "serviceTime");
	assert_int_equal(json_integer_value(json_object_get(st, "mean")), 1000000);
	assert_string_equal(json_string_value(json_object_get(json_object_get(spec, "mesh"), "mode")),
			    "none");
	/* every field is present, defaults included */
	assert_non_null(json_object_get(spec, "replications"));
	assert_non_null(json_object_get(json_object_get(spec, "mesh"), "proxy"));
	json_decref(root);
	free(json);
	scenario_free(s);
	diag_list_free(&errs);
}

/* Canonical loading is strict too: units are not accepted there. */
static void test_canonical_strict(void **state)
{
	(void)state;
	scenario *s;
	diag_list errs;
	char *json, hash[65];
	load_default_json(&s, &errs, &json, hash);
	scenario_free(s);
	/* replace the duration integer by a unit string */
	char *p = strstr(json, "\"duration\":10000000000");
	assert_non_null(p);
	size_t len = strlen(json);
	char *edited = malloc(len + 16);
	size_t head = (size_t)(p - json);
	memcpy(edited, json, head);
	strcpy(edited + head, "\"duration\":\"10s\"");
	strcat(edited, p + strlen("\"duration\":10000000000"));
	assert_int_equal(scenario_load_string("c.json", edited, strlen(edited), SCN_LOAD_CANONICAL,
					      NULL, 0, &s, &errs), SCN_EDATA);
	assert_null(s);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.items[0].path, "spec.duration");
	diag_list_free(&errs);
	/* read as YAML, its bare integers would be seconds (10^10 s): out of range */
	assert_int_equal(scenario_load_string("c.json", json, strlen(json), 0, NULL, 0, &s, &errs),
			 SCN_EDATA);
	assert_null(s);
	diag_list_free(&errs);
	free(edited);
	free(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_files),
		cmocka_unit_test(test_normalisation),
		cmocka_unit_test(test_units_in_json),
		cmocka_unit_test(test_canonical_strict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
