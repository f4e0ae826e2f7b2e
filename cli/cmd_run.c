/*
 * cli/cmd_run.c - `meshsim run SCENARIO [options]`: load, run each
 * replication, print, and store each finished run in one transaction.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "common/build_info.h"
#include "db/store.h"
#include "models/kernels/calib.h"
#include "runner/runner.h"
#include "scenario/meshprofile.h"
#include "scenario/scenario.h"

#define MAX_SETS 256

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* The first SIGINT/SIGTERM asks for a clean stop (the current run is
 * stored as interrupted); a second one kills the process, and SQLite rolls
 * back the unfinished transaction, so no half-written run remains. */
static void install_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: meshsim run SCENARIO [-o DB] [--seed N] [--replications N] [--set PATH=VALUE]...\n"
	        "                   [--calibration FILE|host] [--output-format text|json|fortio-json]\n"
	        "                   [--progress auto|always|never]\n"
	        "\n"
	        "Runs a scenario and prints throughput and latency percentiles per workload.\n"
	        "  -o, --output DB        also store every run in the SQLite database DB\n"
	        "                         (created if missing; one transaction per run)\n"
	        "  --seed N               master seed (overrides spec.seed)\n"
	        "  --replications N       independent replications (overrides spec.replications);\n"
	        "                         replication r draws from streams keyed by (seed, r)\n"
	        "  --set PATH=VALUE       override a scenario field, e.g. spec.workloads[0].qps=2000\n"
	        "  --calibration P        calibration profile: a file, or `host` to measure this\n"
	        "                         host now (default: spec.calibration, else the committed\n"
	        "                         configs/calibration/reference.json)\n"
	        "  --output-format F      text (default), json, or fortio-json (Fortio's result\n"
	        "                         file: one object, or an array when there are several\n"
	        "                         workloads or replications)\n"
	        "  --progress MODE        auto (default: live line on a terminal, plain lines\n"
	        "                         every 10 s otherwise), always, never\n"
	        "\n"
	        "examples:\n"
	        "  meshsim run configs/scenarios/default.yaml\n"
	        "  meshsim run configs/scenarios/default.yaml --set spec.workloads[0].qps=3000 -o r.db\n"
	        "\n"
	        "exit status: 0 ok, 2 usage, 65 invalid scenario, 66 missing file,\n"
	        "73/74 database errors, 130 interrupted (finished runs are kept).\n");
}

typedef struct run_options {
	const char *scenario_path;
	const char *db_path;
	const char *calibration; /* NULL: from the scenario, else the reference */
	const char *sets[MAX_SETS];
	size_t nsets;
	long long seed;          /* -1: from the scenario */
	long long replications;  /* 0: from the scenario */
	report_format format;
	progress_mode progress;
} run_options;

