/*
 * cli/cmd_validate.c - `meshsim validate FILE... [--set PATH=VALUE]... [--output-format text|json]`
 *
 * Checks scenario files (and MeshProfile, PriceSheet, Sweep documents)
 * without running them: every error of every file, each as
 * FILE:LINE:COL: error: PATH: MESSAGE on stderr; for a valid file one line
 * "FILE: ok (Scenario NAME, hash 0123456789ab)" on stdout (a MeshProfile
 * shows the hash of its canonical JSON too: the one a run records; with
 * --output-format json, that JSON itself). Writes nothing.
 * Exit status: 0 all valid, 65 some invalid, 66 some missing or unreadable
 * (66 wins over 65), 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "runner/runner.h"
#include "scenario/meshprofile.h"
#include "scenario/scenario.h"

#define MAX_DOCS 64

static void usage(FILE *out)
{
	fprintf(out,
		"usage: meshsim validate FILE... [--set PATH=VALUE]... [--output-format text|json]\n"
		"\n"
		"Checks scenario files without running them and prints every error as\n"
		"FILE:LINE:COL: error: FIELD.PATH: MESSAGE.\n"
		"\n"
		"  --set PATH=VALUE       override a Scenario field, e.g. --set spec.workloads[0].qps=2000\n"
		"  --output-format FMT    text (default) or json (one JSON object on stdout)\n"
		"\n"
		"examples:\n"
		"  meshsim validate configs/scenarios/default.yaml\n"
		"  meshsim validate --set spec.mesh.mode=istio-sidecar --set spec.mesh.mtls=true s.yaml\n"
		"  meshsim validate configs/meshes/*.yaml\n"
		"\n"
		"exit status: 0 valid, 65 invalid, 66 missing or unreadable file, 2 usage.\n"
		"See `meshsim explain Scenario.spec` for the fields.\n");
}

static json_t *errors_json(const diag_list *errs)
{
	json_t *a = json_array();
	for (size_t i = 0; i < errs->n; i++) {
		const diag *d = &errs->items[i];
		json_array_append_new(a, json_pack("{s:s, s:i, s:i, s:s, s:s}", "file", d->file,
						   "line", d->line, "column", d->col, "path",
						   d->path, "message", d->msg));
	}
	return a;
}

/* A valid MeshProfile document as a run records it (its canonical JSON:
 * every default filled in), or null. */
static json_t *profile_json(const char *path, const char *name)
{
	char *text = NULL, hash[65];
	diag_list errs;
	diag_list_init(&errs);
	json_t *j = NULL;
	if (mesh_profile_load_file(path, name, NULL, &text, hash, &errs) == SCN_OK && text)
		j = json_loads(text, 0, NULL);
	free(text);
	diag_list_free(&errs);
	return j ? j : json_null();
}

/* A valid Scenario with its mesh profile: the profile must load (it may be
 * another file, or not exist), and what only the two together can say is
 * wrong (runner_check). Returns SCN_OK, or mesh_profile_load_for_scenario's
 * code or SCN_EDATA with the errors added to errs: what `run` would say
 * before it opened the database. */
static int check_with_profile(const char *path, const char *const *sets, size_t nsets,
			      const scn_doc_info *docs, size_t ndocs, diag_list *errs)
{
	bool has_scenario = false;
	for (size_t d = 0; d < ndocs && d < MAX_DOCS; d++)
		has_scenario |= !strcmp(docs[d].kind, "Scenario");
	if (!has_scenario)
		return SCN_OK;
	scenario *scn = NULL;
	mesh_profile *mesh = NULL;
	diag_list quiet;
	diag_list_init(&quiet);
	int rc = SCN_OK;
	if (scenario_load(path, sets, nsets, &scn, &quiet) == SCN_OK) {
		char err[512];
		int mrc = mesh_profile_load_for_scenario(scn, path, sets, nsets, NULL, &mesh, errs);
		if (mrc != SCN_OK) {
			rc = mrc;
		} else if (runner_check(scn, mesh, err, sizeof err) != 0) {
			/* "spec.cluster.network.mtu: ...": the field path, then the
			 * message (no line: the fault is in the pair of files) */
			const char *colon = strchr(err, ':');
			char field[128] = "";
			if (colon && (size_t)(colon - err) < sizeof field)
				snprintf(field, sizeof field, "%.*s", (int)(colon - err), err);
			diag_add(errs, path, 0, 0, field, "%s", colon ? colon + 2 : err);
			rc = SCN_EDATA;
		}
	}
	mesh_profile_free(mesh);
	scenario_free(scn);
	diag_list_free(&quiet);
	return rc;
}