static int parse_options(int argc, char **argv, run_options *o)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"seed", required_argument, NULL, 's'},
		{"replications", required_argument, NULL, 'r'},
		{"set", required_argument, NULL, 'S'},
		{"calibration", required_argument, NULL, 'c'},
		{"output-format", required_argument, NULL, 'f'},
		{"progress", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof(*o));
	o->seed = -1;
	o->format = REPORT_TEXT;
	o->progress = PROGRESS_AUTO;
	optind = 1;
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->db_path = optarg;
			break;
		case 's':
			o->seed = strtoll(optarg, &end, 10);
			if (*end || o->seed < 0) {
				fprintf(stderr, "meshsim run: --seed wants a non-negative integer, got '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'r':
			o->replications = strtoll(optarg, &end, 10);
			if (*end || o->replications < 1 || o->replications > 1000000) {
				fprintf(stderr, "meshsim run: --replications wants an integer >= 1, got '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'S':
			if (o->nsets == MAX_SETS) {
				fprintf(stderr, "meshsim run: at most %d --set options\n", MAX_SETS);
				return EXIT_USAGE;
			}
			if (!strchr(optarg, '=')) {
				fprintf(stderr, "meshsim run: --set wants PATH=VALUE, got '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o->sets[o->nsets++] = optarg;
			break;
		case 'c':
			o->calibration = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "text"))
				o->format = REPORT_TEXT;
			else if (!strcmp(optarg, "json"))
				o->format = REPORT_JSON;
			else if (!strcmp(optarg, "fortio-json"))
				o->format = REPORT_FORTIO;
			else {
				fprintf(stderr, "meshsim run: --output-format is text, json or fortio-json, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'p':
			if (!progress_mode_parse(optarg, &o->progress)) {
				fprintf(stderr, "meshsim run: --progress is auto, always or never, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	o->scenario_path = argv[optind];
	return EXIT_OK;
}

static double unix_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether any workload ran per flow (others, and a saturated run, run per
 * request whatever the scenario asked). */
static bool ran_per_flow(const runner_workload_result *wr, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (wr[i].sampled_connections < wr[i].connections)
			return true;
	return false;
}

/* The --set overrides as the run's parameters (run_param: what `query
 * compare` tells points apart by): each one that no later override
 * replaces (the same path, or an object or list holding it); not the seed,
 * which the run records on its own. */
static void store_overrides(ms_run *r, const char *const *sets, size_t nsets)
{
	for (size_t i = 0; i < nsets; i++) {
		const char *eq = strchr(sets[i], '=');
		if (!eq || !strncmp(sets[i], "spec.seed=", 10))
			continue;
		size_t len = (size_t)(eq - sets[i]);
		bool replaced = false;
		for (size_t j = i + 1; j < nsets && !replaced; j++) {
			size_t lj = strcspn(sets[j], "=");
			replaced = lj <= len && !strncmp(sets[j], sets[i], lj) &&
			           (lj == len || sets[i][lj] == '.' || sets[i][lj] == '[');
		}
		if (replaced)
			continue;
		char *name = strndup(sets[i], len);
		if (!name)
			continue; /* out of memory: one parameter fewer, the run still stored */
		store_add_param(r, name, eq + 1);
		free(name);
	}
}

/* Stores one replication; returns 0 or an exit status. */
static int store_run(ms_store *st, const scenario *scn, const char *json, const char *hash,
                     const cost_profile *prof, const report_run *rr, store_status status,
                     const char *const *sets, size_t nsets, char *uuid_out, size_t uuidlen)
{
	store_run_meta m = {0};
	m.scenario_name = scn->metadata.name;
	m.config_json = json;
	m.config_hash = hash;
	m.seed = rr->seed;
	m.replication = rr->replication;
	m.seed_policy = "independent";
	m.rng = "gsl taus2, keyed (seed, replication, purpose, entity)";
	m.tool_version = MESHSIM_VERSION;
	m.started_at = rr->start_unix;
	m.sim_end_s = rr->sim_end_s;
	m.warmup_s = (double)scn->spec.warmup / 1e9;
	ms_run *r = store_run_begin(st, &m);
	if (!r) {
		fprintf(stderr, "meshsim run: %s\n", store_errmsg(st));
		return EXIT_IOERR;
	}
	for (size_t i = 0; i < scn->metadata.n_labels; i++)
		store_add_attr(r, scn->metadata.labels[i].key, scn->metadata.labels[i].value);
	store_overrides(r, sets, nsets);
	/* Which calibration profile priced this run (same scenario + seed +
	 * profile = same results). */
	store_add_attr(r, "calibration.source", prof->source);
	store_add_attr(r, "calibration.sha256", prof->sha256);
	store_add_attr(r, "calibration.host", prof->host);

	/* Per workload, then all workloads together as the run's KPIs (entity
	 * "", read by the v_kpi view). */
	histogram all;
	int have_all = 0;
	double total_rps = 0, total_errors = 0;
	for (size_t i = 0; i < rr->nworkloads; i++) {
		const runner_workload_result *w = &rr->workloads[i];
		const lg_stats *s = w->stats;
		store_add_stat(r, "client", w->name, "latency", "s", 1e-9, &s->latency);
		store_add_scalar(r, "client", w->name, "throughput", w->throughput, "1/s");
		store_add_scalar(r, "client", w->name, "requested_qps", w->requested_qps, "1/s");
		store_add_scalar(r, "client", w->name, "connections", w->connections, NULL);
		store_add_scalar(r, "client", w->name, "sent", (double)w->sent, NULL);
		store_add_scalar(r, "client", w->name, "ok", (double)w->ok, NULL);
		store_add_scalar(r, "client", w->name, "timeouts", (double)w->timeouts, NULL);
		store_add_scalar(r, "client", w->name, "failed", (double)w->failed, NULL);
		store_add_scalar(r, "client", w->name, "in_flight", (double)w->in_flight, NULL);
		if (!strcmp(w->kind, "bulk")) {
			store_add_scalar(r, "client", w->name, "throughput_bits", w->throughput_bps,
			                 "bit/s");
			store_add_scalar(r, "client", w->name, "sender_node_cpu",
			                 w->client_node_cpu_cores, "cores");
			store_add_scalar(r, "client", w->name, "receiver_node_cpu",
			                 w->server_node_cpu_cores, "cores");
			store_add_scalar(r, "client", w->name, "other_node_cpu",
			                 w->other_node_cpu_cores, "cores");
		}
		if (!have_all) {
			hist_init(&all, s->latency.highest);
			have_all = 1;
		}
		hist_merge(&all, &s->latency);
		/* over the statistics window, for a workload that sends in only
		 * part of it */
		double window_s = rr->sim_end_s - (double)scn->spec.warmup / 1e9;
		total_rps += window_s > 0 ? w->throughput * w->window_s / window_s : 0;
		total_errors += (double)(w->timeouts + w->failed);
	}
	if (have_all) {
		store_add_stat(r, STORE_KPI_KIND, "", STORE_KPI_LATENCY, "s", 1e-9, &all);
		store_add_scalar(r, STORE_KPI_KIND, "", STORE_KPI_THROUGHPUT, total_rps, "1/s");
		store_add_scalar(r, STORE_KPI_KIND, "", STORE_KPI_ERRORS, total_errors, NULL);
		hist_free(&all);
	}
	for (size_t i = 0; i < rr->ncomponents; i++) {
		const runner_component_result *k = &rr->components[i];
		store_add_scalar(r, "component", k->name, "instances", k->instances, NULL);
		store_add_scalar(r, "component", k->name, "cpu_user", k->user_cores, "cores");
		store_add_scalar(r, "component", k->name, "cpu_kernel", k->kernel_cores, "cores");
		store_add_scalar(r, "component", k->name, "cpu_dashboard", k->dashboard_cores, "cores");
		store_add_scalar(r, "component", k->name, "memory", k->memory_bytes, "B");
		store_add_scalar(r, "component", k->name, "hops", k->hops_per_s, "1/s");
		store_add_scalar(r, "component", k->name, "wakeups", k->wakeups_per_s, "1/s");
	}
	store_add_attr(r, "mesh.profile", rr->mesh);
	/* what it ran at: per flow falls back to per request at saturation */
	store_add_attr(r, "fidelity", rr->fidelity);
	for (size_t i = 0; i < rr->nservices; i++) {
		const runner_service_result *s = &rr->services[i];
		store_add_scalar(r, "service", s->name, "worker_utilization", s->utilization, NULL);
		store_add_scalar(r, "service", s->name, "busy_workers", s->busy_workers, NULL);
		store_add_scalar(r, "service", s->name, "mean_queue_wait", s->mean_wait_ns / 1e9, "s");
		store_add_scalar(r, "service", s->name, "served", (double)s->completed, NULL);
	}
	snprintf(uuid_out, uuidlen, "%s", store_run_uuid(r));
	int code = store_run_commit(r, status, status == STORE_INTERRUPTED ? "interrupted by signal" : NULL,
	                            (int64_t)rr->events, rr->wall_s);
	if (code != 0) {
		fprintf(stderr, "meshsim run: %s\n", store_errmsg(st));
		uuid_out[0] = '\0';
	}
	return code;
}

int cmd_run(int argc, char **argv)
{
	run_options o;
	int rc = parse_options(argc, argv, &o);
	if (rc != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;

	/* --seed is a scenario override, so the stored config says which seed. */
	char seed_set[64];
	if (o.seed >= 0) {
		if (o.nsets == MAX_SETS) {
			fprintf(stderr, "meshsim run: too many --set options\n");
			return EXIT_USAGE;
		}
		snprintf(seed_set, sizeof seed_set, "spec.seed=%lld", o.seed);
		o.sets[o.nsets++] = seed_set;
	}

	/* Load and validate everything before touching any output. */
	scenario *scn = NULL;
	diag_list errs = {0};
	rc = scenario_load(o.scenario_path, o.sets, o.nsets, &scn, &errs);
	if (rc != SCN_OK) {
		diag_print(&errs, stderr);
		if (rc == SCN_EDATA)
			fprintf(stderr, "%zu error(s); nothing was run or written\n", errs.n);
		diag_list_free(&errs);
		return rc;
	}
	diag_list_free(&errs);
	char *json = NULL, hash[65];
	if (scenario_canonical_json(scn, &json, hash) != SCN_OK) {
		fprintf(stderr, "meshsim run: out of memory\n");
		scenario_free(scn);
		return EXIT_SOFTWARE;
	}

	/* The calibration profile that prices every operation. */
	cost_profile profile_storage; /* about 11 KiB */
	cost_profile *prof = &profile_storage;
	{
		const char *spec = o.calibration;
		if (!spec && scn->spec.calibration && scn->spec.calibration[0])
			spec = scn->spec.calibration;
		char err[512];
		int prc = cost_profile_resolve(spec, prof, err, sizeof err);
		if (prc != 0) {
			fprintf(stderr, "meshsim run: calibration profile: %s\n", err);
			free(json);
			scenario_free(scn);
			return prc == -1 ? EXIT_NOINPUT : EXIT_DATAERR;
		}
	}

	/* The mesh profile: the data plane's components and hops. */
	mesh_profile *mesh = NULL;
	{
		diag_list merrs = {0};
		int mrc = mesh_profile_load_for_scenario(scn, o.scenario_path, o.sets, o.nsets, NULL,
		                                         &mesh, &merrs);
		if (mrc != SCN_OK) {
			diag_print(&merrs, stderr);
			fprintf(stderr, "meshsim run: cannot load the mesh profile of mode %s\n",
			        scn_mesh_mode_name(scn->spec.mesh.mode));
			diag_list_free(&merrs);
			free(json);
			scenario_free(scn);
			return mrc;
		}
		diag_list_free(&merrs);
	}
	{
		/* Bad input that only the scenario and its profile together show:
		 * said before the database is opened. */
		char err[512];
		if (runner_check(scn, mesh, err, sizeof err) != 0) {
			fprintf(stderr, "%s: error: %s\n", o.scenario_path, err);
			mesh_profile_free(mesh);
			free(json);
			scenario_free(scn);
			return EXIT_DATAERR;
		}
	}

	ms_store *st = NULL;
	if (o.db_path) {
		char err[512];
		int code;
		st = store_open(o.db_path, err, sizeof err, &code);
		if (!st) {
			fprintf(stderr, "meshsim run: %s\n", err);
			mesh_profile_free(mesh);
			free(json);
			scenario_free(scn);
			return code;
		}
	}

	install_handlers();
	progress prog;
	progress_init(&prog, o.progress);
	uint32_t nreps = (uint32_t)(o.replications ? o.replications : scn->spec.replications);
	uint64_t seed = (uint64_t)scn->spec.seed;
	json_t *collected = json_array();
	size_t nwl = scn->spec.n_workloads;
	double *metrics = calloc((size_t)nreps * (nwl ? nwl : 1) * REPORT_NMETRICS, sizeof(double));
	uint32_t finished = 0;
	int exit_code = EXIT_OK;

	for (uint32_t rep = 0; rep < nreps && !interrupted; rep++) {
		runner run;
		char err[256], warn[2048];
		if (runner_build(&run, scn, prof, mesh, seed, rep, err, sizeof err, warn, sizeof warn) != 0) {
			fprintf(stderr, "meshsim run: %s\n", err);
			exit_code = EXIT_RUN_FAILED;
			break;
		}
		if (rep == 0 && warn[0])
			for (char *line = strtok(warn, "\n"); line; line = strtok(NULL, "\n"))
				fprintf(stderr, "meshsim run: warning: %s\n", line);

		double start_unix = unix_now();
		progress_start_run(&prog);
		double t0 = progress_wall_now();
		/* Advance in slices so progress and signals are seen; the slices
		 * do not change the result (the event order is the same). */
		sim_time_t slice = run.end / 200 > SIM_MS ? run.end / 200 : SIM_MS;
		for (sim_time_t t = 0; t < run.end && !interrupted;) {
			t = t + slice < run.end ? t + slice : run.end;
			runner_advance(&run, t);
			progress_update(&prog, rep + 1, nreps, sim_time_to_seconds(sim_now(run.sim)),
			                sim_time_to_seconds(run.end), sim_events_executed(run.sim));
		}
		runner_finish(&run);
		progress_clear(&prog);

		runner_workload_result *wr = runner_workload_results(&run);
		runner_service_result *sr = runner_service_results(&run);
		size_t ncr = 0;
		runner_component_result *cr = runner_component_results(&run, &ncr);
		report_run rr = {
			.scenario_name = scn->metadata.name,
			.config_hash = hash,
			.seed = seed,
			.replication = rep,
			.replications = nreps,
			.status = interrupted ? "interrupted" : "ok",
			.events = sim_events_executed(run.sim),
			.wall_s = progress_wall_now() - t0,
			.sim_end_s = sim_time_to_seconds(sim_now(run.sim)),
			.start_unix = start_unix,
			.workloads = wr,
			.nworkloads = run.nworkloads,
			.services = sr,
			.nservices = run.nservices,
			.mesh = mesh->name,
			.fidelity = ran_per_flow(wr, run.nworkloads) ? "per-flow" : "per-request",
			.components = cr,
			.ncomponents = ncr,
		};
		char uuid[64] = "";
		if (st) {
			int code = store_run(st, scn, json, hash, prof, &rr,
			                     interrupted ? STORE_INTERRUPTED : STORE_OK,
			                     (const char *const *)o.sets, o.nsets, uuid, sizeof uuid);
			if (code != 0)
				exit_code = code;
			else
				rr.db_uuid = uuid;
		}
		if (o.format == REPORT_TEXT)
			report_text_run(stdout, &rr);
		else if (o.format == REPORT_JSON)
			json_array_append_new(collected, report_json_run(&rr));
		else
			report_fortio_run(collected, &rr);
		if (!interrupted) {
			for (size_t w = 0; w < run.nworkloads; w++)
				report_metrics_of(&wr[w], &metrics[((size_t)finished * nwl + w) * REPORT_NMETRICS]);
			finished++;
		}
		fflush(stdout);
		free(wr);
		free(sr);
		free(cr);
		runner_free(&run);
		if (exit_code != EXIT_OK)
			break;
	}

	const char **names = calloc(nwl ? nwl : 1, sizeof(*names));
	for (size_t w = 0; w < nwl; w++)
		names[w] = scn->spec.workloads[w].name;
	if (o.format == REPORT_TEXT) {
		if (finished > 1)
			report_text_summary(stdout, names, nwl, metrics, finished);
	} else if (o.format == REPORT_JSON) {
		json_t *doc = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:o}", "meshsim", MESHSIM_VERSION,
		                        "scenario", scn->metadata.name, "config_hash", hash, "calibration",
		                        "source", prof->source, "sha256", prof->sha256, "runs", collected);
		if (finished > 1)
			json_object_set_new(doc, "summary", report_json_summary(names, nwl, metrics, finished));
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
		collected = NULL;
	} else {
		json_t *doc = json_array_size(collected) == 1 ? json_incref(json_array_get(collected, 0))
		                                              : json_incref(collected);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
	}
	json_decref(collected);
	free(names);
	free(metrics);
	if (st)
		store_close(st);
	mesh_profile_free(mesh);
	free(json);
	scenario_free(scn);
	if (interrupted) {
		fprintf(stderr, "meshsim run: interrupted; %u finished run(s) kept%s\n", finished,
		        o.db_path ? ", the unfinished one stored as interrupted" : "");
		return EXIT_INTERRUPTED;
	}
	return exit_code;
}