int cmd_validate(int argc, char **argv)
{
	const char **sets = calloc((size_t)argc + 1, sizeof *sets);
	const char **files = calloc((size_t)argc + 1, sizeof *files);
	size_t nsets = 0, nfiles = 0;
	bool json = false;
	int status = EXIT_OK;
	if (!sets || !files) {
		free(sets);
		free(files);
		return EXIT_SOFTWARE;
	}

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			goto out;
		} else if ((!strcmp(a, "--set") && i + 1 < argc) || !strncmp(a, "--set=", 6)) {
			const char *v = a[5] == '=' ? a + 6 : argv[++i];
			if (!strchr(v, '=')) {
				fprintf(stderr, "meshsim validate: --set wants PATH=VALUE, got '%s'\n", v);
				status = EXIT_USAGE;
				goto out;
			}
			sets[nsets++] = v;
		} else if ((!strcmp(a, "--output-format") && i + 1 < argc) ||
			   !strncmp(a, "--output-format=", 16)) {
			const char *v = a[15] == '=' ? a + 16 : argv[++i];
			if (!strcmp(v, "json"))
				json = true;
			else if (!strcmp(v, "text"))
				json = false;
			else {
				fprintf(stderr, "meshsim validate: unknown output format \"%s\" "
					"(text or json)\n", v);
				status = EXIT_USAGE;
				goto out;
			}
		} else if (!strcmp(a, "--")) {
			while (++i < argc)
				files[nfiles++] = argv[i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "meshsim validate: unknown or incomplete option %s\n", a);
			usage(stderr);
			status = EXIT_USAGE;
			goto out;
		} else {
			files[nfiles++] = a;
		}
	}
	if (nfiles == 0) {
		fprintf(stderr, "meshsim validate: no file given\n");
		usage(stderr);
		status = EXIT_USAGE;
		goto out;
	}

	json_t *report = json ? json_array() : NULL;
	size_t nbad = 0;
	for (size_t f = 0; f < nfiles; f++) {
		diag_list errs;
		diag_list_init(&errs);
		scn_doc_info docs[MAX_DOCS];
		size_t ndocs = 0;
		int rc = scenario_validate_file(files[f], sets, nsets, docs, MAX_DOCS, &ndocs, &errs);
		if (rc == SCN_ENOINPUT)
			status = EXIT_NOINPUT;
		else if (rc == SCN_ESOFTWARE && status != EXIT_NOINPUT)
			status = EXIT_SOFTWARE;
		else if (rc != SCN_OK && status == EXIT_OK)
			status = EXIT_DATAERR;
		if (rc == SCN_OK)
			rc = check_with_profile(files[f], sets, nsets, docs, ndocs, &errs);
		if (rc == SCN_ENOINPUT)
			status = EXIT_NOINPUT;
		else if (rc == SCN_ESOFTWARE && status != EXIT_NOINPUT)
			status = EXIT_SOFTWARE;
		else if (rc == SCN_EDATA && status == EXIT_OK)
			status = EXIT_DATAERR;
		if (rc != SCN_OK)
			nbad++;
		if (ndocs > MAX_DOCS)
			ndocs = MAX_DOCS;

		if (json) {
			json_t *dj = json_array();
			for (size_t d = 0; rc == SCN_OK && d < ndocs; d++) {
				json_t *doc = json_pack("{s:s, s:s, s:s, s:i}", "kind", docs[d].kind,
							"name", docs[d].name, "hash", docs[d].hash_hex,
							"line", docs[d].line);
				if (!strcmp(docs[d].kind, "MeshProfile"))
					json_object_set_new(doc, "canonical",
							    profile_json(files[f], docs[d].name));
				json_array_append_new(dj, doc);
			}
			json_array_append_new(report, json_pack("{s:s, s:b, s:o, s:o}", "file",
								files[f], "ok", rc == SCN_OK,
								"documents", dj, "errors",
								errors_json(&errs)));
		} else if (rc == SCN_OK) {
			printf("%s: ok (", files[f]);
			for (size_t d = 0; d < ndocs; d++) {
				printf("%s%s %s", d ? "; " : "", docs[d].kind, docs[d].name);
				if (docs[d].hash_hex[0])
					printf(", hash %.12s", docs[d].hash_hex);
			}
			printf(")\n");
		} else {
			diag_print(&errs, stderr);
			fprintf(stderr, "%s: %zu error%s\n", files[f], errs.n, errs.n == 1 ? "" : "s");
		}
		diag_list_free(&errs);
	}
	if (json) {
		json_t *top = json_pack("{s:o, s:b}", "files", report, "ok", nbad == 0);
		char *text = top ? json_dumps(top, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		if (text)
			printf("%s\n", text);
		else
			status = EXIT_SOFTWARE;
		free(text);
		json_decref(top);
	}
out:
	free(sets);
	free(files);
	return status;
}
